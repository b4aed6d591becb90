package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"strconv"
	"time"

	"github.com/gorilla/websocket"
)

// The resumable stream. The runner keeps the frames of the last few
// seconds, encoded, in a ring. A client that reconnects with
// /ws?since=<seq>&epoch=<epoch> — the last frame it applied and the
// epoch of the snapshot it started from — gets the frames after seq
// and carries on without a gap. When those frames are gone (too old),
// or the epoch is another server run's (the server restarted), or seq
// is ahead of the server, it gets a fresh snapshot instead.

// encoded is one envelope, encoded once for every client.
type encoded struct {
	msg  *websocket.PreparedMessage
	size int    // bytes of the JSON text
	seq  uint64 // the frame's seq; 0 for other envelopes
}

// newEpoch names one run of the server: 16 random hex digits.
func newEpoch() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// resumeFrom is what a reconnecting client asks for; the zero value
// asks for a snapshot.
type resumeFrom struct {
	since uint64
	epoch string
}

// parseResume reads ?since= and ?epoch=. Anything unusable means "send
// a snapshot": a client can always start over, so a bad value is not
// an error.
func parseResume(q url.Values) resumeFrom {
	since, err := strconv.ParseUint(q.Get("since"), 10, 64)
	epoch := q.Get("epoch")
	if err != nil || epoch == "" || len(epoch) > 64 {
		return resumeFrom{}
	}
	return resumeFrom{since: since, epoch: epoch}
}

// frameRing keeps the most recent frames, consecutive by seq, oldest
// first; at most capacity of them and about maxBytes.
//
// Ownership: the runner loop alone uses it (push in sendFrame, after in
// join); no mutex.
type frameRing struct {
	buf      []*encoded // circular: buf[(start+i)%len(buf)] is the i-th oldest
	start, n int
	bytes    int
	maxBytes int
}

func newFrameRing(capacity, maxBytes int) *frameRing {
	return &frameRing{buf: make([]*encoded, max(1, capacity)), maxBytes: maxBytes}
}

// push appends a frame. A frame that does not follow the newest one
// (frames were not encoded for a while) starts the ring over.
func (r *frameRing) push(e *encoded) {
	if r.n > 0 && e.seq != r.at(r.n-1).seq+1 {
		r.reset()
	}
	if r.n == len(r.buf) {
		r.dropOldest()
	}
	r.buf[(r.start+r.n)%len(r.buf)] = e
	r.n++
	r.bytes += e.size
	for r.bytes > r.maxBytes && r.n > 1 {
		r.dropOldest()
	}
}

func (r *frameRing) at(i int) *encoded { return r.buf[(r.start+i)%len(r.buf)] }

func (r *frameRing) dropOldest() {
	old := r.at(0)
	r.buf[r.start] = nil
	r.start = (r.start + 1) % len(r.buf)
	r.n--
	r.bytes -= old.size
}

// reset forgets every frame.
func (r *frameRing) reset() {
	clear(r.buf)
	r.start, r.n, r.bytes = 0, 0, 0
}

// after returns the frames after since, up to last (the seq of the
// runner's last frame), and whether they are all kept: ok is false when
// since is older than the oldest frame kept or ahead of last, or the
// ring does not reach last.
func (r *frameRing) after(since, last uint64) ([]*encoded, bool) {
	if since > last {
		return nil, false
	}
	if since == last {
		return nil, true
	}
	if r.n == 0 || r.at(r.n-1).seq != last || since+1 < r.at(0).seq {
		return nil, false
	}
	skip := int(since + 1 - r.at(0).seq)
	out := make([]*encoded, 0, r.n-skip)
	for i := skip; i < r.n; i++ {
		out = append(out, r.at(i))
	}
	return out, true
}

// enableResume makes the runner keep window of frames (at most
// maxBytes of them) for clients that reconnect with ?since=, and names
// this server run epoch. Call it before Run.
func (r *runner) enableResume(epoch string, window time.Duration, maxBytes int) {
	r.epoch = epoch
	r.resumeWindow = window
	frames := int(window / r.frameEvery)
	r.ring = newFrameRing(max(1, frames), maxBytes)
}

// join subscribes c on the loop, so that it gets exactly the frames
// after what it has: the frames it missed when from can be resumed,
// else a snapshot first.
func (r *runner) join(ctx context.Context, c *client, from resumeFrom) error {
	var joinErr error
	if err := r.do(ctx, func() {
		r.lastListener = r.clock.Now()
		if from.epoch == r.epoch {
			if missed, ok := r.ring.after(from.since, r.seq); ok {
				r.hub.stats.joinsResumed.Add(1)
				r.hub.add(c, missed...)
				return
			}
		}
		msg, err := prepare(Envelope{
			Type:    TypeSnapshot,
			Seq:     r.seq,
			T:       r.sim.Now(),
			Epoch:   r.epoch,
			Payload: SnapshotPayload{State: r.sim.Snapshot(), Clock: r.clockState()},
		})
		if err != nil {
			joinErr = err
			return
		}
		r.hub.stats.joinsSnapshot.Add(1)
		r.hub.add(c, msg)
	}); err != nil {
		return err
	}
	return joinErr
}
