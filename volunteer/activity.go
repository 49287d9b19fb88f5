package volunteer

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"guanjia"
	"guanjia/geo"
)

// DefaultRadiusM is the check-in geofence when the organiser names none.
const DefaultRadiusM = 200

// ActivityInput is what an organiser drafts or edits.
type ActivityInput struct {
	TeamID         int64
	Title          string
	Description    string
	Address        string
	Lat, Lng       *float64
	CoordSystem    string
	RadiusM        float64
	StartAt, EndAt time.Time
	SignupDeadline time.Time // default: the start
	Capacity       int
	Requirements   string
	Tags           []string
	CoverPhoto     string
}

// fill validates in onto a, converting the place to WGS-84.
func (s *Activities) fill(ctx context.Context, who guanjia.Claims, a *guanjia.Activity, in ActivityInput) error {
	if in.CoordSystem == "" {
		in.CoordSystem = string(geo.WGS84)
	}
	if in.RadiusM == 0 {
		in.RadiusM = DefaultRadiusM
	}
	if in.SignupDeadline.IsZero() {
		in.SignupDeadline = in.StartAt
	}
	a.Title, a.Description, a.Address = strings.TrimSpace(in.Title), strings.TrimSpace(in.Description), strings.TrimSpace(in.Address)
	a.CoordSystem, a.RadiusM, a.Capacity = in.CoordSystem, in.RadiusM, in.Capacity
	a.StartAt, a.EndAt, a.SignupDeadline = in.StartAt.UTC(), in.EndAt.UTC(), in.SignupDeadline.UTC()
	a.Requirements, a.Tags, a.CoverPhoto = strings.TrimSpace(in.Requirements), in.Tags, in.CoverPhoto
	if err := a.Validate(); err != nil {
		return err
	}
	if !a.StartAt.After(s.now()) {
		return guanjia.FieldError(guanjia.EINVALID, "start_at", "the start must be in the future")
	}
	lat, lng, err := toWGS84(in.CoordSystem, in.Lat, in.Lng)
	if err != nil {
		return err
	}
	if !geo.InServiceArea(lat, lng) {
		return guanjia.FieldError(guanjia.EINVALID, "lat", "the place is outside Haikou")
	}
	a.Lat, a.Lng = lat, lng
	for field, text := range map[string]string{"title": a.Title, "description": a.Description, "requirements": a.Requirements} {
		if err := s.checkText(ctx, who, field, text); err != nil {
			return err
		}
	}
	return nil
}

// CreateActivity drafts an activity for a team the caller administers.
func (s *Activities) CreateActivity(ctx context.Context, who guanjia.Claims, in ActivityInput) (*guanjia.Activity, error) {
	if _, err := s.Store.FindTeam(ctx, in.TeamID); guanjia.ErrorCode(err) == guanjia.ENOTFOUND {
		return nil, guanjia.FieldError(guanjia.EINVALID, "team_id", "team %d not found", in.TeamID)
	} else if err != nil {
		return nil, err
	}
	if ok, err := s.isTeamAdmin(ctx, who, in.TeamID); err != nil {
		return nil, err
	} else if !ok {
		return nil, guanjia.Errorf(guanjia.EFORBIDDEN, "only the team's admins draft its activities")
	}
	if in.CoverPhoto != "" {
		return nil, guanjia.FieldError(guanjia.EINVALID, "cover_photo", "add the cover to the draft's album first, then edit the draft")
	}
	now := s.now()
	a := &guanjia.Activity{TeamID: in.TeamID, Status: guanjia.ActivityDraft, CreatedBy: who.UserID, CreatedAt: now, UpdatedAt: now}
	if err := s.fill(ctx, who, a, in); err != nil {
		return nil, err
	}
	ev := event(SubjectActivity, 0, ActCreate, "", string(guanjia.ActivityDraft), actorID(who), "", now)
	if err := s.Store.CreateActivity(ctx, a, ev); err != nil {
		return nil, err
	}
	return a, nil
}

// UpdateActivity edits a draft or refused activity.
func (s *Activities) UpdateActivity(ctx context.Context, who guanjia.Claims, id int64, in ActivityInput) (*guanjia.Activity, error) {
	a, actor, version, err := s.loadActivity(ctx, who, id)
	if err != nil {
		return nil, err
	}
	if _, err := next(activityTransitions, "activity", a.Status, ActEdit, actor); err != nil {
		return nil, err
	}
	if in.CoverPhoto != "" {
		if p, err := s.Store.FindActivityPhoto(ctx, in.CoverPhoto); err != nil || p.ActivityID != id {
			return nil, guanjia.FieldError(guanjia.EINVALID, "cover_photo", "the cover must be a photo in this activity's album")
		}
	}
	if err := s.fill(ctx, who, a, in); err != nil {
		return nil, err
	}
	now := s.now()
	a.UpdatedAt = now
	return a, s.Store.SaveActivity(ctx, &ActivityChange{Activity: a, ExpectStatus: a.Status, ExpectVersion: version,
		Events: []*guanjia.VolunteerEvent{event(SubjectActivity, id, ActEdit, string(a.Status), string(a.Status), actorID(who), "", now)}})
}

// loadActivity reads an activity with the caller's actor kind for its team and its edit version.
// The version is read first: an edit landing between the two reads makes a
// save on them a conflict, where the other order would write the read-before
// fields back over the edit.
func (s *Platform) loadActivity(ctx context.Context, who guanjia.Claims, id int64) (*guanjia.Activity, Actor, int, error) {
	version, err := s.Store.ActivityVersion(ctx, id)
	if err != nil {
		return nil, "", 0, err
	}
	a, err := s.Store.FindActivity(ctx, id)
	if err != nil {
		return nil, "", 0, err
	}
	actor, err := s.actorFor(ctx, who, a.TeamID)
	if err != nil {
		return nil, "", 0, err
	}
	if !visible(a.Status) && actor == ActorSelf {
		return nil, "", 0, guanjia.Errorf(guanjia.ENOTFOUND, "activity %d not found", id)
	}
	return a, actor, version, nil
}

// visible reports whether an activity in status is shown to everyone.
func visible(st guanjia.ActivityStatus) bool {
	switch st {
	case guanjia.ActivityPublished, guanjia.ActivityInProgress, guanjia.ActivityFinished, guanjia.ActivityCancelled:
		return true
	}
	return false
}

// SubmitActivity sends a draft for review. Only certified teams may.
func (s *Activities) SubmitActivity(ctx context.Context, who guanjia.Claims, id int64) (*guanjia.Activity, error) {
	return s.moveActivity(ctx, who, id, ActSubmit, "")
}

// ReviewActivity publishes a submitted activity (approve) or refuses it with a reason.
func (s *Activities) ReviewActivity(ctx context.Context, who guanjia.Claims, id int64, approve bool, reason string) (*guanjia.Activity, error) {
	if approve {
		return s.moveActivity(ctx, who, id, ActApprove, reason)
	}
	if err := requireReason(reason); err != nil {
		return nil, err
	}
	return s.moveActivity(ctx, who, id, ActRefuse, reason)
}

// CancelActivity cancels an activity with a reason; everyone signed up is
// told and their reminders fall away.
func (s *Activities) CancelActivity(ctx context.Context, who guanjia.Claims, id int64, reason string) (*guanjia.Activity, error) {
	if err := requireReason(reason); err != nil {
		return nil, err
	}
	return s.moveActivity(ctx, who, id, ActCancel, reason)
}

func (s *Activities) moveActivity(ctx context.Context, who guanjia.Claims, id int64, action, note string) (*guanjia.Activity, error) {
	a, actor, version, err := s.loadActivity(ctx, who, id)
	if err != nil {
		return nil, err
	}
	to, err := next(activityTransitions, "activity", a.Status, action, actor)
	if err != nil {
		return nil, err
	}
	now := s.now()
	switch action {
	case ActSubmit, ActApprove:
		t, err := s.Store.FindTeam(ctx, a.TeamID)
		if err != nil {
			return nil, err
		}
		if t.Status != guanjia.TeamCertified {
			return nil, guanjia.Errorf(guanjia.EUNPROCESSABLE, "only certified teams publish activities; team %q is %s", t.Name, t.Status)
		}
		if !a.SignupDeadline.After(now) {
			return nil, guanjia.FieldError(guanjia.EUNPROCESSABLE, "signup_deadline", "the signup deadline has passed; edit the times first")
		}
	}
	from := a.Status
	a.Status, a.UpdatedAt = to, now
	if action == ActRefuse || action == ActCancel {
		a.ReviewNote = strings.TrimSpace(note)
	}
	ch := &ActivityChange{Activity: a, ExpectStatus: from, ExpectVersion: version, CancelSignups: action == ActCancel,
		Events: []*guanjia.VolunteerEvent{event(SubjectActivity, id, action, string(from), string(to), actorID(who), strings.TrimSpace(note), now)}}
	if action == ActCancel {
		cancelled := activityData(a, map[string]string{"status": "已取消", "note": a.ReviewNote})
		ch.Tell = func(su *guanjia.Signup) []guanjia.Message {
			return []guanjia.Message{message(su.UserID, guanjia.TplActivityChanged, cancelled)}
		}
	}
	if err := s.Store.SaveActivity(ctx, ch); err != nil {
		return nil, err
	}
	s.deliver(ctx, ch.NotificationIDs)
	switch action {
	case ActApprove:
		s.arm(ctx, activityTimers(a, s.Config.AutoCheckoutAfter)...)
	case ActCancel:
		a.Confirmed, a.Waitlisted = 0, 0
	}
	return a, nil
}

// RescheduleInput moves a published activity.
type RescheduleInput struct {
	StartAt, EndAt time.Time
	SignupDeadline time.Time // default: the new start
	Reason         string
}

// RescheduleActivity moves a published activity before check-in opens:
// every reminder is re-armed for the new start and everyone signed up is told.
func (s *Activities) RescheduleActivity(ctx context.Context, who guanjia.Claims, id int64, in RescheduleInput) (*guanjia.Activity, error) {
	if err := requireReason(in.Reason); err != nil {
		return nil, err
	}
	a, actor, version, err := s.loadActivity(ctx, who, id)
	if err != nil {
		return nil, err
	}
	if _, err := next(activityTransitions, "activity", a.Status, ActReschedule, actor); err != nil {
		return nil, err
	}
	now := s.now()
	// Someone checked in would keep their check-in and be credited the new
	// slot by the auto check-out, whether they come or not.
	if !now.Before(a.StartAt.Add(-s.Config.CheckinOpensBefore)) {
		return nil, guanjia.Errorf(guanjia.ECONFLICT, "check-in has opened; cancel the activity instead of moving it")
	}
	if in.SignupDeadline.IsZero() {
		in.SignupDeadline = in.StartAt
	}
	moved := *a
	moved.StartAt, moved.EndAt, moved.SignupDeadline = in.StartAt.UTC(), in.EndAt.UTC(), in.SignupDeadline.UTC()
	if err := moved.Validate(); err != nil {
		return nil, err
	}
	if !moved.StartAt.After(now) {
		return nil, guanjia.FieldError(guanjia.EINVALID, "start_at", "the new start must be in the future")
	}
	moved.UpdatedAt = now
	note := fmt.Sprintf("改期: %s–%s, %s", localTime(moved.StartAt), localTime(moved.EndAt), strings.TrimSpace(in.Reason))
	rescheduled := activityData(&moved, map[string]string{"status": "已改期", "note": strings.TrimSpace(in.Reason)})
	ch := &ActivityChange{Activity: &moved, ExpectStatus: a.Status, ExpectVersion: version, Reschedule: true,
		RemindAt: s.remindAt(&moved, now),
		Events:   []*guanjia.VolunteerEvent{event(SubjectActivity, id, ActReschedule, string(a.Status), string(a.Status), actorID(who), note, now)},
		Tell: func(su *guanjia.Signup) []guanjia.Message {
			return []guanjia.Message{message(su.UserID, guanjia.TplActivityChanged, rescheduled)}
		}}
	if err := s.Store.SaveActivity(ctx, ch); err != nil {
		return nil, err
	}
	s.deliver(ctx, ch.NotificationIDs)
	s.arm(ctx, activityTimers(&moved, s.Config.AutoCheckoutAfter)...)
	for _, su := range ch.Affected {
		if su.Status == guanjia.SignupConfirmed && ch.RemindAt != nil {
			s.arm(ctx, reminderTimer(su.ID, &moved, *ch.RemindAt))
		}
	}
	return &moved, nil
}

// remindAt is when a confirmed signup's reminder is due, or nil when that
// moment has passed (the confirmation itself is then the reminder).
func (s *Platform) remindAt(a *guanjia.Activity, now time.Time) *time.Time {
	t := a.StartAt.Add(-s.Config.ReminderLead)
	if !t.After(now) {
		return nil
	}
	return &t
}

// ActivityDetail is an activity as one caller sees it.
type ActivityDetail struct {
	*guanjia.Activity
	Team    *guanjia.Team
	Mine    *guanjia.Signup // the caller's signup, if any
	CanEdit bool            // the caller administers the team
	Events  []*guanjia.VolunteerEvent
}

// GetActivity returns an activity with its counts and the caller's signup.
// Drafts and activities under review are shown to the team's admins and platform admins only.
func (s *Activities) GetActivity(ctx context.Context, who guanjia.Claims, id int64) (*ActivityDetail, error) {
	a, actor, _, err := s.loadActivity(ctx, who, id)
	if err != nil {
		return nil, err
	}
	d := &ActivityDetail{Activity: a, CanEdit: actor == ActorAdmin || actor == ActorTeamAdmin}
	if d.Team, err = s.Store.FindTeam(ctx, a.TeamID); err != nil {
		return nil, err
	}
	if su, err := s.Store.FindActiveSignup(ctx, id, who.UserID); err == nil {
		d.Mine = su
	} else if guanjia.ErrorCode(err) != guanjia.ENOTFOUND {
		return nil, err
	}
	if d.CanEdit {
		if d.Events, err = s.Store.ListVolunteerEvents(ctx, SubjectActivity, id); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// ActivityHit is an activity in a list, with its distance when the list was near a point.
type ActivityHit struct {
	Activity  *guanjia.Activity
	DistanceM *float64
}

// ActivityQuery selects activities for a list.
type ActivityQuery struct {
	Status []guanjia.ActivityStatus // default: published and in progress
	TeamID int64
	Near   *Near
}

// ListActivities lists activities, nearest first when q.Near is set, soonest
// first otherwise. Statuses before publication are listed only to platform
// admins, or to a team's admins for that team.
func (s *Activities) ListActivities(ctx context.Context, who guanjia.Claims, q ActivityQuery) ([]ActivityHit, error) {
	if len(q.Status) == 0 {
		q.Status = []guanjia.ActivityStatus{guanjia.ActivityPublished, guanjia.ActivityInProgress}
	}
	for _, st := range q.Status {
		if visible(st) {
			continue
		}
		ok := who.Role == guanjia.RoleAdmin
		if !ok && q.TeamID != 0 {
			var err error
			if ok, err = s.isTeamAdmin(ctx, who, q.TeamID); err != nil {
				return nil, err
			}
		}
		if !ok {
			return nil, guanjia.FieldError(guanjia.EFORBIDDEN, "status", "activities that are %s are listed to their team's admins only", st)
		}
	}
	// Activities that are over read back from the latest: the limit must not
	// keep a team's oldest.
	over := !slices.ContainsFunc(q.Status, func(st guanjia.ActivityStatus) bool {
		return st != guanjia.ActivityFinished && st != guanjia.ActivityCancelled
	})
	// The review queue (listed to admins only, as checked above): each with
	// when it was submitted and how often it was refused before.
	review := slices.Contains(q.Status, guanjia.ActivitySubmitted)
	f := ActivityFilter{Status: q.Status, TeamID: q.TeamID, NewestFirst: over, WithReview: review, Limit: 200}
	p, err := nearArea(q.Near)
	if err != nil {
		return nil, err
	}
	p.bound(&f.MinLat, &f.MinLng, &f.MaxLat, &f.MaxLng, &f.Limit)
	list, err := s.Store.ListActivities(ctx, f)
	if err != nil {
		return nil, err
	}
	return rank(list, p, func(a *guanjia.Activity) (float64, float64) { return a.Lat, a.Lng },
		func(a *guanjia.Activity, d *float64) ActivityHit { return ActivityHit{Activity: a, DistanceM: d} }), nil
}
