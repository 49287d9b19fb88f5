package api

import "strings"

// consoleSecurity is pageSecurity with images allowed from the configured
// map tile server (GUANJIA_MAP_TILE_URL) too.
func consoleSecurity(tileURL string) string {
	origin := tileOrigin(tileURL)
	if origin == "" {
		return pageSecurity
	}
	return strings.Replace(pageSecurity, "img-src 'self' data: blob:", "img-src 'self' data: blob: "+origin, 1)
}

// tileOrigin is the CSP source of a Leaflet tile URL template:
// "https://{s}.tile.example.cn/{z}/{x}/{y}.png" → "https://*.tile.example.cn";
// a host CSP cannot express is widened to its scheme.
func tileOrigin(tmpl string) string {
	scheme, rest, ok := strings.Cut(tmpl, "://")
	if !ok || (scheme != "http" && scheme != "https") {
		return ""
	}
	host, _, _ := strings.Cut(rest, "/")
	if strings.HasPrefix(host, "{s}.") {
		host = "*." + host[len("{s}."):]
	}
	if host == "" || strings.ContainsAny(host, "{}'\" ;,") || strings.Contains(host[1:], "*") {
		return scheme + ":"
	}
	return scheme + "://" + host
}
