// Command podpath serves the podpath web app: a live, simulated picture
// of how a request from the Internet reaches a pod on OpenShift on AWS.
//
//	go run . [-addr localhost:8080] [-seed N] [-scenario shop|FILE] [-scenarios-dir DIR] [-state-dir DIR]
//
// main only wires the parts: it loads the scenario, builds the Sim and
// the server, runs them, and shuts down gracefully on SIGINT or SIGTERM
// (in-flight requests finish, then every room's state file is written).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/podpath/podpath/model"
	"github.com/podpath/podpath/scenarios"
	"github.com/podpath/podpath/server"
	"github.com/podpath/podpath/static"
	"github.com/podpath/podpath/web"
)

// shutdownTimeout bounds the graceful stop of the HTTP server.
const shutdownTimeout = 5 * time.Second

// errReported is a flag error the flag package has already printed.
var errReported = errors.New("flag error reported")

// options are the command-line flags.
type options struct {
	addr     string
	seed     uint64
	seedSet  bool // -seed was given: it replaces the scenario's own seed
	scenario string
	// scenarioDir lists the user's own scenario files beside the built-ins.
	scenarioDir string
	logLevel    slog.Level
	// stateDir holds the rooms' state files; "" turns persistence off.
	stateDir    string
	stateDirSet bool
	scenarioSet bool // -scenario was given: the default room starts fresh
}

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

// run is main with its exit code: 2 for bad flags, 1 for other failures.
func run(args []string, stderr io.Writer) int {
	opts, err := parseFlags(args, stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errReported):
		return 2
	case err != nil:
		fmt.Fprintln(stderr, "podpath:", err)
		return 2
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: opts.logLevel}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := serve(ctx, opts, log); err != nil {
		log.Error("podpath stopped", "err", err)
		return 1
	}
	return 0
}

// parseFlags reads and checks the flags.
func parseFlags(args []string, stderr io.Writer) (options, error) {
	var opts options
	fs := flag.NewFlagSet("podpath", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&opts.addr, "addr", "localhost:8080", "`host:port` to listen on")
	fs.Uint64Var(&opts.seed, "seed", 1, "random `seed` of the simulation (replaces the scenario's own; default: the scenario's)")
	fs.StringVar(&opts.scenario, "scenario", "shop", "`scenario` to load: a built-in ("+strings.Join(scenarios.Names(), ", ")+
		"), a name in -scenarios-dir, or a file (a value with a / or ending in .yaml or .yml)")
	fs.TextVar(&opts.logLevel, "log-level", slog.LevelInfo, "least `level` logged: debug, info (one line per HTTP request), warn or error")
	fs.StringVar(&opts.scenarioDir, "scenarios-dir", "", "`directory` of your own scenario files (<name>.yaml), listed beside the built-ins; Save writes there")
	fs.StringVar(&opts.stateDir, "state-dir", defaultStateDir(), "`directory` of the rooms' state files (created 0700); empty: keep nothing")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return options{}, err
		}
		return options{}, errReported // the flag package printed it with the usage
	}
	if fs.NArg() > 0 {
		return options{}, fmt.Errorf("unexpected argument %q; podpath takes only flags (see -h)", fs.Arg(0))
	}
	if _, _, err := net.SplitHostPort(opts.addr); err != nil {
		return options{}, fmt.Errorf("-addr %q: want host:port, e.g. localhost:8080: %v", opts.addr, err)
	}
	if opts.seed == 0 {
		return options{}, errors.New("-seed 0: the seed must be at least 1")
	}
	fs.Visit(func(f *flag.Flag) {
		opts.seedSet = opts.seedSet || f.Name == "seed"
		opts.scenarioSet = opts.scenarioSet || f.Name == "scenario"
		opts.stateDirSet = opts.stateDirSet || f.Name == "state-dir"
	})
	if opts.scenarioDir != "" {
		if info, err := os.Stat(opts.scenarioDir); err != nil || !info.IsDir() {
			return options{}, fmt.Errorf("-scenarios-dir %q: not a directory", opts.scenarioDir)
		}
	}
	names := scenarios.Names()
	if !isScenarioFile(opts.scenario) && opts.scenarioDir == "" && !slices.Contains(names, opts.scenario) {
		return options{}, fmt.Errorf("-scenario %q: unknown; built-in scenarios: %s (or give a file: a path with a / or ending in .yaml)", opts.scenario, strings.Join(names, ", "))
	}
	return opts, nil
}

// defaultStateDir is $XDG_STATE_HOME/podpath, else ~/.local/state/podpath,
// else "" (no home: persistence off).
func defaultStateDir() string {
	if dir := os.Getenv("XDG_STATE_HOME"); filepath.IsAbs(dir) {
		return filepath.Join(dir, "podpath")
	}
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return ""
	}
	return filepath.Join(home, ".local", "state", "podpath")
}

// isScenarioFile tells a -scenario file path from a scenario name.
func isScenarioFile(value string) bool {
	return strings.Contains(value, "/") || strings.HasSuffix(value, ".yaml") || strings.HasSuffix(value, ".yml")
}

// loadScenario reads -scenario: a file, or a name of the catalog.
func loadScenario(opts options, catalog *scenarios.Catalog) (model.Scenario, []scenarios.Warning, server.ScenarioMeta, error) {
	if isScenarioFile(opts.scenario) {
		sc, warnings, err := scenarios.LoadFile(opts.scenario)
		if sc.Name == "" {
			sc.Name = server.ImportedName
		}
		return sc, warnings, server.MetaOf(sc, "file"), err
	}
	sc, warnings, err := catalog.Load(opts.scenario)
	source := scenarios.SourceBuiltin
	if !slices.Contains(scenarios.Names(), opts.scenario) {
		source = scenarios.SourceDir
	}
	return sc, warnings, server.MetaOf(sc, source), err
}

// serve builds the Sim and the server and runs them until ctx is done.
func serve(ctx context.Context, opts options, log *slog.Logger) error {
	catalog := scenarios.NewCatalog(opts.scenarioDir)
	sc, warnings, meta, err := loadScenario(opts, catalog)
	if err != nil {
		return fmt.Errorf("load scenario %q: %w", opts.scenario, err)
	}
	for _, w := range warnings {
		log.Warn("scenario", "scenario", opts.scenario, "warning", w)
	}
	if opts.seedSet {
		sc.Settings.Seed = opts.seed
	}
	sim, err := model.New(sc)
	if err != nil {
		return fmt.Errorf("build scenario %q: %w", opts.scenario, err)
	}
	cfg := server.Config{
		Sim:      sim,
		Page:     pageRenderer(catalog),
		Static:   static.Handler(),
		Logger:   log,
		Catalog:  catalog,
		Scenario: meta,
		Initial:  &sc,
		StateDir: opts.stateDir,
		// Without -scenario or -seed, the default room goes on where it was.
		ResumeLocal: !opts.scenarioSet && !opts.seedSet,
	}
	srv, err := server.New(cfg)
	if err != nil && !opts.stateDirSet && opts.stateDir != "" {
		// The default state directory is not usable (e.g. a read-only
		// home in a container): run without persistence, and say so.
		log.Warn("persistence off: the default state directory is not usable; pass -state-dir DIR", "dir", opts.stateDir, "err", err)
		cfg.StateDir = ""
		srv, err = server.New(cfg)
	}
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", opts.addr)
	if err != nil {
		return err
	}
	httpServer := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	// The rooms run until the HTTP server has finished its in-flight
	// requests, not merely until the signal.
	runCtx, stopRooms := context.WithCancel(context.Background())
	defer stopRooms()
	roomsDone := make(chan struct{})
	go func() {
		defer close(roomsDone)
		srv.Run(runCtx)
	}()
	served := make(chan error, 1)
	go func() { served <- httpServer.Serve(ln) }()
	log.Info("podpath listening", "url", "http://"+ln.Addr().String(), "scenario", opts.scenario, "seed", sim.Seed(), "scenarios-dir", opts.scenarioDir, "state-dir", cfg.StateDir)

	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-served: // Serve failed before any shutdown
	}
	log.Info("podpath shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	shutdownErr := httpServer.Shutdown(shutdownCtx) // in-flight requests finish (WebSockets are not waited for)
	stopRooms()
	<-roomsDone // every WebSocket closed, every room's state file written
	log.Info("podpath stopped: state written", "state-dir", cfg.StateDir)
	if serveErr != nil {
		return serveErr
	}
	return shutdownErr
}

// pageRenderer renders package web's page, with the catalog's scenarios
// in the picker; the server calls it for GET /.
func pageRenderer(catalog *scenarios.Catalog) server.PageFunc {
	return func(ctx context.Context, w io.Writer, state model.Snapshot, clock server.ClockState, room server.PageRoom) error {
		view := web.NewPageView(state, web.ClockView{TimeMs: clock.TimeMs, Paused: clock.Paused, Speed: clock.Speed}, web.Assets{JS: static.URL("js/app.js"), CSS: static.URL("app.css")})
		view.SetRoom(web.RoomView{ID: room.ID, BasePath: room.BasePath, Open: room.Open, ShareURL: room.ShareURL, QRSize: room.QR.Size, QRPath: room.QR.Path, Parent: room.Parent})
		var list []web.ScenarioInfo
		for _, e := range catalog.List() {
			list = append(list, web.ScenarioInfo{Name: e.Name, Title: e.Title, Source: e.Source, Error: e.Error})
		}
		view.Scenarios = web.NewScenarioPanel(list, catalog.Dir() != "")
		return web.Page(view).Render(ctx, w)
	}
}
