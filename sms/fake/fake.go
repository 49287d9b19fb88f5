// Package fake is an offline Tencent Cloud SMS: an http.Handler answering
// the API 3.0 SendSms action (version 2021-01-11) with Tencent Cloud's
// request and response JSON and error codes, recording every message. It runs
// in tests and in the all-in-one demo; package sms reaches it through its
// transport and refuses it outside fake mode (FakeHeader).
//
// Behaviour worth knowing:
//
//   - a request without a TC3-HMAC-SHA256 Authorization header is
//     AuthFailure.SignatureFailure; an unknown action InvalidAction;
//   - a number that is not +86 and 11 digits is
//     InvalidParameterValue.IncorrectPhoneNumber (in its send status);
//   - a number told with Unsubscribe (the caller replied TD) is
//     FailedOperation.PhoneNumberInBlacklist;
//   - a template registered with Template is rendered into Text;
//     FailNext makes the next request fail with an error code; SetDown answers 503.
package fake

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// FakeHeader is set on every answer; it matches sms.FakeHeader.
const FakeHeader = "X-Guanjia-Fake-Sms"

// MessagesPath is where MessagesHandler serves the messages received, as JSON.
const MessagesPath = "/__fake/sms/messages"

// Received is one message the fake was asked to send to one number.
type Received struct {
	At         time.Time `json:"at"`
	Phone      string    `json:"phone"` // E.164, e.g. +8613800000000
	SdkAppID   string    `json:"sdk_app_id"`
	SignName   string    `json:"sign_name"`
	TemplateID string    `json:"template_id"`
	Params     []string  `json:"params"`
	Text       string    `json:"text,omitempty"` // 【sign】 and the template with its parameters, when the template is known
	Session    string    `json:"session_context,omitempty"`
	Code       string    `json:"code"` // what the fake answered for this number; "Ok" = delivered
}

// Server is the fake Tencent Cloud SMS. Its methods are safe for concurrent use.
type Server struct {
	URL string // set by Start

	mu           sync.Mutex
	templates    map[string]string
	unsubscribed map[string]bool
	failNext     []string
	down         bool
	messages     []Received
	srv          *http.Server
}

// New returns a fake; call Start to serve it on a local port, or mount it as a handler.
func New() *Server {
	return &Server{templates: map[string]string{}, unsubscribed: map[string]bool{}}
}

// Start serves the fake on 127.0.0.1 at a free port and sets URL.
func (s *Server) Start() error {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	s.URL = "http://" + l.Addr().String()
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 5 * time.Second}
	go s.srv.Serve(l)
	return nil
}

// Close stops a started fake.
func (s *Server) Close() error {
	if s.srv == nil {
		return nil
	}
	return s.srv.Close()
}

// Template registers the text of a template id ({1}, {2}… are its parameters).
func (s *Server) Template(id, text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.templates[id] = text
}

// Unsubscribe puts a number (E.164 or 11 digits) on the blacklist, as replying TD does.
func (s *Server) Unsubscribe(phone string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.unsubscribed[e164(phone)] = true
}

// FailNext makes the next request fail with a Tencent Cloud error code.
func (s *Server) FailNext(code string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNext = append(s.failNext, code)
}

// SetDown makes every request fail with HTTP 503 until SetDown(false).
func (s *Server) SetDown(down bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = down
}

// Messages returns what was sent so far, oldest first.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received{}, s.messages...)
}

// MessagesHandler serves the messages as JSON (numbers masked), for the demo's /__fake/sms/messages.
func (s *Server) MessagesHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		msgs := s.Messages()
		for i := range msgs {
			msgs[i].Phone = mask(msgs[i].Phone)
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		json.NewEncoder(w).Encode(map[string]any{"messages": msgs})
	})
}

// sendSmsRequest is the body of SendSms, version 2021-01-11.
type sendSmsRequest struct {
	PhoneNumberSet   []string
	SmsSdkAppId      string
	TemplateId       string
	SignName         string
	TemplateParamSet []string
	SessionContext   string
}

type sendStatus struct {
	SerialNo       string
	PhoneNumber    string
	Fee            int
	SessionContext string
	Code           string
	Message        string
	IsoCode        string
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set(FakeHeader, "1")
	s.mu.Lock()
	down := s.down
	var fail string
	if !down && len(s.failNext) > 0 {
		fail, s.failNext = s.failNext[0], s.failNext[1:]
	}
	s.mu.Unlock()
	switch {
	case down:
		http.Error(w, "service unavailable", http.StatusServiceUnavailable)
		return
	case r.Method != http.MethodPost:
		writeError(w, "UnsupportedProtocol", "only POST is supported here")
		return
	case !strings.HasPrefix(r.Header.Get("Authorization"), "TC3-HMAC-SHA256 Credential="):
		writeError(w, "AuthFailure.SignatureFailure", "the request is not signed with TC3-HMAC-SHA256")
		return
	case r.Header.Get("X-TC-Action") != "SendSms":
		writeError(w, "InvalidAction", fmt.Sprintf("the fake answers SendSms only, not %q", r.Header.Get("X-TC-Action")))
		return
	case r.Header.Get("X-TC-Version") != "2021-01-11":
		writeError(w, "InvalidParameterValue", "the fake speaks SendSms version 2021-01-11")
		return
	case fail != "":
		writeError(w, fail, "failure injected by the fake")
		return
	}
	var req sendSmsRequest
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err := json.Unmarshal(body, &req); err != nil {
		writeError(w, "FailedOperation.JsonParseFail", "the body is not JSON")
		return
	}
	switch {
	case req.SmsSdkAppId == "":
		writeError(w, "MissingParameter", "SmsSdkAppId is required")
		return
	case req.TemplateId == "":
		writeError(w, "MissingParameter", "TemplateId is required")
		return
	case req.SignName == "":
		writeError(w, "FailedOperation.SignatureIncorrectOrUnapproved", "a domestic SMS needs an approved SignName")
		return
	case len(req.PhoneNumberSet) == 0 || len(req.PhoneNumberSet) > 200:
		writeError(w, "InvalidParameterValue.IncorrectPhoneNumber", "PhoneNumberSet has 1 to 200 numbers")
		return
	}
	s.mu.Lock()
	text, known := s.templates[req.TemplateId]
	statuses := make([]sendStatus, len(req.PhoneNumberSet))
	for i, phone := range req.PhoneNumberSet {
		st := sendStatus{SerialNo: randomHex(16), PhoneNumber: phone, SessionContext: req.SessionContext, IsoCode: "CN", Code: "Ok", Message: "send success", Fee: 1}
		switch {
		case !validPhone(phone):
			st.Code, st.Message, st.Fee = "InvalidParameterValue.IncorrectPhoneNumber", "手机号格式错误", 0
		case s.unsubscribed[phone]:
			st.Code, st.Message, st.Fee = "FailedOperation.PhoneNumberInBlacklist", "手机号在免打扰名单库中", 0
		}
		statuses[i] = st
		m := Received{At: time.Now().UTC(), Phone: phone, SdkAppID: req.SmsSdkAppId, SignName: req.SignName,
			TemplateID: req.TemplateId, Params: req.TemplateParamSet, Session: req.SessionContext, Code: st.Code}
		if known {
			m.Text = "【" + req.SignName + "】" + render(text, req.TemplateParamSet)
		}
		s.messages = append(s.messages, m)
	}
	s.mu.Unlock()
	writeJSON(w, map[string]any{"Response": map[string]any{"SendStatusSet": statuses, "RequestId": newRequestID()}})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// writeError answers like API 3.0: HTTP 200 with Response.Error.
func writeError(w http.ResponseWriter, code, msg string) {
	writeJSON(w, map[string]any{"Response": map[string]any{
		"Error": map[string]string{"Code": code, "Message": msg}, "RequestId": newRequestID()}})
}

// render fills {1}, {2}… with the parameters.
func render(text string, params []string) string {
	for i := len(params); i >= 1; i-- { // {10} before {1}
		text = strings.ReplaceAll(text, "{"+strconv.Itoa(i)+"}", params[i-1])
	}
	return text
}

func validPhone(p string) bool {
	if !strings.HasPrefix(p, "+86") || len(p) != 14 || p[3] != '1' {
		return false
	}
	for _, r := range p[3:] {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func e164(p string) string {
	if strings.HasPrefix(p, "+") {
		return p
	}
	return "+86" + p
}

func mask(p string) string {
	if len(p) < 11 {
		return strings.Repeat("*", len(p))
	}
	return p[:len(p)-8] + "****" + p[len(p)-4:]
}

func randomHex(n int) string {
	b := make([]byte, n/2)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func newRequestID() string {
	h := randomHex(32)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
