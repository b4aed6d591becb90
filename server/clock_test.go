package server

import (
	"sync"
	"time"
)

// fakeClock is a Clock that moves only when a test calls Tick. It
// serves one ticker: the runner's.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	ticker *fakeTicker
	ready  chan struct{} // closed when the runner's ticker exists
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Unix(1_700_000_000, 0), ready: make(chan struct{})}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) NewTicker(d time.Duration) Ticker {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ticker = &fakeTicker{every: d, c: make(chan time.Time), stopped: make(chan struct{})}
	close(c.ready)
	return c.ticker
}

// Tick moves the clock on by n ticker periods, one at a time, and
// returns when the runner has taken the last tick: any call made after
// Tick sees the state after it.
func (c *fakeClock) Tick(n int) {
	<-c.ready
	for range n {
		c.mu.Lock()
		c.now = c.now.Add(c.ticker.every)
		now, t := c.now, c.ticker
		c.mu.Unlock()
		select {
		case t.c <- now:
		case <-t.stopped:
			return
		}
	}
}

type fakeTicker struct {
	every   time.Duration
	c       chan time.Time // unbuffered: a send returns once the runner has the tick
	stopped chan struct{}
	once    sync.Once
}

func (t *fakeTicker) C() <-chan time.Time { return t.c }
func (t *fakeTicker) Stop()               { t.once.Do(func() { close(t.stopped) }) }
