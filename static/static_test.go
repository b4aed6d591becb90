package static

import (
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func get(t *testing.T, method, path string) *httptest.ResponseRecorder {
	t.Helper()
	w := httptest.NewRecorder()
	Handler().ServeHTTP(w, httptest.NewRequest(method, path, nil))
	return w
}

func TestURLCarriesTheContentHash(t *testing.T) {
	u := URL("js/app.js")
	assert.Regexp(t, `^/static/[0-9a-f]{12}/js/app\.js$`, u)
	assert.Equal(t, strings.TrimSuffix(u, "js/app.js")+"app.css", URL("/app.css"), "one hash for the whole tree")
}

func TestHandlerServesWithLongCache(t *testing.T) {
	for name, ctype := range map[string]string{
		"js/app.js":        "text/javascript; charset=utf-8",
		"app.css":          "text/css; charset=utf-8",
		"css/quiz.css":     "text/css; charset=utf-8",
		"panels/quiz.html": "text/html; charset=utf-8",
	} {
		w := get(t, http.MethodGet, URL(name))
		require.Equal(t, http.StatusOK, w.Code, name)
		assert.Equal(t, ctype, w.Header().Get("Content-Type"))
		assert.Equal(t, "public, max-age=31536000, immutable", w.Header().Get("Cache-Control"))
		assert.Equal(t, "nosniff", w.Header().Get("X-Content-Type-Options"))
		want, err := fs.ReadFile(files, name)
		require.NoError(t, err)
		assert.Equal(t, string(want), w.Body.String())
	}
}

func TestHandlerServesAnOldHashUncached(t *testing.T) {
	w := get(t, http.MethodGet, "/static/000000000000/js/state.js")
	require.Equal(t, http.StatusOK, w.Code)
	assert.Equal(t, "no-cache", w.Header().Get("Cache-Control"))
}

func TestHandlerRefusesTheRest(t *testing.T) {
	for _, path := range []string{
		"/static/" + hash + "/js/missing.js",
		"/static/" + hash + "/js",
		"/static/" + hash + "/",
		"/static/" + hash + "/../static.go",
		"/static/" + hash,
		"/static/js/app.js",
		"/elsewhere/" + hash + "/app.css",
	} {
		assert.Equal(t, http.StatusNotFound, get(t, http.MethodGet, path).Code, path)
	}
	w := get(t, http.MethodPost, URL("app.css"))
	assert.Equal(t, http.StatusMethodNotAllowed, w.Code)
	assert.Equal(t, "GET, HEAD", w.Header().Get("Allow"))
}

// Relative imports, static and dynamic (a panel's import() on first use),
// and the panels' stylesheets and markup must name embedded files, or a
// module or a panel fails to load.
func TestModuleImportsResolve(t *testing.T) {
	imp := regexp.MustCompile(`(?m)^import .* from '(\./[^']+)';$|import\('(\./[^']+)'\)`)
	asset := regexp.MustCompile(`'([a-z-]+)\.(css|html)'`)
	dirs := map[string]string{"css": "css/", "html": "panels/"}
	mods, err := fs.Glob(files, "js/*.js")
	require.NoError(t, err)
	require.NotEmpty(t, mods)
	for _, m := range mods {
		src, err := fs.ReadFile(files, m)
		require.NoError(t, err)
		for _, match := range imp.FindAllStringSubmatch(string(src), -1) {
			name := match[1]
			if name == "" {
				name = match[2] // also a JSDoc type's import('./x.js')
			}
			_, err := fs.Stat(files, "js/"+strings.TrimPrefix(name, "./"))
			assert.NoError(t, err, "%s imports %s", m, name)
		}
		for _, match := range asset.FindAllStringSubmatch(string(src), -1) {
			name := dirs[match[2]] + match[1] + "." + match[2]
			_, err := fs.Stat(files, name)
			assert.NoError(t, err, "%s loads %s", m, name)
		}
		assert.NotContains(t, string(src), "innerHTML", "%s: use textContent for data", m)
	}
}
