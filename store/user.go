package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"guanjia"
)

// Users keeps accounts, their sessions and their audit trail:
// guanjia.UserStore, SessionStore and UserAdminStore.
type Users struct{ *conn }

var (
	_ guanjia.UserStore      = (*Users)(nil)
	_ guanjia.SessionStore   = (*Users)(nil)
	_ guanjia.UserAdminStore = (*Users)(nil)
)

type userRow struct {
	ID           int64 `gorm:"primaryKey"`
	Username     *string
	PasswordHash string
	Role         string
	Name         string
	PhoneEnc     string
	PhoneHash    string
	UnitCode     string
	GridID       string
	OpenID       *string `gorm:"column:openid"`
	UnionID      string  `gorm:"column:unionid"`
	WeComUserID  string  `gorm:"column:wecom_userid"`
	OnDuty       bool
	Lat, Lng     float64
	PositionAt   *time.Time
	CreatedAt    time.Time
	DisabledAt   *time.Time
}

func (userRow) TableName() string { return "users" }

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func (s *Users) toUserRow(u *guanjia.User) *userRow {
	return &userRow{
		ID: u.ID, Username: nullable(u.Username), PasswordHash: u.PasswordHash, Role: string(u.Role),
		Name: u.Name, PhoneEnc: s.sealer.Seal(u.Phone), PhoneHash: s.sealer.Hash(u.Phone),
		UnitCode: u.UnitCode, GridID: u.GridID, OpenID: nullable(u.OpenID), UnionID: u.UnionID,
		WeComUserID: u.WeComUserID, OnDuty: u.OnDuty, Lat: u.Lat, Lng: u.Lng, PositionAt: u.PositionAt,
		CreatedAt: u.CreatedAt, DisabledAt: u.DisabledAt,
	}
}

// fromUserRow is shared: Complaints answers crew members as users too.
func (s *conn) fromUserRow(r *userRow) (*guanjia.User, error) {
	phone, err := s.sealer.Open(r.PhoneEnc)
	if err != nil {
		return nil, err
	}
	return &guanjia.User{
		ID: r.ID, Username: deref(r.Username), PasswordHash: r.PasswordHash, Role: guanjia.Role(r.Role),
		Name: r.Name, Phone: phone, UnitCode: r.UnitCode, GridID: r.GridID, OpenID: deref(r.OpenID),
		UnionID: r.UnionID, WeComUserID: r.WeComUserID, OnDuty: r.OnDuty, Lat: r.Lat, Lng: r.Lng,
		PositionAt: r.PositionAt, CreatedAt: r.CreatedAt, DisabledAt: r.DisabledAt,
	}, nil
}

// CreateUser inserts u and sets its ID. A taken username or openid is ECONFLICT.
func (s *Users) CreateUser(ctx context.Context, u *guanjia.User) error {
	row, err := s.insertUser(s.db.WithContext(ctx), u)
	if err != nil {
		return err
	}
	u.ID = row.ID
	return nil
}

func (s *Users) insertUser(tx *gorm.DB, u *guanjia.User) (*userRow, error) {
	if u.CreatedAt.IsZero() {
		u.CreatedAt = s.Now()
	}
	row := s.toUserRow(u)
	if err := tx.Create(row).Error; err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return nil, guanjia.FieldError(guanjia.ECONFLICT, "username", "user %q already exists", u.Username+u.OpenID)
		}
		return nil, fmt.Errorf("store: create user: %w", err)
	}
	return row, nil
}

// CreateUserAudited creates an account with the audit line of its creation;
// see guanjia.UserAdminStore.
func (s *Users) CreateUserAudited(ctx context.Context, u *guanjia.User, created *guanjia.UserAudit) error {
	if created.At.IsZero() {
		created.At = s.Now()
	}
	var userID, auditID int64
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if u.UnitCode != "" {
			if err := unitExists(tx, u.Role, u.UnitCode); err != nil {
				return err
			}
		}
		if u.GridID != "" {
			if err := exists(tx, "grids", "id", u.GridID, "grid"); err != nil {
				return err
			}
		}
		row, err := s.insertUser(tx, u)
		if err != nil {
			return err
		}
		created.UserID = row.ID
		audit := toAuditRow(created)
		if err := tx.Create(audit).Error; err != nil {
			return fmt.Errorf("store: audit user %d: %w", row.ID, err)
		}
		userID, auditID = row.ID, audit.ID
		return nil
	})
	if err != nil {
		created.UserID = 0
		return err
	}
	u.ID, created.ID = userID, auditID
	return nil
}

// unitExists answers ENOTFOUND (field "unit") unless code is a unit of the
// kind role belongs to: a mediator's is a mediation committee, a
// department's a unit or a committee (司法行政 staff), anyone else's a unit.
func unitExists(tx *gorm.DB, role guanjia.Role, code string) error {
	switch role {
	case guanjia.RoleMediator:
		return exists(tx, "mediation_committees", "code", code, "unit")
	case guanjia.RoleDepartment:
		if err := exists(tx, "mediation_committees", "code", code, "unit"); guanjia.ErrorCode(err) != guanjia.ENOTFOUND {
			return err
		}
	}
	return exists(tx, "units", "code", code, "unit")
}

func (s *Users) findUser(ctx context.Context, what string, key any, query string) (*guanjia.User, error) {
	var row userRow
	if err := s.db.WithContext(ctx).Where(query, key).Take(&row).Error; err != nil {
		return nil, notFound(err, what, key)
	}
	return s.fromUserRow(&row)
}

func (s *Users) FindUserByID(ctx context.Context, id int64) (*guanjia.User, error) {
	return s.findUser(ctx, "user", id, "id = ?")
}

func (s *Users) FindUserByUsername(ctx context.Context, username string) (*guanjia.User, error) {
	return s.findUser(ctx, "user", username, "username = ?")
}

func (s *Users) FindUserByOpenID(ctx context.Context, openid string) (*guanjia.User, error) {
	return s.findUser(ctx, "user with openid", openid, "openid = ?")
}

// UpdateUserPhone stores a phone number encrypted, with its keyed hash for lookups.
func (s *Users) UpdateUserPhone(ctx context.Context, id int64, phone string) error {
	res := s.db.WithContext(ctx).Model(&userRow{}).Where("id = ?", id).
		Updates(map[string]any{"phone_enc": s.sealer.Seal(phone), "phone_hash": s.sealer.Hash(phone)})
	if res.Error != nil {
		return fmt.Errorf("store: update phone of user %d: %w", id, res.Error)
	} else if res.RowsAffected == 0 {
		return guanjia.Errorf(guanjia.ENOTFOUND, "user %d not found", id)
	}
	return nil
}

func (s *Users) UpdateCrewPosition(ctx context.Context, id int64, lat, lng float64, onDuty bool, at time.Time) error {
	res := s.db.WithContext(ctx).Model(&userRow{}).Where("id = ?", id).
		Updates(map[string]any{"lat": lat, "lng": lng, "on_duty": onDuty, "position_at": at})
	if res.Error != nil {
		return fmt.Errorf("store: update position of user %d: %w", id, res.Error)
	} else if res.RowsAffected == 0 {
		return guanjia.Errorf(guanjia.ENOTFOUND, "user %d not found", id)
	}
	return nil
}

// ListUsersByRole returns active staff of a role, optionally within one unit (leaders, dispatchers).
func (s *Users) ListUsersByRole(ctx context.Context, role guanjia.Role, unitCode string) ([]*guanjia.User, error) {
	q := s.db.WithContext(ctx).Where("role = ? AND disabled_at IS NULL", role) // the disabled are gone
	if unitCode != "" {
		q = q.Where("unit_code = ?", unitCode)
	}
	var rows []userRow
	if err := q.Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: list %s users: %w", role, err)
	}
	return s.fromUserRows(rows)
}

func (s *conn) fromUserRows(rows []userRow) ([]*guanjia.User, error) {
	out := make([]*guanjia.User, 0, len(rows))
	for i := range rows {
		u, err := s.fromUserRow(&rows[i])
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, nil
}

// CountUsers counts all users (an empty database gets the demo data in embedded mode).
func (s *Users) CountUsers(ctx context.Context) (int64, error) {
	var n int64
	if err := s.db.WithContext(ctx).Model(&userRow{}).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("store: count users: %w", err)
	}
	return n, nil
}
