package api_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"guanjia"
)

// liveEvent is one server-sent event as a browser's EventSource sees it.
type liveEvent struct {
	name string
	data map[string]any
}

// follow opens /api/v1/live on base as user and returns the events it reads.
func (r *consoleRig) follow(base, user string) <-chan liveEvent {
	r.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r.t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/api/v1/live", nil)
	req.AddCookie(&http.Cookie{Name: "guanjia_token", Value: r.tokens[user]}) // as EventSource does
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
		r.t.Fatalf("%s follows the live queue: %d %s", user, res.StatusCode, res.Header.Get("Content-Type"))
	}
	events := make(chan liveEvent, 16)
	go func() {
		defer res.Body.Close()
		defer close(events)
		sc := bufio.NewScanner(res.Body)
		var ev liveEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				ev.name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				_ = json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &ev.data)
			case line == "" && ev.name != "":
				events <- ev
				ev = liveEvent{}
			}
		}
	}()
	return events
}

func nextLive(t *testing.T, who string, events <-chan liveEvent) liveEvent {
	t.Helper()
	select {
	case ev, ok := <-events:
		if !ok {
			t.Fatalf("%s: the live stream ended", who)
		}
		return ev
	case <-time.After(10 * time.Second):
		t.Fatalf("%s: no live event within 10 s", who)
	}
	return liveEvent{}
}

// A change made through one API replica reaches browsers connected to
// another, each seeing only what they may read.
func TestLiveFansOutAcrossReplicas(t *testing.T) {
	r := newConsoleRig(t)
	a := httptest.NewServer(r.replica())
	t.Cleanup(a.Close) // after the streams below are closed: Close waits for them
	b := httptest.NewServer(r.replica())
	t.Cleanup(b.Close)

	desk := r.follow(b.URL, "dispatcher")
	crew := r.follow(b.URL, "crew")
	crewSZ := r.follow(b.URL, "crew-sz")
	leadSZ := r.follow(a.URL, "lead-sz")

	id := r.fileComplaint(a.Config.Handler, "1101", siteLat, siteLng) // 暴露垃圾 → 环卫 → crew
	for who, events := range map[string]<-chan liveEvent{"dispatcher": desk, "crew": crew} {
		ev := nextLive(t, who, events)
		if ev.name != "complaint" || ev.data["id"] != float64(id) || ev.data["status"] != "dispatched" || ev.data["unit"] != "lh-hw" {
			t.Errorf("%s got %s %v, want complaint %d dispatched to lh-hw", who, ev.name, ev.data, id)
		}
		if _, ok := ev.data["caller_phone"]; ok {
			t.Errorf("%s: the live feed carries the caller's phone", who)
		}
		if ev.data["accept_by"] == nil {
			t.Errorf("%s: the live row has no deadline to count down to: %v", who, ev.data)
		}
	}

	// The 市政 crew and leader did not see the 环卫 order: the next thing they
	// see is a 市政 one.
	other := r.fileComplaint(b.Config.Handler, "0101", siteLat, siteLng)
	for who, events := range map[string]<-chan liveEvent{"crew-sz": crewSZ, "lead-sz": leadSZ} {
		if ev := nextLive(t, who, events); ev.data["id"] != float64(other) {
			t.Errorf("%s first saw complaint %v, want only %d of their unit", who, ev.data["id"], other)
		}
	}
	if ev := nextLive(t, "dispatcher", desk); ev.data["id"] != float64(other) {
		t.Errorf("dispatcher saw %v, want %d", ev.data["id"], other)
	}

	// An action through the other replica arrives too.
	if code, out := r.call(b.Config.Handler, "crew", "POST", "/api/v1/complaints/"+strconv.FormatInt(id, 10)+"/accept", nil); code != http.StatusOK {
		t.Fatalf("accept: %d %v", code, out)
	}
	if ev := nextLive(t, "dispatcher", desk); ev.data["id"] != float64(id) || ev.data["status"] != "accepted" || ev.data["arrive_by"] == nil {
		t.Errorf("after accepting, the dispatcher saw %v", ev.data)
	}

	for _, user := range []string{"citizen", ""} {
		if code, _ := r.call(a.Config.Handler, user, "GET", "/api/v1/live", nil); code != http.StatusForbidden && code != http.StatusUnauthorized {
			t.Errorf("%q follows the live queue: %d", user, code)
		}
	}
}

// TestLiveDisputes: a dispute filed or moved on reaches the live pages of
// those who may see it (the desk, its committee's mediators, its grid's
// manager) as its id and status, and rings the inboxes it wrote to; a
// mediator of another committee hears nothing of it.
func TestLiveDisputes(t *testing.T) {
	r := newConsoleRig(t)
	ts := httptest.NewServer(r.disputeServer())
	t.Cleanup(ts.Close)
	r.addUser(&guanjia.User{Username: "mediator-jt", Role: guanjia.RoleMediator, UnitCode: "tj-jt", Name: "交通调解员"})
	streams := map[string]<-chan liveEvent{}
	for _, user := range []string{"dispatcher", "mediator", "grid-g1", "mediator-jt"} {
		streams[user] = r.follow(ts.URL, user)
	}

	code, out := r.call(ts.Config.Handler, "grid-g1", "POST", "/api/v1/disputes", disputeBody(""))
	if code != http.StatusCreated {
		t.Fatalf("file: %d %v", code, out)
	}
	id := out["id"].(float64)
	for _, user := range []string{"dispatcher", "mediator", "grid-g1"} {
		ev := nextLive(t, user, streams[user])
		if ev.name != "dispute" || ev.data["id"] != id || ev.data["status"] != "reported" || ev.data["number"] != out["number"] {
			t.Errorf("%s got %s %v, want dispute %v reported", user, ev.name, ev.data, id)
		}
		if _, ok := ev.data["parties"]; ok {
			t.Errorf("%s: the live feed carries the parties", user)
		}
	}
	if ev := nextLive(t, "mediator", streams["mediator"]); ev.name != "inbox" {
		t.Errorf("the committee's mediator got %s, want their inbox to ring with the new case", ev.name)
	}

	// A step elsewhere arrives too; the traffic committee heard nothing until its own case.
	if code, out := r.call(ts.Config.Handler, "mediator", "POST", fmt.Sprintf("/api/v1/disputes/%v/accept", id), map[string]any{}); code != http.StatusOK {
		t.Fatalf("accept: %d %v", code, out)
	}
	if ev := nextLive(t, "dispatcher", streams["dispatcher"]); ev.data["id"] != id || ev.data["status"] != "accepted" {
		t.Errorf("after accepting, the dispatcher saw %v", ev.data)
	}
	traffic := disputeBody("")
	traffic["type"] = "traffic"
	code, out = r.call(ts.Config.Handler, "agent", "POST", "/api/v1/disputes", traffic)
	if code != http.StatusCreated {
		t.Fatalf("file a traffic dispute: %d %v", code, out)
	}
	if ev := nextLive(t, "mediator-jt", streams["mediator-jt"]); ev.name != "dispute" || ev.data["id"] != out["id"] {
		t.Errorf("the traffic committee's mediator first got %s %v, want only their committee's dispute %v", ev.name, ev.data, out["id"])
	}
}

// A grid manager moved to another grid stops hearing of the old one's
// disputes: the stream ends (the page reconnects, for the new grid).
func TestLiveFollowsAGridManagersMove(t *testing.T) {
	r := newConsoleRig(t)
	ts := httptest.NewServer(r.disputeServer())
	t.Cleanup(ts.Close)
	ctx := context.Background()
	if err := r.db.Catalog.UpsertGrid(ctx, &guanjia.Grid{ID: "g2", Name: "中山街道第2网格", District: "龙华区",
		Geometry: []byte(`{"type":"Polygon","coordinates":[[[110.31,20.0],[110.32,20.0],[110.32,20.01],[110.31,20.01],[110.31,20.0]]]}`)}); err != nil {
		t.Fatal(err)
	}
	events := r.follow(ts.URL, "grid-g1")
	g2 := "g2"
	if _, err := r.db.Users.ChangeUser(ctx, guanjia.UserChange{UserID: r.users["grid-g1"].ID, By: guanjia.Actor{Name: "cli"}, GridID: &g2}); err != nil {
		t.Fatal(err)
	}
	deadline := time.After(10 * time.Second)
	for {
		select {
		case _, open := <-events:
			if !open {
				return
			}
		case <-deadline:
			t.Fatal("the stream still runs 10 s after its grid manager moved to another grid")
		}
	}
}

// A server shutting down ends its live streams instead of waiting for them.
func TestLiveEndsOnShutdown(t *testing.T) {
	r := newConsoleRig(t)
	srv := r.replica()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, l) }()
	events := r.follow("http://"+l.Addr().String(), "dispatcher")

	start := time.Now()
	stop()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the server still waits for a live stream 5 s after shutdown began")
	}
	if _, open := <-events; open {
		t.Error("the live stream delivered an event instead of ending")
	}
	t.Logf("shut down with a live stream open in %v", time.Since(start).Round(time.Millisecond))
}
