package scenarios

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"

	"github.com/podpath/podpath/model"
)

// benchSetBytes is the size of the manifest set the import benchmark
// reads (issue 13: "a 1.3 MB manifest set imports in under 2 s").
const benchSetBytes = 1_300_000

// realManifestSet builds a manifest set of at least size bytes from the
// public fixtures of testdata/real: copy i of fixture j lives in
// namespace c<i>-f<j>-<its namespace>, so the copies do not collide.
func realManifestSet(t testing.TB, size int) []byte {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "real", "*"))
	require.NoError(t, err)
	type doc struct {
		fixture int
		text    []byte
	}
	var docs []doc
	for j, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		split, err := splitDocuments(data, MaxDocuments)
		require.NoError(t, err)
		for _, d := range split {
			text := d.text
			if !d.json {
				text, err = yaml.YAMLToJSON(d.text)
				require.NoError(t, err)
			}
			docs = append(docs, doc{j, text})
		}
	}
	var out bytes.Buffer
	for i := 0; out.Len() < size; i++ {
		for _, d := range docs {
			var object map[string]any
			require.NoError(t, json.Unmarshal(d.text, &object))
			renamespace(object, fmt.Sprintf("c%d-f%d", i, d.fixture))
			data, err := yaml.Marshal(object)
			require.NoError(t, err)
			out.WriteString("---\n")
			out.Write(data)
		}
	}
	return out.Bytes()
}

// renamespace moves an object (a List's items, a Template's objects) to
// prefix-<namespace>; a Namespace is renamed so.
func renamespace(object map[string]any, prefix string) {
	for _, key := range []string{"items", "objects"} {
		if items, ok := object[key].([]any); ok {
			for _, item := range items {
				if m, ok := item.(map[string]any); ok {
					renamespace(m, prefix)
				}
			}
		}
	}
	meta, _ := object["metadata"].(map[string]any)
	if meta == nil {
		return
	}
	if object["kind"] == "Namespace" {
		meta["name"] = prefix + "-" + meta["name"].(string)
		return
	}
	if spec, ok := object["spec"].(map[string]any); ok && object["kind"] == "Service" && spec["clusterIP"] != "None" {
		delete(spec, "clusterIP") // each copy gets its own address
		delete(spec, "clusterIPs")
	}
	ns, _ := meta["namespace"].(string)
	if ns == "" || strings.Contains(ns, "${") {
		ns = defaultNamespace
	}
	meta["namespace"] = prefix + "-" + ns
}

func TestTheBenchmarkSetImports(t *testing.T) {
	data := realManifestSet(t, benchSetBytes)
	assert.GreaterOrEqual(t, len(data), benchSetBytes)
	sc, _, err := Parse(data)
	require.NoError(t, err)
	_, err = model.New(sc)
	require.NoError(t, err)
	assert.Greater(t, len(sc.Workloads), 300)
}

// BenchmarkImportRealManifests is what POST /api/import does with a
// 1.3 MB manifest set built from the public fixtures: parse (with the
// warnings) and build the cluster.
func BenchmarkImportRealManifests(b *testing.B) {
	data := realManifestSet(b, benchSetBytes)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		sc, _, err := Parse(data)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := model.New(sc); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(data))/1e6, "MB")
}
