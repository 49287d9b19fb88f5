package account_test

import (
	"context"
	"testing"
	"time"

	"guanjia"
	"guanjia/account"
	"guanjia/internal/testenv"
)

// What an administrator may change: anyone's account but their own role or
// existence; every change names who made it in the audit trail.
func TestAdministratorsRules(t *testing.T) {
	ctx := context.Background()
	db := testenv.MustOpenDB(t)
	svc := account.NewService(db.Users, func() time.Time { return time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC) })
	admin := &guanjia.User{Username: "root", Role: guanjia.RoleAdmin}
	crew := &guanjia.User{Username: "wang", Role: guanjia.RoleAgent}
	for _, u := range []*guanjia.User{admin, crew} {
		if err := db.Users.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	me := guanjia.Claims{UserID: admin.ID, Role: guanjia.RoleAdmin}
	for _, tt := range []struct {
		name string
		do   func() error
		code string
	}{
		{"disable oneself", func() error { _, err := svc.Disable(ctx, me, admin.ID); return err }, guanjia.EUNPROCESSABLE},
		{"change one's own role", func() error {
			_, err := svc.SetRole(ctx, me, admin.ID, guanjia.RoleCitizen, nil, nil)
			return err
		}, guanjia.EUNPROCESSABLE},
		{"an unknown role", func() error { _, err := svc.SetRole(ctx, me, crew.ID, "boss", nil, nil); return err }, guanjia.EINVALID},
		{"a short password", func() error { _, err := svc.ResetPassword(ctx, me, "", crew.ID, "short"); return err }, guanjia.EINVALID},
		{"list an unknown role", func() error { _, _, err := svc.List(ctx, guanjia.UserFilter{Role: "boss"}); return err }, guanjia.EINVALID},
		{"disable another", func() error { _, err := svc.Disable(ctx, me, crew.ID); return err }, ""},
	} {
		if code := guanjia.ErrorCode(tt.do()); code != tt.code {
			t.Errorf("%s: %q, want %q", tt.name, code, tt.code)
		}
	}
	audit, err := svc.Audit(ctx, crew.ID, 0, 10)
	if err != nil || len(audit) != 1 || audit[0].Event != guanjia.UserDisabled || audit[0].By.Name != "root" {
		t.Errorf("audit trail %+v %v, want one disable by root", audit, err)
	}
}

// Signing in: the right password only, and a WeChat account has none.
func TestCheckLogin(t *testing.T) {
	ctx := context.Background()
	db := testenv.MustOpenDB(t)
	svc := account.NewService(db.Users, nil)
	hash, err := account.HashPassword("haikou2026")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Users.CreateUser(ctx, &guanjia.User{Username: "li", Role: guanjia.RoleAgent, PasswordHash: hash}); err != nil {
		t.Fatal(err)
	}
	if err := db.Users.CreateUser(ctx, &guanjia.User{Username: "wx", Role: guanjia.RoleCitizen, OpenID: "o-1"}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		user, password string
		ok, found      bool
	}{
		{"li", "haikou2026", true, true},
		{"li", "haikou2025", false, true},
		{"nobody", "haikou2026", false, false},
		{"wx", "", false, true},
	} {
		u, err := svc.CheckLogin(ctx, tt.user, tt.password)
		if (err == nil) != tt.ok || (u != nil) != tt.found {
			t.Errorf("%s/%q: user %v, err %v; want ok %v, found %v", tt.user, tt.password, u != nil, err, tt.ok, tt.found)
		}
	}
}

// One rule for every new account, the command line's and the API's: the
// password first, then the account; its unit where its role's units are,
// its grid a grid; and the audit line of its creation with it.
func TestAdd(t *testing.T) {
	ctx := context.Background()
	db := testenv.MustOpenDB(t)
	at := time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)
	svc := account.NewService(db.Users, func() time.Time { return at })
	if err := db.Catalog.UpsertUnit(ctx, &guanjia.Unit{Code: "lh-hw", Name: "龙华区环卫所", Department: guanjia.DeptSanitation}); err != nil {
		t.Fatal(err)
	}
	if err := db.Disputes.UpsertCommittee(ctx, &guanjia.Committee{Code: "tj-zs", Name: "中山街道人民调解委员会",
		Level: guanjia.LevelTown, Kind: guanjia.CommitteePeople}); err != nil {
		t.Fatal(err)
	}
	by := guanjia.Actor{Name: "cli:root"}
	const pw = "haikou2026"
	for _, tt := range []struct {
		name        string
		nu          account.NewUser
		code, field string
	}{
		{"a short password before anything else", account.NewUser{Password: "short"}, guanjia.EINVALID, "password"},
		{"no role", account.NewUser{Username: "a", Password: pw}, guanjia.EINVALID, "role"},
		{"crew without a unit", account.NewUser{Username: "a", Role: guanjia.RoleCrew, Password: pw}, guanjia.EINVALID, "unit"},
		{"an unknown unit", account.NewUser{Username: "a", Role: guanjia.RoleCrew, UnitCode: "x", Password: pw}, guanjia.EINVALID, "unit"},
		{"an unknown grid", account.NewUser{Username: "a", Role: guanjia.RoleCrew, UnitCode: "lh-hw", GridID: "x", Password: pw}, guanjia.EINVALID, "grid"},
		{"a mediator in a unit", account.NewUser{Username: "a", Role: guanjia.RoleMediator, UnitCode: "lh-hw", Password: pw}, guanjia.EINVALID, "unit"},
		{"a crew member in a committee", account.NewUser{Username: "a", Role: guanjia.RoleCrew, UnitCode: "tj-zs", Password: pw}, guanjia.EINVALID, "unit"},
		{"a mediator in a committee", account.NewUser{Username: "m", Role: guanjia.RoleMediator, UnitCode: "tj-zs", Password: pw}, "", ""},
		{"department staff of a committee", account.NewUser{Username: "d1", Role: guanjia.RoleDepartment, UnitCode: "tj-zs", Password: pw}, "", ""},
		{"department staff of a unit", account.NewUser{Username: "d2", Role: guanjia.RoleDepartment, UnitCode: "lh-hw", Password: pw}, "", ""},
		{"a crew member", account.NewUser{Username: "c", Role: guanjia.RoleCrew, UnitCode: "lh-hw", Password: pw}, "", ""},
		{"a taken username", account.NewUser{Username: "c", Role: guanjia.RoleAgent, Password: pw}, guanjia.ECONFLICT, "username"},
	} {
		u, err := svc.Add(ctx, by, tt.nu)
		if guanjia.ErrorCode(err) != tt.code || guanjia.ErrorField(err) != tt.field {
			t.Errorf("%s: %v, want %q on %q", tt.name, err, tt.code, tt.field)
			continue
		}
		if err != nil {
			continue
		}
		if got, err := svc.CheckLogin(ctx, tt.nu.Username, pw); err != nil || got.ID != u.ID || got.Role != tt.nu.Role {
			t.Errorf("%s: sign in: %+v %v", tt.name, got, err)
		}
		trail, err := svc.Audit(ctx, u.ID, 0, 10)
		if err != nil || len(trail) != 1 || trail[0].Event != guanjia.UserCreated || trail[0].By != by || !trail[0].At.Equal(at) ||
			trail[0].To != string(tt.nu.Role) {
			t.Errorf("%s: audit %+v %v", tt.name, trail, err)
		}
	}
	if all, err := svc.Audit(ctx, 0, 0, 50); err != nil || len(all) != 4 {
		t.Errorf("audit lines of every account: %d %v, want one per account created", len(all), err)
	}
}
