package scenarios

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/podpath/podpath/model"
)

// Where a catalog entry comes from.
const (
	SourceBuiltin = "builtin"
	SourceDir     = "dir"
)

// Entry is one scenario a Catalog offers.
type Entry struct {
	Name        string `json:"name"`
	Title       string `json:"title"`
	Description string `json:"description"`
	Steps       int    `json:"steps"`
	// Source is SourceBuiltin or SourceDir.
	Source string `json:"source"`
	// File is the file's path, for a scenario of the directory.
	File string `json:"file,omitempty"`
	// Error says why the scenario cannot be loaded (a bad file in the
	// directory); the entry is listed so that the user sees it.
	Error string `json:"error,omitempty"`
}

// Catalog is the built-in library plus, optionally, a directory of the
// user's own scenario files (<dir>/<name>.yaml or .yml). The directory is
// read afresh on every call, so files saved or edited while podpath runs
// show up. A Catalog holds no state but the path: it is safe for
// concurrent use.
type Catalog struct {
	dir string
}

// NewCatalog returns the catalog of the built-ins and dir ("" for the
// built-ins alone).
func NewCatalog(dir string) *Catalog { return &Catalog{dir: dir} }

// Dir is the user's scenario directory; "" when none is set.
func (c *Catalog) Dir() string { return c.dir }

var nameLabel = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

// CheckName checks a scenario name: a DNS-1123 label (lower-case
// letters, digits and '-', at most 63 characters), so that it is a safe
// file name and a valid metadata.name. The error wraps model.ErrInvalid.
func CheckName(name string) error {
	if len(name) == 0 || len(name) > 63 || !nameLabel.MatchString(name) {
		return fmt.Errorf("%w: name: %q must be a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters", model.ErrInvalid, name)
	}
	return nil
}

// List describes every scenario: the built-ins in Names order, then the
// directory's files sorted by name. A file that does not parse is listed
// with its error.
func (c *Catalog) List() []Entry {
	var out []Entry
	for _, info := range List() {
		out = append(out, Entry{Name: info.Name, Title: info.Title, Description: info.Description, Steps: info.Steps, Source: SourceBuiltin})
	}
	if c.dir == "" {
		return out
	}
	files, err := c.files()
	if err != nil {
		return append(out, Entry{Source: SourceDir, File: c.dir, Error: err.Error()})
	}
	for _, f := range files {
		entry := Entry{Name: f.name, Title: f.name, Source: SourceDir, File: f.path, Error: f.problem}
		if entry.Error == "" {
			parsed, err := readFile(f.path)
			if err != nil {
				entry.Error = err.Error()
			} else {
				entry.Steps = len(parsed.steps)
				entry.Description = parsed.scenario.Description
				if parsed.scenario.Title != "" {
					entry.Title = parsed.scenario.Title
				}
			}
		}
		out = append(out, entry)
	}
	return out
}

// Load returns a scenario by name: a built-in, or a file of the
// directory. Its Name is the catalog name. An unknown name wraps
// model.ErrNotFound; a bad file returns the *ParseError.
func (c *Catalog) Load(name string) (model.Scenario, []Warning, error) {
	if _, ok := loadBuiltins()[name]; ok {
		return Load(name)
	}
	if c.dir != "" {
		files, err := c.files()
		if err != nil {
			return model.Scenario{}, nil, err
		}
		for _, f := range files {
			if f.name != name {
				continue
			}
			if f.problem != "" {
				return model.Scenario{}, nil, fmt.Errorf("%w: scenario %q: %s", model.ErrConflict, name, f.problem)
			}
			parsed, err := readFile(f.path)
			if err != nil {
				return model.Scenario{}, nil, err
			}
			parsed.scenario.Name = name
			return parsed.scenario, parsed.warnings, nil
		}
	}
	var names []string
	for _, e := range c.List() {
		if e.Error == "" {
			names = append(names, e.Name)
		}
	}
	return model.Scenario{}, nil, fmt.Errorf("%w: scenario %q; the scenarios are %s", model.ErrNotFound, name, strings.Join(names, ", "))
}

// Save writes data as <dir>/<name>.yaml, replacing the user's own file of
// that name. Without a directory, or for a built-in's name, it is an
// error wrapping model.ErrConflict; a bad name wraps model.ErrInvalid.
// The file is written to a temporary name first and renamed, so that a
// reader never sees half a file.
func (c *Catalog) Save(name string, data []byte) (string, error) {
	if c.dir == "" {
		return "", fmt.Errorf("%w: no scenarios directory: start podpath with -scenarios-dir DIR to save scenarios", model.ErrConflict)
	}
	if err := CheckName(name); err != nil {
		return "", err
	}
	if _, ok := loadBuiltins()[name]; ok {
		return "", fmt.Errorf("%w: name: %q is a built-in scenario; choose another name", model.ErrConflict, name)
	}
	path := filepath.Join(c.dir, name+".yaml")
	if _, err := os.Stat(filepath.Join(c.dir, name+".yml")); err == nil {
		return "", fmt.Errorf("%w: name: %s.yml already exists in %s; choose another name or remove it", model.ErrConflict, name, c.dir)
	}
	tmp, err := os.CreateTemp(c.dir, "."+name+".*.tmp")
	if err != nil {
		return "", fmt.Errorf("scenarios: save %s: %w", name, err)
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return "", fmt.Errorf("scenarios: save %s: %w", name, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return "", fmt.Errorf("scenarios: save %s: %w", name, err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("scenarios: save %s: %w", name, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return "", fmt.Errorf("scenarios: save %s: %w", name, err)
	}
	return path, nil
}

// LoadFile reads a scenario file from disk (the -scenario FILE flag). A
// file without a header is named after the file.
func LoadFile(path string) (model.Scenario, []Warning, error) {
	parsed, err := readFile(path)
	if err != nil {
		return model.Scenario{}, nil, err
	}
	if parsed.scenario.Name == "" {
		base := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
		if CheckName(base) == nil {
			parsed.scenario.Name = base
		}
	}
	return parsed.scenario, parsed.warnings, nil
}

// dirFile is one scenario file of the directory.
type dirFile struct {
	name, path string
	// problem says why the file cannot be loaded by name.
	problem string
}

// files lists the directory's *.yaml and *.yml files.
func (c *Catalog) files() ([]dirFile, error) {
	entries, err := os.ReadDir(c.dir)
	if err != nil {
		return nil, fmt.Errorf("scenarios: reading the scenarios directory: %w", err)
	}
	var out []dirFile
	seen := map[string]bool{}
	for _, e := range entries {
		ext := filepath.Ext(e.Name())
		if e.IsDir() || (ext != ".yaml" && ext != ".yml") || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		f := dirFile{name: strings.TrimSuffix(e.Name(), ext), path: filepath.Join(c.dir, e.Name())}
		switch _, builtin := loadBuiltins()[f.name]; {
		case CheckName(f.name) != nil:
			f.problem = fmt.Sprintf("file name %q is not a scenario name (a DNS-1123 label); rename the file", e.Name())
		case builtin:
			f.problem = fmt.Sprintf("%s has the name of a built-in scenario; rename the file", e.Name())
		case seen[f.name]:
			f.problem = fmt.Sprintf("%s: there is also %s.yaml; remove one", e.Name(), f.name)
		}
		seen[f.name] = true
		out = append(out, f)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out, nil
}

// readFile parses one file, refusing an oversized one before reading it.
func readFile(path string) (parsedFile, error) {
	info, err := os.Stat(path)
	if err != nil {
		return parsedFile{}, fmt.Errorf("scenarios: %w", err)
	}
	if !info.Mode().IsRegular() {
		return parsedFile{}, fmt.Errorf("%w: scenarios: %s is not a regular file", model.ErrInvalid, path)
	}
	if info.Size() > MaxInputBytes {
		return parsedFile{}, &ParseError{Message: fmt.Sprintf("%s is %.1f MB; the limit is %d MB", path, float64(info.Size())/(1<<20), MaxInputBytes>>20)}
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return parsedFile{}, fmt.Errorf("%w: scenarios: %s: %w", model.ErrNotFound, path, err)
	}
	if err != nil {
		return parsedFile{}, fmt.Errorf("scenarios: %w", err)
	}
	return parseFile(data, Options{})
}
