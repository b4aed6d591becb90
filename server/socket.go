package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// WebSocket connection limits.
const (
	writeWait      = 10 * time.Second  // for one message to be written
	pongWait       = 60 * time.Second  // for the next pong (or any message)
	pingPeriod     = pongWait * 9 / 10 // between pings
	maxMessageSize = maxBodyBytes      // of one incoming message
)

// client is one WebSocket connection. Its writer goroutine is the only
// one that writes to conn (but for the close of a too-big message, see
// readLoop); its reader goroutine (the HTTP handler's) is the only one
// that reads. The hub makes and owns send (see hub).
type client struct {
	conn   *websocket.Conn
	send   chan *encoded
	buffer int // messages that may wait in send
	stats  *streamStats
	ending atomic.Bool // set by the reader when the connection ends anyway

	// set by the hub before it closes send; read by the writer after
	closeCode   int
	closeReason string
}

func newClient(conn *websocket.Conn, buffer int, stats *streamStats) *client {
	return &client{conn: conn, buffer: buffer, stats: stats}
}

// close tells the writer to send a close message and stop. Only the hub
// calls it, under its mutex.
func (c *client) close(code int, reason string) {
	c.closeCode, c.closeReason = code, reason
	close(c.send)
}

// writeLoop writes queued messages and pings until the hub closes send
// or a write fails.
func (c *client) writeLoop() {
	ping := time.NewTicker(pingPeriod)
	defer func() {
		ping.Stop()
		c.conn.Close()
	}()
	for {
		select {
		case msg, ok := <-c.send:
			if !ok {
				closing := websocket.FormatCloseMessage(c.closeCode, c.closeReason)
				_ = c.conn.WriteControl(websocket.CloseMessage, closing, time.Now().Add(writeWait))
				return
			}
			_ = c.conn.SetWriteDeadline(time.Now().Add(writeWait))
			if err := c.conn.WritePreparedMessage(msg.msg); err != nil {
				if !c.ending.Load() {
					c.stats.drop(dropWriteError)
				}
				return
			}
			c.stats.messagesSent.Add(1)
			c.stats.bytesSent.Add(uint64(msg.size))
		case <-ping.C:
			if err := c.conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeWait)); err != nil {
				return
			}
		}
	}
}

// joiner subscribes a client: a snapshot (or the frames it missed)
// first, then every frame.
type joiner interface {
	join(ctx context.Context, c *client, from resumeFrom) error
}

// socketHandler serves /ws: it upgrades, joins the client to the stream
// and reads its commands.
type socketHandler struct {
	joiner   joiner
	hub      *hub
	commands commander
	buffer   int // messages queued per client
	upgrader websocket.Upgrader
	log      *slog.Logger

	room         *room // whose presenter may send commands; nil: anyone
	conns        *gate // WebSocket connections of the whole server
	server       *serverStats
	commandRate  float64
	commandBurst int
}

func newSocketHandler(j joiner, h *hub, commands commander, buffer int, log *slog.Logger) *socketHandler {
	return &socketHandler{
		joiner:       j,
		hub:          h,
		commands:     commands,
		buffer:       buffer,
		log:          log,
		conns:        newGate(DefaultMaxClients),
		server:       &serverStats{},
		commandRate:  DefaultCommandRate,
		commandBurst: DefaultCommandBurst,
		upgrader: websocket.Upgrader{
			// permessage-deflate when the client offers it (browsers do):
			// a PreparedMessage compresses a frame once for every client.
			EnableCompression: true,
			CheckOrigin:       sameOrigin,
			Error: func(w http.ResponseWriter, _ *http.Request, status int, reason error) {
				upgradeError(w, status, reason)
			},
		},
	}
}

func (h *socketHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// Refuse before the upgrade, while an HTTP answer is still possible.
	if !h.conns.enter() {
		h.server.rejectedFull.Add(1)
		w.Header().Set("Retry-After", "5")
		writeError(w, h.log, fmt.Errorf("%w: %d WebSocket clients are connected, the most this server takes; try again later", errBusy, h.conns.max))
		return
	}
	defer h.conns.leave()
	conn, err := h.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader answered with an error
	}
	c := newClient(conn, h.buffer, h.hub.stats)
	if err := h.joiner.join(r.Context(), c, parseResume(r.URL.Query())); err != nil {
		loggerFrom(r.Context()).Warn("websocket join", "err", err)
		conn.Close()
		return
	}
	go c.writeLoop()
	h.readLoop(r.Context(), c)
}

// forRoom makes only rm's presenter able to send commands.
func (h *socketHandler) forRoom(rm *room) *socketHandler {
	h.room = rm
	return h
}

// session is what one connection has said about itself: whether it
// proved to be the presenter (an "auth" message with the room's token).
// Its reader goroutine owns it.
type session struct {
	presenter bool
}

func (h *socketHandler) newSession() *session {
	return &session{presenter: h.room == nil || h.room.open}
}

// readLoop reads the client's messages until the connection ends.
func (h *socketHandler) readLoop(ctx context.Context, c *client) {
	sess := h.newSession()
	defer func() {
		c.ending.Store(true)
		h.hub.remove(c)
		c.conn.Close()
	}()
	_ = c.conn.SetReadDeadline(time.Now().Add(pongWait))
	c.conn.SetPongHandler(func(string) error {
		return c.conn.SetReadDeadline(time.Now().Add(pongWait))
	})
	limit := newLimiter(h.commandRate, h.commandBurst)
	for {
		data, err := readMessage(c.conn)
		var netErr net.Error
		switch {
		case errors.Is(err, errTooLarge):
			// Said from here, as gorilla does for its own read limit:
			// WriteControl may run beside the writer.
			c.ending.Store(true)
			h.hub.stats.drop(dropTooBig)
			closing := websocket.FormatCloseMessage(websocket.CloseMessageTooBig, fmt.Sprintf("message too big: the limit is %d bytes", maxMessageSize))
			_ = c.conn.WriteControl(websocket.CloseMessage, closing, time.Now().Add(writeWait))
			return
		case errors.As(err, &netErr) && netErr.Timeout():
			h.hub.stats.drop(dropTimeout)
			return
		case err != nil:
			return
		}
		_ = c.conn.SetReadDeadline(time.Now().Add(pongWait))
		var role string
		if limit.Allow() {
			role, err = h.handleAs(ctx, sess, data)
		} else {
			err = fmt.Errorf("%w: at most %g commands per second on one connection (bursts of %d); this one was not applied", errRateLimited, h.commandRate, h.commandBurst)
		}
		if role != "" {
			if msg, perr := prepare(Envelope{Type: TypeAuth, Payload: AuthPayload{Role: role}}); perr == nil {
				h.hub.sendTo(c, msg)
			}
			continue
		}
		h.hub.stats.command(sourceWS, err)
		if err != nil {
			msg, perr := prepare(Envelope{Type: TypeError, Payload: errorPayload(err)})
			if perr != nil {
				return
			}
			h.hub.sendTo(c, msg)
		}
	}
}

// readMessage reads one whole message, at most maxMessageSize bytes;
// a longer one is errTooLarge (and not read to its end).
func readMessage(conn *websocket.Conn) ([]byte, error) {
	_, r, err := conn.NextReader()
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(r, maxMessageSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxMessageSize {
		return nil, errTooLarge
	}
	return data, nil
}

// handle applies one incoming message as the connection's first: a
// command is applied when the room is open (the default room).
func (h *socketHandler) handle(ctx context.Context, data []byte) error {
	_, err := h.handleAs(ctx, h.newSession(), data)
	return err
}

// handleAs applies one incoming message of sess's connection:
// {"type":"command","payload":…}, or {"type":"auth","token":…}, which
// makes the connection the presenter's when the token is the room's and
// answers the role (returned; "" for a command). A follower's command is
// refused with errFollower. The token is never logged.
func (h *socketHandler) handleAs(ctx context.Context, sess *session, data []byte) (string, error) {
	var in incoming
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return "", decodeError(err)
	}
	if dec.More() {
		return "", malformedf("message: unexpected data after the JSON value")
	}
	switch in.Type {
	case TypeAuth:
		sess.presenter = h.room == nil || h.room.isPresenter(in.Token)
		if sess.presenter {
			return rolePresenter, nil
		}
		return roleFollower, nil
	case TypeCommand:
	default:
		return "", invalidf("type", "%q is not a message type a client may send; allowed %q, %q", in.Type, TypeCommand, TypeAuth)
	}
	if len(in.Payload) == 0 || string(in.Payload) == "null" {
		return "", invalidf("payload", "missing; it is the command, as in POST /api/commands")
	}
	if !sess.presenter {
		return "", errFollower
	}
	cmd, err := decodeCommand(in.Payload)
	if err != nil {
		return "", err
	}
	_, err = h.commands.Apply(ctx, cmd, in.Payload)
	return "", err
}

// sameOrigin accepts clients without an Origin header (curl, Go tests)
// and browsers on a page served by this host.
func sameOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil {
		return false
	}
	return strings.EqualFold(u.Host, r.Host)
}
