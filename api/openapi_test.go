package api_test

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"guanjia/api"
	"guanjia/internal/testenv"
)

// TestOpenAPICoversEveryRoute: the document names every /api/v1 route echo
// serves, with its method, and nothing else.
func TestOpenAPICoversEveryRoute(t *testing.T) {
	srv := newConsoleRig(t).fullReplica()
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/openapi.json", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("openapi.json: %d %s", rec.Code, rec.Body)
	}
	var doc struct {
		OpenAPI string                               `json:"openapi"`
		Paths   map[string]map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi %q, want 3.1.0", doc.OpenAPI)
	}
	documented, ids := map[string]bool{}, map[any]string{}
	for p, ops := range doc.Paths {
		for m, op := range ops {
			documented[strings.ToUpper(m)+" "+p] = true
			if prev, dup := ids[op["operationId"]]; dup {
				t.Errorf("%s %s and %s share the operationId %v", m, p, prev, op["operationId"])
			}
			ids[op["operationId"]] = m + " " + p
			if _, ok := op["security"]; !ok {
				t.Errorf("%s %s: no security declared", m, p)
			}
		}
	}
	served := map[string]bool{}
	for _, reg := range srv.RegisteredRoutes() {
		method, path, _ := strings.Cut(reg, " ")
		if !strings.HasPrefix(path, "/api/v1/") {
			continue
		}
		key := method + " " + openapiPath(path)
		served[key] = true
		if !documented[key] {
			t.Errorf("%s is served but missing from the OpenAPI document", key)
		}
	}
	for key := range documented {
		if !served[key] {
			t.Errorf("the OpenAPI document names %s, which is not served", key)
		}
	}
	// The document compiles: every $ref resolves, every schema is valid 2020-12.
	o, err := testenv.NewOpenAPI(rec.Body.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	for key := range documented {
		method, path, _ := strings.Cut(key, " ")
		if err := o.Check(method, path, 599, "application/json", []byte(`{"error":{"code":"internal","message":"x"}}`)); err != nil {
			t.Errorf("%s: %v", key, err)
		}
	}
}

func openapiPath(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if strings.HasPrefix(s, ":") {
			segs[i] = "{" + s[1:] + "}"
		}
	}
	return strings.Join(segs, "/")
}

// TestOpenAPIDeclaresBodies: every /api/v1 route has an entry in the side
// table with its answer, and every handler that decodes a JSON body (bind,
// directly or through a helper) declares the request's type.
func TestOpenAPIDeclaresBodies(t *testing.T) {
	binds := jsonBodyHandlers(t)
	srv := newConsoleRig(t).fullReplica()
	keys := map[string]bool{}
	for _, rb := range srv.RouteBodies() {
		key := rb.Method + " " + rb.Path
		keys[key] = true
		switch {
		case !rb.Declared:
			t.Errorf("%s: not in apiBodies (openapi_bodies.go)", key)
		case binds[rb.Handler] && !rb.Request:
			t.Errorf("%s: %s decodes a JSON body; declare its type (req) in apiBodies", key, rb.Handler)
		case !binds[rb.Handler] && rb.Request:
			t.Errorf("%s: declares a request body %s never decodes", key, rb.Handler)
		}
	}
	for _, k := range api.BodyKeys() {
		if !keys[k] {
			t.Errorf("apiBodies names %s, which is not in the route table", k)
		}
	}
}

// jsonBodyHandlers finds, in the package's source, the functions that call
// bind directly or through another function of the package.
func jsonBodyHandlers(t *testing.T) map[string]bool {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	calls := map[string][]string{} // function → the package functions it calls
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		file, err := parser.ParseFile(fset, f, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range file.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				if call, ok := n.(*ast.CallExpr); ok {
					switch f := call.Fun.(type) {
					case *ast.Ident:
						calls[fn.Name.Name] = append(calls[fn.Name.Name], f.Name)
					case *ast.SelectorExpr:
						calls[fn.Name.Name] = append(calls[fn.Name.Name], f.Sel.Name)
					}
				}
				return true
			})
		}
	}
	binds := map[string]bool{"bind": true}
	for changed := true; changed; {
		changed = false
		for fn, callees := range calls {
			for _, c := range callees {
				if binds[c] && !binds[fn] {
					binds[fn], changed = true, true
				}
			}
		}
	}
	return binds
}

// TestAPIDocsPage: the developers' page loads the vendored viewer from this
// site under the pages' CSP, and the viewer is served.
func TestAPIDocsPage(t *testing.T) {
	srv := newConsoleRig(t).fullReplica()
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/docs", nil))
	page := rec.Body.String()
	if rec.Code != http.StatusOK || !strings.Contains(page, `spec-url="/api/v1/openapi.json"`) {
		t.Fatalf("/api/docs: %d %s", rec.Code, page)
	}
	if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("CSP %q", csp)
	}
	if strings.Contains(page, "<script>") || strings.Contains(page, "http://") || strings.Contains(page, "https://") {
		t.Errorf("the page must load nothing from elsewhere and run no inline script: %s", page)
	}
	start := strings.Index(page, `src="`) + len(`src="`)
	src := page[start : start+strings.Index(page[start:], `"`)]
	rec = httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, src, nil))
	if rec.Code != http.StatusOK || rec.Body.Len() < 100000 {
		t.Errorf("%s: %d, %d bytes", src, rec.Code, rec.Body.Len())
	}
}
