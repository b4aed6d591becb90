package model

import "fmt"

// This file holds the last hop: the app pod serving the request.

// serveInPod: the app answers, then the response retraces the path.
func (s *Sim) serveInPod(b *reqBuilder, target *pod, rp *pod, be *backend) {
	svc := s.settings.Latency.ServiceMs
	if ms := s.ownerSpec(target).ServiceMs; ms > 0 {
		svc = ms
	}
	h := b.add(Hop{Kind: HopApp, From: target.hopID, To: target.hopID, Src: "", Dst: target.IP}, s.jitter(svc))
	if rp != nil {
		if b.explain {
			source := "the router pod " + rp.IP
			if target.HostNetwork && target.Node != rp.Node {
				// Calico's natOutgoing masquerades pod traffic to addresses
				// outside its IP pools, such as a node's own IP.
				if n := s.nodeByName(rp.Node); n != nil {
					source = "the router's node " + n.IP + " (Calico masquerades pod traffic to a node IP, natOutgoing)"
				}
			}
			if be.Termination == "passthrough" {
				b.notef(h, "pod %s ends TLS and serves the request; at L3 it sees %s as the source, and with passthrough no X-Forwarded-For is added, so the client IP is not visible to the pod", target.Key, source)
			} else {
				b.notef(h, "pod %s serves the request; at L3 it sees %s as the source, the client IP is in X-Forwarded-For", target.Key, source)
			}
		}
		s.schedule(timer{At: h.EndMs, Kind: tmConnDone, Key: rp.Key, Pod: target.Key})
	} else {
		if b.explain {
			b.notef(h, "pod %s serves the request", target.Key)
		}
	}
	if rp != nil && target.RestartAt > 0 && target.RestartAt < h.EndMs {
		// The kubelet kills the container mid-request: the router sees the
		// connection closed without a response.
		h.EndMs = max(target.RestartAt, h.StartMs)
		b.t = h.EndMs
		h.Failed = true
		b.r.Reason = fmt.Sprintf("502 Bad Gateway: pod %s's container was restarted (liveness) before it answered; the router saw the connection close", target.Key)
		b.respond(502, "http-error")
		return
	}
	if rp != nil && b.lbIdleMs > 0 && h.EndMs-h.StartMs > b.lbIdleMs && b.lbIdleMs < be.TimeoutMs {
		s.lbIdleCut(b, h, be)
		return
	}
	if rp != nil && h.EndMs-h.StartMs > be.TimeoutMs {
		h.EndMs = h.StartMs + be.TimeoutMs
		b.t = h.EndMs
		h.Failed = true
		b.r.Reason = fmt.Sprintf("504 Gateway Timeout: the pod did not answer within the router's server timeout (%d s)", be.TimeoutMs/1000)
		b.respond(504, "http-error")
		return
	}
	b.respond(200, "ok")
}

// lbIdleCut: the pod sends nothing for longer than the load balancer's
// idle timeout (Classic ELB 60 s, NLB 350 s) and less than the route's
// server timeout, so the load balancer cuts the connection whatever the
// route says. The Classic ELB closes both sides at the timeout: the
// client gets no HTTP answer. The NLB silently forgets the flow and
// answers the late response with a RST: the client waits in vain.
func (s *Sim) lbIdleCut(b *reqBuilder, app *Hop, be *backend) {
	for i := range b.r.Hops {
		if b.r.Hops[i].Kind == HopLB {
			b.r.Hops[i].Failed = true
		}
	}
	idle := b.lbIdleMs / 1000
	if s.lb.Type == "NLB" {
		b.t = app.EndMs
		b.fail("timeout", 0, fmt.Sprintf("the pod answered after %d s, past the NLB's fixed %d s idle timeout (the route's server timeout is %s): the NLB had forgotten the idle flow and answers the late response with a RST, so the client never gets it", (app.EndMs-app.StartMs)/1000, idle, fmtMs(be.TimeoutMs)))
		return
	}
	app.EndMs = app.StartMs + b.lbIdleMs // the pod is still at work when the connection goes
	b.t = app.EndMs
	b.fail("reset", 0, fmt.Sprintf("no byte passed for %d s, the Classic ELB's idle timeout, so it closed the connection before the pod answered (the route's server timeout, %s, never came into play): the client gets the connection closed with no HTTP answer", idle, fmtMs(be.TimeoutMs)))
}

// fmtMs writes a duration as HAProxy's annotations do: 90s, 2m, 500ms.
func fmtMs(ms int64) string {
	switch {
	case ms%60_000 == 0:
		return fmt.Sprintf("%dm", ms/60_000)
	case ms%1000 == 0:
		return fmt.Sprintf("%ds", ms/1000)
	}
	return fmt.Sprintf("%dms", ms)
}
