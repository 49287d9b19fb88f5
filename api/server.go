// Package api serves guanjia's HTTP API with echo: one route table
// (routes.go), one file per resource, one error handler.
package api

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"guanjia"
	"guanjia/credit"
	"guanjia/dispatch"
	"guanjia/volunteer"
	"guanjia/web"
)

// Config holds the plain values the server needs.
type Config struct {
	Secret         string        // signs bearer tokens
	TokenTTL       time.Duration // how long a login lasts
	MaxPhotoBytes  int64
	AdminQueuesUI  http.Handler // asynqmon, mounted at /admin/queues for admins; may be nil
	WeChatCallback http.Handler // /wechat/callback; may be nil
	FakeWeChat     http.Handler // /__fake/wechat/ in embedded mode only; may be nil
	FakeSMS        http.Handler // /__fake/sms/messages in embedded mode only; may be nil
	MapTileURL     string       // console maps: Leaflet tile URL template (WGS-84 tiles); "" draws the grids only
	// Sessions and sign-in (session.go, throttle.go).
	SecureCookie   bool           // the session cookie is Secure: the public URL is https
	SessionRecheck time.Duration  // how long a replica trusts what it read about a session (3s)
	Throttle       ThrottleConfig // password guessing
	TrustedProxies []*net.IPNet   // reverse proxies whose X-Forwarded-For names the client; none: the peer is the client
}

// Users is what the API needs of accounts: users, their sessions, their administration.
type Users interface {
	guanjia.UserStore
	guanjia.SessionStore
	guanjia.UserAdminStore
}

// Deps are the services behind the API.
type Deps struct {
	Users         Users
	Catalog       guanjia.CatalogStore
	Notifications guanjia.NotificationStore
	Idempotency   guanjia.IdempotencyStore
	Blobs         guanjia.BlobStore
	Dispatch      *dispatch.Service
	Volunteer     *volunteer.Service
	Credit        *credit.Service
	WeChat        MiniProgram // nil when no WeChat app is configured
	Notices       guanjia.NoticeStore
	Inbox         guanjia.InboxStore              // staff's 站内消息; nil serves no /api/v1/inbox
	Deliveries    DeliveryCounter                 // outcomes for the dashboard; nil serves no /api/v1/stats/deliveries
	Live          *Live                           // live queue fan-out; nil serves no /api/v1/live
	Redis         redis.UniversalClient           // sign-in throttling and session changes across replicas; nil: neither
	Ready         func(ctx context.Context) error // database and Redis reachable
	Registry      *prometheus.Registry
	Log           *slog.Logger
	Now           func() time.Time
}

// Server is the HTTP API.
type Server struct {
	cfg           Config
	echo          *echo.Echo
	users         Users
	catalog       guanjia.CatalogStore
	notifications guanjia.NotificationStore
	idem          guanjia.IdempotencyStore
	blobs         guanjia.BlobStore
	dispatch      *dispatch.Service
	volunteer     *volunteer.Service
	credit        *credit.Service
	wechat        MiniProgram
	ready         func(ctx context.Context) error
	registry      *prometheus.Registry
	metrics       *httpMetrics
	log           *slog.Logger
	now           func() time.Time
	// Console and live queue (console.go, live.go, notice.go).
	notices          guanjia.NoticeStore
	inbox            guanjia.InboxStore
	deliveries       DeliveryCounter
	live             *Live
	pages            *web.Pages
	streamsDone      chan struct{} // closed at shutdown: ends the live streams
	closeStreamsOnce sync.Once
	// Sessions and sign-in (session.go, throttle.go).
	rdb          redis.UniversalClient
	sessionCache *sessionCache
	throttle     *loginThrottle
}

// New builds the server and its routes.
func New(cfg Config, d Deps) *Server {
	if cfg.TokenTTL == 0 {
		cfg.TokenTTL = 12 * time.Hour
	}
	if cfg.MaxPhotoBytes == 0 {
		cfg.MaxPhotoBytes = 10 << 20
	}
	s := &Server{cfg: cfg, echo: echo.New(), users: d.Users, catalog: d.Catalog, notifications: d.Notifications,
		idem: d.Idempotency, blobs: d.Blobs, dispatch: d.Dispatch, volunteer: d.Volunteer, credit: d.Credit, wechat: d.WeChat, ready: d.Ready, registry: d.Registry,
		log: d.Log, now: d.Now}
	s.metrics = newHTTPMetrics(d.Registry)
	s.notices, s.live, s.pages, s.streamsDone = d.Notices, d.Live, web.MustParsePages(), make(chan struct{})
	s.inbox, s.deliveries = d.Inbox, d.Deliveries
	if cfg.SessionRecheck <= 0 {
		cfg.SessionRecheck = defaultSessionRecheck
	}
	cfg.Throttle.defaults()
	s.cfg = cfg
	s.rdb, s.sessionCache = d.Redis, newSessionCache(cfg.SessionRecheck)
	s.throttle = &loginThrottle{rdb: d.Redis, cfg: cfg.Throttle, log: d.Log}
	s.echo.IPExtractor = clientIP(cfg.TrustedProxies)
	s.echo.HideBanner, s.echo.HidePort = true, true
	s.echo.HTTPErrorHandler = s.errorHandler
	s.routes()
	return s
}

// ServeHTTP lets tests and embedders use the server directly.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.echo.ServeHTTP(w, r) }

// Serve answers on l until ctx is done, then drains in-flight requests.
func (s *Server) Serve(ctx context.Context, l net.Listener) error {
	srv := &http.Server{Handler: s.echo, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	srv.RegisterOnShutdown(s.closeStreams) // Shutdown waits for requests; live streams never end by themselves
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	follow, stopFollowing := context.WithCancel(context.Background())
	defer stopFollowing()
	go s.followSessionChanges(follow)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// pathID parses the :id path parameter.
func pathID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, guanjia.Errorf(guanjia.ENOTFOUND, "no such id %q", c.Param("id"))
	}
	return id, nil
}
