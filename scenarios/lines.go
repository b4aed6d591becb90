package scenarios

import (
	"strconv"
	"strings"

	yamlv3 "go.yaml.in/yaml/v3"
)

// lineIndex finds the input line of a field inside one YAML document. It
// parses the document lazily, only when an error or warning needs a line.
type lineIndex struct {
	text      []byte
	firstLine int
	parsed    bool
	root      *yamlv3.Node
}

// lineOf returns the input line of the field at path (as produced by
// fieldPath, e.g. `items[2].spec.to.weight` or
// `metadata.annotations[podpath.dev/service-ms]`), or of its nearest
// existing parent; 0 when nothing is known.
func (ix *lineIndex) lineOf(path string) int {
	if ix == nil {
		return 0
	}
	if !ix.parsed {
		ix.parsed = true
		var doc yamlv3.Node
		if err := yamlv3.Unmarshal(ix.text, &doc); err == nil && len(doc.Content) == 1 {
			ix.root = doc.Content[0]
		}
	}
	if ix.root == nil {
		return 0
	}
	line := ix.root.Line
	if node := lookup(ix.root, splitPath(path), &line); node != nil {
		line = node.Line
	}
	return ix.firstLine + line - 1
}

// lookup walks node along path; it records in best the line of the
// deepest node reached. A sequence step without an index (JSON decoding
// errors leave them out) takes the first item through which the rest of
// the path resolves.
func lookup(node *yamlv3.Node, path []string, best *int) *yamlv3.Node {
	for node.Kind == yamlv3.AliasNode && node.Alias != nil {
		node = node.Alias
	}
	if len(path) == 0 {
		return node
	}
	*best = node.Line
	step := path[0]
	switch node.Kind {
	case yamlv3.MappingNode:
		for i := 0; i+1 < len(node.Content); i += 2 {
			if node.Content[i].Value == step {
				*best = node.Content[i].Line
				if len(path) == 1 {
					return node.Content[i]
				}
				return lookup(node.Content[i+1], path[1:], best)
			}
		}
	case yamlv3.SequenceNode:
		if n, err := strconv.Atoi(step); err == nil {
			if n >= 0 && n < len(node.Content) {
				return lookup(node.Content[n], path[1:], best)
			}
			return nil
		}
		for _, item := range node.Content {
			probe := *best
			if found := lookup(item, path, &probe); found != nil {
				*best = probe
				return found
			}
		}
	}
	return nil
}

// splitPath turns `spec.rules[0].host` into [spec rules 0 host] and
// `metadata.annotations[a.b/c]` into [metadata annotations a.b/c].
func splitPath(path string) []string {
	var parts []string
	for path != "" {
		switch {
		case path[0] == '.':
			path = path[1:]
		case path[0] == '[':
			end := strings.IndexByte(path, ']')
			if end < 0 {
				return append(parts, path[1:])
			}
			parts = append(parts, path[1:end])
			path = path[end+1:]
		default:
			end := strings.IndexAny(path, ".[")
			if end < 0 {
				return append(parts, path)
			}
			parts = append(parts, path[:end])
			path = path[end:]
		}
	}
	return parts
}
