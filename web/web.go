// Package web holds the 12345 dispatch console's and the crew page's
// templates and static assets. Everything is embedded in the binary: the
// city's network is often closed, so nothing is loaded from a CDN.
//
// Vendored, unmodified dist files with their licences (update with
// `npm pack leaflet@1 chart.js@4` and copy the same files):
//
//	static/vendor/leaflet  Leaflet 1.9.4 (BSD-2-Clause)
//	static/vendor/chartjs  Chart.js 4.6.1 (MIT)
//
// The pages are thin: the server renders the shell, and every read and
// write goes through the JSON API (/api/v1) with the session cookie.
package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Static is the tree served under /static/.
var Static fs.FS = mustSub(staticFS, "static")

// Version fingerprints the static files; pages put it in asset URLs so
// browsers may cache them for good and still see a new release at once.
var Version = fingerprint(Static)

// Page is what every page template receives.
type Page struct {
	Name     string // the template, and the nav entry to highlight
	Title    string
	User     User
	Version  string
	TileURL  string    // Leaflet tile URL template; "" draws the grids only
	OrderID  int64     // the order page's complaint; the dispute page's dispute
	Next     string    // the login page's destination
	CanAdmin bool      // admins see the link to the queue monitor
	Nav      []NavLink // the console menu: the pages this user may open
}

// NavLink is one entry of the console menu.
type NavLink struct {
	Href, Label string
	Current     bool // the page shown
	Badge       bool // carries the unread-messages count
}

// User is the signed-in person, as the header shows them.
type User struct {
	ID   int64
	Name string
	Role string // guanjia.Role
	Unit string
}

// RoleLabel is the Chinese name of the user's role.
func (u User) RoleLabel() string { return roleLabels[u.Role] }

var roleLabels = map[string]string{
	"citizen": "市民", "agent": "12345话务员", "dispatcher": "指挥中心", "crew": "处置人员",
	"unit_admin": "单位负责人", "admin": "系统管理员", "department": "部门工作人员",
	"grid_manager": "网格员", "mediator": "调解员",
}

// Pages are the parsed page templates, each joined with the layout, and
// the citizens' rating page, which stands alone.
type Pages struct {
	byName map[string]*template.Template
	rate   *template.Template
}

// RatePage is what the 回访 page of a 12345 caller receives (templates/rate.html).
type RatePage struct {
	Version  string
	Action   string // where the form posts: the signed link itself
	State    string // form, done or error
	Heading  string // of done and error
	Message  string
	OrderID  int64
	Category string
	Note     string // what was done (the resolve note)
	Error    string // why the form came back
	Solved   *bool  // the answers so far, when the form comes back
	Score    int
	Comment  string
}

// Is reports whether the answer so far is v ("yes"/"no"), for checked radios.
func (p RatePage) Is(v string) bool {
	return p.Solved != nil && *p.Solved == (v == "yes")
}

// RenderRate writes the rating page.
func (p *Pages) RenderRate(w io.Writer, data RatePage) error {
	var buf bytes.Buffer
	if err := p.rate.ExecuteTemplate(&buf, "rate", data); err != nil {
		return fmt.Errorf("web: render rate: %w", err)
	}
	_, err := buf.WriteTo(w)
	return err
}

// ParsePages parses the layout with each page template (every file under
// templates/ but the layout and the stand-alone rate page), so a new page
// needs only its template.
func ParsePages() (*Pages, error) {
	p := &Pages{byName: map[string]*template.Template{}}
	files, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		name := strings.TrimSuffix(path.Base(f), ".html")
		if name == "layout" || name == "rate" {
			continue
		}
		t, err := template.New(name).ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("web: parse %s: %w", name, err)
		}
		p.byName[name] = t
	}
	t, err := template.New("rate").ParseFS(templateFS, "templates/rate.html")
	if err != nil {
		return nil, fmt.Errorf("web: parse rate: %w", err)
	}
	p.rate = t
	return p, nil
}

// Render writes page data.Name. It renders into a buffer first so a
// template error never leaves half a page behind.
func (p *Pages) Render(w io.Writer, data Page) error {
	t, ok := p.byName[data.Name]
	if !ok {
		return fmt.Errorf("web: no page %q", data.Name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		return fmt.Errorf("web: render %s: %w", data.Name, err)
	}
	_, err := buf.WriteTo(w)
	return err
}

func mustSub(f fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		panic(err)
	}
	return sub
}

func fingerprint(f fs.FS) string {
	var names []string
	_ = fs.WalkDir(f, ".", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			names = append(names, path)
		}
		return err
	})
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		b, _ := fs.ReadFile(f, n)
		fmt.Fprintf(h, "%s %d\n", n, len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// MustParsePages is ParsePages for embedded templates, whose errors are the
// program's own: it panics.
func MustParsePages() *Pages {
	p, err := ParsePages()
	if err != nil {
		panic(err)
	}
	return p
}
