package scenarios

import (
	"fmt"
	"strings"

	"github.com/podpath/podpath/model"
)

// Limits on what Parse accepts. They bound the time and memory one import
// can take.
const (
	// MaxInputBytes is the largest scenario file Parse reads (10 MiB).
	MaxInputBytes = 10 << 20
	// MaxDocuments is the most YAML documents (and objects, counting the
	// items of every List) one file may hold.
	MaxDocuments = 5000
)

// Warning is something in a scenario that podpath ignored or changed: an
// unknown kind, an unsupported field, a value it had to drop. The
// scenario still loads; the user should see the warning.
type Warning struct {
	// Document is the 1-based index of the YAML document (blank documents
	// are not counted).
	Document int `json:"document"`
	// Item is the 1-based index inside a List document; 0 otherwise.
	Item int    `json:"item,omitempty"`
	Kind string `json:"kind,omitempty"`
	// Name is "namespace/name" for namespaced objects.
	Name string `json:"name,omitempty"`
	// Line is the line of the input the warning is about; 0 when unknown.
	Line    int    `json:"line,omitempty"`
	Message string `json:"message"`
	// Count is how many objects had this warning: repeated warnings are
	// grouped into the first, whose Message then says where the others
	// are.
	Count int `json:"count,omitempty"`
}

// String formats the warning the way ParseError formats an error.
func (w Warning) String() string {
	return where(w.Document, w.Item, w.Kind, w.Name, w.Line) + ": " + w.Message
}

// ParseError is why a scenario was rejected. It names the document, the
// object, the line and the field. It wraps model.ErrInvalid.
type ParseError struct {
	Document int
	Item     int
	Kind     string
	Name     string
	Line     int
	// Field is the path of the offending field, e.g. "spec.to.weight".
	Field   string
	Message string
}

// Error implements error.
func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString("scenarios: ")
	if e.Document > 0 {
		b.WriteString(where(e.Document, e.Item, e.Kind, e.Name, e.Line))
		b.WriteString(": ")
	} else if e.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Message)
	return b.String()
}

// Unwrap makes errors.Is(err, model.ErrInvalid) true.
func (e *ParseError) Unwrap() error { return model.ErrInvalid }

// where formats "document 3 (Route shop/web), line 12".
func where(document, item int, kind, name string, line int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "document %d", document)
	if item > 0 {
		fmt.Fprintf(&b, " item %d", item)
	}
	switch {
	case kind != "" && name != "":
		fmt.Fprintf(&b, " (%s %s)", kind, name)
	case kind != "":
		fmt.Fprintf(&b, " (%s)", kind)
	}
	if line > 0 {
		fmt.Fprintf(&b, ", line %d", line)
	}
	return b.String()
}
