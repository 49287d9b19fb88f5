package wechat

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"guanjia"
)

func TestTransportRewritesWeChatHosts(t *testing.T) {
	var gotPath, gotHost string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotPath, gotHost = r.URL.RequestURI(), r.Header.Get("X-Forwarded-Host")
		w.Header().Set(FakeHeader, "1")
		io.WriteString(w, `{"errcode":0}`)
	}))
	defer srv.Close()
	base, _ := url.Parse(srv.URL + "/__wechat")

	fakeMode := newHTTPClient(func() *route { return &route{base: base, fake: true} })
	resp, err := fakeMode.Get("https://qyapi.weixin.qq.com/cgi-bin/gettoken?corpid=ww1")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if gotPath != "/__wechat/cgi-bin/gettoken?corpid=ww1" || gotHost != "qyapi.weixin.qq.com" {
		t.Errorf("fake got %s from %s, want /__wechat/cgi-bin/gettoken?corpid=ww1 from qyapi.weixin.qq.com", gotPath, gotHost)
	}

	// Production must never accept an answer from the fake, however it got there.
	realMode := newHTTPClient(func() *route { return &route{base: base, fake: false} })
	if _, err := realMode.Get("https://api.weixin.qq.com/cgi-bin/token"); !errors.Is(err, errFakeAnswer) {
		t.Errorf("real mode took the fake's answer: err = %v", err)
	}
}

func TestErrCodeAndRedact(t *testing.T) {
	tests := []struct {
		err  error
		code int64
	}{
		{errors.New("Code2Session error : errcode=40163 , errmsg=code been used"), 40163},
		{errors.New("get stable access_token error : errcode=-1 , errormsg=system error"), -1},
		{errors.New("dial tcp: connection refused"), 0},
	}
	for _, tt := range tests {
		if got := errCode(tt.err); got != tt.code {
			t.Errorf("errCode(%q) = %d, want %d", tt.err, got, tt.code)
		}
	}
	s := redact(`Get "https://api.weixin.qq.com/sns/jscode2session?appid=wx1&secret=s3cr3t&js_code=abc": EOF; access_token=TOKEN`)
	for _, leak := range []string{"s3cr3t", "abc", "TOKEN"} {
		if strings.Contains(s, leak) {
			t.Errorf("redact left %q in %s", leak, s)
		}
	}
}

func TestSubscribeDataFitsWeChatLimits(t *testing.T) {
	id := int64(12345)
	n := &guanjia.Notification{Message: guanjia.Message{Template: guanjia.TplActivityChanged, ComplaintID: &id,
		Data: map[string]string{"activity": "椰城志愿者海滩清洁与垃圾分类宣传活动（第十二期）", "status": "已取消并改期", "start": "2026-12-05 09:00"}}}
	got, err := subscribeData(n)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"thing1":  "椰城志愿者海滩清洁与垃圾分类宣传活动（…", // 20 characters, the last an ellipsis
		"phrase2": "已取消并改",                // phrases are cut, no ellipsis
		"time3":   "2026-12-05 09:00",
		"thing4":  "-", // missing values are shown as "-"
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	if _, err := subscribeData(&guanjia.Notification{Message: guanjia.Message{Template: guanjia.TplTaskAssigned}}); err == nil {
		t.Error("a WeCom template has no subscribe keywords")
	}
}
