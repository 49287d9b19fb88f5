package api

import (
	"errors"
	"net/http"
	"net/url"
	"slices"

	"github.com/labstack/echo/v4"

	"guanjia"
	"guanjia/web"
)

// The console (/console/…) and the crew page (/crew) are server-rendered
// shells; their scripts read and write through the same /api/v1 as every
// other client, signed in by the session cookie that login sets.

// consoleRoles may use the console; crews use /crew.
var consoleRoles = deskStaff

// pageSecurity keeps the pages to their own scripts and images: no inline
// script runs, and no image from elsewhere loads (user text is rendered as
// text, and this is the second line). consoleSecurity adds the map tiles.
const pageSecurity = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

// pageSession admits a browser with a valid session cookie and sends any
// other to the login page, coming back here afterwards.
func (s *Server) pageSession(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ck, err := c.Cookie(sessionCookie)
		if err == nil {
			var claims guanjia.Claims
			if claims, err = s.parseToken(c.Request().Context(), ck.Value); err == nil {
				c.Set(claimsKey, claims)
				return next(c)
			}
		}
		return c.Redirect(http.StatusSeeOther, "/console/login?next="+url.QueryEscape(c.Request().URL.RequestURI()))
	}
}

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
func (s *Server) page(name, title string) echo.HandlerFunc {
	return func(c echo.Context) error {
		who := claimsOf(c)
		u, err := s.users.FindUserByID(c.Request().Context(), who.UserID)
		if err != nil {
			return err
		}
		p := web.Page{Name: name, Title: title, CanAdmin: who.Role == guanjia.RoleAdmin && s.cfg.AdminQueuesUI != nil,
			User: web.User{ID: u.ID, Name: u.DisplayName(), Role: string(u.Role), Unit: u.UnitCode}}
		if name == "order" {
			if p.OrderID, err = pathID(c); err != nil {
				return err
			}
		}
		return s.render(c, p)
	}
}

func (s *Server) render(c echo.Context, p web.Page) error {
	p.Version, p.TileURL = web.Version, s.cfg.MapTileURL
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
	h.Set(echo.HeaderCacheControl, "no-store")
	h.Set("Content-Security-Policy", consoleSecurity(s.cfg.MapTileURL))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	c.Response().WriteHeader(http.StatusOK)
	return s.pages.Render(c.Response(), p)
}

// handleConsoleLogin renders the login page; whoever is signed in already goes on.
func (s *Server) handleConsoleLogin(c echo.Context) error {
	next := sameSitePath(c.QueryParam("next")) // only paths on this site: no open redirect
	return s.render(c, web.Page{Name: "login", Title: "登录", Next: next})
}

// handleConsoleHome sends /console to the live queue (or to login).
func (s *Server) handleConsoleHome(c echo.Context) error {
	return c.Redirect(http.StatusSeeOther, "/console/queue")
}

// handleStatic serves the embedded assets. Pages ask for them with the
// release's fingerprint (?v=), which may be cached for good.
func (s *Server) handleStatic(c echo.Context) error {
	h := c.Response().Header()
	if c.QueryParam("v") == web.Version {
		h.Set(echo.HeaderCacheControl, "public, max-age=31536000, immutable")
	} else {
		h.Set(echo.HeaderCacheControl, "public, max-age=3600")
	}
	h.Set("X-Content-Type-Options", "nosniff")
	if err := staticFiles(c); errors.Is(err, echo.ErrNotFound) {
		return guanjia.Errorf(guanjia.ENOTFOUND, "no such file %q", c.Param("*"))
	} else if err != nil {
		return err
	}
	return nil
}

var staticFiles = echo.StaticDirectoryHandler(web.Static, false)
