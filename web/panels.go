package web

import "github.com/a-h/templ"

// Panels is the markup of the panels closed at start, by file name. The
// page does not carry it: static/panels/ holds these renders, and the
// script that opens a panel first adds its markup to the page
// (static/js/lazy.js). TestPanelFiles keeps static/panels/ in step with
// the components; after changing one, run
//
//	go tool templ generate && go test ./web -run TestPanelFiles -update
var Panels = map[string]templ.Component{
	"editor.html":      routeEditor(),
	"help.html":        helpOverlay(),
	"inspector.html":   inspector(),
	"podmenu.html":     podMenu(),
	"quiz.html":        quizPanel(),
	"walkthrough.html": walkthroughPanel(),
}
