package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"guanjia"
	"guanjia/approval"
)

// Approvals keeps 行政审批查询's records: approval.Store.
type Approvals struct{ *conn }

type approvalRow struct {
	ID            int64 `gorm:"primaryKey"`
	Number        string
	Matter        string
	Department    string
	ApplicantMask string
	PhoneEnc      string
	TailHash      string
	Status        string
	Version       int64
	Note          string
	ChangedAt     time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

func (approvalRow) TableName() string { return "approvals" }

func (r *approvalRow) record() *approval.Record {
	return &approval.Record{ID: r.ID, Number: r.Number, Matter: r.Matter, Department: r.Department,
		ApplicantMask: r.ApplicantMask, Status: approval.Status(r.Status), Version: r.Version, Note: r.Note,
		ChangedAt: r.ChangedAt.UTC(), CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

type approvalEventRow struct {
	ID         int64 `gorm:"primaryKey"`
	ApprovalID int64
	Version    int64
	FromStatus string
	ToStatus   string
	Note       string
	Source     string
	ActorID    *int64
	At         time.Time
	CreatedAt  time.Time
}

func (approvalEventRow) TableName() string { return "approval_events" }

func (r *approvalEventRow) event() approval.Event {
	return approval.Event{ID: r.ID, RecordID: r.ApprovalID, Version: r.Version, From: approval.Status(r.FromStatus),
		To: approval.Status(r.ToStatus), Note: r.Note, Source: r.Source, ActorID: r.ActorID, At: r.At.UTC(), CreatedAt: r.CreatedAt.UTC()}
}

type approvalFollowerRow struct {
	ApprovalID int64 `gorm:"primaryKey"`
	UserID     int64 `gorm:"primaryKey"`
	CreatedAt  time.Time
}

func (approvalFollowerRow) TableName() string { return "approval_followers" }

// tailHash binds the phone's last four digits to the application: the same
// tail of another application hashes differently, and without the key the
// 10 000 possible tails cannot be tried offline.
func (s *Approvals) tailHash(number, tail string) string {
	return s.sealer.Hash("approval:" + number + ":" + tail)
}

// ApplyUpdates applies us in order in one transaction (see approval.Store):
// the rows held are read (and on PostgreSQL locked) once, then kept as the
// updates change them, so a number twice in us meets its own first update.
func (s *Approvals) ApplyUpdates(ctx context.Context, us []approval.Update, source string, actor *int64, now time.Time) ([]approval.Result, []int64, error) {
	results := make([]approval.Result, len(us))
	var queued []int64
	apply := func(tx *gorm.DB) error {
		numbers := make([]string, len(us))
		for i, u := range us {
			numbers[i] = u.Number
		}
		held, err := s.lockHeld(tx, numbers)
		if err != nil {
			return err
		}
		type change struct {
			record *approval.Record // as this update left it
			event  approval.Event
		}
		var changes []change
		for i, u := range us {
			row, found := held[u.Number]
			if !found {
				row = &approvalRow{Number: u.Number, CreatedAt: now}
			}
			results[i] = approval.Result{Number: u.Number, Version: u.Version, Current: row.Version}
			outcome, ok := approval.Decide(approval.Record{Status: approval.Status(row.Status), Version: row.Version}, found, u)
			if !ok {
				return guanjia.FieldError(guanjia.ECONFLICT, "status", "application %s cannot go from %s to %s",
					u.Number, approval.Status(row.Status).Label(), u.Status.Label())
			}
			results[i].Outcome = outcome
			if outcome != approval.OutcomeCreated && outcome != approval.OutcomeUpdated {
				continue
			}
			from := approval.Status(row.Status)
			row.Matter, row.Department, row.ApplicantMask = u.Matter, u.Department, guanjia.MaskName(u.Applicant)
			row.PhoneEnc, row.TailHash = s.sealer.Seal(u.Phone), s.tailHash(u.Number, approval.PhoneTail(u.Phone))
			row.Version, row.Note, row.UpdatedAt = u.Version, u.Note, now
			changed := from != u.Status
			if changed {
				row.Status, row.ChangedAt = string(u.Status), u.At.UTC()
			}
			if found {
				err = tx.Save(row).Error
			} else {
				err = tx.Create(row).Error
				held[u.Number] = row
			}
			if err != nil {
				return fmt.Errorf("store: save approval %s: %w", u.Number, err)
			}
			results[i].Current = row.Version
			if !changed {
				continue
			}
			ev := approvalEventRow{ApprovalID: row.ID, Version: u.Version, FromStatus: string(from), ToStatus: string(u.Status),
				Note: u.Note, Source: source, ActorID: actor, At: u.At.UTC(), CreatedAt: now}
			if err := tx.Create(&ev).Error; err != nil {
				return fmt.Errorf("store: approval event %s: %w", u.Number, err)
			}
			changes = append(changes, change{record: row.record(), event: ev.event()})
		}
		if len(changes) == 0 {
			return nil
		}
		ids := make([]int64, len(changes))
		for i, c := range changes {
			ids[i] = c.record.ID
		}
		followers, err := s.followers(tx, ids)
		if err != nil {
			return err
		}
		// Each follower's message goes to the outbox in the transaction of
		// the change, so none is lost if the process dies.
		var messages []guanjia.Message
		for _, c := range changes {
			for _, uid := range followers[c.record.ID] {
				messages = append(messages, approval.FollowerMessage(c.record, &c.event, uid))
			}
		}
		queued, err = queueNotifications(tx, messages, 0, now)
		return err
	}
	// A push retried while the first still runs brings a number new to both.
	if err := s.transactNewKey(ctx, apply); err != nil {
		return nil, nil, err
	}
	return results, queued, nil
}

// inChunk bounds the values of one IN list.
const inChunk = 500

// lockHeld reads the rows held of numbers, locking them on PostgreSQL
// (SQLite's IMMEDIATE transaction holds the write lock already), in the
// order of their numbers so that two batches cannot lock crosswise.
func (s *Approvals) lockHeld(tx *gorm.DB, numbers []string) (map[string]*approvalRow, error) {
	numbers = slices.Compact(slices.Sorted(slices.Values(numbers)))
	held := make(map[string]*approvalRow, len(numbers))
	for start := 0; start < len(numbers); start += inChunk {
		q := tx.Where("number IN ?", numbers[start:min(start+inChunk, len(numbers))]).Order("number")
		if s.Dialect == "postgres" {
			q = q.Clauses(clause.Locking{Strength: "UPDATE"})
		}
		var rows []*approvalRow
		if err := q.Find(&rows).Error; err != nil {
			return nil, fmt.Errorf("store: find approvals: %w", err)
		}
		for _, r := range rows {
			held[r.Number] = r
		}
	}
	return held, nil
}

// followers answers the users following each of the records ids, in the
// order of their ids.
func (s *Approvals) followers(tx *gorm.DB, ids []int64) (map[int64][]int64, error) {
	out := map[int64][]int64{}
	for start := 0; start < len(ids); start += inChunk {
		var rows []approvalFollowerRow
		err := tx.Select("approval_id, user_id").Where("approval_id IN ?", ids[start:min(start+inChunk, len(ids))]).
			Order("approval_id, user_id").Find(&rows).Error
		if err != nil {
			return nil, fmt.Errorf("store: approval followers: %w", err)
		}
		for _, r := range rows {
			out[r.ApprovalID] = append(out[r.ApprovalID], r.UserID)
		}
	}
	return out, nil
}

// FindByTail answers the record with its timeline; a wrong tail is the same
// ENOTFOUND as an unknown number (one query, one answer).
func (s *Approvals) FindByTail(ctx context.Context, number, tail string) (*approval.Record, error) {
	var row approvalRow
	err := s.db.WithContext(ctx).Where("number = ? AND tail_hash = ?", number, s.tailHash(number, tail)).Take(&row).Error
	if err != nil {
		return nil, notFound(err, "approval", number)
	}
	r := row.record()
	if r.Events, err = s.events(ctx, r.ID); err != nil {
		return nil, err
	}
	return r, nil
}

func (s *Approvals) events(ctx context.Context, id int64) ([]approval.Event, error) {
	var rows []approvalEventRow
	if err := s.db.WithContext(ctx).Where("approval_id = ?", id).Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: approval events %d: %w", id, err)
	}
	out := make([]approval.Event, len(rows))
	for i := range rows {
		out[i] = rows[i].event()
	}
	return out, nil
}

// CurrentStates answers the status and version held of each known number.
func (s *Approvals) CurrentStates(ctx context.Context, numbers []string) (map[string]approval.Record, error) {
	out := map[string]approval.Record{}
	for start := 0; start < len(numbers); start += inChunk {
		var rows []approvalRow
		chunk := numbers[start:min(start+inChunk, len(numbers))]
		if err := s.db.WithContext(ctx).Select("number, department, status, version").Where("number IN ?", chunk).Find(&rows).Error; err != nil {
			return nil, fmt.Errorf("store: approval states: %w", err)
		}
		for _, r := range rows {
			out[r.Number] = approval.Record{Number: r.Number, Department: r.Department, Status: approval.Status(r.Status), Version: r.Version}
		}
	}
	return out, nil
}

func (s *Approvals) Follow(ctx context.Context, recordID, userID int64, at time.Time) error {
	err := s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).
		Create(&approvalFollowerRow{ApprovalID: recordID, UserID: userID, CreatedAt: at.UTC()}).Error
	if err != nil {
		return fmt.Errorf("store: follow approval %d: %w", recordID, err)
	}
	return nil
}

func (s *Approvals) Unfollow(ctx context.Context, number string, userID int64) error {
	res := s.db.WithContext(ctx).Where("user_id = ? AND approval_id IN (SELECT id FROM approvals WHERE number = ?)", userID, number).
		Delete(&approvalFollowerRow{})
	if res.Error != nil {
		return fmt.Errorf("store: unfollow approval %s: %w", number, res.Error)
	}
	if res.RowsAffected == 0 {
		return guanjia.Errorf(guanjia.ENOTFOUND, "you do not follow application %s", number)
	}
	return nil
}

func (s *Approvals) ListFollowed(ctx context.Context, userID int64) ([]*approval.Record, error) {
	var rows []approvalRow
	err := s.db.WithContext(ctx).Where("id IN (SELECT approval_id FROM approval_followers WHERE user_id = ?)", userID).
		Order("changed_at DESC, id DESC").Limit(100).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: followed approvals: %w", err)
	}
	out := mapRows(rows, (*approvalRow).record)
	if len(out) == 0 {
		return out, nil
	}
	ids := make([]int64, len(out))
	for i, r := range out {
		ids[i] = r.ID
	}
	var events []approvalEventRow
	if err := s.db.WithContext(ctx).Where("approval_id IN ?", ids).Order("approval_id, id").Find(&events).Error; err != nil {
		return nil, fmt.Errorf("store: followed approval events: %w", err)
	}
	byRecord := map[int64][]approval.Event{}
	for i := range events {
		byRecord[events[i].ApprovalID] = append(byRecord[events[i].ApprovalID], events[i].event())
	}
	for _, r := range out {
		r.Events = byRecord[r.ID]
		if r.Events == nil {
			r.Events = []approval.Event{}
		}
	}
	return out, nil
}

func (s *Approvals) RecentEvents(ctx context.Context, department string, limit int) ([]approval.Event, error) {
	var rows []approvalEventRow
	q := s.db.WithContext(ctx)
	if department != "" {
		q = q.Where("approval_id IN (SELECT id FROM approvals WHERE department = ?)", department)
	}
	if err := q.Order("id DESC").Limit(limit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: recent approval events: %w", err)
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ApprovalID
	}
	var records []approvalRow
	if err := s.db.WithContext(ctx).Select("id, number, matter").Where("id IN ?", ids).Find(&records).Error; err != nil {
		return nil, fmt.Errorf("store: recent approval events: %w", err)
	}
	byID := map[int64]approvalRow{}
	for _, r := range records {
		byID[r.ID] = r
	}
	out := make([]approval.Event, len(rows))
	for i := range rows {
		out[i] = rows[i].event()
		out[i].Number, out[i].Matter = byID[rows[i].ApprovalID].Number, byID[rows[i].ApprovalID].Matter
	}
	return out, nil
}

var _ approval.Store = (*Approvals)(nil)
