package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"guanjia"
)

// say sends a request as user with an Accept-Language header (none when
// lang is "") and answers the status and the error's code and message.
func (a *creditAPI) say(t *testing.T, lang, user, method, path, contentType string, body []byte) (int, string, string) {
	t.Helper()
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if lang != "" {
		req.Header.Set("Accept-Language", lang)
	}
	if user != "" {
		req.Header.Set("Authorization", "Bearer "+a.tokens[user])
	}
	rec := httptest.NewRecorder()
	a.srv.ServeHTTP(rec, req)
	var out struct {
		Error struct{ Code, Message string }
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatalf("%s %s: %v\n%s", method, path, err, rec.Body)
	}
	return rec.Code, out.Error.Code, out.Error.Message
}

// Errors are in Chinese unless the caller asks for English; codes stay as they are.
func TestErrorLanguage(t *testing.T) {
	a := newCreditAPI(t)
	tests := []struct {
		name                   string
		user, method, path     string
		contentType, body      string
		status                 int
		code, chinese, english string
	}{
		{"echo's unknown route", "", http.MethodGet, "/no-such-thing", "", "",
			http.StatusNotFound, guanjia.ENOTFOUND, "请求的地址不存在", "Not Found"},
		{"echo's wrong method", "", http.MethodPost, "/healthz", "", "",
			http.StatusMethodNotAllowed, guanjia.ENOTFOUND, "不支持该请求方法", "Method Not Allowed"},
		{"a role in the message", "citizen", http.MethodGet, "/api/v1/credit/imports", "", "",
			http.StatusForbidden, guanjia.EFORBIDDEN, "市民无权执行此操作", "a citizen may not do this"},
		{"a thing and an id", "rsj", http.MethodGet, "/api/v1/credit/imports/987654", "", "",
			http.StatusNotFound, guanjia.ENOTFOUND, "导入批次 987654 不存在", "import batch 987654 not found"},
		{"a JSON field of the wrong type", "", http.MethodPost, "/api/v1/auth/login", "application/json", `{"username":5}`,
			http.StatusBadRequest, guanjia.EINVALID, "username 须为字符串", "username must be a string"},
		{"bad credentials", "", http.MethodPost, "/api/v1/auth/login", "application/json", `{"username":"rsj","password":"wrong-password"}`,
			http.StatusUnauthorized, guanjia.EUNAUTHORIZED, "账号或密码错误", "wrong username or password"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, lang := range []struct{ header, want string }{
				{"", tt.chinese},
				{"zh-CN,zh;q=0.9", tt.chinese},
				{"fr-FR", tt.chinese}, // a language guanjia does not speak: the default
				{"en", tt.english},
				{"en-US,en;q=0.9,zh-CN;q=0.8", tt.english},
			} {
				status, code, msg := a.say(t, lang.header, tt.user, tt.method, tt.path, tt.contentType, []byte(tt.body))
				if status != tt.status || code != tt.code || msg != lang.want {
					t.Errorf("Accept-Language %q: %d %s %q, want %d %s %q", lang.header, status, code, msg, tt.status, tt.code, lang.want)
				}
			}
		})
	}
}

// An import's row report is in Chinese by default, when it is refused and
// when it is read back later; English on request.
func TestImportReportLanguage(t *testing.T) {
	a := newCreditAPI(t)
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("type", guanjia.CreditBlackList)
	fw, _ := w.CreateFormFile("file", "bad.csv")
	fw.Write([]byte(apiCSV(strings.Replace(apiCode, "Y43", "Y44", 1))))
	w.Close()

	read := func(lang, method, path, contentType string, data []byte) (int, batchReport) {
		t.Helper()
		req := httptest.NewRequest(method, path, bytes.NewReader(data))
		req.Header.Set("Authorization", "Bearer "+a.tokens["rsj"])
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		if lang != "" {
			req.Header.Set("Accept-Language", lang)
		}
		rec := httptest.NewRecorder()
		a.srv.ServeHTTP(rec, req)
		var b batchReport
		if err := json.Unmarshal(rec.Body.Bytes(), &b); err != nil {
			t.Fatalf("%v\n%s", err, rec.Body)
		}
		var raw struct{ Errors []map[string]any }
		_ = json.Unmarshal(rec.Body.Bytes(), &raw)
		for _, e := range raw.Errors {
			if len(e) != 3 {
				t.Errorf("a row error is row, column and reason, nothing more: %v", e)
			}
		}
		return rec.Code, b
	}
	status, b := read("", http.MethodPost, "/api/v1/credit/imports", w.FormDataContentType(), body.Bytes())
	if status != http.StatusUnprocessableEntity || len(b.Errors) != 1 {
		t.Fatalf("%d %+v", status, b)
	}
	if got := b.Errors[0]; got.Row != 2 || got.Column != "统一社会信用代码" || got.Reason != "统一社会信用代码校验码不正确" ||
		b.Error.Message != "文件有 1 处错误，未导入任何数据" {
		t.Errorf("refused, in Chinese: %+v", b)
	}
	path := fmt.Sprintf("/api/v1/credit/imports/%d", b.ID)
	if _, b := read("", http.MethodGet, path, "", nil); len(b.Errors) != 1 || b.Errors[0].Reason != "统一社会信用代码校验码不正确" {
		t.Errorf("read back, in Chinese: %+v", b)
	}
	if _, b := read("en", http.MethodGet, path, "", nil); len(b.Errors) != 1 || b.Errors[0].Reason != "统一社会信用代码 check character is wrong" {
		t.Errorf("read back, in English: %+v", b)
	}
}

type batchReport struct {
	ID     int64
	Errors []struct {
		Row            int
		Column, Reason string
	}
	Error struct{ Code, Message string }
}
