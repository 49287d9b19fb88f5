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
	tileURL  string // the map tiles the pages may load
	queuesUI bool   // the queue monitor is mounted: admins get a link to it

	streamsDone      chan struct{} // closed at shutdown: ends the live streams
	closeStreamsOnce sync.Once
}

// consoleRoles may use the console; crews use /crew.
var consoleRoles = deskStaff

// pageSecurity keeps the pages to their own scripts and images: no inline
// script runs, and no image from elsewhere loads (user text is rendered as
// text, and this is the second line). consoleSecurity adds the map tiles.
const pageSecurity = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

// pageAllow admits the roles listed to a page; others go to their own start page.
func pageAllow(roles ...guanjia.Role) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			who := claimsOf(c)
			if slices.Contains(roles, who.Role) {
				return next(c)
			}
			c.Response().Header().Set(guardHeader, "role")
			switch {
			case who.Role == guanjia.RoleCrew:
				return c.Redirect(http.StatusSeeOther, "/crew")
			case slices.Contains(consoleRoles, who.Role):
				return c.Redirect(http.StatusSeeOther, "/console/queue")
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
			User: web.User{ID: u.ID, Name: u.DisplayName(), Role: string(u.Role), Unit: u.UnitCode}}
		if name == "order" {
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
	c.Response().WriteHeader(http.StatusOK)
	return h.pages.Render(c.Response(), p)
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
