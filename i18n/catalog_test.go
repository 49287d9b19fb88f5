package i18n

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// constructors take a message's format string: the key of the catalogue.
// Functions that pass a format parameter of theirs on to one of these (api's
// invalid, credit's rowValidator.fail) are found by moduleMessages itself.
var constructors = map[string]int{ // qualified name → index of the format argument
	"guanjia.Errorf":           1,
	"guanjia.FieldError":       2,
	"guanjia/credit.rowErrorf": 2,
	"guanjia/i18n.Sprintf":     1,
	"guanjia/i18n.Text":        1,
	"guanjia/i18n.Lookup":      1,
}

// TestCatalogueCoversSources reads the module's Go sources (not tests) and
// fails for every message and term the code uses that has no Chinese.
// Messages: string-literal formats given to the constructors above (and to
// functions that wrap them), and literal guanjia.Error{Message: …}. Terms:
// constants of the types named Role, …Status and …Action, the volunteer
// state tables' Act… constants, and string literals given for a parameter
// named "what" (the thing a message is about: "team", "activity").
func TestCatalogueCoversSources(t *testing.T) {
	src := readModule(t)
	msgs, words := src.messages(), src.terms()
	if len(msgs) < 300 || len(words) < 50 {
		t.Fatalf("found %d messages and %d terms: the walk is broken", len(msgs), len(words))
	}
	for _, want := range []string{"unknown category %q", "a JSON body is required", "required", "the column appears twice", "no subscribe consent"} {
		if !slices.ContainsFunc(msgs, func(u use) bool { return u.text == want }) {
			t.Errorf("the walk missed %q", want)
		}
	}
	for _, u := range msgs {
		if _, ok := messages[u.text]; !ok {
			t.Errorf("%s: no Chinese for %q", u.where, u.text)
		}
	}
	for _, u := range words {
		if _, ok := terms[u.typ+" "+u.text]; ok {
			continue
		}
		if _, ok := terms[u.text]; !ok && u.typ != "" {
			t.Errorf("%s: no Chinese for the term %q (key %q, or %q for this type only)", u.where, u.text, u.text, u.typ+" "+u.text)
		} else if !ok {
			t.Errorf("%s: no Chinese for the term %q", u.where, u.text)
		}
	}
}

// TestTranslationsKeepArguments checks that every translation prints each
// argument of the English with the same verb.
func TestTranslationsKeepArguments(t *testing.T) {
	for en, zh := range messages {
		n := 0
		for _, v := range verbs(en, 20) {
			if v != '?' {
				n++
			}
		}
		if got, want := verbs(zh, n), verbs(en, n); !slices.Equal(got, want) {
			t.Errorf("%q → %q: verbs %q, want %q", en, zh, string(got), string(want))
		}
		if strings.Contains(zh, "${") {
			t.Errorf("%q → %q: ${ is a catalogue substitution", en, zh)
		}
		if zh == en && strings.ContainsFunc(strings.NewReplacer("%s", "", "%v", "").Replace(en), func(r rune) bool { return r < 128 && r != ' ' }) {
			t.Errorf("%q is not translated", en)
		}
	}
}

type use struct {
	text, typ, where string
}

type sourceFile struct {
	pkgPath string // import path of its package
	file    *ast.File
	imports map[string]string // name in the file → import path
}

type module struct {
	fset  *token.FileSet
	files []sourceFile
}

func readModule(t *testing.T) *module {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	modPath := strings.TrimSpace(strings.TrimPrefix(strings.SplitN(string(gomod), "\n", 2)[0], "module"))
	m := &module{fset: token.NewFileSet()}
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if p != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "node_modules" || name == "vendor") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(m.fset, p, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(p))
		sf := sourceFile{pkgPath: path.Join(modPath, filepath.ToSlash(rel)), file: f, imports: map[string]string{}}
		for _, imp := range f.Imports {
			ip, _ := strconv.Unquote(imp.Path.Value)
			local := path.Base(ip)
			if imp.Name != nil {
				local = imp.Name.Name
			}
			sf.imports[local] = ip
		}
		m.files = append(m.files, sf)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// callee is the qualified name of what call calls: "guanjia.Errorf",
// "guanjia/api.invalid", or for a method call "guanjia/credit.(*).fail"
// (any method of that name in the package: the walk knows no types).
func (f sourceFile) callee(call *ast.CallExpr) string {
	switch fn := call.Fun.(type) {
	case *ast.Ident:
		return f.pkgPath + "." + fn.Name
	case *ast.SelectorExpr:
		if x, ok := fn.X.(*ast.Ident); ok {
			if ip, ok := f.imports[x.Name]; ok {
				return ip + "." + fn.Sel.Name
			}
		}
		return f.pkgPath + ".(*)." + fn.Sel.Name
	case *ast.IndexExpr: // a generic function, instantiated
		return f.callee(&ast.CallExpr{Fun: fn.X})
	}
	return ""
}

// declared is the qualified name of a function or method, as callee names it.
func (f sourceFile) declared(fd *ast.FuncDecl) string {
	if fd.Recv != nil {
		return f.pkgPath + ".(*)." + fd.Name.Name
	}
	return f.pkgPath + "." + fd.Name.Name
}

// wrappers adds to constructors every function that passes one of its
// string parameters on as a constructor's format, until none is new.
func (m *module) wrappers() map[string]int {
	known := map[string]int{}
	for k, v := range constructors {
		known[k] = v
	}
	for changed := true; changed; {
		changed = false
		for _, f := range m.files {
			for _, d := range f.file.Decls {
				fd, ok := d.(*ast.FuncDecl)
				if !ok || fd.Body == nil {
					continue
				}
				name := f.declared(fd)
				if _, done := known[name]; done {
					continue
				}
				params := paramNames(fd.Type)
				ast.Inspect(fd.Body, func(n ast.Node) bool {
					call, ok := n.(*ast.CallExpr)
					if !ok {
						return true
					}
					i, ok := known[f.callee(call)]
					if !ok || i >= len(call.Args) {
						return true
					}
					if id, ok := call.Args[i].(*ast.Ident); ok {
						if j := slices.Index(params, id.Name); j >= 0 {
							known[name], changed = j, true
						}
					}
					return true
				})
			}
		}
	}
	return known
}

func paramNames(ft *ast.FuncType) []string {
	var out []string
	for _, field := range ft.Params.List {
		if len(field.Names) == 0 {
			out = append(out, "_")
		}
		for _, n := range field.Names {
			out = append(out, n.Name)
		}
	}
	return out
}

func (m *module) messages() []use {
	known := m.wrappers()
	var out []use
	for _, f := range m.files {
		ast.Inspect(f.file, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				if i, ok := known[f.callee(n)]; ok && i < len(n.Args) {
					if s, ok := stringLit(n.Args[i]); ok {
						out = append(out, use{text: s, where: m.fset.Position(n.Pos()).String()})
					}
				}
			case *ast.CompositeLit: // guanjia.Error{Message: "…"}
				if !isErrorType(f, n.Type) {
					return true
				}
				for _, el := range n.Elts {
					if kv, ok := el.(*ast.KeyValueExpr); ok && isIdent(kv.Key, "Message") {
						if s, ok := stringLit(kv.Value); ok {
							out = append(out, use{text: s, where: m.fset.Position(n.Pos()).String()})
						}
					}
				}
			}
			return true
		})
	}
	return out
}

func isErrorType(f sourceFile, e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.Ident:
		return f.pkgPath == "guanjia" && e.Name == "Error"
	case *ast.SelectorExpr:
		x, ok := e.X.(*ast.Ident)
		return ok && f.imports[x.Name] == "guanjia" && e.Sel.Name == "Error"
	}
	return false
}

func (m *module) terms() []use {
	// Functions with a parameter named "what": its literal arguments are terms.
	whatParam := map[string]int{}
	for _, f := range m.files {
		for _, d := range f.file.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok {
				if i := slices.Index(paramNames(fd.Type), "what"); i >= 0 {
					whatParam[f.declared(fd)] = i
				}
			}
		}
	}
	var out []use
	for _, f := range m.files {
		ast.Inspect(f.file, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				if i, ok := whatParam[f.callee(n)]; ok && i < len(n.Args) {
					if s, ok := stringLit(n.Args[i]); ok {
						out = append(out, use{text: s, where: m.fset.Position(n.Pos()).String()})
					}
				}
			case *ast.GenDecl:
				if n.Tok != token.CONST {
					return true
				}
				for _, spec := range n.Specs {
					vs := spec.(*ast.ValueSpec)
					typ := typeName(f, vs.Type)
					base := typ[strings.LastIndex(typ, ".")+1:]
					for i, name := range vs.Names {
						if i >= len(vs.Values) {
							continue
						}
						s, ok := stringLit(vs.Values[i])
						switch {
						case !ok || s == "":
						case base == "Role" || strings.HasSuffix(base, "Status") || strings.HasSuffix(base, "Action"),
							typ == "" && len(name.Name) > 3 && strings.HasPrefix(name.Name, "Act") && name.Name[3] >= 'A' && name.Name[3] <= 'Z':
							out = append(out, use{text: s, typ: typ, where: m.fset.Position(name.Pos()).String()})
						}
					}
				}
			}
			return true
		})
	}
	return out
}

// typeName is a constant's declared type as %T prints it: "guanjia.Status".
func typeName(f sourceFile, e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return path.Base(f.pkgPath) + "." + e.Name
	case *ast.SelectorExpr:
		if x, ok := e.X.(*ast.Ident); ok {
			return path.Base(f.imports[x.Name]) + "." + e.Sel.Name
		}
	}
	return ""
}

// stringLit is the value of a string literal, or of literals joined by +.
func stringLit(e ast.Expr) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind == token.STRING {
			s, err := strconv.Unquote(e.Value)
			return s, err == nil
		}
	case *ast.BinaryExpr:
		if e.Op == token.ADD {
			a, ok1 := stringLit(e.X)
			b, ok2 := stringLit(e.Y)
			return a + b, ok1 && ok2
		}
	case *ast.ParenExpr:
		return stringLit(e.X)
	}
	return "", false
}

func isIdent(e ast.Expr, name string) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == name
}
