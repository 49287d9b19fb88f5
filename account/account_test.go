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
		{"list an unknown role", func() error { _, err := svc.List(ctx, guanjia.UserFilter{Role: "boss"}); return err }, guanjia.EINVALID},
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
