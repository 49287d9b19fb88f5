package api

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/skip2/go-qrcode"

	"guanjia"
	"guanjia/volunteer"
)

// activityHandlers serve 公益海口's activities: publishing and review,
// signups, check-in and check-out, and the photo album.
type activityHandlers struct {
	volunteer     *volunteer.Service
	maxPhotoBytes int64
}

type activityJSON struct {
	ID             int64       `json:"id"`
	TeamID         int64       `json:"team_id"`
	Team           string      `json:"team,omitempty"`
	Title          string      `json:"title"`
	Description    string      `json:"description"`
	Address        string      `json:"address"`
	Lat            float64     `json:"lat"` // WGS-84
	Lng            float64     `json:"lng"`
	CoordSystem    string      `json:"coord_system"` // what the organiser sent
	RadiusM        float64     `json:"radius_m"`
	StartAt        time.Time   `json:"start_at"`
	EndAt          time.Time   `json:"end_at"`
	SignupDeadline time.Time   `json:"signup_deadline"`
	Capacity       int         `json:"capacity"`
	Confirmed      int         `json:"confirmed"`
	Waitlisted     int         `json:"waitlisted"`
	Requirements   string      `json:"requirements,omitempty"`
	Tags           []string    `json:"tags"`
	CoverPhoto     string      `json:"cover_photo,omitempty"`
	Status         string      `json:"status"`
	ReviewNote     string      `json:"review_note,omitempty"`
	CreatedAt      time.Time   `json:"created_at"`
	UpdatedAt      time.Time   `json:"updated_at"`
	SettledAt      *time.Time  `json:"settled_at,omitempty"`
	DistanceM      *float64    `json:"distance_m,omitempty"`
	MySignup       *signupJSON `json:"my_signup,omitempty"`
	CanEdit        bool        `json:"can_edit,omitempty"`
	Events         []vEvent    `json:"events,omitempty"`
	SubmittedAt    *time.Time  `json:"submitted_at,omitempty"` // the review queue (?status=submitted): when last submitted
	Refusals       int         `json:"refusals,omitempty"`     // and how often refused before
}

type vEvent struct {
	Subject   string    `json:"subject"`
	SubjectID int64     `json:"subject_id"`
	Action    string    `json:"action"`
	From      string    `json:"from,omitempty"`
	To        string    `json:"to,omitempty"`
	ActorID   *int64    `json:"actor_id"`
	Note      string    `json:"note,omitempty"`
	At        time.Time `json:"at"`
}

func toVEvents(events []*guanjia.VolunteerEvent) []vEvent {
	return mapJSON(events, func(e *guanjia.VolunteerEvent) vEvent {
		return vEvent{Subject: e.Subject, SubjectID: e.SubjectID, Action: e.Action, From: e.From, To: e.To,
			ActorID: e.ActorID, Note: e.Note, At: e.At}
	})
}

func toActivityJSON(a *guanjia.Activity) activityJSON {
	tags := a.Tags
	if tags == nil {
		tags = []string{}
	}
	return activityJSON{ID: a.ID, TeamID: a.TeamID, Title: a.Title, Description: a.Description, Address: a.Address,
		Lat: a.Lat, Lng: a.Lng, CoordSystem: a.CoordSystem, RadiusM: a.RadiusM, StartAt: a.StartAt, EndAt: a.EndAt,
		SignupDeadline: a.SignupDeadline, Capacity: a.Capacity, Confirmed: a.Confirmed, Waitlisted: a.Waitlisted,
		Requirements: a.Requirements, Tags: tags, CoverPhoto: a.CoverPhoto, Status: string(a.Status), ReviewNote: a.ReviewNote,
		CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt, SettledAt: a.SettledAt, Team: a.TeamName,
		SubmittedAt: a.SubmittedAt, Refusals: a.Refusals}
}

type signupJSON struct {
	ID             int64      `json:"id"`
	ActivityID     int64      `json:"activity_id"`
	UserID         int64      `json:"user_id"`
	Name           string     `json:"name,omitempty"`     // the volunteer's certified name, in the organisers' list
	Status         string     `json:"status"`             // confirmed, waitlisted, cancelled, checked_in, checked_out, no_show
	Position       int        `json:"position,omitempty"` // place on the waitlist, from 1
	CheckinAt      *time.Time `json:"checkin_at,omitempty"`
	CheckinManual  bool       `json:"checkin_manual,omitempty"`
	CheckoutAt     *time.Time `json:"checkout_at,omitempty"`
	CheckoutManual bool       `json:"checkout_manual,omitempty"`
	AutoCheckout   bool       `json:"auto_checkout,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
	CancelledAt    *time.Time `json:"cancelled_at,omitempty"`
}

func toSignupJSON(su *guanjia.Signup) signupJSON {
	out := signupJSON{ID: su.ID, ActivityID: su.ActivityID, UserID: su.UserID, Status: string(su.Status),
		CheckinAt: su.CheckinAt, CheckinManual: su.CheckinManual, CheckoutAt: su.CheckoutAt, CheckoutManual: su.CheckoutManual,
		AutoCheckout: su.AutoCheckout, CreatedAt: su.CreatedAt, CancelledAt: su.CancelledAt}
	if su.Status == guanjia.SignupWaitlisted {
		out.Position = su.Position
	}
	return out
}

type activityRequest struct {
	TeamID         int64      `json:"team_id"`
	Title          string     `json:"title"`
	Description    string     `json:"description"`
	Address        string     `json:"address"`
	Lat            *float64   `json:"lat"`
	Lng            *float64   `json:"lng"`
	CoordSystem    string     `json:"coord_system"`
	RadiusM        float64    `json:"radius_m"`
	StartAt        *time.Time `json:"start_at"`
	EndAt          *time.Time `json:"end_at"`
	SignupDeadline *time.Time `json:"signup_deadline"`
	Capacity       int        `json:"capacity"`
	Requirements   string     `json:"requirements"`
	Tags           []string   `json:"tags"`
	CoverPhoto     string     `json:"cover_photo"`
}

func orZero(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

func (r *activityRequest) input() volunteer.ActivityInput {
	return volunteer.ActivityInput{TeamID: r.TeamID, Title: r.Title, Description: r.Description, Address: r.Address,
		Lat: r.Lat, Lng: r.Lng, CoordSystem: r.CoordSystem, RadiusM: r.RadiusM, StartAt: orZero(r.StartAt),
		EndAt: orZero(r.EndAt), SignupDeadline: orZero(r.SignupDeadline), Capacity: r.Capacity,
		Requirements: r.Requirements, Tags: r.Tags, CoverPhoto: r.CoverPhoto}
}

// handleActivityCreate drafts an activity for a team the caller administers.
func (h *activityHandlers) handleActivityCreate(c echo.Context) error {
	var req activityRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	a, err := h.volunteer.Activities.CreateActivity(c.Request().Context(), claimsOf(c), req.input())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toActivityJSON(a))
}

// handleActivityUpdate edits a draft or refused activity.
func (h *activityHandlers) handleActivityUpdate(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var req activityRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	a, err := h.volunteer.Activities.UpdateActivity(c.Request().Context(), claimsOf(c), id, req.input())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toActivityJSON(a))
}

// handleActivityList lists activities: ?near=lat,lng&radius=m&coord_system=, ?status=a,b, ?team_id=.
func (h *activityHandlers) handleActivityList(c echo.Context) error {
	near, err := nearQuery(c)
	if err != nil {
		return err
	}
	teamID, err := queryID(c, "team_id")
	if err != nil {
		return err
	}
	q := volunteer.ActivityQuery{TeamID: teamID, Near: near}
	if st := c.QueryParam("status"); st != "" {
		for _, v := range strings.Split(st, ",") {
			q.Status = append(q.Status, guanjia.ActivityStatus(strings.TrimSpace(v)))
		}
	}
	hits, err := h.volunteer.Activities.ListActivities(c.Request().Context(), claimsOf(c), q)
	if err != nil {
		return err
	}
	out := mapJSON(hits, func(hit volunteer.ActivityHit) activityJSON {
		a := toActivityJSON(hit.Activity)
		a.DistanceM = hit.DistanceM
		return a
	})
	return c.JSON(http.StatusOK, map[string]any{"activities": out})
}

// handleActivityGet answers an activity with capacity, confirmed and
// waitlisted counts and the caller's own signup.
func (h *activityHandlers) handleActivityGet(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	d, err := h.volunteer.Activities.GetActivity(c.Request().Context(), claimsOf(c), id)
	if err != nil {
		return err
	}
	out := toActivityJSON(d.Activity)
	out.Team, out.CanEdit = d.Team.Name, d.CanEdit
	if d.Mine != nil {
		mine := toSignupJSON(d.Mine)
		out.MySignup = &mine
	}
	if len(d.Events) > 0 {
		out.Events = toVEvents(d.Events)
	}
	return c.JSON(http.StatusOK, out)
}

// handleActivitySubmit sends a draft for review.
func (h *activityHandlers) handleActivitySubmit(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	a, err := h.volunteer.Activities.SubmitActivity(c.Request().Context(), claimsOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toActivityJSON(a))
}

// handleActivityReview publishes or refuses a submitted activity (admins).
func (h *activityHandlers) handleActivityReview(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	req, err := bindReview(c)
	if err != nil {
		return err
	}
	a, err := h.volunteer.Activities.ReviewActivity(c.Request().Context(), claimsOf(c), id, *req.Approve, req.Reason)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toActivityJSON(a))
}

type reasonRequest struct {
	Reason string `json:"reason"`
}

// handleActivityCancel cancels an activity; everyone signed up is told.
func (h *activityHandlers) handleActivityCancel(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var req reasonRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	a, err := h.volunteer.Activities.CancelActivity(c.Request().Context(), claimsOf(c), id, req.Reason)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toActivityJSON(a))
}

type rescheduleRequest struct {
	StartAt        *time.Time `json:"start_at"`
	EndAt          *time.Time `json:"end_at"`
	SignupDeadline *time.Time `json:"signup_deadline"`
	Reason         string     `json:"reason"`
}

// handleActivityReschedule moves a published activity; reminders are re-armed.
func (h *activityHandlers) handleActivityReschedule(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var req rescheduleRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	a, err := h.volunteer.Activities.RescheduleActivity(c.Request().Context(), claimsOf(c), id, volunteer.RescheduleInput{
		StartAt: orZero(req.StartAt), EndAt: orZero(req.EndAt), SignupDeadline: orZero(req.SignupDeadline), Reason: req.Reason})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toActivityJSON(a))
}

// handleSignupCreate signs the caller up: {"status":"confirmed"} or
// {"status":"waitlisted","position":n}.
func (h *activityHandlers) handleSignupCreate(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	su, err := h.volunteer.Signups.Signup(c.Request().Context(), claimsOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toSignupJSON(su))
}

// handleSignupCancel withdraws the caller's signup (until the cut-off).
func (h *activityHandlers) handleSignupCancel(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	su, err := h.volunteer.Signups.CancelSignup(c.Request().Context(), claimsOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toSignupJSON(su))
}

// handleSignupList lists an activity's signups for its organisers.
func (h *activityHandlers) handleSignupList(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	roster, err := h.volunteer.Signups.ListSignups(c.Request().Context(), claimsOf(c), id)
	if err != nil {
		return err
	}
	out := mapJSON(roster.Signups, func(su *guanjia.Signup) signupJSON {
		j := toSignupJSON(su)
		j.Name = roster.Names[su.UserID]
		return j
	})
	return c.JSON(http.StatusOK, map[string]any{"signups": out})
}

// handleMySignups lists the caller's signups.
func (h *activityHandlers) handleMySignups(c echo.Context) error {
	list, err := h.volunteer.Signups.MySignups(c.Request().Context(), claimsOf(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"signups": mapJSON(list, toSignupJSON)})
}

type checkinTokenJSON struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
	QRPNG     string    `json:"qr_png"` // the token as a QR code: a data:image/png;base64 URL the phone shows as it is
}

// checkinQRSize is the QR image's side in pixels: about 13 pixels a module
// for a token's 37 (with the quiet zone), sharp when a phone shows it full
// width for another phone's camera.
const checkinQRSize = 512

// handleCheckinToken answers the organiser's rotating QR token, and its QR
// code drawn, so the organiser's phone needs no QR library.
func (h *activityHandlers) handleCheckinToken(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	tok, exp, err := h.volunteer.Signups.CheckinToken(c.Request().Context(), claimsOf(c), id)
	if err != nil {
		return err
	}
	img, err := qrcode.Encode(tok, qrcode.Medium, checkinQRSize)
	if err != nil {
		return fmt.Errorf("api: draw the check-in code of activity %d: %w", id, err)
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, checkinTokenJSON{Token: tok, ExpiresAt: exp,
		QRPNG: "data:image/png;base64," + base64.StdEncoding.EncodeToString(img)})
}

type checkRequest struct {
	Token       string   `json:"token"`
	Lat         *float64 `json:"lat"`
	Lng         *float64 `json:"lng"`
	CoordSystem string   `json:"coord_system"`
}

func (r *checkRequest) input() volunteer.CheckInput {
	return volunteer.CheckInput{Token: r.Token, Lat: r.Lat, Lng: r.Lng, CoordSystem: r.CoordSystem}
}

// handleCheckin checks the caller in with a scanned token and their position.
func (h *activityHandlers) handleCheckin(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var req checkRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	su, err := h.volunteer.Signups.CheckIn(c.Request().Context(), claimsOf(c), id, req.input())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toSignupJSON(su))
}

func checkoutJSON(su *guanjia.Signup, e *guanjia.HoursEntry) map[string]any {
	return map[string]any{"signup": toSignupJSON(su), "hours": toHoursEntryJSON(e)}
}

// handleCheckout checks the caller out and credits their hours.
func (h *activityHandlers) handleCheckout(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var req checkRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	su, e, err := h.volunteer.Signups.CheckOut(c.Request().Context(), claimsOf(c), id, req.input())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, checkoutJSON(su, e))
}

func manualInput(c echo.Context) (int64, volunteer.ManualCheck, error) {
	id, user, err := pathIDUser(c)
	if err != nil {
		return 0, volunteer.ManualCheck{}, err
	}
	var req reasonRequest
	if err := bind(c, &req); err != nil {
		return 0, volunteer.ManualCheck{}, err
	}
	return id, volunteer.ManualCheck{UserID: user, Reason: req.Reason}, nil
}

// handleManualCheckin lets an organiser check someone in by hand, with a reason.
func (h *activityHandlers) handleManualCheckin(c echo.Context) error {
	id, in, err := manualInput(c)
	if err != nil {
		return err
	}
	su, err := h.volunteer.Signups.ManualCheckIn(c.Request().Context(), claimsOf(c), id, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toSignupJSON(su))
}

// handleManualCheckout lets an organiser check someone out by hand, with a reason.
func (h *activityHandlers) handleManualCheckout(c echo.Context) error {
	id, in, err := manualInput(c)
	if err != nil {
		return err
	}
	su, e, err := h.volunteer.Signups.ManualCheckOut(c.Request().Context(), claimsOf(c), id, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, checkoutJSON(su, e))
}

type albumPhotoJSON struct {
	ID          string    `json:"id"`
	ActivityID  int64     `json:"activity_id"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	URL         string    `json:"url"`
	UploadedBy  int64     `json:"uploaded_by"`
	CreatedAt   time.Time `json:"created_at"`
}

func toAlbumPhotoJSON(p *volunteer.ActivityPhoto) albumPhotoJSON {
	return albumPhotoJSON{ID: p.ID, ActivityID: p.ActivityID, ContentType: p.ContentType, Size: p.Size,
		URL: "/api/v1/activities/" + strconv.FormatInt(p.ActivityID, 10) + "/photos/" + p.ID, UploadedBy: p.UploadedBy, CreatedAt: p.CreatedAt}
}

// handleActivityPhotoUpload adds a multipart "file" (JPEG, PNG or WebP,
// re-encoded by readImage) to an activity's album.
func (h *activityHandlers) handleActivityPhotoUpload(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	img, err := readImage(c, h.maxPhotoBytes)
	if err != nil {
		return err
	}
	defer img.Close()
	p, err := h.volunteer.Activities.AddPhoto(c.Request().Context(), claimsOf(c), id, img.contentType, img.size, img)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toAlbumPhotoJSON(p))
}

// handleActivityPhotoList lists an activity's album.
func (h *activityHandlers) handleActivityPhotoList(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	list, err := h.volunteer.Activities.ListPhotos(c.Request().Context(), claimsOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"photos": mapJSON(list, toAlbumPhotoJSON)})
}

// handleActivityPhotoGet streams a photo of an activity's album.
func (h *activityHandlers) handleActivityPhotoGet(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	p, body, err := h.volunteer.Activities.OpenPhoto(c.Request().Context(), claimsOf(c), id, c.Param("photo"))
	if err != nil {
		return err
	}
	defer body.Close()
	c.Response().Header().Set("Cache-Control", "private, max-age=86400")
	return servePhoto(c, p.ID, p.ContentType, body)
}
