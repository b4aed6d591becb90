package server

import (
	"sync"

	"github.com/gorilla/websocket"
)

// hub fans encoded messages out to the WebSocket clients. It only fans
// out: it never encodes, never blocks and never waits for a client. A
// client whose send buffer is full is dropped, so one slow reader cannot
// delay the others.
//
// Ownership: mu guards clients and closed. The hub makes each client's
// send channel, is the only sender on it and the only one that closes
// it, always under mu, so a send never races a close. stats holds
// atomics only.
type hub struct {
	mu      sync.Mutex
	clients map[*client]struct{}
	closed  bool

	stats *streamStats // of this cluster's stream
}

func newHub() *hub {
	return &hub{clients: make(map[*client]struct{}), stats: &streamStats{}}
}

// add makes c's send channel, queues first for c (a snapshot, or the
// frames a resuming client missed) and subscribes c to broadcasts. The
// runner calls it on its loop, between two frames.
func (h *hub) add(c *client, first ...*encoded) {
	h.mu.Lock()
	defer h.mu.Unlock()
	// Room for the first messages on top of the usual buffer, so that a
	// resuming client is not dropped for the frames it asked for.
	c.send = make(chan *encoded, c.buffer+len(first))
	if h.closed {
		c.close(websocket.CloseGoingAway, "server stopping")
		return
	}
	for _, m := range first {
		c.send <- m // the channel is new and big enough: this never blocks
	}
	h.clients[c] = struct{}{}
}

// broadcast queues msg for every client, dropping those that are full.
func (h *hub) broadcast(msg *encoded) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.clients {
		h.queue(c, msg)
	}
}

// sendTo queues msg for c alone (an answer to what c sent).
func (h *hub) sendTo(c *client, msg *encoded) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.clients[c]; ok {
		h.queue(c, msg)
	}
}

// queue sends without blocking; a full client is dropped. Hold mu.
func (h *hub) queue(c *client, msg *encoded) {
	select {
	case c.send <- msg:
	default:
		delete(h.clients, c)
		h.stats.drop(dropSlow)
		c.close(websocket.CloseTryAgainLater, "too slow: frames were dropped")
	}
}

// remove unsubscribes c when its connection ended.
func (h *hub) remove(c *client) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.clients[c]; ok {
		delete(h.clients, c)
		c.close(websocket.CloseNormalClosure, "")
	}
}

// closeAll says goodbye to every client and refuses new ones.
func (h *hub) closeAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for c := range h.clients {
		delete(h.clients, c)
		c.close(websocket.CloseGoingAway, "server stopping")
	}
}

// empty reports whether no client is subscribed.
func (h *hub) empty() bool {
	return h.count() == 0
}

// count is the number of subscribed clients.
func (h *hub) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.clients)
}
