package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"guanjia"
	"guanjia/volunteer"
)

// Skills, areas and invitations (migration 013_volunteer_match.sql): the
// volunteers' side is kept with Teams, the invitations with Activities.

type skillRow struct {
	UserID     int64  `gorm:"primaryKey"`
	Skill      string `gorm:"primaryKey"`
	VerifiedBy *int64
	VerifiedAt *time.Time
}

func (skillRow) TableName() string { return "volunteer_skills" }

// matchRow is the part of a volunteer's row that matching reads.
type matchRow struct {
	ID           int64
	UserID       int64
	Name         string
	Availability string
	Findable     bool
	AreaLat      *float64
	AreaLng      *float64
	AreaRadiusM  float64
}

// SaveMatchProfile replaces the volunteer's skills and area. A skill kept
// keeps its verification; the skills list on the certification follows.
func (s *Teams) SaveMatchProfile(ctx context.Context, p *volunteer.MatchProfile) error {
	names := make([]string, len(p.Skills))
	for i, e := range p.Skills {
		names[i] = e.Skill
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&volunteerRow{}).Where("user_id = ?", p.UserID).Updates(map[string]any{
			"skills": jsonList(names), "availability": p.Availability, "findable": p.Findable,
			"area_lat": p.Lat, "area_lng": p.Lng, "area_radius_m": p.RadiusM})
		if res.Error != nil {
			return fmt.Errorf("store: save volunteer %d profile: %w", p.UserID, res.Error)
		} else if res.RowsAffected == 0 {
			return guanjia.Errorf(guanjia.ENOTFOUND, "volunteer %d not found", p.UserID)
		}
		drop := tx.Where("user_id = ?", p.UserID)
		if len(names) > 0 {
			drop = drop.Where("skill NOT IN ?", names)
		}
		if err := drop.Delete(&skillRow{}).Error; err != nil {
			return fmt.Errorf("store: drop volunteer %d skills: %w", p.UserID, err)
		}
		if len(names) == 0 {
			return nil
		}
		rows := make([]skillRow, len(names))
		for i, n := range names {
			rows[i] = skillRow{UserID: p.UserID, Skill: n}
		}
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&rows).Error; err != nil {
			return fmt.Errorf("store: add volunteer %d skills: %w", p.UserID, err)
		}
		return nil
	})
}

func (s *Teams) MatchProfile(ctx context.Context, userID int64) (*volunteer.MatchProfile, error) {
	var r matchRow
	if err := s.db.WithContext(ctx).Table("volunteers").Where("user_id = ?", userID).Take(&r).Error; err != nil {
		return nil, notFound(err, "volunteer", userID)
	}
	skills, err := s.skillsOf(ctx, []int64{userID})
	if err != nil {
		return nil, err
	}
	return &volunteer.MatchProfile{UserID: userID, Skills: skills[userID], Availability: r.Availability,
		Findable: r.Findable, Lat: r.AreaLat, Lng: r.AreaLng, RadiusM: r.AreaRadiusM}, nil
}

func (s *Teams) skillsOf(ctx context.Context, users []int64) (map[int64][]volunteer.SkillEntry, error) {
	return s.skillsWhere(ctx, "user_id IN ?", users)
}

// TeamMemberSkills answers the skills of a team's members, by user id.
func (s *Teams) TeamMemberSkills(ctx context.Context, teamID int64) (map[int64][]volunteer.SkillEntry, error) {
	members := s.db.Model(&memberRow{}).Select("user_id").Where("team_id = ?", teamID)
	return s.skillsWhere(ctx, "user_id IN (?)", members)
}

func (s *Teams) skillsWhere(ctx context.Context, query string, args ...any) (map[int64][]volunteer.SkillEntry, error) {
	var rows []skillRow
	if err := s.db.WithContext(ctx).Where(query, args...).Order("user_id, skill").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: volunteer skills: %w", err)
	}
	out := map[int64][]volunteer.SkillEntry{}
	for _, r := range rows {
		e := volunteer.SkillEntry{Skill: r.Skill, VerifiedBy: r.VerifiedBy}
		if r.VerifiedAt != nil {
			at := r.VerifiedAt.UTC()
			e.VerifiedAt = &at
		}
		out[r.UserID] = append(out[r.UserID], e)
	}
	return out, nil
}

func (s *Teams) VerifySkill(ctx context.Context, userID int64, skill string, by *int64, at *time.Time) error {
	res := s.db.WithContext(ctx).Model(&skillRow{}).Where("user_id = ? AND skill = ?", userID, skill).
		Updates(map[string]any{"verified_by": by, "verified_at": at})
	if res.Error != nil {
		return fmt.Errorf("store: verify skill of volunteer %d: %w", userID, res.Error)
	} else if res.RowsAffected == 0 {
		return guanjia.FieldError(guanjia.ENOTFOUND, "skill", "the volunteer has not recorded %s", skill)
	}
	return nil
}

// Candidates reads volunteers with their skills and record: by id, or the
// findable ones whose area's centre lies in the box (holding the skill).
func (s *Teams) Candidates(ctx context.Context, q volunteer.CandidateQuery) ([]*volunteer.Candidate, error) {
	db := s.db.WithContext(ctx).Table("volunteers")
	if q.IDs != nil {
		db = db.Where("id IN ?", q.IDs)
	} else {
		db = db.Where("findable = ? AND area_lat IS NOT NULL", true)
		if q.MinLat != nil {
			db = db.Where("area_lat BETWEEN ? AND ? AND area_lng BETWEEN ? AND ?", *q.MinLat, *q.MaxLat, *q.MinLng, *q.MaxLng)
		}
		if q.Skill != "" {
			db = db.Where("user_id IN (?)", s.db.Model(&skillRow{}).Select("user_id").Where("skill = ?", q.Skill))
		}
	}
	var rows []matchRow
	if err := db.Order("id").Limit(q.Limit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: volunteer candidates: %w", err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	users := make([]int64, len(rows))
	for i, r := range rows {
		users[i] = r.UserID
	}
	skills, err := s.skillsOf(ctx, users)
	if err != nil {
		return nil, err
	}
	var minutes []struct {
		UserID  int64
		Minutes int
	}
	if err := s.db.WithContext(ctx).Model(&hoursRow{}).Select("user_id, COALESCE(SUM(minutes), 0) AS minutes").
		Where("user_id IN ?", users).Group("user_id").Scan(&minutes).Error; err != nil {
		return nil, fmt.Errorf("store: candidates' hours: %w", err)
	}
	var attended []struct {
		UserID int64
		Status string
		N      int
	}
	if err := s.db.WithContext(ctx).Model(&signupRow{}).Select("user_id, status, COUNT(*) AS n").
		Where("user_id IN ? AND status IN ?", users, []guanjia.SignupStatus{guanjia.SignupCheckedOut, guanjia.SignupNoShow}).
		Group("user_id, status").Scan(&attended).Error; err != nil {
		return nil, fmt.Errorf("store: candidates' attendance: %w", err)
	}
	byUser := make(map[int64]*volunteer.Candidate, len(rows))
	out := make([]*volunteer.Candidate, len(rows))
	for i, r := range rows {
		c := &volunteer.Candidate{VolunteerID: r.ID, UserID: r.UserID, Name: r.Name, Findable: r.Findable,
			Lat: r.AreaLat, Lng: r.AreaLng, Skills: skills[r.UserID], Availability: r.Availability}
		out[i], byUser[r.UserID] = c, c
	}
	for _, m := range minutes {
		byUser[m.UserID].Minutes = m.Minutes
	}
	for _, a := range attended {
		if a.Status == string(guanjia.SignupNoShow) {
			byUser[a.UserID].NoShows = a.N
		} else {
			byUser[a.UserID].Completed = a.N
		}
	}
	return out, nil
}

type invitationRow struct {
	ID         int64 `gorm:"primaryKey"`
	ActivityID int64
	UserID     int64
	InvitedBy  int64
	Status     string
	SignupID   *int64
	CreatedAt  time.Time
	DecidedAt  *time.Time
	// Read from the volunteer's and the activity's rows, never written.
	VolunteerID int64     `gorm:"->;-:migration"`
	Name        string    `gorm:"->;-:migration"`
	ExpiresAt   time.Time `gorm:"->;-:migration"`
}

func (invitationRow) TableName() string { return "volunteer_invitations" }

func (r *invitationRow) invitation() *volunteer.Invitation {
	inv := &volunteer.Invitation{ID: r.ID, ActivityID: r.ActivityID, UserID: r.UserID, InvitedBy: r.InvitedBy,
		Status: r.Status, ExpiresAt: r.ExpiresAt.UTC(), SignupID: r.SignupID, CreatedAt: r.CreatedAt.UTC(),
		VolunteerID: r.VolunteerID, Name: r.Name}
	if r.DecidedAt != nil {
		at := r.DecidedAt.UTC()
		inv.DecidedAt = &at
	}
	return inv
}

// CreateInvitations inserts the invitations that do not exist yet, with
// their messages in the same transaction, and fills every one in from its
// row, new or old.
func (s *Activities) CreateInvitations(ctx context.Context, invs []*volunteer.Invitation) error {
	if len(invs) == 0 {
		return nil
	}
	users := make([]int64, len(invs))
	added := map[int64]bool{}
	// One insert per invitation (at most a page of them): RowsAffected says
	// which were new, which a batch insert that skips conflicts cannot.
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for i, inv := range invs {
			users[i] = inv.UserID
			row := invitationRow{ActivityID: inv.ActivityID, UserID: inv.UserID, InvitedBy: inv.InvitedBy, Status: inv.Status,
				CreatedAt: inv.CreatedAt}
			res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&row)
			if res.Error != nil {
				return fmt.Errorf("store: create invitation: %w", res.Error)
			}
			added[inv.UserID] = res.RowsAffected > 0
			inv.NotificationIDs = nil
			if res.RowsAffected > 0 {
				ids, err := queueNotifications(tx, inv.Messages, 0, s.Now())
				if err != nil {
					return err
				}
				inv.NotificationIDs = ids
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	stored, err := s.listInvitations(ctx, s.db.Where("i.activity_id = ? AND i.user_id IN ?", invs[0].ActivityID, users), len(invs))
	if err != nil {
		return err
	}
	byUser := map[int64]*volunteer.Invitation{}
	for _, inv := range stored {
		byUser[inv.UserID] = inv
	}
	for _, inv := range invs {
		if got := byUser[inv.UserID]; got != nil {
			msgs, ids := inv.Messages, inv.NotificationIDs
			*inv = *got
			inv.New, inv.Messages, inv.NotificationIDs = added[inv.UserID], msgs, ids
		}
	}
	return nil
}

// listInvitations reads invitations with the volunteer's name and, as when
// each expires, the activity's signup deadline as it is now (migration 028).
func (s *Activities) listInvitations(ctx context.Context, q *gorm.DB, limit int) ([]*volunteer.Invitation, error) {
	var rows []invitationRow
	err := q.WithContext(ctx).Table("volunteer_invitations AS i").
		Select("i.*, v.id AS volunteer_id, v.name AS name, a.signup_deadline AS expires_at").
		Joins("JOIN volunteers v ON v.user_id = i.user_id").
		Joins("JOIN volunteer_activities a ON a.id = i.activity_id").Order("i.id DESC").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: list invitations: %w", err)
	}
	out := make([]*volunteer.Invitation, len(rows))
	for i := range rows {
		out[i] = rows[i].invitation()
	}
	return out, nil
}

func (s *Activities) FindInvitation(ctx context.Context, id int64) (*volunteer.Invitation, error) {
	invs, err := s.listInvitations(ctx, s.db.Where("i.id = ?", id), 1)
	if err != nil {
		return nil, err
	}
	if len(invs) == 0 {
		return nil, guanjia.Errorf(guanjia.ENOTFOUND, "invitation %d not found", id)
	}
	return invs[0], nil
}

func (s *Activities) ListInvitations(ctx context.Context, f volunteer.InvitationFilter) ([]*volunteer.Invitation, error) {
	q := s.db.Session(&gorm.Session{NewDB: true})
	if f.ActivityID != 0 {
		q = q.Where("i.activity_id = ?", f.ActivityID)
	}
	if f.UserID != 0 {
		q = q.Where("i.user_id = ?", f.UserID)
	}
	return s.listInvitations(ctx, q, f.Limit)
}

func (s *Activities) SaveInvitation(ctx context.Context, inv *volunteer.Invitation, expect string) error {
	res := s.db.WithContext(ctx).Model(&invitationRow{}).Where("id = ? AND status = ?", inv.ID, expect).
		Updates(map[string]any{"status": inv.Status, "signup_id": inv.SignupID, "decided_at": inv.DecidedAt})
	if res.Error != nil {
		return fmt.Errorf("store: save invitation %d: %w", inv.ID, res.Error)
	} else if res.RowsAffected == 0 {
		return guanjia.Errorf(guanjia.ECONFLICT, "the invitation was answered meanwhile")
	}
	return nil
}
