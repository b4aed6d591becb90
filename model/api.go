package model

// The Sim's public surface, in one place:
//
//	s, err := model.New(scenario)   // build the cluster at virtual time 0
//	err = s.Apply(cmd)              // one validated change, all or nothing
//	s.AdvanceTo(tMs)                // run timers and traffic up to tMs
//	out := s.Drain()                // requests and log events since last Drain
//	snap := s.Snapshot()            // the whole observable state, a value
//	res, err := s.Trace(req)        // one explained request on a copy
//	res, err := s.Load(req)         // many requests on a copy
//
// A Sim is not safe for concurrent use: one goroutine owns it.

// Now is the current virtual time in milliseconds.
func (s *Sim) Now() int64 { return s.now }

// StateVersion increases whenever something a Snapshot shows changes,
// other than the time and the metrics. Viewers resend the state only when
// it moved.
func (s *Sim) StateVersion() uint64 { return s.version }

// Seed is the seed the Sim's random source started from.
func (s *Sim) Seed() uint64 { return s.settings.Seed }

// Drain returns and forgets what happened since the last Drain.
func (s *Sim) Drain() Output {
	out := Output{Requests: s.outRequests, Log: s.outLog}
	s.outRequests, s.outLog = nil, nil
	return out
}
