package api

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"guanjia/internal/testenv"
)

// Row 3: after signing in, the console follows ?next= only to a path on
// this site. Browsers drop tabs and newlines inside a URL and read "\" as
// "/", so each of these would have left the site.
func TestSameSitePath(t *testing.T) {
	for _, c := range []struct{ next, want string }{
		{"/console/queue", "/console/queue"},
		{"/console/orders/12?tab=timeline#events", "/console/orders/12?tab=timeline#events"},
		{"/console/queue?q=%E9%BE%99%E5%8D%8E", "/console/queue?q=%E9%BE%99%E5%8D%8E"}, // 龙华, encoded
		{"/crew", "/crew"},
		{"", ""},
		{"console/queue", ""},
		{"//evil.example/x", ""},
		{"/\t/evil.example/x", ""},   // /%09/evil.example/x once decoded by the query string
		{"/\n/evil.example/x", ""},   // /%0A/…
		{"/\r/evil.example/x", ""},   // /%0D/…
		{"/%09/evil.example/x", ""},  // /%2509/…: the path decodes to a tab
		{"/%0a/evil.example/x", ""},  //
		{"/%2F/evil.example/x", ""},  // decodes to //evil.example
		{"/%5Cevil.example/x", ""},   // decodes to /\evil.example
		{"/\\evil.example/x", ""},    // a backslash reads as a slash
		{"/\\/evil.example/x", ""},   //
		{"\\\\evil.example", ""},     //
		{" /console/queue", ""},      // a leading space is stripped by browsers
		{"/ /evil.example", ""},      //
		{"/\u00a0/evil.example", ""}, // a no-break space
		{"/\u2028/evil.example", ""}, // a line separator
		{"/\x00/evil.example", ""},   //
		{"/\x7f/evil.example", ""},   //
		{"/%zz", ""},                 // not decodable
		{"https://evil.example/console", ""},
		{"http:/evil.example", ""},
		{"javascript:alert(1)", ""},
		{"/\xff/evil.example", ""}, // not UTF-8
	} {
		if got := sameSitePath(c.next); got != c.want {
			t.Errorf("sameSitePath(%q) = %q, want %q", c.next, got, c.want)
		}
	}
}

// The login page carries a safe next only: the attack strings of row 3 as
// a browser sends them in the query string.
func TestLoginPageDropsForeignNext(t *testing.T) {
	db := testenv.MustOpenDB(t)
	s := New(Config{Secret: "s"}, Deps{Users: db.Users, Catalog: db.Catalog, Notifications: db.Notifications, Idempotency: db.Idempotency,
		Registry: prometheus.NewRegistry(), Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: time.Now})
	for _, raw := range []string{"/%09/evil.example/x", "/%0A/evil.example/x", "%2F%2Fevil.example", "/%5Cevil.example",
		"/%2509/evil.example/x", "https://evil.example/", "%20/evil.example"} {
		w := httptest.NewRecorder()
		s.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/console/login?next="+raw, nil))
		if strings.Contains(w.Body.String(), "evil.example") {
			t.Errorf("next=%s: the login page carries it (%d)", raw, w.Code)
		}
	}
	w := httptest.NewRecorder()
	s.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/console/login?next="+url.QueryEscape("/console/orders/7"), nil))
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `data-next="/console/orders/7"`) {
		t.Errorf("a path on this site: %d, no data-next in the page", w.Code)
	}
}

func TestParseTrustedProxies(t *testing.T) {
	got, err := ParseTrustedProxies(" 10.0.0.0/8, 192.0.2.7 ,2001:db8::1,")
	if err != nil || len(got) != 3 || got[0].String() != "10.0.0.0/8" || got[1].String() != "192.0.2.7/32" || got[2].String() != "2001:db8::1/128" {
		t.Errorf("ParseTrustedProxies: %v %v", got, err)
	}
	for _, bad := range []string{"10.0.0.0/33", "proxy.internal", "10.0.0"} {
		if _, err := ParseTrustedProxies(bad); err == nil {
			t.Errorf("%q is accepted", bad)
		}
	}
}
