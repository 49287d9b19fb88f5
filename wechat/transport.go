package wechat

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/silenceper/wechat/v2/util"
	"github.com/sirupsen/logrus"
)

// FakeHeader marks every answer of the fake WeChat. A Client that is not in
// fake mode refuses such answers, wherever they come from.
const FakeHeader = "X-Guanjia-Fake-Wechat"

// wechatHosts are the hosts whose requests go to the fake in fake mode.
var wechatHosts = map[string]bool{"api.weixin.qq.com": true, "qyapi.weixin.qq.com": true}

// route is where WeChat requests go.
type route struct {
	base *url.URL // nil: the real hosts
	fake bool
}

func (r *route) String() string {
	if r.base == nil {
		return "WeChat"
	}
	return r.base.String()
}

// The SDK builds every request from constant URLs and sends it with
// util.DefaultHTTPClient, a package variable with no per-instance hook (its
// SetURIModifier is also global and skipped by some calls, e.g. wxacode). So
// the WeChat endpoint is process-wide: the client below is installed once,
// and every Client in the process must agree on the route. New takes the
// route, Close gives it back; a Client pointing elsewhere is refused while
// another one is open.
var sdk struct {
	once  sync.Once
	mu    sync.Mutex
	users int
	route atomic.Pointer[route]
}

// useRoute installs the SDK transport if needed and claims the route.
func useRoute(baseURL string, fake bool) (*route, error) {
	r := &route{fake: fake}
	if baseURL != "" {
		u, err := url.Parse(strings.TrimRight(baseURL, "/"))
		if err != nil || u.Scheme == "" || u.Host == "" {
			return nil, fmt.Errorf("wechat: base URL %q is not an absolute URL", baseURL)
		}
		r.base = u
	}
	sdk.once.Do(func() {
		util.DefaultHTTPClient = newHTTPClient(func() *route { return sdk.route.Load() })
		// The SDK's root package (not imported here) turns logrus up to debug
		// on stdout in its init; keep the SDK quiet even when someone imports it.
		logrus.SetLevel(logrus.WarnLevel)
	})
	sdk.mu.Lock()
	defer sdk.mu.Unlock()
	if cur := sdk.route.Load(); sdk.users > 0 && (cur.String() != r.String() || cur.fake != r.fake) {
		return nil, fmt.Errorf("wechat: this process already talks to %s; one WeChat endpoint per process (the SDK's HTTP client is global)", cur)
	}
	sdk.route.Store(r)
	sdk.users++
	return r, nil
}

func (r *route) release() {
	sdk.mu.Lock()
	defer sdk.mu.Unlock()
	if sdk.users > 0 {
		sdk.users--
	}
}

// newHTTPClient returns the client the SDK uses: bounded in time (some SDK
// calls carry no context), rewriting WeChat's hosts to the route's base URL.
func newHTTPClient(current func() *route) *http.Client {
	base := http.DefaultTransport.(*http.Transport).Clone()
	base.DialContext = (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	base.TLSHandshakeTimeout = 5 * time.Second
	base.ResponseHeaderTimeout = 10 * time.Second
	base.MaxIdleConnsPerHost = 32
	return &http.Client{
		Timeout:   15 * time.Second,
		Transport: &rewriter{next: base, current: current},
		// WeChat's APIs do not redirect; following one could leak the token in the query.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// rewriter sends api.weixin.qq.com and qyapi.weixin.qq.com requests to the
// route's base URL (keeping the path under the base's own path) and tells
// the fake the original host in X-Forwarded-Host.
type rewriter struct {
	next    http.RoundTripper
	current func() *route
}

var errFakeAnswer = errors.New("wechat: the answer came from the fake WeChat but WECHAT_FAKE is off")

func (t *rewriter) RoundTrip(req *http.Request) (*http.Response, error) {
	r := t.current()
	if r == nil {
		r = &route{}
	}
	if r.base != nil && wechatHosts[req.URL.Host] {
		out := req.Clone(req.Context())
		u := *req.URL
		u.Scheme, u.Host = r.base.Scheme, r.base.Host
		u.Path = r.base.Path + req.URL.Path
		u.RawPath = ""
		out.URL, out.Host = &u, r.base.Host
		out.Header.Set("X-Forwarded-Host", req.URL.Host)
		req = out
	}
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if !r.fake && resp.Header.Get(FakeHeader) != "" {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
		resp.Body.Close()
		return nil, errFakeAnswer
	}
	return resp, nil
}
