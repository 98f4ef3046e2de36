package api_test

// The contract validator. Every response a test receives through client.do
// is checked against api/openapi.yaml: the request's path is matched against
// the document's path templates, the operation is picked by method, the
// response by status code, and the body is validated with the response's
// JSON Schema (draft 2020-12, as OpenAPI 3.1 uses). What the document does
// not describe fails the test. The operations and statuses seen are
// recorded, and TestZZContractCoverage checks at the end that the tests
// reached every one of them.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"mime"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"

	apispec "github.com/fellesrom/fellesrom/api"
	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/finder"
)

// docURL is the name the document is added to the schema compiler under;
// schemas are compiled by JSON pointer into it, so that $refs resolve.
const docURL = "openapi.json"

// Components for responses that no operation lists: any other method on a
// documented path, and any undocumented path under /api/.
const (
	methodNotAllowedRef = "#/components/responses/MethodNotAllowed"
	notFoundRef         = "#/components/responses/NotFound"
)

type pathTemplate struct {
	template string
	segs     []string // "{x}" for a parameter
	item     map[string]any
}

type contract struct {
	doc      map[string]any
	compiler *jsonschema.Compiler
	paths    []pathTemplate

	mu      sync.Mutex
	schemas map[string]*jsonschema.Schema // by pointer
	seen    map[string]bool               // "operationId status", or a component ref
}

var loadContract = sync.OnceValues(func() (*contract, error) {
	j, err := apispec.YAMLToJSON(apispec.YAML())
	if err != nil {
		return nil, fmt.Errorf("convert openapi.yaml: %w", err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(j))
	if err != nil {
		return nil, err
	}
	doc, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("the document is not an object")
	}
	c := &contract{doc: doc, schemas: map[string]*jsonschema.Schema{}, seen: map[string]bool{}}
	c.compiler = jsonschema.NewCompiler()
	c.compiler.DefaultDraft(jsonschema.Draft2020)
	c.compiler.AssertFormat()
	if err := c.compiler.AddResource(docURL, doc); err != nil {
		return nil, err
	}
	paths, _ := doc["paths"].(map[string]any)
	for tmpl, item := range paths {
		m, _ := item.(map[string]any)
		c.paths = append(c.paths, pathTemplate{template: tmpl, segs: strings.Split(tmpl, "/"), item: m})
	}
	sort.Slice(c.paths, func(i, j int) bool { return c.paths[i].template < c.paths[j].template })
	return c, nil
})

func theContract(t testing.TB) *contract {
	t.Helper()
	c, err := loadContract()
	if err != nil {
		t.Fatalf("contract: %v", err)
	}
	return c
}

// pointer escapes JSON-pointer tokens into a fragment.
func pointer(tokens ...string) string {
	var b strings.Builder
	b.WriteByte('#')
	for _, t := range tokens {
		b.WriteByte('/')
		b.WriteString(strings.NewReplacer("~", "~0", "/", "~1").Replace(t))
	}
	return b.String()
}

// resolve follows a "#/…" pointer in the document.
func (c *contract) resolve(ref string) (any, error) {
	if !strings.HasPrefix(ref, "#") {
		return nil, fmt.Errorf("%s: only local references are allowed", ref)
	}
	var cur any = c.doc
	if ref == "#" {
		return cur, nil
	}
	for tok := range strings.SplitSeq(strings.TrimPrefix(ref, "#/"), "/") {
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		switch v := cur.(type) {
		case map[string]any:
			next, ok := v[tok]
			if !ok {
				return nil, fmt.Errorf("%s: no %q", ref, tok)
			}
			cur = next
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(v) {
				return nil, fmt.Errorf("%s: no index %q", ref, tok)
			}
			cur = v[i]
		default:
			return nil, fmt.Errorf("%s: cannot descend into %T", ref, cur)
		}
	}
	return cur, nil
}

// deref follows $ref objects (Response, Header, Parameter objects) until it
// reaches the thing itself, returning it and its pointer.
func (c *contract) deref(ptr string) (map[string]any, string, error) {
	for range 10 {
		v, err := c.resolve(ptr)
		if err != nil {
			return nil, "", err
		}
		m, ok := v.(map[string]any)
		if !ok {
			return nil, "", fmt.Errorf("%s is not an object", ptr)
		}
		ref, ok := m["$ref"].(string)
		if !ok {
			return m, ptr, nil
		}
		ptr = ref
	}
	return nil, "", fmt.Errorf("%s: $ref chain too long", ptr)
}

func (c *contract) schema(ptr string) (*jsonschema.Schema, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.schemas[ptr]; ok {
		return s, nil
	}
	s, err := c.compiler.Compile(docURL + ptr)
	if err != nil {
		return nil, err
	}
	c.schemas[ptr] = s
	return s, nil
}

func (c *contract) record(key string) {
	c.mu.Lock()
	c.seen[key] = true
	c.mu.Unlock()
}

// match finds the path template that matches an escaped request path; a
// template with more literal segments wins.
func (c *contract) match(escapedPath string) *pathTemplate {
	segs := strings.Split(escapedPath, "/")
	var best *pathTemplate
	bestLit := -1
	for i := range c.paths {
		p := &c.paths[i]
		if len(p.segs) != len(segs) {
			continue
		}
		lit, ok := 0, true
		for j, s := range p.segs {
			if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
				if segs[j] == "" {
					ok = false
					break
				}
				continue
			}
			if s != segs[j] {
				ok = false
				break
			}
			lit++
		}
		if ok && lit > bestLit {
			best, bestLit = p, lit
		}
	}
	return best
}

var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// allowOf is the Allow header a path item implies: its methods, and HEAD
// with GET.
func allowOf(item map[string]any) string {
	var out []string
	for _, m := range httpMethods {
		if _, ok := item[m]; ok {
			out = append(out, strings.ToUpper(m))
			if m == "get" {
				out = append(out, "HEAD")
			}
		}
	}
	return strings.Join(slices.Compact(out), ", ")
}

// check validates one response against the contract and records what it
// covered. It returns the problems found.
func (c *contract) check(method, escapedPath string, status int, header http.Header, body []byte) []string {
	if !strings.HasPrefix(escapedPath, "/api/") {
		return []string{fmt.Sprintf("%s %s is not an API path", method, escapedPath)}
	}
	p := c.match(escapedPath)
	if p == nil {
		if status != http.StatusNotFound {
			return []string{fmt.Sprintf("%s %s matches no documented path, so it must answer 404, not %d", method, escapedPath, status)}
		}
		c.record(notFoundRef)
		return c.checkResponse(notFoundRef, method == http.MethodHead, header, body)
	}
	m := strings.ToLower(method)
	head := m == "head"
	if head {
		if _, ok := p.item["head"]; !ok {
			m = "get"
		}
	}
	opv, ok := p.item[m]
	if !ok {
		if status != http.StatusMethodNotAllowed {
			return []string{fmt.Sprintf("%s is not documented for %s, so it must answer 405, not %d", method, p.template, status)}
		}
		problems := c.checkResponse(methodNotAllowedRef, head, header, body)
		if got, want := header.Get("Allow"), allowOf(p.item); got != want {
			problems = append(problems, fmt.Sprintf("%s %s: Allow %q, want %q", method, p.template, got, want))
		}
		c.record(methodNotAllowedRef)
		return problems
	}
	op, _ := opv.(map[string]any)
	responses, _ := op["responses"].(map[string]any)
	code := strconv.Itoa(status)
	key := ""
	for _, k := range []string{code, code[:1] + "XX", "default"} {
		if _, ok := responses[k]; ok {
			key = k
			break
		}
	}
	if key == "" {
		return []string{fmt.Sprintf("%s %s: status %d is not documented", method, p.template, status)}
	}
	if !head {
		c.record(fmt.Sprintf("%s %s", op["operationId"], key))
	}
	return c.checkResponse(pointer("paths", p.template, m, "responses", key), head, header, body)
}

// checkResponse validates headers and body against the Response object at ptr.
func (c *contract) checkResponse(ptr string, head bool, header http.Header, body []byte) []string {
	resp, ptr, err := c.deref(ptr)
	if err != nil {
		return []string{err.Error()}
	}
	var problems []string
	headers, _ := resp["headers"].(map[string]any)
	for name := range headers {
		h, _, err := c.deref(ptr + pointer("headers", name)[1:])
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		vals := header.Values(name)
		if len(vals) == 0 {
			if req, _ := h["required"].(bool); req {
				problems = append(problems, fmt.Sprintf("%s: header %s missing", ptr, name))
			}
			continue
		}
		if sch, ok := h["schema"].(map[string]any); ok {
			if want, ok := sch["const"].(string); ok && (len(vals) != 1 || vals[0] != want) {
				problems = append(problems, fmt.Sprintf("%s: header %s is %q, want %q", ptr, name, vals, want))
			}
		}
	}
	content, _ := resp["content"].(map[string]any)
	if len(content) == 0 {
		if len(body) > 0 {
			problems = append(problems, fmt.Sprintf("%s: documented without content, got %d bytes", ptr, len(body)))
		}
		return problems
	}
	mt, _, err := mime.ParseMediaType(header.Get("Content-Type"))
	if err != nil {
		return append(problems, fmt.Sprintf("%s: Content-Type %q: %v", ptr, header.Get("Content-Type"), err))
	}
	media, ok := content[mt].(map[string]any)
	if !ok {
		return append(problems, fmt.Sprintf("%s: Content-Type %s is not documented", ptr, mt))
	}
	if head {
		if len(body) > 0 {
			problems = append(problems, "HEAD response with a body")
		}
		return problems
	}
	var value any
	switch mt {
	case "application/json":
		value, err = jsonschema.UnmarshalJSON(bytes.NewReader(body))
	case "application/yaml":
		var j []byte
		if j, err = apispec.YAMLToJSON(body); err == nil {
			value, err = jsonschema.UnmarshalJSON(bytes.NewReader(j))
		}
	default:
		return append(problems, fmt.Sprintf("%s: the validator cannot read %s", ptr, mt))
	}
	if err != nil {
		return append(problems, fmt.Sprintf("%s: body does not parse as %s: %v", ptr, mt, err))
	}
	if _, ok := media["schema"]; !ok {
		return problems
	}
	sch, err := c.schema(ptr + pointer("content", mt, "schema")[1:])
	if err != nil {
		return append(problems, fmt.Sprintf("%s: compile schema: %v", ptr, err))
	}
	if err := sch.Validate(value); err != nil {
		problems = append(problems, fmt.Sprintf("%s: body does not match the schema: %v\nbody: %s", ptr, err, clip(body, 2000)))
	}
	return problems
}

func clip(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}

// operations lists "operationId" for every documented operation, and the
// responses each documents as "operationId status".
func (c *contract) operations() (ops []string, responses []string) {
	for _, p := range c.paths {
		for _, m := range httpMethods {
			op, ok := p.item[m].(map[string]any)
			if !ok {
				continue
			}
			id, _ := op["operationId"].(string)
			ops = append(ops, id)
			rs, _ := op["responses"].(map[string]any)
			for code := range rs {
				responses = append(responses, id+" "+code)
			}
		}
	}
	sort.Strings(ops)
	sort.Strings(responses)
	return ops, responses
}

// walk calls fn for every value in the document with its pointer.
func walk(v any, ptr string, fn func(ptr string, v any)) {
	fn(ptr, v)
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			walk(x, ptr+pointer(k)[1:], fn)
		}
	case []any:
		for i, x := range v {
			walk(x, ptr+"/"+strconv.Itoa(i), fn)
		}
	}
}

var (
	statusKey  = regexp.MustCompile(`^([1-5][0-9][0-9]|[1-5]XX|default)$`)
	pathParam  = regexp.MustCompile(`\{([^}]+)\}`)
	oasVersion = regexp.MustCompile(`^3\.1\.[0-9]+$`)
)

// TestContractDocument checks that the document is well-formed enough to
// be a contract: OpenAPI 3.1, every $ref resolves, every operation has a
// unique operationId and documented responses, path parameters are
// declared, every schema compiles and closes its objects.
func TestContractDocument(t *testing.T) {
	c := theContract(t)
	d := c.doc
	if v, _ := d["openapi"].(string); !oasVersion.MatchString(v) {
		t.Errorf("openapi = %q, want 3.1.x", v)
	}
	info, _ := d["info"].(map[string]any)
	for _, k := range []string{"title", "version", "description"} {
		if s, _ := info[k].(string); s == "" {
			t.Errorf("info.%s is missing", k)
		}
	}
	lic, _ := info["license"].(map[string]any)
	if lic["name"] != "AGPL-3.0-or-later" || lic["identifier"] != "AGPL-3.0-or-later" {
		t.Errorf("info.license = %v", lic)
	}
	if servers, _ := d["servers"].([]any); len(servers) != 1 || servers[0].(map[string]any)["url"] != "/" {
		t.Errorf("servers = %v, want [{url: /}]", d["servers"])
	}

	// Every $ref resolves, locally.
	walk(d, "#", func(ptr string, v any) {
		m, ok := v.(map[string]any)
		if !ok {
			return
		}
		if ref, ok := m["$ref"].(string); ok {
			if _, err := c.resolve(ref); err != nil {
				t.Errorf("%s: $ref %v", ptr, err)
			}
		}
	})

	// Operations.
	ids := map[string]string{}
	for _, p := range c.paths {
		if !strings.HasPrefix(p.template, "/api/") {
			t.Errorf("path %s is not under /api/", p.template)
		}
		declared := map[string]bool{}
		addParams := func(where string, params any) {
			list, _ := params.([]any)
			for i := range list {
				pm, _, err := c.deref(where + "/parameters/" + strconv.Itoa(i))
				if err != nil {
					t.Error(err)
					continue
				}
				if pm["in"] == "path" {
					if pm["required"] != true {
						t.Errorf("%s: path parameter %v must be required", where, pm["name"])
					}
					declared[pm["name"].(string)] = true
				}
				if _, ok := pm["schema"]; !ok {
					t.Errorf("%s: parameter %v has no schema", where, pm["name"])
				}
			}
		}
		itemPtr := pointer("paths", p.template)
		addParams(itemPtr, p.item["parameters"])
		ops := 0
		for _, m := range httpMethods {
			opv, ok := p.item[m]
			if !ok {
				continue
			}
			ops++
			op, _ := opv.(map[string]any)
			opPtr := itemPtr + "/" + m
			id, _ := op["operationId"].(string)
			if id == "" {
				t.Errorf("%s has no operationId", opPtr)
			} else if other, dup := ids[id]; dup {
				t.Errorf("operationId %s used by %s and %s", id, other, opPtr)
			}
			ids[id] = opPtr
			if s, _ := op["summary"].(string); s == "" {
				t.Errorf("%s has no summary", opPtr)
			}
			pathDeclared := maps.Clone(declared)
			addParams(opPtr, op["parameters"])
			for _, name := range pathParam.FindAllStringSubmatch(p.template, -1) {
				if !declared[name[1]] {
					t.Errorf("%s: path parameter {%s} is not declared", opPtr, name[1])
				}
			}
			for name := range declared {
				if !strings.Contains(p.template, "{"+name+"}") {
					t.Errorf("%s: declares path parameter %s that is not in the path", opPtr, name)
				}
			}
			declared = pathDeclared
			responses, _ := op["responses"].(map[string]any)
			if len(responses) == 0 {
				t.Errorf("%s has no responses", opPtr)
			}
			hasError := false
			for code := range responses {
				if !statusKey.MatchString(code) {
					t.Errorf("%s: response key %q is not a status code", opPtr, code)
				}
				if code >= "400" {
					hasError = true
				}
				r, _, err := c.deref(opPtr + pointer("responses", code)[1:])
				if err != nil {
					t.Error(err)
					continue
				}
				if s, _ := r["description"].(string); s == "" {
					t.Errorf("%s: response %s has no description", opPtr, code)
				}
			}
			if !hasError {
				t.Errorf("%s documents no error response", opPtr)
			}
		}
		if ops == 0 {
			t.Errorf("path %s has no operations", p.template)
		}
	}
	for _, ref := range []string{methodNotAllowedRef, notFoundRef} {
		if _, _, err := c.deref(ref); err != nil {
			t.Error(err)
		}
	}

	// Every schema compiles; objects with properties say what else they
	// allow; required properties exist; every component is used.
	schemas, _ := d["components"].(map[string]any)["schemas"].(map[string]any)
	for name := range schemas {
		if _, err := c.schema(pointer("components", "schemas", name)); err != nil {
			t.Errorf("schema %s does not compile: %v", name, err)
		}
	}
	walk(d["components"], "#/components", func(ptr string, v any) {
		m, ok := v.(map[string]any)
		if !ok {
			return
		}
		props, ok := m["properties"].(map[string]any)
		if !ok {
			return
		}
		if _, ok := m["additionalProperties"]; !ok {
			t.Errorf("%s: an object schema with properties needs additionalProperties (false)", ptr)
		}
		req, _ := m["required"].([]any)
		for _, r := range req {
			if _, ok := props[r.(string)]; !ok {
				t.Errorf("%s: required %v is not a property", ptr, r)
			}
		}
	})
	used := map[string]bool{}
	walk(d, "#", func(_ string, v any) {
		if m, ok := v.(map[string]any); ok {
			if ref, ok := m["$ref"].(string); ok {
				used[ref] = true
			}
		}
	})
	used[methodNotAllowedRef], used[notFoundRef] = true, true
	for _, kind := range []string{"schemas", "parameters", "responses", "headers"} {
		comps, _ := d["components"].(map[string]any)[kind].(map[string]any)
		for name := range comps {
			if ref := pointer("components", kind, name); !used[ref] {
				t.Errorf("%s is never used", ref)
			}
		}
	}
}

// TestContractMatchesDomain checks that the enumerations and limits in the
// document are those of internal/domain and internal/finder.
func TestContractMatchesDomain(t *testing.T) {
	c := theContract(t)
	strs := func(xs ...any) []string {
		var out []string
		for _, x := range xs {
			out = append(out, fmt.Sprint(x))
		}
		return out
	}
	enum := func(name string) []string {
		v, err := c.resolve(pointer("components", "schemas", name, "enum"))
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, x := range v.([]any) {
			if x != nil {
				out = append(out, x.(string))
			}
		}
		return out
	}
	for name, want := range map[string][]string{
		"Format":     strs(anys(domain.Formats)...),
		"Status":     strs(anys(domain.Statuses)...),
		"JoinMethod": strs(anys(domain.JoinMethods)...),
		"AgeGroup":   strs(anys(domain.AgeGroups)...),
		"Gender":     strs(anys(domain.Genders)...),
		"OrgKind":    strs(anys(domain.OrgKinds)...),
		"TimeOfDay":  strs(anys(domain.TimesOfDay)...),
		"Intake":     {string(domain.IntakeClosed), string(domain.IntakeOpen), string(domain.IntakeVaries)},
		"Leadership": {string(domain.LeadStarter), string(domain.LeadChair), string(domain.LeadPeer), string(domain.LeadOther)},
		"Weekday": {finder.DayParam(time.Monday), finder.DayParam(time.Tuesday), finder.DayParam(time.Wednesday),
			finder.DayParam(time.Thursday), finder.DayParam(time.Friday), finder.DayParam(time.Saturday), finder.DayParam(time.Sunday)},
	} {
		if diff := cmp.Diff(want, enum(name)); diff != "" {
			t.Errorf("enum %s differs from the domain (-domain +contract):\n%s", name, diff)
		}
	}
	num := func(ptr string) float64 {
		v, err := c.resolve(ptr)
		if err != nil {
			t.Fatal(err)
		}
		f, err := v.(json.Number).Float64()
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	param := func(name, key string) float64 {
		return num(pointer("components", "parameters", name, "schema", key))
	}
	for _, x := range []struct {
		ptr  string
		got  float64
		want float64
	}{
		{"q maxLength", param("Q", "maxLength"), finder.MaxTextRunes},
		{"page maximum", param("Page", "maximum"), finder.MaxPage},
		{"per_page maximum", param("PerPage", "maximum"), finder.MaxPerPage},
		{"per_page default", param("PerPage", "default"), finder.DefaultPerPage},
		{"km maximum", param("Km", "maximum"), finder.MaxRadiusKm},
		{"theme maxItems", param("Theme", "maxItems"), finder.MaxValues},
		{"page schema maximum", num("#/components/schemas/GroupPage/properties/page/maximum"), finder.MaxPage},
		{"per_page schema maximum", num("#/components/schemas/GroupPage/properties/per_page/maximum"), finder.MaxPerPage},
		{"items maxItems", num("#/components/schemas/GroupPage/properties/items/maxItems"), finder.MaxPerPage},
	} {
		if x.got != x.want {
			t.Errorf("%s = %v in the contract, %v in the finder", x.ptr, x.got, x.want)
		}
	}
}

func anys[T any](xs []T) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}
