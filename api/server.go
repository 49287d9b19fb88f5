// Package api serves guanjia's HTTP API with echo: one route table
// (routes.go), one file per resource, one error handler.
package api

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

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
}

// Deps are the services behind the API.
type Deps struct {
	Users         guanjia.UserStore
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
	Ready         func(ctx context.Context) error // database and Redis reachable
	Registry      *prometheus.Registry
	Log           *slog.Logger
	Now           func() time.Time
}

// Server is the HTTP API.
type Server struct {
	cfg           Config
	echo          *echo.Echo
	users         guanjia.UserStore
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

// maxJSONBytes bounds every JSON request body.
const maxJSONBytes = 1 << 20

// bind decodes a JSON body into v; malformed JSON is a 400 naming the problem.
func bind(c echo.Context, v any) error {
	body := c.Request().Body
	if body == nil {
		return invalid("", "a JSON body is required")
	}
	dec := json.NewDecoder(http.MaxBytesReader(c.Response(), body, maxJSONBytes))
	if err := dec.Decode(v); err != nil {
		var typeErr *json.UnmarshalTypeError
		var maxErr *http.MaxBytesError
		switch {
		case errors.As(err, &maxErr):
			return guanjia.Errorf(guanjia.ETOOLARGE, "request body is too large")
		case errors.Is(err, io.EOF):
			return invalid("", "a JSON body is required")
		case errors.As(err, &typeErr):
			return invalid(typeErr.Field, "%s must be a %s", typeErr.Field, typeErr.Type)
		}
		return invalid("", "malformed JSON: %v", err)
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

// queryInt parses an optional integer query parameter.
func queryInt(c echo.Context, name string, def int) (int, error) {
	v := c.QueryParam(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, invalid(name, "%s must be a number", name)
	}
	return n, nil
}
