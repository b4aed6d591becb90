package model

import "container/heap"

// Timer kinds: what happens when a timer fires.
const (
	tmPodRunning   = iota + 1 // container started
	tmPodReady                // first readiness probe passed
	tmPodRemoved              // graceful termination done
	tmPodRestart              // liveness failures restart the container
	tmRouterReload            // a router applies its batched changes
	tmLBCheck                 // the LB health-checks every target
	tmNodeGrace               // node-monitor-grace-period ran out: pods NotReady
	tmNodeEvict               // tolerations ran out: pods on the node evicted
	tmRequestDone             // a request's response reached the client
	tmConnDone                // a router → pod connection closed
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
}

type timerQueue []timer

func (q timerQueue) Len() int { return len(q) }
func (q timerQueue) Less(i, j int) bool {
	if q[i].At != q[j].At {
		return q[i].At < q[j].At
	}
	return q[i].Seq < q[j].Seq
}
func (q timerQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *timerQueue) Push(x any)   { *q = append(*q, x.(timer)) }
func (q *timerQueue) Pop() any {
	old := *q
	n := len(old)
	t := old[n-1]
	*q = old[:n-1]
	return t
}

func (s *Sim) schedule(t timer) {
	s.created++
	t.Seq = uint64(s.created)
	heap.Push(&s.timers, t)
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
		s.nodeGrace(t.Key)
	case tmNodeEvict:
		s.nodeEvict(t.Key)
	case tmRequestDone:
		s.requestDone(t)
	case tmConnDone:
		s.connDone(t)
	}
}

// startTimers schedules the periodic timers of a fresh cluster.
func (s *Sim) startTimers() {
	s.schedule(timer{At: s.now + s.lbCheckInterval(), Kind: tmLBCheck})
}
