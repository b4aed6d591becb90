package server

import (
	"testing"

	"github.com/podpath/podpath/scenarios"
)

// BenchmarkReplayTenMinutes restores a shop room whose clock is at ten
// minutes of virtual time: what a restart costs per room
// (docs/reliability.md, "Persistence").
//
//	go test -run '^$' -bench ReplayTenMinutes -benchtime 3x ./server
func BenchmarkReplayTenMinutes(b *testing.B) {
	sc, _, err := scenarios.Load("shop")
	if err != nil {
		b.Fatal(err)
	}
	base, err := scenarioBase(sc)
	if err != nil {
		b.Fatal(err)
	}
	f := roomFile{Base: base, Seed: sc.Settings.Seed, Clock: ClockState{TimeMs: 600_000},
		Log: []logEntry{{AtMs: 1000, Command: []byte(scaleTo6)}}}
	catalog := scenarios.NewCatalog("")
	for b.Loop() {
		sim, err := replay(f, catalog)
		if err != nil || sim.Now() != 600_000 {
			b.Fatal(sim.Now(), err)
		}
	}
}
