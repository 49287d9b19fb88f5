package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"guanjia"
	"guanjia/internal/testenv"
)

// An administrator's change to an account is one transaction: the account,
// an audit line per changed attribute, and the end of the user's sessions
// (but the one kept) when the role, unit or password changes or the account
// is disabled.
func TestChangeUserAuditsAndEndsSessions(t *testing.T) {
	db := testenv.MustOpenDB(t)
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(db.Catalog.UpsertUnit(ctx, &guanjia.Unit{Code: "lh-hw", Name: "龙华区环卫所", Department: guanjia.DeptSanitation, District: "龙华区"}))
	must(db.Catalog.UpsertGrid(ctx, &guanjia.Grid{ID: "lh01", Name: "第1网格", District: "龙华区",
		Geometry: []byte(`{"type":"Polygon","coordinates":[[[110.30,20.0],[110.31,20.0],[110.31,20.01],[110.30,20.01],[110.30,20.0]]]}`),
		Units:    map[string]string{guanjia.DeptSanitation: "lh-hw"}}))
	admin := &guanjia.User{Username: "admin", Role: guanjia.RoleAdmin}
	u := &guanjia.User{Username: "wang", Role: guanjia.RoleAgent}
	must(db.Users.CreateUser(ctx, admin))
	must(db.Users.CreateUser(ctx, u))
	now := time.Now().UTC().Truncate(time.Second)
	for _, id := range []string{"s1", "s2", "s3"} {
		must(db.Users.CreateSession(ctx, &guanjia.Session{ID: id, UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(time.Hour), IP: "192.0.2.1"}))
	}
	live := func() string {
		t.Helper()
		var out []string
		for _, id := range []string{"s1", "s2", "s3"} {
			se, err := db.Users.FindSession(ctx, id)
			must(err)
			if se.Active(now) {
				out = append(out, id)
			}
		}
		return fmt.Sprint(out)
	}
	by := guanjia.Actor{ID: admin.ID, Name: "admin"}

	// A grid alone is no reason to sign out.
	grid := "lh01"
	got, err := db.Users.ChangeUser(ctx, guanjia.UserChange{UserID: u.ID, By: by, At: now, GridID: &grid})
	must(err)
	if got.GridID != "lh01" || live() != "[s1 s2 s3]" {
		t.Errorf("grid change: grid %q, live sessions %s", got.GridID, live())
	}
	// A crew member needs a unit, and the unit must exist: nothing changes otherwise.
	crew, unit, nowhere := guanjia.RoleCrew, "lh-hw", "nowhere"
	if _, err := db.Users.ChangeUser(ctx, guanjia.UserChange{UserID: u.ID, By: by, At: now, Role: &crew}); guanjia.ErrorCode(err) != guanjia.EINVALID {
		t.Errorf("crew without a unit: %v", err)
	}
	if _, err := db.Users.ChangeUser(ctx, guanjia.UserChange{UserID: u.ID, By: by, At: now, Role: &crew, UnitCode: &nowhere}); guanjia.ErrorCode(err) != guanjia.ENOTFOUND {
		t.Errorf("unknown unit: %v", err)
	}
	if live() != "[s1 s2 s3]" {
		t.Errorf("a refused change ended sessions: %s", live())
	}
	got, err = db.Users.ChangeUser(ctx, guanjia.UserChange{UserID: u.ID, By: by, At: now, Role: &crew, UnitCode: &unit})
	must(err)
	if got.Role != guanjia.RoleCrew || got.UnitCode != "lh-hw" || live() != "[]" {
		t.Errorf("role change: %s %s, live sessions %s", got.Role, got.UnitCode, live())
	}
	// The same role again changes nothing and writes nothing.
	_, err = db.Users.ChangeUser(ctx, guanjia.UserChange{UserID: u.ID, By: by, At: now, Role: &crew})
	must(err)

	// The user's own password change keeps the session it was made in.
	for _, id := range []string{"s4", "s5"} {
		must(db.Users.CreateSession(ctx, &guanjia.Session{ID: id, UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}))
	}
	hash := "$2a$10$abcdefghijklmnopqrstuv"
	_, err = db.Users.ChangeUser(ctx, guanjia.UserChange{UserID: u.ID, By: guanjia.Actor{ID: u.ID, Name: "wang"}, At: now,
		PasswordHash: &hash, PasswordEvent: guanjia.UserPasswordChanged, KeepSession: "s5"})
	must(err)
	for id, want := range map[string]bool{"s4": false, "s5": true} {
		se, err := db.Users.FindSession(ctx, id)
		must(err)
		if se.Active(now) != want {
			t.Errorf("after the password change, session %s active: %v", id, !want)
		}
	}

	// Disabled: out of the crews that get tasks and the staff that get messages.
	onDuty := true
	must(db.Users.UpdateCrewPosition(ctx, u.ID, 20.005, 110.305, onDuty, now))
	if crews, err := db.Complaints.OnDutyCrews(ctx, "lh-hw", "lh01"); err != nil || len(crews) != 1 {
		t.Fatalf("on-duty crews before: %v %v", crews, err)
	}
	yes := true
	got, err = db.Users.ChangeUser(ctx, guanjia.UserChange{UserID: u.ID, By: guanjia.Actor{Name: "cli:root"}, At: now, Disabled: &yes})
	must(err)
	if !got.Disabled() || got.OnDuty {
		t.Errorf("disabled: %v, on duty %v", got.Disabled(), got.OnDuty)
	}
	if se, _ := db.Users.FindSession(ctx, "s5"); se.Active(now) {
		t.Error("disabling kept a session")
	}
	if crews, _ := db.Complaints.OnDutyCrews(ctx, "lh-hw", "lh01"); len(crews) != 0 {
		t.Errorf("a disabled crew member is on duty: %v", crews)
	}
	if crews, _ := db.Complaints.Crews(ctx, "lh-hw"); len(crews) != 0 {
		t.Errorf("a disabled crew member is listed to dispatch to: %v", crews)
	}
	if staff, _ := db.Users.ListUsersByRole(ctx, guanjia.RoleCrew, "lh-hw"); len(staff) != 0 {
		t.Errorf("a disabled crew member gets messages: %v", staff)
	}
	reread, err := db.Users.FindUserByID(ctx, u.ID)
	must(err)
	if !reread.Disabled() {
		t.Error("disabled is not stored")
	}

	// The trail, newest first.
	lines, err := db.Users.ListUserAudit(ctx, u.ID, 0, 10)
	must(err)
	var trail []string
	for _, l := range lines {
		trail = append(trail, fmt.Sprintf("%s:%s %s→%s", l.By.Name, l.Event, l.From, l.To))
		if !l.At.Equal(now) || l.UserID != u.ID {
			t.Errorf("audit line %+v", l)
		}
	}
	want := []string{"cli:root:disable →", "wang:password_change →", "admin:unit →lh-hw", "admin:role agent→crew", "admin:grid →lh01"}
	if fmt.Sprint(trail) != fmt.Sprint(want) {
		t.Errorf("audit trail:\n got %q\nwant %q", trail, want)
	}
	if lines[0].By.ID != 0 || lines[2].By.ID != admin.ID {
		t.Errorf("actors: %+v %+v", lines[0].By, lines[2].By)
	}
	older, err := db.Users.ListUserAudit(ctx, 0, lines[1].ID, 10)
	must(err)
	if len(older) != 3 {
		t.Errorf("audit before line %d: %d lines", lines[1].ID, len(older))
	}

	// Revoking is idempotent; a new session clears the user's expired ones.
	must(db.Users.RevokeSession(ctx, "s5", now))
	must(db.Users.CreateSession(ctx, &guanjia.Session{ID: "later", UserID: u.ID, CreatedAt: now.Add(2 * time.Hour), ExpiresAt: now.Add(3 * time.Hour)}))
	if _, err := db.Users.FindSession(ctx, "s1"); guanjia.ErrorCode(err) != guanjia.ENOTFOUND {
		t.Errorf("an expired session outlived a new sign-in: %v", err)
	}
}
