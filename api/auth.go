package api

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/labstack/echo/v4"
	"golang.org/x/crypto/bcrypt"

	"guanjia"
)

// tokenClaims is the JWT body: who, in which role and unit.
type tokenClaims struct {
	Role string `json:"role"`
	Unit string `json:"unit,omitempty"`
	jwt.RegisteredClaims
}

// IssueToken signs a bearer token for u, valid for ttl.
func IssueToken(secret string, u *guanjia.User, ttl time.Duration, now time.Time) (string, error) {
	claims := tokenClaims{Role: string(u.Role), Unit: u.UnitCode, RegisteredClaims: jwt.RegisteredClaims{
		Subject: strconv.FormatInt(u.ID, 10), Issuer: "guanjia",
		IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
	}}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(secret))
}

// parseToken verifies a bearer token and returns its claims.
func (s *Server) parseToken(raw string) (guanjia.Claims, error) {
	var tc tokenClaims
	_, err := jwt.ParseWithClaims(raw, &tc, func(*jwt.Token) (any, error) { return []byte(s.cfg.Secret), nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithIssuer("guanjia"), jwt.WithTimeFunc(s.now))
	if err != nil {
		return guanjia.Claims{}, guanjia.Errorf(guanjia.EUNAUTHORIZED, "invalid or expired token")
	}
	id, err := strconv.ParseInt(tc.Subject, 10, 64)
	if err != nil || !guanjia.Role(tc.Role).Valid() {
		return guanjia.Claims{}, guanjia.Errorf(guanjia.EUNAUTHORIZED, "invalid token")
	}
	return guanjia.Claims{UserID: id, Role: guanjia.Role(tc.Role), UnitCode: tc.Unit}, nil
}

const claimsKey = "claims"

// authenticate requires a valid bearer token (or the console's cookie).
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		raw := strings.TrimPrefix(c.Request().Header.Get(echo.HeaderAuthorization), "Bearer ")
		if raw == "" {
			if ck, err := c.Cookie(sessionCookie); err == nil {
				raw = ck.Value
			}
		}
		if raw == "" {
			return guanjia.Errorf(guanjia.EUNAUTHORIZED, "sign in first: missing bearer token")
		}
		claims, err := s.parseToken(raw)
		if err != nil {
			return err
		}
		c.Set(claimsKey, claims)
		return next(c)
	}
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
				return guanjia.Errorf(guanjia.EFORBIDDEN, "a %s may not do this", claimsOf(c).Role)
			}
			return next(c)
		}
	}
}

var (
	staff     = []guanjia.Role{guanjia.RoleAgent, guanjia.RoleDispatcher, guanjia.RoleCrew, guanjia.RoleUnitAdmin, guanjia.RoleAdmin}
	deskStaff = []guanjia.Role{guanjia.RoleAgent, guanjia.RoleDispatcher, guanjia.RoleUnitAdmin, guanjia.RoleAdmin}
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
func (s *Server) handleLogin(c echo.Context) error {
	var req loginRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	fail := guanjia.Errorf(guanjia.EUNAUTHORIZED, "wrong username or password")
	if req.Username == "" || req.Password == "" {
		return fail
	}
	u, err := s.users.FindUserByUsername(c.Request().Context(), req.Username)
	if guanjia.ErrorCode(err) == guanjia.ENOTFOUND {
		// Spend the same time as a real check so usernames cannot be probed by timing.
		_ = bcrypt.CompareHashAndPassword(dummyHash, []byte(req.Password))
		return fail
	} else if err != nil {
		return err
	}
	if u.PasswordHash == "" || bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(req.Password)) != nil {
		return fail
	}
	return s.answerToken(c, u)
}

func (s *Server) answerToken(c echo.Context, u *guanjia.User) error {
	tok, err := IssueToken(s.cfg.Secret, u, s.cfg.TokenTTL, s.now())
	if err != nil {
		return err
	}
	c.SetCookie(&http.Cookie{Name: sessionCookie, Value: tok, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, MaxAge: int(s.cfg.TokenTTL / time.Second)})
	return c.JSON(http.StatusOK, loginResponse{Token: tok, Role: string(u.Role), UserID: u.ID, OpenID: u.OpenID})
}

// handleLogout clears the console's cookie.
func (s *Server) handleLogout(c echo.Context) error {
	c.SetCookie(&http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1})
	return c.NoContent(http.StatusNoContent)
}

var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("not a password"), bcrypt.DefaultCost)

// HashPassword hashes a new password with bcrypt.
func HashPassword(p string) (string, error) {
	if len(p) < 8 {
		return "", guanjia.FieldError(guanjia.EINVALID, "password", "password must have at least 8 characters")
	}
	h, err := bcrypt.GenerateFromPassword([]byte(p), bcrypt.DefaultCost)
	return string(h), err
}
