package hsds

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
)

// MaxDocument is the largest HSDS document Decode reads.
const MaxDocument = 50 << 20

// Object is one HSDS object as read: the fields fellesrom models, decoded
// into Value (*Service, *Organization, …), and every field of the original
// in Raw, so that what fellesrom does not model is kept and merged back on
// export (see Merge).
type Object struct {
	Kind  string
	Raw   map[string]json.RawMessage
	Value any
}

// Kinds of object Decode knows, and the typed value of each.
var kinds = map[string]func() any{
	"service":             func() any { return new(Service) },
	"organization":        func() any { return new(Organization) },
	"location":            func() any { return new(Location) },
	"service_at_location": func() any { return new(ServiceAtLocation) },
	"taxonomy":            func() any { return new(Taxonomy) },
	"taxonomy_term":       func() any { return new(TaxonomyTerm) },
}

// ErrDocument is wrapped by every error about a document's content.
var ErrDocument = errors.New("not an HSDS document")

// Decode reads an HSDS document of the given kind: one object, or a page
// of them (an object with "contents"). It checks the JSON and the types of
// the fields fellesrom models; an object needs a string "id".
func Decode(kind string, data []byte) ([]Object, error) {
	mk, ok := kinds[kind]
	if !ok {
		return nil, fmt.Errorf("%w: unknown kind %q", ErrDocument, kind)
	}
	if len(data) > MaxDocument {
		return nil, fmt.Errorf("%w: larger than %d bytes", ErrDocument, MaxDocument)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrDocument, err)
	}
	raws := []json.RawMessage{data}
	if c, ok := top["contents"]; ok {
		// A fresh slice: json.RawMessage decodes into the bytes it holds.
		raws = nil
		if err := json.Unmarshal(c, &raws); err != nil {
			return nil, fmt.Errorf("%w: contents: %v", ErrDocument, err)
		}
	}
	out := make([]Object, 0, len(raws))
	for i, raw := range raws {
		o := Object{Kind: kind, Value: mk()}
		if err := json.Unmarshal(raw, &o.Raw); err != nil || o.Raw == nil {
			return nil, fmt.Errorf("%w: %s %d: not an object", ErrDocument, kind, i)
		}
		var id string
		if err := json.Unmarshal(o.Raw["id"], &id); err != nil || id == "" {
			return nil, fmt.Errorf("%w: %s %d: no string id", ErrDocument, kind, i)
		}
		if err := json.Unmarshal(raw, o.Value); err != nil {
			return nil, fmt.Errorf("%w: %s %s: %v", ErrDocument, kind, id, err)
		}
		// What is accepted is written again without loss: encoding/json
		// matches field names without regard to case ("Name" fills name),
		// which HSDS does not allow.
		again, err := o.Encode()
		if err != nil {
			return nil, fmt.Errorf("%w: %s %s: %v", ErrDocument, kind, id, err)
		}
		if eq, err := EqualJSON(raw, again); err != nil || !eq {
			return nil, fmt.Errorf("%w: %s %s: a field name in the wrong case, or a value that cannot be kept", ErrDocument, kind, id)
		}
		out = append(out, o)
	}
	return out, nil
}

// Encode writes an object: its current value merged into the original.
func (o Object) Encode() ([]byte, error) { return Merge(o.Raw, o.Value) }

// Merge returns the JSON of value with the fields of orig it does not
// write kept: a field value writes replaces the original's, an object is
// merged field by field, an array of objects element by element (by
// position when both have as many, otherwise by "id"). A field whose
// value is empty ("", 0, false, null, [] or {}) is left as the original
// has it.
func Merge(orig map[string]json.RawMessage, value any) ([]byte, error) {
	cur, err := json.Marshal(value)
	if err != nil {
		return nil, err
	}
	if orig == nil {
		return cur, nil
	}
	o, err := json.Marshal(orig)
	if err != nil {
		return nil, err
	}
	m, err := mergeJSON(o, cur)
	if err != nil {
		return nil, err
	}
	return json.Marshal(m)
}

func decodeAny(b []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	err := d.Decode(&v)
	return v, err
}

func mergeJSON(orig, cur []byte) (any, error) {
	o, err := decodeAny(orig)
	if err != nil {
		return nil, err
	}
	c, err := decodeAny(cur)
	if err != nil {
		return nil, err
	}
	return mergeValue(o, c), nil
}

func empty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case bool:
		return !x
	case json.Number:
		f, err := x.Float64()
		return err == nil && f == 0
	case []any:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0
	}
	return false
}

func mergeValue(orig, cur any) any {
	switch c := cur.(type) {
	case map[string]any:
		o, ok := orig.(map[string]any)
		if !ok {
			return cur
		}
		out := make(map[string]any, len(o)+len(c))
		for k, v := range o {
			out[k] = v
		}
		for k, v := range c {
			ov, had := o[k]
			switch {
			case empty(v):
				// left as the original has it
			case had:
				out[k] = mergeValue(ov, v)
			default:
				out[k] = v
			}
		}
		return out
	case []any:
		o, ok := orig.([]any)
		if !ok {
			return cur
		}
		out := make([]any, len(c))
		if len(o) == len(c) {
			for i := range c {
				out[i] = mergeValue(o[i], c[i])
			}
			return out
		}
		byID := map[any]any{}
		for _, e := range o {
			if m, ok := e.(map[string]any); ok && m["id"] != nil {
				if _, ok := m["id"].(string); ok {
					byID[m["id"]] = e
				}
			}
		}
		for i, e := range c {
			out[i] = e
			if m, ok := e.(map[string]any); ok {
				if id, ok := m["id"].(string); ok {
					if oe, ok := byID[id]; ok {
						out[i] = mergeValue(oe, e)
					}
				}
			}
		}
		return out
	case json.Number:
		// The same number written another way (12 and 12.0) keeps the
		// original's form.
		if o, ok := orig.(json.Number); ok {
			of, err1 := o.Float64()
			cf, err2 := c.Float64()
			if err1 == nil && err2 == nil && of == cf {
				return o
			}
		}
		return cur
	}
	return cur
}

// EqualJSON reports whether two JSON documents hold the same value (object
// fields in any order, numbers by value).
func EqualJSON(a, b []byte) (bool, error) {
	x, err := decodeAny(a)
	if err != nil {
		return false, err
	}
	y, err := decodeAny(b)
	if err != nil {
		return false, err
	}
	return reflect.DeepEqual(normNumbers(x), normNumbers(y)), nil
}

func normNumbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		if f, err := x.Float64(); err == nil {
			return f
		}
		return string(x)
	case []any:
		for i := range x {
			x[i] = normNumbers(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = normNumbers(x[k])
		}
	}
	return v
}
