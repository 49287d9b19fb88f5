package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"

	"guanjia"
	"guanjia/volunteer"
)

// Volunteers is 公益海口's store (migration 003_volunteer.sql): volunteer.Store.
// Teams keeps the people and their teams, Activities what they do together;
// the users are read from their own store.
type Volunteers struct {
	*conn
	*Teams
	*Activities
	users *Users
}

var _ volunteer.Store = (*Volunteers)(nil)

func (s *Volunteers) FindUserByID(ctx context.Context, id int64) (*guanjia.User, error) {
	return s.users.FindUserByID(ctx, id)
}

func jsonList(v []string) string {
	if len(v) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func parseList(s string) []string {
	var out []string
	decodeJSON("volunteer list", "", s, &out)
	return out
}

type vEventRow struct {
	ID         int64 `gorm:"primaryKey"`
	Subject    string
	SubjectID  int64
	Action     string
	FromStatus string
	ToStatus   string
	ActorID    *int64
	Note       string
	Lat, Lng   *float64
	At         time.Time
}

func (vEventRow) TableName() string { return "volunteer_events" }

// addVolunteerEvents inserts events; those without a subject id get subjectID.
func addVolunteerEvents(tx *gorm.DB, subjectID int64, events ...*guanjia.VolunteerEvent) error {
	rows := make([]vEventRow, 0, len(events))
	for _, e := range events {
		if e == nil {
			continue
		}
		if e.SubjectID == 0 {
			e.SubjectID = subjectID
		}
		rows = append(rows, vEventRow{Subject: e.Subject, SubjectID: e.SubjectID, Action: e.Action, FromStatus: e.From,
			ToStatus: e.To, ActorID: e.ActorID, Note: e.Note, Lat: e.Lat, Lng: e.Lng, At: e.At})
	}
	if len(rows) == 0 {
		return nil
	}
	if err := tx.CreateInBatches(rows, 500).Error; err != nil {
		return fmt.Errorf("store: add volunteer events: %w", err)
	}
	j := 0
	for _, e := range events {
		if e != nil {
			e.ID = rows[j].ID
			j++
		}
	}
	return nil
}

func (s *Volunteers) ListVolunteerEvents(ctx context.Context, subject string, id int64) ([]*guanjia.VolunteerEvent, error) {
	var rows []vEventRow
	if err := s.db.WithContext(ctx).Where("subject = ? AND subject_id = ?", subject, id).Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: list %s %d events: %w", subject, id, err)
	}
	out := make([]*guanjia.VolunteerEvent, len(rows))
	for i, r := range rows {
		out[i] = &guanjia.VolunteerEvent{ID: r.ID, Subject: r.Subject, SubjectID: r.SubjectID, Action: r.Action,
			From: r.FromStatus, To: r.ToStatus, ActorID: r.ActorID, Note: r.Note, Lat: r.Lat, Lng: r.Lng, At: r.At.UTC()}
	}
	return out, nil
}

// VolunteerStats counts the platform's headline figures.
func (s *Volunteers) VolunteerStats(ctx context.Context, monthStart, now time.Time) (guanjia.VolunteerStats, error) {
	var st guanjia.VolunteerStats
	db := s.db.WithContext(ctx)
	counts := []struct {
		dst *int
		q   *gorm.DB
	}{
		{&st.Teams, db.Model(&teamRow{}).Select("COUNT(*)").Where("status = ?", guanjia.TeamCertified)},
		{&st.Volunteers, db.Model(&volunteerRow{}).Select("COUNT(*)")},
		{&st.Activities, db.Model(&activityRow{}).Select("COUNT(*)").Where("status IN ?",
			[]guanjia.ActivityStatus{guanjia.ActivityPublished, guanjia.ActivityInProgress, guanjia.ActivityFinished})},
		{&st.ActivitiesUpcoming, db.Model(&activityRow{}).Select("COUNT(*)").Where("status = ? AND start_at > ?", guanjia.ActivityPublished, now)},
		{&st.TotalMinutes, db.Model(&hoursRow{}).Select("COALESCE(SUM(minutes), 0)")},
		{&st.MonthMinutes, db.Model(&hoursRow{}).Select("COALESCE(SUM(minutes), 0)").Where("created_at >= ?", monthStart)},
		{&st.HelpRequestsDone, db.Model(&helpRow{}).Select("COUNT(*)").Where("status = ?", guanjia.HelpDone)},
		// Open while help may still come: a request whose time passed has lapsed.
		{&st.HelpRequestsOpen, db.Model(&helpRow{}).Select("COUNT(*)").Where("status = ? AND needed_at > ?", guanjia.HelpPublished, now)},
	}
	for _, c := range counts {
		var n int64
		if err := c.q.Scan(&n).Error; err != nil {
			return st, fmt.Errorf("store: volunteer stats: %w", err)
		}
		*c.dst = int(n)
	}
	return st, nil
}
