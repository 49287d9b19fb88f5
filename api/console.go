package api

import (
	"errors"
	"net/http"
	"slices"
	"sync"

	"github.com/labstack/echo/v4"

	"guanjia"
	"guanjia/live"
	"guanjia/web"
)

// The console (/console/…) and the crew page (/crew) are server-rendered
// shells; their scripts read and write through the same /api/v1 as every
// other client, signed in by the session cookie that login sets.

// consoleHandlers serve the console's and the crew page's shells, their
// static files and the live queue (live.go).
type consoleHandlers struct {
	users    guanjia.UserStore
	sessions *sessions
	live     *live.Live
	pages    *web.Pages
	tileURL  string     // the map tiles the pages may load
	queuesUI bool       // the queue monitor is mounted: admins get a link to it
	nav      []navEntry // the menu, with who may open each page (from the route table)

	streamsDone      chan struct{} // closed at shutdown: ends the live streams
	closeStreamsOnce sync.Once
}

// consoleRoles may use the 12345 console; crews and grid managers use /crew.
var consoleRoles = deskStaff

// navEntry is one link of the console's menu. A role sees the link when the
// route table admits it to the page (routes fills in roles), so the menu never
// offers a page that would turn its reader away.
type navEntry struct {
	path, label string
	page        string // the page it marks as current
	also        string // another page that marks it current ("" if none)
	badge       bool   // shows the unread-messages count
	roles       []guanjia.Role
}

// The first entry a role may open is its start page; the inbox comes last.
var consoleNav = []navEntry{
	{path: "/console/queue", label: "实时队列", page: "queue"},
	{path: "/console/new", label: "新建工单", page: "new"},
	{path: "/console/dashboard", label: "统计看板", page: "dashboard"},
	{path: "/console/notices", label: "温馨告知", page: "notices"},
	{path: "/console/disputes", label: "矛盾纠纷", page: "disputes", also: "dispute"},
	{path: "/console/poi", label: "生活圈", page: "poi"},
	{path: "/console/approvals", label: "行政审批", page: "approvals"},
	{path: "/console/credit", label: "诚信海口", page: "credit"},
	{path: "/console/volunteer", label: "公益海口", page: "volunteer"},
	{path: "/console/laws", label: "法律法规", page: "laws"},
	{path: "/console/weather", label: "台风积水", page: "weather"},
	{path: "/console/users", label: "账号管理", page: "users"},
	{path: "/console/categories", label: "分类管理", page: "categories"},
	{path: "/console/inbox", label: "站内消息", page: "inbox", badge: true},
}

// navFor is the menu of the pages the table serves, each with who may open it.
func navFor(table []route) []navEntry {
	var out []navEntry
	for _, e := range consoleNav {
		for _, rt := range table {
			if rt.path == e.path && rt.access.kind == accessPage && !rt.skip {
				e.roles = rt.access.roles
				out = append(out, e)
			}
		}
	}
	return out
}

// menu is what role sees of the menu on page.
func (h *consoleHandlers) menu(role guanjia.Role, page string) []web.NavLink {
	var out []web.NavLink
	for _, e := range h.nav {
		if slices.Contains(e.roles, role) {
			out = append(out, web.NavLink{Href: e.path, Label: e.label, Current: page == e.page || page == e.also, Badge: e.badge})
		}
	}
	return out
}

// startPage is where role's work begins: the crew page, or the first page of
// its menu; "" when it has no page here (citizens use the mini-program).
func (h *consoleHandlers) startPage(role guanjia.Role) string {
	if role == guanjia.RoleCrew || role == guanjia.RoleGridManager {
		return "/crew"
	}
	if m := h.menu(role, ""); len(m) > 0 {
		return m[0].Href
	}
	return ""
}

// pageSecurity keeps the pages to their own scripts and images: no inline
// script runs, and no image from elsewhere loads (user text is rendered as
// text, and this is the second line). consoleSecurity adds the map tiles.
const pageSecurity = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

// pageAllow admits the roles listed to a page; others go to their own start page.
func (h *consoleHandlers) pageAllow(roles ...guanjia.Role) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			who := claimsOf(c)
			if slices.Contains(roles, who.Role) {
				return next(c)
			}
			c.Response().Header().Set(guardHeader, "role")
			if start := h.startPage(who.Role); start != "" {
				return c.Redirect(http.StatusSeeOther, start)
			}
			return guanjia.Errorf(guanjia.EFORBIDDEN, "a %s has no console; use the mini-program", who.Role)
		}
	}
}

// page renders one page; pageAllow has admitted the caller.
func (h *consoleHandlers) page(name, title string) echo.HandlerFunc {
	return func(c echo.Context) error {
		who := claimsOf(c)
		u, err := h.users.FindUserByID(c.Request().Context(), who.UserID)
		if err != nil {
			return err
		}
		p := web.Page{Name: name, Title: title, CanAdmin: who.Role == guanjia.RoleAdmin && h.queuesUI,
			User: web.User{ID: u.ID, Name: u.DisplayName(), Role: string(u.Role), Unit: u.UnitCode}, Nav: h.menu(who.Role, name)}
		if name == "order" || name == "dispute" {
			if p.OrderID, err = pathID(c); err != nil {
				return err
			}
		}
		return h.render(c, p)
	}
}

func (h *consoleHandlers) render(c echo.Context, p web.Page) error {
	p.Version, p.TileURL = web.Version, h.tileURL
	hd := c.Response().Header()
	hd.Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
	hd.Set(echo.HeaderCacheControl, "no-store")
	hd.Set("Content-Security-Policy", consoleSecurity(h.tileURL))
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "same-origin")
	return h.pages.Render(c.Response(), p) // renders in full before the first byte: a failure is a 500, not a blank page
}

// handleConsoleLogin renders the login page; whoever is signed in already goes on.
func (h *consoleHandlers) handleConsoleLogin(c echo.Context) error {
	next := sameSitePath(c.QueryParam("next")) // only paths on this site: no open redirect
	return h.render(c, web.Page{Name: "login", Title: "登录", Next: next})
}

// handleConsoleHome sends /console to the live queue (or to login).
func (h *consoleHandlers) handleConsoleHome(c echo.Context) error {
	return c.Redirect(http.StatusSeeOther, "/console/queue")
}

// handleStatic serves the embedded assets. Pages ask for them with the
// release's fingerprint (?v=), which may be cached for good.
func (h *consoleHandlers) handleStatic(c echo.Context) error {
	hd := c.Response().Header()
	if c.QueryParam("v") == web.Version {
		hd.Set(echo.HeaderCacheControl, "public, max-age=31536000, immutable")
	} else {
		hd.Set(echo.HeaderCacheControl, "public, max-age=3600")
	}
	hd.Set("X-Content-Type-Options", "nosniff")
	if err := staticFiles(c); errors.Is(err, echo.ErrNotFound) {
		return guanjia.Errorf(guanjia.ENOTFOUND, "no such file %q", c.Param("*"))
	} else if err != nil {
		return err
	}
	return nil
}

var staticFiles = echo.StaticDirectoryHandler(web.Static, false)
