package api

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/redis/go-redis/v9"

	"guanjia"
	"guanjia/approval"
	"guanjia/i18n"
)

// approvalHandlers serve 行政审批查询: the public lookup, the approval
// system's signed push, staff imports and citizens' follows.
type approvalHandlers struct {
	approvals  *approval.Service
	pushSecret string                // "" serves no push route
	rdb        redis.UniversalClient // lookup throttling and push replay memory; nil: neither
	log        *slog.Logger
	now        func() time.Time
}

// Missed lookups (a wrong number or phone tail) are counted per client
// address and per 受理编号. An address may miss lookupFailures in
// lookupWindow: enough for typos. One number may be missed numberFailures
// times in numberWindow from all addresses together: a guesser with many
// addresses (an IPv6 /64 is millions) still walks its 10 000 tails at 20 a day.
const (
	lookupFailures = 10
	lookupWindow   = 15 * time.Minute
	numberFailures = 20
	numberWindow   = 24 * time.Hour
)

type approvalEventJSON struct {
	Number    string    `json:"number,omitempty"`
	Matter    string    `json:"matter,omitempty"`
	Version   int64     `json:"version"`
	From      string    `json:"from,omitempty"`
	To        string    `json:"to"`
	Label     string    `json:"label"` // the status reached, in Chinese
	Note      string    `json:"note,omitempty"`
	Source    string    `json:"source"`
	At        time.Time `json:"at"`
	CreatedAt time.Time `json:"created_at"`
}

func toApprovalEventJSON(e approval.Event) approvalEventJSON {
	return approvalEventJSON{Number: e.Number, Matter: e.Matter, Version: e.Version, From: string(e.From), To: string(e.To),
		Label: e.To.Label(), Note: e.Note, Source: e.Source, At: e.At, CreatedAt: e.CreatedAt}
}

type approvalJSON struct {
	Number     string              `json:"number"`
	Matter     string              `json:"matter"`
	Department string              `json:"department"`
	Applicant  string              `json:"applicant"` // masked: 王*明
	Status     string              `json:"status"`
	Label      string              `json:"label"`
	Final      bool                `json:"final"` // nothing follows this status
	Version    int64               `json:"version"`
	Note       string              `json:"note,omitempty"`
	ChangedAt  time.Time           `json:"changed_at"`
	Timeline   []approvalEventJSON `json:"timeline"`
}

func toApprovalJSON(r *approval.Record) approvalJSON {
	return approvalJSON{Number: r.Number, Matter: r.Matter, Department: r.Department, Applicant: r.ApplicantMask,
		Status: string(r.Status), Label: r.Status.Label(), Final: r.Status.Final(), Version: r.Version, Note: r.Note,
		ChangedAt: r.ChangedAt, Timeline: mapJSON(r.Events, toApprovalEventJSON)}
}

type (
	approvalFollowRequest struct {
		PhoneTail string `json:"phone_tail"`
	}
	approvalPushRequest struct {
		Records []approval.Update `json:"records"`
	}
	approvalPushAnswer struct {
		Results []approval.Result `json:"results"`
	}
	approvalRowErrorJSON struct {
		Row    int    `json:"row"`
		Column string `json:"column"`
		Reason string `json:"reason"`
	}
	approvalImportAnswer struct {
		Rows    int                    `json:"rows"`
		Results []approval.Result      `json:"results,omitempty"`
		Errors  []approvalRowErrorJSON `json:"errors,omitempty"`
		Error   map[string]string      `json:"error,omitempty"` // a refused file: code and message, as every error
	}
	approvalList struct {
		Approvals []approvalJSON `json:"approvals"`
	}
	approvalEventList struct {
		Events []approvalEventJSON `json:"events"`
	}
)

// lookupKey counts one client address's lookups, numberKey one 受理编号's.
func lookupKey(ip string) string     { return "guanjia:approval:lookup:" + ip }
func numberKey(number string) string { return "guanjia:approval:number:" + number }

// countLookup counts a lookup of number from ip before it is tried (so
// parallel guesses count too), per address and per number (countMiss), or
// refuses it with 429. It answers the forget function a successful lookup
// calls.
func (h *approvalHandlers) countLookup(ctx context.Context, ip, number string) (forget func(), err error) {
	if h.rdb == nil {
		return func() {}, nil
	}
	forgetIP, wait := countMiss(ctx, h.rdb, h.log, "approval lookup", lookupKey(ip), lookupFailures, lookupWindow)
	if wait > 0 {
		return nil, &throttled{wait: wait, err: guanjia.Errorf(guanjia.ETOOMANY,
			"too many failed lookups from this address; try again in %d minutes", waitMinutes(wait))}
	}
	if !approval.ValidNumber(number) { // it finds nothing: no key for it
		return forgetIP, nil
	}
	forgetNumber, wait := countMiss(ctx, h.rdb, h.log, "approval lookup", numberKey(number), numberFailures, numberWindow)
	if wait > 0 {
		forgetIP() // a refused lookup is not one more failure
		return nil, &throttled{wait: wait, err: guanjia.Errorf(guanjia.ETOOMANY,
			"too many failed lookups of this application; try again in %d minutes", waitMinutes(wait))}
	}
	return func() { forgetIP(); forgetNumber() }, nil
}

// lookup runs find under the throttle: a found application is forgotten,
// a miss counts against the client's address and the number.
func (h *approvalHandlers) lookup(c echo.Context, find func(ctx context.Context) (*approval.Record, error)) (*approval.Record, error) {
	ctx := c.Request().Context()
	forget, err := h.countLookup(ctx, clientNet(c), c.Param("number"))
	if err != nil {
		return nil, retryLater(c, err)
	}
	r, err := find(ctx)
	if err == nil {
		forget()
	}
	return r, err
}

// handleApprovalGet answers an application's progress to whoever names its
// 受理编号 and the applicant's phone tail.
func (h *approvalHandlers) handleApprovalGet(c echo.Context) error {
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	number, tail := c.Param("number"), c.QueryParam("phone_tail")
	r, err := h.lookup(c, func(ctx context.Context) (*approval.Record, error) { return h.approvals.Lookup(ctx, number, tail) })
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toApprovalJSON(r))
}

// handleApprovalFollow lets a citizen follow an application (the phone tail
// again proves they may see it).
func (h *approvalHandlers) handleApprovalFollow(c echo.Context) error {
	var req approvalFollowRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	number := c.Param("number")
	r, err := h.lookup(c, func(ctx context.Context) (*approval.Record, error) {
		return h.approvals.Follow(ctx, claimsOf(c), number, req.PhoneTail)
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toApprovalJSON(r))
}

func (h *approvalHandlers) handleApprovalUnfollow(c echo.Context) error {
	if err := h.approvals.Unfollow(c.Request().Context(), claimsOf(c), c.Param("number")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// handleApprovalFollowed answers what the citizen follows.
func (h *approvalHandlers) handleApprovalFollowed(c echo.Context) error {
	list, err := h.approvals.Followed(c.Request().Context(), claimsOf(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, approvalList{Approvals: mapJSON(list, toApprovalJSON)})
}

// handleApprovalEvents is the console's feed of recent changes.
func (h *approvalHandlers) handleApprovalEvents(c echo.Context) error {
	limit, err := queryInt(c, "limit", 50, 1, 200)
	if err != nil {
		return err
	}
	list, err := h.approvals.Recent(c.Request().Context(), claimsOf(c), limit)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, approvalEventList{Events: mapJSON(list, toApprovalEventJSON)})
}

// maxPushBytes bounds a push body: approval.MaxPush records and their text.
const maxPushBytes = 1 << 20

// handleApprovalPush takes records the approval system signed: the
// signature over timestamp + "." + body is the authority, a timestamp out
// of the window or a signature seen before is refused, and each record
// applies once per version.
func (h *approvalHandlers) handleApprovalPush(c echo.Context) error {
	r := c.Request()
	body, err := io.ReadAll(http.MaxBytesReader(c.Response(), r.Body, maxPushBytes))
	if err != nil {
		var maxErr *http.MaxBytesError
		if errors.As(err, &maxErr) {
			return guanjia.Errorf(guanjia.ETOOLARGE, "the push is larger than %d KB", maxPushBytes>>10)
		}
		return err
	}
	sig := r.Header.Get(approval.HeaderSignature)
	if err := approval.VerifyPush(h.pushSecret, r.Header.Get(approval.HeaderTimestamp), sig, body, h.now()); err != nil {
		return err
	}
	if h.rdb != nil { // remembered past the window, after which the timestamp refuses it anyway
		fresh, err := h.rdb.SetNX(r.Context(), "guanjia:approval:push:"+sig, "1", 2*approval.PushWindow).Result()
		if err != nil {
			h.log.Error("approval push: redis unavailable, replays within the window are not refused", "err", err)
		} else if !fresh {
			return guanjia.Errorf(guanjia.ECONFLICT, "this push was received already: sign each request with a new timestamp")
		}
	}
	var req approvalPushRequest
	r.Body = io.NopCloser(bytes.NewReader(body)) // the signed bytes, decoded as every request body is
	if err := bind(c, &req); err != nil {
		h.forgetPush(r.Context(), sig) // a corrected body is a new request
		return err
	}
	results, err := h.approvals.Push(r.Context(), req.Records)
	if err != nil {
		h.forgetPush(r.Context(), sig)
		return err
	}
	return c.JSON(http.StatusOK, approvalPushAnswer{Results: results})
}

func (h *approvalHandlers) forgetPush(ctx context.Context, sig string) {
	if h.rdb != nil {
		h.rdb.Del(ctx, "guanjia:approval:push:"+sig)
	}
}

// handleApprovalImport takes a staff member's CSV (multipart "file"): all
// or nothing, 201 with each row's outcome or 422 with the row report.
func (h *approvalHandlers) handleApprovalImport(c echo.Context) error {
	_, data, err := readUpload(c, approval.MaxImportBytes, invalid("file", "upload the file as multipart field \"file\" (CSV)"))
	if err != nil {
		return err
	}
	rep, err := h.approvals.Import(c.Request().Context(), claimsOf(c), data)
	if err != nil {
		return err
	}
	out := approvalImportAnswer{Rows: rep.Rows, Results: rep.Results}
	lang := langOf(c)
	for _, e := range rep.Errors {
		out.Errors = append(out.Errors, approvalRowErrorJSON{Row: e.Line, Column: e.Column, Reason: i18n.Message(e.Err, lang)})
	}
	if len(out.Errors) > 0 {
		out.Error = fileRefused(lang, len(out.Errors))
		return c.JSON(http.StatusUnprocessableEntity, out)
	}
	return c.JSON(http.StatusCreated, out)
}

// approvalStaff watch the feed of changes in the console.
var approvalStaff = []guanjia.Role{guanjia.RoleDepartment, guanjia.RoleAdmin, guanjia.RoleDispatcher}
