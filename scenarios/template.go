package scenarios

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"regexp"
	"sort"
	"strconv"
	"strings"

	templatev1 "github.com/openshift/api/template/v1"
)

// This file processes an OpenShift Template (template.openshift.io/v1, or
// the legacy groupless v1) as `oc process` does, following openshift/
// library-go pkg/template/templateprocessing/template.go and
// pkg/template/generator/expressionvalue.go:
//
//   - a parameter's value is the one given (Options.Parameters, the
//     header's spec.parameters), else its `value`, else — with
//     `generate: expression` — one drawn from its `from` expression; a
//     `required` parameter left empty is an error;
//   - in every string of every object (map keys too), `${NAME}` is
//     replaced by the value; a string that is exactly `${{NAME}}` becomes
//     the value read as JSON (a number, a boolean, an object), or the
//     plain string when it is not JSON; unknown names stay as written;
//   - an object's hard-coded metadata.namespace is removed (the objects
//     land in the Template's namespace) unless it holds a ${PARAMETER};
//   - the Template's labels (substituted too) are added to every
//     object's metadata.labels.
//
// The generator is deterministic in podpath: it draws from a source seeded
// by the scenario's seed, the Template's name and the parameter's name.

// TemplateInfo is one processed Template: what the page shows to let the
// user set its parameters again.
type TemplateInfo struct {
	Document   int             `json:"document"`
	Namespace  string          `json:"namespace"`
	Name       string          `json:"name"`
	Objects    int             `json:"objects"`
	Message    string          `json:"message,omitempty"`
	Parameters []TemplateParam `json:"parameters"`
}

// TemplateParam is one parameter of a processed Template.
type TemplateParam struct {
	Name        string `json:"name"`
	DisplayName string `json:"displayName,omitempty"`
	Description string `json:"description,omitempty"`
	Required    bool   `json:"required,omitempty"`
	// Generate is "expression" when the value is drawn from From.
	Generate string `json:"generate,omitempty"`
	From     string `json:"from,omitempty"`
	// Value is the value used; Source says where it came from: "given"
	// (an import parameter or the header), "default" (the Template's
	// value), "generated" or "empty".
	Value  string `json:"value"`
	Source string `json:"source"`
}

var (
	// stringParameter matches ${NAME}; nonStringParameter a string that is
	// exactly ${{NAME}} (library-go's stringParameterExp, nonStringParameterExp).
	stringParameter    = regexp.MustCompile(`\$\{([a-zA-Z0-9\_]+?)\}`)
	nonStringParameter = regexp.MustCompile(`^\$\{\{([a-zA-Z0-9\_]+)\}\}$`)
	parameterName      = regexp.MustCompile(`^[a-zA-Z0-9_]+$`)
)

// template processes a Template document and imports its objects.
func (p *parser) template(at *objectContext, data []byte) error {
	var t templatev1.Template
	if err := at.decodeInto(data, &t); err != nil {
		return err
	}
	namespace, err := at.objectNamespace(t.Namespace)
	if err != nil {
		return err
	}
	at.setName(namespace, t.Name)
	values := map[string]string{}
	info := TemplateInfo{Document: at.document, Namespace: namespace, Name: t.Name, Objects: len(t.Objects)}
	for i, param := range t.Parameters {
		field := fmt.Sprintf("parameters[%d]", i)
		if !parameterName.MatchString(param.Name) {
			return at.fail(field+".name", "%q is not a parameter name: letters, digits and _", param.Name)
		}
		if _, dup := values[param.Name]; dup {
			return at.fail(field+".name", "parameter %s is defined twice", param.Name)
		}
		out := TemplateParam{Name: param.Name, DisplayName: param.DisplayName, Description: param.Description,
			Required: param.Required, Generate: param.Generate, From: param.From}
		given, isGiven := p.params[param.Name]
		switch {
		case isGiven:
			out.Value, out.Source = given, "given"
			p.paramUsed[param.Name] = true
		case param.Value != "":
			out.Value, out.Source = param.Value, "default"
		case param.Generate == "expression":
			value, err := generateValue(param.From, p.seed, t.Name, param.Name)
			if err != nil {
				return at.fail(field+".from", "parameter %s: %v", param.Name, err)
			}
			out.Value, out.Source = value, "generated"
		case param.Generate != "":
			return at.fail(field+".generate", "parameter %s: unknown generator %q (oc process knows only expression)", param.Name, param.Generate)
		default:
			out.Source = "empty"
		}
		if out.Value == "" && param.Required {
			return at.fail(field, "parameter %s is required and must be specified (set it with ?param=%s=VALUE, or spec.parameters in the header)", param.Name, param.Name)
		}
		values[param.Name] = out.Value
		info.Parameters = append(info.Parameters, out)
	}
	info.Message, _ = substitute(t.Message, values)
	labels := map[string]string{}
	for k, v := range t.ObjectLabels {
		k, _ = substitute(k, values)
		labels[k], _ = substitute(v, values)
	}
	for i, raw := range t.Objects {
		objAt := &objectContext{document: at.document, item: i + 1, pathPrefix: fmt.Sprintf("objects[%d]", i), lines: at.lines, warnings: at.warnings}
		if len(bytes.TrimSpace(raw.Raw)) == 0 {
			return objAt.fail("", "empty object")
		}
		var object map[string]any
		dec := json.NewDecoder(bytes.NewReader(raw.Raw))
		dec.UseNumber()
		if err := dec.Decode(&object); err != nil {
			return objAt.fail("", "not an object: %v", strings.TrimPrefix(err.Error(), "json: "))
		}
		stripNamespace(object)
		object = substituteAll(object, values).(map[string]any)
		addLabels(object, labels)
		if meta, ok := object["metadata"].(map[string]any); ok {
			if ns, _ := meta["namespace"].(string); ns == "" {
				meta["namespace"] = namespace
			}
		}
		processed, err := json.Marshal(object)
		if err != nil {
			return objAt.fail("", "%v", err)
		}
		var meta typeMeta
		if err := json.Unmarshal(processed, &meta); err != nil {
			return objAt.decodeError(err)
		}
		objAt.kind = meta.Kind
		if meta.Kind == "Template" || isList(meta) {
			objAt.warn("", "a %s inside a Template is not supported; ignored", meta.Kind)
			continue
		}
		if err := p.object(objAt, meta, processed); err != nil {
			return err
		}
	}
	p.out.templates = append(p.out.templates, info)
	return nil
}

// stripNamespace removes a hard-coded metadata.namespace; one holding a
// ${PARAMETER} stays (and is substituted).
func stripNamespace(object map[string]any) {
	meta, ok := object["metadata"].(map[string]any)
	if !ok {
		return
	}
	if ns, ok := meta["namespace"].(string); ok && !stringParameter.MatchString(ns) {
		delete(meta, "namespace")
	}
}

// addLabels adds the Template's labels to an object's metadata.labels,
// overwriting labels of the same key.
func addLabels(object map[string]any, labels map[string]string) {
	if len(labels) == 0 {
		return
	}
	meta, ok := object["metadata"].(map[string]any)
	if !ok {
		meta = map[string]any{}
		object["metadata"] = meta
	}
	existing, ok := meta["labels"].(map[string]any)
	if !ok {
		existing = map[string]any{}
		meta["labels"] = existing
	}
	for k, v := range labels {
		existing[k] = v
	}
}

// substitute replaces parameter references in one string. asString is
// false when the string was exactly ${{NAME}} of a known parameter: the
// result is then JSON to be read as a value.
func substitute(in string, values map[string]string) (out string, asString bool) {
	if m := nonStringParameter.FindStringSubmatch(in); m != nil {
		if v, ok := values[m[1]]; ok {
			return v, false
		}
	}
	out = stringParameter.ReplaceAllStringFunc(in, func(ref string) string {
		if v, ok := values[ref[2:len(ref)-1]]; ok {
			return v
		}
		return ref
	})
	return out, true
}

// substituteAll substitutes every string of a decoded JSON value.
func substituteAll(v any, values map[string]string) any {
	switch v := v.(type) {
	case string:
		out, asString := substitute(v, values)
		if asString {
			return out
		}
		var value any
		dec := json.NewDecoder(strings.NewReader(out))
		dec.UseNumber()
		if dec.Decode(&value) != nil || dec.More() {
			return out // not JSON: the value stays a string
		}
		return value
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, item := range v {
			key, _ := substitute(k, values)
			out[key] = substituteAll(item, values)
		}
		return out
	case []any:
		for i, item := range v {
			v[i] = substituteAll(item, values)
		}
		return v
	}
	return v
}

// checkParameters refuses given parameters that no Template defines.
func (p *parser) checkParameters() error {
	var unknown []string
	for name := range p.params {
		if !p.paramUsed[name] {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	sort.Strings(unknown)
	var defined []string
	for _, t := range p.out.templates {
		for _, param := range t.Parameters {
			defined = append(defined, param.Name)
		}
	}
	if len(defined) == 0 {
		return &ParseError{Field: "param", Message: fmt.Sprintf("parameter %s: the file has no Template", unknown[0])}
	}
	sort.Strings(defined)
	return &ParseError{Field: "param", Message: fmt.Sprintf("parameter %s is not defined by any Template in the file (its parameters: %s)", unknown[0], strings.Join(defined, ", "))}
}

// Template parameter generation: openshift/library-go's
// ExpressionValueGenerator. An expression is text with [range]{n}
// constructs: ranges a-z, A-Z, 0-9 (a range stops one short of its upper
// end, as the original's alphabetSlice does: [a-z] draws a…y), or \w
// (letters, digits, _), \d (digits), \a (letters and digits), \A
// (symbols); n is 1–255.
const (
	genAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	genNumerals = "0123456789"
	genSymbols  = "~!@#$%^&*()-_+={}[]\\|<,>.?/\"';:`"
	genASCII    = genAlphabet + genNumerals + genSymbols
)

var (
	generatorExp  = regexp.MustCompile(`\[([a-zA-Z0-9\-\\]+)\](\{([0-9]+)\})`)
	rangeExp      = regexp.MustCompile(`([\\]?[a-zA-Z0-9]\-?[a-zA-Z0-9]?)`)
	expressionExp = regexp.MustCompile(`\[(\\w|\\d|\\a|\\A)|([a-zA-Z0-9]\-[a-zA-Z0-9])+\]`)
)

// generateValue draws a value for an expression, deterministically from
// the seed, the Template and the parameter.
func generateValue(expression string, seed uint64, template, param string) (string, error) {
	h := fnv.New64a()
	h.Write([]byte(template + "\x00" + param))
	rng := rand.New(rand.NewPCG(seed, h.Sum64()))
	for {
		r := generatorExp.FindStringIndex(expression)
		if r == nil {
			return expression, nil
		}
		construct := expression[r[0]:r[1]]
		brace := strings.LastIndex(construct, "{")
		ranges := construct[:brace]
		if !expressionExp.MatchString(ranges) {
			return "", fmt.Errorf("malformed expression syntax: %s", ranges)
		}
		length, _ := strconv.Atoi(construct[brace+1 : len(construct)-1])
		if length < 1 || length > 255 {
			return "", fmt.Errorf("range must be within [1-255] characters (%d)", length)
		}
		alphabet := ""
		for _, m := range rangeExp.FindAllString(ranges, -1) {
			from, to := m[0], m[len(m)-1]
			switch string(from) + string(to) {
			case `\w`:
				alphabet += genAlphabet + genNumerals + "_"
			case `\d`:
				alphabet += genNumerals
			case `\a`:
				alphabet += genAlphabet + genNumerals
			case `\A`:
				alphabet += genSymbols
			default:
				left, right := strings.IndexByte(genASCII, from), strings.LastIndexByte(genASCII, to)
				if left > right {
					return "", fmt.Errorf("invalid range specified: %c-%c", from, to)
				}
				alphabet += genASCII[left:right]
			}
		}
		alphabet = uniqueChars(alphabet)
		if alphabet == "" {
			return "", fmt.Errorf("empty range in %s", ranges)
		}
		out := make([]byte, length)
		for i := range out {
			out[i] = alphabet[rng.IntN(len(alphabet))]
		}
		expression = strings.Replace(expression, construct, string(out), 1)
	}
}

// uniqueChars keeps the first of each character.
func uniqueChars(s string) string {
	var seen [256]bool
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if !seen[s[i]] {
			seen[s[i]] = true
			b.WriteByte(s[i])
		}
	}
	return b.String()
}
