package guanjia

import (
	"context"
	"time"
)

// UserEvent names what happened to an account in its audit trail.
type UserEvent string

const (
	UserCreated         UserEvent = "create"
	UserDisabled        UserEvent = "disable"
	UserEnabled         UserEvent = "enable"
	UserRoleChanged     UserEvent = "role"
	UserUnitChanged     UserEvent = "unit"
	UserGridChanged     UserEvent = "grid"
	UserPasswordReset   UserEvent = "password_reset"  // by an administrator
	UserPasswordChanged UserEvent = "password_change" // by the user
	UserLocked          UserEvent = "lock"            // too many wrong passwords
	UserUnlocked        UserEvent = "unlock"          // by an administrator
)

// Actor is who made a change: a signed-in user, or (ID 0) an operator at the
// command line or the system itself, named by Name.
type Actor struct {
	ID   int64
	Name string
}

// UserAudit is one immutable line of an account's audit trail: who did what
// to it, when, and the value before and after (never a password).
type UserAudit struct {
	ID     int64
	At     time.Time
	By     Actor
	UserID int64
	Event  UserEvent
	From   string
	To     string
}

// UserChange is a change to an account by an administrator or by its owner.
// Nil fields stay as they are.
type UserChange struct {
	UserID       int64
	By           Actor
	At           time.Time
	Role         *Role
	UnitCode     *string
	GridID       *string
	Disabled     *bool
	PasswordHash *string // hashed already; the audit says only that it changed
	// PasswordEvent says whose change a new password is: UserPasswordReset
	// (an administrator's) or UserPasswordChanged (the user's own).
	PasswordEvent UserEvent
	// KeepSession stays signed in when the change ends the user's sessions:
	// the one in which the user changed their own password.
	KeepSession string
}

// UserFilter selects users for an administrator's list.
type UserFilter struct {
	Role     Role
	UnitCode string
	Query    string // part of the username or name
	Disabled *bool
	Limit    int
	Offset   int
}

// UserAdminStore is what administering accounts needs.
type UserAdminStore interface {
	// ListUsers answers a page of the accounts f selects and how many it selects.
	ListUsers(ctx context.Context, f UserFilter) ([]*User, int, error)
	// ChangeUser applies ch in one transaction: the account, one audit line
	// per changed attribute, and — when the role, unit or password changed or
	// the account was disabled — the end of the user's sessions but
	// ch.KeepSession. It answers the account as it now is.
	ChangeUser(ctx context.Context, ch UserChange) (*User, error)
	// CreateUserAudited creates u with created, the audit line of its
	// creation (its UserID set here), in one transaction. u's unit and grid
	// must exist (ENOTFOUND naming the field): a mediator's unit is a
	// mediation committee, a department's a unit or a committee. A taken
	// username is ECONFLICT.
	CreateUserAudited(ctx context.Context, u *User, created *UserAudit) error
	AddUserAudit(ctx context.Context, a *UserAudit) error
	// ListUserAudit answers the newest lines first: of one user (userID > 0)
	// or of all, at most limit, older than before (0: from the newest).
	ListUserAudit(ctx context.Context, userID int64, before int64, limit int) ([]*UserAudit, error)
}
