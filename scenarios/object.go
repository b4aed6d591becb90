package scenarios

import (
	"fmt"
	"regexp"
	"strings"

	k8sjson "sigs.k8s.io/json"
)

// objectContext says where an object came from, so that its errors and
// warnings can name the document, the object, the line and the field.
type objectContext struct {
	document int
	item     int
	kind     string
	name     string // namespace/name once known
	// pathPrefix locates the object inside its document: "items[3]" for
	// an item of a List.
	pathPrefix string
	lines      *lineIndex
	warnings   *[]Warning
	// strict turns unknown fields into errors (the apply command, like
	// kubectl's default --validate=strict) instead of warnings (import).
	strict bool
}

// fail returns the error for field (relative to the object).
func (c *objectContext) fail(field, format string, args ...any) *ParseError {
	return &ParseError{
		Document: c.document,
		Item:     c.item,
		Kind:     c.kind,
		Name:     c.name,
		Line:     c.lines.lineOf(joinPath(c.pathPrefix, field)),
		Field:    field,
		Message:  fmt.Sprintf(format, args...),
	}
}

// warn records a warning about field (relative to the object; "" for the
// whole object).
func (c *objectContext) warn(field, format string, args ...any) {
	if c.warnings == nil {
		return
	}
	message := fmt.Sprintf(format, args...)
	if field != "" {
		message = field + ": " + message
	}
	*c.warnings = append(*c.warnings, Warning{
		Document: c.document,
		Item:     c.item,
		Kind:     c.kind,
		Name:     c.name,
		Line:     c.lines.lineOf(joinPath(c.pathPrefix, field)),
		Message:  message,
	})
}

// warnAt records a warning at an input line the caller knows.
func (c *objectContext) warnAt(line int, field, format string, args ...any) {
	if c.warnings == nil {
		return
	}
	message := fmt.Sprintf(format, args...)
	if field != "" {
		message = field + ": " + message
	}
	*c.warnings = append(*c.warnings, Warning{Document: c.document, Item: c.item, Kind: c.kind, Name: c.name, Line: line, Message: message})
}

// setName records the object's identity for later messages.
func (c *objectContext) setName(namespace, name string) {
	if namespace == "" {
		c.name = name
	} else {
		c.name = namespace + "/" + name
	}
}

func joinPath(prefix, field string) string {
	switch {
	case prefix == "":
		return field
	case field == "":
		return prefix
	}
	return prefix + "." + field
}

// decodeInto decodes one object's JSON into a typed value the way the API
// server does (case-sensitive, integers kept). Unknown and duplicate
// fields become warnings, or errors when c.strict.
func (c *objectContext) decodeInto(data []byte, into any) error {
	strictErrs, err := k8sjson.UnmarshalStrict(data, into)
	if err != nil {
		return c.decodeError(err)
	}
	for _, strictErr := range strictErrs {
		field, message := "", strictErr.Error()
		if fe, ok := strictErr.(k8sjson.FieldError); ok {
			field = fe.FieldPath()
		}
		message = strings.TrimPrefix(message, "json: ")
		if c.strict {
			return c.fail(field, "%s", unknownFieldMessage(message))
		}
		c.warn(field, "%s; ignored", unknownFieldMessage(message))
	}
	return nil
}

// unknownFieldMessage turns `unknown field "spec.foo"` into "unknown
// field" (the path is printed as the field already).
func unknownFieldMessage(message string) string {
	if strings.HasPrefix(message, "unknown field") {
		return "unknown field"
	}
	if strings.HasPrefix(message, "duplicate field") {
		return "duplicate field"
	}
	return message
}

// typeErrorPattern matches encoding/json's type mismatch message.
var typeErrorPattern = regexp.MustCompile(`cannot unmarshal (\w+) into Go (?:struct field \S*?\.(\S+)|value) of type (\S+)`)

// decodeError rewrites a JSON decoding error as "field: expected T, got
// JSON-kind".
func (c *objectContext) decodeError(err error) *ParseError {
	message := strings.TrimPrefix(err.Error(), "json: ")
	if m := typeErrorPattern.FindStringSubmatch(message); m != nil {
		return c.fail(m[2], "expected %s, got %s", goTypeName(m[3]), m[1])
	}
	return c.fail("", "%s", message)
}

// goTypeName names a Go type the way a YAML author thinks of it.
func goTypeName(goType string) string {
	switch {
	case strings.HasPrefix(goType, "int"), strings.HasPrefix(goType, "uint"):
		return "an integer"
	case strings.HasPrefix(goType, "float"):
		return "a number"
	case goType == "string" || strings.HasSuffix(goType, "Type") || strings.HasSuffix(goType, "Policy") || strings.HasSuffix(goType, "Protocol"):
		return "a string"
	case goType == "bool":
		return "true or false"
	case strings.HasPrefix(goType, "[]"):
		return "a list"
	case strings.HasPrefix(goType, "map["):
		return "a mapping"
	case goType == "intstr.IntOrString":
		return "an integer or a string"
	}
	return "a mapping (" + goType + ")"
}
