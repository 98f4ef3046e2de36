package apispec

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestJSONKeepsOrderAndTypes(t *testing.T) {
	got, err := YAMLToJSON([]byte(`
b: 1
a: [true, null, 1.5, "2", 2026-01-01, '200']
200: {z: x, y: <&>}
anchor: &x {k: v}
alias: *x
`))
	if err != nil {
		t.Fatal(err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, got); err != nil {
		t.Fatal(err)
	}
	want := `{"b":1,"a":[true,null,1.5,"2","2026-01-01","200"],"200":{"z":"x","y":"<&>"},"anchor":{"k":"v"},"alias":{"k":"v"}}`
	if compact.String() != want {
		t.Errorf("got  %s\nwant %s", compact.String(), want)
	}
}

func TestJSONRejects(t *testing.T) {
	for name, y := range map[string]string{
		"duplicate key": "a: 1\na: 2\n",
		"merge key":     "x: &x {a: 1}\ny:\n  <<: *x\n",
		"NaN":           "a: .nan\n",
		"infinity":      "a: .inf\n",
		"complex key":   "? [a, b]\n: 1\n",
		"two documents": "a: 1\n---\nb: 2\n",
		"not YAML":      "a: [\n",
	} {
		if _, err := YAMLToJSON([]byte(y)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestDocument(t *testing.T) {
	if !bytes.HasPrefix(YAML(), []byte("openapi: 3.1.")) {
		t.Errorf("openapi.yaml does not start with its version")
	}
	j, err := JSON()
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(j, &doc); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(j), "{\n  \"openapi\": \"3.1.") {
		t.Errorf("openapi.json does not keep the order of the YAML: %.60s", j)
	}
	// Callers get copies.
	YAML()[0] = 'x'
	if YAML()[0] != 'o' {
		t.Error("YAML returns the embedded bytes themselves")
	}
}
