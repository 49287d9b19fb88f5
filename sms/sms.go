// Package sms texts through Tencent Cloud SMS (短信), with the provider's
// official Go SDK: a 12345 caller gets the 受理 message with the order number
// and the 办结 message with what was done and a signed link to rate; a party
// of a dispute who has no account is told when their mediation session is.
// Package sms/fake is an offline Tencent Cloud SMS for development and
// tests; the SDK reaches it through this package's transport, never the
// network.
//
// Neither is a user: a message names its complaint (a party's message, its
// dispute and party), and the sender reads the phone number from it
// (decrypted by the store) only when it sends. The number is never logged
// nor written into an error.
package sms

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	tcerr "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/errors"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"
	tcsms "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/sms/v20210111"

	"guanjia"
	"guanjia/sms/fake"
)

// Config is read once by main from the environment (see .env.example).
type Config struct {
	SecretID  string // SMS_SECRET_ID: a CAM key allowed sms:SendSms
	SecretKey string // SMS_SECRET_KEY
	Region    string // SMS_REGION, default ap-guangzhou
	SdkAppID  string // SMS_SDK_APP_ID: the SMS application (SdkAppId), e.g. 1400xxxxxx
	SignName  string // SMS_SIGN_NAME: the approved signature, e.g. 海口12345
	// Templates maps a guanjia template (guanjia.TplCaller…) to the id of the
	// approved Tencent Cloud template whose text is TemplateTexts[tpl].
	Templates map[string]string // SMS_TEMPLATES: caller_accepted=id,caller_closed=id,party_session=id

	// Fake sends every request to BaseURL, where the offline fake answers. It
	// is refused with real secrets, and BaseURL is refused without it.
	Fake    bool   // SMS_FAKE
	BaseURL string // the fake's URL (set by main in the all-in-one demo)
}

// TemplateTexts are the texts to register as templates in the SMS console
// (国内短信 → 正文模板, 通知类), with their parameters in this order.
var TemplateTexts = map[string]string{
	guanjia.TplCallerAccepted:  "您反映的问题已受理，工单号{1}，我们将尽快办理并短信告知结果。",
	guanjia.TplCallerClosed:    "您反映的问题（工单号{1}）已办结：{2}。请对办理结果评价：{3}（7天内有效）",
	guanjia.TplPartySession:    "您参与的纠纷调解（案号{1}）定于{2}在{3}进行，请准时参加；如需改期请与调解员联系。",
	guanjia.TplPartySessionOff: "您参与的纠纷调解（案号{1}）{4}，原定于{2}在{3}的调解会取消，无需前往。",
}

// NoteMax is how much of the resolve note the 办结 text carries, in
// characters; PlaceMax how much of a mediation session's place.
const NoteMax, PlaceMax = 20, 30

// FakeHeader marks every answer of the fake; a sender not in fake mode refuses such answers.
const FakeHeader = "X-Guanjia-Fake-Sms"

// Fake-mode settings: the fake accepts anything, and nothing real is configured.
const (
	fakeSecretID  = "fake-secret-id"
	fakeSecretKey = "fake-secret-key"
	fakeSdkAppID  = "1400000000"
	fakeSignName  = "海口12345"
)

// FakeTemplates are the template ids of fake mode.
var FakeTemplates = map[string]string{guanjia.TplCallerAccepted: "100001", guanjia.TplCallerClosed: "100002",
	guanjia.TplPartySession: "100003", guanjia.TplPartySessionOff: "100004"}

// StartFake starts the offline Tencent Cloud SMS with FakeTemplates approved
// under their texts: what fake mode sends to.
func StartFake() (*fake.Server, error) {
	f := fake.New()
	if err := f.Start(); err != nil {
		return nil, err
	}
	for tpl, id := range FakeTemplates {
		f.Template(id, TemplateTexts[tpl])
	}
	return f, nil
}

// WithDefaults checks cfg and fills what fake mode leaves out.
func (cfg Config) WithDefaults() (Config, error) {
	if cfg.Region == "" {
		cfg.Region = "ap-guangzhou"
	}
	if cfg.Fake {
		if cfg.SecretID != "" || cfg.SecretKey != "" {
			return cfg, errors.New("sms: SMS_FAKE is set but real Tencent Cloud secrets are configured; refusing to mix them")
		}
		if cfg.BaseURL == "" {
			return cfg, errors.New("sms: fake mode needs the fake's base URL")
		}
		cfg.SecretID, cfg.SecretKey = fakeSecretID, fakeSecretKey
		if cfg.SdkAppID == "" {
			cfg.SdkAppID = fakeSdkAppID
		}
		if cfg.SignName == "" {
			cfg.SignName = fakeSignName
		}
		tpls := map[string]string{}
		for k, v := range FakeTemplates {
			tpls[k] = v
		}
		for k, v := range cfg.Templates {
			tpls[k] = v
		}
		cfg.Templates = tpls
		return cfg, nil
	}
	if cfg.BaseURL != "" {
		return cfg, errors.New("sms: an SMS base URL is only allowed with SMS_FAKE")
	}
	if cfg.SecretID == "" || cfg.SecretKey == "" || cfg.SdkAppID == "" || cfg.SignName == "" {
		return cfg, errors.New("sms: SMS_SECRET_ID, SMS_SECRET_KEY, SMS_SDK_APP_ID and SMS_SIGN_NAME go together")
	}
	for tpl := range TemplateTexts {
		if cfg.Templates[tpl] == "" {
			return cfg, fmt.Errorf("sms: SMS_TEMPLATES names no template id for %s", tpl)
		}
	}
	return cfg, nil
}

// Complaints reads the complaint a message is about; the store decrypts the caller's phone.
type Complaints interface {
	FindComplaint(ctx context.Context, id int64) (*guanjia.Complaint, error)
}

// Disputes reads the dispute a party's message is about; the store decrypts
// the parties' phones.
type Disputes interface {
	FindDispute(ctx context.Context, id int64) (*guanjia.Dispute, error)
}

// Sender delivers guanjia.ChannelSMS messages to 12345 callers and to the
// parties of a dispute who have no account.
type Sender struct {
	cfg        Config
	client     *tcsms.Client
	complaints Complaints
	disputes   Disputes
	ratingLink func(complaintID int64) string
	log        *slog.Logger
}

var _ guanjia.Sender = (*Sender)(nil)

// New returns a sender. ratingLink makes the signed link of the 办结 text.
func New(cfg Config, complaints Complaints, disputes Disputes, ratingLink func(complaintID int64) string, log *slog.Logger) (*Sender, error) {
	cfg, err := cfg.WithDefaults()
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.Default()
	}
	tr, err := newTransport(cfg)
	if err != nil {
		return nil, err
	}
	cpf := profile.NewClientProfile()
	cpf.HttpProfile.ReqTimeout = 10
	client, err := tcsms.NewClient(common.NewCredential(cfg.SecretID, cfg.SecretKey), cfg.Region, cpf)
	if err != nil {
		return nil, fmt.Errorf("sms: client: %w", err)
	}
	client.WithHttpTransport(tr)
	return &Sender{cfg: cfg, client: client, complaints: complaints, disputes: disputes, ratingLink: ratingLink, log: log}, nil
}

// text is one SMS as the sender reads it when it sends: to whom, and with
// what parameters.
type text struct {
	about  string // "complaint 12", "dispute 3": what errors name, never the number
	phone  string // as written down; mobile() checks it
	optOut bool
	params []string // in TemplateTexts' order
}

// Send texts the caller of n's complaint, or the party of n's dispute. It
// returns guanjia.ErrNoChannel when there is no mobile number to text,
// guanjia.ErrNoConsent when the caller opted out (at intake, or by replying
// TD: the platform's blacklist), an *guanjia.Error when Tencent Cloud refuses
// for good (template, signature, parameters), and any other error when it is
// worth retrying.
func (s *Sender) Send(ctx context.Context, _ *guanjia.User, n *guanjia.Notification) error {
	tplID := s.cfg.Templates[n.Template]
	if tplID == "" {
		return guanjia.Errorf(guanjia.EUNPROCESSABLE, "no SMS template id configured for %q", n.Template)
	}
	var t text
	var err error
	if n.Template == guanjia.TplPartySession || n.Template == guanjia.TplPartySessionOff {
		t, err = s.toParty(ctx, n)
	} else {
		t, err = s.toCaller(ctx, n)
	}
	if err != nil {
		return err
	}
	phone, ok := mobile(t.phone)
	switch {
	case !ok:
		return fmt.Errorf("sms: %s: no mobile number: %w", t.about, guanjia.ErrNoChannel)
	case t.optOut:
		return fmt.Errorf("sms: %s: asked for no SMS: %w", t.about, guanjia.ErrNoConsent)
	}
	req := tcsms.NewSendSmsRequest()
	req.PhoneNumberSet = []*string{&phone}
	req.SmsSdkAppId, req.SignName, req.TemplateId = &s.cfg.SdkAppID, &s.cfg.SignName, &tplID
	for i := range t.params {
		req.TemplateParamSet = append(req.TemplateParamSet, &t.params[i])
	}
	session := fmt.Sprintf("notification:%d", n.ID) // comes back in delivery receipts
	req.SessionContext = &session
	res, err := s.client.SendSmsWithContext(ctx, req)
	if err != nil {
		return callError(t.about, err)
	}
	if res.Response == nil || len(res.Response.SendStatusSet) != 1 || res.Response.SendStatusSet[0].Code == nil {
		return fmt.Errorf("sms: %s: an answer without a send status", t.about)
	}
	st := res.Response.SendStatusSet[0]
	if code := *st.Code; code != "Ok" {
		msg := ""
		if st.Message != nil {
			msg = *st.Message
		}
		return callError(t.about, tcerr.NewTencentCloudSDKError(code, msg, ""))
	}
	return nil
}

// toCaller is a text to the caller of a 12345 work order: 受理 with the
// order number, or 办结 with what was done and the link to rate.
func (s *Sender) toCaller(ctx context.Context, n *guanjia.Notification) (text, error) {
	if n.ComplaintID == nil {
		return text{}, guanjia.Errorf(guanjia.EINVALID, "an SMS names the complaint whose caller it goes to")
	}
	c, err := s.complaints.FindComplaint(ctx, *n.ComplaintID)
	if err != nil {
		return text{}, err
	}
	t := text{about: fmt.Sprintf("complaint %d", c.ID), phone: c.CallerPhone, optOut: c.SMSOptOut}
	order := strconv.FormatInt(c.ID, 10)
	switch n.Template {
	case guanjia.TplCallerAccepted:
		t.params = []string{order}
	case guanjia.TplCallerClosed:
		if s.ratingLink == nil {
			return text{}, guanjia.Errorf(guanjia.EUNPROCESSABLE, "no rating link: set GUANJIA_PUBLIC_URL")
		}
		note := strings.TrimSpace(n.Data["note"])
		if note == "" {
			note = "已处置"
		}
		t.params = []string{order, clip(note, NoteMax), s.ratingLink(c.ID)}
	default:
		return text{}, guanjia.Errorf(guanjia.EUNPROCESSABLE, "no SMS text for template %q", n.Template)
	}
	return t, nil
}

// toParty is a text to a party of a dispute who has no account: the
// session's time and place, under the dispute's number.
func (s *Sender) toParty(ctx context.Context, n *guanjia.Notification) (text, error) {
	id, err1 := strconv.ParseInt(n.Data["id"], 10, 64)
	partyID, err2 := strconv.ParseInt(n.Data["party"], 10, 64)
	if err1 != nil || err2 != nil || s.disputes == nil {
		return text{}, guanjia.Errorf(guanjia.EINVALID, "a party's SMS names its dispute and party")
	}
	d, err := s.disputes.FindDispute(ctx, id)
	if err != nil {
		return text{}, err
	}
	i := slices.IndexFunc(d.Parties, func(p guanjia.Party) bool { return p.ID == partyID })
	if i < 0 {
		return text{}, guanjia.Errorf(guanjia.ENOTFOUND, "party %d is not a party of dispute %d", partyID, id)
	}
	params := []string{d.Number, n.Data["start"], clip(n.Data["place"], PlaceMax)}
	if n.Template == guanjia.TplPartySessionOff {
		params = append(params, n.Data["why"])
	}
	return text{about: fmt.Sprintf("dispute %d", d.ID), phone: d.Parties[i].Phone, params: params}, nil
}

// mobile turns a caller's number into E.164 when it is a mainland mobile
// number; a landline cannot be texted.
func mobile(p string) (string, bool) {
	p = strings.NewReplacer(" ", "", "-", "").Replace(p)
	p = strings.TrimPrefix(strings.TrimPrefix(p, "+86"), "0086")
	if len(p) == 13 && strings.HasPrefix(p, "86") {
		p = p[2:]
	}
	if len(p) != 11 || p[0] != '1' {
		return "", false
	}
	for _, r := range p {
		if r < '0' || r > '9' {
			return "", false
		}
	}
	return "+86" + p, true
}

// Tencent Cloud error codes that settle a message for good.
var (
	// The number is on the platform's blacklist: the caller replied TD (退订).
	codesNoConsent = []string{"FailedOperation.PhoneNumberInBlacklist"}
	codesNoChannel = []string{"InvalidParameterValue.IncorrectPhoneNumber", "FailedOperation.PhoneNumberParseFail",
		"UnsupportedOperation.ContainDomesticAndInternationalPhoneNumber"}
	// Configuration or content the platform will refuse again, however often asked.
	prefixesFailed = []string{"FailedOperation.", "InvalidParameter", "UnauthorizedOperation.", "AuthFailure.",
		"UnsupportedOperation.", "MissingParameter"}
)

// callError classifies a failed send. Limits, internal errors and the
// network are worth retrying; the rest is final.
func callError(about string, err error) error {
	var te *tcerr.TencentCloudSDKError
	if !errors.As(err, &te) {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL says nothing worth keeping
		}
		return fmt.Errorf("sms: %s: %s", about, redact(err.Error()))
	}
	code, msg := te.Code, redact(te.Message)
	switch {
	case contains(codesNoConsent, code):
		return fmt.Errorf("sms: %s: %s %s: %w", about, code, msg, guanjia.ErrNoConsent)
	case contains(codesNoChannel, code):
		return fmt.Errorf("sms: %s: %s %s: %w", about, code, msg, guanjia.ErrNoChannel)
	case strings.HasPrefix(code, "LimitExceeded.") || strings.HasPrefix(code, "InternalError") ||
		code == "RequestLimitExceeded" || strings.HasPrefix(code, "ClientError."):
		return fmt.Errorf("sms: %s: %s %s", about, code, msg)
	}
	for _, p := range prefixesFailed {
		if strings.HasPrefix(code, p) {
			return guanjia.Errorf(guanjia.EUNPROCESSABLE, "Tencent Cloud SMS refused: %s %s", code, msg)
		}
	}
	return fmt.Errorf("sms: %s: %s %s", about, code, msg)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

var digitRuns = regexp.MustCompile(`\+?\d{7,}`)

// redact hides anything that could be a phone number: the SDK quotes
// response bodies in its errors, and those name the number.
func redact(s string) string { return digitRuns.ReplaceAllString(s, "[number]") }

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// transport sends the SDK's requests: to Tencent Cloud, refusing answers of
// the fake; or, in fake mode, to the fake only, whatever host the SDK names.
type transport struct {
	base *url.URL // fake mode: where every request goes
	next http.RoundTripper
}

func newTransport(cfg Config) (*transport, error) {
	t := &transport{next: http.DefaultTransport.(*http.Transport).Clone()}
	if cfg.Fake {
		u, err := url.Parse(strings.TrimRight(cfg.BaseURL, "/"))
		if err != nil || u.Scheme == "" || u.Host == "" {
			return nil, fmt.Errorf("sms: fake base URL %q is not an absolute URL", cfg.BaseURL)
		}
		t.base = u
	}
	return t, nil
}

func (t *transport) RoundTrip(r *http.Request) (*http.Response, error) {
	if t.base != nil {
		r = r.Clone(r.Context())
		r.URL.Scheme, r.URL.Host, r.Host = t.base.Scheme, t.base.Host, t.base.Host
		r.URL.Path = t.base.Path + r.URL.Path
	}
	res, err := t.next.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	if t.base == nil && res.Header.Get(FakeHeader) != "" {
		res.Body.Close()
		return nil, errors.New("sms: an answer from the fake SMS server outside fake mode")
	}
	return res, nil
}
