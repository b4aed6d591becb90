package scenarios

import (
	"bytes"
	"fmt"
)

// rawDocument is one YAML document of a multi-document file.
type rawDocument struct {
	// firstLine is the input line (1-based) the document's text starts on.
	firstLine int
	text      []byte
	// json marks one value of a JSON stream (it is not read as YAML).
	json bool
}

// splitDocuments cuts a multi-document YAML stream at its "---" lines,
// keeping where each document starts so that errors can name input
// lines. Documents holding only blank lines and comments are dropped.
// It fails when more than maxDocuments documents remain.
func splitDocuments(data []byte, maxDocuments int) ([]rawDocument, error) {
	// One private copy: the markers are blanked in place below.
	data = bytes.Clone(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")))
	if start, line := firstContent(data); start < len(data) && (data[start] == '{' || data[start] == '[') {
		if docs, ok, err := splitJSONStream(data[start:], line, maxDocuments); ok {
			return docs, err
		}
	}
	var docs []rawDocument
	start, startLine, line := 0, 1, 1
	flush := func(end int) error {
		text := data[start:end]
		if hasContent(text) {
			if len(docs) == maxDocuments {
				return &ParseError{Line: startLine, Message: fmt.Sprintf("more than %d documents; the limit is %d", maxDocuments, maxDocuments)}
			}
			docs = append(docs, rawDocument{firstLine: startLine, text: text})
		}
		return nil
	}
	for pos := 0; pos < len(data); line++ {
		end := bytes.IndexByte(data[pos:], '\n')
		next := len(data)
		if end >= 0 {
			end += pos
			next = end + 1
		} else {
			end = len(data)
		}
		if isSeparator(data[pos:end]) {
			if err := flush(pos); err != nil {
				return nil, err
			}
			// What follows "---" on its line belongs to the next document;
			// blank the marker so that columns and lines stay true.
			start, startLine = pos, line
			copy(data[pos:pos+3], "   ")
		}
		pos = next
	}
	if err := flush(len(data)); err != nil {
		return nil, err
	}
	return docs, nil
}

// firstContent is the offset and line of the first byte that is not
// blank or in a comment line.
func firstContent(data []byte) (offset, line int) {
	line = 1
	for offset < len(data) {
		switch c := data[offset]; {
		case c == '\n':
			line++
			offset++
		case c == ' ' || c == '\t' || c == '\r':
			offset++
		case c == '#':
			for offset < len(data) && data[offset] != '\n' {
				offset++
			}
		default:
			return offset, line
		}
	}
	return offset, line
}

// isSeparator reports whether a line is a YAML document start marker.
func isSeparator(line []byte) bool {
	line = bytes.TrimRight(line, "\r")
	if !bytes.HasPrefix(line, []byte("---")) {
		return false
	}
	return len(line) == 3 || line[3] == ' ' || line[3] == '\t'
}

// hasContent reports whether a document holds anything but blank lines,
// comments and a document end marker.
func hasContent(text []byte) bool {
	for len(text) > 0 {
		line := text
		if i := bytes.IndexByte(text, '\n'); i >= 0 {
			line, text = text[:i], text[i+1:]
		} else {
			text = nil
		}
		line = bytes.TrimSpace(line)
		if len(line) > 0 && line[0] != '#' && !bytes.Equal(line, []byte("...")) {
			return true
		}
	}
	return false
}
