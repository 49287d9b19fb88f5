package fake_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/silenceper/wechat/v2/util"

	"guanjia/wechat/fake"
)

func get(t *testing.T, h http.Handler, target string) (*httptest.ResponseRecorder, map[string]any) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
	var body map[string]any
	json.Unmarshal(rec.Body.Bytes(), &body)
	return rec, body
}

func TestCode2Session(t *testing.T) {
	s := fake.New()
	const url = "/sns/jscode2session?appid=wx1&secret=s&grant_type=authorization_code&js_code="
	_, body := get(t, s, url+"alice.1")
	if body["openid"] != fake.OpenIDFor("alice.2") || len(body["openid"].(string)) != 28 {
		t.Errorf("openid = %v, want %s (28 characters, same WeChat user)", body["openid"], fake.OpenIDFor("alice.2"))
	}
	tests := []struct {
		code string
		want float64
	}{
		{"alice.1", 40163}, // single use
		{"bad-1", 40029},
	}
	for _, tt := range tests {
		if _, body := get(t, s, url+tt.code); body["errcode"] != tt.want || !strings.Contains(body["errmsg"].(string), "rid: ") {
			t.Errorf("code %s: %v, want errcode %v with a rid", tt.code, body, tt.want)
		}
	}
}

func TestSwitches(t *testing.T) {
	s := fake.New()
	s.SetDown(true)
	rec, _ := get(t, s, "/cgi-bin/token?grant_type=client_credential&appid=wx1&secret=s")
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get(fake.FakeHeader) == "" {
		t.Errorf("down: %d, header %q", rec.Code, rec.Header().Get(fake.FakeHeader))
	}
	s.SetDown(false)
	_, body := get(t, s, "/cgi-bin/token?grant_type=client_credential&appid=wx1&secret=s")
	token, _ := body["access_token"].(string)
	if token == "" || body["expires_in"] != 7200.0 {
		t.Fatalf("token answer: %v", body)
	}

	s.FailNext("/wxa/getwxacodeunlimit", 45009)
	rec = httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/wxa/getwxacodeunlimit?access_token="+token, strings.NewReader(`{"scene":"a=1"}`)))
	if !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") || !strings.Contains(rec.Body.String(), "45009") {
		t.Errorf("FailNext on the image API: %s %s", rec.Header().Get("Content-Type"), rec.Body)
	}
	rec = httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/wxa/getwxacodeunlimit?access_token="+token, strings.NewReader(`{"scene":"a=1"}`)))
	if rec.Header().Get("Content-Type") != "image/jpeg" || http.DetectContentType(rec.Body.Bytes()) != "image/png" {
		t.Errorf("code image: labelled %s, sniffed %s", rec.Header().Get("Content-Type"), http.DetectContentType(rec.Body.Bytes()))
	}

	s.InvalidateTokens()
	rec = httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/wxa/msg_sec_check?access_token="+token, strings.NewReader(`{"content":"x","version":2,"openid":"o1","scene":3}`)))
	if !strings.Contains(rec.Body.String(), `"errcode":40001`) {
		t.Errorf("old token after InvalidateTokens: %s", rec.Body)
	}
}

func TestMessagesHandler(t *testing.T) {
	s := fake.New()
	_, body := get(t, s, "/cgi-bin/gettoken?corpid=ww1&corpsecret=s")
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/cgi-bin/message/send?access_token="+body["access_token"].(string),
		strings.NewReader(`{"touser":"zhangsan","msgtype":"text","agentid":1000002,"text":{"content":"新任务"}}`)))
	if !strings.Contains(rec.Body.String(), `"errcode":0`) {
		t.Fatalf("send: %s", rec.Body)
	}
	rec, _ = get(t, s, fake.MessagesPath)
	var msgs []fake.Received
	if err := json.Unmarshal(rec.Body.Bytes(), &msgs); err != nil || len(msgs) != 1 || msgs[0].Content != "新任务" || msgs[0].AgentID != "1000002" {
		t.Errorf("messages: %s (%v)", rec.Body, err)
	}
}

// The fake encrypts pushes on its own; WeChat's SDK must read them.
func TestEncryptMatchesWeChat(t *testing.T) {
	const key = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
	for _, msg := range []string{"", "{}", strings.Repeat("消息", 100)} {
		enc, err := fake.Encrypt(key, "wx1", []byte(msg))
		if err != nil {
			t.Fatal(err)
		}
		_, plain, err := util.DecryptMsg("wx1", enc, key)
		if err != nil || string(plain) != msg {
			t.Errorf("DecryptMsg = %q, %v; want %q", plain, err, msg)
		}
	}
	if got, want := fake.Signature("b", "a", "c"), util.Signature("c", "b", "a"); got != want {
		t.Errorf("Signature = %s, want %s", got, want)
	}
}
