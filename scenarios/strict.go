package scenarios

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	yamlv3 "go.yaml.in/yaml/v3"
	"sigs.k8s.io/yaml"
)

// This file reads a document strictly, as kubectl's strict decoding does
// (`--validate=strict`, the default): a mapping key given twice is an
// error with its line — except inside a Template's objects, which `oc
// process` reads leniently (the last value wins), where it is a warning.
// It also splits a stream of concatenated JSON values (`oc get -o json`
// of several objects, `jq -c`) into documents.

// duplicateKey is one key given twice in one mapping.
type duplicateKey struct {
	path      string // the field path of the second occurrence
	line      int    // its line in the document (1-based)
	firstLine int    // the line of the first occurrence
}

// documentJSON turns one document into JSON, refusing duplicate keys.
func documentJSON(at *objectContext, doc rawDocument) ([]byte, error) {
	if doc.json {
		dups, err := jsonDuplicates(doc.text)
		if err != nil {
			return nil, &ParseError{Document: at.document, Line: doc.firstLine + err.line - 1, Message: "invalid JSON: " + err.message}
		}
		return doc.text, at.duplicates(doc, dups)
	}
	data, err := yaml.YAMLToJSONStrict(doc.text)
	if err == nil {
		return data, nil
	}
	lenient, lenientErr := yaml.YAMLToJSON(doc.text)
	if lenientErr != nil {
		return nil, yamlError(at, doc, lenientErr)
	}
	var root yamlv3.Node
	if yamlv3.Unmarshal(doc.text, &root) != nil || len(root.Content) == 0 {
		return nil, yamlError(at, doc, err)
	}
	dups := yamlDuplicates(root.Content[0], "", nil)
	if len(dups) == 0 {
		return nil, yamlError(at, doc, err)
	}
	return lenient, at.duplicates(doc, dups)
}

// duplicates reports duplicate keys: an error for the first outside a
// Template's objects, a warning for those inside.
func (at *objectContext) duplicates(doc rawDocument, dups []duplicateKey) error {
	if len(dups) == 0 {
		return nil
	}
	meta := lenientMeta(doc)
	at.kind = meta.Kind
	at.setName(meta.Metadata.Namespace, meta.Metadata.Name)
	for _, d := range dups {
		if meta.Kind != "Template" || !strings.HasPrefix(d.path, "objects[") {
			return &ParseError{Document: at.document, Kind: at.kind, Name: at.name, Line: doc.firstLine + d.line - 1, Field: d.path,
				Message: fmt.Sprintf("duplicate key (first given on line %d); kubectl's strict decoding refuses a field given twice", doc.firstLine+d.firstLine-1)}
		}
	}
	for _, d := range dups {
		at.warnAt(doc.firstLine+d.line-1, d.path, "duplicate key (first given on line %d) inside a Template object: oc process keeps the last value, and so does podpath", doc.firstLine+d.firstLine-1)
	}
	return nil
}

// lenientMeta is a document's kind and name, read leniently (the last of
// duplicate keys wins), for the message about its duplicates.
func lenientMeta(doc rawDocument) typeMeta {
	var meta typeMeta
	data := doc.text
	if !doc.json {
		var err error
		if data, err = yaml.YAMLToJSON(doc.text); err != nil {
			return meta
		}
	}
	_ = json.Unmarshal(data, &meta)
	return meta
}

// yamlDuplicates walks a YAML node and collects the keys given twice.
func yamlDuplicates(node *yamlv3.Node, path string, out []duplicateKey) []duplicateKey {
	switch node.Kind {
	case yamlv3.MappingNode:
		seen := map[string]int{}
		for i := 0; i+1 < len(node.Content); i += 2 {
			key := node.Content[i].Value
			child := joinPath(path, fieldName(key))
			if first, ok := seen[key]; ok {
				out = append(out, duplicateKey{path: child, line: node.Content[i].Line, firstLine: first})
			} else {
				seen[key] = node.Content[i].Line
			}
			out = yamlDuplicates(node.Content[i+1], child, out)
		}
	case yamlv3.SequenceNode:
		for i, item := range node.Content {
			out = yamlDuplicates(item, path+"["+strconv.Itoa(i)+"]", out)
		}
	}
	return out
}

// fieldName writes a key as a path step: plain, or in brackets when it
// holds a dot or a slash (annotations, labels).
func fieldName(key string) string {
	if strings.ContainsAny(key, "./") {
		return "[" + key + "]"
	}
	return key
}

// jsonError is a JSON syntax error at a line of the value.
type jsonError struct {
	line    int
	message string
}

// jsonDuplicates walks one JSON value and collects the keys given twice.
func jsonDuplicates(text []byte) ([]duplicateKey, *jsonError) {
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.UseNumber()
	lineAt := func(offset int64) int { return 1 + bytes.Count(text[:min(int(offset), len(text))], []byte("\n")) }
	type frame struct {
		object bool
		path   string
		seen   map[string]int
		key    string // the key whose value comes next
		index  int
	}
	var stack []*frame
	var out []duplicateKey
	childPath := func() string {
		if len(stack) == 0 {
			return ""
		}
		top := stack[len(stack)-1]
		if top.object {
			return joinPath(top.path, fieldName(top.key))
		}
		return top.path + "[" + strconv.Itoa(top.index) + "]"
	}
	afterValue := func() {
		if len(stack) > 0 {
			top := stack[len(stack)-1]
			if top.object {
				top.key = ""
			} else {
				top.index++
			}
		}
	}
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, &jsonError{line: lineAt(dec.InputOffset()), message: strings.TrimPrefix(err.Error(), "json: ")}
		}
		if len(stack) > 0 {
			top := stack[len(stack)-1]
			if key, isKey := tok.(string); top.object && top.key == "" && isKey {
				line := lineAt(dec.InputOffset()) // the key's own line: it ends there
				if first, ok := top.seen[key]; ok {
					out = append(out, duplicateKey{path: joinPath(top.path, fieldName(key)), line: line, firstLine: first})
				} else {
					top.seen[key] = line
				}
				top.key = key
				continue
			}
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{object: true, path: childPath(), seen: map[string]int{}})
		case json.Delim('['):
			stack = append(stack, &frame{path: childPath()})
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
			afterValue()
		default:
			afterValue()
		}
	}
}

// splitJSONStream cuts concatenated JSON values ({…}{…}, or one per line)
// into documents. ok is false when data does not start with a JSON value
// (it is YAML). A stream that goes wrong after its first value is an
// error: every value is read, or the file is refused.
func splitJSONStream(data []byte, startLine int, maxDocuments int) (docs []rawDocument, ok bool, err error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	lineAt := func(offset int64) int {
		return startLine + bytes.Count(data[:min(int(offset), len(data))], []byte("\n"))
	}
	for {
		var value json.RawMessage
		prev := dec.InputOffset()
		err := dec.Decode(&value)
		if errors.Is(err, io.EOF) {
			return docs, true, nil
		}
		if err != nil {
			if len(docs) == 0 {
				return nil, false, nil // not JSON: read it as YAML
			}
			start := prev + int64(len(data[prev:])-len(bytes.TrimLeft(data[prev:], " \t\r\n")))
			return nil, true, &ParseError{Line: lineAt(start), Message: fmt.Sprintf("invalid JSON in the value that starts here, after %d good value(s): %s", len(docs), strings.TrimPrefix(err.Error(), "json: "))}
		}
		if len(docs) == maxDocuments {
			return nil, true, &ParseError{Line: lineAt(dec.InputOffset()), Message: fmt.Sprintf("more than %d documents; the limit is %d", maxDocuments, maxDocuments)}
		}
		end := dec.InputOffset()
		start := end - int64(len(value))
		docs = append(docs, rawDocument{firstLine: lineAt(start), text: value, json: true})
	}
}
