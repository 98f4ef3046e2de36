package hsds_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fellesrom/fellesrom/internal/hsds"
)

// exampleKinds are the official examples and the kind of object each holds.
var exampleKinds = map[string]string{
	"service_full.json": "service", "service_list.json": "service",
	"organization_full.json": "organization", "organization_list.json": "organization",
	"location.json":                 "location",
	"service_at_location_full.json": "service_at_location", "service_at_location_list.json": "service_at_location",
	"taxonomy.json": "taxonomy", "taxonomy_list.json": "taxonomy",
	"taxonomy_term.json": "taxonomy_term", "taxonomy_term_list.json": "taxonomy_term",
}

// TestExamplesRoundTrip decodes every official example and writes each
// object again: the result holds exactly the same value, fields fellesrom
// does not model included.
func TestExamplesRoundTrip(t *testing.T) {
	for file, kind := range exampleKinds {
		data, err := os.ReadFile(filepath.Join("testdata/examples", file))
		if err != nil {
			t.Fatal(err)
		}
		objs, err := hsds.Decode(kind, data)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if len(objs) == 0 {
			t.Fatalf("%s: no objects", file)
		}
		var want []json.RawMessage
		if strings.HasSuffix(file, "_list.json") {
			var p struct{ Contents []json.RawMessage }
			if err := json.Unmarshal(data, &p); err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			want = p.Contents
		} else {
			want = []json.RawMessage{data}
		}
		for i, o := range objs {
			got, err := o.Encode()
			if err != nil {
				t.Fatal(err)
			}
			if eq, err := hsds.EqualJSON(want[i], got); err != nil || !eq {
				t.Errorf("%s object %d: not the same after a round trip (%v)\n%s", file, i, err, got)
			}
		}
	}
}

// TestMergeKeepsChange: a field fellesrom changes is written, the rest of
// the original kept.
func TestMergeKeepsChange(t *testing.T) {
	data, _ := os.ReadFile("testdata/examples/service_full.json")
	objs, err := hsds.Decode("service", data)
	if err != nil {
		t.Fatal(err)
	}
	s := objs[0].Value.(*hsds.Service)
	s.Name = "Sorggruppe"
	s.Schedules[0].OpensAt = "18:00"
	out, err := objs[0].Encode()
	if err != nil {
		t.Fatal(err)
	}
	var got, orig map[string]any
	_ = json.Unmarshal(out, &got)
	_ = json.Unmarshal(data, &orig)
	if got["name"] != "Sorggruppe" || got["schedules"].([]any)[0].(map[string]any)["opens_at"] != "18:00" {
		t.Errorf("the change is lost: %v", got["name"])
	}
	for _, k := range []string{"program", "funding", "cost_options", "required_documents", "wait_time"} {
		if ob, _ := json.Marshal(orig[k]); orig[k] != nil {
			gb, _ := json.Marshal(got[k])
			if eq, _ := hsds.EqualJSON(ob, gb); !eq {
				t.Errorf("%s not kept", k)
			}
		}
	}
	if len(got) != len(orig) {
		t.Errorf("%d fields, the original %d", len(got), len(orig))
	}
}

func TestDecodeRefuses(t *testing.T) {
	for _, c := range []struct{ kind, doc string }{
		{"service", ``}, {"service", `[]`}, {"service", `{"name":"x"}`}, {"service", `{"id":3}`},
		{"service", `{"id":"a","name":3}`}, {"service", `{"contents":[1]}`}, {"service", `{"contents":{}}`},
		{"service", `{"id":"a","schedules":[{"id":"b","timezone":"UTC"}]}`}, {"nothing", `{"id":"a"}`},
		{"service", `{"id":"a"`}, {"service", `{"id":"a","NAME":"x"}`},
		{"service", `{"id":"a","schedules":[{"id":"b","Opens_At":"10:00"}]}`}, {"service", strings.Repeat("[", 20000)},
	} {
		if _, err := hsds.Decode(c.kind, []byte(c.doc)); err == nil {
			t.Errorf("%s %.40q: no error", c.kind, c.doc)
		}
	}
}

// FuzzDecode: the decoder never panics or hangs, and whatever it accepts
// it writes again without loss. The seeds are the official examples and
// testdata/fuzz/FuzzDecode.
func FuzzDecode(f *testing.F) {
	for file := range exampleKinds {
		data, err := os.ReadFile(filepath.Join("testdata/examples", file))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	kindNames := []string{"service", "organization", "location", "service_at_location", "taxonomy", "taxonomy_term"}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, kind := range kindNames {
			objs, err := hsds.Decode(kind, data)
			if err != nil {
				continue
			}
			for _, o := range objs {
				out, err := o.Encode()
				if err != nil {
					t.Fatalf("%s: encode: %v", kind, err)
				}
				raw, _ := json.Marshal(o.Raw)
				if eq, err := hsds.EqualJSON(raw, out); err != nil || !eq {
					t.Fatalf("%s: lossy round trip (%v)\nin:  %s\nout: %s", kind, err, raw, out)
				}
			}
		}
	})
}
