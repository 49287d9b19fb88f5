// Package wechat adapts guanjia to WeChat through github.com/silenceper/wechat/v2:
// mini-program login and phone binding, subscribe messages to citizens and
// volunteers, 企业微信 (WeCom) application messages to crews, content security,
// mini-program codes and the message-push callback. Package wechat/fake is an
// offline WeChat for development and tests.
package wechat

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"

	"github.com/redis/go-redis/v9"
	"github.com/silenceper/wechat/v2/miniprogram"
	miniconfig "github.com/silenceper/wechat/v2/miniprogram/config"
	"github.com/silenceper/wechat/v2/work"
	workconfig "github.com/silenceper/wechat/v2/work/config"

	"guanjia"
)

// Config is read once by main from the environment (see .env.example).
type Config struct {
	AppID     string // WECHAT_APPID: mini-program AppID
	AppSecret string // WECHAT_SECRET

	// Message push (消息推送) of the mini-program: the callback verifies
	// signatures with Token and decrypts safe-mode messages with EncodingAESKey.
	Token          string // WECHAT_TOKEN
	EncodingAESKey string // WECHAT_ENCODING_AES_KEY: 43 characters
	// AllowPlain accepts plain-mode (明文模式) pushes, whose signature does
	// not cover the body. Without it a push must come in safe mode, and a
	// Token without an EncodingAESKey is refused at start.
	AllowPlain bool // WECHAT_ALLOW_PLAIN

	WeComCorpID  string // WECOM_CORPID
	WeComAgentID string // WECOM_AGENTID: the application crews receive tasks from
	WeComSecret  string // WECOM_SECRET: that application's secret

	// Templates maps a guanjia template (guanjia.Tpl…) to the subscribe
	// template id chosen in the mini-program console; Pages maps it to the
	// mini-program page a tap opens, e.g. "pages/complaint/detail".
	Templates map[string]string // WECHAT_TEMPLATES: tpl=id,tpl=id
	Pages     map[string]string // WECHAT_PAGES: tpl=page,tpl=page

	// MiniProgramState is the mini-program version subscribe messages and
	// codes open: formal (default), trial or developer.
	MiniProgramState string // WECHAT_MINIPROGRAM_STATE

	ConsoleURL string // GUANJIA_PUBLIC_URL: absolute base of crew links in WeCom messages

	// Fake sends every WeChat request to BaseURL, where the offline fake
	// answers. It is refused when real secrets are configured, and BaseURL is
	// refused without it, so production never talks to a fake.
	Fake    bool   // WECHAT_FAKE
	BaseURL string // the fake's URL (set by main in embedded mode)
}

// Fake-mode credentials: the fake accepts anything, and nothing real is ever configured.
const (
	fakeAppID      = "wxfake0000000000"
	fakeCorpID     = "wwfake0000000000"
	fakeAgentID    = "1000002"
	fakeSecret     = "fake-secret"
	defaultMPState = "formal"
)

// withDefaults checks cfg and fills what fake mode leaves out.
func (cfg Config) withDefaults() (Config, error) {
	if cfg.Fake {
		if cfg.AppSecret != "" || cfg.WeComSecret != "" {
			return cfg, errors.New("wechat: WECHAT_FAKE is set but real WeChat secrets are configured; refusing to mix them")
		}
		if cfg.BaseURL == "" {
			return cfg, errors.New("wechat: fake mode needs the fake's base URL")
		}
		cfg.AppSecret, cfg.WeComSecret = fakeSecret, fakeSecret
		if cfg.AppID == "" {
			cfg.AppID = fakeAppID
		}
		if cfg.WeComCorpID == "" {
			cfg.WeComCorpID, cfg.WeComAgentID = fakeCorpID, fakeAgentID
		}
	} else {
		if cfg.BaseURL != "" {
			return cfg, errors.New("wechat: a WeChat base URL is only allowed with WECHAT_FAKE")
		}
		if cfg.AppID == "" || cfg.AppSecret == "" {
			return cfg, errors.New("wechat: WECHAT_APPID and WECHAT_SECRET are required")
		}
	}
	if n := countSet(cfg.WeComCorpID, cfg.WeComAgentID, cfg.WeComSecret); n != 0 && n != 3 {
		return cfg, errors.New("wechat: WECOM_CORPID, WECOM_AGENTID and WECOM_SECRET go together")
	}
	if cfg.EncodingAESKey != "" && len(cfg.EncodingAESKey) != 43 {
		return cfg, errors.New("wechat: WECHAT_ENCODING_AES_KEY must have 43 characters")
	}
	if cfg.Token != "" && cfg.EncodingAESKey == "" && !cfg.AllowPlain {
		return cfg, errors.New("wechat: the message push needs safe mode (安全模式): set WECHAT_ENCODING_AES_KEY, or WECHAT_ALLOW_PLAIN=1 to accept plain-mode pushes")
	}
	if cfg.ConsoleURL != "" {
		if u, err := url.Parse(cfg.ConsoleURL); err != nil || !u.IsAbs() {
			return cfg, fmt.Errorf("wechat: console URL %q is not absolute", cfg.ConsoleURL)
		}
	}
	switch cfg.MiniProgramState {
	case "":
		cfg.MiniProgramState = defaultMPState
	case "formal", "trial", "developer":
	default:
		return cfg, fmt.Errorf("wechat: mini-program state %q is not formal, trial or developer", cfg.MiniProgramState)
	}
	return cfg, nil
}

func countSet(ss ...string) int {
	n := 0
	for _, s := range ss {
		if s != "" {
			n++
		}
	}
	return n
}

// ConsentStore counts subscribe consents: each tap on "allow" in the
// mini-program lets exactly one message of that template through.
type ConsentStore interface {
	// RecordConsents adds one consent for each template id.
	RecordConsents(ctx context.Context, userID int64, templateIDs []string) error
	// SpendConsent takes one consent atomically; false when none is left.
	SpendConsent(ctx context.Context, userID int64, templateID string) (bool, error)
	// RefundConsent gives back a consent whose message WeChat did not take.
	RefundConsent(ctx context.Context, userID int64, templateID string) error
	// ClearConsent drops what is left: WeChat says the user has no consent (43101).
	ClearConsent(ctx context.Context, userID int64, templateID string) error
	// ListConsents returns the remaining count per template id.
	ListConsents(ctx context.Context, userID int64) (map[string]int, error)
}

// MediaCheckStore remembers which photo an asynchronous image check is about.
type MediaCheckStore interface {
	CreateMediaCheck(ctx context.Context, traceID, photoID string) error
	// FinishMediaCheck records WeChat's verdict and returns the photo id; ENOTFOUND for an unknown trace.
	FinishMediaCheck(ctx context.Context, traceID, suggest string) (photoID string, err error)
}

// WXACodeStore keeps mini-program codes, which never change for a (scene, page).
type WXACodeStore interface {
	FindWXACode(ctx context.Context, scene, page string) ([]byte, error) // ENOTFOUND when absent
	SaveWXACode(ctx context.Context, scene, page string, image []byte) error
}

// Store is what the adapter keeps in the database; *store.WeChat implements it.
type Store interface {
	ConsentStore
	MediaCheckStore
	WXACodeStore
}

// Client talks to WeChat. Its methods are safe for concurrent use.
type Client struct {
	cfg        Config
	users      guanjia.UserStore
	store      Store
	redis      redis.UniversalClient
	log        *slog.Logger
	route      *route
	mini       *miniprogram.MiniProgram
	work       *work.Work // nil without WeCom
	miniTokens *tokenCache
	workTokens *tokenCache
	closeOnce  sync.Once
}

// New builds a Client. users finds and creates WeChat users, st keeps
// consents, checks and codes, rdb holds the access tokens every replica
// shares. log may be nil. Close releases the process-wide SDK transport.
func New(cfg Config, users guanjia.UserStore, st Store, rdb redis.UniversalClient, log *slog.Logger) (*Client, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if users == nil || st == nil || rdb == nil {
		return nil, errors.New("wechat: New needs a user store, a store and Redis")
	}
	if log == nil {
		log = slog.Default()
	}
	r, err := useRoute(cfg.BaseURL, cfg.Fake)
	if err != nil {
		return nil, err
	}
	shared := NewRedisCache(rdb, "guanjia:wechat:")
	c := &Client{cfg: cfg, users: users, store: st, redis: rdb, log: log.With("component", "wechat"), route: r}
	c.miniTokens = newTokenCache(shared)
	c.mini = miniprogram.NewMiniProgram(&miniconfig.Config{
		AppID:          cfg.AppID,
		AppSecret:      cfg.AppSecret,
		Token:          cfg.Token,
		EncodingAESKey: cfg.EncodingAESKey,
		Cache:          c.miniTokens,
		// The stable token is not invalidated when another service holding
		// the same AppSecret fetches one, unlike /cgi-bin/token.
		UseStableAK: true,
	})
	if cfg.WeComCorpID != "" {
		c.workTokens = newTokenCache(shared)
		c.work = work.NewWork(&workconfig.Config{
			CorpID:     cfg.WeComCorpID,
			CorpSecret: cfg.WeComSecret,
			AgentID:    cfg.WeComAgentID,
			Cache:      c.workTokens,
		})
	}
	return c, nil
}

// Close releases the SDK transport so another Client may point elsewhere.
func (c *Client) Close() error {
	c.closeOnce.Do(c.route.release)
	return nil
}

// WeComEnabled reports whether 企业微信 is configured.
func (c *Client) WeComEnabled() bool { return c.work != nil }

// trimRID drops the ", rid: …" request id WeChat appends to errmsg.
func trimRID(msg string) string {
	if i := strings.Index(msg, "rid:"); i >= 0 {
		msg = msg[:i]
	}
	return strings.TrimRight(strings.TrimSpace(msg), ",")
}
