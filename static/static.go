package static

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

//go:embed app.css css js panels
var files embed.FS

// Prefix is the URL path every asset is served under.
const Prefix = "/static/"

// hash is the content hash of the whole embedded tree, computed once.
var hash = treeHash(files)

// treeHash hashes every file's path and bytes, in lexical order.
func treeHash(fsys fs.FS) string {
	h := sha256.New()
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		h.Write([]byte(name))
		h.Write([]byte{0})
		h.Write(data)
		h.Write([]byte{0})
		return nil
	})
	if err != nil {
		panic("static: hashing embedded files: " + err.Error()) // cannot happen with embed.FS
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// URL is the content-hashed URL path of an embedded file, e.g.
// URL("js/app.js") == "/static/3f9a2c1b7d0e/js/app.js".
func URL(name string) string {
	return Prefix + hash + "/" + strings.TrimPrefix(name, "/")
}

// Handler serves the embedded files at the paths URL gives. A request with
// the current hash is cached for a year as immutable; one with an old
// hash (a page from before a restart) gets today's file, uncached.
func Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "static: method not allowed", http.StatusMethodNotAllowed)
			return
		}
		rest, ok := strings.CutPrefix(r.URL.Path, Prefix)
		version, name, ok2 := strings.Cut(rest, "/")
		if !ok || !ok2 || !fs.ValidPath(name) || name == "." {
			http.NotFound(w, r)
			return
		}
		if fi, err := fs.Stat(files, name); err != nil || fi.IsDir() {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		if version == hash {
			h.Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			h.Set("Cache-Control", "no-cache")
		}
		h.Set("X-Content-Type-Options", "nosniff")
		if ct := contentType(name); ct != "" {
			h.Set("Content-Type", ct)
		}
		http.ServeFileFS(w, r, files, name)
	})
}

// contentType fixes the types that matter, whatever the system's MIME
// table says: browsers refuse ES modules served with a wrong type.
func contentType(name string) string {
	switch path.Ext(name) {
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	case ".html":
		return "text/html; charset=utf-8"
	}
	return ""
}
