package wechat_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"testing"
	"time"

	"guanjia"
	"guanjia/wechat/fake"
)

// plainPush is a plain-mode push signed for ts and nonce, carrying event:
// the signature covers the token, timestamp and nonce, not the body.
func plainPush(ts time.Time, nonce string, event any) *http.Request {
	stamp := strconv.FormatInt(ts.Unix(), 10)
	body, _ := json.Marshal(event)
	q := url.Values{"timestamp": {stamp}, "nonce": {nonce}, "signature": {fake.Signature(testToken, stamp, nonce)}}
	return httptest.NewRequest(http.MethodPost, "/wechat/callback?"+q.Encode(), bytes.NewReader(body))
}

// Issue 10, row 13: a plain-mode push captured once — same signature,
// timestamp and nonce — must not carry other bodies. It was accepted three
// times and the consent counter went 1 → 4.
func TestCallbackPlainReplayWithAnotherBody(t *testing.T) {
	e := newEnv(t)
	u := e.login("quentin.1")
	other := e.login("rita.1")
	h := e.c.CallbackHandler(newHidden().hide)
	now := time.Now()

	first := fake.SubscribePopupEvent(u.OpenID, []string{tplUpdate}, nil)
	eq(t, http.StatusOK, serve(h, plainPush(now, "424242", first)).Code)
	eq(t, map[string]int{tplUpdate: 1}, e.consents(u.ID))

	// The same signed query with other bodies: three more consents, another user's, a second template.
	for i, body := range []any{
		fake.SubscribePopupEvent(u.OpenID, []string{tplUpdate, tplUpdate}, nil),
		fake.SubscribePopupEvent(u.OpenID, []string{tplUpdate, tplSignup}, nil),
		fake.SubscribePopupEvent(other.OpenID, []string{tplUpdate}, nil),
	} {
		eq(t, http.StatusForbidden, serve(h, plainPush(now, "424242", body)).Code, "replay %d", i)
	}
	eq(t, map[string]int{tplUpdate: 1}, e.consents(u.ID), "the replays recorded nothing")
	empty(t, e.consents(other.ID))
	contains(t, e.logs.String(), `reason="replayed nonce"`)

	// WeChat redelivering the very same push is answered without acting twice.
	rec := serve(h, plainPush(now, "424242", first))
	eq(t, http.StatusOK, rec.Code)
	eq(t, "success", rec.Body.String())
	eq(t, map[string]int{tplUpdate: 1}, e.consents(u.ID))
}

// The timestamp must be within ±5 minutes of our clock.
func TestCallbackTimestampWindow(t *testing.T) {
	e := newEnv(t)
	u := e.login("sam.1")
	h := e.c.CallbackHandler(newHidden().hide)
	ev := func(tpl string) any { return fake.SubscribePopupEvent(u.OpenID, []string{tpl}, nil) }

	eq(t, http.StatusForbidden, serve(h, plainPush(time.Now().Add(-6*time.Minute), "1", ev(tplUpdate))).Code, "6 minutes old")
	eq(t, http.StatusForbidden, serve(h, plainPush(time.Now().Add(6*time.Minute), "2", ev(tplUpdate))).Code, "6 minutes ahead")
	empty(t, e.consents(u.ID))
	eq(t, http.StatusOK, serve(h, plainPush(time.Now().Add(-4*time.Minute), "3", ev(tplUpdate))).Code, "4 minutes old")
	eq(t, http.StatusOK, serve(h, plainPush(time.Now().Add(4*time.Minute), "4", ev(tplSignup))).Code, "4 minutes ahead")
	eq(t, map[string]int{tplUpdate: 1, tplSignup: 1}, e.consents(u.ID))
}

// Without WECHAT_ALLOW_PLAIN only safe-mode (encrypted) pushes are taken.
func TestCallbackPlainModeRefusedByDefault(t *testing.T) {
	e := newEnv(t)
	e.cfg.AllowPlain = false
	c := e.newClient()
	u := e.login("tina.1")
	h := c.CallbackHandler(newHidden().hide)

	ev := fake.SubscribePopupEvent(u.OpenID, []string{tplUpdate}, nil)
	eq(t, http.StatusForbidden, serve(h, callback(t, "", ev)).Code, "a plain push")
	empty(t, e.consents(u.ID))
	contains(t, e.logs.String(), `reason="plain mode not allowed"`)
	eq(t, http.StatusOK, serve(h, callback(t, testAESKey, ev)).Code, "a safe-mode push")
	eq(t, map[string]int{tplUpdate: 1}, e.consents(u.ID))
}

// One tap on "allow" is told by the mini-program and by WeChat's push: it
// counts once, whichever comes first; taps told once count each.
func TestATapToldTwiceCountsOnce(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	h := e.c.CallbackHandler(newHidden().hide)
	push := func(u *guanjia.User, nonce string, tpls ...string) {
		t.Helper()
		eq(t, http.StatusOK, serve(h, plainPush(time.Now(), nonce, fake.SubscribePopupEvent(u.OpenID, tpls, nil))).Code)
	}

	u := e.login("una.1")
	must(t, e.c.RecordTap(ctx, u.ID, []string{tplUpdate})) // the mini-program first
	push(u, "p1", tplUpdate)
	eq(t, map[string]int{tplUpdate: 1}, e.consents(u.ID), "the API, then the push")
	push(u, "p2", tplSignup) // the push first
	must(t, e.c.RecordTap(ctx, u.ID, []string{tplSignup}))
	eq(t, map[string]int{tplUpdate: 1, tplSignup: 1}, e.consents(u.ID), "the push, then the API")

	v := e.login("vera.1")
	must(t, e.c.RecordTap(ctx, v.ID, []string{tplUpdate, tplUpdate})) // two taps
	push(v, "p3", tplUpdate)
	push(v, "p4", tplUpdate)
	eq(t, map[string]int{tplUpdate: 2}, e.consents(v.ID), "two taps, each told twice")

	w := e.login("wendy.1") // no push configured: the mini-program alone
	must(t, e.c.RecordTap(ctx, w.ID, []string{tplUpdate}))
	must(t, e.c.RecordTap(ctx, w.ID, []string{tplUpdate}))
	eq(t, map[string]int{tplUpdate: 2}, e.consents(w.ID), "taps told once")
}
