package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/labstack/echo/v4"
	"github.com/redis/go-redis/v9"

	"guanjia"
	"guanjia/live"
)

// A token is good only while its session is: each request checks that the
// session (the token's jti) is neither revoked nor expired and that its user
// is active in the role and unit the token names. What a replica read is
// trusted for at most Config.SessionRecheck (3 s); a change made on any
// replica (logout, password, disable, role) is also announced on Redis
// pub/sub so every replica forgets it at once. The command line announces
// its changes too when it reaches Redis; otherwise they take effect within
// SessionRecheck.

// defaultSessionRecheck is how long a replica trusts what it read about a session.
const defaultSessionRecheck = 3 * time.Second

// sessionChannel carries "u<user id>" (the user's sessions changed) and
// "s<session id>" (one session ended). Pub/sub ignores database numbers, so
// the number is part of the name, as for the live queue.
const sessionChannel = "guanjia:sessions"

// sessions checks tokens against the sessions they belong to, remembers
// what it read for a few seconds, and hears of changes on other replicas.
type sessions struct {
	secret       string        // signs tokens
	ttl          time.Duration // how long a sign-in lasts
	secureCookie bool
	store        Users
	cache        *sessionCache
	rdb          redis.UniversalClient // nil: no announcements across replicas
	log          *slog.Logger
	now          func() time.Time
}

// newSessionID is a token's jti: 128 random bits.
func newSessionID() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("api: session id: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// sessionVerdict is what a replica read about a session: the user it signs
// in as they are now, or why it no longer does.
type sessionVerdict struct {
	userID int64
	role   guanjia.Role
	unit   string
	grid   string // a grid manager's grid, for their live stream
	err    error
}

type sessionEntry struct {
	verdict sessionVerdict
	until   time.Time
}

// sessionCache remembers verdicts for a few seconds so that a request costs
// no database read; forget drops them when a change is announced.
type sessionCache struct {
	ttl time.Duration
	mu  sync.Mutex
	m   map[string]sessionEntry
}

const sessionCacheMax = 50000 // entries; past it the cache starts over

func newSessionCache(ttl time.Duration) *sessionCache {
	return &sessionCache{ttl: ttl, m: map[string]sessionEntry{}}
}

func (c *sessionCache) get(id string, now time.Time) (sessionVerdict, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[id]
	if !ok || !now.Before(e.until) {
		return sessionVerdict{}, false
	}
	return e.verdict, true
}

func (c *sessionCache) put(id string, v sessionVerdict, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= sessionCacheMax {
		for k, e := range c.m {
			if !now.Before(e.until) {
				delete(c.m, k)
			}
		}
		if len(c.m) >= sessionCacheMax {
			clear(c.m)
		}
	}
	c.m[id] = sessionEntry{verdict: v, until: now.Add(c.ttl)}
}

// forget drops one session ("s…"), a user's sessions ("u…"), or everything ("").
func (c *sessionCache) forget(scope string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case scope == "":
		clear(c.m)
	case strings.HasPrefix(scope, "s"):
		delete(c.m, scope[1:])
	case strings.HasPrefix(scope, "u"):
		id, err := strconv.ParseInt(scope[1:], 10, 64)
		if err != nil {
			clear(c.m)
			return
		}
		for k, e := range c.m {
			if e.verdict.userID == id {
				delete(c.m, k)
			}
		}
	}
}

// sessionEnded is the answer to a token whose session is over.
func sessionEnded() error {
	return guanjia.Errorf(guanjia.EUNAUTHORIZED, "this session has ended; sign in again")
}

// check answers who a live session signs in as, from the cache or the database.
func (s *sessions) check(ctx context.Context, id string) (sessionVerdict, error) {
	now := s.now()
	if v, ok := s.cache.get(id, now); ok {
		return v, nil
	}
	v, err := s.read(ctx, id, now)
	if err != nil {
		return v, err // the database is away: nothing to remember
	}
	s.cache.put(id, v, now)
	return v, nil
}

func (s *sessions) read(ctx context.Context, id string, now time.Time) (sessionVerdict, error) {
	se, err := s.store.FindSession(ctx, id)
	switch {
	case guanjia.ErrorCode(err) == guanjia.ENOTFOUND:
		return sessionVerdict{err: sessionEnded()}, nil
	case err != nil:
		return sessionVerdict{}, err
	case !se.Active(now):
		return sessionVerdict{userID: se.UserID, err: sessionEnded()}, nil
	}
	u, err := s.store.FindUserByID(ctx, se.UserID)
	switch {
	case guanjia.ErrorCode(err) == guanjia.ENOTFOUND:
		return sessionVerdict{userID: se.UserID, err: sessionEnded()}, nil
	case err != nil:
		return sessionVerdict{}, err
	case u.Disabled():
		return sessionVerdict{userID: u.ID, err: accountDisabled()}, nil
	}
	return sessionVerdict{userID: u.ID, role: u.Role, unit: u.UnitCode, grid: u.GridID}, nil
}

func accountDisabled() error {
	return guanjia.Errorf(guanjia.EUNAUTHORIZED, "this account is disabled; ask an administrator")
}

// changed forgets what this replica read about the sessions of a
// user ("u<id>") or one session ("s<id>") and tells the other replicas.
func (s *sessions) changed(ctx context.Context, scope string) {
	s.cache.forget(scope)
	if s.rdb == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
	defer cancel()
	if err := s.rdb.Publish(ctx, sessionChannelOf(s.rdb), scope).Err(); err != nil {
		// The others still notice within SessionRecheck.
		s.log.Warn("sessions: announce a change", "err", err)
	}
}

// PublishUserChanged tells every API replica that a user's account changed
// (the command line's changes), so none trusts what it read about their
// sessions any longer.
func PublishUserChanged(ctx context.Context, rdb redis.UniversalClient, userID int64) error {
	return rdb.Publish(ctx, sessionChannelOf(rdb), "u"+strconv.FormatInt(userID, 10)).Err()
}

func sessionChannelOf(rdb redis.UniversalClient) string {
	return live.ChannelOf(rdb, sessionChannel)
}

// follow applies the changes other replicas announce until ctx
// is done. After a reconnect everything read before is forgotten, since
// announcements may have been missed meanwhile.
func (s *sessions) follow(ctx context.Context) {
	if s.rdb == nil {
		return
	}
	ps := s.rdb.Subscribe(ctx, sessionChannelOf(s.rdb))
	defer ps.Close()
	for {
		msg, err := ps.Receive(ctx)
		if ctx.Err() != nil {
			return
		}
		switch m := msg.(type) {
		case *redis.Subscription:
			s.cache.forget("")
		case *redis.Message:
			s.cache.forget(m.Payload)
		}
		if err != nil {
			s.cache.forget("")
			select { // go-redis reconnects on the next Receive
			case <-ctx.Done():
				return
			case <-time.After(time.Second):
			}
		}
	}
}

// pageSession admits a browser with a valid session cookie and sends any
// other to the login page, coming back here afterwards.
func (s *sessions) pageSession(next echo.HandlerFunc) echo.HandlerFunc {
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

// creditViewer lets the public credit pages answer anyone: a valid token
// (or the console's cookie) makes the caller staff or a signed-in user,
// anything else is an anonymous visitor. A bad token is not an error here:
// the answer is then the public one.
func (s *sessions) creditViewer(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		raw := strings.TrimPrefix(c.Request().Header.Get(echo.HeaderAuthorization), "Bearer ")
		if raw == "" {
			if ck, err := c.Cookie(sessionCookie); err == nil {
				raw = ck.Value
			}
		}
		if raw != "" {
			if claims, err := s.parseToken(c.Request().Context(), raw); err == nil {
				c.Set(claimsKey, claims)
			}
		}
		return next(c)
	}
}

// tokenOf finds the caller's token: the Authorization header, else the
// console's session cookie (fromCookie).
func tokenOf(c echo.Context) (raw string, fromCookie bool) {
	if h := c.Request().Header.Get(echo.HeaderAuthorization); h != "" {
		return strings.TrimPrefix(h, "Bearer "), false
	}
	if ck, err := c.Cookie(sessionCookie); err == nil && ck.Value != "" {
		return ck.Value, true
	}
	return "", false
}

// checkCookieRequest refuses a state-changing request signed in by the
// session cookie that a page of another site could have sent (CSRF). The
// browser sends the cookie with a cross-site form post, but another site can
// neither send a JSON body nor add a header without a CORS preflight, which
// this server never grants; a browser that says where the request came from
// (Sec-Fetch-Site) is believed. Bearer tokens are never sent by the browser
// on its own, so they need none of this.
func checkCookieRequest(r *http.Request) error {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return nil
	}
	refuse := guanjia.Errorf(guanjia.EFORBIDDEN,
		"a change signed in by cookie must come from this site's pages (send JSON or X-Requested-With)")
	switch r.Header.Get("Sec-Fetch-Site") {
	case "same-origin":
		return nil
	case "": // an older browser or not a browser: the rules below
	default: // cross-site, same-site (a sibling subdomain), none
		return refuse
	}
	if origin := r.Header.Get("Origin"); origin != "" {
		if u, err := url.Parse(origin); err != nil || u.Host != r.Host {
			return refuse
		}
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType)); err == nil && mt == echo.MIMEApplicationJSON {
		return nil
	}
	if r.Header.Get("X-Requested-With") != "" {
		return nil
	}
	return refuse
}

// cookieFor is the console's cookie carrying tok (tok "" deletes it).
// It is Secure when the public URL is https, so it never travels in clear.
func (s *sessions) cookieFor(tok string) *http.Cookie {
	ck := &http.Cookie{Name: sessionCookie, Value: tok, Path: "/", HttpOnly: true, Secure: s.secureCookie,
		SameSite: http.SameSiteLaxMode, MaxAge: int(s.ttl / time.Second)}
	if tok == "" {
		ck.MaxAge = -1
	}
	return ck
}

// clientIP extracts the caller's address. Without trusted proxies it is the
// connection's peer; with them, X-Forwarded-For is read from the right,
// skipping only the configured proxies, so a client cannot choose its own
// address by sending the header itself.
func clientIP(trusted []*net.IPNet) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, n := range trusted {
		opts = append(opts, echo.TrustIPRange(n))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// ParseTrustedProxies reads a comma-separated list of addresses and CIDR
// ranges (GUANJIA_TRUSTED_PROXIES).
func ParseTrustedProxies(list string) ([]*net.IPNet, error) {
	var out []*net.IPNet
	for _, f := range strings.Split(list, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !strings.Contains(f, "/") {
			ip := net.ParseIP(f)
			if ip == nil {
				return nil, guanjia.Errorf(guanjia.EINVALID, "%q is not an IP address or CIDR range", f)
			}
			bits := 128
			if ip.To4() != nil {
				ip, bits = ip.To4(), 32
			}
			out = append(out, &net.IPNet{IP: ip, Mask: net.CIDRMask(bits, bits)})
			continue
		}
		_, n, err := net.ParseCIDR(f)
		if err != nil {
			return nil, guanjia.Errorf(guanjia.EINVALID, "%q is not an IP address or CIDR range", f)
		}
		out = append(out, n)
	}
	return out, nil
}

// sameSitePath answers next when it is a path on this site and "" otherwise.
// Browsers drop tabs and newlines inside URLs and read a backslash as a
// slash, so "/\t/evil.example" or "/\\evil.example" would leave the site: a
// path starts with one slash, and holds no backslash, control character or
// space — nor does its path once more percent-decoded.
func sameSitePath(next string) string {
	path, _, _ := strings.Cut(next, "?")
	path, _, _ = strings.Cut(path, "#")
	decoded, err := url.PathUnescape(path)
	if err != nil {
		return ""
	}
	for _, p := range []string{next, decoded} {
		if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") {
			return ""
		}
		if strings.ContainsFunc(p, func(r rune) bool {
			return r == '\\' || r == unicode.ReplacementChar || unicode.IsControl(r) || unicode.IsSpace(r) ||
				!unicode.IsPrint(r)
		}) {
			return ""
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return ""
	}
	return next
}
