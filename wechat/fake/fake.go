// Package fake is an offline WeChat: an http.Handler answering the
// mini-program and 企业微信 endpoints guanjia uses, with WeChat's request and
// response JSON and errcodes. It runs in tests and in the embedded
// development mode (WECHAT_FAKE); package wechat refuses to talk to it
// otherwise, by the FakeHeader it puts on every answer.
//
// Behaviour worth knowing:
//
//   - jscode2session: a code is single-use (40163 on reuse); a code starting
//     with "bad" is 40029. The openid depends on the code's part before the
//     first ".", so "alice.1" and "alice.2" are two logins of one user
//     (see OpenIDFor).
//   - getuserphonenumber: a code whose part before "." is an 11-digit mobile
//     number yields that number; others a number derived from the code (PhoneFor).
//   - subscribe send: 43101 for openids told with RefuseSubscribe or
//     starting with RefusePrefix; 47003 for values over WeChat's length limits.
//   - msg_sec_check: risky when the text contains one of RiskyWords
//     (v2: result.suggest "risky"; v1: errcode 87014).
//   - media_check_async: the verdict is pushed to the app's callback (PushTo),
//     risky when the media URL contains a risky word or "risky".
//   - WeCom message/send: 81013 for users starting with "unknown".
//   - InvalidateTokens, SetDown and FailNext simulate WeChat's failures.
package fake

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// FakeHeader is set on every answer; it matches wechat.FakeHeader.
const FakeHeader = "X-Guanjia-Fake-Wechat"

// MessagesPath is where Handler serves the messages it received, as JSON.
const MessagesPath = "/__fake/wechat/messages"

// DefaultRiskyWords make texts risky unless RiskyWords is changed.
var DefaultRiskyWords = []string{"违禁", "赌博", "枪支"}

// Received is one message the fake was asked to deliver.
type Received struct {
	Kind    string    `json:"kind"` // "subscribe" or "wecom"
	At      time.Time `json:"at"`
	ErrCode int       `json:"errcode"` // what the fake answered; 0 = delivered
	ToUser  string    `json:"touser"`  // openid, or WeCom userid

	// Subscribe messages.
	TemplateID string            `json:"template_id,omitempty"`
	Page       string            `json:"page,omitempty"`
	Data       map[string]string `json:"data,omitempty"` // keyword → value

	// WeCom messages.
	MsgType     string `json:"msgtype,omitempty"` // text or textcard
	AgentID     string `json:"agentid,omitempty"`
	Title       string `json:"title,omitempty"`
	Description string `json:"description,omitempty"`
	URL         string `json:"url,omitempty"`
	Content     string `json:"content,omitempty"`

	Body json.RawMessage `json:"body"` // exactly what was posted
}

// Request is one request the fake answered (its log of traffic).
type Request struct {
	Method, Host, Path string
	At                 time.Time
}

// MediaCheck is one media_check_async job.
type MediaCheck struct {
	TraceID, AppID, OpenID, MediaURL string
	Risky                            bool
}

// Push is where the fake delivers message pushes: the app's callback URL and
// the message-push settings of the mini-program.
type Push struct {
	URL            string
	Token          string
	EncodingAESKey string // empty: plain mode
	AppID          string
	Delay          time.Duration // before pushing a media verdict; 100ms when zero
}

type tokenInfo struct {
	kind string // "mini" or "work"
	app  string // appid or corpid
	gen  int
}

// Server is the fake WeChat. Its methods are safe for concurrent use; set
// the exported fields before it serves.
type Server struct {
	URL string // set by Start

	RiskyWords   []string // default DefaultRiskyWords
	RefusePrefix string   // openids with this prefix have no consent; default "oRefuse"

	mu          sync.Mutex
	gen         int
	tokens      map[string]tokenInfo
	current     map[string]string // kind+app → token that stable_token / gettoken hand out
	usedCodes   map[string]bool
	refused     map[string]bool
	down        bool
	failNext    map[string][]int
	messages    []Received
	requests    []Request
	mediaChecks []MediaCheck
	push        *Push
	pushes      sync.WaitGroup

	srv *http.Server
}

// New returns a fake WeChat; call Start to serve it on a local port, or mount Handler.
func New() *Server {
	return &Server{
		RiskyWords:   append([]string(nil), DefaultRiskyWords...),
		RefusePrefix: "oRefuse",
		tokens:       map[string]tokenInfo{},
		current:      map[string]string{},
		usedCodes:    map[string]bool{},
		refused:      map[string]bool{},
		failNext:     map[string][]int{},
	}
}

// Start serves the fake on 127.0.0.1 and sets URL.
func (s *Server) Start() error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("fake wechat: %w", err)
	}
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 5 * time.Second}
	s.URL = "http://" + ln.Addr().String()
	go s.srv.Serve(ln)
	return nil
}

// Close stops the server started by Start and waits for pending pushes.
func (s *Server) Close() error {
	s.pushes.Wait()
	if s.srv == nil {
		return nil
	}
	return s.srv.Close()
}

// Handler is the fake as an http.Handler, WeChat paths at its root.
func (s *Server) Handler() http.Handler { return s }

// MessagesHandler answers GET with the received messages as a JSON array.
func (s *Server) MessagesHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set(FakeHeader, "1")
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		json.NewEncoder(w).Encode(s.Messages())
	})
}

// Messages returns every message the fake was asked to deliver, oldest first.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received{}, s.messages...)
}

// Requests returns every WeChat request the fake got, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request{}, s.requests...)
}

// Count returns how many requests went to path.
func (s *Server) Count(path string) int {
	n := 0
	for _, r := range s.Requests() {
		if r.Path == path {
			n++
		}
	}
	return n
}

// MediaChecks returns the media_check_async jobs received.
func (s *Server) MediaChecks() []MediaCheck {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]MediaCheck{}, s.mediaChecks...)
}

// InvalidateTokens makes every access token issued so far invalid: the next
// call with one gets 40001 (mini-program) or 40014 (WeCom).
func (s *Server) InvalidateTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gen++
	s.current = map[string]string{}
}

// SetDown makes every WeChat endpoint answer 503 (true) or work again (false).
func (s *Server) SetDown(down bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = down
}

// FailNext makes the next request to path (e.g. "/cgi-bin/message/subscribe/send")
// answer errcode instead. Calls queue up.
func (s *Server) FailNext(path string, errcode int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNext[path] = append(s.failNext[path], errcode)
}

// RefuseSubscribe tells the fake openid has no subscribe consent (43101).
func (s *Server) RefuseSubscribe(openid string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refused[openid] = true
}

// SetRiskyWords replaces the words that make texts and media URLs risky.
func (s *Server) SetRiskyWords(words ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.RiskyWords = words
}

// PushTo makes the fake push media-check verdicts to the app's callback.
func (s *Server) PushTo(p Push) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p.Delay == 0 {
		p.Delay = 100 * time.Millisecond
	}
	s.push = &p
}

// OpenIDFor is the openid jscode2session returns for code.
func OpenIDFor(code string) string {
	user, _, _ := strings.Cut(code, ".")
	sum := sha256.Sum256([]byte("openid:" + user))
	return "o" + base64.RawURLEncoding.EncodeToString(sum[:])[:27]
}

// UnionIDFor is the unionid jscode2session returns for code.
func UnionIDFor(code string) string {
	user, _, _ := strings.Cut(code, ".")
	sum := sha256.Sum256([]byte("unionid:" + user))
	return "u" + base64.RawURLEncoding.EncodeToString(sum[:])[:27]
}

// PhoneFor is the phone number getuserphonenumber returns for code.
func PhoneFor(code string) string {
	user, _, _ := strings.Cut(code, ".")
	if len(user) == 11 && user[0] == '1' && strings.Trim(user, "0123456789") == "" {
		return user
	}
	sum := sha256.Sum256([]byte("phone:" + user))
	n := uint64(0)
	for _, b := range sum[:8] {
		n = n<<8 | uint64(b)
	}
	return fmt.Sprintf("139%08d", n%100000000)
}

// errmsgs are WeChat's messages for the errcodes the fake answers.
var errmsgs = map[int]string{
	-1:    "system error",
	40001: "invalid credential, access_token is invalid or not latest",
	40003: "invalid openid",
	40013: "invalid appid",
	40014: "invalid access_token",
	40029: "invalid code",
	40037: "invalid template_id",
	40058: "invalid parameter",
	40125: "invalid appsecret",
	40163: "code been used",
	40169: "invalid length for scene, or the data is not json string",
	41001: "access_token missing",
	41030: "invalid page",
	42001: "access_token expired",
	43101: "user refuse to accept the msg",
	45009: "reach max api daily quota limit",
	47003: "argument invalid!",
	81013: "user & party & tag all invalid",
	87014: "risky content",
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set(FakeHeader, "1")
	if r.URL.Path == MessagesPath {
		s.MessagesHandler().ServeHTTP(w, r)
		return
	}
	host := r.Header.Get("X-Forwarded-Host")
	if host == "" {
		host = r.Host
	}
	s.mu.Lock()
	s.requests = append(s.requests, Request{Method: r.Method, Host: host, Path: r.URL.Path, At: time.Now()})
	down := s.down
	var fail int
	if q := s.failNext[r.URL.Path]; len(q) > 0 {
		fail, s.failNext[r.URL.Path] = q[0], q[1:]
	}
	s.mu.Unlock()
	if down {
		http.Error(w, "Service Unavailable", http.StatusServiceUnavailable)
		return
	}
	if fail != 0 {
		writeErr(w, fail)
		return
	}
	switch r.URL.Path {
	case "/cgi-bin/token":
		s.token(w, r)
	case "/cgi-bin/stable_token":
		s.stableToken(w, r)
	case "/sns/jscode2session":
		s.code2Session(w, r)
	case "/wxa/business/getuserphonenumber":
		s.phoneNumber(w, r)
	case "/cgi-bin/message/subscribe/send":
		s.subscribeSend(w, r)
	case "/wxa/msg_sec_check":
		s.msgSecCheck(w, r)
	case "/wxa/media_check_async":
		s.mediaCheckAsync(w, r)
	case "/wxa/getwxacodeunlimit":
		s.wxaCodeUnlimit(w, r)
	case "/cgi-bin/gettoken":
		s.weComToken(w, r)
	case "/cgi-bin/message/send":
		s.weComSend(w, r)
	default:
		writeJSON(w, map[string]any{"errcode": 404, "errmsg": "fake wechat: no such api " + r.URL.Path})
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; encoding=utf-8")
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

func writeErr(w http.ResponseWriter, code int) {
	msg := errmsgs[code]
	if msg == "" {
		msg = "fake error"
	}
	writeJSON(w, map[string]any{"errcode": code, "errmsg": msg + ", rid: " + randomHex(12)})
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// issue hands out the current token of an app, or a new one when fresh is
// set or there is none. WeChat's stable_token and WeCom's gettoken both
// return the same token until it expires or is replaced.
func (s *Server) issue(kind, app string, fresh bool) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := kind + ":" + app
	if tok, ok := s.current[key]; ok && !fresh {
		return tok
	}
	tok := fmt.Sprintf("FAKE_%s_%s", strings.ToUpper(kind), randomHex(24))
	s.tokens[tok] = tokenInfo{kind: kind, app: app, gen: s.gen}
	s.current[key] = tok
	return tok
}

// app checks the access_token of r and returns the app it was issued to,
// or writes WeChat's error and returns "".
func (s *Server) app(w http.ResponseWriter, r *http.Request, kind string) string {
	tok := r.URL.Query().Get("access_token")
	if tok == "" {
		writeErr(w, 41001)
		return ""
	}
	s.mu.Lock()
	info, ok := s.tokens[tok]
	gen := s.gen
	s.mu.Unlock()
	if !ok || info.kind != kind || info.gen != gen {
		if kind == "work" {
			writeErr(w, 40014)
		} else {
			writeErr(w, 40001)
		}
		return ""
	}
	return info.app
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	switch {
	case q.Get("grant_type") != "client_credential":
		writeErr(w, 40058)
	case q.Get("appid") == "":
		writeErr(w, 40013)
	case q.Get("secret") == "":
		writeErr(w, 40125)
	default:
		writeJSON(w, map[string]any{"access_token": s.issue("mini", q.Get("appid"), true), "expires_in": 7200})
	}
}

func (s *Server) stableToken(w http.ResponseWriter, r *http.Request) {
	var req struct {
		GrantType    string `json:"grant_type"`
		AppID        string `json:"appid"`
		Secret       string `json:"secret"`
		ForceRefresh bool   `json:"force_refresh"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeErr(w, 40058)
		return
	}
	switch {
	case req.GrantType != "client_credential":
		writeErr(w, 40058)
	case req.AppID == "":
		writeErr(w, 40013)
	case req.Secret == "":
		writeErr(w, 40125)
	default:
		writeJSON(w, map[string]any{"access_token": s.issue("mini", req.AppID, req.ForceRefresh), "expires_in": 7200})
	}
}

// useCode marks a one-time code used; false when it was used before.
func (s *Server) useCode(kind, code string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.usedCodes[kind+":"+code] {
		return false
	}
	s.usedCodes[kind+":"+code] = true
	return true
}

func (s *Server) code2Session(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	code := q.Get("js_code")
	switch {
	case q.Get("appid") == "":
		writeErr(w, 40013)
	case q.Get("secret") == "":
		writeErr(w, 40125)
	case code == "" || strings.HasPrefix(code, "bad"):
		writeErr(w, 40029)
	case !s.useCode("login", code):
		writeErr(w, 40163)
	default:
		writeJSON(w, map[string]any{
			"openid":      OpenIDFor(code),
			"unionid":     UnionIDFor(code),
			"session_key": base64.StdEncoding.EncodeToString([]byte(randomHex(8))),
		})
	}
}

func (s *Server) phoneNumber(w http.ResponseWriter, r *http.Request) {
	app := s.app(w, r, "mini")
	if app == "" {
		return
	}
	var req struct {
		Code string `json:"code"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Code == "" ||
		strings.HasPrefix(req.Code, "bad") || !s.useCode("phone", req.Code) {
		writeErr(w, 40029)
		return
	}
	phone := PhoneFor(req.Code)
	writeJSON(w, map[string]any{
		"errcode": 0, "errmsg": "ok",
		"phone_info": map[string]any{
			"phoneNumber": phone, "purePhoneNumber": phone, "countryCode": "86",
			"watermark": map[string]any{"timestamp": time.Now().Unix(), "appid": app},
		},
	})
}

// keywordLimits are the subscribe keyword length limits WeChat enforces (47003).
var keywordLimits = map[string]int{
	"thing": 20, "character_string": 32, "phrase": 5, "number": 32, "letter": 32,
	"symbol": 5, "time": 64, "date": 64, "amount": 32, "phone_number": 17, "car_number": 8, "name": 10,
}

func (s *Server) subscribeSend(w http.ResponseWriter, r *http.Request) {
	if s.app(w, r, "mini") == "" {
		return
	}
	body, _ := io.ReadAll(r.Body)
	var req struct {
		ToUser     string `json:"touser"`
		TemplateID string `json:"template_id"`
		Page       string `json:"page"`
		Data       map[string]struct {
			Value any `json:"value"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		writeErr(w, 47001)
		return
	}
	rec := Received{Kind: "subscribe", At: time.Now(), ToUser: req.ToUser, TemplateID: req.TemplateID,
		Page: req.Page, Data: map[string]string{}, Body: body}
	for k, v := range req.Data {
		rec.Data[k] = fmt.Sprint(v.Value)
	}
	s.mu.Lock()
	refused := s.refused[req.ToUser] || (s.RefusePrefix != "" && strings.HasPrefix(req.ToUser, s.RefusePrefix))
	s.mu.Unlock()
	switch {
	case req.ToUser == "":
		rec.ErrCode = 40003
	case req.TemplateID == "":
		rec.ErrCode = 40037
	case refused:
		rec.ErrCode = 43101
	default:
		for k, v := range rec.Data {
			if max, ok := keywordLimits[strings.TrimRight(k, "0123456789")]; !ok || v == "" || utf8.RuneCountInString(v) > max {
				rec.ErrCode = 47003
			}
		}
	}
	s.mu.Lock()
	s.messages = append(s.messages, rec)
	n := len(s.messages)
	s.mu.Unlock()
	if rec.ErrCode != 0 {
		writeErr(w, rec.ErrCode)
		return
	}
	writeJSON(w, map[string]any{"errcode": 0, "errmsg": "ok", "msgid": 3000000000 + n})
}

func (s *Server) risky(text string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, word := range s.RiskyWords {
		if word != "" && strings.Contains(text, word) {
			return word, true
		}
	}
	return "", false
}

func (s *Server) msgSecCheck(w http.ResponseWriter, r *http.Request) {
	if s.app(w, r, "mini") == "" {
		return
	}
	var req struct {
		Content string `json:"content"`
		Version int    `json:"version"`
		OpenID  string `json:"openid"`
		Scene   int    `json:"scene"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeErr(w, 40058)
		return
	}
	word, risky := s.risky(req.Content)
	if req.Version != 2 {
		if risky {
			writeErr(w, 87014)
		} else {
			writeJSON(w, map[string]any{"errcode": 0, "errmsg": "ok"})
		}
		return
	}
	if req.OpenID == "" || req.Scene < 1 || req.Scene > 4 {
		writeErr(w, 40003)
		return
	}
	suggest, label := "pass", 100
	if risky {
		suggest, label = "risky", 20006
	}
	writeJSON(w, map[string]any{
		"errcode": 0, "errmsg": "ok", "trace_id": randomHex(12),
		"result": map[string]any{"suggest": suggest, "label": label},
		"detail": []map[string]any{{"strategy": "keyword", "errcode": 0, "suggest": suggest, "label": label, "prob": 90, "keyword": word}},
	})
}

func (s *Server) mediaCheckAsync(w http.ResponseWriter, r *http.Request) {
	app := s.app(w, r, "mini")
	if app == "" {
		return
	}
	var req struct {
		MediaURL  string `json:"media_url"`
		MediaType int    `json:"media_type"`
		Version   int    `json:"version"`
		OpenID    string `json:"openid"`
		Scene     int    `json:"scene"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.MediaURL == "" ||
		(req.MediaType != 1 && req.MediaType != 2) {
		writeErr(w, 40058)
		return
	}
	if req.Version == 2 && req.OpenID == "" {
		writeErr(w, 40003)
		return
	}
	target, _ := url.PathUnescape(req.MediaURL)
	_, risky := s.risky(target)
	job := MediaCheck{TraceID: randomHex(4) + "-" + randomHex(4) + "-" + randomHex(4), AppID: app,
		OpenID: req.OpenID, MediaURL: req.MediaURL, Risky: risky || strings.Contains(target, "risky")}
	s.mu.Lock()
	s.mediaChecks = append(s.mediaChecks, job)
	push := s.push
	if push != nil {
		s.pushes.Add(1)
	}
	s.mu.Unlock()
	if push != nil {
		go func() {
			defer s.pushes.Done()
			time.Sleep(push.Delay)
			s.deliver(*push, MediaCheckEvent(job.AppID, job.OpenID, job.TraceID, job.Risky))
		}()
	}
	writeJSON(w, map[string]any{"errcode": 0, "errmsg": "ok", "trace_id": job.TraceID})
}

// deliver pushes event like WeChat: up to three attempts until the app answers success.
func (s *Server) deliver(p Push, event any) {
	for attempt := 0; attempt < 3; attempt++ {
		if attempt > 0 {
			time.Sleep(200 * time.Millisecond)
		}
		req, err := NewCallbackRequest(p.URL, p.Token, p.EncodingAESKey, p.AppID, event)
		if err != nil {
			return
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			continue
		}
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK && (len(body) == 0 || string(body) == "success") {
			return
		}
	}
}

func (s *Server) wxaCodeUnlimit(w http.ResponseWriter, r *http.Request) {
	if s.app(w, r, "mini") == "" {
		return
	}
	var req struct {
		Scene string `json:"scene"`
		Page  string `json:"page"`
		Width int    `json:"width"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeErr(w, 40058)
		return
	}
	if req.Scene == "" || len(req.Scene) > 32 {
		writeErr(w, 40169)
		return
	}
	if strings.HasPrefix(req.Page, "/") {
		writeErr(w, 41030)
		return
	}
	// WeChat labels every code image/jpeg, even the transparent (is_hyaline)
	// ones that are PNG data, and the SDK relies on that label.
	w.Header().Set("Content-Type", "image/jpeg")
	w.Write(codeImage(req.Scene + "\x00" + req.Page))
}

// codeImage draws a small, deterministic, code-looking PNG.
func codeImage(seed string) []byte {
	const cells, cell = 21, 4
	sum := sha256.Sum256([]byte(seed))
	img := image.NewNRGBA(image.Rect(0, 0, cells*cell, cells*cell))
	for y := 0; y < cells; y++ {
		for x := 0; x < cells; x++ {
			i := y*cells + x
			on := sum[(i/8)%len(sum)]>>(i%8)&1 == 1
			finder := (x < 7 || x >= cells-7) && y < 7 || x < 7 && y >= cells-7
			if finder {
				fx, fy := x%(cells-7), y%(cells-7)
				on = fx == 0 || fx == 6 || fy == 0 || fy == 6 || (fx >= 2 && fx <= 4 && fy >= 2 && fy <= 4)
			}
			if !on {
				continue // transparent, like is_hyaline codes
			}
			for dy := 0; dy < cell; dy++ {
				for dx := 0; dx < cell; dx++ {
					img.Set(x*cell+dx, y*cell+dy, color.NRGBA{A: 255})
				}
			}
		}
	}
	var buf bytes.Buffer
	png.Encode(&buf, img)
	return buf.Bytes()
}

func (s *Server) weComToken(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	switch {
	case q.Get("corpid") == "":
		writeJSON(w, map[string]any{"errcode": 40013, "errmsg": "invalid corpid"})
	case q.Get("corpsecret") == "":
		writeJSON(w, map[string]any{"errcode": 40001, "errmsg": "invalid credential"})
	default:
		writeJSON(w, map[string]any{"errcode": 0, "errmsg": "ok",
			"access_token": s.issue("work", q.Get("corpid"), false), "expires_in": 7200})
	}
}

func (s *Server) weComSend(w http.ResponseWriter, r *http.Request) {
	if s.app(w, r, "work") == "" {
		return
	}
	body, _ := io.ReadAll(r.Body)
	var req struct {
		ToUser  string          `json:"touser"`
		MsgType string          `json:"msgtype"`
		AgentID json.RawMessage `json:"agentid"` // WeCom takes a number; the SDK sends a string
		Text    struct {
			Content string `json:"content"`
		} `json:"text"`
		TextCard struct {
			Title       string `json:"title"`
			Description string `json:"description"`
			URL         string `json:"url"`
		} `json:"textcard"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		writeErr(w, 40058)
		return
	}
	agent := strings.Trim(string(req.AgentID), `"`)
	rec := Received{Kind: "wecom", At: time.Now(), ToUser: req.ToUser, MsgType: req.MsgType, AgentID: agent,
		Title: req.TextCard.Title, Description: req.TextCard.Description, URL: req.TextCard.URL,
		Content: req.Text.Content, Body: body}
	_, agentErr := strconv.Atoi(agent)
	switch {
	case agentErr != nil:
		rec.ErrCode = 40056 // invalid agentid
	case req.ToUser == "" || strings.HasPrefix(req.ToUser, "unknown"):
		rec.ErrCode = 81013
	case req.MsgType == "text" && req.Text.Content == "":
		rec.ErrCode = 40058
	case req.MsgType == "textcard" && (req.TextCard.Title == "" || req.TextCard.Description == "" || req.TextCard.URL == ""):
		rec.ErrCode = 40058
	case req.MsgType != "text" && req.MsgType != "textcard":
		rec.ErrCode = 40008 // invalid message type
	}
	s.mu.Lock()
	s.messages = append(s.messages, rec)
	s.mu.Unlock()
	if rec.ErrCode != 0 {
		writeErr(w, rec.ErrCode)
		return
	}
	writeJSON(w, map[string]any{"errcode": 0, "errmsg": "ok", "invaliduser": "", "invalidparty": "",
		"invalidtag": "", "unlicenseduser": "", "msgid": randomHex(16), "response_code": randomHex(16)})
}

// Shutdown is Close with a deadline, for callers that hold a context.
func (s *Server) Shutdown(ctx context.Context) error {
	if s.srv == nil {
		return nil
	}
	return s.srv.Shutdown(ctx)
}
