package model

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

type parsedURL struct {
	Scheme string
	Host   string
	Port   int
	Path   string
}

// String is the URL with its port always written.
func (u parsedURL) String() string {
	return u.Scheme + "://" + u.Host + ":" + strconv.Itoa(u.Port) + u.Path
}

var errBadURL = errors.New("want an http:// or https:// URL with a host")

func parseURL(raw string) (parsedURL, error) {
	if len(raw) > 2048 {
		return parsedURL{}, errors.New("URL longer than 2048 characters")
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return parsedURL{}, errBadURL
	}
	p := parsedURL{Scheme: u.Scheme, Host: strings.ToLower(u.Hostname()), Path: u.EscapedPath()}
	if p.Path == "" {
		p.Path = "/"
	}
	if u.RawQuery != "" {
		p.Path += "?" + u.RawQuery
	}
	p.Port = 80
	if p.Scheme == "https" {
		p.Port = 443
	}
	if ps := u.Port(); ps != "" {
		n, err := strconv.Atoi(ps)
		if err != nil || n < 1 || n > 65535 {
			return parsedURL{}, errors.New("port must be 1..65535")
		}
		p.Port = n
	}
	return p, nil
}

// reqBuilder assembles one request's hops on a time cursor.
type reqBuilder struct {
	s       *Sim
	r       Request
	t       int64
	explain bool
	dnsHops int // leading hops that are a DNS exchange, not retraced
	// lbIdleMs is the idle timeout of the load balancer the request passed
	// (0 if none): an answer slower than that never reaches the client.
	lbIdleMs int64
}

func (b *reqBuilder) add(h Hop, dur int64) *Hop {
	h.StartMs = b.t
	h.EndMs = b.t + dur
	b.t = h.EndMs
	b.r.Hops = append(b.r.Hops, h)
	return &b.r.Hops[len(b.r.Hops)-1]
}

func (b *reqBuilder) notef(h *Hop, format string, args ...any) {
	if b.explain {
		h.detail().Note = fmt.Sprintf(format, args...)
	}
}

// respond retraces every request hop so far (newest first) as response
// hops carrying status, then closes the request. A failed hop is not
// retraced: its packet never arrived, so the answer starts before it (the
// router's own 503 after a failed connect).
func (b *reqBuilder) respond(status int, outcome string) {
	n := len(b.r.Hops)
	for i := n - 1; i >= b.dnsHops; i-- {
		h := b.r.Hops[i]
		if h.Kind == HopApp || h.Response || h.Failed {
			continue
		}
		d := h.EndMs - h.StartMs
		rh := b.add(Hop{Kind: HopResponse, From: h.To, To: h.From, Src: h.Dst, Dst: h.Src, Encapsulation: h.Encapsulation, Response: true}, d)
		if b.explain {
			d := rh.detail()
			d.Note = responseNote(h, status)
			d.Outer = reverseOuter(h.Detail().Outer)
			if h.Kind == HopNodePort {
				d.NAT = "conntrack reverses the DNAT"
			}
		}
	}
	b.finish(status, outcome)
}

// fail ends the request without an HTTP answer after waiting ms.
func (b *reqBuilder) fail(outcome string, waitMs int64, reason string) {
	b.t += waitMs
	b.r.Reason = reason
	b.finish(0, outcome)
}

func (b *reqBuilder) finish(status int, outcome string) {
	b.r.Status = status
	b.r.Outcome = outcome
	b.r.EndMs = b.t
}

// responseNote explains a response hop by the request hop h it retraces.
func responseNote(h Hop, status int) string {
	code := fmt.Sprintf("the %d response", status)
	switch h.Kind {
	case HopPodNet:
		if !strings.HasPrefix(h.From, "pod:"+routerNamespace+"/") {
			return code + " goes back to the calling pod on the same TCP connection"
		}
		return code + " goes back to the router pod on the same TCP connection"
	case HopService:
		return code + " returns; conntrack on the caller's node rewrites the source back to the ClusterIP"
	case HopNodePort:
		return code + " leaves the router; conntrack on the node reverses the DNAT, so it leaves as the NodePort"
	case HopLB:
		return code + " returns to the load balancer node"
	case HopInternet:
		return code + " reaches the client over the Internet"
	case HopEgress:
		return code + " comes back through the NAT gateway and the node; conntrack undoes both SNATs, so the pod sees the load balancer's address as the source"
	}
	return code + " retraces the request"
}

func reverseOuter(o string) string {
	if a, c, ok := strings.Cut(o, " → "); ok {
		return c + " → " + a
	}
	return o
}

func (s *Sim) jitter(ms int64) int64 {
	if ms <= 1 {
		return ms
	}
	return ms*8/10 + s.rng.Int64N(ms*4/10+1)
}

// runRequest sends one request from c and returns it fully decided.
func (s *Sim) runRequest(c *client, u parsedURL, rawURL string, explain, hops bool) Request {
	s.nextReq++
	b := &reqBuilder{s: s, t: s.now, explain: explain}
	b.r = Request{ID: s.nextReq, Client: c.ID, ClientKind: c.Kind, ClientIP: c.IP, URL: rawURL, StartMs: s.now}
	if hops {
		b.r.Hops = make([]Hop, 0, 12)
	} else {
		// Hops are still needed to retrace the response; reuse a buffer.
		b.r.Hops = s.scratchHops[:0]
		defer func() { s.scratchHops = b.r.Hops[:0] }()
	}
	if c.Kind == "pod" {
		s.internalRequest(b, c, u)
	} else {
		s.externalRequest(b, c, u)
	}
	return b.r
}
