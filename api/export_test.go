package api

import (
	"strings"

	"guanjia"
)

// DeclaredRoute is one line of the route table as the role-matrix test sees it.
type DeclaredRoute struct {
	Method, Path string
	Public       bool           // no token needed (public or viewer)
	Page         bool           // a console page: redirects instead of 401
	Roles        []guanjia.Role // nil: any signed-in role
	Skipped      bool           // not served by this server
}

// GuardHeader is set on a refusal by a route's access guard.
const GuardHeader = guardHeader

// DeclaredRoutes is the server's route table.
func (s *Server) DeclaredRoutes() []DeclaredRoute {
	var out []DeclaredRoute
	for _, rt := range s.routeTable() {
		k := rt.access.kind
		out = append(out, DeclaredRoute{Method: rt.method, Path: rt.path, Public: k == accessPublic || k == accessViewer,
			Page: k == accessPage, Roles: rt.access.roles, Skipped: rt.skip})
	}
	return out
}

// RegisteredRoutes lists "METHOD path" of every route echo serves, but for
// the not-found catch-alls.
func (s *Server) RegisteredRoutes() []string {
	var out []string
	for _, r := range s.echo.Routes() {
		if strings.HasPrefix(r.Method, "echo_route") {
			continue
		}
		out = append(out, r.Method+" "+r.Path)
	}
	return out
}

// DecodeJSON exposes bind's decoding for the fuzz test.
func DecodeJSON(data []byte, v any) error { return decodeJSON(data, v) }

// AnyMethod is the table's method for routes that take every method.
const AnyMethod = anyMethod

// RequestSamples are fresh request structs of several shapes for the bind
// fuzz test: strings, numbers, pointers, times, slices, maps, nesting.
func RequestSamples() []any {
	type nested struct {
		Name  string            `json:"name"`
		Tags  []string          `json:"tags"`
		Score []int             `json:"score"`
		Extra map[string]string `json:"extra"`
		Inner *struct {
			Note string  `json:"note"`
			At   float64 `json:"at"`
		} `json:"inner"`
	}
	return []any{&complaintRequest{}, &actionRequest{}, &activityRequest{}, &repairRequest{}, &certifyRequest{},
		&teamRequest{}, &noticeRequest{}, &loginRequest{}, &nested{}}
}
