package volunteer

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"guanjia"
	"guanjia/geo"
)

// Check-in tokens are what the organiser's screen shows as a rotating QR
// code: "<activity>.<issued unix>.<mac>", the MAC an HMAC-SHA256 (cut to 128
// bits) over the first two parts. A token proves the scanner saw the screen
// within TokenTTL; the position proves where they were.

// tokenSkew tolerates a scanner's clock a little ahead of the server's.
const tokenSkew = 5 * time.Second

func (s *Signups) tokenMAC(activityID, issued int64) string {
	m := hmac.New(sha256.New, s.tokenKey)
	fmt.Fprintf(m, "checkin:%d.%d", activityID, issued)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:16])
}

// CheckinToken returns a fresh token for the organiser's screen and when it
// expires. Only the team's admins may show it, from when check-in opens
// until check-out closes.
func (s *Signups) CheckinToken(ctx context.Context, who guanjia.Claims, activityID int64) (string, time.Time, error) {
	a, actor, _, err := s.loadActivity(ctx, who, activityID)
	if err != nil {
		return "", time.Time{}, err
	}
	if actor == ActorSelf {
		return "", time.Time{}, guanjia.Errorf(guanjia.EFORBIDDEN, "only the organisers show the check-in code")
	}
	if a.Status != guanjia.ActivityPublished && a.Status != guanjia.ActivityInProgress && a.Status != guanjia.ActivityFinished {
		return "", time.Time{}, guanjia.Errorf(guanjia.ECONFLICT, "the activity is %s", a.Status)
	}
	now := s.now()
	issued := now.Unix()
	return fmt.Sprintf("%d.%d.%s", activityID, issued, s.tokenMAC(activityID, issued)), time.Unix(issued, 0).Add(s.Config.TokenTTL).UTC(), nil
}

// verifyToken checks a scanned token: signed by this server, for this
// activity, and fresh. Each failure says which, so the volunteer knows to rescan.
func (s *Signups) verifyToken(token string, activityID int64, now time.Time) error {
	parts := strings.Split(strings.TrimSpace(token), ".")
	if len(parts) != 3 {
		return guanjia.FieldError(guanjia.EINVALID, "token", "this is not a check-in code; scan the organiser's screen")
	}
	forAct, err1 := strconv.ParseInt(parts[0], 10, 64)
	issued, err2 := strconv.ParseInt(parts[1], 10, 64)
	if err1 != nil || err2 != nil || !hmac.Equal([]byte(parts[2]), []byte(s.tokenMAC(forAct, issued))) {
		return guanjia.FieldError(guanjia.EINVALID, "token", "this check-in code is not genuine")
	}
	if forAct != activityID {
		return guanjia.FieldError(guanjia.EINVALID, "token", "this check-in code belongs to another activity")
	}
	at := time.Unix(issued, 0)
	if at.After(now.Add(tokenSkew)) || now.Sub(at) > s.Config.TokenTTL {
		return guanjia.FieldError(guanjia.EUNPROCESSABLE, "token", "this check-in code has expired; scan the screen again")
	}
	return nil
}

// CheckInput is what the mini-program sends after scanning.
type CheckInput struct {
	Token       string
	Lat, Lng    *float64
	CoordSystem string
}

// place verifies the position is inside the activity's geofence, after
// converting it to WGS-84, and returns it.
func place(a *guanjia.Activity, in CheckInput) (float64, float64, error) {
	lat, lng, err := toWGS84(in.CoordSystem, in.Lat, in.Lng)
	if err != nil {
		return 0, 0, err
	}
	if d := geo.Distance(lat, lng, a.Lat, a.Lng); d > a.RadiusM {
		return 0, 0, guanjia.FieldError(guanjia.EUNPROCESSABLE, "lat", "you are %.0f m from the activity; check in within %.0f m", d, a.RadiusM)
	}
	return lat, lng, nil
}

// checkinWindow says whether now is inside [start − CheckinOpensBefore, end].
func (s *Signups) checkinWindow(a *guanjia.Activity, now time.Time) error {
	if opens := a.StartAt.Add(-s.Config.CheckinOpensBefore); now.Before(opens) {
		return guanjia.Errorf(guanjia.EUNPROCESSABLE, "check-in opens at %s", localTime(opens))
	}
	if now.After(a.EndAt) {
		return guanjia.Errorf(guanjia.EUNPROCESSABLE, "the activity ended at %s; check-in is closed", localTime(a.EndAt))
	}
	return nil
}

// checkoutWindow says whether now is inside [start, end + AutoCheckoutAfter]:
// a check-out is final, and one tapped before the start would credit nothing.
func (s *Signups) checkoutWindow(a *guanjia.Activity, now time.Time) error {
	if now.Before(a.StartAt) {
		return guanjia.Errorf(guanjia.EUNPROCESSABLE, "check-out opens when the activity starts at %s", localTime(a.StartAt))
	}
	if closes := a.EndAt.Add(s.Config.AutoCheckoutAfter); !now.Before(closes) {
		return guanjia.Errorf(guanjia.EUNPROCESSABLE, "check-out closed at %s", localTime(closes))
	}
	return nil
}

func running(a *guanjia.Activity) error {
	switch a.Status {
	case guanjia.ActivityPublished, guanjia.ActivityInProgress, guanjia.ActivityFinished:
		if a.SettledAt == nil {
			return nil
		}
	}
	return guanjia.Errorf(guanjia.ECONFLICT, "the activity is %s", a.Status)
}

// CheckIn records who's arrival: a fresh token from the organiser's screen,
// a position inside the geofence, within the check-in window.
func (s *Signups) CheckIn(ctx context.Context, who guanjia.Claims, activityID int64, in CheckInput) (*guanjia.Signup, error) {
	a, err := s.Store.FindActivity(ctx, activityID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	if err := running(a); err != nil {
		return nil, err
	}
	if err := s.verifyToken(in.Token, activityID, now); err != nil {
		return nil, err
	}
	if err := s.checkinWindow(a, now); err != nil {
		return nil, err
	}
	lat, lng, err := place(a, in)
	if err != nil {
		return nil, err
	}
	su, err := s.ownSignup(ctx, a, who.UserID)
	if err != nil {
		return nil, err
	}
	return s.checkIn(ctx, a, su, ActorSelf, actorID(who), &lat, &lng, "", now)
}

func (s *Signups) ownSignup(ctx context.Context, a *guanjia.Activity, userID int64) (*guanjia.Signup, error) {
	su, err := s.Store.FindActiveSignup(ctx, a.ID, userID)
	if guanjia.ErrorCode(err) == guanjia.ENOTFOUND {
		return nil, guanjia.Errorf(guanjia.ECONFLICT, "you have not signed up for this activity")
	}
	if err == nil && su.Status == guanjia.SignupWaitlisted {
		return nil, guanjia.Errorf(guanjia.ECONFLICT, "you are on the waitlist (no. %d), not confirmed", su.Position)
	}
	return su, err
}

func (s *Signups) checkIn(ctx context.Context, a *guanjia.Activity, su *guanjia.Signup, actor Actor, by *int64, lat, lng *float64, reason string, now time.Time) (*guanjia.Signup, error) {
	to, err := next(signupTransitions, "signup", su.Status, ActCheckin, actor)
	if err != nil {
		return nil, err
	}
	if err := s.notCheckedInElsewhere(ctx, a, su.UserID, now); err != nil {
		return nil, err
	}
	from := su.Status
	su.Status, su.CheckinAt, su.CheckinLat, su.CheckinLng, su.UpdatedAt = to, &now, lat, lng, now
	su.CheckinManual = actor == ActorTeamAdmin
	ev := event(SubjectSignup, su.ID, ActCheckin, string(from), string(to), by, reason, now)
	ev.Lat, ev.Lng = lat, lng
	if su.CheckinManual {
		ev.Note = "组织者代签到: " + reason
	}
	if err := s.Store.SaveSignup(ctx, &SignupChange{Signup: su, ExpectStatus: from, Events: []*guanjia.VolunteerEvent{ev}}); err != nil {
		return nil, err
	}
	return su, nil
}

// notCheckedInElsewhere refuses a check-in while the user is checked in on
// another activity that runs on past the time this one starts counting
// (checked in from now, credited from its start): signups at the same time
// are refused, but times may move after signup, and an hour is served once.
func (s *Signups) notCheckedInElsewhere(ctx context.Context, a *guanjia.Activity, userID int64, now time.Time) error {
	elsewhere, err := s.Store.ListSignups(ctx, SignupFilter{UserID: userID, Status: []guanjia.SignupStatus{guanjia.SignupCheckedIn}})
	if err != nil {
		return err
	}
	counted := now
	if a.StartAt.After(now) {
		counted = a.StartAt
	}
	for _, su := range elsewhere {
		if su.ActivityID == a.ID {
			continue
		}
		other, err := s.Store.FindActivity(ctx, su.ActivityID)
		if err != nil {
			return err
		}
		if other.EndAt.After(counted) {
			return guanjia.Errorf(guanjia.ECONFLICT, "checked in on %s until %s already; check out there first", other.Title, localTime(other.EndAt))
		}
	}
	return nil
}

// CheckOut records who's departure the same way as CheckIn, until check-out
// closes, and credits the hours served to the ledger.
func (s *Signups) CheckOut(ctx context.Context, who guanjia.Claims, activityID int64, in CheckInput) (*guanjia.Signup, *guanjia.HoursEntry, error) {
	a, err := s.Store.FindActivity(ctx, activityID)
	if err != nil {
		return nil, nil, err
	}
	now := s.now()
	if err := running(a); err != nil {
		return nil, nil, err
	}
	if err := s.verifyToken(in.Token, activityID, now); err != nil {
		return nil, nil, err
	}
	if err := s.checkoutWindow(a, now); err != nil {
		return nil, nil, err
	}
	lat, lng, err := place(a, in)
	if err != nil {
		return nil, nil, err
	}
	su, err := s.ownSignup(ctx, a, who.UserID)
	if err != nil {
		return nil, nil, err
	}
	return s.checkOut(ctx, a, su, ActorSelf, actorID(who), &lat, &lng, "", now)
}

func (s *Signups) checkOut(ctx context.Context, a *guanjia.Activity, su *guanjia.Signup, actor Actor, by *int64, lat, lng *float64, reason string, now time.Time) (*guanjia.Signup, *guanjia.HoursEntry, error) {
	to, err := next(signupTransitions, "signup", su.Status, ActCheckout, actor)
	if err != nil {
		if su.Status == guanjia.SignupConfirmed {
			return nil, nil, guanjia.Errorf(guanjia.ECONFLICT, "check in first")
		}
		return nil, nil, err
	}
	from := su.Status
	su.Status, su.CheckoutAt, su.CheckoutLat, su.CheckoutLng, su.UpdatedAt = to, &now, lat, lng, now
	su.CheckoutManual = actor == ActorTeamAdmin
	source := guanjia.HoursFromCheckin
	if su.CheckinManual || su.CheckoutManual {
		source = guanjia.HoursFromManual
	}
	ev := event(SubjectSignup, su.ID, ActCheckout, string(from), string(to), by, reason, now)
	ev.Lat, ev.Lng = lat, lng
	if su.CheckoutManual {
		ev.Note = "组织者代签退: " + reason
	}
	ch := &SignupChange{Signup: su, ExpectStatus: from, Events: []*guanjia.VolunteerEvent{ev},
		Hours: s.creditFor(a, su, source, now)}
	ch.Messages = hoursCredited(a, ch.Hours)
	if err := s.Store.SaveSignup(ctx, ch); err != nil {
		return nil, nil, err
	}
	s.deliver(ctx, ch.NotificationIDs)
	return su, ch.Hours, nil
}

// creditFor is the ledger entry of a finished attendance (possibly zero minutes,
// recorded so the attendance shows in the ledger too).
func (s *Platform) creditFor(a *guanjia.Activity, su *guanjia.Signup, source string, now time.Time) *guanjia.HoursEntry {
	minutes := CreditedMinutes(*su.CheckinAt, *su.CheckoutAt, a.StartAt, a.EndAt, s.Config.Rounding)
	actID, suID := a.ID, su.ID
	return &guanjia.HoursEntry{UserID: su.UserID, TeamID: a.TeamID, ActivityID: &actID, SignupID: &suID,
		Kind: guanjia.HoursCredit, Source: source, Minutes: minutes, CreatedAt: now}
}

// hoursCredited is the message of e, an attendance's ledger entry, to its
// volunteer: none when it credits nothing.
func hoursCredited(a *guanjia.Activity, e *guanjia.HoursEntry) []guanjia.Message {
	if e == nil || e.Minutes <= 0 {
		return nil
	}
	return []guanjia.Message{message(e.UserID, guanjia.TplHoursCredited, activityData(a, map[string]string{
		"hours": hoursText(e.Minutes), "time": localTime(e.CreatedAt)}))}
}

// ManualCheck is an organiser checking someone in or out by hand.
type ManualCheck struct {
	UserID int64
	Reason string
}

// ManualCheckIn lets a team admin check a confirmed volunteer in by hand,
// within the check-in window, with a reason. It is flagged on the signup and
// recorded in the event log with who did it.
func (s *Signups) ManualCheckIn(ctx context.Context, who guanjia.Claims, activityID int64, in ManualCheck) (*guanjia.Signup, error) {
	a, su, err := s.manual(ctx, who, activityID, in)
	if err != nil {
		return nil, err
	}
	now := s.now()
	if err := s.checkinWindow(a, now); err != nil {
		return nil, err
	}
	return s.checkIn(ctx, a, su, ActorTeamAdmin, actorID(who), nil, nil, strings.TrimSpace(in.Reason), now)
}

// ManualCheckOut lets a team admin check someone out by hand, with a reason.
func (s *Signups) ManualCheckOut(ctx context.Context, who guanjia.Claims, activityID int64, in ManualCheck) (*guanjia.Signup, *guanjia.HoursEntry, error) {
	a, su, err := s.manual(ctx, who, activityID, in)
	if err != nil {
		return nil, nil, err
	}
	now := s.now()
	if err := s.checkoutWindow(a, now); err != nil {
		return nil, nil, err
	}
	return s.checkOut(ctx, a, su, ActorTeamAdmin, actorID(who), nil, nil, strings.TrimSpace(in.Reason), now)
}

func (s *Signups) manual(ctx context.Context, who guanjia.Claims, activityID int64, in ManualCheck) (*guanjia.Activity, *guanjia.Signup, error) {
	a, actor, _, err := s.loadActivity(ctx, who, activityID)
	if err != nil {
		return nil, nil, err
	}
	if actor != ActorTeamAdmin {
		return nil, nil, guanjia.Errorf(guanjia.EFORBIDDEN, "only the team's admins check people in by hand")
	}
	// An admin's own attendance is their own hours (notOwnHours).
	if in.UserID == who.UserID {
		return nil, nil, guanjia.FieldError(guanjia.EFORBIDDEN, "user_id",
			"another admin of the team checks you in and out by hand, or you scan the code shown on another organiser's phone")
	}
	if err := requireReason(in.Reason); err != nil {
		return nil, nil, err
	}
	if err := running(a); err != nil {
		return nil, nil, err
	}
	su, err := s.Store.FindActiveSignup(ctx, activityID, in.UserID)
	if guanjia.ErrorCode(err) == guanjia.ENOTFOUND {
		return nil, nil, guanjia.FieldError(guanjia.EINVALID, "user_id", "user %d has not signed up", in.UserID)
	} else if err != nil {
		return nil, nil, err
	}
	return a, su, nil
}
