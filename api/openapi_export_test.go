package api

import "strings"

// RouteBody is what the OpenAPI side table says of one /api/v1 route.
type RouteBody struct {
	Method, Path string
	Handler      string // the handler's function name
	Declared     bool   // the route has an entry in apiBodies
	Request      bool   // the entry declares a JSON request body
	Response     bool   // the entry declares its answer (a type, a media type or no content)
}

// RouteBodies lists the side table's entry of every /api/v1 route served.
func (s *Server) RouteBodies() []RouteBody {
	var out []RouteBody
	for _, rt := range s.routeTable() {
		if rt.skip || !strings.HasPrefix(rt.path, apiPrefix) {
			continue
		}
		b, ok := apiBodies[rt.method+" "+rt.path]
		out = append(out, RouteBody{Method: rt.method, Path: rt.path, Handler: handlerName(rt.handler), Declared: ok,
			Request: b.req != nil, Response: b.resp != nil || b.status == 204})
	}
	return out
}

// BodyKeys lists the keys of the OpenAPI side table.
func BodyKeys() []string {
	var out []string
	for k := range apiBodies {
		out = append(out, k)
	}
	return out
}
