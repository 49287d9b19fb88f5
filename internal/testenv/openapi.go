package testenv

import (
	"bytes"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// OpenAPI checks real answers against the schemas of an OpenAPI 3.1
// document: each answer against its route's response for its status, errors
// against the document's default (error) response.
type OpenAPI struct {
	doc      map[string]any
	compiler *jsonschema.Compiler
	paths    []string // the document's paths, most literal first

	mu      sync.Mutex
	schemas map[string]*jsonschema.Schema
	checked map[string]bool // "METHOD path status" of every answer checked
}

const openapiURL = "urn:guanjia:openapi.json"

// NewOpenAPI reads an OpenAPI document.
func NewOpenAPI(doc []byte) (*OpenAPI, error) {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return nil, fmt.Errorf("openapi: %w", err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("openapi: the document is not an object")
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource(openapiURL, m); err != nil {
		return nil, fmt.Errorf("openapi: %w", err)
	}
	o := &OpenAPI{doc: m, compiler: c, schemas: map[string]*jsonschema.Schema{}, checked: map[string]bool{}}
	paths, _ := m["paths"].(map[string]any)
	for p := range paths {
		o.paths = append(o.paths, p)
	}
	// A literal segment wins over a parameter at the same place
	// (/complaints/nearby over /complaints/{id}), as the router does.
	sort.Slice(o.paths, func(i, j int) bool {
		a, b := strings.Split(o.paths[i], "/"), strings.Split(o.paths[j], "/")
		for k := 0; k < len(a) && k < len(b); k++ {
			pa, pb := strings.HasPrefix(a[k], "{"), strings.HasPrefix(b[k], "{")
			if pa != pb {
				return pb
			}
		}
		return o.paths[i] < o.paths[j]
	})
	return o, nil
}

// Route answers the document's path template for a request path, or "".
func (o *OpenAPI) Route(path string) string {
	path, _, _ = strings.Cut(path, "?")
	segs := strings.Split(path, "/")
next:
	for _, p := range o.paths {
		tsegs := strings.Split(p, "/")
		if len(tsegs) != len(segs) {
			continue
		}
		for i, t := range tsegs {
			if !strings.HasPrefix(t, "{") && t != segs[i] {
				continue next
			}
		}
		return p
	}
	return ""
}

// Check validates one answer of method path (as requested, with its query)
// with status and body: it must be documented and match its schema.
func (o *OpenAPI) Check(method, path string, status int, contentType string, body []byte) error {
	tmpl := o.Route(path)
	m := strings.ToLower(method)
	var op map[string]any
	if tmpl != "" {
		op, _ = o.doc["paths"].(map[string]any)[tmpl].(map[string]any)[m].(map[string]any)
	}
	if op == nil {
		if status >= 400 { // a route that does not exist answers an error too
			return o.validate(method, path, status, "/components/schemas/Error", body)
		}
		return fmt.Errorf("%s %s: no such operation in the OpenAPI document", method, path)
	}
	responses, _ := op["responses"].(map[string]any)
	code := strconv.Itoa(status)
	resp, _ := responses[code].(map[string]any)
	if resp == nil {
		if status < 400 {
			return fmt.Errorf("%s %s: status %d is not documented", method, path, status)
		}
		code = "default"
		resp, _ = responses[code].(map[string]any)
	}
	content, _ := resp["content"].(map[string]any)
	if _, ok := content["application/json"]; !ok {
		if len(content) == 0 && len(bytes.TrimSpace(body)) > 0 && status != 304 {
			return fmt.Errorf("%s %s %d: documented without a body, answered %q", method, path, status, body)
		}
		return nil // a photo, a PDF, a stream: not JSON
	}
	if !strings.HasPrefix(contentType, "application/json") {
		return fmt.Errorf("%s %s %d: answered %q, documented as JSON", method, path, status, contentType)
	}
	o.mu.Lock()
	o.checked[method+" "+tmpl+" "+code] = true
	o.mu.Unlock()
	return o.validate(method, path, status, "/paths/"+escapePointer(tmpl)+"/"+m+"/responses/"+code+"/content/application~1json/schema", body)
}

// validate checks body against the schema at ptr in the document.
func (o *OpenAPI) validate(method, path string, status int, ptr string, body []byte) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	sch, ok := o.schemas[ptr]
	if !ok {
		var err error
		if sch, err = o.compiler.Compile(openapiURL + "#" + (&url.URL{Fragment: ptr}).EscapedFragment()); err != nil {
			return fmt.Errorf("%s %s: compile its schema: %w", method, path, err)
		}
		o.schemas[ptr] = sch
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%s %s %d: not JSON: %w: %s", method, path, status, err, body)
	}
	if err := sch.Validate(v); err != nil {
		return fmt.Errorf("%s %s %d: the answer does not match the OpenAPI schema: %v\nanswer: %s", method, path, status, err, body)
	}
	return nil
}

// Checked lists "METHOD path status" of every JSON answer checked, sorted.
func (o *OpenAPI) Checked() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []string
	for k := range o.checked {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}
