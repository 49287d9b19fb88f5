package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/labstack/echo/v4"

	"guanjia"
	"guanjia/web"
)

// The OpenAPI 3.1 description of /api/v1 is generated from the route table
// (paths, methods, who may call) and from the Go types of the bodies each
// route declares in openapi_bodies.go, so the document cannot drift from
// the handlers.

// apiPrefix is the part of the route table the document describes.
const apiPrefix = "/api/v1/"

// openapiDoc is the served document, built on its first request: the route
// table does not change while the server runs.
type openapiDoc struct {
	once sync.Once
	json []byte
	err  error
}

// handleOpenAPI answers the OpenAPI document of /api/v1.
func (s *Server) handleOpenAPI(c echo.Context) error {
	s.openapi.once.Do(func() { s.openapi.json, s.openapi.err = json.Marshal(s.OpenAPI()) })
	if s.openapi.err != nil {
		return fmt.Errorf("api: openapi document: %w", s.openapi.err)
	}
	return c.JSONBlob(http.StatusOK, s.openapi.json)
}

// OpenAPI builds the OpenAPI 3.1 document of every /api/v1 route served.
func (s *Server) OpenAPI() map[string]any {
	g := &schemaGen{defs: map[string]any{}, names: map[string]reflect.Type{}}
	g.defs["Error"] = errorSchema()
	paths := map[string]any{}
	for _, rt := range s.routeTable() {
		if rt.skip || !strings.HasPrefix(rt.path, apiPrefix) {
			continue
		}
		p, params := openapiPath(rt.path)
		item, _ := paths[p].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[p] = item
		}
		item[strings.ToLower(rt.method)] = g.operation(rt, params)
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":   "guanjia API (海口城市管家)",
			"version": "v1",
			"description": "海口城市管家的接口：市民上报、12345 工单流转、公益海口（志愿服务）与诚信海口（信用信息）。\n\n" +
				"Errors answer `{\"error\":{\"code\",\"message\",\"field\"}}`; `message` follows Accept-Language (zh by default). " +
				"Sign in with POST /api/v1/auth/login (or /api/v1/wechat/login) and send the token as `Authorization: Bearer <token>`; " +
				"the console's cookie `guanjia_token` works too. `x-roles` lists the roles a route admits.",
		},
		"servers": []any{map[string]any{"url": "/"}},
		"paths":   paths,
		"components": map[string]any{
			"schemas": g.defs,
			"securitySchemes": map[string]any{
				"bearer": map[string]any{"type": "http", "scheme": "bearer", "description": "登录后获得的令牌 (token from /api/v1/auth/login)"},
				"cookie": map[string]any{"type": "apiKey", "in": "cookie", "name": sessionCookie, "description": "控制台会话 cookie (the console's session)"},
			},
		},
	}
}

// openapiPath turns an echo path into an OpenAPI one and lists its parameters.
func openapiPath(p string) (string, []string) {
	var params []string
	parts := strings.Split(p, "/")
	for i, part := range parts {
		if strings.HasPrefix(part, ":") {
			params = append(params, part[1:])
			parts[i] = "{" + part[1:] + "}"
		}
	}
	return strings.Join(parts, "/"), params
}

// operation describes one route.
func (g *schemaGen) operation(rt route, params []string) map[string]any {
	key := rt.method + " " + rt.path
	b := apiBodies[key]
	op := map[string]any{"operationId": operationID(rt)}
	if b.summary != "" {
		op["summary"] = b.summary
	}
	if seg := strings.Split(strings.TrimPrefix(rt.path, apiPrefix), "/"); len(seg) > 0 {
		op["tags"] = []string{seg[0]}
	}
	switch rt.access.kind {
	case accessPublic:
		op["security"] = []any{}
		op["x-access"] = "public"
	case accessViewer:
		// Anyone may call; a staff token shows more.
		op["security"] = []any{map[string]any{}, map[string]any{"bearer": []string{}}, map[string]any{"cookie": []string{}}}
		op["x-access"] = "public; staff see more"
		op["x-roles"] = roleNames(guanjia.Roles)
	default:
		op["security"] = []any{map[string]any{"bearer": []string{}}, map[string]any{"cookie": []string{}}}
		roles := rt.access.roles
		if rt.access.kind == accessSignedIn {
			roles = guanjia.Roles
			op["x-access"] = "signed in"
		} else {
			op["x-access"] = "roles"
		}
		op["x-roles"] = roleNames(roles)
	}
	var ps []any
	for _, name := range params {
		schema := map[string]any{"type": "string"}
		if name == "id" {
			schema = map[string]any{"type": "integer", "minimum": 1}
		}
		ps = append(ps, map[string]any{"name": name, "in": "path", "required": true, "schema": schema})
	}
	for _, q := range b.query {
		ps = append(ps, map[string]any{"name": q, "in": "query", "schema": map[string]any{"type": "string"}})
	}
	if ps != nil {
		op["parameters"] = ps
	}
	if b.multipart != "" {
		op["requestBody"] = map[string]any{"required": true, "content": map[string]any{"multipart/form-data": map[string]any{
			"schema": map[string]any{"type": "object", "description": b.multipart}}}}
	}
	if b.req != nil {
		op["requestBody"] = map[string]any{
			"required": !b.optionalReq,
			"content":  map[string]any{"application/json": map[string]any{"schema": g.schema(reflect.TypeOf(b.req))}},
		}
	}
	op["responses"] = g.responses(b)
	return op
}

func (g *schemaGen) responses(b body) map[string]any {
	status := b.status
	if status == 0 {
		status = http.StatusOK
	}
	out := map[string]any{}
	ok := map[string]any{"description": http.StatusText(status)}
	switch r := b.resp.(type) {
	case nil:
		if status != http.StatusNoContent {
			ok["content"] = map[string]any{"application/json": map[string]any{"schema": map[string]any{"type": "object"}}}
		}
	case mediaBody:
		ok["content"] = map[string]any{string(r): map[string]any{"schema": map[string]any{"type": "string", "contentEncoding": "binary"}}}
	default:
		ok["content"] = map[string]any{"application/json": map[string]any{"schema": g.schema(reflect.TypeOf(r))}}
	}
	out[strconv.Itoa(status)] = ok
	for _, st := range b.also {
		out[strconv.Itoa(st)] = ok
	}
	out["default"] = map[string]any{
		"description": "错误 (error): 400 invalid input, 401 not signed in, 403 forbidden, 404 not found, 409 conflict, 429 too many requests",
		"content":     map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Error"}}},
	}
	return out
}

// handlerName is a handler's function name: handleComplaintCreate.
func handlerName(h echo.HandlerFunc) string {
	name := runtime.FuncForPC(reflect.ValueOf(h).Pointer()).Name()
	name = strings.TrimSuffix(name, "-fm")
	return name[strings.LastIndex(name, ".")+1:]
}

// operationID names a route by its handler: handleComplaintCreate → complaintCreate.
func operationID(rt route) string {
	name := handlerName(rt.handler)
	name = strings.TrimPrefix(name, "handle")
	if name == "" {
		return strings.ToLower(rt.method) + strings.ReplaceAll(rt.path, "/", "_")
	}
	r := []rune(name)
	r[0] = unicode.ToLower(r[0])
	return string(r)
}

func roleNames(roles []guanjia.Role) []string {
	out := make([]string, len(roles))
	for i, r := range roles {
		out[i] = string(r)
	}
	sort.Strings(out)
	return out
}

func errorSchema() map[string]any {
	return map[string]any{
		"type":                 "object",
		"description":          "所有错误的统一格式 (every error has this shape)",
		"required":             []string{"error"},
		"additionalProperties": false,
		"properties": map[string]any{"error": map[string]any{
			"type":                 "object",
			"required":             []string{"code", "message"},
			"additionalProperties": false,
			"properties": map[string]any{
				"code": map[string]any{"type": "string", "enum": []string{guanjia.EINVALID, guanjia.EUNAUTHORIZED, guanjia.EFORBIDDEN,
					guanjia.ENOTFOUND, guanjia.ECONFLICT, guanjia.ETOOLARGE, guanjia.EUNSUPPORTED, guanjia.EUNPROCESSABLE,
					guanjia.ETOOMANY, guanjia.EINTERNAL}},
				"message": map[string]any{"type": "string", "description": "给人看的说明 (human-readable, in the caller's language)"},
				"field":   map[string]any{"type": "string", "description": "出错的字段 (the input field at fault, when one is)"},
			},
		}},
	}
}

// schemaGen turns Go types into JSON Schemas (2020-12, as OpenAPI 3.1 uses)
// the way encoding/json writes them: named structs become components.
type schemaGen struct {
	defs  map[string]any
	names map[string]reflect.Type
}

var timeType = reflect.TypeOf(time.Time{})

// nullable admits null besides s: what encoding/json writes for a nil pointer, slice or map.
func nullable(s map[string]any) map[string]any {
	if t, ok := s["type"].(string); ok {
		s["type"] = []string{t, "null"}
		return s
	}
	return map[string]any{"anyOf": []any{s, map[string]any{"type": "null"}}}
}

func (g *schemaGen) schema(t reflect.Type) map[string]any {
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case t.Kind() == reflect.Pointer:
		return nullable(g.schema(t.Elem()))
	case t.Implements(reflect.TypeOf((*json.Marshaler)(nil)).Elem()):
		return map[string]any{} // its own encoding: anything
	}
	switch t.Kind() {
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return map[string]any{"type": "string", "contentEncoding": "base64"}
		}
		s := map[string]any{"type": "array", "items": g.schema(t.Elem())}
		if t.Kind() == reflect.Slice {
			return nullable(s)
		}
		return s
	case reflect.Map:
		return nullable(map[string]any{"type": "object", "additionalProperties": g.schema(t.Elem())})
	case reflect.Struct:
		if t.Name() == "" {
			return g.object(t)
		}
		return map[string]any{"$ref": "#/components/schemas/" + g.define(t)}
	}
	return map[string]any{}
}

// define adds a named struct to the components once and answers its name.
func (g *schemaGen) define(t reflect.Type) string {
	name := componentName(t)
	if prev, ok := g.names[name]; ok && prev != t {
		name = exported(pkgName(t)) + name
	}
	if _, ok := g.names[name]; ok {
		return name
	}
	g.names[name] = t
	g.defs[name] = map[string]any{} // placeholder: recursive types refer to it
	g.defs[name] = g.object(t)
	return name
}

func pkgName(t reflect.Type) string {
	p := t.PkgPath()
	return p[strings.LastIndex(p, "/")+1:]
}

// componentName turns complaintJSON into Complaint, loginRequest into LoginRequest.
func componentName(t reflect.Type) string {
	return exported(strings.TrimSuffix(t.Name(), "JSON"))
}

func exported(s string) string {
	r := []rune(s)
	if len(r) > 0 {
		r[0] = unicode.ToUpper(r[0])
	}
	return string(r)
}

// object is the schema of a struct's JSON object: its fields by their json
// names, embedded structs flattened, omitempty fields optional, nothing else.
func (g *schemaGen) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	var required []string
	g.fields(t, props, &required)
	s := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	if len(required) > 0 {
		sort.Strings(required)
		s["required"] = required
	}
	return s
}

func (g *schemaGen) fields(t reflect.Type, props map[string]any, required *[]string) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				g.fields(ft, props, required)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		s := g.schema(f.Type)
		if strings.Contains(opts, "string") {
			s = map[string]any{"type": "string"}
		}
		props[name] = s
		if !strings.Contains(opts, "omitempty") && !strings.Contains(opts, "omitzero") {
			*required = append(*required, name)
		}
	}
}

// handleAPIDocs is the developers' page of the OpenAPI document: the
// vendored RapiDoc viewer, under the pages' CSP (no inline script).
func (h *consoleHandlers) handleAPIDocs(c echo.Context) error {
	hd := c.Response().Header()
	hd.Set("Content-Security-Policy", pageSecurity)
	hd.Set("X-Content-Type-Options", "nosniff")
	return c.HTML(http.StatusOK, `<!doctype html>
<html lang="zh-CN">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>海口城市管家 API</title>
<script type="module" src="/static/vendor/rapidoc/rapidoc-min.js?v=`+web.Version+`"></script></head>
<body>
<rapi-doc spec-url="/api/v1/openapi.json" heading-text="海口城市管家 API" render-style="read" show-header="false"
 allow-try="true" allow-server-selection="false" schema-description-expanded="true"
 load-fonts="false" regular-font="system-ui, sans-serif" mono-font="ui-monospace, monospace"></rapi-doc>
</body>
</html>
`)
}
