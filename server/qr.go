package server

import (
	"net/http"
	"strconv"
	"strings"

	"rsc.io/qr"
)

// QRCode is a QR code as an SVG path: Path draws the dark modules in a
// square of Size modules (plus a quiet zone of 4 on every side, which
// the viewBox leaves to the page).
type QRCode struct {
	Size int
	Path string
}

// qrCode encodes text (a room's URL); the zero QRCode when it cannot.
func qrCode(text string) QRCode {
	if text == "" {
		return QRCode{}
	}
	code, err := qr.Encode(text, qr.M)
	if err != nil {
		return QRCode{}
	}
	var b strings.Builder
	for y := range code.Size {
		for x := 0; x < code.Size; {
			if !code.Black(x, y) {
				x++
				continue
			}
			run := 1
			for code.Black(x+run, y) {
				run++
			}
			b.WriteString("M" + strconv.Itoa(x) + " " + strconv.Itoa(y) + "h" + strconv.Itoa(run) + "v1h-" + strconv.Itoa(run) + "z")
			x += run
		}
	}
	return QRCode{Size: code.Size, Path: b.String()}
}

// shareURL is the absolute URL of path on the host this request
// reached: what a follower's phone should open. X-Forwarded-Proto is
// read only to pick http or https for the link (a TLS-terminating
// proxy such as an OpenShift edge Route); it grants nothing.
func shareURL(r *http.Request, path string) string {
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + r.Host + path
}
