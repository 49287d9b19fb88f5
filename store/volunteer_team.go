package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"guanjia"
	"guanjia/volunteer"
)

// Teams keeps the volunteers' real-name certifications, their teams and
// members, and the help requests teams take on.
type Teams struct{ *conn }

type volunteerRow struct {
	ID           int64 `gorm:"primaryKey"`
	UserID       int64
	Name         string
	IDNumberEnc  string `gorm:"column:id_number_enc"`
	IDNumberHash string `gorm:"column:id_number_hash"`
	PhoneEnc     string
	Skills       string
	Availability string
	CertifiedAt  time.Time
}

func (volunteerRow) TableName() string { return "volunteers" }

// CreateVolunteer records a certification: the ID number and phone sealed,
// the ID number's keyed hash unique.
func (s *Teams) CreateVolunteer(ctx context.Context, v *guanjia.Volunteer) error {
	row := volunteerRow{UserID: v.UserID, Name: v.Name, IDNumberEnc: s.sealer.Seal(v.IDNumber),
		IDNumberHash: s.sealer.Hash(strings.ToUpper(v.IDNumber)), PhoneEnc: s.sealer.Seal(v.Phone),
		Skills: jsonList(v.Skills), Availability: v.Availability, CertifiedAt: v.CertifiedAt}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&row).Error; err != nil || len(v.Skills) == 0 {
			return err
		}
		skills := make([]skillRow, len(v.Skills))
		for i, sk := range v.Skills {
			skills[i] = skillRow{UserID: v.UserID, Skill: sk}
		}
		return tx.Create(&skills).Error
	})
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		// Either key may be taken; the user's own certification is checked first.
		var mine int64
		if err := s.db.WithContext(ctx).Model(&volunteerRow{}).Where("user_id = ?", v.UserID).Count(&mine).Error; err != nil {
			return fmt.Errorf("store: create volunteer: %w", err)
		}
		if mine > 0 {
			return guanjia.Errorf(guanjia.ECONFLICT, "you are already a certified volunteer")
		}
		return guanjia.FieldError(guanjia.ECONFLICT, "id_number", "this ID number is already certified on another account")
	} else if err != nil {
		return fmt.Errorf("store: create volunteer: %w", err)
	}
	v.ID = row.ID
	return nil
}

func (s *Teams) FindVolunteer(ctx context.Context, userID int64) (*guanjia.Volunteer, error) {
	var r volunteerRow
	if err := s.db.WithContext(ctx).Where("user_id = ?", userID).Take(&r).Error; err != nil {
		return nil, notFound(err, "volunteer", userID)
	}
	id, err := s.sealer.Open(r.IDNumberEnc)
	if err != nil {
		return nil, fmt.Errorf("store: volunteer %d id number: %w", r.ID, err)
	}
	phone, err := s.sealer.Open(r.PhoneEnc)
	if err != nil {
		return nil, fmt.Errorf("store: volunteer %d phone: %w", r.ID, err)
	}
	var noShows int64
	if err := s.db.WithContext(ctx).Model(&signupRow{}).Where("user_id = ? AND status = ?", userID, guanjia.SignupNoShow).
		Count(&noShows).Error; err != nil {
		return nil, fmt.Errorf("store: no-shows of user %d: %w", userID, err)
	}
	return &guanjia.Volunteer{ID: r.ID, UserID: r.UserID, Name: r.Name, IDNumber: id, Phone: phone,
		Skills: parseList(r.Skills), Availability: r.Availability, CertifiedAt: r.CertifiedAt.UTC(), NoShows: int(noShows)}, nil
}

// CertifiedVolunteers says which of users have a certification.
func (s *Teams) CertifiedVolunteers(ctx context.Context, users []int64) (map[int64]bool, error) {
	var ids []int64
	if err := s.db.WithContext(ctx).Model(&volunteerRow{}).Where("user_id IN ?", users).Pluck("user_id", &ids).Error; err != nil {
		return nil, fmt.Errorf("store: certified volunteers: %w", err)
	}
	out := make(map[int64]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

type teamRow struct {
	ID              int64 `gorm:"primaryKey"`
	Name            string
	Organisation    string
	CreditCode      string
	ContactName     string
	ContactPhoneEnc string
	District        string
	Address         string
	Lat, Lng        float64
	Status          string
	ReviewNote      string
	CreatedBy       int64
	CreatedAt       time.Time
	CertifiedAt     *time.Time
	Members         int    `gorm:"->;-:migration"` // read from a subquery, never written
	Applicant       string `gorm:"->;-:migration"` // likewise, on the review queue
}

func (teamRow) TableName() string { return "volunteer_teams" }

func (s *Teams) fromTeamRow(r *teamRow) (*guanjia.Team, error) {
	phone, err := s.sealer.Open(r.ContactPhoneEnc)
	if err != nil {
		return nil, fmt.Errorf("store: team %d phone: %w", r.ID, err)
	}
	return &guanjia.Team{ID: r.ID, Name: r.Name, Organisation: r.Organisation, CreditCode: r.CreditCode,
		ContactName: r.ContactName, ContactPhone: phone, District: r.District, Address: r.Address, Lat: r.Lat, Lng: r.Lng,
		Status: guanjia.TeamStatus(r.Status), ReviewNote: r.ReviewNote, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC(),
		CertifiedAt: utc(r.CertifiedAt), Members: r.Members, Applicant: r.Applicant}, nil
}

type memberRow struct {
	TeamID   int64 `gorm:"primaryKey"`
	UserID   int64 `gorm:"primaryKey"`
	Role     string
	JoinedAt time.Time
	Name     string `gorm:"->;-:migration"` // the volunteer's name, joined
}

func (memberRow) TableName() string { return "volunteer_team_members" }

// CreateTeam inserts a team, its applicant as admin and the application event.
func (s *Teams) CreateTeam(ctx context.Context, t *guanjia.Team, ev *guanjia.VolunteerEvent) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		row := teamRow{Name: t.Name, Organisation: t.Organisation, CreditCode: t.CreditCode, ContactName: t.ContactName,
			ContactPhoneEnc: s.sealer.Seal(t.ContactPhone), District: t.District, Address: t.Address, Lat: t.Lat, Lng: t.Lng,
			Status: string(t.Status), ReviewNote: t.ReviewNote, CreatedBy: t.CreatedBy, CreatedAt: t.CreatedAt, CertifiedAt: t.CertifiedAt}
		if err := tx.Omit("Members", "Applicant").Create(&row).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return guanjia.FieldError(guanjia.ECONFLICT, "name", "a team named %q already exists", t.Name)
			}
			return fmt.Errorf("store: create team: %w", err)
		}
		t.ID = row.ID
		if err := tx.Omit("Name").Create(&memberRow{TeamID: t.ID, UserID: t.CreatedBy, Role: guanjia.TeamRoleAdmin, JoinedAt: t.CreatedAt}).Error; err != nil {
			return fmt.Errorf("store: add team admin: %w", err)
		}
		return addVolunteerEvents(tx, t.ID, ev)
	})
}

func (s *Teams) UpdateTeamStatus(ctx context.Context, t *guanjia.Team, expect guanjia.TeamStatus, ev *guanjia.VolunteerEvent) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&teamRow{}).Where("id = ? AND status = ?", t.ID, expect).
			Updates(map[string]any{"status": t.Status, "review_note": t.ReviewNote, "certified_at": t.CertifiedAt})
		if res.Error != nil {
			return fmt.Errorf("store: update team %d: %w", t.ID, res.Error)
		}
		if res.RowsAffected == 0 {
			return guanjia.Errorf(guanjia.ECONFLICT, "team %d was changed by someone else; reload and try again", t.ID)
		}
		return addVolunteerEvents(tx, t.ID, ev)
	})
}

const teamColumns = "volunteer_teams.*, (SELECT COUNT(*) FROM volunteer_team_members m WHERE m.team_id = volunteer_teams.id) AS members"

// applicantColumn names each team's applicant in the same query: the review
// queue reads no row per team.
const applicantColumn = ", COALESCE((SELECT v.name FROM volunteers v WHERE v.user_id = volunteer_teams.created_by), '') AS applicant"

func (s *Teams) FindTeam(ctx context.Context, id int64) (*guanjia.Team, error) {
	var r teamRow
	if err := s.db.WithContext(ctx).Select(teamColumns).Where("id = ?", id).Take(&r).Error; err != nil {
		return nil, notFound(err, "team", id)
	}
	return s.fromTeamRow(&r)
}

func (s *Teams) ListTeams(ctx context.Context, f volunteer.TeamFilter) ([]*guanjia.Team, error) {
	columns := teamColumns
	if f.WithApplicant {
		columns += applicantColumn
	}
	q := s.db.WithContext(ctx).Select(columns)
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.MemberID != 0 {
		q = q.Where("id IN (SELECT team_id FROM volunteer_team_members WHERE user_id = ?)", f.MemberID)
	}
	if f.MinLat != nil {
		q = q.Where("lat BETWEEN ? AND ? AND lng BETWEEN ? AND ?", *f.MinLat, *f.MaxLat, *f.MinLng, *f.MaxLng)
	}
	if f.Limit <= 0 {
		f.Limit = 200
	}
	order := "id DESC"
	if f.OldestFirst {
		order = "id"
	}
	var rows []teamRow
	if err := q.Order(order).Limit(f.Limit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: list teams: %w", err)
	}
	out := make([]*guanjia.Team, 0, len(rows))
	for i := range rows {
		t, err := s.fromTeamRow(&rows[i])
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

func (s *Teams) AddTeamMember(ctx context.Context, m *guanjia.TeamMember) error {
	err := s.db.WithContext(ctx).Omit("Name").Create(&memberRow{TeamID: m.TeamID, UserID: m.UserID, Role: m.Role, JoinedAt: m.JoinedAt}).Error
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return guanjia.Errorf(guanjia.ECONFLICT, "you are already a member of this team")
	} else if err != nil {
		return fmt.Errorf("store: add team member: %w", err)
	}
	return nil
}

// ChangeTeamMember applies ch under a lock on the team's row (PostgreSQL;
// SQLite's IMMEDIATE transactions hold the write lock already), so the
// admins ch.Check counts are still the team's when the change is written.
func (s *Teams) ChangeTeamMember(ctx context.Context, ch *volunteer.TeamMemberChange) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		lock := tx.Model(&teamRow{})
		if s.Dialect == "postgres" {
			lock = lock.Clauses(clause.Locking{Strength: "UPDATE"})
		}
		var t teamRow
		if err := lock.Select("id").Where("id = ?", ch.TeamID).Take(&t).Error; err != nil {
			return notFound(err, "team", ch.TeamID)
		}
		if ch.Check != nil {
			var admins int64
			if err := tx.Model(&memberRow{}).Where("team_id = ? AND role = ?", ch.TeamID, guanjia.TeamRoleAdmin).Count(&admins).Error; err != nil {
				return fmt.Errorf("store: count admins of team %d: %w", ch.TeamID, err)
			}
			if err := ch.Check(int(admins)); err != nil {
				return err
			}
		}
		q := tx.Where("team_id = ? AND user_id = ? AND role = ?", ch.TeamID, ch.UserID, ch.ExpectRole)
		var res *gorm.DB
		if ch.Role == "" {
			res = q.Delete(&memberRow{})
		} else {
			res = q.Model(&memberRow{}).Update("role", ch.Role)
		}
		if res.Error != nil {
			return fmt.Errorf("store: change member %d of team %d: %w", ch.UserID, ch.TeamID, res.Error)
		}
		if res.RowsAffected == 0 {
			return guanjia.Errorf(guanjia.ECONFLICT, "user %d's place in team %d was changed meanwhile; reload and try again", ch.UserID, ch.TeamID)
		}
		return addVolunteerEvents(tx, ch.TeamID, ch.Event)
	})
}

const memberColumns = "volunteer_team_members.*, COALESCE((SELECT v.name FROM volunteers v WHERE v.user_id = volunteer_team_members.user_id), '') AS name"

func (r *memberRow) member() *guanjia.TeamMember {
	return &guanjia.TeamMember{TeamID: r.TeamID, UserID: r.UserID, Role: r.Role, Name: r.Name, JoinedAt: r.JoinedAt.UTC()}
}

func (s *Teams) FindTeamMember(ctx context.Context, teamID, userID int64) (*guanjia.TeamMember, error) {
	var r memberRow
	if err := s.db.WithContext(ctx).Select(memberColumns).Where("team_id = ? AND user_id = ?", teamID, userID).Take(&r).Error; err != nil {
		return nil, notFound(err, "team member", fmt.Sprintf("%d/%d", teamID, userID))
	}
	return r.member(), nil
}

func (s *Teams) ListTeamMembers(ctx context.Context, teamID int64) ([]*guanjia.TeamMember, error) {
	var rows []memberRow
	if err := s.db.WithContext(ctx).Select(memberColumns).Where("team_id = ?", teamID).Order("joined_at, user_id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: list members of team %d: %w", teamID, err)
	}
	return mapRows(rows, (*memberRow).member), nil
}

// TeamRoles answers the user's role in each team they belong to.
func (s *Teams) TeamRoles(ctx context.Context, userID int64) (map[int64]string, error) {
	var rows []memberRow
	if err := s.db.WithContext(ctx).Select("team_id, role").Where("user_id = ?", userID).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: team roles of user %d: %w", userID, err)
	}
	out := make(map[int64]string, len(rows))
	for _, r := range rows {
		out[r.TeamID] = r.Role
	}
	return out, nil
}

type helpRow struct {
	ID          int64 `gorm:"primaryKey"`
	RequesterID int64
	Title       string
	Description string
	Address     string
	Lat, Lng    float64
	CoordSystem string
	NeededAt    time.Time
	Status      string
	TeamID      *int64
	ReviewNote  string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

func (helpRow) TableName() string { return "volunteer_help_requests" }

func (r *helpRow) help() *guanjia.HelpRequest {
	return &guanjia.HelpRequest{ID: r.ID, RequesterID: r.RequesterID, Title: r.Title, Description: r.Description, Address: r.Address,
		Lat: r.Lat, Lng: r.Lng, CoordSystem: r.CoordSystem, NeededAt: r.NeededAt.UTC(), Status: guanjia.HelpStatus(r.Status),
		TeamID: r.TeamID, ReviewNote: r.ReviewNote, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

func (s *Teams) CreateHelpRequest(ctx context.Context, h *guanjia.HelpRequest, ev *guanjia.VolunteerEvent) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		row := helpRow{RequesterID: h.RequesterID, Title: h.Title, Description: h.Description, Address: h.Address, Lat: h.Lat, Lng: h.Lng,
			CoordSystem: h.CoordSystem, NeededAt: h.NeededAt, Status: string(h.Status), TeamID: h.TeamID, ReviewNote: h.ReviewNote,
			CreatedAt: h.CreatedAt, UpdatedAt: h.UpdatedAt}
		if err := tx.Create(&row).Error; err != nil {
			return fmt.Errorf("store: create help request: %w", err)
		}
		h.ID = row.ID
		return addVolunteerEvents(tx, h.ID, ev)
	})
}

func (s *Teams) SaveHelpRequest(ctx context.Context, h *guanjia.HelpRequest, expect guanjia.HelpStatus, ev *guanjia.VolunteerEvent) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&helpRow{}).Where("id = ? AND status = ?", h.ID, expect).
			Updates(map[string]any{"status": h.Status, "team_id": h.TeamID, "review_note": h.ReviewNote, "updated_at": h.UpdatedAt})
		if res.Error != nil {
			return fmt.Errorf("store: update help request %d: %w", h.ID, res.Error)
		}
		if res.RowsAffected == 0 {
			return guanjia.Errorf(guanjia.ECONFLICT, "help request %d was changed by someone else; reload and try again", h.ID)
		}
		return addVolunteerEvents(tx, h.ID, ev)
	})
}

func (s *Teams) FindHelpRequest(ctx context.Context, id int64) (*guanjia.HelpRequest, error) {
	var r helpRow
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		return nil, notFound(err, "help request", id)
	}
	return r.help(), nil
}

func (s *Teams) ListHelpRequests(ctx context.Context, f volunteer.HelpFilter) ([]*guanjia.HelpRequest, error) {
	q := s.db.WithContext(ctx)
	if len(f.Status) > 0 {
		q = q.Where("status IN ?", f.Status)
	}
	if f.RequesterID != 0 {
		q = q.Where("requester_id = ?", f.RequesterID)
	}
	if f.TeamID != 0 {
		q = q.Where("team_id = ?", f.TeamID)
	}
	if f.NotLapsedAt != nil {
		q = q.Where("NOT (status IN ? AND needed_at <= ?)", volunteer.HelpWaiting, *f.NotLapsedAt)
	}
	if f.Limit <= 0 {
		f.Limit = 200
	}
	var rows []helpRow
	if err := q.Order("id DESC").Limit(f.Limit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: list help requests: %w", err)
	}
	return mapRows(rows, (*helpRow).help), nil
}
