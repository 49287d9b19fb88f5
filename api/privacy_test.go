package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"guanjia"
)

// addCitizen signs up one more citizen on the rig.
func (r *consoleRig) addCitizen(username string) {
	r.t.Helper()
	r.addUser(&guanjia.User{Username: username, Role: guanjia.RoleCitizen})
}

func serveRecorder(h http.Handler, req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// A citizen's me-too within 50 m of a hotline order (issue 10, row 9) makes
// them a follower: the API answers status, deadlines and a timeline of
// actions and times, and none of the caller's or reporter's details.
func TestFollowerReadsProgressOnly(t *testing.T) {
	r := newConsoleRig(t)
	r.addCitizen("neighbour")
	h := r.replica()
	code, orig := r.call(h, "agent", "POST", "/api/v1/complaints", map[string]any{"category": "1101",
		"description": "王先生来电：楼下垃圾三天没人清", "lat": siteLat, "lng": siteLng, "address": "龙华路 8 号王先生家楼下",
		"caller_name": "王先生", "caller_phone": "13812345678"})
	if code != http.StatusCreated {
		t.Fatalf("hotline order: %d %v", code, orig)
	}
	id := int64(orig["id"].(float64))
	path := fmt.Sprintf("/api/v1/complaints/%d", id)
	if code, out := r.call(h, "dispatcher", "POST", path+"/escalate", map[string]any{"note": "王先生再次来电"}); code != http.StatusOK {
		t.Fatalf("escalate: %d %v", code, out)
	}
	code, metoo := r.call(h, "neighbour", "POST", "/api/v1/complaints", map[string]any{"category": "1101",
		"description": "我家门口也有垃圾", "lat": siteLat + 0.0002, "lng": siteLng})
	if code != http.StatusCreated || metoo["duplicate_of"] != float64(id) {
		t.Fatalf("me-too: %d %v", code, metoo)
	}

	req, _ := http.NewRequest("GET", path, nil)
	req.Header.Set("Authorization", "Bearer "+r.tokens["neighbour"])
	rec := serveRecorder(h, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("follower GET: %d %s", rec.Code, rec.Body)
	}
	raw := rec.Body.String()
	for _, secret := range []string{"王先生", "龙华路", "13812345678", "138****5678", `"description"`, `"address"`, `"reporter_id"`, `"caller_name"`,
		`"caller_phone"`, `"lat"`, `"note"`} {
		if strings.Contains(raw, secret) {
			t.Errorf("follower's answer holds %s: %s", secret, raw)
		}
	}
	var d struct {
		View     string            `json:"view"`
		Status   string            `json:"status"`
		District string            `json:"district"`
		ArriveBy *time.Time        `json:"arrive_by"`
		Assignee *int64            `json:"assignee"`
		Photos   []json.RawMessage `json:"photos"`
		Events   []map[string]any  `json:"events"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &d); err != nil {
		t.Fatal(err)
	}
	if d.View != "follower" || d.Status != "dispatched" || d.District != "龙华区" || d.ArriveBy == nil || d.Assignee != nil || len(d.Photos) != 0 {
		t.Errorf("follower view: %s", raw)
	}
	actions := []string{}
	for _, e := range d.Events {
		actions = append(actions, fmt.Sprint(e["action"]))
		if e["actor_id"] != nil || e["actor_role"] != nil || e["assignee"] != nil || e["at"] == nil {
			t.Errorf("timeline event %v", e)
		}
	}
	if got := strings.Join(actions, ","); got != "create,dispatch,escalate,metoo" {
		t.Errorf("follower's timeline = %s", got)
	}

	// The list shows the same reduced row beside the follower's own report.
	req, _ = http.NewRequest("GET", "/api/v1/complaints", nil)
	req.Header.Set("Authorization", "Bearer "+r.tokens["neighbour"])
	list := serveRecorder(h, req).Body.String()
	if strings.Contains(list, "王先生") || !strings.Contains(list, "我家门口也有垃圾") {
		t.Errorf("follower's list: %s", list)
	}
	var rows struct{ Complaints []map[string]any }
	if err := json.Unmarshal([]byte(list), &rows); err != nil {
		t.Fatal(err)
	}
	for _, row := range rows.Complaints { // the mini-program marks the one they follow 我关注的问题
		if followed := row["id"] == float64(id); (row["view"] == "follower") != followed {
			t.Errorf("list row %v: view %v, want follower only on the order they follow", row["id"], row["view"])
		}
	}
	// Staff still read the order whole.
	if _, out := r.call(h, "dispatcher", "GET", path, nil); out["caller_name"] != "王先生" || out["view"] != nil {
		t.Errorf("dispatcher's view: %v", out)
	}
}

// The delivery log (issue 10, row 10): a unit leader reads their unit's
// messages only, a crew member their own; citizens have none.
func TestDeliveryLogIsScopedToTheUnit(t *testing.T) {
	r := newConsoleRig(t)
	h := r.messagesReplica()
	hw := r.fileComplaint(h, "1101", siteLat, siteLng) // 环卫: a task for "crew" of lh-hw
	sz := r.fileComplaint(h, "0101", siteLat, siteLng) // 市政: a task for "crew-sz" of lh-sz
	ctx := context.Background()
	// A message to a lh-sz leader about nothing in particular, and one failed push to lh-hw's crew.
	if err := r.db.Notifications.CreateNotification(ctx, &guanjia.Notification{Message: guanjia.Message{RecipientID: r.users["lead-sz"].ID,
		Channel: guanjia.ChannelInbox, Template: guanjia.TplManualQueue}}); err != nil {
		t.Fatal(err)
	}
	if err := r.db.Notifications.CreateNotification(ctx, &guanjia.Notification{Message: guanjia.Message{RecipientID: r.users["crew"].ID,
		Channel: guanjia.ChannelWeCom, Template: guanjia.TplEscalation, ComplaintID: &hw}, Status: guanjia.DeliveryFailed}); err != nil {
		t.Fatal(err)
	}
	rows := func(user, query string) []map[string]any {
		t.Helper()
		code, out := r.call(h, user, "GET", "/api/v1/notifications"+query, nil)
		if code != http.StatusOK {
			t.Fatalf("%s reads the delivery log: %d %v", user, code, out)
		}
		var list []map[string]any
		for _, n := range out["notifications"].([]any) {
			list = append(list, n.(map[string]any))
		}
		return list
	}
	complaint := func(n map[string]any) int64 { v, _ := n["complaint"].(float64); return int64(v) }
	recipient := func(n map[string]any) int64 { return int64(n["recipient"].(float64)) }

	all := rows("dispatcher", "")
	seen := map[int64]bool{}
	for _, n := range all {
		seen[complaint(n)] = true
	}
	if !seen[hw] || !seen[sz] || seen[0] {
		t.Fatalf("the command center sees the city's complaints' messages, and no others: %v", all)
	}
	if admin := rows("admin", ""); !slices.ContainsFunc(admin, func(n map[string]any) bool { return complaint(n) == 0 }) {
		t.Errorf("an admin does not see the message about no complaint: %v", admin)
	}
	staffOf := func(unit string) map[int64]bool {
		ids := map[int64]bool{}
		for _, u := range r.users {
			if u.UnitCode == unit {
				ids[u.ID] = true
			}
		}
		return ids
	}
	for lead, unit := range map[string]string{"lead-hw": "lh-hw", "lead-sz": "lh-sz"} {
		mine, other := hw, sz
		if unit == "lh-sz" {
			mine, other = sz, hw
		}
		list := rows(lead, "")
		if len(list) == 0 || len(list) >= len(all) {
			t.Errorf("%s sees %d of %d rows", lead, len(list), len(all))
		}
		for _, n := range list {
			if complaint(n) != mine && !staffOf(unit)[recipient(n)] {
				t.Errorf("%s sees another unit's message: %v", lead, n)
			}
		}
		if got := rows(lead, fmt.Sprintf("?complaint=%d", other)); len(got) != 0 {
			t.Errorf("%s reads the other unit's order's messages: %v", lead, got)
		}
		if got := rows(lead, fmt.Sprintf("?complaint=%d", mine)); len(got) == 0 {
			t.Errorf("%s cannot read their own order's messages", lead)
		}
	}
	for _, n := range rows("crew-sz", "") {
		if recipient(n) != r.users["crew-sz"].ID {
			t.Errorf("crew-sz reads someone else's message: %v", n)
		}
	}
	if code, _ := r.call(h, "citizen", "GET", "/api/v1/notifications", nil); code != http.StatusForbidden {
		t.Errorf("a citizen reads the delivery log: %d", code)
	}

	// The dashboard's delivery figures follow the same scope.
	for user, failed := range map[string]float64{"dispatcher": 1, "lead-hw": 1, "lead-sz": 0} {
		code, out := r.call(h, user, "GET", "/api/v1/stats/deliveries", nil)
		if code != http.StatusOK || out["failed"] != failed || float64(len(out["recent_failed"].([]any))) != failed {
			t.Errorf("%s's delivery stats: %d %v, want %v failed", user, code, out, failed)
		}
	}
}

// The reporter reads their own report's timeline: what was done and why,
// never what staff told each other (催办/督办 notes), who did it, or where
// the crew member stood when they checked in.
func TestReporterTimelineHoldsNoStaffNotes(t *testing.T) {
	r := newConsoleRig(t)
	h := r.replica()
	code, out := r.call(h, "citizen", "POST", "/api/v1/complaints", map[string]any{"category": "1101",
		"description": "路口有一堆垃圾", "lat": siteLat, "lng": siteLng, "address": "龙华路"})
	if code != http.StatusCreated {
		t.Fatalf("file: %d %v", code, out)
	}
	path := fmt.Sprintf("/api/v1/complaints/%d", int64(out["id"].(float64)))
	for _, step := range []struct {
		user, action string
		body         map[string]any
	}{
		{"dispatcher", "remind", map[string]any{"note": "环卫所张队长电话不接，内部先记一笔"}},
		{"dispatcher", "escalate", map[string]any{"note": "约谈环卫所负责人李某"}},
		{"crew", "accept", map[string]any{}},
		{"crew", "arrive", map[string]any{"lat": siteLat + 0.0003, "lng": siteLng}},
		{"crew", "resolve", map[string]any{"note": "已清运完毕"}},
	} {
		if code, out := r.call(h, step.user, "POST", path+"/"+step.action, step.body); code != http.StatusOK {
			t.Fatalf("%s: %d %v", step.action, code, out)
		}
	}
	code, got := r.call(h, "citizen", "GET", path, nil)
	if code != http.StatusOK {
		t.Fatalf("reporter GET: %d %v", code, got)
	}
	var notes []string
	for _, e := range got["events"].([]any) {
		ev := e.(map[string]any)
		note, _ := ev["note"].(string)
		notes = append(notes, note)
		if strings.Contains(note, "张队长") || strings.Contains(note, "李某") {
			t.Errorf("the reporter reads the staff's %s note %q", ev["action"], note)
		}
		if ev["action"] == "arrive" && (ev["lat"] != nil || ev["lng"] != nil) {
			t.Errorf("the reporter reads the crew member's check-in position %v,%v", ev["lat"], ev["lng"])
		}
		if ev["actor_role"] != "citizen" && (ev["actor_id"] != nil || ev["assignee_id"] != nil) {
			t.Errorf("the reporter reads staff user ids (actor %v, assignee %v) on %v", ev["actor_id"], ev["assignee_id"], ev["action"])
		}
	}
	if !slices.ContainsFunc(notes, func(n string) bool { return strings.Contains(n, "已清运完毕") }) {
		t.Errorf("the reporter misses what the crew did: notes %q", notes)
	}
	// Staff read the whole timeline still.
	_, staff := r.call(h, "dispatcher", "GET", path, nil)
	if b, _ := json.Marshal(staff["events"]); !strings.Contains(string(b), "张队长") {
		t.Errorf("the dispatcher lost the 催办 note: %s", b)
	}
}
