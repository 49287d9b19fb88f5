// Command guanjia runs the city-services backend. With no arguments it runs
// everything in one process on embedded SQLite and an embedded Redis-compatible
// server with Haikou demo data; in production, `guanjia api` and `guanjia
// worker` run as separate processes on PostgreSQL and Redis.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/hibiken/asynq"
	"github.com/hibiken/asynqmon"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/redis/go-redis/v9"

	"guanjia"
	"guanjia/api"
	"guanjia/approval"
	"guanjia/classify"
	"guanjia/credit"
	"guanjia/dispatch"
	"guanjia/i18n"
	"guanjia/internal/demo"
	"guanjia/internal/redisconn"
	"guanjia/law"
	"guanjia/live"
	"guanjia/mediation"
	"guanjia/open311"
	"guanjia/poi"
	"guanjia/sms"
	smsfake "guanjia/sms/fake"
	"guanjia/store"
	"guanjia/volunteer"
	"guanjia/wechat"
	"guanjia/wechat/fake"
	"guanjia/worker"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, explain(err, os.Getenv))
		os.Exit(1)
	}
}

// explain is how the command line reports err: in Chinese, or in English
// when the locale (LC_ALL, LC_MESSAGES, LANG) is English.
func explain(err error, getenv func(string) string) string {
	return "guanjia: " + i18n.Explain(err, i18n.FromEnv(getenv))
}

const usage = `usage: guanjia [command]

  (none)        all-in-one: API, worker and console on embedded SQLite and Redis, with Haikou demo data
  api           serve the HTTP API and console (production: needs DATABASE_URL and REDIS_URL)
  worker        run background jobs and SLA timers (production)
  migrate       apply database migrations
  seed demo     load the Haikou demo city (grids, units, crews, categories, demo accounts)
  user add      --username U --password P --role R [--unit CODE] [--grid ID] [--name N]
  user disable  --username U: the account can no longer sign in, its sessions end (user enable undoes it)
  user set-role --username U --role R [--unit CODE] [--grid ID]: a new role or unit ends the user's sessions
  user passwd   --username U [--password P]: a new password (read from stdin without --password); sessions end
  user unlock   --username U: lift the lock that wrong passwords put on signing in (needs REDIS_URL)
  open311 add-client --name N [--services CODES]: a new Open311 client; prints its api_key once, as the last word
  open311 revoke --name N: the client's api_key stops working
  token         --user U [--ttl 1h]: print a bearer token for an existing user
  version       print the module version and the VCS revision it was built from

Every command takes --help. Settings come from the environment (see .env.example).
`

// version names the build: the module version and, when built from a
// checkout, the VCS revision and whether the tree was modified.
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "guanjia (unknown build)"
	}
	v := "guanjia " + bi.Main.Version
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			v += " " + s.Value
		case "vcs.time":
			v += " " + s.Value
		case "vcs.modified":
			if s.Value == "true" {
				v += " (modified)"
			}
		}
	}
	return v + " " + bi.GoVersion
}

func run(ctx context.Context, args []string, out io.Writer) error {
	// Asking for help or the version reads no configuration and touches nothing.
	if slices.ContainsFunc(args, func(a string) bool { return a == "-h" || a == "-help" || a == "--help" }) ||
		(len(args) > 0 && args[0] == "help") {
		fmt.Fprint(out, usage)
		return nil
	}
	if len(args) > 0 && args[0] == "version" {
		fmt.Fprintln(out, version())
		return nil
	}
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	cmd := ""
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	m := &Main{Config: cfg, Out: out}
	defer m.Close()
	switch cmd {
	case "":
		return m.Run(ctx, ModeAll)
	case "api":
		return m.Run(ctx, ModeAPI)
	case "worker":
		return m.Run(ctx, ModeWorker)
	case "migrate":
		return m.openDB(ctx)
	case "seed":
		if len(args) != 1 || args[0] != "demo" {
			return guanjia.Errorf(guanjia.EINVALID, "usage: guanjia seed demo")
		}
		if err := m.openDB(ctx); err != nil {
			return err
		}
		return demo.Seed(ctx, m.DB, out)
	case "user":
		return m.userCommand(ctx, args)
	case "open311":
		return m.open311Command(ctx, args)
	case "token":
		return m.token(ctx, args)
	}
	return guanjia.Errorf(guanjia.EINVALID, "unknown command %q\n%s", cmd, usage)
}

// Mode says which parts of the system a process runs.
type Mode int

const (
	ModeAll Mode = iota
	ModeAPI
	ModeWorker
)

// Main wires guanjia together from its Config.
type Main struct {
	Config Config
	Out    io.Writer
	Log    *slog.Logger
	Now    func() time.Time

	DB        *store.DB
	Redis     asynq.RedisConnOpt
	rdb       redis.UniversalClient
	miniredis *miniredis.Miniredis
	client    *asynq.Client
	inspector *asynq.Inspector
	Dispatch  *dispatch.Service
	Volunteer *volunteer.Service
	Credit    *credit.Service
	Open311   *open311.Service // the GeoReport v2 endpoint and its clients
	Live      *live.Live       // tells the console's live queues of changes
	Scheduler *worker.Scheduler
	Registry  *prometheus.Registry
	API       *api.Server // nil in a worker process
	Worker    *asynq.Server
	periodic  *asynq.Scheduler
	Listener  net.Listener
	Handlers  *worker.Handlers
	// miniProgram is the WeChat app the API signs citizens in with; nil without one.
	miniProgram api.MiniProgram
	WeChat      *wechat.Client // nil without a WeChat app
	fakeWeChat  *fake.Server   // the offline WeChat of the all-in-one demo
	SMS         *sms.Sender    // texts to 12345 callers; nil without SMS
	fakeSMS     *smsfake.Server
	// URL is where the API answers once Run has started it.
	URL     string
	stopAPI context.CancelFunc
	apiDone chan error

	// MetricsListener serves /metrics (GUANJIA_METRICS_ADDR when nil), apart
	// from the API; MetricsURL is its address once started.
	MetricsListener net.Listener
	MetricsURL      string
	metrics         *http.Server
}

// Run starts the parts of mode and blocks until ctx is done, then shuts
// down gracefully: in-flight requests and tasks finish first.
func (m *Main) Run(ctx context.Context, mode Mode) error {
	if err := m.Start(ctx, mode); err != nil {
		return err
	}
	<-ctx.Done()
	m.Log.Info("shutting down")
	return m.Close()
}

// Start wires and starts everything mode needs, without blocking.
func (m *Main) Start(ctx context.Context, mode Mode) error {
	cfg := &m.Config
	if m.Now == nil {
		m.Now = func() time.Time { return time.Now().UTC() }
	}
	m.setupLog()
	if mode != ModeAll && (cfg.DatabaseURL == "" || cfg.RedisURL == "") {
		m.Log.Warn("api and worker without DATABASE_URL and REDIS_URL share nothing with other processes; use them for production")
	}
	if mode == ModeAll {
		if err := m.embeddedSecret(); err != nil {
			return err
		}
	}
	if cfg.Secret == "" {
		return guanjia.Errorf(guanjia.EINVALID, "GUANJIA_SECRET is required (it signs tokens and encrypts personal data)")
	}
	if err := m.openDB(ctx); err != nil {
		return err
	}
	if mode == ModeAll {
		if n, err := m.DB.Users.CountUsers(ctx); err != nil {
			return err
		} else if n == 0 {
			if err := demo.Seed(ctx, m.DB, io.Discard); err != nil {
				return err
			}
		}
	}
	if err := m.openRedis(mode); err != nil {
		return err
	}
	if err := m.setupWeChat(mode); err != nil {
		return err
	}
	if err := m.setupSMS(mode); err != nil {
		return err
	}
	if err := m.wire(ctx); err != nil {
		return err
	}
	if err := m.startMetrics(mode); err != nil {
		return err
	}
	if mode == ModeAll || mode == ModeWorker {
		if err := m.startWorker(); err != nil {
			return err
		}
	}
	if mode == ModeAll || mode == ModeAPI {
		m.API = m.newAPI()
		if err := m.startAPI(ctx); err != nil {
			return err
		}
		m.pushFakeCallbacks()
		if mode == ModeAll {
			m.printWelcome()
		}
	}
	return nil
}

func (m *Main) setupLog() {
	if m.Log != nil {
		return
	}
	level := slog.LevelInfo
	_ = level.UnmarshalText([]byte(m.Config.LogLevel))
	m.Log = slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	slog.SetDefault(m.Log)
}

// embeddedSecret keeps a generated secret in the data directory, so the demo
// needs no setup and its tokens and encrypted fields survive restarts.
func (m *Main) embeddedSecret() error {
	if m.Config.Secret != "" {
		return nil
	}
	if err := os.MkdirAll(m.Config.DataDir, 0o750); err != nil {
		return err
	}
	path := filepath.Join(m.Config.DataDir, "secret")
	if b, err := os.ReadFile(path); err == nil && len(b) > 0 {
		m.Config.Secret = strings.TrimSpace(string(b))
		return nil
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return err
	}
	m.Config.Secret = hex.EncodeToString(b)
	return os.WriteFile(path, []byte(m.Config.Secret), 0o600)
}

func (m *Main) openDB(ctx context.Context) error {
	if m.DB != nil {
		return nil
	}
	url := m.Config.DatabaseURL
	if url == "" {
		if err := os.MkdirAll(m.Config.DataDir, 0o750); err != nil {
			return err
		}
		url = filepath.Join(m.Config.DataDir, "guanjia.db")
	}
	db, err := store.Open(url, m.Config.Secret)
	if err != nil {
		return err
	}
	m.DB = db
	return db.Migrate(ctx)
}

func (m *Main) openRedis(mode Mode) error {
	if m.Config.RedisURL == "" {
		mr := miniredis.NewMiniRedis()
		if err := mr.StartAddr("127.0.0.1:0"); err != nil {
			return fmt.Errorf("start embedded redis: %w", err)
		}
		m.miniredis = mr
		m.Config.RedisURL = "redis://" + mr.Addr()
	}
	opt, err := redisconn.Parse(m.Config.RedisURL) // redis-cluster:// gives cluster clients to asynq and the rest
	if err != nil {
		return fmt.Errorf("REDIS_URL: %w", err)
	}
	m.Redis = opt
	m.rdb = redisconn.Client(opt)
	return nil
}

func (m *Main) wire(ctx context.Context) error {
	cal, err := m.calendar()
	if err != nil {
		return err
	}
	m.Registry = prometheus.NewRegistry()
	m.Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.client = asynq.NewClient(m.Redis)
	m.inspector = asynq.NewInspector(m.Redis)
	m.Scheduler = &worker.Scheduler{Client: m.client, Inspector: m.inspector, Notifications: m.DB.Notifications}
	router, err := dispatch.NewRouter(ctx, m.DB.Complaints)
	if err != nil {
		return err
	}
	uploads, err := m.openBlobs(ctx)
	if err != nil {
		return err
	}
	blobs := uploads.Kind("photos")
	m.Dispatch = dispatch.NewService(m.DB.Complaints, m.Scheduler, router, cal, blobs)
	m.Dispatch.Now, m.Dispatch.Log = m.Now, m.Log
	m.Dispatch.Hotspots = m.DB.Hotspots
	m.Dispatch.ArmWithin = 3 * m.Config.ReconcileInterval // the reconciler's horizon (Handlers.ReconcileHorizon) arms the later ones
	senders, content, miniProgram := m.wechatWiring()
	m.smsWiring(senders)
	m.Dispatch.Content = content
	m.Dispatch.Photos = m.photoChecker()
	// Every process that changes complaints or disputes (api, worker, all-in-one) tells the live pages.
	m.Live = live.New(m.rdb, m.Log)
	m.Dispatch.Live = m.Live
	// 公益海口: organisers' and requesters' texts pass the same WeChat content check.
	vol := volunteer.NewService(m.DB.Volunteers, m.Scheduler, content, volunteer.ClockFunc(m.Now), m.Config.Secret)
	vol.Blobs, vol.Log, vol.Config.PublicURL = blobs, m.Log, m.Config.PublicURL
	// 诚信海口: hot lookups cached in Redis, large imports run by the worker.
	cred := credit.NewService(m.DB.Credit, worker.NewCreditCache(m.rdb, "guanjia:"), m.Scheduler, m.Scheduler)
	cred.Now, cred.Log = m.Now, m.Log
	// 授权委托书 of 信用修复 agents: personal documents, kept apart from photos.
	cred.Blobs = uploads.Kind("credit-documents")
	vol.Credit = cred // team certification flags black-listed organisations
	m.Handlers = &worker.Handlers{
		Dispatch: m.Dispatch, Notifications: m.DB.Notifications, Users: m.DB.Users, Idempotency: m.DB.Idempotency, Senders: senders,
		Scheduler: m.Scheduler, Metrics: worker.NewMetrics(m.Registry), Log: m.Log, Now: m.Now,
		ReconcileHorizon: 3 * m.Config.ReconcileInterval, RequeueHorizon: 6 * m.Config.RequeueInterval,
	}
	m.Handlers.Volunteer = vol
	m.Handlers.Credit = cred
	// 智能分类: each process keeps its own model; the worker's periodic job
	// retrains it, and an API process retrains it when it grows old.
	m.Handlers.Classify = classify.NewService(classify.Stores{Catalogue: m.DB.Catalog, Orders: m.DB.Complaints})
	m.Volunteer, m.Credit, m.miniProgram = vol, cred, miniProgram
	m.Open311 = open311.NewService(m.DB.Open311, m.DB.Catalog, m.Dispatch, m.Config.Open311Jurisdiction, m.Now)
	m.Handlers.Weather = m.weatherService() // 台风 / 气象 / 积水 (weather.go)
	// 大调解: disputes are located on the dispatch router's grid index.
	m.Handlers.Mediation = mediation.NewService(m.DB.Disputes, m.Scheduler, m.Dispatch.Router, m.Now)
	m.Handlers.Mediation.Log, m.Handlers.Mediation.Live = m.Log, m.Live
	return nil
}

// newAPI builds the HTTP API over the services wire made, with the queue
// monitor for admins. Worker processes build neither.
func (m *Main) newAPI() *api.Server {
	monitor := asynqmon.New(asynqmon.Options{RootPath: "/admin/queues", RedisConnOpt: m.Redis})
	return api.New(api.Config{
		Secret: m.Config.Secret, TokenTTL: m.Config.TokenTTL, MaxPhotoBytes: m.Config.MaxPhotoBytes,
		AdminQueuesUI: monitor, MapTileURL: m.Config.MapTileURL,
		WeChatCallback: m.callbackHandler(), FakeWeChat: m.fakeMessages(), FakeSMS: m.fakeSMSMessages(),
		SecureCookie:   strings.HasPrefix(m.Config.PublicURL, "https://"),
		SessionRecheck: m.Config.SessionRecheck, Throttle: m.Config.Throttle, TrustedProxies: m.Config.TrustedProxies,
		Open311PerMinute: m.Config.Open311PerMinute,
	}, api.Deps{
		WeChat: m.miniProgram,
		Users:  m.DB.Users, Catalog: m.DB.Catalog, Notifications: m.DB.Notifications, Idempotency: m.DB.Idempotency,
		Dispatch: m.Dispatch, Ready: m.ready, Registry: m.Registry, Log: m.Log, Now: m.Now,
		Notices: m.DB.Notices, Live: m.Live, Inbox: m.DB.Notifications, Deliveries: m.DB.Notifications, Redis: m.rdb,
		Volunteer: m.Volunteer,
		Credit:    m.Credit,
		Open311:   m.Open311,
		Classify:  m.Handlers.Classify,
		POI:       poi.NewService(m.DB.POIs, m.DB.Catalog, m.Now), // 15分钟便民生活圈
		// 行政审批查询: followers' messages go through the delivery queue.
		Approvals:          approval.NewService(m.DB.Approvals, m.DB.Catalog, m.Scheduler, m.Now, m.Log),
		ApprovalPushSecret: m.Config.ApprovalPushSecret,
		Laws:               law.NewService(m.DB.Laws, m.Now), // 法律法规
		Weather:            m.Handlers.Weather,
		Mediation:          m.Handlers.Mediation,
	})
}

func (m *Main) calendar() (*dispatch.Calendar, error) {
	h, err := dispatch.LoadHolidays(m.Config.HolidaysFile)
	if err != nil {
		return nil, fmt.Errorf("GUANJIA_HOLIDAYS_FILE: %w", err)
	}
	cal := dispatch.NewCalendar(h, nil, nil)
	if year := m.Now().Year(); !cal.KnownYear(year) {
		m.Log.Warn("no State Council holiday schedule for this year: working-time deadlines count plain weekends; set GUANJIA_HOLIDAYS_FILE", "year", year)
	}
	return cal, nil
}

// ready reports whether the database and Redis answer.
func (m *Main) ready(ctx context.Context) error {
	if err := m.DB.Ping(ctx); err != nil {
		return fmt.Errorf("database: %w", err)
	}
	if err := m.rdb.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("redis: %w", err)
	}
	return nil
}

func (m *Main) startWorker() error {
	wc := worker.Config{Concurrency: m.Config.WorkerConcurrency, PollInterval: m.Config.TimerPoll,
		ReconcileInterval: m.Config.ReconcileInterval, RequeueInterval: m.Config.RequeueInterval, ShutdownTimeout: worker.DrainTimeout}
	m.Worker = worker.NewServer(m.Redis, wc, m.Log)
	if err := m.Worker.Start(m.Handlers.NewServeMux()); err != nil {
		return fmt.Errorf("start worker: %w", err)
	}
	periodic, err := worker.NewPeriodic(m.Redis, wc, m.Log)
	if err != nil {
		return err
	}
	if err := periodic.Start(); err != nil {
		return fmt.Errorf("start periodic tasks: %w", err)
	}
	m.periodic = periodic
	return nil
}

func (m *Main) startAPI(ctx context.Context) error {
	l := m.Listener
	if l == nil {
		var err error
		if l, err = net.Listen("tcp", m.Config.HTTPAddr); err != nil {
			return fmt.Errorf("listen %s: %w", m.Config.HTTPAddr, err)
		}
		m.Listener = l
	}
	host := l.Addr().String()
	if strings.HasPrefix(host, "[::]") || strings.HasPrefix(host, "0.0.0.0") {
		host = "localhost" + host[strings.LastIndex(host, ":"):]
	}
	m.URL = "http://" + host
	serveCtx, cancel := context.WithCancel(context.Background())
	m.stopAPI = cancel
	m.apiDone = make(chan error, 1)
	go func() { m.apiDone <- m.API.Serve(serveCtx, l) }()
	m.Log.Info("api listening", "url", m.URL)
	return nil
}

func (m *Main) printWelcome() {
	fmt.Fprintf(m.Out, `
guanjia 管家 is running: %[1]s
  console:   %[1]s/console   (demo accounts below, password %[2]s)
  crew page: %[1]s/crew
  API:       %[1]s/api/v1/   queues: %[1]s/admin/queues (admin)

demo accounts: admin, dispatcher (指挥中心), agent (12345), lh-sz-lead (unit admin), crew-lh01-sz (crew), citizen,
               team-lead and volunteer (公益海口), credit-rsj (诚信海口 department staff),
               credit-rep (a company's 法定代表人: 信用修复)
a token:  curl -s -XPOST %[1]s/api/v1/auth/login -d '{"username":"dispatcher","password":"%[2]s"}' -H 'Content-Type: application/json'
data:     %[3]s (delete it to start over)
`, m.URL, demo.Password, m.Config.DataDir)
	if m.MetricsURL != "" {
		fmt.Fprintf(m.Out, "metrics:  %s/metrics (its own listener, GUANJIA_METRICS_ADDR)\n", m.MetricsURL)
	}
	if m.fakeWeChat != nil {
		fmt.Fprintf(m.Out, "phones:   %s/__fake/wechat/messages shows what the offline WeChat delivered\n", m.URL)
	}
	if m.fakeSMS != nil {
		fmt.Fprintf(m.Out, "SMS:      %s/__fake/sms/messages shows the texts 12345 callers got (受理, 办结 with the rating link)\n", m.URL)
	}
}

// Close stops everything that was started, in reverse order.
func (m *Main) Close() error {
	if m.stopAPI != nil {
		m.stopAPI()
		if err := <-m.apiDone; err != nil && !errors.Is(err, http.ErrServerClosed) {
			m.Log.Error("api shutdown", "err", err)
		}
		m.stopAPI = nil
	}
	if m.metrics != nil {
		m.metrics.Close()
		m.metrics = nil
	}
	if m.periodic != nil {
		m.periodic.Shutdown()
		m.periodic = nil
	}
	if m.Worker != nil {
		m.Worker.Shutdown() // waits for in-flight tasks up to the shutdown timeout
		m.Worker = nil
	}
	if m.client != nil {
		m.client.Close()
		m.inspector.Close()
		m.rdb.Close()
		m.client, m.inspector, m.rdb = nil, nil, nil
	}
	if m.WeChat != nil {
		m.WeChat.Close()
		m.WeChat = nil
	}
	if m.fakeWeChat != nil {
		m.fakeWeChat.Close()
		m.fakeWeChat = nil
	}
	if m.fakeSMS != nil {
		m.fakeSMS.Close()
		m.fakeSMS, m.SMS = nil, nil
	}
	if m.DB != nil {
		m.DB.Close()
		m.DB = nil
	}
	if m.miniredis != nil {
		m.miniredis.Close()
		m.miniredis = nil
	}
	return nil
}

func (m *Main) token(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	username := fs.String("user", "", "username")
	ttl := fs.Duration("ttl", time.Hour, "how long the token is valid")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *username == "" {
		return guanjia.Errorf(guanjia.EINVALID, "usage: guanjia token --user U [--ttl 1h]")
	}
	if m.Config.Secret == "" && m.Config.DatabaseURL == "" {
		if err := m.embeddedSecret(); err != nil { // the all-in-one's secret
			return err
		}
	}
	if m.Config.Secret == "" {
		return guanjia.Errorf(guanjia.EINVALID, "GUANJIA_SECRET is required: a token is signed with the server's secret")
	}
	if err := m.openDB(ctx); err != nil {
		return err
	}
	u, err := m.DB.Users.FindUserByUsername(ctx, *username)
	if err != nil {
		return err
	}
	tok, err := api.IssueToken(ctx, m.DB.Users, m.Config.Secret, u, *ttl, time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintln(m.Out, tok)
	return nil
}
