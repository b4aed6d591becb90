package server

import (
	"context"
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

// scenarioHandlers answer the library routes (routes.go). The catalog
// reads and writes files; the runner swaps the live Sim on its loop.
// check, when set, refuses a scenario over the room's object limits.
type scenarioHandlers struct {
	runner  *runner
	catalog *scenarios.Catalog
	check   func(*model.Sim) error
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
		writeError(w, h.log, err)
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
		writeError(w, h.log, err)
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
		if err := h.check(sim); err != nil {
			writeError(w, h.log, err)
			return
		}
	}
	base, err := scenarioBase(sc)
	if err != nil {
		writeError(w, h.log, err)
		return
	}
	snap, err := h.runner.Replace(ctx, cluster{sim: sim, meta: meta, base: base}, nil)
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
	sc, _, err := h.runner.ExportScenario(req.Context())
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
	sc, _, err := h.runner.ExportScenario(req.Context())
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

func builtinNames() map[string]bool {
	names := map[string]bool{}
	for _, name := range scenarios.Names() {
		names[name] = true
	}
	return names
}
