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
// Ownership: mu guards clients and closed. The hub is the only sender on
// a client's send channel and the only one that closes it, always under
// mu, so a send never races a close.
type hub struct {
	mu      sync.Mutex
	clients map[*client]struct{}
	closed  bool
}

func newHub() *hub {
	return &hub{clients: make(map[*client]struct{})}
}

// add queues first (the snapshot) for c and subscribes c to broadcasts.
// The runner calls it on its loop, between two frames.
func (h *hub) add(c *client, first *websocket.PreparedMessage) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		c.close(websocket.CloseGoingAway, "server stopping")
		return
	}
	c.send <- first // the channel is new and buffered: this never blocks
	h.clients[c] = struct{}{}
}

// broadcast queues msg for every client, dropping those that are full.
func (h *hub) broadcast(msg *websocket.PreparedMessage) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.clients {
		h.queue(c, msg)
	}
}

// sendTo queues msg for c alone (an answer to what c sent).
func (h *hub) sendTo(c *client, msg *websocket.PreparedMessage) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.clients[c]; ok {
		h.queue(c, msg)
	}
}

// queue sends without blocking; a full client is dropped. Hold mu.
func (h *hub) queue(c *client, msg *websocket.PreparedMessage) {
	select {
	case c.send <- msg:
	default:
		delete(h.clients, c)
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
