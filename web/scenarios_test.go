package web

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"
)

func renderPanel(t *testing.T, p ScenarioPanel) *html.Node {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, scenarioPanel(p).Render(context.Background(), &buf))
	doc, err := html.Parse(&buf)
	require.NoError(t, err)
	return doc
}

func TestScenarioPanel(t *testing.T) {
	panel := NewScenarioPanel([]ScenarioInfo{
		{Name: "shop", Title: "Shop — the golden path", Source: "builtin"},
		{Name: "api-ingress", Title: "An Ingress", Source: "builtin"},
		{Name: "my-app", Title: "my-app", Source: "dir"},
		{Name: "broken", Title: "broken", Source: "dir", Error: "invalid YAML"},
	}, false)
	doc := renderPanel(t, panel)
	for _, id := range []string{"scenarios", "scenario-picker", "scenario-load", "export-download", "import-open",
		"import-text", "import-file", "import-apply", "import-error", "import-warnings", "scenario-status"} {
		assert.Len(t, byTestID(doc, id), 1, id)
	}
	assert.Empty(t, byTestID(doc, "scenario-save"), "no Save without a scenarios directory")
	href, _ := attr(byTestID(doc, "export-download")[0], "href")
	assert.Equal(t, "/api/export", href)

	options := findAll(byTestID(doc, "scenario-picker")[0], func(n *html.Node) bool { return n.Type == html.ElementNode && n.Data == "option" })
	require.Len(t, options, 4)
	var labels []string
	for _, o := range options {
		labels = append(labels, text(o))
	}
	assert.Equal(t, []string{"Shop — the golden path (shop)", "An Ingress (api-ingress)", "my-app", "broken — cannot load: invalid YAML"}, labels)
	_, disabled := attr(options[3], "disabled")
	assert.True(t, disabled, "a file that cannot load is shown disabled")
	_, hidden := attr(byTestID(doc, "import-error")[0], "hidden")
	assert.True(t, hidden)

	doc = renderPanel(t, NewScenarioPanel(nil, true))
	assert.Len(t, byTestID(doc, "scenario-save"), 1)
	assert.Len(t, byTestID(doc, "scenario-save-name"), 1)
}
