package store

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"guanjia"
	"guanjia/dispatch"
)

// Complaints keeps the complaint workflow's tables: complaints, their events,
// SLA timers, followers, ratings and photos. It is dispatch.Store, and answers
// the users and the catalogue that routing reads from their own stores.
type Complaints struct {
	*conn
	users   *Users
	catalog *Catalog
}

var _ dispatch.Store = (*Complaints)(nil)

type complaintRow struct {
	ID                int64 `gorm:"primaryKey"`
	Category          string
	Description       string
	Lat, Lng          float64
	CoordSystem       string
	Address           string
	MediaURL          string
	Source            string
	ReporterID        int64
	CallerName        string
	CallerPhoneEnc    string
	SmsOptOut         bool
	Status            string
	GridID            string
	District          string
	UnitCode          string
	AssigneeID        *int64
	Attempt           int
	DuplicateOf       *int64
	ReopenCount       int
	MissedDeadlines   int
	ManualEscalations int
	MissedAccepts     int
	Overdue           bool
	AcceptBy          *time.Time
	ArriveBy          *time.Time
	ResolveBy         *time.Time
	DispatchedAt      *time.Time
	AcceptedAt        *time.Time
	ArrivedAt         *time.Time
	ResolvedAt        *time.Time
	ClosedAt          *time.Time
	Version           int
	Rating            int
	RatingComment     string
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

func (complaintRow) TableName() string { return "complaints" }

func (s *Complaints) toComplaintRow(c *guanjia.Complaint) *complaintRow {
	return &complaintRow{
		ID: c.ID, Category: c.Category, Description: c.Description, Lat: c.Lat, Lng: c.Lng,
		CoordSystem: c.CoordSystem, Address: c.Address, MediaURL: c.MediaURL, Source: string(c.Source), ReporterID: c.ReporterID,
		CallerName: c.CallerName, CallerPhoneEnc: s.sealer.Seal(c.CallerPhone), SmsOptOut: c.SMSOptOut, Status: string(c.Status),
		GridID: c.GridID, District: c.District, UnitCode: c.UnitCode, AssigneeID: c.AssigneeID,
		Attempt: c.Attempt, DuplicateOf: c.DuplicateOf, ReopenCount: c.ReopenCount, MissedDeadlines: c.MissedDeadlines,
		ManualEscalations: c.ManualEscalations, MissedAccepts: c.MissedAccepts, Overdue: c.Overdue, AcceptBy: c.AcceptBy, ArriveBy: c.ArriveBy, ResolveBy: c.ResolveBy,
		DispatchedAt: c.DispatchedAt, AcceptedAt: c.AcceptedAt, ArrivedAt: c.ArrivedAt,
		ResolvedAt: c.ResolvedAt, ClosedAt: c.ClosedAt, Version: c.Version, Rating: c.Rating, RatingComment: c.RatingComment,
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
	}
}

func (s *Complaints) fromComplaintRow(r *complaintRow) (*guanjia.Complaint, error) {
	phone, err := s.sealer.Open(r.CallerPhoneEnc)
	if err != nil {
		return nil, fmt.Errorf("store: complaint %d caller phone: %w", r.ID, err)
	}
	return &guanjia.Complaint{
		ID: r.ID, Category: r.Category, Description: r.Description, Lat: r.Lat, Lng: r.Lng,
		CoordSystem: r.CoordSystem, Address: r.Address, MediaURL: r.MediaURL, Source: guanjia.Source(r.Source), ReporterID: r.ReporterID,
		CallerName: r.CallerName, CallerPhone: phone, SMSOptOut: r.SmsOptOut, Status: guanjia.Status(r.Status), GridID: r.GridID,
		District: r.District, UnitCode: r.UnitCode, AssigneeID: r.AssigneeID, Attempt: r.Attempt,
		DuplicateOf: r.DuplicateOf, ReopenCount: r.ReopenCount, MissedDeadlines: r.MissedDeadlines,
		ManualEscalations: r.ManualEscalations, MissedAccepts: r.MissedAccepts, Overdue: r.Overdue,
		AcceptBy: utc(r.AcceptBy), ArriveBy: utc(r.ArriveBy), ResolveBy: utc(r.ResolveBy),
		DispatchedAt: utc(r.DispatchedAt), AcceptedAt: utc(r.AcceptedAt), ArrivedAt: utc(r.ArrivedAt),
		ResolvedAt: utc(r.ResolvedAt), ClosedAt: utc(r.ClosedAt), Version: r.Version, Rating: r.Rating, RatingComment: r.RatingComment,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
	}, nil
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

type eventRow struct {
	ID          int64 `gorm:"primaryKey"`
	ComplaintID int64
	Action      string
	FromStatus  string
	ToStatus    string
	ActorID     *int64
	ActorRole   string
	AssigneeID  *int64
	UnitCode    string
	Note        string
	Lat, Lng    *float64
	At          time.Time
}

func (eventRow) TableName() string { return "complaint_events" }

type timerRow struct {
	ComplaintID int64  `gorm:"primaryKey"`
	Kind        string `gorm:"primaryKey"`
	Seq         int64  `gorm:"primaryKey"`
	DueAt       time.Time
	FiredAt     *time.Time
	CancelledAt *time.Time
}

func (timerRow) TableName() string { return "complaint_timers" }

func (r *timerRow) timer() dispatch.Timer {
	return dispatch.Timer{ComplaintID: r.ComplaintID, Kind: dispatch.TimerKind(r.Kind), Seq: r.Seq,
		DueAt: r.DueAt.UTC(), FiredAt: utc(r.FiredAt), CancelledAt: utc(r.CancelledAt)}
}

type followerRow struct {
	ComplaintID int64 `gorm:"primaryKey"`
	UserID      int64 `gorm:"primaryKey"`
}

func (followerRow) TableName() string { return "complaint_followers" }

// SaveComplaint applies one step of the workflow atomically: the complaint
// row (guarded by the Version it was read at), its events, timers,
// followers and the outbox rows of its messages.
func (s *Complaints) SaveComplaint(ctx context.Context, ch *dispatch.Change) error {
	now := s.Now()
	if s.Dialect == "postgres" && ch.Complaint.ID == 0 && ch.Annotate == nil && ch.Rating == nil && ch.Fire == nil && ch.PatrolOf == 0 {
		return s.insertComplaint(ctx, ch, now)
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		c := ch.Complaint
		if err := s.lockLinked(tx, c.ID, ch.Annotate); err != nil {
			return err
		}
		row := s.toComplaintRow(c)
		row.Version = c.Version + 1
		isNew := c.ID == 0
		if isNew {
			if err := tx.Create(row).Error; err != nil {
				return fmt.Errorf("store: create complaint: %w", err)
			}
			c.ID = row.ID
			if ch.PatrolOf != 0 { // the claim on the hotspot: a lost one writes nothing
				if err := linkPatrol(tx, ch.PatrolOf, c.ID); err != nil {
					return err
				}
			}
		} else {
			res := tx.Model(&complaintRow{}).
				Where("id = ? AND version = ?", c.ID, c.Version).
				Select("*").Omit("id", "created_at").Updates(row)
			if res.Error != nil {
				return fmt.Errorf("store: update complaint %d: %w", c.ID, res.Error)
			}
			if res.RowsAffected == 0 {
				return guanjia.StaleVersion("complaint %d was changed by someone else; reload and try again", c.ID)
			}
		}
		if err := addEvents(tx, c.ID, ch.Events); err != nil {
			return err
		}
		if err := annotate(tx, c.ID, ch.Annotate); err != nil {
			return err
		}
		if err := addRating(tx, c.ID, ch.Rating); err != nil {
			return err
		}
		if ch.Fire != nil {
			if err := tx.Model(&timerRow{}).Where("complaint_id = ? AND kind = ? AND seq = ?", c.ID, ch.Fire.Kind, ch.Fire.Seq).
				Update("fired_at", now).Error; err != nil {
				return fmt.Errorf("store: fire timer: %w", err)
			}
		}
		if len(ch.Cancel) > 0 && !isNew { // a new complaint has no timers to cancel
			if err := tx.Model(&timerRow{}).Where("complaint_id = ? AND kind IN ? AND fired_at IS NULL AND cancelled_at IS NULL", c.ID, ch.Cancel).
				Update("cancelled_at", now).Error; err != nil {
				return fmt.Errorf("store: cancel timers: %w", err)
			}
		}
		if len(ch.Arm) > 0 {
			rows := make([]timerRow, len(ch.Arm))
			for i := range ch.Arm {
				ch.Arm[i].ComplaintID = c.ID
				t := ch.Arm[i]
				rows[i] = timerRow{ComplaintID: c.ID, Kind: string(t.Kind), Seq: t.Seq, DueAt: t.DueAt}
			}
			// Arming a timer that was cancelled before (an extension back to an
			// earlier deadline) revives its row.
			revive := clause.OnConflict{Columns: []clause.Column{{Name: "complaint_id"}, {Name: "kind"}, {Name: "seq"}},
				DoUpdates: clause.Set{{Column: clause.Column{Name: "due_at"}, Value: clause.Expr{SQL: "excluded.due_at"}},
					{Column: clause.Column{Name: "cancelled_at"}, Value: nil}, {Column: clause.Column{Name: "fired_at"}, Value: nil}}}
			if err := tx.Clauses(revive).Create(&rows).Error; err != nil {
				return fmt.Errorf("store: arm timers: %w", err)
			}
		}
		if err := addFollowers(tx, c.ID, ch.Follow); err != nil {
			return err
		}
		c.Version = row.Version
		ch.NotificationIDs = ch.NotificationIDs[:0]
		if len(ch.Messages) == 0 {
			return nil
		}
		ids, err := queueNotifications(tx, ch.Messages, c.ID, now) // inbox messages are sent by being written
		ch.NotificationIDs = append(ch.NotificationIDs, ids...)
		return err
	})
}

// insertComplaint files a new complaint on PostgreSQL in one statement: the
// complaint, its events, timers, followers and outbox rows, each a
// data-modifying CTE that takes the new complaint's id. One statement is one
// transaction, as SaveComplaint's other path, in one round trip instead of
// seven (BEGIN, five INSERTs, COMMIT).
func (s *Complaints) insertComplaint(ctx context.Context, ch *dispatch.Change, now time.Time) error {
	c := ch.Complaint
	row := s.toComplaintRow(c)
	row.Version = c.Version + 1
	a := &sqlArgs{postgres: true}
	var q strings.Builder
	cols, vals, err := s.insertValues(ctx, row)
	if err != nil {
		return fmt.Errorf("store: create complaint: %w", err)
	}
	placeholders := make([]string, len(vals))
	for i, v := range vals {
		placeholders[i] = a.add(v)
	}
	fmt.Fprintf(&q, "WITH c AS (INSERT INTO complaints (%s) VALUES (%s) RETURNING id)",
		strings.Join(cols, ", "), strings.Join(placeholders, ", "))
	const id = "(SELECT id FROM c)"
	values := func(n int, row func(i int) []string) string {
		var sb strings.Builder
		for i := range n {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString("(" + strings.Join(row(i), ", ") + ")")
		}
		return sb.String()
	}
	if len(ch.Events) > 0 {
		fmt.Fprintf(&q, `, e AS (INSERT INTO complaint_events (complaint_id, action, from_status, to_status, actor_id, actor_role,
			assignee_id, unit_code, note, lat, lng, at) VALUES %s RETURNING id)`, values(len(ch.Events), func(i int) []string {
			e := ch.Events[i]
			return []string{id, a.add(string(e.Action)), a.add(string(e.From)), a.add(string(e.To)), a.add(e.ActorID),
				a.add(string(e.ActorRole)), a.add(e.AssigneeID), a.add(e.UnitCode), a.add(e.Note), a.add(e.Lat), a.add(e.Lng), a.add(e.At)}
		}))
	} else {
		q.WriteString(", e AS (SELECT NULL::bigint AS id WHERE false)")
	}
	if len(ch.Arm) > 0 {
		fmt.Fprintf(&q, ", t AS (INSERT INTO complaint_timers (complaint_id, kind, seq, due_at) VALUES %s)",
			values(len(ch.Arm), func(i int) []string {
				t := ch.Arm[i]
				return []string{id, a.add(string(t.Kind)), a.add(t.Seq), a.add(t.DueAt)}
			}))
	}
	if len(ch.Follow) > 0 {
		fmt.Fprintf(&q, ", f AS (INSERT INTO complaint_followers (complaint_id, user_id) VALUES %s ON CONFLICT DO NOTHING)",
			values(len(ch.Follow), func(i int) []string { return []string{id, a.add(ch.Follow[i])} }))
	}
	if len(ch.Messages) > 0 {
		fmt.Fprintf(&q, `, n AS (INSERT INTO notifications (recipient_id, channel, template, complaint_id, data, status, created_at, sent_at)
			VALUES %s RETURNING id, status)`, values(len(ch.Messages), func(i int) []string {
			m := ch.Messages[i]
			r := newNotificationRow(m, now)
			about := id // a message without a complaint of its own is about this one
			if m.ComplaintID != nil {
				about = a.add(*m.ComplaintID)
			}
			return []string{a.add(r.RecipientID), a.add(r.Channel), a.add(r.Template), about, a.add(r.Data), a.add(r.Status),
				a.add(r.CreatedAt), a.add(r.SentAt)}
		}))
	} else {
		q.WriteString(", n AS (SELECT NULL::bigint AS id, '' AS status WHERE false)")
	}
	// What the caller needs back: the complaint's id, its events' ids in
	// the order written, and the outbox rows the queue must deliver.
	fmt.Fprintf(&q, ` SELECT 0, id FROM c UNION ALL SELECT 1, id FROM e UNION ALL SELECT 2, id FROM n WHERE status = %s ORDER BY 1, 2`,
		a.add(guanjia.DeliveryPending))
	rows, err := s.db.WithContext(ctx).Statement.ConnPool.QueryContext(ctx, q.String(), a.args...)
	if err != nil {
		return fmt.Errorf("store: create complaint: %w", translateError(s.db, err))
	}
	defer rows.Close()
	var events, pending []int64
	var newID int64
	for rows.Next() {
		var part, v int64
		if err := rows.Scan(&part, &v); err != nil {
			return fmt.Errorf("store: create complaint: %w", err)
		}
		switch part {
		case 0:
			newID = v
		case 1:
			events = append(events, v)
		case 2:
			pending = append(pending, v)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: create complaint: %w", translateError(s.db, err))
	}
	if newID == 0 || len(events) != len(ch.Events) {
		return fmt.Errorf("store: create complaint: the insert answered %d events for %d", len(events), len(ch.Events))
	}
	c.ID, c.Version = newID, row.Version
	for i, e := range ch.Events {
		e.ComplaintID, e.ID = newID, events[i]
	}
	for i := range ch.Arm {
		ch.Arm[i].ComplaintID = newID
	}
	ch.NotificationIDs = pending
	return nil
}

// insertValues answers the columns and values gorm would insert for row (a
// model), without its auto-incremented key: a raw INSERT stays in step with
// the model.
func (s *Complaints) insertValues(ctx context.Context, row any) ([]string, []any, error) {
	stmt := &gorm.Statement{DB: s.db}
	if err := stmt.Parse(row); err != nil {
		return nil, nil, err
	}
	rv := reflect.ValueOf(row)
	for rv.Kind() == reflect.Pointer {
		rv = rv.Elem()
	}
	var cols []string
	var vals []any
	for _, f := range stmt.Schema.Fields {
		if f.DBName == "" || !f.Creatable || (f.PrimaryKey && f.AutoIncrement) {
			continue
		}
		v, _ := f.ValueOf(ctx, rv)
		cols, vals = append(cols, f.DBName), append(vals, v)
	}
	return cols, vals, nil
}

// annotate adds a change's events and followers to another complaint.
// lockLinked checks that the complaint a change links to (a me-too, a
// merge) is still open and no duplicate itself: the change read it before
// its transaction, and a close, a rejection or a merge the other way may
// have committed since. On PostgreSQL the linked row and the changed one
// are locked in id order, so the check holds until this commits and two
// merges crossing wait for each other instead of deadlocking; SQLite runs
// one write transaction at a time.
func (s *Complaints) lockLinked(tx *gorm.DB, id int64, a *dispatch.Annotation) error {
	if a == nil {
		return nil
	}
	ids := []int64{a.ComplaintID}
	if id != 0 {
		ids = append(ids, id)
	}
	q := tx.Model(&complaintRow{}).Select("id", "status").Where("id IN ?", ids).Order("id")
	if s.Dialect == "postgres" {
		q = q.Clauses(clause.Locking{Strength: "NO KEY UPDATE"})
	}
	var rows []struct {
		ID     int64
		Status guanjia.Status
	}
	if err := q.Find(&rows).Error; err != nil {
		return fmt.Errorf("store: lock complaint %d: %w", a.ComplaintID, err)
	}
	for _, r := range rows {
		if r.ID == a.ComplaintID && !r.Status.Open() {
			return guanjia.Errorf(guanjia.ECONFLICT, "complaint %d was closed or merged meanwhile; reload and try again", r.ID)
		}
	}
	return nil
}

func annotate(tx *gorm.DB, savedID int64, a *dispatch.Annotation) error {
	if a == nil {
		return nil
	}
	for _, e := range a.Events {
		if e.Action == guanjia.ActionMeToo && e.Note == "" {
			e.Note = fmt.Sprintf("#%d", savedID)
		}
	}
	if err := addEvents(tx, a.ComplaintID, a.Events); err != nil {
		return err
	}
	// The linked complaint's followers and duplicates grow: its version moves,
	// so a step on it that listed them before this commits (a close's 办结
	// texts, any step's news) is refused as changed meanwhile, not saved
	// without the newcomers.
	if err := tx.Model(&complaintRow{}).Where("id = ?", a.ComplaintID).
		UpdateColumn("version", gorm.Expr("version + 1")).Error; err != nil {
		return fmt.Errorf("store: link to complaint %d: %w", a.ComplaintID, err)
	}
	return addFollowers(tx, a.ComplaintID, a.Follow)
}

// MarkTimerFired records a timer as fired without touching its complaint.
func (s *Complaints) MarkTimerFired(ctx context.Context, t dispatch.Timer) error {
	err := s.db.WithContext(ctx).Model(&timerRow{}).
		Where("complaint_id = ? AND kind = ? AND seq = ? AND fired_at IS NULL", t.ComplaintID, t.Kind, t.Seq).
		Update("fired_at", s.Now()).Error
	if err != nil {
		return fmt.Errorf("store: mark timer %s of complaint %d fired: %w", t.Kind, t.ComplaintID, err)
	}
	return nil
}

// addEvents inserts a change's events in one statement.
func addEvents(tx *gorm.DB, id int64, events []*guanjia.Event) error {
	if len(events) == 0 {
		return nil
	}
	rows := make([]eventRow, len(events))
	for i, e := range events {
		e.ComplaintID = id
		rows[i] = eventRow{ComplaintID: id, Action: string(e.Action), FromStatus: string(e.From), ToStatus: string(e.To),
			ActorID: e.ActorID, ActorRole: string(e.ActorRole), AssigneeID: e.AssigneeID, UnitCode: e.UnitCode,
			Note: e.Note, Lat: e.Lat, Lng: e.Lng, At: e.At}
	}
	if err := tx.Create(&rows).Error; err != nil {
		return fmt.Errorf("store: add events to complaint %d: %w", id, err)
	}
	for i := range rows {
		events[i].ID = rows[i].ID
	}
	return nil
}

func addFollowers(tx *gorm.DB, id int64, users []int64) error {
	if len(users) == 0 {
		return nil
	}
	rows := make([]followerRow, len(users))
	for i, uid := range users {
		rows[i] = followerRow{ComplaintID: id, UserID: uid}
	}
	if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&rows).Error; err != nil {
		return fmt.Errorf("store: follow complaint %d: %w", id, err)
	}
	return nil
}

func (s *Complaints) FindComplaint(ctx context.Context, id int64) (*guanjia.Complaint, error) {
	var row complaintRow
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return nil, notFound(err, "complaint", id)
	}
	return s.fromComplaintRow(&row)
}

func (s *Complaints) ListComplaints(ctx context.Context, f guanjia.ComplaintFilter) ([]*guanjia.Complaint, int, error) {
	q := s.db.WithContext(ctx).Model(&complaintRow{})
	if len(f.Status) > 0 {
		q = q.Where("status IN ?", f.Status)
	}
	if f.OpenOnly {
		q = q.Where(openComplaintsSQL) // stats.go: the predicate of complaints_open_idx
	}
	if f.UnitCode != "" {
		q = q.Where("unit_code = ?", f.UnitCode)
	}
	switch {
	case f.AssigneeID != nil && f.QueueOf != "":
		q = q.Where("id IN (SELECT id FROM complaints WHERE assignee_id = ? UNION ALL SELECT id FROM complaints WHERE unit_code = ? AND assignee_id IS NULL AND status = ?)",
			*f.AssigneeID, f.QueueOf, guanjia.StatusDispatched)
	case f.AssigneeID != nil:
		q = q.Where("assignee_id = ?", *f.AssigneeID)
	}
	if f.ReporterID != nil {
		// One index each (an OR across the two would read every complaint).
		q = q.Where("id IN (SELECT id FROM complaints WHERE reporter_id = ? UNION ALL SELECT complaint_id FROM complaint_followers WHERE user_id = ?)",
			*f.ReporterID, *f.ReporterID)
	}
	if f.District != "" {
		q = q.Where("district = ?", f.District)
	}
	if f.Category != "" {
		q = q.Where("category = ?", f.Category)
	}
	if f.Source != "" {
		q = q.Where("source = ?", f.Source)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("store: count complaints: %w", err)
	}
	var rows []complaintRow
	if err := q.Order("id DESC").Limit(f.PerPage).Offset((f.Page - 1) * f.PerPage).Find(&rows).Error; err != nil {
		return nil, 0, fmt.Errorf("store: list complaints: %w", err)
	}
	out, err := s.fromComplaintRows(rows)
	return out, int(total), err
}

func (s *Complaints) fromComplaintRows(rows []complaintRow) ([]*guanjia.Complaint, error) {
	out := make([]*guanjia.Complaint, 0, len(rows))
	for i := range rows {
		c, err := s.fromComplaintRow(&rows[i])
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

func (s *Complaints) ListEvents(ctx context.Context, complaintID int64) ([]*guanjia.Event, error) {
	var rows []eventRow
	if err := s.db.WithContext(ctx).Where("complaint_id = ?", complaintID).Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: list events of complaint %d: %w", complaintID, err)
	}
	return mapRows(rows, (*eventRow).event), nil
}

func (r *eventRow) event() *guanjia.Event {
	return &guanjia.Event{ID: r.ID, ComplaintID: r.ComplaintID, Action: guanjia.Action(r.Action),
		From: guanjia.Status(r.FromStatus), To: guanjia.Status(r.ToStatus), ActorID: r.ActorID,
		ActorRole: guanjia.Role(r.ActorRole), AssigneeID: r.AssigneeID, UnitCode: r.UnitCode, Note: r.Note,
		Lat: r.Lat, Lng: r.Lng, At: r.At.UTC()}
}

func (s *Complaints) NearbyOpen(ctx context.Context, category string, since time.Time, minLat, minLng, maxLat, maxLng float64) ([]*guanjia.Complaint, error) {
	var rows []complaintRow
	err := s.db.WithContext(ctx).
		Where("category = ? AND created_at >= ? AND lat BETWEEN ? AND ? AND lng BETWEEN ? AND ?", category, since, minLat, maxLat, minLng, maxLng).
		Where("status NOT IN ?", []guanjia.Status{guanjia.StatusClosed, guanjia.StatusRejected, guanjia.StatusDuplicate}).
		Order("id").Limit(100).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: nearby complaints: %w", err)
	}
	return s.fromComplaintRows(rows)
}

func (s *Complaints) IsFollower(ctx context.Context, complaintID, userID int64) (bool, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&followerRow{}).Where("complaint_id = ? AND user_id = ?", complaintID, userID).Count(&n).Error
	if err != nil {
		return false, fmt.Errorf("store: follower of %d: %w", complaintID, err)
	}
	return n > 0, nil
}

func (s *Complaints) ListFollowers(ctx context.Context, complaintID int64) ([]int64, error) {
	var ids []int64
	err := s.db.WithContext(ctx).Model(&followerRow{}).Where("complaint_id = ?", complaintID).Order("user_id").Pluck("user_id", &ids).Error
	if err != nil {
		return nil, fmt.Errorf("store: followers of %d: %w", complaintID, err)
	}
	return ids, nil
}

// ListDuplicates lists the complaints linked to complaint id as duplicates,
// oldest first. Duplicates keep their status (nothing leads out of it), so
// the status index narrows the search to them.
func (s *Complaints) ListDuplicates(ctx context.Context, id int64) ([]*guanjia.Complaint, error) {
	var rows []complaintRow
	err := s.db.WithContext(ctx).Where("status = ? AND duplicate_of = ?", guanjia.StatusDuplicate, id).Order("id").Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: duplicates of complaint %d: %w", id, err)
	}
	return s.fromComplaintRows(rows)
}

func (s *Complaints) FindTimer(ctx context.Context, complaintID int64, kind dispatch.TimerKind, seq int64) (*dispatch.Timer, error) {
	var row timerRow
	if err := s.db.WithContext(ctx).Where("complaint_id = ? AND kind = ? AND seq = ?", complaintID, kind, seq).Take(&row).Error; err != nil {
		return nil, notFound(err, "timer", fmt.Sprintf("%s:%d:%d", kind, complaintID, seq))
	}
	t := row.timer()
	return &t, nil
}

func (s *Complaints) PendingTimers(ctx context.Context, horizon time.Time) ([]dispatch.Timer, error) {
	var rows []timerRow
	err := s.db.WithContext(ctx).Where("fired_at IS NULL AND cancelled_at IS NULL AND due_at < ?", horizon).
		Order("due_at").Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: pending timers: %w", err)
	}
	return mapRows(rows, (*timerRow).timer), nil
}

type crewLoadRow struct {
	User      userRow `gorm:"embedded"`
	OpenTasks int     `gorm:"->"`
}

func (crewLoadRow) TableName() string { return "users" }

// openTasks counts the complaints a crew member (users.id) holds.
const openTasks = "(SELECT COUNT(*) FROM complaints WHERE complaints.assignee_id = users.id AND complaints.status IN ?)"

var openStatuses = []guanjia.Status{guanjia.StatusDispatched, guanjia.StatusAccepted, guanjia.StatusOnSite}

// OnDutyCrews lists a unit's on-duty crew members in a grid with their open
// tasks, in one query that reads only what routing weighs: it runs for
// every complaint filed.
func (s *Complaints) OnDutyCrews(ctx context.Context, unitCode, gridID string) ([]dispatch.CrewPosition, error) {
	var out []dispatch.CrewPosition
	err := s.db.WithContext(ctx).Table("users").Select("id, lat, lng, "+openTasks+" AS open_tasks", openStatuses).
		Where("role = ? AND disabled_at IS NULL AND unit_code = ? AND grid_id = ? AND on_duty = ?", guanjia.RoleCrew, unitCode, gridID, true).
		Order("id").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: on-duty crews: %w", err)
	}
	return out, nil
}

// StrandedTasks lists, oldest first, up to limit open tasks whose assignee
// can no longer hold them: their account is disabled, or they are no longer
// crew or a leader of the complaint's unit (dispatch.CanHold says the same).
func (s *Complaints) StrandedTasks(ctx context.Context, limit int) ([]int64, error) {
	var ids []int64
	err := s.db.WithContext(ctx).Table("complaints").Joins("JOIN users ON users.id = complaints.assignee_id").
		Where("complaints.status IN ?", openStatuses).
		Where("users.disabled_at IS NOT NULL OR users.role NOT IN ? OR users.unit_code <> complaints.unit_code",
			[]guanjia.Role{guanjia.RoleCrew, guanjia.RoleUnitAdmin}).
		Order("complaints.id").Limit(limit).Pluck("complaints.id", &ids).Error
	if err != nil {
		return nil, fmt.Errorf("store: stranded tasks: %w", err)
	}
	return ids, nil
}

// Crews lists crew members, of one unit or all, with their open tasks.
func (s *Complaints) Crews(ctx context.Context, unitCode string) ([]dispatch.CrewLoad, error) {
	if unitCode == "" {
		return s.crews(ctx, "1 = 1")
	}
	return s.crews(ctx, "unit_code = ?", unitCode)
}

func (s *Complaints) crews(ctx context.Context, where string, args ...any) ([]dispatch.CrewLoad, error) {
	var rows []crewLoadRow
	err := s.db.WithContext(ctx).
		Select("users.*, "+openTasks+" AS open_tasks", openStatuses).
		Where("role = ? AND disabled_at IS NULL", guanjia.RoleCrew).Where(where, args...).Order("id").Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: crews: %w", err)
	}
	out := make([]dispatch.CrewLoad, len(rows))
	for i := range rows {
		u, err := s.fromUserRow(&rows[i].User)
		if err != nil {
			return nil, err
		}
		out[i] = dispatch.CrewLoad{User: u, OpenTasks: rows[i].OpenTasks}
	}
	return out, nil
}

type photoRow struct {
	ID          string `gorm:"primaryKey"`
	ComplaintID *int64
	Kind        string
	ContentType string
	Size        int64
	UploadedBy  int64
	Hidden      bool
	CreatedAt   time.Time
}

func (photoRow) TableName() string { return "photos" }

func (r *photoRow) photo() *guanjia.Photo {
	p := &guanjia.Photo{ID: r.ID, Kind: r.Kind, ContentType: r.ContentType, Size: r.Size,
		UploadedBy: r.UploadedBy, Hidden: r.Hidden, CreatedAt: r.CreatedAt.UTC()}
	if r.ComplaintID != nil {
		p.ComplaintID = *r.ComplaintID
	}
	return p
}

// AddPhoto counts the complaint's photos of p's kind under a lock on the
// complaint, so that two uploads at once cannot both take the last place.
func (s *Complaints) AddPhoto(ctx context.Context, p *guanjia.Photo, most int) error {
	row := photoRow{ID: p.ID, ComplaintID: &p.ComplaintID, Kind: p.Kind, ContentType: p.ContentType, Size: p.Size,
		UploadedBy: p.UploadedBy, CreatedAt: p.CreatedAt}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		lock := tx.Model(&complaintRow{}).Select("id").Where("id = ?", p.ComplaintID)
		if s.Dialect == "postgres" { // SQLite's write transactions take turns
			lock = lock.Clauses(clause.Locking{Strength: "NO KEY UPDATE"})
		}
		var id int64
		if err := lock.Scan(&id).Error; err != nil {
			return err
		}
		var n int64
		if err := tx.Model(&photoRow{}).Where("complaint_id = ? AND kind = ?", p.ComplaintID, p.Kind).Count(&n).Error; err != nil {
			return err
		}
		if n >= int64(most) {
			return guanjia.FieldError(guanjia.EUNPROCESSABLE, "kind", "complaint %d has %d photos of this kind, the most it takes", p.ComplaintID, n)
		}
		return tx.Create(&row).Error
	})
	if err != nil {
		return fmt.Errorf("store: add photo: %w", err)
	}
	return nil
}

func (s *Complaints) ListPhotos(ctx context.Context, complaintID int64) ([]*guanjia.Photo, error) {
	var rows []photoRow
	if err := s.db.WithContext(ctx).Where("complaint_id = ?", complaintID).Order("created_at").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: list photos: %w", err)
	}
	return mapRows(rows, (*photoRow).photo), nil
}

func (s *Complaints) FindPhoto(ctx context.Context, id string) (*guanjia.Photo, error) {
	var row photoRow
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return nil, notFound(err, "photo", id)
	}
	return row.photo(), nil
}

// HidePhoto takes a photo out of view (content security judged it risky).
func (s *Complaints) HidePhoto(ctx context.Context, id string) error {
	if err := s.db.WithContext(ctx).Model(&photoRow{}).Where("id = ?", id).Update("hidden", true).Error; err != nil {
		return fmt.Errorf("store: hide photo %s: %w", id, err)
	}
	return nil
}

func (s *Complaints) FindUserByID(ctx context.Context, id int64) (*guanjia.User, error) {
	return s.users.FindUserByID(ctx, id)
}

func (s *Complaints) ListUsersByRole(ctx context.Context, role guanjia.Role, unitCode string) ([]*guanjia.User, error) {
	return s.users.ListUsersByRole(ctx, role, unitCode)
}

func (s *Complaints) FindCategory(ctx context.Context, code string) (*guanjia.Category, error) {
	return s.catalog.FindCategory(ctx, code)
}

func (s *Complaints) FindUnit(ctx context.Context, code string) (*guanjia.Unit, error) {
	return s.catalog.FindUnit(ctx, code)
}

func (s *Complaints) ListGrids(ctx context.Context) ([]*guanjia.Grid, error) {
	return s.catalog.ListGrids(ctx)
}

// CatalogVersion is dispatch.CatalogVersioner: the router reloads its grids when it moves.
func (s *Complaints) CatalogVersion(ctx context.Context) (int64, error) {
	return s.catalog.CatalogVersion(ctx)
}

func marshalData(d map[string]string) string {
	if len(d) == 0 {
		return "{}"
	}
	b, _ := json.Marshal(d)
	return string(b)
}
