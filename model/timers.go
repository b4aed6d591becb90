package model

// Timer kinds: what happens when a timer fires.
const (
	tmPodRunning    = iota + 1 // container started
	tmPodReady                 // first readiness probe passed
	tmPodRemoved               // graceful termination done
	tmPodRestart               // liveness failures restart the container
	tmRouterReload             // a router applies its batched changes
	tmLBCheck                  // the LB health-checks every target
	tmNodeGrace                // node-monitor-grace-period ran out: pods NotReady
	tmNodeEvict                // tolerations ran out: pods on the node evicted
	tmRequestDone              // a request's response reached the client
	tmConnDone                 // a router → pod connection closed
	tmRouterUnready            // a terminating router's readiness probe has failed 3 times
)

// timer is one scheduled event. Seq breaks ties so the order is total.
type timer struct {
	At     int64
	Seq    uint64
	Kind   int
	Key    string // pod, router pod or node key
	Gen    int    // pod generation the timer belongs to
	Status string // tmRequestDone: the status code or outcome
	Pod    string // tmRequestDone / tmConnDone: serving pod
	Svc    string
	Dur    int64 // tmRequestDone: the request's latency, ms
}

// heapTimer is a timer as the heap keeps it: no pointers, so moving it
// costs no write barriers; its strings wait in Sim.timerRefs[Ref].
type heapTimer struct {
	At   int64
	Seq  uint64
	Gen  int64
	Kind int32
	Ref  int32
}

// timerRef holds a timer's strings.
type timerRef struct {
	Key, Status, Pod, Svc string
	Dur                   int64
}

// timerQueue is a binary min-heap ordered by (At, Seq). It is typed (no
// container/heap) so that pushing and popping do not allocate.
type timerQueue []heapTimer

func (q timerQueue) less(i, j int) bool {
	if q[i].At != q[j].At {
		return q[i].At < q[j].At
	}
	return q[i].Seq < q[j].Seq
}

func (q *timerQueue) push(t heapTimer) {
	*q = append(*q, t)
	h := *q
	for i := len(h) - 1; i > 0; {
		p := (i - 1) / 2
		if !h.less(i, p) {
			break
		}
		h[i], h[p] = h[p], h[i]
		i = p
	}
}

func (q *timerQueue) pop() heapTimer {
	h := *q
	top := h[0]
	last := len(h) - 1
	h[0] = h[last]
	h = h[:last]
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < len(h) && h.less(l, m) {
			m = l
		}
		if r < len(h) && h.less(r, m) {
			m = r
		}
		if m == i {
			break
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
	*q = h
	return top
}

func (s *Sim) schedule(t timer) {
	s.created++
	var ref int32
	if n := len(s.freeRefs); n > 0 {
		ref = s.freeRefs[n-1]
		s.freeRefs = s.freeRefs[:n-1]
		s.timerRefs[ref] = timerRef{t.Key, t.Status, t.Pod, t.Svc, t.Dur}
	} else {
		ref = int32(len(s.timerRefs))
		s.timerRefs = append(s.timerRefs, timerRef{t.Key, t.Status, t.Pod, t.Svc, t.Dur})
	}
	s.timers.push(heapTimer{At: t.At, Seq: uint64(s.created), Gen: int64(t.Gen), Kind: int32(t.Kind), Ref: ref})
}

// popTimer takes the earliest timer off the heap with its strings.
func (s *Sim) popTimer() timer {
	h := s.timers.pop()
	r := s.timerRefs[h.Ref]
	s.timerRefs[h.Ref] = timerRef{}
	s.freeRefs = append(s.freeRefs, h.Ref)
	return timer{At: h.At, Seq: h.Seq, Kind: int(h.Kind), Gen: int(h.Gen), Key: r.Key, Status: r.Status, Pod: r.Pod, Svc: r.Svc, Dur: r.Dur}
}

func (s *Sim) fire(t timer) {
	switch t.Kind {
	case tmPodRunning:
		s.podRunning(t)
	case tmPodReady:
		s.podReadyTimer(t)
	case tmPodRemoved:
		s.podRemoved(t)
	case tmPodRestart:
		s.podRestart(t)
	case tmRouterReload:
		s.routerReload(t.Key)
	case tmLBCheck:
		s.lbCheck()
	case tmNodeGrace:
		s.nodeGrace(t)
	case tmNodeEvict:
		s.nodeEvict(t)
	case tmRequestDone:
		s.requestDone(t)
	case tmConnDone:
		s.connDone(t)
	case tmRouterUnready:
		s.routerUnready(t)
	}
}

// startTimers schedules the periodic timers of a fresh cluster.
func (s *Sim) startTimers() {
	s.schedule(timer{At: s.now + s.lbCheckInterval(), Kind: tmLBCheck})
}
