package server

import (
	"sync"
	"time"
)

// fakeClock is a Clock that moves only when a test calls Tick. It
// serves the runners' tickers: the default room's first, then those of
// the rooms a test creates.
type fakeClock struct {
	mu      sync.Mutex
	now     time.Time
	ticker  *fakeTicker   // the first ticker: the default room's runner
	tickers []*fakeTicker // every ticker, the first one first
	ready   chan struct{} // closed when the first ticker exists
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
	t := &fakeTicker{every: d, c: make(chan time.Time), stopped: make(chan struct{})}
	c.tickers = append(c.tickers, t)
	if c.ticker == nil {
		c.ticker = t
		close(c.ready)
	}
	return t
}

// Tick moves the clock on by n ticker periods, one at a time, and
// returns when the runner has taken the last tick: any call made after
// Tick sees the state after it.
func (c *fakeClock) Tick(n int) {
	<-c.ready
	for range n {
		c.mu.Lock()
		c.now = c.now.Add(c.ticker.every)
		now, tickers := c.now, append([]*fakeTicker(nil), c.tickers...)
		c.mu.Unlock()
		for i, t := range tickers {
			select {
			case t.c <- now:
			case <-t.stopped:
				if i == 0 {
					return
				}
			}
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
