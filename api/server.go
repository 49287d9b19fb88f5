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
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"guanjia"
	"guanjia/account"
	"guanjia/approval"
	"guanjia/catalog"
	"guanjia/classify"
	"guanjia/credit"
	"guanjia/dispatch"
	"guanjia/law"
	"guanjia/live"
	"guanjia/mediation"
	"guanjia/notice"
	"guanjia/open311"
	"guanjia/poi"
	"guanjia/volunteer"
	"guanjia/weather"
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
	SecureCookie     bool           // the session cookie is Secure: the public URL is https
	SessionRecheck   time.Duration  // how long a replica trusts what it read about a session (3s)
	Throttle         ThrottleConfig // password guessing
	TrustedProxies   []*net.IPNet   // reverse proxies whose X-Forwarded-For names the client; none: the peer is the client
	Open311PerMinute int            // requests an Open311 key may file a minute; 0: no limit
}

// Users is what the API needs of accounts: users, their sessions, their administration.
type Users interface {
	guanjia.UserStore
	guanjia.SessionStore
	guanjia.UserAdminStore
}

// Deps are the services behind the API.
type Deps struct {
	Users              Users
	Catalog            guanjia.CatalogStore
	Notifications      guanjia.NotificationStore
	Idempotency        guanjia.IdempotencyStore
	Dispatch           *dispatch.Service
	Volunteer          *volunteer.Service
	Credit             *credit.Service
	Classify           *classify.Service // category suggestions; nil: one that learns from the catalogue alone
	WeChat             MiniProgram       // nil when no WeChat app is configured
	Notices            guanjia.NoticeStore
	Open311            *open311.Service                // the GeoReport v2 endpoint; nil serves no /open311/v2
	POI                *poi.Service                    // 15分钟便民生活圈; nil serves no /api/v1/poi
	Approvals          *approval.Service               // 行政审批查询; nil serves none of its routes
	ApprovalPushSecret string                          // signs the approval system's pushes; "" serves no push route
	Laws               *law.Service                    // 法律法规; nil serves none of its routes
	Weather            *weather.Service                // 台风 / 气象 / 积水; nil serves none of its routes
	Mediation          *mediation.Service              // 大调解; nil serves none of its routes
	Inbox              guanjia.InboxStore              // staff's 站内消息; nil serves no /api/v1/inbox
	Deliveries         DeliveryCounter                 // outcomes for the dashboard; nil serves no /api/v1/stats/deliveries
	Live               *live.Live                      // live queue fan-out; nil serves no /api/v1/live
	Redis              redis.UniversalClient           // sign-in throttling and session changes across replicas; nil: neither
	Ready              func(ctx context.Context) error // database and Redis reachable
	Registry           *prometheus.Registry
	Log                *slog.Logger
	Now                func() time.Time
}

// Server is the HTTP API: the route table, the middleware every route
// passes, and the handlers, grouped by resource, each group holding only
// what its handlers need.
type Server struct {
	cfg      Config
	echo     *echo.Echo
	idem     guanjia.IdempotencyStore
	ready    func(ctx context.Context) error
	metrics  *httpMetrics
	log      *slog.Logger
	sessions *sessions
	openapi  openapiDoc // the /api/v1 document, built once (openapi.go)
	// maxBody bounds a request body the idempotency middleware reads: the
	// largest upload any route accepts, and room for the form around it.
	maxBody int64

	accounts   *accountHandlers
	catalog    *catalogHandlers
	complaints *complaintHandlers
	messages   *messageHandlers
	notices    *noticeHandlers
	console    *consoleHandlers
	volunteers *volunteerHandlers
	activities *activityHandlers
	credit     *creditHandlers
	wechat     *wechatHandlers
	open311    *open311Handlers
	poi        *poiHandlers
	approvals  *approvalHandlers
	laws       *lawHandlers
	weather    *weatherHandlers
	disputes   *disputeHandlers
}

// New builds the server and its routes.
func New(cfg Config, d Deps) *Server {
	if cfg.TokenTTL == 0 {
		cfg.TokenTTL = 12 * time.Hour
	}
	if cfg.MaxPhotoBytes == 0 {
		cfg.MaxPhotoBytes = 10 << 20
	}
	if cfg.SessionRecheck <= 0 {
		cfg.SessionRecheck = defaultSessionRecheck
	}
	cfg.Throttle.defaults()
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	s := &Server{cfg: cfg, echo: echo.New(), idem: d.Idempotency, ready: d.Ready, log: d.Log,
		metrics: newHTTPMetrics(d.Registry)}
	s.sessions = &sessions{secret: cfg.Secret, ttl: cfg.TokenTTL, secureCookie: cfg.SecureCookie, store: d.Users,
		cache: newSessionCache(cfg.SessionRecheck), rdb: d.Redis, log: d.Log, now: d.Now}
	pages := web.MustParsePages()
	s.accounts = &accountHandlers{accounts: account.NewService(d.Users, d.Now), sessions: s.sessions,
		throttle: &loginThrottle{rdb: d.Redis, cfg: cfg.Throttle, log: d.Log}, log: d.Log}
	if d.Dispatch != nil {
		s.accounts.handOver = d.Dispatch.HandOver
	}
	if d.Classify == nil {
		d.Classify = classify.NewService(classify.CatalogOnly(d.Catalog))
	}
	s.catalog = &catalogHandlers{catalog: catalog.NewService(d.Catalog), classify: d.Classify}
	s.complaints = &complaintHandlers{dispatch: d.Dispatch, secret: cfg.Secret, maxPhotoBytes: cfg.MaxPhotoBytes,
		pages: pages, now: d.Now}
	s.messages = &messageHandlers{inbox: d.Inbox, notifications: d.Notifications, deliveries: d.Deliveries, now: d.Now}
	if d.Notices != nil {
		s.notices = &noticeHandlers{notices: notice.NewService(d.Notices, d.Now)}
	}
	s.console = &consoleHandlers{users: d.Users, sessions: s.sessions, live: d.Live, pages: pages,
		tileURL: cfg.MapTileURL, queuesUI: cfg.AdminQueuesUI != nil, streamsDone: make(chan struct{})}
	s.volunteers = &volunteerHandlers{volunteer: d.Volunteer}
	s.activities = &activityHandlers{volunteer: d.Volunteer, maxPhotoBytes: cfg.MaxPhotoBytes}
	s.credit = &creditHandlers{credit: d.Credit, rdb: d.Redis, log: d.Log}
	s.wechat = &wechatHandlers{mp: d.WeChat, sessions: s.sessions}
	s.open311 = &open311Handlers{open311: d.Open311, perMinute: cfg.Open311PerMinute, rdb: d.Redis, now: d.Now, log: d.Log}
	if d.POI != nil {
		s.poi = &poiHandlers{poi: d.POI}
	}
	s.approvals = &approvalHandlers{approvals: d.Approvals, pushSecret: d.ApprovalPushSecret, rdb: d.Redis, log: d.Log, now: d.Now}
	s.laws = &lawHandlers{laws: d.Laws}
	s.weather = &weatherHandlers{weather: d.Weather}
	s.disputes = &disputeHandlers{mediation: d.Mediation}
	s.maxBody = max(cfg.MaxPhotoBytes, poi.MaxFileBytes, approval.MaxImportBytes, weather.MaxImportBytes) + 1<<20
	if d.Credit != nil {
		s.maxBody = max(s.maxBody, d.Credit.MaxImportBytes+1<<20, d.Credit.MaxDocumentBytes+1<<20)
	}
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
	srv.RegisterOnShutdown(s.console.closeStreams) // Shutdown waits for requests; live streams never end by themselves
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	follow, stopFollowing := context.WithCancel(context.Background())
	defer stopFollowing()
	go s.sessions.follow(follow)
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

// mapJSON renders each of items with f: the list → JSON loop of every list handler.
func mapJSON[T, J any](items []T, f func(T) J) []J {
	out := make([]J, len(items))
	for i, it := range items {
		out[i] = f(it)
	}
	return out
}
