package api_test

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"guanjia"
	"guanjia/api"
)

// FuzzBind: whatever the body, bind never panics and either fills the
// request or answers 400 (EINVALID) with a message that names no Go type;
// what it accepts is one JSON object of valid UTF-8 text without control
// characters other than line breaks and tabs.
func FuzzBind(f *testing.F) {
	for _, s := range []string{
		`{"category":"1101","description":"路边有垃圾","lat":20.005,"lng":110.305,"caller_name":"王先生"}`,
		`{"category":"1101"}{"category":"1102"}`, `{"a":1} garbage`, `[{"category":"1101"}]`, `"x"`, `null`, `42`, ``, ` `,
		`{"lat":"north"}`, `{"lat":1e400}`, `{"capacity":1.5}`, `{"tags":"x"}`, `{"tags":[1]}`, `{"extra":{"k":1}}`,
		`{"description":"a\u0000b"}`, `{"caller_name":"a\nb"}`, `{"description":"a\nb\tc"}`, `{"name":"\u001b[31m"}`,
		`{"start_at":"tomorrow"}`, `{"start_at":"2026-08-10T09:00:00+08:00"}`, `{"inner":{"note":"x","at":"y"}}`,
		"{\"name\":\"\xff\xfe\"}", `{"description":"\ud800"}`, `{"extra":{"\u0000":"x"}}`, `{`, `{"a":`, `{}`,
		`{"score":[1,2,"3"]}`, `{"approve":"yes"}`, `{"entry_id":-1}`, `{"entry_id":99999999999999999999}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, v := range api.RequestSamples() {
			err := api.DecodeJSON(data, v)
			if err != nil {
				if code := guanjia.ErrorCode(err); code != guanjia.EINVALID {
					t.Fatalf("%q into %T: %v (code %s), want invalid", data, v, err, code)
				}
				msg := guanjia.ErrorMessage(err)
				for _, internal := range []string{"api.", "Request", "float64", "int64", "string into", "Go value", "struct", "time.Time", "*"} {
					if strings.Contains(msg, internal) {
						t.Fatalf("%q into %T: the message %q names an internal (%q)", data, v, msg, internal)
					}
				}
				continue
			}
			if !utf8.Valid(data) || !json.Valid(data) || !strings.HasPrefix(strings.TrimSpace(string(data)), "{") {
				t.Fatalf("%q into %T: accepted, but it is not one JSON object of UTF-8", data, v)
			}
			out, _ := json.Marshal(v)
			var back any
			_ = json.Unmarshal(out, &back)
			if bad, ok := controlIn(back); ok {
				t.Fatalf("%q into %T: a control character got through in %q", data, v, bad)
			}
		}
	})
}

// controlIn finds a string in a decoded JSON document holding a control
// character other than a line break or a tab.
func controlIn(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		if strings.ContainsFunc(v, func(r rune) bool { return (r < 0x20 && r != '\n' && r != '\r' && r != '\t') || r == 0x7f }) {
			return v, true
		}
	case []any:
		for _, x := range v {
			if s, ok := controlIn(x); ok {
				return s, true
			}
		}
	case map[string]any:
		for k, x := range v {
			if s, ok := controlIn(k); ok {
				return s, true
			}
			if s, ok := controlIn(x); ok {
				return s, true
			}
		}
	}
	return "", false
}
