package web

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"
)

var update = flag.Bool("update", false, "rewrite ../static/panels/ from Panels")

// panelDir is where the static package embeds and serves the panels' markup.
const panelDir = "../static/panels"

func renderPanels(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	for name, c := range Panels {
		var b bytes.Buffer
		require.NoError(t, c.Render(context.Background(), &b), name)
		out[name] = b.String() + "\n"
	}
	return out
}

// The served files are exactly the components' renders (and nothing else
// is in the directory): run with -update after changing a panel.
func TestPanelFiles(t *testing.T) {
	want := renderPanels(t)
	if *update {
		require.NoError(t, os.MkdirAll(panelDir, 0o755))
		for name, s := range want {
			require.NoError(t, os.WriteFile(filepath.Join(panelDir, name), []byte(s), 0o644))
		}
	}
	files, err := os.ReadDir(panelDir)
	require.NoError(t, err)
	var got []string
	for _, f := range files {
		got = append(got, f.Name())
		b, err := os.ReadFile(filepath.Join(panelDir, f.Name()))
		require.NoError(t, err)
		assert.Equal(t, want[f.Name()], string(b), "%s is stale: go test ./web -run TestPanelFiles -update", f.Name())
	}
	var names []string
	for name := range want {
		names = append(names, name)
	}
	sort.Strings(names)
	assert.Equal(t, names, got, "static/panels/ holds one file per panel")
}

// The panels are hidden until their script opens them, carry no script
// and no inline style (the page's CSP), and are not in the page.
func TestPanelsAreClosedAndOutOfThePage(t *testing.T) {
	page, _ := render(t, testSnapshot(4))
	for name, s := range renderPanels(t) {
		doc, err := html.Parse(strings.NewReader(s))
		require.NoError(t, err)
		body := findAll(doc, func(n *html.Node) bool { return n.Type == html.ElementNode && n.Data == "body" })[0]
		for top := body.FirstChild; top != nil; top = top.NextSibling {
			if top.Type != html.ElementNode {
				continue
			}
			_, hidden := attr(top, "hidden")
			assert.True(t, hidden, "%s: <%s> is hidden at first", name, top.Data)
			id, _ := attr(top, "data-testid")
			assert.NotEmpty(t, id, "%s: <%s> has a data-testid", name, top.Data)
			assert.NotContains(t, page, `data-testid="`+id+`"`, "%s is not in the page", id)
		}
		assert.NotContains(t, s, "<script", name)
		assert.NotContains(t, s, "style=", name)
	}
}

// panelDoc parses the page and every panel's markup, for tests that look
// for the page's elements wherever they are served.
func panelDoc(t *testing.T) *html.Node {
	t.Helper()
	_, page := render(t, testSnapshot(4))
	body := findAll(page, func(n *html.Node) bool { return n.Type == html.ElementNode && n.Data == "body" })[0]
	for _, s := range renderPanels(t) {
		nodes, err := html.ParseFragment(strings.NewReader(s), body)
		require.NoError(t, err)
		for _, n := range nodes {
			body.AppendChild(n)
		}
	}
	return page
}
