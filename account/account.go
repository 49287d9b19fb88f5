// Package account holds the rules of accounts: checking and changing
// passwords, what administrators may change (never their own role or
// account), the audit trail every change writes, and a crew member's
// position. Sessions and password-guess counting are the API's.
package account

import (
	"context"
	"errors"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"guanjia"
	"guanjia/geo"
)

// Store is what accounts need: users and their administration.
type Store interface {
	guanjia.UserStore
	guanjia.UserAdminStore
}

// Service administers accounts.
type Service struct {
	Store Store
	Now   func() time.Time
}

// NewService returns a Service over store; now is the clock.
func NewService(store Store, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{Store: store, Now: now}
}

// HashPassword hashes a new password with bcrypt.
func HashPassword(p string) (string, error) {
	if err := guanjia.ValidatePassword(p); err != nil {
		return "", err
	}
	h, err := bcrypt.GenerateFromPassword([]byte(p), bcrypt.DefaultCost)
	return string(h), err
}

// PasswordMatches says whether password is u's. An account without a
// password (WeChat sign-in) matches none.
func PasswordMatches(u *guanjia.User, password string) bool {
	return u.PasswordHash != "" && len(password) <= guanjia.MaxPasswordBytes &&
		bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(password)) == nil
}

// dummyHash is checked against when there is no such account, so that a
// wrong username costs as much time as a wrong password.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("not a password"), bcrypt.DefaultCost)

// errWrongLogin is the one answer to a wrong username or password: which of
// the two was wrong is not said.
func errWrongLogin() error {
	return guanjia.Errorf(guanjia.EUNAUTHORIZED, "wrong username or password")
}

// CheckLogin answers the account of username when password is its own. On a
// wrong password it answers the account too (its lock is audited), with the
// error; for an unknown username the account is nil.
func (s *Service) CheckLogin(ctx context.Context, username, password string) (*guanjia.User, error) {
	u, err := s.Store.FindUserByUsername(ctx, username)
	if guanjia.ErrorCode(err) == guanjia.ENOTFOUND {
		_ = bcrypt.CompareHashAndPassword(dummyHash, []byte(password))
		return nil, errWrongLogin()
	} else if err != nil {
		return nil, err
	}
	if !PasswordMatches(u, password) {
		return u, errWrongLogin()
	}
	return u, nil
}

// LoginAcceptable says whether a username and password are worth checking
// at all: neither empty, neither longer than any account's can be.
func LoginAcceptable(username, password string) bool {
	return username != "" && password != "" &&
		utf8.RuneCountInString(username) <= guanjia.MaxUsername && len(password) <= guanjia.MaxPasswordBytes
}

// Find answers the account id.
func (s *Service) Find(ctx context.Context, id int64) (*guanjia.User, error) {
	return s.Store.FindUserByID(ctx, id)
}

// List answers a page of accounts for an administrator, and their total.
func (s *Service) List(ctx context.Context, f guanjia.UserFilter) ([]*guanjia.User, int, error) {
	if f.Role != "" && !f.Role.Valid() {
		return nil, 0, guanjia.FieldError(guanjia.EINVALID, "role", "unknown role %q", f.Role)
	}
	return s.Store.ListUsers(ctx, f)
}

// Audit answers the audit trail, newest first (see guanjia.UserAdminStore).
func (s *Service) Audit(ctx context.Context, userID, before int64, limit int) ([]*guanjia.UserAudit, error) {
	return s.Store.ListUserAudit(ctx, userID, before, limit)
}

// actor is the signed-in caller, as the audit trail names them.
func (s *Service) actor(ctx context.Context, who guanjia.Claims) (guanjia.Actor, error) {
	me, err := s.Store.FindUserByID(ctx, who.UserID)
	if err != nil {
		return guanjia.Actor{}, err
	}
	return guanjia.Actor{ID: me.ID, Name: me.Username}, nil
}

// change applies ch as who and answers the account as it now is.
func (s *Service) change(ctx context.Context, who guanjia.Claims, ch guanjia.UserChange) (*guanjia.User, error) {
	by, err := s.actor(ctx, who)
	if err != nil {
		return nil, err
	}
	ch.By, ch.At = by, s.Now()
	return s.Store.ChangeUser(ctx, ch)
}

// Disable disables account id: it can no longer sign in, its sessions end,
// and it gets no new tasks. An administrator cannot lock themselves out.
func (s *Service) Disable(ctx context.Context, who guanjia.Claims, id int64) (*guanjia.User, error) {
	if who.UserID == id {
		return nil, guanjia.Errorf(guanjia.EUNPROCESSABLE, "you cannot disable your own account")
	}
	yes := true
	return s.change(ctx, who, guanjia.UserChange{UserID: id, Disabled: &yes})
}

// Enable enables a disabled account; its user signs in again.
func (s *Service) Enable(ctx context.Context, who guanjia.Claims, id int64) (*guanjia.User, error) {
	no := false
	return s.change(ctx, who, guanjia.UserChange{UserID: id, Disabled: &no})
}

// SetRole sets account id's role, and its unit and grid when given (nil:
// unchanged, "": none). Nobody changes their own.
func (s *Service) SetRole(ctx context.Context, who guanjia.Claims, id int64, role guanjia.Role, unit, grid *string) (*guanjia.User, error) {
	if !role.Valid() {
		return nil, guanjia.FieldError(guanjia.EINVALID, "role", "unknown role %q", role)
	}
	if who.UserID == id {
		return nil, guanjia.Errorf(guanjia.EUNPROCESSABLE, "you cannot change your own role or unit")
	}
	return s.change(ctx, who, guanjia.UserChange{UserID: id, Role: &role, UnitCode: unit, GridID: grid})
}

// ResetPassword gives account id a new password, which ends its sessions;
// an administrator resetting their own stays signed in in session.
func (s *Service) ResetPassword(ctx context.Context, who guanjia.Claims, session string, id int64, password string) (*guanjia.User, error) {
	hash, err := HashPassword(password)
	if err != nil {
		return nil, err
	}
	ch := guanjia.UserChange{UserID: id, PasswordHash: &hash, PasswordEvent: guanjia.UserPasswordReset}
	if who.UserID == id {
		ch.KeepSession = session
	}
	return s.change(ctx, who, ch)
}

// NewUser is an account to create, as an administrator or an operator at
// the command line gives it.
type NewUser struct {
	Username string
	Name     string
	Role     guanjia.Role
	UnitCode string
	GridID   string
	Password string // the first password, by the rules of any new one
}

func (nu NewUser) user() *guanjia.User {
	return &guanjia.User{Username: nu.Username, Name: nu.Name, Role: nu.Role, UnitCode: nu.UnitCode, GridID: nu.GridID}
}

// Check applies the rules of a new account that need no database: the
// password's first, then the account's (a known role, a username; a crew
// member, unit leader or mediator needs a unit, a grid manager a grid).
func (nu NewUser) Check() error {
	if err := guanjia.ValidatePassword(nu.Password); err != nil {
		return err
	}
	return nu.user().Validate()
}

// Add creates the account nu as by once it passes Check and its unit and
// grid exist; the account and the audit line of its creation are written
// together. The command line's user add and the administrators' API both
// create accounts here.
func (s *Service) Add(ctx context.Context, by guanjia.Actor, nu NewUser) (*guanjia.User, error) {
	if err := nu.Check(); err != nil {
		return nil, err
	}
	u := nu.user()
	hash, err := HashPassword(nu.Password)
	if err != nil {
		return nil, err
	}
	u.PasswordHash = hash
	created := &guanjia.UserAudit{At: s.Now(), By: by, Event: guanjia.UserCreated, To: string(u.Role)}
	if err := s.Store.CreateUserAudited(ctx, u, created); err != nil {
		return nil, unknownPlaceIsInvalid(err)
	}
	return u, nil
}

// unknownPlaceIsInvalid turns "no such unit or grid" into bad input: the
// caller named it in the new account.
func unknownPlaceIsInvalid(err error) error {
	var e *guanjia.Error
	if errors.As(err, &e) && e.Code == guanjia.ENOTFOUND && (e.Field == "unit" || e.Field == "grid") {
		bad := *e
		bad.Code = guanjia.EINVALID
		return &bad
	}
	return err
}

// AddStaff is Add by an administrator, named in the audit trail. Citizens
// are not added this way: their accounts come from WeChat sign-in.
func (s *Service) AddStaff(ctx context.Context, who guanjia.Claims, nu NewUser) (*guanjia.User, error) {
	if nu.Role == guanjia.RoleCitizen {
		return nil, guanjia.FieldError(guanjia.EINVALID, "role", "citizens sign in through WeChat; only staff accounts are added here")
	}
	by, err := s.actor(ctx, who)
	if err != nil {
		return nil, err
	}
	return s.Add(ctx, by, nu)
}

// RecordUnlock writes the audit line of who lifting u's sign-in lock.
func (s *Service) RecordUnlock(ctx context.Context, who guanjia.Claims, u *guanjia.User) error {
	by, err := s.actor(ctx, who)
	if err != nil {
		return err
	}
	return s.Store.AddUserAudit(ctx, &guanjia.UserAudit{At: s.Now(), By: by, UserID: u.ID, Event: guanjia.UserUnlocked})
}

// RecordLock writes the audit line of the system locking account userID
// after too many wrong passwords; detail says for how long and from where.
func (s *Service) RecordLock(ctx context.Context, userID int64, detail string) error {
	return s.Store.AddUserAudit(ctx, &guanjia.UserAudit{At: s.Now(), By: guanjia.Actor{Name: "system"}, UserID: userID,
		Event: guanjia.UserLocked, To: detail})
}

// PasswordOwner answers who's account when it has a password to change.
func (s *Service) PasswordOwner(ctx context.Context, who guanjia.Claims) (*guanjia.User, error) {
	u, err := s.Store.FindUserByID(ctx, who.UserID)
	if err != nil {
		return nil, err
	}
	if u.PasswordHash == "" {
		return nil, guanjia.Errorf(guanjia.EUNPROCESSABLE, "this account signs in through WeChat and has no password")
	}
	return u, nil
}

// ChangeOwnPassword sets u's new password, u's own change, once the current
// one was checked: u's other sessions end, session stays signed in.
func (s *Service) ChangeOwnPassword(ctx context.Context, u *guanjia.User, session, password string) error {
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	_, err = s.Store.ChangeUser(ctx, guanjia.UserChange{UserID: u.ID, By: guanjia.Actor{ID: u.ID, Name: u.Username}, At: s.Now(),
		PasswordHash: &hash, PasswordEvent: guanjia.UserPasswordChanged, KeepSession: session})
	return err
}

// Position is where a crew member says they are, as their device sent it.
type Position struct {
	Lat, Lng    float64
	CoordSystem string // wgs84 (default) or gcj02
	OnDuty      *bool  // nil: unchanged
}

// UpdatePosition records who's position and duty status, which
// point-to-point dispatch uses to pick the nearest person.
func (s *Service) UpdatePosition(ctx context.Context, who guanjia.Claims, p Position) (*guanjia.User, error) {
	if p.CoordSystem == "" {
		p.CoordSystem = string(geo.WGS84)
	}
	lat, lng, err := geo.ToWGS84(geo.CoordSystem(p.CoordSystem), p.Lat, p.Lng)
	if err != nil {
		return nil, err
	}
	u, err := s.Store.FindUserByID(ctx, who.UserID)
	if err != nil {
		return nil, err
	}
	if p.OnDuty != nil {
		u.OnDuty = *p.OnDuty
	}
	if err := s.Store.UpdateCrewPosition(ctx, u.ID, lat, lng, u.OnDuty, s.Now().UTC().Truncate(time.Second)); err != nil {
		return nil, err
	}
	return u, nil
}
