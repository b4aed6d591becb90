package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/podpath/podpath/model"
	"github.com/podpath/podpath/scenarios"
)

// MaxImportBytes caps the body of POST /api/import: the largest scenario
// file the parser reads (10 MiB), not the 1 MiB of the JSON routes.
const MaxImportBytes = scenarios.MaxInputBytes

// ImportedName is the name of an imported file that has no Scenario
// header (bare manifests).
const ImportedName = "imported"

// ScenarioMeta says what the live cluster was loaded from.
type ScenarioMeta struct {
	Name        string `json:"name"`
	Title       string `json:"title,omitempty"`
	Description string `json:"description,omitempty"`
	// Source is "builtin" or "dir" (loaded by name), "file" (the -scenario
	// flag) or "import" (POST /api/import).
	Source string `json:"source"`
}

// MetaOf names a scenario that came from source.
func MetaOf(sc model.Scenario, source string) ScenarioMeta {
	return ScenarioMeta{Name: sc.Name, Title: sc.Title, Description: sc.Description, Source: source}
}

// ScenarioList is the answer to GET /api/scenarios.
type ScenarioList struct {
	// Current is what the live cluster was loaded from.
	Current ScenarioMeta `json:"current"`
	// CanSave is true when a scenarios directory is set.
	CanSave   bool              `json:"canSave"`
	Scenarios []scenarios.Entry `json:"scenarios"`
}

// LoadResult is the answer to a load or an import: the new cluster.
type LoadResult struct {
	OK       bool          `json:"ok"`
	Scenario ScenarioMeta  `json:"scenario"`
	Warnings []WarningJSON `json:"warnings"`
	// Templates are the Templates an import processed, with the value
	// each parameter got (set them again with ?param=NAME=VALUE).
	Templates []scenarios.TemplateInfo `json:"templates,omitempty"`
	State     model.Snapshot           `json:"state"`
}

// WarningJSON is a scenarios.Warning with its text as the page shows it.
type WarningJSON struct {
	scenarios.Warning
	Text string `json:"text"`
}

// ImportErrorPayload is the 400 answer to a scenario file that does not
// parse: the message and where the problem is.
type ImportErrorPayload struct {
	Error    string `json:"error"`
	Document int    `json:"document,omitempty"`
	Item     int    `json:"item,omitempty"`
	Kind     string `json:"kind,omitempty"`
	Name     string `json:"name,omitempty"`
	Line     int    `json:"line,omitempty"`
	Field    string `json:"field,omitempty"`
}

// SaveRequest is the body of POST /api/scenarios/save.
type SaveRequest struct {
	Name string `json:"name"`
}

// SaveResult is the answer to POST /api/scenarios/save.
type SaveResult struct {
	OK   bool   `json:"ok"`
	Name string `json:"name"`
	File string `json:"file"`
}

// scenarioRoutes registers the scenario library routes. check, when
// set, refuses a scenario over the room's object limits.
func scenarioRoutes(mux chi.Router, r *runner, catalog *scenarios.Catalog, check func(model.Snapshot) error, log *slog.Logger) {
	h := &scenarioHandlers{runner: r, catalog: catalog, check: check, log: log}
	mux.Get("/api/scenarios", h.list)
	mux.Post("/api/scenarios/save", h.save)
	mux.Post("/api/scenarios/{name}/load", h.load)
	mux.Post("/api/import", h.importFile)
	mux.Get("/api/export", h.export)
}

// scenarioHandlers answer the library routes. The catalog reads and
// writes files; the runner swaps the live Sim on its loop.
type scenarioHandlers struct {
	runner  *runner
	catalog *scenarios.Catalog
	check   func(model.Snapshot) error
	log     *slog.Logger
}

func (h *scenarioHandlers) list(w http.ResponseWriter, req *http.Request) {
	current, err := h.runner.CurrentScenario(req.Context())
	if err != nil {
		writeError(w, h.log, err)
		return
	}
	writeJSON(w, http.StatusOK, ScenarioList{Current: current, CanSave: h.catalog.Dir() != "", Scenarios: h.catalog.List()})
}

func (h *scenarioHandlers) load(w http.ResponseWriter, req *http.Request) {
	name := chi.URLParam(req, "name")
	sc, warnings, err := h.catalog.Load(name)
	if err != nil {
		h.writeImportError(w, err)
		return
	}
	source := scenarios.SourceDir
	if _, ok := builtinNames()[name]; ok {
		source = scenarios.SourceBuiltin
	}
	h.replace(w, req.Context(), sc, warnings, MetaOf(sc, source))
}

func (h *scenarioHandlers) importFile(w http.ResponseWriter, req *http.Request) {
	data, err := io.ReadAll(http.MaxBytesReader(w, req.Body, MaxImportBytes))
	switch {
	case isTooLarge(err):
		writeError(w, h.log, fmt.Errorf("%w: the limit is %d bytes (10 MiB)", errTooLarge, MaxImportBytes))
		return
	case err != nil:
		writeError(w, h.log, malformedf("body: %v", err))
		return
	case len(data) == 0:
		writeError(w, h.log, invalidf("body", "empty; expected a scenario file (YAML)"))
		return
	}
	params, err := templateParams(req.URL.Query()["param"])
	if err != nil {
		writeError(w, h.log, err)
		return
	}
	parsed, err := scenarios.ParseWithOptions(data, scenarios.Options{Parameters: params})
	if err != nil {
		h.writeImportError(w, err)
		return
	}
	sc := parsed.Scenario
	if sc.Name == "" {
		sc.Name = ImportedName
	}
	h.replace(w, req.Context(), sc, parsed.Warnings, MetaOf(sc, "import"), parsed.Templates...)
}

// templateParams reads the repeated ?param=NAME=VALUE of an import: the
// Template parameters, as `oc process -p NAME=VALUE` takes them.
func templateParams(values []string) (map[string]string, error) {
	params := map[string]string{}
	for _, v := range values {
		name, value, ok := strings.Cut(v, "=")
		if !ok || !paramName.MatchString(name) {
			return nil, invalidf("param", "%q is not NAME=VALUE (a name of letters, digits and _)", v)
		}
		if _, dup := params[name]; dup {
			return nil, invalidf("param", "parameter %s is given twice", name)
		}
		params[name] = value
	}
	return params, nil
}

var paramName = regexp.MustCompile(`^[a-zA-Z0-9_]+$`)

// replace builds the new cluster and swaps it in; on any error the live
// cluster is untouched.
func (h *scenarioHandlers) replace(w http.ResponseWriter, ctx context.Context, sc model.Scenario, warnings []scenarios.Warning, meta ScenarioMeta, templates ...scenarios.TemplateInfo) {
	sim, err := model.New(sc)
	if err != nil {
		writeError(w, h.log, fmt.Errorf("server: scenario %q: %w", sc.Name, err))
		return
	}
	if h.check != nil {
		if err := h.check(sim.Snapshot()); err != nil {
			writeError(w, h.log, err)
			return
		}
	}
	base, err := scenarioBase(sc)
	if err != nil {
		writeError(w, h.log, err)
		return
	}
	snap, err := h.runner.Replace(ctx, sim, meta, base)
	if err != nil {
		writeError(w, h.log, err)
		return
	}
	out := LoadResult{OK: true, Scenario: meta, Warnings: make([]WarningJSON, 0, len(warnings)), Templates: templates, State: snap}
	for _, warning := range warnings {
		out.Warnings = append(out.Warnings, WarningJSON{Warning: warning, Text: warning.String()})
	}
	writeJSON(w, http.StatusOK, out)
}

func (h *scenarioHandlers) export(w http.ResponseWriter, req *http.Request) {
	sc, err := h.runner.ExportScenario(req.Context())
	if err != nil {
		writeError(w, h.log, err)
		return
	}
	data, err := scenarios.Export(sc)
	if err != nil {
		writeError(w, h.log, err)
		return
	}
	name := sc.Name
	if scenarios.CheckName(name) != nil {
		name = scenarios.ExportedName
	}
	w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.yaml"`)
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(data)
}

func (h *scenarioHandlers) save(w http.ResponseWriter, req *http.Request) {
	var in SaveRequest
	if err := decodeBody(w, req, &in); err != nil {
		writeError(w, h.log, err)
		return
	}
	if h.catalog.Dir() == "" {
		writeError(w, h.log, fmt.Errorf("%w: no scenarios directory: start podpath with -scenarios-dir DIR to save scenarios", model.ErrConflict))
		return
	}
	if err := scenarios.CheckName(in.Name); err != nil {
		writeError(w, h.log, err)
		return
	}
	sc, err := h.runner.ExportScenario(req.Context())
	if err != nil {
		writeError(w, h.log, err)
		return
	}
	sc.Name = in.Name
	data, err := scenarios.Export(sc)
	if err != nil {
		writeError(w, h.log, err)
		return
	}
	file, err := h.catalog.Save(in.Name, data)
	if err != nil {
		writeError(w, h.log, err)
		return
	}
	h.runner.Rename(req.Context(), in.Name, scenarios.SourceDir)
	writeJSON(w, http.StatusOK, SaveResult{OK: true, Name: in.Name, File: file})
}

// writeImportError answers a scenario that does not parse with where the
// problem is; other errors go through writeError.
func (h *scenarioHandlers) writeImportError(w http.ResponseWriter, err error) {
	var parseErr *scenarios.ParseError
	if !errors.As(err, &parseErr) {
		writeError(w, h.log, err)
		return
	}
	writeJSON(w, statusOf(err), ImportErrorPayload{
		Error:    err.Error(),
		Document: parseErr.Document,
		Item:     parseErr.Item,
		Kind:     parseErr.Kind,
		Name:     parseErr.Name,
		Line:     parseErr.Line,
		Field:    parseErr.Field,
	})
}

func builtinNames() map[string]bool {
	names := map[string]bool{}
	for _, name := range scenarios.Names() {
		names[name] = true
	}
	return names
}

// Replace swaps the live Sim for sim, a new cluster at virtual time 0,
// and sends every viewer a fresh snapshot (its seq is one past the last
// frame, so frames continue without a gap) under a new resume epoch.
// Pause and speed are kept.
// The runner takes ownership of sim.
//
// base says how to build sim again (the state file of the room).
func (r *runner) Replace(ctx context.Context, sim *model.Sim, meta ScenarioMeta, base roomBase) (model.Snapshot, error) {
	var snap model.Snapshot
	var sendErr error
	if err := r.do(ctx, func() {
		r.sim = sim
		r.scenario = meta
		r.pending = model.Output{}
		r.skippedLog = 0
		r.carryMs = 0
		r.lastWall = r.clock.Now()
		r.sinceMetrics = 0
		r.seq++
		// Frames of the old cluster cannot be resumed into the new one:
		// a new epoch sends a reconnecting client a snapshot.
		if r.ring != nil {
			r.ring.reset()
		}
		if r.epoch != "" {
			r.epoch = newEpoch()
		}
		snap = r.sim.Snapshot()
		r.sentVersion = r.sim.StateVersion()
		r.hub.stats.virtualMs.Store(r.sim.Now())
		if r.record != nil {
			r.record(roomChange{base: &base, meta: meta, seed: sim.Seed()})
		}
		msg, err := prepare(Envelope{Type: TypeSnapshot, Seq: r.seq, T: r.sim.Now(), Epoch: r.epoch, Payload: SnapshotPayload{State: snap, Clock: r.clockState()}})
		if err != nil {
			sendErr = err // viewers catch up on their next reconnect
			return
		}
		r.hub.broadcast(msg)
	}); err != nil {
		return model.Snapshot{}, err
	}
	if sendErr != nil {
		r.log.Error("encode snapshot after a scenario load", "err", sendErr)
	}
	return snap, nil
}

// CurrentScenario says what the live cluster was loaded from.
func (r *runner) CurrentScenario(ctx context.Context) (ScenarioMeta, error) {
	var meta ScenarioMeta
	err := r.do(ctx, func() { meta = r.scenario })
	return meta, err
}

// ExportScenario is the live cluster as a scenario, with every change
// made since it was loaded, named after what it was loaded from.
func (r *runner) ExportScenario(ctx context.Context) (model.Scenario, error) {
	var sc model.Scenario
	err := r.do(ctx, func() {
		sc = r.sim.Scenario()
		sc.Name, sc.Title, sc.Description = r.scenario.Name, r.scenario.Title, r.scenario.Description
	})
	return sc, err
}

// Rename records that the live cluster was saved under a new name.
func (r *runner) Rename(ctx context.Context, name, source string) {
	_ = r.do(ctx, func() { r.scenario.Name, r.scenario.Source = name, source })
}
