package api

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"guanjia"
	"guanjia/account"
)

// Administrators manage accounts here: create staff accounts, disable and
// enable, role, unit and grid, a new password, unlocking a sign-in lock;
// everyone changes their own password. Every change is a line of the
// account's audit trail, and a change that ends the user's sessions is
// announced to every replica.

// accountHandlers serve signing in and out (auth.go), the caller's own
// account (user.go) and administrators' account management.
type accountHandlers struct {
	accounts *account.Service
	sessions *sessions
	throttle *loginThrottle
	log      *slog.Logger
	// handOver gives the tasks of staff who can no longer hold them to
	// others (dispatch.Service.HandOver) as soon as an account is disabled
	// or moved, ahead of the reconciler, which catches what it misses; nil:
	// the reconciler alone.
	handOver func(context.Context) (int, error)
}

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
func (h *accountHandlers) handleUserList(c echo.Context) error {
	page, perPage, err := paging(c, 50, 200)
	if err != nil {
		return err
	}
	f := guanjia.UserFilter{Role: guanjia.Role(c.QueryParam("role")), UnitCode: c.QueryParam("unit"), Query: c.QueryParam("q"),
		Limit: perPage, Offset: (page - 1) * perPage}
	switch d := c.QueryParam("disabled"); d {
	case "":
	case "true", "false":
		v := d == "true"
		f.Disabled = &v
	default:
		return invalid("disabled", "disabled is true or false")
	}
	users, total, err := h.accounts.List(c.Request().Context(), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"users": mapJSON(users, toAdminUserJSON), "total": total, "page": page, "per_page": perPage})
}

// handleUserGet answers one account, with how long its sign-in stays locked.
func (h *accountHandlers) handleUserGet(c echo.Context) error {
	u, err := h.targetUser(c)
	if err != nil {
		return err
	}
	out := toAdminUserJSON(u)
	out.LockedForS = int(math.Ceil(h.throttle.lockedFor(c.Request().Context(), u.Username).Seconds()))
	return c.JSON(http.StatusOK, out)
}

type userCreateRequest struct {
	Username string `json:"username"`
	Name     string `json:"name"`
	Role     string `json:"role"`
	Unit     string `json:"unit"` // crew, unit leaders, department staff; a mediator's committee
	Grid     string `json:"grid"` // crew, grid managers
	Password string `json:"password"`
}

// handleUserCreate creates a staff account with its first password.
func (h *accountHandlers) handleUserCreate(c echo.Context) error {
	var req userCreateRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	u, err := h.accounts.AddStaff(c.Request().Context(), claimsOf(c), account.NewUser{Username: req.Username, Name: req.Name,
		Role: guanjia.Role(req.Role), UnitCode: req.Unit, GridID: req.Grid, Password: req.Password})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toAdminUserJSON(u))
}

func (h *accountHandlers) targetUser(c echo.Context) (*guanjia.User, error) {
	id, err := pathID(c)
	if err != nil {
		return nil, err
	}
	return h.accounts.Find(c.Request().Context(), id)
}

// answerChange answers the account a change left, once every replica has
// been told to forget what it read about the user's sessions.
func (h *accountHandlers) answerChange(c echo.Context, u *guanjia.User, err error) error {
	if err != nil {
		return err
	}
	h.sessions.changed(c.Request().Context(), "u"+strconv.FormatInt(u.ID, 10))
	return c.JSON(http.StatusOK, toAdminUserJSON(u))
}

// handleUserDisable disables an account: it can no longer sign in, its
// sessions end, and it gets no new tasks.
func (h *accountHandlers) handleUserDisable(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	u, err := h.accounts.Disable(c.Request().Context(), claimsOf(c), id)
	h.handOverTasks(c.Request().Context(), err)
	return h.answerChange(c, u, err)
}

// handOverTasks runs the hand-over after a change that succeeded.
func (h *accountHandlers) handOverTasks(ctx context.Context, changeErr error) {
	if changeErr != nil || h.handOver == nil {
		return
	}
	if _, err := h.handOver(ctx); err != nil {
		h.log.Warn("hand over the tasks of a changed account; the reconciler will", "err", err)
	}
}

// handleUserEnable enables a disabled account; its user signs in again.
func (h *accountHandlers) handleUserEnable(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	u, err := h.accounts.Enable(c.Request().Context(), claimsOf(c), id)
	return h.answerChange(c, u, err)
}

type userRoleRequest struct {
	Role string  `json:"role"`
	Unit *string `json:"unit"` // absent: unchanged; "": none
	Grid *string `json:"grid"`
}

// handleUserRole sets an account's role, and its unit and grid when given.
// A new role or unit ends the user's sessions.
func (h *accountHandlers) handleUserRole(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var req userRoleRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	u, err := h.accounts.SetRole(c.Request().Context(), claimsOf(c), id, guanjia.Role(req.Role), req.Unit, req.Grid)
	h.handOverTasks(c.Request().Context(), err)
	return h.answerChange(c, u, err)
}

type passwordRequest struct {
	Password string `json:"password"`
}

// handleUserPassword gives an account a new password and ends its sessions.
func (h *accountHandlers) handleUserPassword(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var req passwordRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	u, err := h.accounts.ResetPassword(c.Request().Context(), claimsOf(c), sessionOf(c), id, req.Password)
	return h.answerChange(c, u, err)
}

// handleUserUnlock lifts the sign-in lock that wrong passwords put on an account.
func (h *accountHandlers) handleUserUnlock(c echo.Context) error {
	u, err := h.targetUser(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if err := h.throttle.unlock(ctx, u.Username); err != nil {
		return fmt.Errorf("api: unlock %s: %w", u.Username, err)
	}
	if err := h.accounts.RecordUnlock(ctx, claimsOf(c), u); err != nil {
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

func toUserAuditJSON(a *guanjia.UserAudit) userAuditJSON {
	return userAuditJSON{ID: a.ID, At: a.At, ActorID: a.By.ID, Actor: a.By.Name, UserID: a.UserID,
		Event: string(a.Event), From: a.From, To: a.To}
}

// handleUserAudit answers the audit trail, newest first: ?user=&before=&limit=.
func (h *accountHandlers) handleUserAudit(c echo.Context) error {
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
	lines, err := h.accounts.Audit(c.Request().Context(), int64(userID), int64(before), limit)
	if err != nil {
		return err
	}
	body := map[string]any{"audit": mapJSON(lines, toUserAuditJSON)}
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
func (h *accountHandlers) handleMePassword(c echo.Context) error {
	var req myPasswordRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	ctx := c.Request().Context()
	u, err := h.accounts.PasswordOwner(ctx, claimsOf(c))
	if err != nil {
		return err
	}
	// The current password is guessed no faster here than at sign-in.
	try, err := h.throttle.begin(ctx, u.Username, clientNet(c))
	if err != nil {
		return retryLater(c, err)
	}
	if !account.PasswordMatches(u, req.CurrentPassword) {
		h.throttle.failed(ctx, try)
		return guanjia.FieldError(guanjia.EFORBIDDEN, "current_password", "the current password is wrong")
	}
	h.throttle.succeeded(ctx, try)
	if err := h.accounts.ChangeOwnPassword(ctx, u, sessionOf(c), req.NewPassword); err != nil {
		return err
	}
	h.sessions.changed(ctx, "u"+strconv.FormatInt(u.ID, 10))
	return c.NoContent(http.StatusNoContent)
}
