package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"guanjia"
)

// lawBody is a valid new law with the articles given.
func lawBody(title string, articles ...map[string]any) map[string]any {
	return map[string]any{"title": title, "authority": "海口市人民代表大会常务委员会", "level": "local_regulation",
		"published_on": "2019-01-01", "effective_on": "2019-03-01", "articles": articles}
}

func errorMessage(out map[string]any) string {
	e, _ := out["error"].(map[string]any)
	s, _ := e["message"].(string)
	return s
}

// An article of several 款 is several lines, and may run to 5000 characters
// (what law.Validate and the console's textarea allow).
func TestLawArticleTextIsMultilineAndLong(t *testing.T) {
	r := newConsoleRig(t)
	srv := r.approvalServer()
	text := "禁止在城市道路上乱倒垃圾、污水。\n违反前款规定的，由市容环境卫生主管部门责令改正。"
	code, out := r.call(srv, "admin", "POST", "/api/v1/laws", lawBody("海口市市容和环境卫生管理规定",
		map[string]any{"number": "第十条", "text": text},
		map[string]any{"number": "第十一条", "text": strings.Repeat("款", 5000)}))
	if code != http.StatusCreated {
		t.Fatalf("an article of two 款 and one of 5000 characters: %d %v", code, out)
	}
	code, out = r.call(srv, "", "GET", fmt.Sprintf("/api/v1/laws/%v", out["id"]), nil)
	if arts, _ := out["articles"].([]any); code != http.StatusOK || len(arts) != 2 || arts[0].(map[string]any)["text"] != text {
		t.Errorf("the article as stored: %d %v", code, out)
	}
	code, out = r.call(srv, "admin", "POST", "/api/v1/laws", lawBody("另一部法规",
		map[string]any{"number": "第一条", "text": strings.Repeat("款", 5001)}))
	if code != http.StatusBadRequest || errorField(out) != "articles[0].text" || !strings.Contains(errorMessage(out), "5000") {
		t.Errorf("an article of 5001 characters: %d %v, want 400 naming its text", code, out)
	}
}

// 《民法典》 has 1260 articles: the library takes it whole, in one body.
func TestLawOfCivilCodeSize(t *testing.T) {
	r := newConsoleRig(t)
	srv := r.approvalServer()
	articles := func(n int) []map[string]any {
		out := make([]map[string]any, n)
		for i := range out {
			out[i] = map[string]any{"number": "第" + strconv.Itoa(i+1) + "条", // about 民法典's average article
				"text": strings.Repeat("民事主体从事民事活动，应当遵循诚信原则，秉持诚实，恪守承诺。", 3)}
		}
		return out
	}
	code, out := r.call(srv, "admin", "POST", "/api/v1/laws", lawBody("中华人民共和国民法典", articles(1260)...))
	if code != http.StatusCreated {
		t.Fatalf("1260 articles: %d %.300v", code, out)
	}
	code, out = r.call(srv, "", "GET", fmt.Sprintf("/api/v1/laws/%v", out["id"]), nil)
	if arts, _ := out["articles"].([]any); code != http.StatusOK || len(arts) != 1260 {
		t.Errorf("the code as stored: %d, %d articles", code, len(arts))
	}
	code, out = r.call(srv, "admin", "POST", "/api/v1/laws", lawBody("过长的法规", articles(1501)...))
	if code != http.StatusBadRequest || errorField(out) != "articles" || errorMessage(out) != "最多 1500 条" {
		t.Errorf("1501 articles: %d %.300v, want 400", code, out)
	}
}

// A date the database would store but no page could show is out of range,
// and 0001-01-01 is such a date, not a missing one.
func TestLawDatesInRange(t *testing.T) {
	r := newConsoleRig(t)
	srv := r.approvalServer()
	for _, tc := range []struct{ field, value, message string }{
		{"published_on", "0000-01-01", "published_on 须为 1900 年至 9999 年之间的时间"},
		{"published_on", "0001-01-01", "published_on 须为 1900 年至 9999 年之间的时间"},
		{"effective_on", "1899-12-31", "effective_on 须为 1900 年至 9999 年之间的时间"},
	} {
		body := lawBody("海口市市容和环境卫生管理规定", map[string]any{"number": "第一条", "text": "为了加强市容管理，制定本规定。"})
		body[tc.field] = tc.value
		code, out := r.call(srv, "admin", "POST", "/api/v1/laws", body)
		if code != http.StatusBadRequest || errorField(out) != tc.field || errorMessage(out) != tc.message {
			t.Errorf("%s %s: %d %v, want 400 %q", tc.field, tc.value, code, out, tc.message)
		}
	}
	if code, out := r.call(srv, "", "GET", "/api/v1/laws", nil); code != http.StatusOK || out["total"] != 0.0 {
		t.Errorf("refused laws stored: %d %v", code, out)
	}
}

// A save that leaves status out keeps the law's (a repealed law stays
// repealed), and a save by an editor who read the law before someone else
// changed it is a 409 that changes nothing.
func TestLawUpdateKeepsStatusAndRefusesStaleSaves(t *testing.T) {
	r := newConsoleRig(t)
	srv := r.approvalServer()
	code, created := r.call(srv, "admin", "POST", "/api/v1/laws", lawBody("海口市市容和环境卫生管理规定",
		map[string]any{"number": "第十条", "text": "禁止在城市道路上乱倒垃圾、污水。"}))
	if code != http.StatusCreated {
		t.Fatalf("create: %d %v", code, created)
	}
	path := fmt.Sprintf("/api/v1/laws/%v", created["id"])
	edit := func(text string, updatedAt any) map[string]any {
		b := lawBody("海口市市容和环境卫生管理规定", map[string]any{"number": "第十条", "text": text})
		if updatedAt != nil {
			b["updated_at"] = updatedAt
		}
		return b
	}
	if code, out := r.call(srv, "admin", "POST", path+"/status", map[string]any{"status": "repealed"}); code != http.StatusOK {
		t.Fatalf("repeal: %d %v", code, out)
	}

	// The editor read the law before the repeal.
	code, out := r.call(srv, "admin", "PUT", path, edit("禁止乱倒建筑垃圾。", created["updated_at"]))
	if code != http.StatusConflict || errorField(out) != "updated_at" || errorMessage(out) != fmt.Sprintf("法规 %v 刚被他人更新，请刷新后重试", created["id"]) {
		t.Errorf("a stale save: %d %v, want 409", code, out)
	}
	if code, out := r.call(srv, "admin", "PUT", path, edit("禁止乱倒建筑垃圾。", nil)); code != http.StatusBadRequest || errorField(out) != "updated_at" {
		t.Errorf("a save that does not say what it read: %d %v, want 400", code, out)
	}
	if code, out := r.call(srv, "admin", "PUT", path, edit("禁止乱倒建筑垃圾。", "昨天")); code != http.StatusBadRequest || errorField(out) != "updated_at" {
		t.Errorf("updated_at not a time: %d %v, want 400", code, out)
	}
	code, read := r.call(srv, "", "GET", path, nil)
	if arts, _ := read["articles"].([]any); code != http.StatusOK || read["status"] != "repealed" || len(arts) != 1 ||
		arts[0].(map[string]any)["text"] != "禁止在城市道路上乱倒垃圾、污水。" {
		t.Fatalf("refused saves changed the law: %d %v", code, read)
	}

	// Read again, saved with no status: still repealed.
	code, saved := r.call(srv, "admin", "PUT", path, edit("禁止乱倒建筑垃圾。", read["updated_at"]))
	if code != http.StatusOK || saved["status"] != "repealed" {
		t.Fatalf("a save with no status: %d %v, want the law still repealed", code, saved)
	}
	if code, out := r.call(srv, "", "GET", path, nil); out["status"] != "repealed" || out["updated_at"] != saved["updated_at"] {
		t.Errorf("after the save: %d %v", code, out)
	}
	// What a save answers is what the next save sends (PostgreSQL keeps microseconds).
	if code, out := r.call(srv, "admin", "PUT", path, edit("禁止乱倒建筑垃圾、污水。", read["updated_at"])); code != http.StatusConflict {
		t.Errorf("a second save of the same read: %d %v, want 409", code, out)
	}
	if code, out := r.call(srv, "admin", "PUT", path, edit("禁止乱倒建筑垃圾、污水。", saved["updated_at"])); code != http.StatusOK || out["status"] != "repealed" {
		t.Errorf("a save of what the last save answered: %d %v", code, out)
	}
}

// A law belongs to the department that added it: its staff and the
// administrators change it, another department's staff do not, and
// nobody's department keeps a law the administrators added.
func TestADepartmentEditsOnlyTheLawsItKeeps(t *testing.T) {
	r := newConsoleRig(t)
	srv := r.approvalServer()
	for code, name := range map[string]string{"hk-sfj": "海口市司法局", "hk-rsj": "海口市人力资源和社会保障局"} {
		if err := r.db.Catalog.UpsertUnit(context.Background(), &guanjia.Unit{Code: code, Name: name, Department: "司法"}); err != nil {
			t.Fatal(err)
		}
		r.addUser(&guanjia.User{Username: "staff-" + code, Role: guanjia.RoleDepartment, UnitCode: code})
	}
	add := func(who, title string) map[string]any {
		t.Helper()
		code, out := r.call(srv, who, "POST", "/api/v1/laws", lawBody(title, map[string]any{"number": "第一条", "text": "为了及时解决民间纠纷，制定本条例。"}))
		if code != http.StatusCreated {
			t.Fatalf("%s adds a law: %d %v", who, code, out)
		}
		return out
	}
	own, admins := add("staff-hk-sfj", "海口市人民调解条例"), add("admin", "海南省多元化解纠纷条例")
	if own["department"] != "hk-sfj" || admins["department"] != "" {
		t.Fatalf("kept by %v and %v, want hk-sfj and the administrators", own["department"], admins["department"])
	}
	save := func(who string, l map[string]any) (int, map[string]any) {
		b := lawBody(l["title"].(string), map[string]any{"number": "第一条", "text": "为了预防和化解民间纠纷，制定本条例。"})
		b["updated_at"] = l["updated_at"]
		return r.call(srv, who, "PUT", fmt.Sprintf("/api/v1/laws/%v", l["id"]), b)
	}
	for _, tc := range []struct {
		who string
		law map[string]any
	}{{"staff-hk-rsj", own}, {"staff-hk-sfj", admins}} {
		if code, out := save(tc.who, tc.law); code != http.StatusForbidden || !strings.Contains(errorMessage(out), "其他部门或管理员维护") {
			t.Errorf("%s saves law %v kept by %q: %d %v, want 403", tc.who, tc.law["id"], tc.law["department"], code, out)
		}
		if code, _ := r.call(srv, tc.who, "POST", fmt.Sprintf("/api/v1/laws/%v/status", tc.law["id"]), map[string]any{"status": "repealed"}); code != http.StatusForbidden {
			t.Errorf("%s repeals law %v kept by %q: %d, want 403", tc.who, tc.law["id"], tc.law["department"], code)
		}
	}
	if code, out := r.call(srv, "", "GET", fmt.Sprintf("/api/v1/laws/%v", own["id"]), nil); code != http.StatusOK || out["status"] != "in_force" ||
		out["updated_at"] != own["updated_at"] {
		t.Fatalf("refused edits changed the law: %d %v", code, out)
	}
	if code, out := save("staff-hk-sfj", own); code != http.StatusOK || out["department"] != "hk-sfj" {
		t.Errorf("the keeping department saves its law: %d %v", code, out)
	}
	if code, out := save("admin", admins); code != http.StatusOK {
		t.Errorf("an administrator saves: %d %v", code, out)
	}
}
