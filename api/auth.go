package api

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/labstack/echo/v4"

	"guanjia"
	"guanjia/account"
)

// tokenClaims is the JWT body: who, in which role and unit.
type tokenClaims struct {
	Role string `json:"role"`
	Unit string `json:"unit,omitempty"`
	jwt.RegisteredClaims
}

// IssueToken starts a session for u and signs its bearer token, valid for
// ttl. The token is good until it expires or its session ends (session.go).
func IssueToken(ctx context.Context, sessions guanjia.SessionStore, secret string, u *guanjia.User, ttl time.Duration, now time.Time) (string, error) {
	return issueToken(ctx, sessions, secret, u, ttl, now, "", "")
}

// issueToken is IssueToken for a sign-in from ip; credential is the password
// hash a password sign-in was checked against (guanjia.Session), else "".
func issueToken(ctx context.Context, sessions guanjia.SessionStore, secret string, u *guanjia.User, ttl time.Duration, now time.Time, ip, credential string) (string, error) {
	if u.Disabled() {
		return "", guanjia.Errorf(guanjia.EFORBIDDEN, "this account is disabled; ask an administrator")
	}
	sid, err := newSessionID()
	if err != nil {
		return "", err
	}
	now = now.Truncate(time.Second) // as the token says it
	if err := sessions.CreateSession(ctx, &guanjia.Session{ID: sid, UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(ttl), IP: ip,
		Credential: credential}); err != nil {
		return "", err
	}
	claims := tokenClaims{Role: string(u.Role), Unit: u.UnitCode, RegisteredClaims: jwt.RegisteredClaims{
		ID: sid, Subject: strconv.FormatInt(u.ID, 10), Issuer: "guanjia",
		IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
	}}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(secret))
}

// signedToken is what a token's signature vouches for.
type signedToken struct {
	guanjia.Claims
	session string // jti
}

// decodeToken checks a token's signature, issuer and expiry.
func (s *sessions) decodeToken(raw string) (signedToken, error) {
	var tc tokenClaims
	_, err := jwt.ParseWithClaims(raw, &tc, func(*jwt.Token) (any, error) { return []byte(s.secret), nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithIssuer("guanjia"), jwt.WithTimeFunc(s.now))
	if err != nil {
		return signedToken{}, guanjia.Errorf(guanjia.EUNAUTHORIZED, "invalid or expired token")
	}
	id, err := strconv.ParseInt(tc.Subject, 10, 64)
	if err != nil || !guanjia.Role(tc.Role).Valid() || tc.ID == "" { // no jti: issued before sessions, sign in again
		return signedToken{}, guanjia.Errorf(guanjia.EUNAUTHORIZED, "invalid token")
	}
	return signedToken{Claims: guanjia.Claims{UserID: id, Role: guanjia.Role(tc.Role), UnitCode: tc.Unit}, session: tc.ID}, nil
}

// parseToken verifies a bearer token and returns its claims: the signature,
// and that its session is live and its user still active in the role and
// unit it names.
func (s *sessions) parseToken(ctx context.Context, raw string) (guanjia.Claims, error) {
	t, err := s.verifyToken(ctx, raw)
	return t.Claims, err
}

func (s *sessions) verifyToken(ctx context.Context, raw string) (signedToken, error) {
	t, err := s.decodeToken(raw)
	if err != nil {
		return signedToken{}, err
	}
	if err := s.admits(ctx, t); err != nil {
		return signedToken{}, err
	}
	return t, nil
}

// admits checks that t's session is live and its user still active
// in the role and unit t names.
func (s *sessions) admits(ctx context.Context, t signedToken) error {
	_, err := s.current(ctx, t)
	return err
}

// current is admits answering what the check read of the user as well (a
// grid manager's live stream follows a move to another grid).
func (s *sessions) current(ctx context.Context, t signedToken) (sessionVerdict, error) {
	v, err := s.check(ctx, t.session)
	switch {
	case err != nil:
		return v, err
	case v.err != nil:
		return v, v.err
	case v.userID != t.UserID:
		return v, guanjia.Errorf(guanjia.EUNAUTHORIZED, "invalid token")
	case v.role != t.Role || v.unit != t.UnitCode:
		return v, guanjia.Errorf(guanjia.EUNAUTHORIZED, "your role or unit has changed; sign in again")
	}
	return v, nil
}

const claimsKey = "claims"

// authenticate requires a valid bearer token (or the console's cookie, on
// a request that only this site's pages can send).
func (s *sessions) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		raw, fromCookie := tokenOf(c)
		if raw == "" {
			return guanjia.Errorf(guanjia.EUNAUTHORIZED, "sign in first: missing bearer token")
		}
		t, err := s.verifyToken(c.Request().Context(), raw)
		if err != nil {
			return err
		}
		if fromCookie {
			if err := checkCookieRequest(c.Request()); err != nil {
				return err
			}
		}
		c.Set(claimsKey, t.Claims)
		c.Set(sessionKey, t.session)
		return next(c)
	}
}

// sessionKey holds the id of the caller's session.
const sessionKey = "session"

func sessionOf(c echo.Context) string {
	id, _ := c.Get(sessionKey).(string)
	return id
}

// sessionCookie carries the same JWT for the server-rendered console and for
// EventSource, which cannot send an Authorization header.
const sessionCookie = "guanjia_token"

func claimsOf(c echo.Context) guanjia.Claims {
	cl, _ := c.Get(claimsKey).(guanjia.Claims)
	return cl
}

// allow admits only the listed roles.
func allow(roles ...guanjia.Role) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if !slices.Contains(roles, claimsOf(c).Role) {
				c.Response().Header().Set(guardHeader, "role")
				return guanjia.Errorf(guanjia.EFORBIDDEN, "a %s may not do this", claimsOf(c).Role)
			}
			return next(c)
		}
	}
}

var (
	staff     = []guanjia.Role{guanjia.RoleAgent, guanjia.RoleDispatcher, guanjia.RoleCrew, guanjia.RoleUnitAdmin, guanjia.RoleAdmin}
	deskStaff = []guanjia.Role{guanjia.RoleAgent, guanjia.RoleDispatcher, guanjia.RoleUnitAdmin, guanjia.RoleAdmin}
	// inboxReaders have a 站内消息: staff, and the mediators, departments and
	// grid managers that 大调解 and 便民信息 write to.
	inboxReaders = append(slices.Clone(staff), guanjia.RoleMediator, guanjia.RoleDepartment, guanjia.RoleGridManager)
)

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

type loginResponse struct {
	Token  string `json:"token"`
	Role   string `json:"role"`
	UserID int64  `json:"user_id"`
	OpenID string `json:"openid,omitempty"`
}

// handleLogin checks a username and password and answers a bearer token.
func (h *accountHandlers) handleLogin(c echo.Context) error {
	// The answer sets the console's cookie: a cross-site form (text/plain
	// can carry JSON) would sign this browser in as another (login CSRF).
	if err := checkCookieRequest(c.Request()); err != nil {
		return err
	}
	var req loginRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	if !account.LoginAcceptable(req.Username, req.Password) {
		// No such account: bcrypt would ignore a password's bytes past the 72nd.
		return guanjia.Errorf(guanjia.EUNAUTHORIZED, "wrong username or password")
	}
	ctx := c.Request().Context()
	// Counted before the check, so parallel guesses are counted too (throttle.go).
	try, err := h.throttle.begin(ctx, req.Username, clientNet(c))
	if err != nil {
		return retryLater(c, err)
	}
	u, err := h.accounts.CheckLogin(ctx, req.Username, req.Password)
	if guanjia.ErrorCode(err) == guanjia.EUNAUTHORIZED {
		if h.throttle.failed(ctx, try) && u != nil {
			h.recordLock(ctx, u, c.RealIP())
		}
		return err
	} else if err != nil {
		return err
	}
	h.throttle.succeeded(ctx, try)
	return h.sessions.signIn(c, u, u.PasswordHash, true)
}

// recordLock audits the lock that a wrong password just put on u; the
// caller does not wait on it, and a failure is logged.
func (h *accountHandlers) recordLock(ctx context.Context, u *guanjia.User, ip string) {
	detail := fmt.Sprintf("%s from %s", h.throttle.cfg.Lock, ip)
	if err := h.accounts.RecordLock(context.WithoutCancel(ctx), u.ID, detail); err != nil {
		h.log.Error("audit", "user", u.ID, "event", guanjia.UserLocked, "err", err)
	}
}

// signIn signs u in: a new session and its token, credential as
// issueToken's; console: the console's cookie too (a password sign-in on its
// page). A mini-program holds its token itself, so a WeChat sign-in sets no
// cookie, and another site's form posting to it changes no browser's session.
func (s *sessions) signIn(c echo.Context, u *guanjia.User, credential string, console bool) error {
	tok, err := issueToken(c.Request().Context(), s.store, s.secret, u, s.ttl, s.now(), c.RealIP(), credential)
	if err != nil {
		return err
	}
	if console {
		c.SetCookie(s.cookieFor(tok))
	}
	return c.JSON(http.StatusOK, loginResponse{Token: tok, Role: string(u.Role), UserID: u.ID, OpenID: u.OpenID})
}

// handleLogout ends the caller's session on the server (the token is
// refused from now on, on every replica) and clears the console's cookie.
func (h *accountHandlers) handleLogout(c echo.Context) error {
	s := h.sessions
	raw, fromCookie := tokenOf(c)
	if fromCookie {
		if err := checkCookieRequest(c.Request()); err != nil {
			return err
		}
	}
	if t, err := s.decodeToken(raw); raw != "" && err == nil {
		ctx := c.Request().Context()
		if err := s.store.RevokeSession(ctx, t.session, s.now()); err != nil {
			return err
		}
		s.changed(ctx, "s"+t.session)
	}
	c.SetCookie(s.cookieFor(""))
	return c.NoContent(http.StatusNoContent)
}
