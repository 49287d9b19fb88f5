package api

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/crypto/bcrypt"

	"guanjia"
)

// Administrators manage accounts here: disable and enable, role, unit and
// grid, a new password, unlocking a sign-in lock; everyone changes their own
// password. Every change is a line of the account's audit trail, and a
// change that ends the user's sessions is announced to every replica.

type adminUserJSON struct {
	userJSON
	Disabled   bool       `json:"disabled"`
	DisabledAt *time.Time `json:"disabled_at,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	LockedForS int        `json:"locked_for_s,omitempty"` // sign-in locked for this many more seconds
}

func toAdminUserJSON(u *guanjia.User) adminUserJSON {
	return adminUserJSON{userJSON: toUserJSON(u), Disabled: u.Disabled(), DisabledAt: u.DisabledAt, CreatedAt: u.CreatedAt}
}

// handleUserList answers accounts: ?role=&unit=&q=&disabled=true|false&page=&per_page=.
func (s *Server) handleUserList(c echo.Context) error {
	page, perPage, err := paging(c, 50, 200)
	if err != nil {
		return err
	}
	f := guanjia.UserFilter{Role: guanjia.Role(c.QueryParam("role")), UnitCode: c.QueryParam("unit"), Query: c.QueryParam("q"),
		Limit: perPage, Offset: (page - 1) * perPage}
	if f.Role != "" && !f.Role.Valid() {
		return invalid("role", "unknown role %q", f.Role)
	}
	switch d := c.QueryParam("disabled"); d {
	case "":
	case "true", "false":
		v := d == "true"
		f.Disabled = &v
	default:
		return invalid("disabled", "disabled is true or false")
	}
	users, err := s.users.ListUsers(c.Request().Context(), f)
	if err != nil {
		return err
	}
	out := make([]adminUserJSON, len(users))
	for i, u := range users {
		out[i] = toAdminUserJSON(u)
	}
	return c.JSON(http.StatusOK, map[string]any{"users": out, "page": page, "per_page": perPage})
}

// handleUserGet answers one account, with how long its sign-in stays locked.
func (s *Server) handleUserGet(c echo.Context) error {
	u, err := s.targetUser(c)
	if err != nil {
		return err
	}
	out := toAdminUserJSON(u)
	out.LockedForS = int(math.Ceil(s.throttle.lockedFor(c.Request().Context(), u.Username).Seconds()))
	return c.JSON(http.StatusOK, out)
}

func (s *Server) targetUser(c echo.Context) (*guanjia.User, error) {
	id, err := pathID(c)
	if err != nil {
		return nil, err
	}
	return s.users.FindUserByID(c.Request().Context(), id)
}

// actor is the signed-in caller, as the audit trail names them.
func (s *Server) actor(c echo.Context) (guanjia.Actor, error) {
	me, err := s.users.FindUserByID(c.Request().Context(), claimsOf(c).UserID)
	if err != nil {
		return guanjia.Actor{}, err
	}
	return guanjia.Actor{ID: me.ID, Name: me.Username}, nil
}

// changeUser applies ch as the caller and answers the account as it now is.
func (s *Server) changeUser(c echo.Context, ch guanjia.UserChange) error {
	by, err := s.actor(c)
	if err != nil {
		return err
	}
	ch.By, ch.At = by, s.now()
	ctx := c.Request().Context()
	u, err := s.users.ChangeUser(ctx, ch)
	if err != nil {
		return err
	}
	s.sessionsChanged(ctx, "u"+strconv.FormatInt(u.ID, 10))
	return c.JSON(http.StatusOK, toAdminUserJSON(u))
}

// handleUserDisable disables an account: it can no longer sign in, its
// sessions end, and it gets no new tasks.
func (s *Server) handleUserDisable(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if claimsOf(c).UserID == id { // an administrator cannot lock themselves out
		return guanjia.Errorf(guanjia.EUNPROCESSABLE, "you cannot disable your own account")
	}
	yes := true
	return s.changeUser(c, guanjia.UserChange{UserID: id, Disabled: &yes})
}

// handleUserEnable enables a disabled account; its user signs in again.
func (s *Server) handleUserEnable(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	no := false
	return s.changeUser(c, guanjia.UserChange{UserID: id, Disabled: &no})
}

type userRoleRequest struct {
	Role string  `json:"role"`
	Unit *string `json:"unit"` // absent: unchanged; "": none
	Grid *string `json:"grid"`
}

// handleUserRole sets an account's role, and its unit and grid when given.
// A new role or unit ends the user's sessions.
func (s *Server) handleUserRole(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var req userRoleRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	role := guanjia.Role(req.Role)
	if !role.Valid() {
		return invalid("role", "unknown role %q", req.Role)
	}
	if claimsOf(c).UserID == id {
		return guanjia.Errorf(guanjia.EUNPROCESSABLE, "you cannot change your own role or unit")
	}
	return s.changeUser(c, guanjia.UserChange{UserID: id, Role: &role, UnitCode: req.Unit, GridID: req.Grid})
}

type passwordRequest struct {
	Password string `json:"password"`
}

// handleUserPassword gives an account a new password and ends its sessions.
func (s *Server) handleUserPassword(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var req passwordRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	hash, err := HashPassword(req.Password)
	if err != nil {
		return err
	}
	ch := guanjia.UserChange{UserID: id, PasswordHash: &hash, PasswordEvent: guanjia.UserPasswordReset}
	if claimsOf(c).UserID == id {
		ch.KeepSession = sessionOf(c)
	}
	return s.changeUser(c, ch)
}

// handleUserUnlock lifts the sign-in lock that wrong passwords put on an account.
func (s *Server) handleUserUnlock(c echo.Context) error {
	u, err := s.targetUser(c)
	if err != nil {
		return err
	}
	by, err := s.actor(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if err := s.throttle.unlock(ctx, u.Username); err != nil {
		return fmt.Errorf("api: unlock %s: %w", u.Username, err)
	}
	if err := s.users.AddUserAudit(ctx, &guanjia.UserAudit{At: s.now(), By: by, UserID: u.ID, Event: guanjia.UserUnlocked}); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toAdminUserJSON(u))
}

type userAuditJSON struct {
	ID      int64     `json:"id"`
	At      time.Time `json:"at"`
	ActorID int64     `json:"actor_id,omitempty"` // absent: the command line or the system
	Actor   string    `json:"actor"`
	UserID  int64     `json:"user_id"`
	Event   string    `json:"event"`
	From    string    `json:"from,omitempty"`
	To      string    `json:"to,omitempty"`
}

// handleUserAudit answers the audit trail, newest first: ?user=&before=&limit=.
func (s *Server) handleUserAudit(c echo.Context) error {
	userID, err := queryInt(c, "user", 0, 0, math.MaxInt32)
	if err != nil {
		return err
	}
	before, err := queryInt(c, "before", 0, 0, math.MaxInt)
	if err != nil {
		return err
	}
	limit, err := queryInt(c, "limit", 50, 1, 200)
	if err != nil {
		return err
	}
	lines, err := s.users.ListUserAudit(c.Request().Context(), int64(userID), int64(before), limit)
	if err != nil {
		return err
	}
	out := make([]userAuditJSON, len(lines))
	for i, a := range lines {
		out[i] = userAuditJSON{ID: a.ID, At: a.At, ActorID: a.By.ID, Actor: a.By.Name, UserID: a.UserID,
			Event: string(a.Event), From: a.From, To: a.To}
	}
	body := map[string]any{"audit": out}
	if len(lines) == limit {
		body["next_before"] = lines[len(lines)-1].ID
	}
	return c.JSON(http.StatusOK, body)
}

type myPasswordRequest struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

// handleMePassword changes the caller's own password. Their other sessions
// end; this one stays signed in.
func (s *Server) handleMePassword(c echo.Context) error {
	var req myPasswordRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	ctx := c.Request().Context()
	u, err := s.users.FindUserByID(ctx, claimsOf(c).UserID)
	if err != nil {
		return err
	}
	if u.PasswordHash == "" {
		return guanjia.Errorf(guanjia.EUNPROCESSABLE, "this account signs in through WeChat and has no password")
	}
	// The current password is guessed no faster here than at sign-in.
	try, err := s.throttle.begin(ctx, u.Username, c.RealIP())
	if err != nil {
		return retryLater(c, err)
	}
	if len(req.CurrentPassword) > guanjia.MaxPasswordBytes ||
		bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(req.CurrentPassword)) != nil {
		s.throttle.failed(ctx, try)
		return guanjia.FieldError(guanjia.EFORBIDDEN, "current_password", "the current password is wrong")
	}
	s.throttle.succeeded(ctx, try)
	hash, err := HashPassword(req.NewPassword)
	if err != nil {
		return err
	}
	_, err = s.users.ChangeUser(ctx, guanjia.UserChange{UserID: u.ID, By: guanjia.Actor{ID: u.ID, Name: u.Username}, At: s.now(),
		PasswordHash: &hash, PasswordEvent: guanjia.UserPasswordChanged, KeepSession: sessionOf(c)})
	if err != nil {
		return err
	}
	s.sessionsChanged(ctx, "u"+strconv.FormatInt(u.ID, 10))
	return c.NoContent(http.StatusNoContent)
}

// audit writes a line the caller does not wait on (a lock by the system); a
// failure is logged.
func (s *Server) audit(ctx context.Context, a *guanjia.UserAudit) {
	if a.At.IsZero() {
		a.At = s.now()
	}
	if err := s.users.AddUserAudit(context.WithoutCancel(ctx), a); err != nil {
		s.log.Error("audit", "user", a.UserID, "event", a.Event, "err", err)
	}
}
