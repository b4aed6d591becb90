// Package web renders podpath's page: a server-side SVG of the path a
// request takes (Internet → DNS → AWS load balancer → AZ lanes with worker
// nodes, router pods and app pods; Routes and Services as cards), the
// controls, the metrics and the event log. The ES modules in package
// static then keep it live from the WebSocket stream.
//
// Everything is built in two steps: NewPageView turns a model.Snapshot into
// a PageView (a view model with every position already computed, so the
// templates only print), and Page renders it. The templates are small
// private components in *.templ files; the generated *_templ.go files are
// committed (regenerate with `go tool templ generate`).
//
// The layout is stable: fixed lanes, and each worker node has a fixed grid
// of pod slots that the page fills in order, so adding a pod never moves
// another. Slots are drawn as empty placeholders so that the browser can
// place new pods without knowing the layout rules.
//
// Usage:
//
//	vm := web.NewPageView(snap, web.ClockView{TimeMs: snap.TimeMs, Speed: 1},
//		web.Assets{JS: static.URL("js/app.js"), CSS: static.URL("app.css")})
//	err := web.Page(vm).Render(r.Context(), w)
//
// Stable hooks for tests and for the scripts: every hop endpoint carries
// data-el="<element id>" (ids as in docs/contract.md) and every region and
// control a data-testid from the scheme in docs/contract.md. The package
// has no state and is safe for concurrent use.
package web
