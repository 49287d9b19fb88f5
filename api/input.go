package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
	"golang.org/x/text/language"

	"guanjia"
	"guanjia/i18n"
)

// Every input has a bound. JSON bodies are one object of at most
// maxJSONBytes, valid UTF-8, with no control characters in any string and no
// string longer than its field's maximum; query and path parameters and form
// fields likewise. Domain Validate methods hold the tighter per-field maxima
// (guanjia.MaxName, MaxAddress, …); these bounds stop what slips past them.

// maxJSONBytes bounds every JSON request body.
const maxJSONBytes = 1 << 20

// Bounds of query and path parameters, in characters.
const (
	maxQueryText = guanjia.MaxText
	maxPathText  = 200
)

// multilineFields are the JSON text fields that may hold newlines and tabs:
// what people write at length. Every other string is one line.
var multilineFields = map[string]bool{
	"description": true, "requirements": true, "body": true, "note": true, "reason": true,
	"comment": true, "evidence": true, "review_note": true, "decision_note": true,
	"terms": true, "performance": true, "record": true, // 大调解: an agreement's terms, a session's record
	"text": true, // 法律法规: an article's 款 are lines
}

// longFields may run past guanjia.MaxText; their domain Validate bounds them
// exactly (credit article bodies, 信用修复 evidence, a law's article text).
var longFields = map[string]int{"body": 50000, "evidence": 4000, "text": 5000}

// bind decodes the JSON object in the request body into v, a pointer to a
// request struct. Anything but exactly one JSON object is a 400 whose message
// names the field and the JSON kind expected, never a Go type.
func bind(c echo.Context, v any) error {
	body := c.Request().Body
	if body == nil {
		return invalid("", "a JSON body is required")
	}
	data, err := io.ReadAll(http.MaxBytesReader(c.Response(), body, maxJSONBytes))
	if err != nil {
		var maxErr *http.MaxBytesError
		if errors.As(err, &maxErr) {
			return guanjia.Errorf(guanjia.ETOOLARGE, "request body is too large")
		}
		return invalid("", "the request body could not be read")
	}
	return decodeJSON(data, v)
}

// decodeJSON is bind without the request: one JSON object into v, checked.
func decodeJSON(data []byte, v any) error {
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	switch {
	case len(trimmed) == 0:
		return invalid("", "a JSON body is required")
	case !utf8.Valid(data):
		return invalid("", "the body is not valid UTF-8")
	case trimmed[0] != '{':
		return invalid("", "the body must be a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return invalid("", "the body must be one JSON object with nothing after it")
	}
	return checkStrings(reflect.ValueOf(v), "", "")
}

// jsonError says what is wrong with a body json refused, in the caller's
// terms: the field and the JSON kind it must be.
func jsonError(err error) error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	var timeErr *time.ParseError
	switch {
	case errors.As(err, &typeErr):
		return kindError(typeErr)
	case errors.As(err, &syntaxErr):
		return invalid("", "malformed JSON near byte %d", syntaxErr.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return invalid("", "the JSON body ends too early")
	case errors.As(err, &timeErr):
		return invalid("", "times must look like 2026-08-10T09:00:00+08:00")
	}
	return invalid("", "malformed JSON")
}

// kindError names the field and the JSON kind it must be: json's own
// message names Go types.
func kindError(e *json.UnmarshalTypeError) error {
	field, t := e.Field, e.Type
	if field == "" {
		field = "the body"
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	number := strings.HasPrefix(e.Value, "number") // a number, but not one that fits
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if number {
			return invalid(e.Field, "%s must be a whole number in range", field)
		}
		return invalid(e.Field, "%s must be a number", field)
	case reflect.Float32, reflect.Float64:
		if number {
			return invalid(e.Field, "%s is out of range", field)
		}
		return invalid(e.Field, "%s must be a number", field)
	case reflect.String:
		return invalid(e.Field, "%s must be a string", field)
	case reflect.Bool:
		return invalid(e.Field, "%s must be true or false", field)
	case reflect.Slice, reflect.Array:
		return invalid(e.Field, "%s must be an array", field)
	}
	return invalid(e.Field, "%s must be an object", field)
}

// timeField is an optional RFC 3339 time of a request, and where it goes.
type timeField struct {
	name, value string
	dst         **time.Time
}

// parseTimes parses the fields given (an empty one stays nil).
func parseTimes(fields ...timeField) error {
	for _, f := range fields {
		if f.value == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339, f.value)
		if err != nil {
			return invalid(f.name, "%s must be a time like 2026-08-10T09:00:00+08:00", f.name)
		}
		if err := guanjia.CheckTime(f.name, t); err != nil {
			return err
		}
		*f.dst = &t
	}
	return nil
}

// checkStrings walks a decoded request and checks every string in it, and
// every time: one the database stores but JSON cannot write back (year
// 10000 in UTC) would break every page that shows it.
// path names the value for the error, name is its JSON field name.
func checkStrings(v reflect.Value, path, name string) error {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return checkStrings(v.Elem(), path, name)
	case reflect.String:
		max := guanjia.MaxText
		if n, ok := longFields[name]; ok {
			max = n
		}
		return guanjia.CheckText(path, v.String(), max, multilineFields[name])
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return nil // raw bytes (json.RawMessage): valid UTF-8, checked above
		}
		for i := range v.Len() {
			if err := checkStrings(v.Index(i), path+"["+strconv.Itoa(i)+"]", name); err != nil {
				return err
			}
		}
	case reflect.Map:
		iter := v.MapRange()
		for iter.Next() {
			key := iter.Key()
			if key.Kind() == reflect.String {
				if err := guanjia.CheckText(path, key.String(), guanjia.MaxCode, false); err != nil {
					return err
				}
			}
			if err := checkStrings(iter.Value(), path+"."+key.String(), name); err != nil {
				return err
			}
		}
	case reflect.Struct:
		if at, ok := v.Interface().(time.Time); ok {
			if at.IsZero() { // not given
				return nil
			}
			return guanjia.CheckTime(path, at)
		}
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			jsonName, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			switch {
			case jsonName == "-":
				continue
			case f.Anonymous && jsonName == "":
				if err := checkStrings(v.Field(i), path, name); err != nil {
					return err
				}
				continue
			case jsonName == "":
				jsonName = f.Name
			}
			p := jsonName
			if path != "" {
				p = path + "." + jsonName
			}
			if err := checkStrings(v.Field(i), p, jsonName); err != nil {
				return err
			}
		}
	}
	return nil
}

// refuseBadParams refuses a request whose query string is malformed or whose
// query or path parameters are not one line of UTF-8 text within bounds: a
// NUL byte reaching PostgreSQL is an error there, not a value.
func refuseBadParams(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		q, err := url.ParseQuery(c.Request().URL.RawQuery)
		if err != nil {
			return invalid("", "the query string is malformed")
		}
		for name, values := range q {
			if err := guanjia.CheckText("query", name, guanjia.MaxCode, false); err != nil {
				return err
			}
			for _, v := range values {
				if err := guanjia.CheckText(name, v, maxQueryText, false); err != nil {
					return err
				}
			}
		}
		for i, name := range c.ParamNames() {
			if i >= len(c.ParamValues()) {
				break
			}
			v := c.ParamValues()[i]
			if err := guanjia.CheckText(name, v, maxPathText, false); err != nil {
				return err
			}
			if strings.Contains(v, "%") { // a route matched on the raw path: check what it decodes to
				if u, err := url.PathUnescape(v); err == nil {
					if err := guanjia.CheckText(name, u, maxPathText, false); err != nil {
						return err
					}
				}
			}
		}
		return next(c)
	}
}

// checkForm checks a parsed form's fields and uploaded file names, after the
// handler has read the form (multipart or urlencoded).
func checkForm(r *http.Request) error {
	fields := r.PostForm
	if r.MultipartForm != nil {
		fields = r.MultipartForm.Value
		for name, files := range r.MultipartForm.File {
			for _, fh := range files {
				if err := guanjia.CheckText(name, fh.Filename, maxPathText, false); err != nil {
					return err
				}
			}
		}
	}
	for name, values := range fields {
		if err := guanjia.CheckText("form", name, guanjia.MaxCode, false); err != nil {
			return err
		}
		for _, v := range values {
			if err := guanjia.CheckText(name, v, guanjia.MaxText, multilineFields[name]); err != nil {
				return err
			}
		}
	}
	return nil
}

// queryInt parses an optional integer query parameter in [min, max].
func queryInt(c echo.Context, name string, def, min, max int) (int, error) {
	v := c.QueryParam(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < min || n > max {
		return 0, invalid(name, "%s must be a whole number from %d to %d", name, min, max)
	}
	return n, nil
}

// paging reads page (1 to guanjia.MaxPage) and per_page (1 to maxPerPage,
// default defPerPage).
func paging(c echo.Context, defPerPage, maxPerPage int) (page, perPage int, err error) {
	if page, err = queryInt(c, "page", 1, 1, guanjia.MaxPage); err != nil {
		return 0, 0, err
	}
	if perPage, err = queryInt(c, "per_page", defPerPage, 1, maxPerPage); err != nil {
		return 0, 0, err
	}
	return page, perPage, nil
}

// readUpload reads a staff member's file from multipart field "file": at
// most limit bytes (ETOOLARGE past it), with no stray form field
// (checkForm). missing is the error when there is no such field: it names
// the formats accepted.
func readUpload(c echo.Context, limit int64, missing error) (filename string, data []byte, err error) {
	r := c.Request()
	r.Body = http.MaxBytesReader(c.Response(), r.Body, limit+(1<<20)) // room for the form around the file
	tooLarge := guanjia.FieldError(guanjia.ETOOLARGE, "file", "the file is larger than %d MB: split it", limit>>20)
	fh, err := c.FormFile("file")
	if err != nil {
		var maxErr *http.MaxBytesError
		if errors.As(err, &maxErr) {
			return "", nil, tooLarge
		}
		return "", nil, missing
	}
	if fh.Size > limit {
		return "", nil, tooLarge
	}
	if err := checkForm(r); err != nil {
		return "", nil, err
	}
	f, err := fh.Open()
	if err != nil {
		return "", nil, err
	}
	defer f.Close()
	if data, err = io.ReadAll(f); err != nil {
		return "", nil, err
	}
	return fh.Filename, data, nil
}

// fileRefused is the error envelope of a 422 that carries an import's row
// report: the file had n bad rows and nothing was imported.
func fileRefused(lang language.Tag, n int) map[string]string {
	msg := i18n.Sprintf(lang, "the file has %d errors; nothing was imported", n)
	if n == 1 {
		msg = i18n.Text(lang, "the file has an error; nothing was imported")
	}
	return map[string]string{"code": guanjia.EUNPROCESSABLE, "message": msg}
}

// dateRange reads the days from and to (YYYY-MM-DD in loc, both inclusive,
// at most a year apart), defaulting to the days of defFrom and defTo, and
// answers the instants [from, to) they span.
func dateRange(c echo.Context, loc *time.Location, defFrom, defTo time.Time) (from, to time.Time, err error) {
	day := func(t time.Time) time.Time {
		t = t.In(loc)
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
	}
	from, to = day(defFrom), day(defTo)
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"from", &from}, {"to", &to}} {
		if v := c.QueryParam(p.name); v != "" {
			t, err := time.ParseInLocation("2006-01-02", v, loc)
			if err != nil {
				return time.Time{}, time.Time{}, invalid(p.name, "%s must be a date like 2026-11-26", p.name)
			}
			*p.dst = t
		}
	}
	to = to.AddDate(0, 0, 1) // inclusive
	if !from.Before(to) {
		return time.Time{}, time.Time{}, invalid("from", "from must not be after to")
	}
	if to.Sub(from) > 366*24*time.Hour {
		return time.Time{}, time.Time{}, invalid("from", "a range is at most one year")
	}
	return from, to, nil
}
