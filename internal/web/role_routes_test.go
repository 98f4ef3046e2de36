package web_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// staffRoute is a route of the back office as the package registers it:
// the pattern (in Bokmål, without a language prefix) and the methods it
// answers besides the 405 of the others.
type staffRoute struct {
	Pattern string
	Methods []string // "GET" (and HEAD), "POST"
	At      string   // file:line of the registration
}

// staffRoutes reads the package's own source for every mux.Handle of a
// pattern under /kontor, wherever it is registered (staffRoutes in
// staff_common.go and every area appended to staffAreas), and the methods
// of its handler: s.methods(lang, get, post), or the h(get, post) helper of
// officeRoutes, with nil for a method it does not answer. A registration
// the reader does not understand fails the test, so that a route can never
// slip past the role matrix by being written differently.
func staffRoutes(t *testing.T) []staffRoute {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var out []staffRoute
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		// Each function (declared or literal) with its local string
		// variables, such as officeRoutes' k := p + "/kontor/".
		var funcs []ast.Node
		ast.Inspect(f, func(n ast.Node) bool {
			switch n.(type) {
			case *ast.FuncDecl, *ast.FuncLit:
				funcs = append(funcs, n)
			}
			return true
		})
		for _, fn := range funcs {
			var body *ast.BlockStmt
			switch x := fn.(type) {
			case *ast.FuncDecl:
				body = x.Body
			case *ast.FuncLit:
				body = x.Body
			}
			if body == nil {
				continue
			}
			locals := map[string]ast.Expr{}
			ast.Inspect(body, func(n ast.Node) bool {
				if a, ok := n.(*ast.AssignStmt); ok && a.Tok == token.DEFINE && len(a.Lhs) == 1 && len(a.Rhs) == 1 {
					if id, ok := a.Lhs[0].(*ast.Ident); ok {
						locals[id.Name] = a.Rhs[0]
					}
				}
				return true
			})
			for _, stmt := range body.List {
				ast.Inspect(stmt, func(n ast.Node) bool {
					if _, ok := n.(*ast.FuncLit); ok {
						return false // its own entry in funcs
					}
					call, ok := n.(*ast.CallExpr)
					if !ok {
						return true
					}
					sel, ok := call.Fun.(*ast.SelectorExpr)
					if !ok || (sel.Sel.Name != "Handle" && sel.Sel.Name != "HandleFunc") {
						return true
					}
					if recv, ok := sel.X.(*ast.Ident); !ok || recv.Name != "mux" {
						return true
					}
					at := fset.Position(call.Pos()).String()
					if len(call.Args) != 2 {
						t.Fatalf("%s: a registration the role matrix cannot read", at)
					}
					pattern, ok := routeString(call.Args[0], locals)
					if !ok {
						t.Fatalf("%s: the role matrix cannot read the pattern of this registration", at)
					}
					path := pattern
					if i := strings.IndexByte(pattern, ' '); i >= 0 {
						path = pattern[i+1:]
					}
					if path != "/kontor" && !strings.HasPrefix(path, "/kontor/") {
						return true
					}
					methods, ok := routeMethods(call.Args[1])
					if !ok {
						t.Fatalf("%s: the role matrix cannot read the methods of %s", at, pattern)
					}
					if i := strings.IndexByte(pattern, ' '); i >= 0 {
						methods, pattern = []string{pattern[:i]}, path
					}
					out = append(out, staffRoute{Pattern: pattern, Methods: methods, At: at})
					return true
				})
			}
		}
	}
	return out
}

// routeString evaluates a pattern: string literals, +, the language
// prefix p (taken as "", Bokmål) and local variables made of those.
func routeString(e ast.Expr, locals map[string]ast.Expr) (string, bool) {
	switch x := e.(type) {
	case *ast.BasicLit:
		if x.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(x.Value)
		return s, err == nil
	case *ast.BinaryExpr:
		if x.Op != token.ADD {
			return "", false
		}
		a, ok1 := routeString(x.X, locals)
		b, ok2 := routeString(x.Y, locals)
		return a + b, ok1 && ok2
	case *ast.ParenExpr:
		return routeString(x.X, locals)
	case *ast.Ident:
		if x.Name == "p" {
			return "", true
		}
		if v, ok := locals[x.Name]; ok {
			delete(locals, x.Name) // no loops
			s, ok := routeString(v, locals)
			locals[x.Name] = v
			return s, ok
		}
	}
	return "", false
}

// routeMethods reads the methods of a handler expression: s.methods(lang,
// get, post) or h(get, post), possibly inside a wrapper of one argument.
func routeMethods(e ast.Expr) ([]string, bool) {
	call, ok := e.(*ast.CallExpr)
	if !ok {
		return nil, false
	}
	var get, post ast.Expr
	switch fn := call.Fun.(type) {
	case *ast.SelectorExpr:
		if fn.Sel.Name == "methods" && len(call.Args) == 3 {
			get, post = call.Args[1], call.Args[2]
		}
	case *ast.Ident:
		if fn.Name == "h" && len(call.Args) == 2 {
			get, post = call.Args[0], call.Args[1]
		}
	}
	if get == nil {
		if len(call.Args) == 1 {
			return routeMethods(call.Args[0])
		}
		return nil, false
	}
	isNil := func(e ast.Expr) bool { id, ok := e.(*ast.Ident); return ok && id.Name == "nil" }
	var out []string
	if !isNil(get) {
		out = append(out, http.MethodGet)
	}
	if !isNil(post) {
		out = append(out, http.MethodPost)
	}
	return out, len(out) > 0
}

// routeCoverage compares the requests of the role matrix with the
// registered routes: every method of every route must be probed, and every
// probe must reach a route of its own (not the catch-all, unless it means
// to). It matches paths with a ServeMux that has the same patterns, so a
// path is taken for the route the site takes it for.
type routeCoverage struct {
	routes []staffRoute
	mux    *http.ServeMux
	seen   map[string]bool // "METHOD pattern"
}

func newRouteCoverage(t *testing.T) *routeCoverage {
	t.Helper()
	c := &routeCoverage{routes: staffRoutes(t), mux: http.NewServeMux(), seen: map[string]bool{}}
	for _, r := range c.routes {
		c.mux.Handle(r.Pattern, http.NotFoundHandler())
	}
	return c
}

// hit records a probe and returns the pattern it reached ("" for none)
// and whether the route answers the method.
func (c *routeCoverage) hit(method, path string) (string, bool) {
	req, err := http.NewRequest(method, "http://fellesrom.example"+path, nil)
	if err != nil {
		return "", false
	}
	_, pattern := c.mux.Handler(req)
	i := slices.IndexFunc(c.routes, func(r staffRoute) bool { return r.Pattern == pattern })
	if i < 0 || !slices.Contains(c.routes[i].Methods, method) {
		return pattern, false
	}
	c.seen[method+" "+pattern] = true
	return pattern, true
}

// missing lists the registered routes and methods no probe reached.
func (c *routeCoverage) missing() []string {
	var out []string
	for _, r := range c.routes {
		for _, m := range r.Methods {
			if !c.seen[m+" "+r.Pattern] {
				out = append(out, m+" "+r.Pattern+" ("+r.At+")")
			}
		}
	}
	slices.Sort(out)
	return out
}

// The reader of the registrations finds what the site registers: a known
// route of each kind of registration, with its methods.
func TestStaffRoutesRead(t *testing.T) {
	routes := staffRoutes(t)
	want := map[string][]string{
		"/kontor":                          {"GET"},         // staffRoutes
		"/kontor/":                         {"GET"},         // the catch-all
		"/kontor/okter":                    {"GET", "POST"}, // staffRoutes
		"/kontor/steder/{id}/rom/{room}":   {"GET", "POST"}, // officeRoutes' h and k
		"/kontor/grupper/{id}/status":      {"POST"},
		"/kontor/epost/{id}/prov-igjen":    {"POST"},        // a named area function
		"/kontor/sso/{id}":                 {"GET", "POST"}, // an area in a literal
		"/kontor/passkey/start":            {"POST"},
		"/kontor/brukere/{id}/identiteter": {"POST"},
	}
	got := map[string][]string{}
	for _, r := range routes {
		if _, dup := got[r.Pattern]; dup {
			t.Errorf("%s registered twice", r.Pattern)
		}
		got[r.Pattern] = r.Methods
	}
	for p, m := range want {
		if !slices.Equal(got[p], m) {
			t.Errorf("%s: %v, want %v", p, got[p], m)
		}
	}
	n := 0
	for _, r := range routes {
		n += len(r.Methods)
	}
	t.Logf("%d routes under /kontor, %d with their methods", len(routes), n)
	if len(routes) < 35 {
		t.Errorf("only %d routes under /kontor", len(routes))
	}
	for p := range got {
		if strings.HasPrefix(p, "/logg-inn") {
			t.Errorf("%s is not a back-office route", p)
		}
	}
}
