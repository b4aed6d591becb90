package server

import (
	"encoding/json"

	"github.com/podpath/podpath/model"
)

// Envelope types of the WebSocket protocol on /ws. They are mirrored as
// JSDoc typedefs in static/js/protocol.js; change both together.
const (
	// TypeSnapshot is the first message on every connection: the whole
	// state and the clock (payload SnapshotPayload).
	TypeSnapshot = "snapshot"
	// TypeFrame is one batch of what happened since the previous frame,
	// sent at the runner's frame rate (payload FramePayload).
	TypeFrame = "frame"
	// TypeError answers a bad incoming message (payload ErrorPayload,
	// errors.go).
	TypeError = "error"
	// TypeCommand is a message a client sends: payload is a command,
	// the same JSON as the body of POST /api/commands.
	TypeCommand = "command"
	// TypeAuth is sent by a client with the room's presenter token
	// ({"type":"auth","token":…}); the server answers with the same type
	// and payload AuthPayload. Without it a connection is a follower's
	// (but in the default room, where everyone is presenter).
	TypeAuth = "auth"
)

// AuthPayload answers an auth message: "presenter" or "follower".
type AuthPayload struct {
	Role string `json:"role"`
}

// Envelope wraps every WebSocket message. Seq numbers frames: a snapshot
// carries the seq of the last frame it includes, the next frame has
// seq+1. T is the virtual time in ms. Error envelopes have seq and t 0.
// Epoch (snapshots only) names the server run: a client resumes with
// ?since=<seq>&epoch=<epoch>. Wall (frames only) is the server's wall
// clock when the frame was made, Unix ms.
type Envelope struct {
	Type    string `json:"type"`
	Seq     uint64 `json:"seq"`
	T       int64  `json:"t"`
	Epoch   string `json:"epoch,omitempty"`
	Wall    int64  `json:"wall,omitempty"`
	Payload any    `json:"payload"`
}

// ClockState is the runner's clock: virtual time, pause and speed.
type ClockState struct {
	TimeMs int64   `json:"timeMs"`
	Paused bool    `json:"paused"`
	Speed  float64 `json:"speed"`
}

// SnapshotPayload is the payload of a TypeSnapshot envelope.
type SnapshotPayload struct {
	State model.Snapshot `json:"state"`
	Clock ClockState     `json:"clock"`
}

// FramePayload is the payload of a TypeFrame envelope.
type FramePayload struct {
	Clock ClockState `json:"clock"`
	// Strings is the string table of Requests: every string field of a
	// wire request is an index into it; entry 0 is "" (wire.go).
	Strings []string `json:"strings"`
	// Requests are the requests that started since the previous frame
	// and are still in flight, one in Sampled of them, in their compact
	// wire form (WireRequest; LiveRequests decodes them).
	Requests []WireRequest    `json:"requests"`
	Log      []model.LogEvent `json:"log"`
	// State is set only when the state changed since the last frame
	// that carried it, statesPerSecond times a second on average
	// (runner.go's state budget).
	State *model.Snapshot `json:"state,omitempty"`
	// Metrics is set a few times a second.
	Metrics *model.Metrics `json:"metrics,omitempty"`
	// Commands are the commands accepted since the previous frame, in
	// the order applied, each with its oc equivalent; absent when none.
	Commands []CommandEcho `json:"commands,omitempty"`
	// Sampled is k when one request in k is shown; 1 means all.
	Sampled int `json:"sampled"`
}

// CommandEcho is an accepted command as a frame carries it: its type and
// its oc equivalent (scenarios.OC), for every viewer's "on a real
// cluster" strip.
type CommandEcho struct {
	Type string `json:"type"`
	OC   string `json:"oc"`
}

// incoming is a message a client sends on /ws.
type incoming struct {
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload"`
	Token   string          `json:"token,omitempty"` // auth only
}
