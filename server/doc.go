// Package server is podpath's HTTP side: the chi routes, the JSON API,
// the runner that owns the live simulation, and the WebSocket hub that
// streams it to every page.
//
// # Goroutines and ownership
//
// Data flows one way, from the loop to the browsers:
//
//	HTTP handlers ──calls──▶ runner loop ──frames──▶ hub ──▶ client.send ──▶ writer ──▶ browser
//	  (any number)          (owns *model.Sim)      (fan-out)  (one per client)          ▲
//	                                                                    reader ─────────┘ (commands in)
//
// The rules:
//
//   - The runner loop (Server.Run) is the only goroutine that touches the
//     *model.Sim. It selects over the frame ticker, a channel of calls
//     (commands, clock changes, state and trace queries, new clients),
//     and ctx.Done(). Handlers never hold the Sim: they send a call and
//     wait for its reply. Load runs on a Clone made by the loop, so a
//     big load does not stall the frames.
//   - Each tick the loop advances virtual time by wall time × speed
//     (unless paused), drains the Sim, builds one frame, encodes it once
//     (websocket.PreparedMessage) and gives it to the hub.
//   - The hub only fans out: a non-blocking send into each client's
//     buffered channel. A client whose buffer is full is dropped, so a
//     slow reader never delays the others. The hub alone sends on and
//     closes those channels, under its mutex.
//   - Each connection has one writer goroutine (the only writer of the
//     socket: frames, pings, the close message) and one reader (the HTTP
//     handler's goroutine: pongs and incoming commands).
//   - A new client is joined on the loop: its snapshot goes into its
//     channel and it is subscribed in one step, so it gets exactly the
//     frames that follow its snapshot.
//   - The loop also owns the room's API state beside the Sim
//     (runner_state.go): the live cluster's generation (counted up by
//     every Replace), what it was loaded from, the walkthrough step and
//     the followers' votes, and the commands accepted since the last
//     frame with their oc equivalents. A handler that computes a change
//     from one generation (a walkthrough step) has it swapped in only
//     while that generation is live.
//
// # Routes, commands and errors
//
// Every route is registered in routes.go. Commands are decoded and
// validated by the command registry (scenarios.DecodeCommand) and
// answered with their oc equivalent (scenarios.OC). Every error answer,
// HTTP or WebSocket, is an ErrorPayload {error, code, field, reason}
// made by errors.go, the one place that maps errors to statuses and
// codes. Answers are compressed (gzip, deflate) by chi's Compress but
// for /ws; /metrics is client_golang's; rate limits are x/time/rate.
//
// # Rooms
//
// Each room (rooms.go) has its own runner loop, hub and handlers, built
// by roomRoutes; the registry holds the rooms, starts their loops under
// Run's context, and expires idle ones. The default room is served at
// the root and is open (anyone controls it); the others at /r/{id},
// where only the presenter token's holder changes anything
// (presenterOnly for HTTP, an auth message for the socket). Each room's
// runner reports every accepted change on its loop to the room's
// journal (persist.go), which only appends under a mutex; one goroutine
// of the state store writes the files (coalesced), and Run writes them
// all once more after every loop has stopped.
//
// # Usage
//
//	srv, err := server.New(server.Config{Sim: sim, Page: page, Static: static.Handler()})
//	go srv.Run(ctx)                          // the loop; stops with ctx
//	http.ListenAndServe(addr, srv)           // routes: see docs/api.md
//
// Tests pass a fake Clock and step the loop tick by tick.
package server
