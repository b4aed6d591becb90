package server

import (
	"fmt"

	"github.com/podpath/podpath/model"
)

// The live requests of a frame travel compact (docs/api.md, "Requests
// on the wire"): each request is one flat array of integers, and every
// string in it is an index into the frame's string table
// (FramePayload.Strings, whose entry 0 is ""). Mirrored in
// static/js/protocol.js (decodeRequests); change both together.
//
//	[id, startMs, endMs, status, outcome, client, clientKind, url,
//	 pod, service, route, reason,
//	 kind, from, to, startDelta, endDelta, flags,   ← hop 0
//	 kind, from, to, startDelta, endDelta, flags,   ← hop 1 …]
//
// Hop times are relative to the request's startMs. flags is
// 1 (response) | 2 (failed) | encapsulation<<2, the encapsulation being
// a string index too (0: none). Addresses (clientIP, hop src/dst) are
// not sent live: the inspector asks /api/trace for them.
const (
	wireID = iota
	wireStart
	wireEnd
	wireStatus
	wireOutcome
	wireClient
	wireClientKind
	wireURL
	wirePod
	wireService
	wireRoute
	wireReason
	// wireHeader is the number of fields before the first hop.
	wireHeader
)

// Fields of one hop, from the hop's offset.
const (
	hopKind = iota
	hopFrom
	hopTo
	hopStart
	hopEnd
	hopFlags
	// hopWidth is the number of fields of one hop.
	hopWidth
)

// Bits of a hop's flags field; the rest (flags >> hopEncapShift) is the
// encapsulation's string index.
const (
	hopFlagResponse = 1
	hopFlagFailed   = 2
	hopEncapShift   = 2
)

// WireRequest is one live request as a frame carries it (see above).
type WireRequest []int64

// ID is the request's id.
func (w WireRequest) ID() uint64 { return uint64(w[wireID]) }

// StartMs is when the request started, virtual ms.
func (w WireRequest) StartMs() int64 { return w[wireStart] }

// EndMs is when the request ended, virtual ms.
func (w WireRequest) EndMs() int64 { return w[wireEnd] }

// interner builds a frame's string table.
type interner struct {
	index   map[string]int64
	strings []string
}

func newInterner() *interner {
	return &interner{index: map[string]int64{"": 0}, strings: []string{""}}
}

func (in *interner) id(s string) int64 {
	if i, ok := in.index[s]; ok {
		return i
	}
	i := int64(len(in.strings))
	in.index[s] = i
	in.strings = append(in.strings, s)
	return i
}

// encodeRequests turns requests into their wire form and the frame's
// string table. An empty frame gives [] and [""], never null.
func encodeRequests(requests []model.Request) ([]string, []WireRequest) {
	in := newInterner()
	out := make([]WireRequest, len(requests))
	for i, r := range requests {
		w := make(WireRequest, wireHeader, wireHeader+hopWidth*len(r.Hops))
		w[wireID] = int64(r.ID)
		w[wireStart] = r.StartMs
		w[wireEnd] = r.EndMs
		w[wireStatus] = int64(r.Status)
		w[wireOutcome] = in.id(r.Outcome)
		w[wireClient] = in.id(r.Client)
		w[wireClientKind] = in.id(r.ClientKind)
		w[wireURL] = in.id(r.URL)
		w[wirePod] = in.id(r.Pod)
		w[wireService] = in.id(r.Service)
		w[wireRoute] = in.id(r.Route)
		w[wireReason] = in.id(r.Reason)
		for _, h := range r.Hops {
			flags := in.id(h.Encapsulation) << hopEncapShift
			if h.Response {
				flags |= hopFlagResponse
			}
			if h.Failed {
				flags |= hopFlagFailed
			}
			w = append(w, in.id(h.Kind), in.id(h.From), in.id(h.To), h.StartMs-r.StartMs, h.EndMs-r.StartMs, flags)
		}
		out[i] = w
	}
	return in.strings, out
}

// decodeRequest turns one wire request back into a model.Request
// (without the addresses, which are not sent). Bad input is an error,
// never a panic.
func decodeRequest(strings []string, w WireRequest) (model.Request, error) {
	if len(w) < wireHeader || (len(w)-wireHeader)%hopWidth != 0 {
		return model.Request{}, fmt.Errorf("server: invalid: request: %d fields; want %d + %d per hop", len(w), wireHeader, hopWidth)
	}
	var err error
	str := func(i int64) string {
		if i < 0 || i >= int64(len(strings)) {
			if err == nil {
				err = fmt.Errorf("server: invalid: string index %d; the table has %d", i, len(strings))
			}
			return ""
		}
		return strings[i]
	}
	r := model.Request{
		ID:         uint64(w[wireID]),
		StartMs:    w[wireStart],
		EndMs:      w[wireEnd],
		Status:     int(w[wireStatus]),
		Outcome:    str(w[wireOutcome]),
		Client:     str(w[wireClient]),
		ClientKind: str(w[wireClientKind]),
		URL:        str(w[wireURL]),
		Pod:        str(w[wirePod]),
		Service:    str(w[wireService]),
		Route:      str(w[wireRoute]),
		Reason:     str(w[wireReason]),
		Hops:       make([]model.Hop, 0, (len(w)-wireHeader)/hopWidth),
	}
	for o := wireHeader; o < len(w); o += hopWidth {
		flags := w[o+hopFlags]
		r.Hops = append(r.Hops, model.Hop{
			Kind:          str(w[o+hopKind]),
			From:          str(w[o+hopFrom]),
			To:            str(w[o+hopTo]),
			StartMs:       r.StartMs + w[o+hopStart],
			EndMs:         r.StartMs + w[o+hopEnd],
			Response:      flags&hopFlagResponse != 0,
			Failed:        flags&hopFlagFailed != 0,
			Encapsulation: str(flags >> hopEncapShift),
		})
	}
	return r, err
}

// LiveRequests decodes a frame's requests (tests and Go clients).
func (p FramePayload) LiveRequests() ([]model.Request, error) {
	out := make([]model.Request, 0, len(p.Requests))
	for _, w := range p.Requests {
		r, err := decodeRequest(p.Strings, w)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}
