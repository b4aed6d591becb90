// Package static holds podpath's browser code and styles, embedded into the
// binary: a few ES modules (no framework, no build step), the page's
// stylesheet and, in css/, the panels' own; in panels/, the markup of the
// panels closed at start (web.Panels rendered, kept in step by package
// web's TestPanelFiles).
//
// Every file is served under one content hash of the whole embedded tree,
// /static/<hash>/<name>, so that the modules' relative imports stay valid
// and every URL changes whenever any file changes. Such URLs are cached for
// a year as immutable.
//
// Usage:
//
//	r.Handle("/static/*", static.Handler())
//	assets := web.Assets{JS: static.URL("js/app.js"), CSS: static.URL("app.css")}
//
// The modules, each with one job:
//
//	js/app.js       wires the others; the one requestAnimationFrame loop
//	js/socket.js    connects to /ws, reconnects with backoff and ?since=seq
//	js/protocol.js  JSDoc typedefs mirroring server/protocol.go
//	js/state.js     applies snapshots and frames; no DOM
//	js/clock.js     wall time → virtual time between frames
//	js/render.js    updates the SVG in place, draws request dots on a canvas
//	js/controls.js  buttons and keys → POST /api/commands, /api/clock
//	js/lazy.js      loads a panel's module (and css/ stylesheets) on first use
//
// The modules above, and those app.js imports through them, load with the
// page. The panels — inspector.js, editor.js, podmenu.js, walkthrough.js,
// quiz.js, scenarios.js, markdown.js, predict.js — load on first use with their
// css/ and panels/ files: extras.js wires their openers; wtwatch.js,
// picker.js and callouts.js are their parts that run from the start.
// zoom.js (zoom and pan) loads on the first zoom gesture (app.js).
//
// The package has no mutable state and is safe for concurrent use.
package static
