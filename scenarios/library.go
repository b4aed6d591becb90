package scenarios

import (
	"embed"
	"fmt"
	"path"
	"sort"
	"strings"
	"sync"

	"github.com/podpath/podpath/model"
)

// DefaultName is the built-in scenario podpath starts with.
const DefaultName = "shop"

//go:embed *.yaml
var library embed.FS

// Info describes one built-in scenario for a picker.
type Info struct {
	Name        string `json:"name"`
	Title       string `json:"title"`
	Description string `json:"description"`
	// Steps is how many walkthrough steps the scenario has.
	Steps int `json:"steps"`
}

// builtin is one parsed built-in scenario.
type builtin struct {
	parsed parsedFile
	err    error
}

var (
	builtinsOnce sync.Once
	builtins     map[string]builtin
)

// loadBuiltins parses every embedded scenario once.
func loadBuiltins() map[string]builtin {
	builtinsOnce.Do(func() {
		builtins = map[string]builtin{}
		entries, _ := library.ReadDir(".")
		for _, entry := range entries {
			name := strings.TrimSuffix(entry.Name(), path.Ext(entry.Name()))
			data, err := library.ReadFile(entry.Name())
			if err != nil {
				builtins[name] = builtin{err: err}
				continue
			}
			parsed, err := parseFile(data, Options{})
			if err == nil && parsed.scenario.Name != name {
				err = fmt.Errorf("scenarios: %s.yaml: metadata.name is %q; it must match the file name", name, parsed.scenario.Name)
			}
			builtins[name] = builtin{parsed: parsed, err: err}
		}
	})
	return builtins
}

// Names lists the built-in scenarios, the default (shop) first, then the
// rest sorted.
func Names() []string {
	all := loadBuiltins()
	names := make([]string, 0, len(all))
	for name := range all {
		if name != DefaultName {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	if _, ok := all[DefaultName]; ok {
		names = append([]string{DefaultName}, names...)
	}
	return names
}

// List describes the built-in scenarios in Names order.
func List() []Info {
	all := loadBuiltins()
	infos := make([]Info, 0, len(all))
	for _, name := range Names() {
		b := all[name]
		infos = append(infos, Info{
			Name:        name,
			Title:       b.parsed.scenario.Title,
			Description: b.parsed.scenario.Description,
			Steps:       len(b.parsed.steps),
		})
	}
	return infos
}

// Load returns a built-in scenario. An unknown name is an error wrapping
// model.ErrNotFound that lists the valid names. The result is the
// caller's own copy.
func Load(name string) (model.Scenario, []Warning, error) {
	parsed, err := parseBuiltin(name)
	if err != nil {
		return model.Scenario{}, nil, err
	}
	return parsed.scenario, parsed.warnings, nil
}

// Steps returns the walkthrough steps of a built-in scenario.
func Steps(name string) ([]Step, error) {
	parsed, err := parseBuiltin(name)
	if err != nil {
		return nil, err
	}
	return parsed.steps, nil
}

// parseBuiltin parses a built-in scenario afresh, so that the caller owns
// the result.
func parseBuiltin(name string) (parsedFile, error) {
	b, ok := loadBuiltins()[name]
	if !ok {
		return parsedFile{}, fmt.Errorf("%w: scenario %q; built-in scenarios are %s", model.ErrNotFound, name, strings.Join(Names(), ", "))
	}
	if b.err != nil {
		return parsedFile{}, b.err
	}
	data, err := library.ReadFile(name + ".yaml")
	if err != nil {
		return parsedFile{}, err
	}
	return parseFile(data, Options{})
}
