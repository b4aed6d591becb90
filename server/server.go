package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/podpath/podpath/model"
	"github.com/podpath/podpath/scenarios"
)

// Defaults for Config.
const (
	DefaultFrameRate           = 30
	DefaultMaxRequestsPerFrame = 400
	DefaultClientBuffer        = 256 // about 8 s of frames at 30/s
)

// Config is what New needs. Only Sim is required.
type Config struct {
	// Sim is the live simulation; the server's runner takes ownership of
	// it, and nothing else may touch it afterwards.
	Sim *model.Sim
	// Clock drives the frames; RealClock when nil.
	Clock Clock
	// FrameRate is frames per second, 10 to 60 (default 30).
	FrameRate int
	// MaxRequestsPerFrame caps the requests of one frame; beyond it they
	// are sampled (default 400).
	MaxRequestsPerFrame int
	// ClientBuffer is how many messages may wait for one WebSocket
	// client before it is dropped as too slow (default 256).
	ClientBuffer int
	// DecodeCommand decodes command JSON; model.DecodeCommand when nil.
	DecodeCommand CommandDecoder
	// Page renders GET /; when nil, / is not served.
	Page PageRenderer
	// Static serves /static/*; when nil, it is not served.
	Static http.Handler
	// Logger logs; slog.Default() when nil.
	Logger *slog.Logger
	// Limits protect the server (limits.go); zero fields take defaults.
	Limits Limits
	// Epoch names this run of the server in snapshots, so that a page
	// that reconnects after a restart takes a fresh snapshot; random
	// when empty.
	Epoch string
	// Catalog lists and loads the scenarios of /api/scenarios and saves
	// into its directory; the built-ins alone when nil.
	Catalog *scenarios.Catalog
	// Scenario names what Sim was loaded from (for /api/scenarios and the
	// export's metadata).
	Scenario ScenarioMeta
}

// Server is the HTTP side of podpath: the routes, the runner that owns
// the live Sim, and the WebSocket hub. Start the runner with Run and
// serve requests with ServeHTTP.
type Server struct {
	runner  *runner
	handler http.Handler
}

// New builds a server around cfg.Sim.
func New(cfg Config) (*Server, error) {
	if cfg.Sim == nil {
		return nil, errors.New("server: Config.Sim is nil")
	}
	if cfg.FrameRate == 0 {
		cfg.FrameRate = DefaultFrameRate
	}
	if cfg.FrameRate < 10 || cfg.FrameRate > 60 {
		return nil, fmt.Errorf("server: FrameRate %d is out of range; allowed 10 to 60", cfg.FrameRate)
	}
	if cfg.MaxRequestsPerFrame == 0 {
		cfg.MaxRequestsPerFrame = DefaultMaxRequestsPerFrame
	}
	if cfg.MaxRequestsPerFrame < 1 {
		return nil, fmt.Errorf("server: MaxRequestsPerFrame %d must be at least 1", cfg.MaxRequestsPerFrame)
	}
	if cfg.ClientBuffer == 0 {
		cfg.ClientBuffer = DefaultClientBuffer
	}
	if cfg.ClientBuffer < 1 {
		return nil, fmt.Errorf("server: ClientBuffer %d must be at least 1", cfg.ClientBuffer)
	}
	if cfg.Clock == nil {
		cfg.Clock = RealClock{}
	}
	if cfg.DecodeCommand == nil {
		cfg.DecodeCommand = model.DecodeCommand
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Catalog == nil {
		cfg.Catalog = scenarios.NewCatalog("")
	}
	cfg.Limits = cfg.Limits.withDefaults()
	if cfg.Epoch == "" {
		cfg.Epoch = newEpoch()
	}
	h := newHub()
	r := newRunner(cfg.Sim, cfg.Clock, cfg.FrameRate, cfg.MaxRequestsPerFrame, h, cfg.Logger)
	r.enableResume(cfg.Epoch, cfg.Limits.ResumeWindow, cfg.Limits.ResumeBytes)
	r.scenario = cfg.Scenario
	s := &Server{runner: r}
	s.handler = routes(cfg, r, h)
	return s, nil
}

// Run runs the loop that owns the Sim until ctx is done, then closes
// every WebSocket connection. Call it once, before or while serving.
func (s *Server) Run(ctx context.Context) { s.runner.Run(ctx) }

// ServeHTTP serves the routes.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.handler.ServeHTTP(w, r)
}
