package api

import (
	"strings"
	"testing"
)

func TestConsoleSecurityAllowsOnlyTheTileServer(t *testing.T) {
	for tmpl, want := range map[string]string{
		"": "",
		"https://{s}.tile.example.cn/{z}/{x}/{y}.png":     "https://*.tile.example.cn",
		"http://tiles.city.internal:8080/{z}/{x}/{y}.png": "http://tiles.city.internal:8080",
		"https://t{s}.tianditu.gov.cn/img_w/wmts?x={x}":   "https:",
		"javascript:alert(1)":                             "",
		"https://a.example.cn; script-src *":              "https:",
	} {
		if got := tileOrigin(tmpl); got != want {
			t.Errorf("tileOrigin(%q) = %q, want %q", tmpl, got, want)
		}
		csp := consoleSecurity(tmpl)
		if !strings.Contains(csp, "script-src 'self';") || strings.Count(csp, "unsafe-inline") != 1 {
			t.Errorf("%q: scripts other than the site's own may run: %s", tmpl, csp)
		}
		img := "img-src 'self' data: blob:"
		if want != "" {
			img += " " + want
		}
		if !strings.Contains(csp, img+";") {
			t.Errorf("%q: %s, want %s", tmpl, csp, img)
		}
	}
}
