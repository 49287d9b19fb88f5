package guanjia

import (
	"context"
	"time"
)

// Role is what a signed-in user may do. Every endpoint checks it.
type Role string

const (
	RoleCitizen    Role = "citizen"    // reports problems from the mini-program
	RoleAgent      Role = "agent"      // 12345 hotline agent, logs calls as work orders
	RoleDispatcher Role = "dispatcher" // command center: routes, supervises, verifies, closes
	RoleCrew       Role = "crew"       // frontline worker who goes to the site
	RoleUnitAdmin  Role = "unit_admin" // leader of a responsible unit
	RoleAdmin      Role = "admin"
	// RoleGridManager is a 网格员: User.GridID is the grid they patrol and report disputes from.
	RoleGridManager Role = "grid_manager"
	// RoleMediator is a 调解员: User.UnitCode is their mediation committee's code.
	RoleMediator Role = "mediator"
)

// Roles lists every role, for validation.
var Roles = []Role{RoleCitizen, RoleAgent, RoleDispatcher, RoleCrew, RoleUnitAdmin, RoleAdmin, RoleDepartment, RoleGridManager, RoleMediator}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if r == x {
			return true
		}
	}
	return false
}

// IsStaff reports whether the role belongs to city staff rather than the public.
func (r Role) IsStaff() bool { return r != RoleCitizen && r.Valid() }

// User is anyone who signs in: citizens (often through WeChat) and staff.
type User struct {
	ID           int64
	Username     string
	PasswordHash string
	Role         Role
	Name         string
	Phone        string // plain here; encrypted at rest, masked when shown
	UnitCode     string // staff of a unit (crew, unit_admin)
	GridID       string // the grid a crew member patrols
	OpenID       string // WeChat mini-program openid
	UnionID      string
	WeComUserID  string // 企业微信 userid for pushed tasks
	OnDuty       bool
	Lat, Lng     float64 // last known WGS-84 position (crew)
	PositionAt   *time.Time
	CreatedAt    time.Time
	DisabledAt   *time.Time // set by an administrator: the account cannot sign in, its sessions are ended
}

// Disabled reports whether an administrator has disabled the account.
func (u *User) Disabled() bool { return u.DisabledAt != nil }

// DisplayName is the name to show: the real name, else the login name.
func (u *User) DisplayName() string {
	if u.Name != "" {
		return u.Name
	}
	return u.Username
}

// Validate checks the fields an operator supplies when adding a user.
func (u *User) Validate() error {
	if !u.Role.Valid() {
		return FieldError(EINVALID, "role", "unknown role %q", u.Role)
	}
	if u.Username == "" && u.OpenID == "" {
		return FieldError(EINVALID, "username", "username is required")
	}
	if err := CheckTexts(TextField{"username", u.Username, MaxUsername, false}, TextField{"name", u.Name, MaxName, false}); err != nil {
		return err
	}
	if (u.Role == RoleCrew || u.Role == RoleUnitAdmin) && u.UnitCode == "" {
		return FieldError(EINVALID, "unit", "%s needs a unit", u.Role)
	}
	if u.Role == RoleMediator && u.UnitCode == "" {
		return FieldError(EINVALID, "unit", "%s needs a unit", u.Role)
	}
	if u.Role == RoleGridManager && u.GridID == "" {
		return FieldError(EINVALID, "grid_id", "%s needs a grid", u.Role)
	}
	return nil
}

// Claims is who is calling, as carried by a bearer token.
type Claims struct {
	UserID   int64
	Role     Role
	UnitCode string
}

// InUnit says whether who belongs to the unit (department, committee) code.
// An account of no unit belongs to none: "" would otherwise match every
// record not yet routed to one.
func (who Claims) InUnit(code string) bool { return who.UnitCode != "" && who.UnitCode == code }

// UserStore keeps users.
type UserStore interface {
	CreateUser(ctx context.Context, u *User) error
	FindUserByID(ctx context.Context, id int64) (*User, error)
	FindUserByUsername(ctx context.Context, username string) (*User, error)
	FindUserByOpenID(ctx context.Context, openid string) (*User, error)
	UpdateUserPhone(ctx context.Context, id int64, phone string) error
	// UpdateCrewPosition records where a crew member is and whether they are on duty.
	UpdateCrewPosition(ctx context.Context, id int64, lat, lng float64, onDuty bool, at time.Time) error
}
