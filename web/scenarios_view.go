package web

// ScenarioPanel is the scenario panel: the picker, import, download and
// save. It is built by the caller from its scenario catalog; the scripts
// refresh the list from GET /api/scenarios.
type ScenarioPanel struct {
	Options []ScenarioOption
	// CanSave is true when a scenarios directory is set (podpath
	// -scenarios-dir): the Save control is shown.
	CanSave bool
}

// ScenarioOption is one scenario of the picker.
type ScenarioOption struct {
	Name  string
	Label string // "title (name)"
	// Source is "builtin" or "dir".
	Source string
	// Error says why a file of the directory cannot be loaded; the option
	// is shown disabled with it.
	Error string
}

// ScenarioInfo is what NewScenarioPanel needs to know of one scenario.
type ScenarioInfo struct {
	Name, Title, Source, Error string
}

// NewScenarioPanel builds the panel's view.
func NewScenarioPanel(list []ScenarioInfo, canSave bool) ScenarioPanel {
	p := ScenarioPanel{CanSave: canSave}
	for _, s := range list {
		label := s.Name
		if s.Title != "" && s.Title != s.Name {
			label = s.Title + " (" + s.Name + ")"
		}
		if s.Error != "" {
			label = s.Name + " — cannot load: " + s.Error
		}
		p.Options = append(p.Options, ScenarioOption{Name: s.Name, Label: label, Source: s.Source, Error: s.Error})
	}
	return p
}

func hasSource(options []ScenarioOption, source string) bool {
	for _, o := range options {
		if o.Source == source {
			return true
		}
	}
	return false
}
