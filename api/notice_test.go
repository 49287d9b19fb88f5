package api_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"guanjia"
)

func TestNotices(t *testing.T) {
	r := newConsoleRig(t)
	srv := r.replica()
	now := time.Now().UTC().Truncate(time.Second)
	at := func(d time.Duration) string { return now.Add(d).Format(time.RFC3339) }
	typhoon := map[string]any{"kind": "typhoon", "title": "台风“摩羯”蓝色预警", "body": "请市民减少外出，12345 热线 24 小时受理险情。",
		"area": "全市", "valid_from": at(-time.Minute), "valid_until": at(48 * time.Hour)}

	code, out := r.call(srv, "dispatcher", "POST", "/api/v1/notices", typhoon)
	if code != http.StatusCreated || out["current"] != true {
		t.Fatalf("publish: %d %v", code, out)
	}
	id := int64(out["id"].(float64))
	// A holiday notice for next week is published now and shown only then.
	if code, out := r.call(srv, "admin", "POST", "/api/v1/notices", map[string]any{"kind": "holiday", "title": "元旦假期安排",
		"body": "1月1日至3日放假", "valid_from": at(7 * 24 * time.Hour), "valid_until": at(10 * 24 * time.Hour)}); code != http.StatusCreated || out["current"] != false {
		t.Fatalf("publish an upcoming notice: %d %v", code, out)
	}

	bad := []struct {
		name, field string
		edit        func(map[string]any)
	}{
		{"unknown kind", "kind", func(m map[string]any) { m["kind"] = "earthquake" }},
		{"no title", "title", func(m map[string]any) { m["title"] = " " }},
		{"ends before it starts", "valid_until", func(m map[string]any) { m["valid_until"] = at(-2 * time.Minute) }},
		{"already over", "valid_until", func(m map[string]any) { m["valid_from"], m["valid_until"] = at(-2*time.Hour), at(-time.Hour) }},
		{"no end", "valid_until", func(m map[string]any) { delete(m, "valid_until") }},
		{"year 10000 (UTC)", "valid_until", func(m map[string]any) { m["valid_until"] = "9999-12-31T23:00:00-08:00" }},
		{"not a time", "valid_from", func(m map[string]any) { m["valid_from"] = "明天" }},
	}
	for _, tt := range bad {
		body := map[string]any{}
		for k, v := range typhoon {
			body[k] = v
		}
		tt.edit(body)
		if code, out := r.call(srv, "dispatcher", "POST", "/api/v1/notices", body); code != http.StatusBadRequest || errorField(out) != tt.field {
			t.Errorf("%s: %d %v, want 400 on %s", tt.name, code, out, tt.field)
		}
	}
	for _, user := range []string{"agent", "crew", "citizen"} {
		if code, _ := r.call(srv, user, "POST", "/api/v1/notices", typhoon); code != http.StatusForbidden {
			t.Errorf("%s publishes a notice: %d, want 403", user, code)
		}
	}
	all, err := r.db.Notices.ListNotices(context.Background(), guanjia.NoticeFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 {
		t.Fatalf("refused notices were stored: %d notices, want 2", len(all))
	}

	// Anyone reads the current ones, without signing in.
	titles := func(user, path string) []string {
		t.Helper()
		code, out := r.call(srv, user, "GET", path, nil)
		if code != http.StatusOK {
			t.Fatalf("%s GET %s: %d %v", user, path, code, out)
		}
		var ts []string
		for _, n := range out["notices"].([]any) {
			ts = append(ts, n.(map[string]any)["title"].(string))
		}
		return ts
	}
	if got := titles("", "/api/v1/notices"); len(got) != 1 || got[0] != typhoon["title"] {
		t.Errorf("public notices: %q, want only the typhoon warning", got)
	}
	if got := titles("agent", "/api/v1/notices/all"); len(got) != 2 {
		t.Errorf("the desk sees %q, want both notices", got)
	}
	if code, _ := r.call(srv, "", "GET", "/api/v1/notices/all", nil); code != http.StatusUnauthorized {
		t.Errorf("anonymous list of all notices: %d, want 401", code)
	}

	path := "/api/v1/notices/" + strconv.FormatInt(id, 10) + "/withdraw"
	if code, _ := r.call(srv, "agent", "POST", path, nil); code != http.StatusForbidden {
		t.Errorf("an agent withdraws a notice: %d, want 403", code)
	}
	if code, out := r.call(srv, "dispatcher", "POST", path, nil); code != http.StatusOK || out["withdrawn_at"] == nil || out["current"] != false {
		t.Errorf("withdraw: %d %v", code, out)
	}
	if got := titles("", "/api/v1/notices"); len(got) != 0 {
		t.Errorf("a withdrawn notice is still shown: %q", got)
	}
	if code, _ := r.call(srv, "dispatcher", "POST", path, nil); code != http.StatusConflict {
		t.Errorf("withdrawing twice: %d, want 409", code)
	}
	if code, _ := r.call(srv, "dispatcher", "POST", "/api/v1/notices/9999/withdraw", nil); code != http.StatusNotFound {
		t.Errorf("withdrawing a missing notice: %d, want 404", code)
	}
}
