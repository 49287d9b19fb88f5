package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"guanjia"
	"guanjia/volunteer"
)

// Activities keeps volunteer activities, their signups (with check-in and
// the waitlist), photos, the hours ledger and certificates of hours.
type Activities struct{ *conn }

type activityRow struct {
	ID             int64 `gorm:"primaryKey"`
	TeamID         int64
	Title          string
	Description    string
	Address        string
	Lat, Lng       float64
	CoordSystem    string
	RadiusM        float64 `gorm:"column:radius_m"`
	StartAt        time.Time
	EndAt          time.Time
	SignupDeadline time.Time
	Capacity       int
	Requirements   string
	Tags           string
	CoverPhoto     string
	Status         string
	ReviewNote     string
	Confirmed      int
	Waitlisted     int
	WaitlistSeq    int64
	Version        int
	CreatedBy      int64
	CreatedAt      time.Time
	UpdatedAt      time.Time
	SettledAt      *time.Time
	// Read from subqueries by lists (activityColumns), never written.
	TeamName    string     `gorm:"->;-:migration"`
	SubmittedAt *time.Time `gorm:"->;-:migration"`
	Refusals    int        `gorm:"->;-:migration"`
}

func (activityRow) TableName() string { return "volunteer_activities" }

func (r *activityRow) activity() *guanjia.Activity {
	return &guanjia.Activity{ID: r.ID, TeamID: r.TeamID, Title: r.Title, Description: r.Description, Address: r.Address,
		Lat: r.Lat, Lng: r.Lng, CoordSystem: r.CoordSystem, RadiusM: r.RadiusM, StartAt: r.StartAt.UTC(), EndAt: r.EndAt.UTC(),
		SignupDeadline: r.SignupDeadline.UTC(), Capacity: r.Capacity, Requirements: r.Requirements, Tags: parseList(r.Tags),
		CoverPhoto: r.CoverPhoto, Status: guanjia.ActivityStatus(r.Status), ReviewNote: r.ReviewNote, Confirmed: r.Confirmed,
		Waitlisted: r.Waitlisted, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
		SettledAt: utc(r.SettledAt), TeamName: r.TeamName, SubmittedAt: utc(r.SubmittedAt), Refusals: r.Refusals}
}

// activityEdits are the columns an activity change writes; the counters are the signups'.
func activityEdits(a *guanjia.Activity) map[string]any {
	return map[string]any{"title": a.Title, "description": a.Description, "address": a.Address, "lat": a.Lat, "lng": a.Lng,
		"coord_system": a.CoordSystem, "radius_m": a.RadiusM, "start_at": a.StartAt, "end_at": a.EndAt,
		"signup_deadline": a.SignupDeadline, "capacity": a.Capacity, "requirements": a.Requirements, "tags": jsonList(a.Tags),
		"cover_photo": a.CoverPhoto, "status": string(a.Status), "review_note": a.ReviewNote, "updated_at": a.UpdatedAt,
		"settled_at": a.SettledAt, "version": gorm.Expr("version + 1")}
}

func (s *Activities) CreateActivity(ctx context.Context, a *guanjia.Activity, ev *guanjia.VolunteerEvent) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		row := activityRow{TeamID: a.TeamID, Title: a.Title, Description: a.Description, Address: a.Address, Lat: a.Lat, Lng: a.Lng,
			CoordSystem: a.CoordSystem, RadiusM: a.RadiusM, StartAt: a.StartAt, EndAt: a.EndAt, SignupDeadline: a.SignupDeadline,
			Capacity: a.Capacity, Requirements: a.Requirements, Tags: jsonList(a.Tags), CoverPhoto: a.CoverPhoto, Status: string(a.Status),
			ReviewNote: a.ReviewNote, CreatedBy: a.CreatedBy, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt}
		if err := tx.Create(&row).Error; err != nil {
			return fmt.Errorf("store: create activity: %w", err)
		}
		a.ID = row.ID
		return addVolunteerEvents(tx, a.ID, ev)
	})
}

// lockActivity reads an activity for update. PostgreSQL locks the row;
// SQLite's IMMEDIATE transactions already hold the database's write lock.
func (s *Activities) lockActivity(tx *gorm.DB, id int64) (*activityRow, error) {
	q := tx
	if s.Dialect == "postgres" {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	var r activityRow
	if err := q.Where("id = ?", id).Take(&r).Error; err != nil {
		return nil, notFound(err, "activity", id)
	}
	return &r, nil
}

// signedUp are the signups an activity's cancellation or move reaches: those
// holding or waiting for a place, and those checked in on site, whom a
// cancellation after check-in opened (a typhoon coming) sends home,
// credited nothing. (A move is refused once check-in has opened.)
var signedUp = []guanjia.SignupStatus{guanjia.SignupConfirmed, guanjia.SignupWaitlisted, guanjia.SignupCheckedIn}

// SaveActivity writes an activity change guarded by status and version; it
// cancels or re-times the signups when asked, and writes the change's
// messages to the outbox, in the same transaction.
func (s *Activities) SaveActivity(ctx context.Context, ch *volunteer.ActivityChange) error {
	a := ch.Activity
	ch.Affected, ch.NotificationIDs = nil, nil
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if ch.CancelSignups || ch.Reschedule {
			if _, err := s.lockActivity(tx, a.ID); err != nil {
				return err
			}
		}
		res := tx.Model(&activityRow{}).Where("id = ? AND status = ? AND version = ?", a.ID, ch.ExpectStatus, ch.ExpectVersion).
			Updates(activityEdits(a))
		if res.Error != nil {
			return fmt.Errorf("store: update activity %d: %w", a.ID, res.Error)
		}
		if res.RowsAffected == 0 {
			return guanjia.Errorf(guanjia.ECONFLICT, "activity %d was changed by someone else; reload and try again", a.ID)
		}
		if err := addVolunteerEvents(tx, a.ID, ch.Events...); err != nil {
			return err
		}
		if err := s.reachSignups(tx, ch); err != nil {
			return err
		}
		var err error
		ch.NotificationIDs, err = s.tell(tx, ch.Messages, ch.Tell, ch.Affected)
		return err
	})
}

// reachSignups cancels or re-times the signups of ch's activity, as ch asks,
// and fills in ch.Affected.
func (s *Activities) reachSignups(tx *gorm.DB, ch *volunteer.ActivityChange) error {
	a := ch.Activity
	if !ch.CancelSignups && !ch.Reschedule {
		return nil
	}
	var rows []signupRow
	if err := tx.Where("activity_id = ? AND status IN ?", a.ID, signedUp).Order("id").Find(&rows).Error; err != nil {
		return fmt.Errorf("store: signups of activity %d: %w", a.ID, err)
	}
	now := a.UpdatedAt
	if ch.CancelSignups {
		var actor *int64
		if len(ch.Events) > 0 {
			actor = ch.Events[0].ActorID
		}
		if err := tx.Model(&signupRow{}).Where("activity_id = ? AND status IN ?", a.ID, signedUp).
			Updates(map[string]any{"status": guanjia.SignupCancelled, "cancelled_at": now, "updated_at": now}).Error; err != nil {
			return fmt.Errorf("store: cancel signups of activity %d: %w", a.ID, err)
		}
		events := make([]*guanjia.VolunteerEvent, len(rows))
		for i, r := range rows {
			events[i] = &guanjia.VolunteerEvent{Subject: volunteer.SubjectSignup, SubjectID: r.ID, Action: volunteer.ActCancel,
				From: r.Status, To: string(guanjia.SignupCancelled), ActorID: actor, Note: "活动已取消", At: now}
		}
		if err := addVolunteerEvents(tx, 0, events...); err != nil {
			return err
		}
		if err := tx.Exec(`UPDATE volunteer_activities SET waitlisted = 0, confirmed = (SELECT COUNT(*) FROM volunteer_signups
				WHERE activity_id = ? AND status IN ?) WHERE id = ?`, a.ID, holdingPlace, a.ID).Error; err != nil {
			return fmt.Errorf("store: recount activity %d: %w", a.ID, err)
		}
	}
	if ch.Reschedule {
		if err := tx.Model(&signupRow{}).Where("activity_id = ? AND status IN ?", a.ID, signedUp).
			Updates(map[string]any{"remind_at": ch.RemindAt, "reminded_at": nil, "updated_at": now}).Error; err != nil {
			return fmt.Errorf("store: re-time reminders of activity %d: %w", a.ID, err)
		}
	}
	for i := range rows {
		su := rows[i].signup()
		if ch.Reschedule {
			su.RemindAt, su.RemindedAt = ch.RemindAt, nil
		}
		ch.Affected = append(ch.Affected, su)
	}
	return nil
}

// tell writes msgs to the outbox, and tell's messages about each of signups
// when tell is set, and answers the rows the queue must deliver.
func (s *Activities) tell(tx *gorm.DB, msgs []guanjia.Message, tell func(*guanjia.Signup) []guanjia.Message, signups []*guanjia.Signup) ([]int64, error) {
	if tell != nil {
		msgs = slices.Clone(msgs)
		for _, su := range signups {
			msgs = append(msgs, tell(su)...)
		}
	}
	return queueNotifications(tx, msgs, 0, s.Now())
}

var holdingPlace = []guanjia.SignupStatus{guanjia.SignupConfirmed, guanjia.SignupCheckedIn, guanjia.SignupCheckedOut, guanjia.SignupNoShow}

func (s *Activities) FindActivity(ctx context.Context, id int64) (*guanjia.Activity, error) {
	var r activityRow
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		return nil, notFound(err, "activity", id)
	}
	return r.activity(), nil
}

func (s *Activities) ActivityVersion(ctx context.Context, id int64) (int, error) {
	var v []int
	if err := s.db.WithContext(ctx).Model(&activityRow{}).Where("id = ?", id).Pluck("version", &v).Error; err != nil {
		return 0, fmt.Errorf("store: version of activity %d: %w", id, err)
	}
	if len(v) == 0 {
		return 0, guanjia.Errorf(guanjia.ENOTFOUND, "activity %d not found", id)
	}
	return v[0], nil
}

// activityColumns are a list's columns: each activity with its team's name
// and, for the review queue, its last submission (the event row joined, so
// that SQLite reads its time as a time) and its refusals, all in the list's
// one query.
const (
	activityColumns = "volunteer_activities.*, COALESCE((SELECT t.name FROM volunteer_teams t WHERE t.id = volunteer_activities.team_id), '') AS team_name"
	reviewColumns   = `, submitted.at AS submitted_at, (SELECT COUNT(*) FROM volunteer_events e
		WHERE e.subject = @activity AND e.subject_id = volunteer_activities.id AND e.action = @refuse) AS refusals`
	lastSubmission = `LEFT JOIN volunteer_events submitted ON submitted.id = (SELECT MAX(e.id) FROM volunteer_events e
		WHERE e.subject = @activity AND e.subject_id = volunteer_activities.id AND e.action = @submit)`
)

func (s *Activities) ListActivities(ctx context.Context, f volunteer.ActivityFilter) ([]*guanjia.Activity, error) {
	q := s.db.WithContext(ctx).Model(&activityRow{}).Select(activityColumns)
	if f.WithReview {
		names := map[string]any{"activity": volunteer.SubjectActivity, "submit": volunteer.ActSubmit, "refuse": volunteer.ActRefuse}
		q = q.Select(activityColumns+reviewColumns, names).Joins(lastSubmission, names)
	}
	// Qualified: the review queue joins a table with columns of the same names.
	if len(f.Status) > 0 {
		q = q.Where("volunteer_activities.status IN ?", f.Status)
	}
	if f.TeamID != 0 {
		q = q.Where("volunteer_activities.team_id = ?", f.TeamID)
	}
	if len(f.IDs) > 0 {
		q = q.Where("volunteer_activities.id IN ?", f.IDs)
	}
	if f.MinLat != nil {
		q = q.Where("volunteer_activities.lat BETWEEN ? AND ? AND volunteer_activities.lng BETWEEN ? AND ?", *f.MinLat, *f.MaxLat, *f.MinLng, *f.MaxLng)
	}
	if f.Limit <= 0 {
		f.Limit = 200
	}
	order := "volunteer_activities.start_at, volunteer_activities.id"
	if f.NewestFirst {
		order = "volunteer_activities.start_at DESC, volunteer_activities.id DESC"
	}
	var rows []activityRow
	if err := q.Order(order).Limit(f.Limit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: list activities: %w", err)
	}
	return mapRows(rows, (*activityRow).activity), nil
}

func (s *Activities) DueActivities(ctx context.Context, horizon time.Time, grace time.Duration) ([]*guanjia.Activity, error) {
	// Start, end and end + grace all come after the start, so anything due has started before horizon.
	var rows []activityRow
	err := s.db.WithContext(ctx).
		Where("status IN ? AND settled_at IS NULL AND start_at < ?", []guanjia.ActivityStatus{guanjia.ActivityPublished,
			guanjia.ActivityInProgress, guanjia.ActivityFinished}, horizon).
		Order("start_at").Limit(5000).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: due activities: %w", err)
	}
	return mapRows(rows, (*activityRow).activity), nil
}

type signupRow struct {
	ID             int64 `gorm:"primaryKey"`
	ActivityID     int64
	UserID         int64
	Status         string
	WaitlistSeq    int64
	RemindAt       *time.Time
	RemindedAt     *time.Time
	CheckinAt      *time.Time
	CheckinLat     *float64
	CheckinLng     *float64
	CheckinManual  bool
	CheckoutAt     *time.Time
	CheckoutLat    *float64
	CheckoutLng    *float64
	CheckoutManual bool
	AutoCheckout   bool
	CreatedAt      time.Time
	UpdatedAt      time.Time
	CancelledAt    *time.Time
}

func (signupRow) TableName() string { return "volunteer_signups" }

func (r *signupRow) signup() *guanjia.Signup {
	return &guanjia.Signup{ID: r.ID, ActivityID: r.ActivityID, UserID: r.UserID, Status: guanjia.SignupStatus(r.Status),
		WaitlistSeq: r.WaitlistSeq, RemindAt: utc(r.RemindAt), RemindedAt: utc(r.RemindedAt), CheckinAt: utc(r.CheckinAt),
		CheckinLat: r.CheckinLat, CheckinLng: r.CheckinLng, CheckinManual: r.CheckinManual, CheckoutAt: utc(r.CheckoutAt),
		CheckoutLat: r.CheckoutLat, CheckoutLng: r.CheckoutLng, CheckoutManual: r.CheckoutManual, AutoCheckout: r.AutoCheckout,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), CancelledAt: utc(r.CancelledAt)}
}

func toSignupRow(su *guanjia.Signup) *signupRow {
	return &signupRow{ID: su.ID, ActivityID: su.ActivityID, UserID: su.UserID, Status: string(su.Status), WaitlistSeq: su.WaitlistSeq,
		RemindAt: su.RemindAt, RemindedAt: su.RemindedAt, CheckinAt: su.CheckinAt, CheckinLat: su.CheckinLat, CheckinLng: su.CheckinLng,
		CheckinManual: su.CheckinManual, CheckoutAt: su.CheckoutAt, CheckoutLat: su.CheckoutLat, CheckoutLng: su.CheckoutLng,
		CheckoutManual: su.CheckoutManual, AutoCheckout: su.AutoCheckout, CreatedAt: su.CreatedAt, UpdatedAt: su.UpdatedAt,
		CancelledAt: su.CancelledAt}
}

// AdmitSignups decides a batch under the activity's lock: places while
// confirmed < capacity, then the waitlist, in the batch's order. The counters
// are written absolutely from what was read under the lock, and the CHECK on
// confirmed <= capacity backs it. Someone signed up for another activity at
// the same time is refused, decided under a lock on their user row too.
func (s *Activities) AdmitSignups(ctx context.Context, activityID int64, batch []*volunteer.Admission, check func(*guanjia.Activity) error) error {
	for _, adm := range batch {
		adm.Signup, adm.Err, adm.NotificationIDs = nil, nil, nil
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		a, err := s.lockActivity(tx, activityID)
		if err != nil {
			return err
		}
		if err := check(a.activity()); err != nil {
			return err
		}
		users := make([]int64, len(batch))
		for i, adm := range batch {
			users[i] = adm.UserID
		}
		var taken []int64
		if err := tx.Model(&signupRow{}).Where("activity_id = ? AND user_id IN ? AND status <> ?", activityID, users, guanjia.SignupCancelled).
			Pluck("user_id", &taken).Error; err != nil {
			return fmt.Errorf("store: signups of activity %d: %w", activityID, err)
		}
		busy, err := s.signedUpAtTheSameTime(tx, a, users)
		if err != nil {
			return err
		}
		seen := make(map[int64]bool, len(batch)+len(taken))
		for _, u := range taken {
			seen[u] = true
		}
		confirmed, waitlisted, seq := a.Confirmed, a.Waitlisted, a.WaitlistSeq
		rows := make([]signupRow, 0, len(batch))
		admitted := make([]*volunteer.Admission, 0, len(batch))
		for _, adm := range batch {
			if seen[adm.UserID] {
				adm.Err = guanjia.Errorf(guanjia.ECONFLICT, "you have already signed up for this activity")
				continue
			}
			if title, ok := busy[adm.UserID]; ok {
				adm.Err = guanjia.Errorf(guanjia.ECONFLICT, "you have already signed up for another activity at the same time: %s", title)
				continue
			}
			seen[adm.UserID] = true
			r := signupRow{ActivityID: activityID, UserID: adm.UserID, CreatedAt: adm.Now, UpdatedAt: adm.Now}
			position := 0
			if confirmed < a.Capacity {
				confirmed++
				r.Status, r.RemindAt = string(guanjia.SignupConfirmed), adm.RemindAt
			} else {
				seq++
				waitlisted++
				r.Status, r.WaitlistSeq = string(guanjia.SignupWaitlisted), seq
				position = waitlisted // everyone already waiting has a smaller ticket
			}
			rows = append(rows, r)
			admitted = append(admitted, adm)
			adm.Signup = &guanjia.Signup{Position: position}
		}
		if len(rows) == 0 {
			return nil
		}
		if err := tx.CreateInBatches(rows, 500).Error; err != nil {
			return fmt.Errorf("store: admit signups to activity %d: %w", activityID, err)
		}
		events := make([]*guanjia.VolunteerEvent, len(rows))
		for i := range rows {
			uid := rows[i].UserID
			events[i] = &guanjia.VolunteerEvent{Subject: volunteer.SubjectSignup, SubjectID: rows[i].ID, Action: volunteer.ActSignup,
				To: rows[i].Status, ActorID: &uid, At: rows[i].CreatedAt}
			position := admitted[i].Signup.Position
			admitted[i].Signup = rows[i].signup()
			admitted[i].Signup.Position = position
		}
		if err := addVolunteerEvents(tx, 0, events...); err != nil {
			return err
		}
		if err := tx.Model(&activityRow{}).Where("id = ?", activityID).
			Updates(map[string]any{"confirmed": confirmed, "waitlisted": waitlisted, "waitlist_seq": seq}).Error; err != nil {
			return fmt.Errorf("store: count signups of activity %d: %w", activityID, err)
		}
		return s.tellAdmitted(tx, admitted)
	})
}

// tellAdmitted writes the messages of the admitted signups to the outbox, in
// one statement for the batch, and answers each its rows to deliver.
func (s *Activities) tellAdmitted(tx *gorm.DB, admitted []*volunteer.Admission) error {
	var msgs []guanjia.Message
	told := make([]int, len(admitted)) // how many of msgs are each admission's
	for i, adm := range admitted {
		if adm.Tell != nil {
			m := adm.Tell(adm.Signup)
			msgs, told[i] = append(msgs, m...), len(m)
		}
	}
	rows, err := writeNotifications(tx, msgs, 0, s.Now())
	if err != nil {
		return err
	}
	for i, adm := range admitted {
		adm.NotificationIDs, rows = pendingIDs(rows[:told[i]]), rows[told[i]:]
	}
	return nil
}

// signedUpAtTheSameTime answers, by user, the title of another activity, not
// cancelled, that users are signed up for (signedUp) and that overlaps a.
// Their user rows are locked first, in id order: two signups of one person
// for two activities, each under its own activity's lock, are decided one
// after the other. (SQLite's IMMEDIATE transactions are one at a time already.)
func (s *Activities) signedUpAtTheSameTime(tx *gorm.DB, a *activityRow, users []int64) (map[int64]string, error) {
	if s.Dialect == "postgres" {
		var locked []int64
		if err := tx.Model(&userRow{}).Clauses(clause.Locking{Strength: "NO KEY UPDATE"}).Where("id IN ?", users).
			Order("id").Pluck("id", &locked).Error; err != nil {
			return nil, fmt.Errorf("store: lock the users signing up: %w", err)
		}
	}
	var rows []struct {
		UserID int64
		Title  string
	}
	if err := tx.Table("volunteer_signups AS s").Select("s.user_id, a.title").
		Joins("JOIN volunteer_activities a ON a.id = s.activity_id").
		Where("s.user_id IN ? AND s.activity_id <> ? AND s.status IN ?", users, a.ID, signedUp).
		Where("a.status <> ? AND a.start_at < ? AND a.end_at > ?", guanjia.ActivityCancelled, a.EndAt, a.StartAt).
		Order("a.start_at").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: other signups at the time of activity %d: %w", a.ID, err)
	}
	busy := make(map[int64]string, len(rows))
	for _, r := range rows {
		if _, ok := busy[r.UserID]; !ok {
			busy[r.UserID] = r.Title
		}
	}
	return busy, nil
}

func holds(st guanjia.SignupStatus) int {
	if st.HoldsPlace() {
		return 1
	}
	return 0
}

func waits(st guanjia.SignupStatus) int {
	if st == guanjia.SignupWaitlisted {
		return 1
	}
	return 0
}

// SaveSignup writes a signup change guarded by its status, with its events,
// its ledger entry, the activity's counters and, when asked, promotions from
// the waitlist into the places it freed.
func (s *Activities) SaveSignup(ctx context.Context, ch *volunteer.SignupChange) error {
	su := ch.Signup
	dConfirmed := holds(su.Status) - holds(ch.ExpectStatus)
	dWaiting := waits(su.Status) - waits(ch.ExpectStatus)
	ch.Promoted, ch.NotificationIDs = nil, nil
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		counts := dConfirmed != 0 || dWaiting != 0 || ch.Promote
		if counts {
			// Lock the activity before the signup, the same order as AdmitSignups.
			if _, err := s.lockActivity(tx, su.ActivityID); err != nil {
				return err
			}
		}
		res := tx.Model(&signupRow{}).Where("id = ? AND status = ?", su.ID, ch.ExpectStatus).
			Select("*").Omit("id", "activity_id", "user_id", "created_at").Updates(toSignupRow(su))
		if res.Error != nil {
			return fmt.Errorf("store: update signup %d: %w", su.ID, res.Error)
		}
		if res.RowsAffected == 0 {
			return guanjia.Errorf(guanjia.ECONFLICT, "signup %d was changed meanwhile; reload and try again", su.ID)
		}
		if err := addVolunteerEvents(tx, su.ID, ch.Events...); err != nil {
			return err
		}
		if ch.Hours != nil {
			if err := addHours(tx, ch.Hours); err != nil {
				return err
			}
		}
		if counts {
			if err := tx.Exec("UPDATE volunteer_activities SET confirmed = confirmed + ?, waitlisted = waitlisted + ? WHERE id = ?",
				dConfirmed, dWaiting, su.ActivityID).Error; err != nil {
				return fmt.Errorf("store: count signups of activity %d: %w", su.ActivityID, err)
			}
		}
		if ch.Promote {
			if err := s.promote(tx, ch, su.UpdatedAt); err != nil {
				return err
			}
		}
		var err error
		ch.NotificationIDs, err = s.tell(tx, ch.Messages, ch.TellPromoted, ch.Promoted)
		return err
	})
}

// promote moves the first waitlisted signups into free places, in ticket order.
func (s *Activities) promote(tx *gorm.DB, ch *volunteer.SignupChange, now time.Time) error {
	activityID := ch.Signup.ActivityID
	var a activityRow
	if err := tx.Where("id = ?", activityID).Take(&a).Error; err != nil {
		return fmt.Errorf("store: activity %d: %w", activityID, err)
	}
	free := a.Capacity - a.Confirmed
	if free <= 0 || a.Waitlisted == 0 {
		return nil
	}
	var rows []signupRow
	if err := tx.Where("activity_id = ? AND status = ?", activityID, guanjia.SignupWaitlisted).
		Order("waitlist_seq").Limit(free).Find(&rows).Error; err != nil {
		return fmt.Errorf("store: waitlist of activity %d: %w", activityID, err)
	}
	for i := range rows {
		r := &rows[i]
		if err := tx.Model(&signupRow{}).Where("id = ? AND status = ?", r.ID, guanjia.SignupWaitlisted).
			Updates(map[string]any{"status": guanjia.SignupConfirmed, "remind_at": ch.PromoteRemindAt, "updated_at": now}).Error; err != nil {
			return fmt.Errorf("store: promote signup %d: %w", r.ID, err)
		}
		r.Status, r.RemindAt, r.UpdatedAt = string(guanjia.SignupConfirmed), ch.PromoteRemindAt, now
		ev := &guanjia.VolunteerEvent{Subject: volunteer.SubjectSignup, SubjectID: r.ID, Action: volunteer.ActPromote,
			From: string(guanjia.SignupWaitlisted), To: string(guanjia.SignupConfirmed), Note: "候补转正", At: now}
		if err := addVolunteerEvents(tx, 0, ev); err != nil {
			return err
		}
		ch.Promoted = append(ch.Promoted, r.signup())
	}
	if n := len(rows); n > 0 {
		if err := tx.Exec("UPDATE volunteer_activities SET confirmed = confirmed + ?, waitlisted = waitlisted - ? WHERE id = ?",
			n, n, activityID).Error; err != nil {
			return fmt.Errorf("store: count promotions of activity %d: %w", activityID, err)
		}
	}
	return nil
}

// withPosition fills the waitlist place of a waitlisted signup.
func (s *Activities) withPosition(ctx context.Context, r *signupRow) (*guanjia.Signup, error) {
	su := r.signup()
	if su.Status != guanjia.SignupWaitlisted {
		return su, nil
	}
	var n int64
	if err := s.db.WithContext(ctx).Model(&signupRow{}).
		Where("activity_id = ? AND status = ? AND waitlist_seq <= ?", r.ActivityID, guanjia.SignupWaitlisted, r.WaitlistSeq).
		Count(&n).Error; err != nil {
		return nil, fmt.Errorf("store: waitlist position of signup %d: %w", r.ID, err)
	}
	su.Position = int(n)
	return su, nil
}

func (s *Activities) FindSignup(ctx context.Context, id int64) (*guanjia.Signup, error) {
	var r signupRow
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		return nil, notFound(err, "signup", id)
	}
	return s.withPosition(ctx, &r)
}

func (s *Activities) FindActiveSignup(ctx context.Context, activityID, userID int64) (*guanjia.Signup, error) {
	var r signupRow
	if err := s.db.WithContext(ctx).Where("activity_id = ? AND user_id = ? AND status <> ?", activityID, userID, guanjia.SignupCancelled).
		Take(&r).Error; err != nil {
		return nil, notFound(err, "signup", fmt.Sprintf("of user %d for activity %d", userID, activityID))
	}
	return s.withPosition(ctx, &r)
}

// ListSignups lists signups: of an activity in ticket order (places first,
// then the waitlist), or of a user newest first.
func (s *Activities) ListSignups(ctx context.Context, f volunteer.SignupFilter) ([]*guanjia.Signup, error) {
	q := s.db.WithContext(ctx)
	if f.ActivityID != 0 {
		q = q.Where("activity_id = ?", f.ActivityID).Order("waitlist_seq, id")
	} else {
		q = q.Order("id DESC")
	}
	if f.UserID != 0 {
		q = q.Where("user_id = ?", f.UserID)
	}
	if len(f.Status) > 0 {
		q = q.Where("status IN ?", f.Status)
	}
	if f.Limit <= 0 {
		f.Limit = 200
	}
	var rows []signupRow
	if err := q.Limit(f.Limit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: list signups: %w", err)
	}
	out := make([]*guanjia.Signup, len(rows))
	position := map[int64]int{} // per activity, counting the waitlist in ticket order
	for i := range rows {
		if f.ActivityID != 0 {
			out[i] = rows[i].signup()
			if out[i].Status == guanjia.SignupWaitlisted {
				position[f.ActivityID]++
				out[i].Position = position[f.ActivityID]
			}
			continue
		}
		su, err := s.withPosition(ctx, &rows[i])
		if err != nil {
			return nil, err
		}
		out[i] = su
	}
	return out, nil
}

// SignupNames answers the certified names of the activity's signups, in one
// query however many signed up.
func (s *Activities) SignupNames(ctx context.Context, activityID int64) (map[int64]string, error) {
	var rows []struct {
		UserID int64
		Name   string
	}
	if err := s.db.WithContext(ctx).Model(&volunteerRow{}).Select("user_id, name").
		Where("user_id IN (SELECT user_id FROM volunteer_signups WHERE activity_id = ?)", activityID).
		Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: names of the signups of activity %d: %w", activityID, err)
	}
	out := make(map[int64]string, len(rows))
	for _, r := range rows {
		out[r.UserID] = r.Name
	}
	return out, nil
}

func (s *Activities) DueReminders(ctx context.Context, horizon time.Time) ([]*guanjia.Signup, error) {
	var rows []signupRow
	err := s.db.WithContext(ctx).
		Where("status = ? AND reminded_at IS NULL AND remind_at IS NOT NULL AND remind_at < ?", guanjia.SignupConfirmed, horizon).
		Where("activity_id IN (SELECT id FROM volunteer_activities WHERE status = ?)", guanjia.ActivityPublished).
		Order("remind_at").Limit(10000).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: due reminders: %w", err)
	}
	return mapRows(rows, (*signupRow).signup), nil
}

type hoursRow struct {
	ID         int64 `gorm:"primaryKey"`
	UserID     int64
	TeamID     int64
	ActivityID *int64
	SignupID   *int64
	Kind       string
	Source     string
	Minutes    int
	Reason     string
	CorrectsID *int64
	EnteredBy  *int64
	CreatedAt  time.Time
}

func (hoursRow) TableName() string { return "volunteer_hours" }

func (r *hoursRow) entry() *guanjia.HoursEntry {
	return &guanjia.HoursEntry{ID: r.ID, UserID: r.UserID, TeamID: r.TeamID, ActivityID: r.ActivityID, SignupID: r.SignupID,
		Kind: r.Kind, Source: r.Source, Minutes: r.Minutes, Reason: r.Reason, CorrectsID: r.CorrectsID, EnteredBy: r.EnteredBy,
		CreatedAt: r.CreatedAt.UTC()}
}

func addHours(tx *gorm.DB, e *guanjia.HoursEntry) error {
	row := hoursRow{UserID: e.UserID, TeamID: e.TeamID, ActivityID: e.ActivityID, SignupID: e.SignupID, Kind: e.Kind,
		Source: e.Source, Minutes: e.Minutes, Reason: e.Reason, CorrectsID: e.CorrectsID, EnteredBy: e.EnteredBy, CreatedAt: e.CreatedAt}
	if err := tx.Create(&row).Error; err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return guanjia.Errorf(guanjia.ECONFLICT, "these hours are already credited")
		}
		return fmt.Errorf("store: add hours: %w", err)
	}
	e.ID = row.ID
	return nil
}

// AddHours appends one ledger entry with its messages, and answers the
// outbox rows the queue must deliver. There is no update or delete.
func (s *Activities) AddHours(ctx context.Context, e *guanjia.HoursEntry, msgs []guanjia.Message) ([]int64, error) {
	var queued []int64
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := addHours(tx, e); err != nil {
			return err
		}
		var err error
		queued, err = queueNotifications(tx, msgs, 0, s.Now())
		return err
	})
	return queued, err
}

// AddCorrection appends e, a correction of entry *e.CorrectsID, if fits
// accepts the entry's total so far (the entry and its corrections). The entry
// is locked meanwhile: two corrections at once are decided one after the
// other, the second on the total the first left.
func (s *Activities) AddCorrection(ctx context.Context, e *guanjia.HoursEntry, fits func(total int) error) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		lock := tx.Model(&hoursRow{})
		if s.Dialect == "postgres" { // SQLite's IMMEDIATE transactions hold the write lock already
			lock = lock.Clauses(clause.Locking{Strength: "UPDATE"})
		}
		var orig hoursRow
		if err := lock.Where("id = ?", *e.CorrectsID).Take(&orig).Error; err != nil {
			return notFound(err, "hours entry", *e.CorrectsID)
		}
		var total int
		if err := tx.Model(&hoursRow{}).Where("id = ? OR corrects_id = ?", orig.ID, orig.ID).
			Select("COALESCE(SUM(minutes), 0)").Scan(&total).Error; err != nil {
			return fmt.Errorf("store: sum hours: %w", err)
		}
		if err := fits(total); err != nil {
			return err
		}
		return addHours(tx, e)
	})
}

func (s *Activities) FindHours(ctx context.Context, id int64) (*guanjia.HoursEntry, error) {
	var r hoursRow
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		return nil, notFound(err, "hours entry", id)
	}
	return r.entry(), nil
}

func hoursQuery(q *gorm.DB, f volunteer.HoursFilter) *gorm.DB {
	q = q.Model(&hoursRow{})
	if f.UserID != 0 {
		q = q.Where("user_id = ?", f.UserID)
	}
	if f.TeamID != 0 {
		q = q.Where("team_id = ?", f.TeamID)
	}
	if f.ActivityID != 0 {
		q = q.Where("activity_id = ?", f.ActivityID)
	}
	if f.Since != nil {
		q = q.Where("created_at >= ?", *f.Since)
	}
	return q
}

// ListHours returns the newest volunteer.MaxLedgerRows entries, oldest first.
func (s *Activities) ListHours(ctx context.Context, f volunteer.HoursFilter) ([]*guanjia.HoursEntry, error) {
	var rows []hoursRow
	if err := hoursQuery(s.db.WithContext(ctx), f).Order("id DESC").Limit(volunteer.MaxLedgerRows).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: list hours: %w", err)
	}
	slices.Reverse(rows)
	return mapRows(rows, (*hoursRow).entry), nil
}

func (s *Activities) SumHours(ctx context.Context, f volunteer.HoursFilter) (guanjia.HoursTotals, error) {
	var rows []struct {
		Kind    string
		Minutes int
	}
	if err := hoursQuery(s.db.WithContext(ctx), f).Select("kind, COALESCE(SUM(minutes), 0) AS minutes").Group("kind").
		Scan(&rows).Error; err != nil {
		return guanjia.HoursTotals{}, fmt.Errorf("store: sum hours: %w", err)
	}
	var t guanjia.HoursTotals
	for _, r := range rows {
		switch r.Kind {
		case guanjia.HoursCredit:
			t.CreditMinutes = r.Minutes
		case guanjia.HoursHonor:
			t.HonorMinutes = r.Minutes
		}
	}
	return t, nil
}

type certificateRow struct {
	Number          string `gorm:"primaryKey"`
	Code            string
	UserID          int64
	TeamID          int64
	TeamName        string
	Name            string
	MaskedIDNumber  string `gorm:"column:masked_id_number"`
	VolunteerNumber string
	Lines           string
	CreditMinutes   int
	HonorMinutes    int
	IssuedAt        time.Time
}

func (certificateRow) TableName() string { return "volunteer_certificates" }

func (s *Activities) CreateCertificate(ctx context.Context, c *guanjia.Certificate) error {
	lines, err := json.Marshal(c.Lines)
	if err != nil {
		return err
	}
	row := certificateRow{Number: c.Number, Code: c.Code, UserID: c.UserID, TeamID: c.TeamID, TeamName: c.TeamName, Name: c.Name,
		MaskedIDNumber: c.MaskedIDNumber, VolunteerNumber: c.VolunteerNumber, Lines: string(lines),
		CreditMinutes: c.Totals.CreditMinutes, HonorMinutes: c.Totals.HonorMinutes, IssuedAt: c.IssuedAt}
	if err := s.db.WithContext(ctx).Create(&row).Error; err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return guanjia.Errorf(guanjia.ECONFLICT, "certificate number %s is taken", c.Number)
		}
		return fmt.Errorf("store: create certificate: %w", err)
	}
	return nil
}

func (s *Activities) FindCertificate(ctx context.Context, number string) (*guanjia.Certificate, error) {
	var r certificateRow
	if err := s.db.WithContext(ctx).Where("number = ?", number).Take(&r).Error; err != nil {
		return nil, notFound(err, "certificate", number)
	}
	c := &guanjia.Certificate{Number: r.Number, Code: r.Code, UserID: r.UserID, TeamID: r.TeamID, TeamName: r.TeamName,
		Name: r.Name, MaskedIDNumber: r.MaskedIDNumber, VolunteerNumber: r.VolunteerNumber,
		Totals: guanjia.HoursTotals{CreditMinutes: r.CreditMinutes, HonorMinutes: r.HonorMinutes}, IssuedAt: r.IssuedAt.UTC()}
	if err := json.Unmarshal([]byte(r.Lines), &c.Lines); err != nil {
		return nil, fmt.Errorf("store: certificate %s lines: %w", number, err)
	}
	return c, nil
}

type vPhotoRow struct {
	ID          string `gorm:"primaryKey"`
	ActivityID  int64
	ContentType string
	Size        int64
	UploadedBy  int64
	CreatedAt   time.Time
}

func (vPhotoRow) TableName() string { return "volunteer_photos" }

func (r *vPhotoRow) photo() *volunteer.ActivityPhoto {
	return &volunteer.ActivityPhoto{ID: r.ID, ActivityID: r.ActivityID, ContentType: r.ContentType, Size: r.Size,
		UploadedBy: r.UploadedBy, CreatedAt: r.CreatedAt.UTC()}
}

func (s *Activities) AddActivityPhoto(ctx context.Context, p *volunteer.ActivityPhoto) error {
	row := vPhotoRow{ID: p.ID, ActivityID: p.ActivityID, ContentType: p.ContentType, Size: p.Size, UploadedBy: p.UploadedBy, CreatedAt: p.CreatedAt}
	if err := s.db.WithContext(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("store: add activity photo: %w", err)
	}
	return nil
}

func (s *Activities) ListActivityPhotos(ctx context.Context, activityID int64) ([]*volunteer.ActivityPhoto, error) {
	var rows []vPhotoRow
	if err := s.db.WithContext(ctx).Where("activity_id = ?", activityID).Order("created_at, id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: list photos of activity %d: %w", activityID, err)
	}
	return mapRows(rows, (*vPhotoRow).photo), nil
}

func (s *Activities) FindActivityPhoto(ctx context.Context, id string) (*volunteer.ActivityPhoto, error) {
	var r vPhotoRow
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		return nil, notFound(err, "photo", id)
	}
	return r.photo(), nil
}
