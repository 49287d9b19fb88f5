package wechat_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"guanjia/wechat/fake"
)

// hidden records the photos the callback hid.
type hidden struct {
	mu  sync.Mutex
	ids []string
	ch  chan string
}

func newHidden() *hidden { return &hidden{ch: make(chan string, 10)} }

func (h *hidden) hide(_ context.Context, photoID string) error {
	h.mu.Lock()
	h.ids = append(h.ids, photoID)
	h.mu.Unlock()
	h.ch <- photoID
	return nil
}

func (h *hidden) list() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.ids...)
}

func serve(h http.Handler, req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func callback(t *testing.T, aesKey string, event any) *http.Request {
	t.Helper()
	req, err := fake.NewCallbackRequest("/wechat/callback", testToken, aesKey, testAppID, event)
	must(t, err)
	return req
}

// tamper replaces one query parameter of a signed request.
func tamper(req *http.Request, key, value string) *http.Request {
	q := req.URL.Query()
	q.Set(key, value)
	req.URL.RawQuery = q.Encode()
	return req
}

func TestCallbackURLCheck(t *testing.T) {
	e := newEnv(t)
	h := e.c.CallbackHandler(newHidden().hide)
	ts, nonce := "1764000000", "123456"
	q := url.Values{"signature": {fake.Signature(testToken, ts, nonce)}, "timestamp": {ts}, "nonce": {nonce}, "echostr": {"echo-me"}}

	rec := serve(h, httptest.NewRequest(http.MethodGet, "/wechat/callback?"+q.Encode(), nil))
	eq(t, http.StatusOK, rec.Code)
	eq(t, "echo-me", rec.Body.String())

	q.Set("signature", fake.Signature("wrong-token", ts, nonce))
	rec = serve(h, httptest.NewRequest(http.MethodGet, "/wechat/callback?"+q.Encode(), nil))
	eq(t, http.StatusForbidden, rec.Code)
	notContains(t, rec.Body.String(), "echo-me")
}

func TestCallbackBadSignatureRecordsNothing(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	u := e.login("mallory.1")
	must(t, e.c.CheckImageAsync(ctx, u.OpenID, "https://cdn.example.cn/p/1-risky.jpg", "photo-1"))
	trace := e.fake.MediaChecks()[0].TraceID
	hid := newHidden()
	h := e.c.CallbackHandler(hid.hide)

	forged := []*http.Request{
		tamper(callback(t, testAESKey, fake.MediaCheckEvent(testAppID, u.OpenID, trace, true)), "msg_signature", fake.Signature("x")),
		tamper(callback(t, testAESKey, fake.SubscribePopupEvent(u.OpenID, []string{tplUpdate}, nil)), "msg_signature", fake.Signature("y")),
		tamper(callback(t, "", fake.SubscribePopupEvent(u.OpenID, []string{tplUpdate}, nil)), "signature", fake.Signature("z")),
		tamper(callback(t, "", fake.SubscribePopupEvent(u.OpenID, []string{tplUpdate}, nil)), "timestamp", "1000000000"),
	}
	// Rightly signed, but from long ago: a replay.
	body, _ := json.Marshal(fake.SubscribePopupEvent(u.OpenID, []string{tplUpdate}, nil))
	old := url.Values{"timestamp": {"1000000000"}, "nonce": {"1"}, "signature": {fake.Signature(testToken, "1000000000", "1")}}
	forged = append(forged, httptest.NewRequest(http.MethodPost, "/wechat/callback?"+old.Encode(), bytes.NewReader(body)))

	for i, req := range forged {
		rec := serve(h, req)
		eq(t, http.StatusForbidden, rec.Code, "forged request %d", i)
	}
	// Encrypted for another app: the signature is right, the appid inside is not.
	req, err := fake.NewCallbackRequest("/wechat/callback", testToken, testAESKey, "wxother",
		fake.SubscribePopupEvent(u.OpenID, []string{tplUpdate}, nil))
	must(t, err)
	eq(t, http.StatusForbidden, serve(h, req).Code)

	empty(t, hid.list())
	empty(t, e.consents(u.ID))
	contains(t, e.logs.String(), "reason=\"stale timestamp\"", "the replay was refused for its age")
}

func TestCallbackMediaCheck(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	u := e.login("nina.1")
	hid := newHidden()
	h := e.c.CallbackHandler(hid.hide)

	must(t, e.c.CheckImageAsync(ctx, u.OpenID, "https://cdn.example.cn/p/2-risky.jpg", "photo-risky"))
	must(t, e.c.CheckImageAsync(ctx, u.OpenID, "https://cdn.example.cn/p/3.jpg", "photo-fine"))
	jobs := e.fake.MediaChecks()
	length(t, jobs, 2)
	truth(t, jobs[0].Risky)
	falsity(t, jobs[1].Risky)

	for _, job := range jobs {
		rec := serve(h, callback(t, testAESKey, fake.MediaCheckEvent(testAppID, u.OpenID, job.TraceID, job.Risky)))
		eq(t, http.StatusOK, rec.Code)
		eq(t, "success", rec.Body.String())
	}
	eq(t, []string{"photo-risky"}, hid.list())

	rec := serve(h, callback(t, testAESKey, fake.MediaCheckEvent(testAppID, u.OpenID, "no-such-trace", true)))
	eq(t, http.StatusServiceUnavailable, rec.Code, "unknown trace: let WeChat push again")

	before := e.fake.Count("/wxa/media_check_async")
	must(t, e.c.CheckImageAsync(ctx, "", "https://cdn.example.cn/p/4.jpg", "staff-photo"))
	eq(t, before, e.fake.Count("/wxa/media_check_async"), "staff photos are not checked")
}

func TestCallbackMediaCheckPushedByFake(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	u := e.login("olga.1")
	hid := newHidden()
	srv := httptest.NewServer(e.c.CallbackHandler(hid.hide))
	defer srv.Close()
	e.fake.PushTo(fake.Push{URL: srv.URL + "/wechat/callback", Token: testToken, EncodingAESKey: testAESKey, AppID: testAppID})

	must(t, e.c.CheckImageAsync(ctx, u.OpenID, "https://cdn.example.cn/p/违禁.jpg", "photo-7"))
	select {
	case id := <-hid.ch:
		eq(t, "photo-7", id)
	case <-time.After(5 * time.Second):
		t.Fatal("the risky verdict was not pushed")
	}
}

func TestCallbackSubscribePopup(t *testing.T) {
	for _, mode := range []struct{ name, aesKey string }{{"safe", testAESKey}, {"plain", ""}} {
		t.Run(mode.name, func(t *testing.T) {
			e := newEnv(t)
			u := e.login("peggy.1")
			h := e.c.CallbackHandler(newHidden().hide)

			ev := fake.SubscribePopupEvent(u.OpenID, []string{tplUpdate}, []string{tplSignup})
			rec := serve(h, callback(t, mode.aesKey, ev))
			eq(t, http.StatusOK, rec.Code, rec.Body.String())
			eq(t, map[string]int{tplUpdate: 1}, e.consents(u.ID))

			rec = serve(h, callback(t, mode.aesKey, ev)) // WeChat redelivers
			eq(t, http.StatusOK, rec.Code)
			eq(t, map[string]int{tplUpdate: 1}, e.consents(u.ID), "a redelivered push counts once")

			two := fake.SubscribePopupEvent(u.OpenID, []string{tplUpdate, tplSignup}, nil)
			eq(t, http.StatusOK, serve(h, callback(t, mode.aesKey, two)).Code)
			eq(t, map[string]int{tplUpdate: 2, tplSignup: 1}, e.consents(u.ID))
		})
	}
}
