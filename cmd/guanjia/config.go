package main

import (
	"fmt"
	"guanjia"
	"guanjia/api"
	"guanjia/sms"
	"guanjia/wechat"
	"net"
	"os"
	"strconv"
	"time"
)

// Config is read once from the environment (see .env.example) and passed down as plain values.
type Config struct {
	HTTPAddr          string
	MetricsAddr       string // Prometheus /metrics on a listener of its own; "off" serves none
	DatabaseURL       string // postgres://… ; empty = SQLite in DataDir
	RedisURL          string // redis://, rediss://, redis-sentinel://, redis-cluster://h1:p1,h2:p2,h3:p3 ; empty = embedded server (all-in-one only)
	DataDir           string
	Secret            string // signs tokens and keys personal-data encryption
	HolidaysFile      string
	TokenTTL          time.Duration
	MaxPhotoBytes     int64
	WorkerConcurrency int
	TimerPoll         time.Duration
	ReconcileInterval time.Duration
	LogLevel          string
	PublicURL         string // how people reach the console, for links in pushes
	WeChat            wechat.Config
	SMS               sms.Config    // texts to 12345 callers (Tencent Cloud SMS)
	RequeueInterval   time.Duration // how often undelivered messages are handed to the queue again
	MapTileURL        string        // console maps: tile URL template, e.g. an internal WGS-84 tile server; "" = grids only
	// Open311 GeoReport v2: the jurisdiction_id accepted ("" accepts any) and
	// how many requests one client key may file a minute.
	Open311Jurisdiction string
	Open311PerMinute    int
	// 行政审批查询: the secret the approval system signs its pushes with; "" serves no push route.
	ApprovalPushSecret string

	// Sessions and sign-in.
	SessionRecheck time.Duration      // how long an API replica trusts what it read about a session
	Throttle       api.ThrottleConfig // password guessing: per account and per client address
	TrustedProxies []*net.IPNet       // reverse proxies whose X-Forwarded-For names the client

	// Uploaded photos and documents: "" = DataDir on local disk; a directory
	// or file:// URL; or s3://bucket?endpoint=host:port (see store.ParseBlobURL),
	// with its keys in the URL or the two variables that follow.
	BlobURL, BlobAccessKey, BlobSecretKey string
}

func loadConfig() (Config, error) {
	c := Config{
		HTTPAddr:            env("GUANJIA_HTTP_ADDR", ":8080"),
		MetricsAddr:         env("GUANJIA_METRICS_ADDR", "127.0.0.1:9090"),
		DatabaseURL:         os.Getenv("DATABASE_URL"),
		RedisURL:            os.Getenv("REDIS_URL"),
		BlobURL:             os.Getenv("GUANJIA_BLOB_URL"),
		BlobAccessKey:       os.Getenv("GUANJIA_BLOB_ACCESS_KEY"),
		BlobSecretKey:       os.Getenv("GUANJIA_BLOB_SECRET_KEY"),
		DataDir:             env("GUANJIA_DATA_DIR", "./data"),
		Secret:              os.Getenv("GUANJIA_SECRET"),
		HolidaysFile:        os.Getenv("GUANJIA_HOLIDAYS_FILE"),
		LogLevel:            env("GUANJIA_LOG_LEVEL", "info"),
		PublicURL:           os.Getenv("GUANJIA_PUBLIC_URL"),
		MapTileURL:          os.Getenv("GUANJIA_MAP_TILE_URL"),
		Open311Jurisdiction: env("GUANJIA_OPEN311_JURISDICTION", "haikou.gov.cn"),
		ApprovalPushSecret:  os.Getenv("GUANJIA_APPROVAL_PUSH_SECRET"),
	}
	var err error
	if c.WeChat, err = loadWeChatConfig(); err != nil {
		return c, err
	}
	if c.SMS, err = loadSMSConfig(); err != nil {
		return c, err
	}
	if c.RequeueInterval, err = envDuration("GUANJIA_REQUEUE_INTERVAL", 5*time.Second); err != nil {
		return c, err
	}
	if c.TokenTTL, err = envDuration("GUANJIA_TOKEN_TTL", 12*time.Hour); err != nil {
		return c, err
	}
	if c.SessionRecheck, err = envDuration("GUANJIA_SESSION_RECHECK", 3*time.Second); err != nil {
		return c, err
	}
	if c.Throttle.AccountFailures, err = envInt("GUANJIA_LOGIN_ACCOUNT_FAILURES", 5); err != nil {
		return c, err
	}
	if c.Throttle.IPFailures, err = envInt("GUANJIA_LOGIN_IP_FAILURES", 30); err != nil {
		return c, err
	}
	if c.Throttle.Window, err = envDuration("GUANJIA_LOGIN_WINDOW", 15*time.Minute); err != nil {
		return c, err
	}
	if c.Throttle.Lock, err = envDuration("GUANJIA_LOGIN_LOCK", 15*time.Minute); err != nil {
		return c, err
	}
	if c.TrustedProxies, err = api.ParseTrustedProxies(os.Getenv("GUANJIA_TRUSTED_PROXIES")); err != nil {
		return c, fmt.Errorf("GUANJIA_TRUSTED_PROXIES: %w", err)
	}
	if c.TimerPoll, err = envDuration("GUANJIA_TIMER_POLL", 250*time.Millisecond); err != nil {
		return c, err
	}
	if c.ReconcileInterval, err = envDuration("GUANJIA_RECONCILE_INTERVAL", time.Minute); err != nil {
		return c, err
	}
	mb, err := envInt("GUANJIA_MAX_PHOTO_MB", 10)
	if err != nil {
		return c, err
	}
	c.MaxPhotoBytes = int64(mb) << 20
	if c.WorkerConcurrency, err = envInt("GUANJIA_WORKER_CONCURRENCY", 20); err != nil {
		return c, err
	}
	if c.Open311PerMinute, err = envInt("GUANJIA_OPEN311_PER_MINUTE", 60); err != nil {
		return c, err
	}
	return c, nil
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func envDuration(name string, def time.Duration) (time.Duration, error) {
	v := os.Getenv(name)
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, guanjia.Errorf(guanjia.EINVALID, "%s: %q is not a positive duration like 30s or 12h", name, v)
	}
	return d, nil
}

func envInt(name string, def int) (int, error) {
	v := os.Getenv(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return 0, guanjia.Errorf(guanjia.EINVALID, "%s: %q is not a positive number", name, v)
	}
	return n, nil
}
