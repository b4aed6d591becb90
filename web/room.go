package web

import "strconv"

// RoomView is the room a page belongs to. The default room (Open) is the
// localhost page: anyone who reaches it controls it, and it offers to
// start a shared room. A shared room shows its link and QR code; whether
// this browser is its presenter is known only to the browser (the token
// is in its localStorage), so static/js/room.js fills in the role.
type RoomView struct {
	ID       string
	BasePath string
	Open     bool
	ShareURL string
	QRSize   int    // modules on a side; 0: no QR code
	QRPath   string // SVG path of the dark modules
	Parent   string // the room this one was forked from
}

// RoomInit is the room's part of the page's initial state.
type RoomInit struct {
	ID     string `json:"id"`
	Open   bool   `json:"open"`
	Parent string `json:"parent,omitempty"`
}

// SetRoom puts the page in room rv: the room bar and the base path of
// every API call and of the socket.
func (vm *PageView) SetRoom(rv RoomView) {
	vm.Room = rv
	vm.Initial.BasePath = rv.BasePath
	vm.Initial.Room = RoomInit{ID: rv.ID, Open: rv.Open, Parent: rv.Parent}
}

// qrViewBox frames a QR code of size modules with its quiet zone of 4.
func qrViewBox(size int) string {
	return "-4 -4 " + strconv.Itoa(size+8) + " " + strconv.Itoa(size+8)
}

// parentURL is where "return" goes from a fork.
func parentURL(parent string) string {
	if parent == "" || parent == "local" {
		return "/"
	}
	return "/r/" + parent
}
