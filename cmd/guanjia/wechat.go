package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"guanjia"
	"guanjia/api"
	"guanjia/approval"
	"guanjia/store"
	"guanjia/wechat"
	"guanjia/wechat/fake"
)

// demoWeChatToken signs the offline fake's pushes to /wechat/callback in the demo.
const demoWeChatToken = "guanjia-demo-token"

// loadWeChatConfig reads the WeChat settings (see .env.example).
func loadWeChatConfig() (wechat.Config, error) {
	templates, err := pairs("WECHAT_TEMPLATES")
	if err != nil {
		return wechat.Config{}, err
	}
	pages, err := pairs("WECHAT_PAGES")
	if err != nil {
		return wechat.Config{}, err
	}
	return wechat.Config{
		AppID: os.Getenv("WECHAT_APPID"), AppSecret: os.Getenv("WECHAT_SECRET"),
		Token: os.Getenv("WECHAT_TOKEN"), EncodingAESKey: os.Getenv("WECHAT_ENCODING_AES_KEY"),
		WeComCorpID: os.Getenv("WECOM_CORPID"), WeComAgentID: os.Getenv("WECOM_AGENTID"), WeComSecret: os.Getenv("WECOM_SECRET"),
		Templates: templates, Pages: miniProgramPages(pages), MiniProgramState: os.Getenv("WECHAT_MINIPROGRAM_STATE"),
		ConsoleURL: os.Getenv("GUANJIA_PUBLIC_URL"), Fake: os.Getenv("WECHAT_FAKE") == "true" || os.Getenv("WECHAT_FAKE") == "1",
		AllowPlain: os.Getenv("WECHAT_ALLOW_PLAIN") == "true" || os.Getenv("WECHAT_ALLOW_PLAIN") == "1",
	}, nil
}

// pairs parses "key=value,key=value".
func pairs(name string) (map[string]string, error) {
	out := map[string]string{}
	v := os.Getenv(name)
	if v == "" {
		return out, nil
	}
	for _, kv := range strings.Split(v, ",") {
		k, val, ok := strings.Cut(strings.TrimSpace(kv), "=")
		if !ok || k == "" || val == "" {
			return nil, guanjia.Errorf(guanjia.EINVALID, "%s: %q is not key=value", name, kv)
		}
		out[k] = val
	}
	return out, nil
}

// miniProgram joins the WeChat client and the consent store into what the API needs.
type miniProgram struct {
	*wechat.Client
	*store.WeChat
}

var _ api.MiniProgram = miniProgram{}

// setupWeChat connects to WeChat when an app is configured. The all-in-one
// demo without one starts the offline fake instead, so the whole flow can be
// seen; a production process refuses the fake.
func (m *Main) setupWeChat(mode Mode) error {
	cfg := m.Config.WeChat
	switch {
	case cfg.Fake && mode != ModeAll:
		return guanjia.Errorf(guanjia.EINVALID, "WECHAT_FAKE is for the all-in-one demo only; configure WECHAT_APPID and WECHAT_SECRET")
	case cfg.AppID == "" && mode == ModeAll:
		cfg.Fake = true
	case cfg.AppID == "":
		m.Log.Info("no WeChat app configured: subscribe and 企业微信 messages are recorded as no_channel; inboxes still get theirs")
		return nil
	}
	if cfg.Fake {
		f := fake.New()
		if err := f.Start(); err != nil {
			return fmt.Errorf("start the offline WeChat: %w", err)
		}
		m.fakeWeChat = f
		cfg.BaseURL = f.URL
		if cfg.Token == "" {
			cfg.Token = demoWeChatToken
		}
		if cfg.EncodingAESKey == "" {
			cfg.AllowPlain = true // the demo's fake pushes in plain mode, to this process only
		}
		cfg.Templates = demoTemplates(cfg.Templates)
	}
	client, err := wechat.New(cfg, m.DB.Users, m.DB.WeChat, m.rdb, m.Log)
	if err != nil {
		return err
	}
	m.WeChat = client
	m.Config.WeChat = cfg
	return nil
}

// wechatWiring hands the WeChat client to whoever delivers, screens or receives.
func (m *Main) wechatWiring() (senders map[string]guanjia.Sender, content guanjia.ContentChecker, mp api.MiniProgram) {
	senders = map[string]guanjia.Sender{}
	if m.WeChat == nil {
		return senders, guanjia.NoContentCheck{}, nil
	}
	senders[guanjia.ChannelSubscribe] = m.WeChat.SubscribeSender()
	if m.WeChat.WeComEnabled() {
		senders[guanjia.ChannelWeCom] = m.WeChat.WeComSender()
	}
	return senders, m.WeChat, miniProgram{Client: m.WeChat, WeChat: m.DB.WeChat}
}

// pushFakeCallbacks points the offline fake's message pushes at our callback.
func (m *Main) pushFakeCallbacks() {
	if m.fakeWeChat != nil && m.URL != "" {
		m.fakeWeChat.PushTo(fake.Push{URL: m.URL + "/wechat/callback", Token: m.Config.WeChat.Token,
			EncodingAESKey: m.Config.WeChat.EncodingAESKey, AppID: m.Config.WeChat.AppID})
	}
}

func (m *Main) callbackHandler() http.Handler {
	if m.WeChat == nil {
		return nil
	}
	return m.WeChat.CallbackHandler(m.DB.Complaints.HidePhoto)
}

// fakeMessages shows what the phones would have received, in the demo only.
func (m *Main) fakeMessages() http.Handler {
	if m.fakeWeChat == nil {
		return nil
	}
	return m.fakeWeChat.MessagesHandler()
}

// subscribeTemplates are the messages citizens and volunteers subscribe to.
var subscribeTemplates = []string{guanjia.TplComplaintUpdate, guanjia.TplSignupConfirmed,
	guanjia.TplActivityReminder, guanjia.TplHoursCredited, guanjia.TplActivityChanged, guanjia.TplVolunteerInvitation,
	guanjia.TplWeatherAlert, approval.TplApprovalUpdate, guanjia.TplDisputeUpdate, guanjia.TplDisputeSession,
	guanjia.TplCreditRepairDecided, guanjia.TplCreditAgentDecided}

// demoTemplates gives every subscribe message a template id the fake accepts.
func demoTemplates(set map[string]string) map[string]string {
	out := map[string]string{}
	for _, t := range subscribeTemplates {
		out[t] = "demo-" + t
	}
	for k, v := range set {
		out[k] = v
	}
	return out
}

// miniProgramPages maps each subscribe message to the page of the mini-program
// shipped in wechat/miniprogram that a tap opens; WECHAT_PAGES overrides
// entries, for a mini-program whose pages are laid out otherwise.
func miniProgramPages(set map[string]string) map[string]string {
	out := map[string]string{guanjia.TplComplaintUpdate: "pages/complaint/detail"}
	for _, t := range subscribeTemplates[1:] {
		out[t] = "pages/volunteer/activity"
	}
	out[guanjia.TplWeatherAlert] = "pages/mine/places" // my places and the alerts over them

	out[approval.TplApprovalUpdate] = "pages/info/approval"
	out[guanjia.TplDisputeUpdate], out[guanjia.TplDisputeSession] = "pages/dispute/detail", "pages/dispute/detail"
	out[guanjia.TplCreditRepairDecided] = "pages/credit/index"    // 诚信海口, where the entry is looked up again
	out[guanjia.TplCreditAgentDecided] = "pages/credit/represent" // my standings (法定代表人, 授权委托书)
	for k, v := range set {
		out[k] = v
	}
	return out
}

// photoChecker sends citizens' photos to WeChat's asynchronous media check
// through a signed link; the verdict arrives on /wechat/callback.
type photoChecker struct {
	wechat *wechat.Client
	base   string // the public URL WeChat fetches from
	secret string
	now    func() time.Time
}

func (p photoChecker) CheckPhoto(ctx context.Context, openid, photoID string) error {
	return p.wechat.CheckImageAsync(ctx, openid, api.SignPhotoURL(p.base, p.secret, photoID, p.now().Add(time.Hour)), photoID)
}

// photoChecker screens photos when WeChat is there and it can reach us.
func (m *Main) photoChecker() guanjia.PhotoChecker {
	base := m.Config.PublicURL
	if m.fakeWeChat != nil && base == "" {
		base = "http://" + m.Config.HTTPAddr // the fake fetches nothing; the link only has to be well formed
	}
	if m.WeChat == nil || base == "" {
		return nil
	}
	return photoChecker{wechat: m.WeChat, base: base, secret: m.Config.Secret, now: m.Now}
}
