package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"guanjia"
)

type sessionRow struct {
	ID        string `gorm:"primaryKey"`
	UserID    int64
	CreatedAt time.Time
	ExpiresAt time.Time
	RevokedAt *time.Time
	IP        string `gorm:"column:ip"`
}

func (sessionRow) TableName() string { return "sessions" }

// CreateSession records a sign-in. The user's sessions that expired are
// deleted on the way, so the table holds about one row per live sign-in.
func (s *Users) CreateSession(ctx context.Context, se *guanjia.Session) error {
	if se.CreatedAt.IsZero() {
		se.CreatedAt = s.Now()
	}
	row := sessionRow{ID: se.ID, UserID: se.UserID, CreatedAt: se.CreatedAt.UTC(), ExpiresAt: se.ExpiresAt.UTC(), IP: se.IP}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if se.Credential != "" {
			// Shared with other sign-ins, exclusive of ChangeUser's lock: a
			// change either commits first (the hash differs) or waits, and
			// then ends this session too.
			q := tx.Model(&userRow{}).Select("password_hash").Where("id = ?", se.UserID)
			if s.Dialect == "postgres" {
				q = q.Clauses(clause.Locking{Strength: "SHARE"})
			}
			var hash string
			if err := q.Take(&hash).Error; err != nil {
				return notFound(err, "user", se.UserID)
			}
			if hash != se.Credential {
				return guanjia.Errorf(guanjia.EUNAUTHORIZED, "wrong username or password")
			}
		}
		if err := tx.Where("user_id = ? AND expires_at < ?", se.UserID, se.CreatedAt.UTC()).Delete(&sessionRow{}).Error; err != nil {
			return fmt.Errorf("store: delete expired sessions of user %d: %w", se.UserID, err)
		}
		if err := tx.Create(&row).Error; err != nil {
			return fmt.Errorf("store: create session: %w", err)
		}
		return nil
	})
}

func (s *Users) FindSession(ctx context.Context, id string) (*guanjia.Session, error) {
	var r sessionRow
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		return nil, notFound(err, "session", id)
	}
	return &guanjia.Session{ID: r.ID, UserID: r.UserID, CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt, RevokedAt: r.RevokedAt, IP: r.IP}, nil
}

func (s *Users) RevokeSession(ctx context.Context, id string, at time.Time) error {
	err := s.db.WithContext(ctx).Model(&sessionRow{}).Where("id = ? AND revoked_at IS NULL", id).
		Update("revoked_at", at.UTC()).Error
	if err != nil {
		return fmt.Errorf("store: revoke session %s: %w", id, err)
	}
	return nil
}

// revokeUserSessions ends every live session of a user but keep.
func revokeUserSessions(tx *gorm.DB, userID int64, keep string, at time.Time) error {
	err := tx.Model(&sessionRow{}).Where("user_id = ? AND revoked_at IS NULL AND id <> ?", userID, keep).
		Update("revoked_at", at.UTC()).Error
	if err != nil {
		return fmt.Errorf("store: revoke sessions of user %d: %w", userID, err)
	}
	return nil
}

type userAuditRow struct {
	ID       int64 `gorm:"primaryKey"`
	At       time.Time
	ActorID  *int64
	Actor    string
	UserID   int64
	Event    string
	OldValue string
	NewValue string
}

func (userAuditRow) TableName() string { return "user_audit" }

func toAuditRow(a *guanjia.UserAudit) *userAuditRow {
	r := &userAuditRow{At: a.At.UTC(), Actor: a.By.Name, UserID: a.UserID, Event: string(a.Event), OldValue: a.From, NewValue: a.To}
	if a.By.ID != 0 {
		r.ActorID = &a.By.ID
	}
	return r
}

// AddUserAudit appends one line to an account's audit trail.
func (s *Users) AddUserAudit(ctx context.Context, a *guanjia.UserAudit) error {
	if a.At.IsZero() {
		a.At = s.Now()
	}
	row := toAuditRow(a)
	if err := s.db.WithContext(ctx).Create(row).Error; err != nil {
		return fmt.Errorf("store: audit user %d: %w", a.UserID, err)
	}
	a.ID = row.ID
	return nil
}

func (s *Users) ListUserAudit(ctx context.Context, userID, before int64, limit int) ([]*guanjia.UserAudit, error) {
	q := s.db.WithContext(ctx)
	if userID > 0 {
		q = q.Where("user_id = ?", userID)
	}
	if before > 0 {
		q = q.Where("id < ?", before)
	}
	var rows []userAuditRow
	if err := q.Order("id DESC").Limit(limit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: list user audit: %w", err)
	}
	return mapRows(rows, func(r *userAuditRow) *guanjia.UserAudit {
		a := &guanjia.UserAudit{ID: r.ID, At: r.At, By: guanjia.Actor{Name: r.Actor}, UserID: r.UserID,
			Event: guanjia.UserEvent(r.Event), From: r.OldValue, To: r.NewValue}
		if r.ActorID != nil {
			a.By.ID = *r.ActorID
		}
		return a
	}), nil
}

// ListUsers answers accounts for administrators, by id.
func (s *Users) ListUsers(ctx context.Context, f guanjia.UserFilter) ([]*guanjia.User, int, error) {
	q := s.db.WithContext(ctx).Model(&userRow{})
	if f.Role != "" {
		q = q.Where("role = ?", f.Role)
	}
	if f.UnitCode != "" {
		q = q.Where("unit_code = ?", f.UnitCode)
	}
	if f.Query != "" {
		like := "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(f.Query) + "%"
		q = q.Where(`(username LIKE ? ESCAPE '\' OR name LIKE ? ESCAPE '\')`, like, like)
	}
	if f.Disabled != nil {
		if *f.Disabled {
			q = q.Where("disabled_at IS NOT NULL")
		} else {
			q = q.Where("disabled_at IS NULL")
		}
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("store: count users: %w", err)
	}
	var rows []userRow
	if err := q.Order("id").Limit(f.Limit).Offset(f.Offset).Find(&rows).Error; err != nil {
		return nil, 0, fmt.Errorf("store: list users: %w", err)
	}
	users, err := s.fromUserRows(rows)
	return users, int(total), err
}

// ChangeUser applies an administrator's or the owner's change to an account;
// see guanjia.UserAdminStore.
func (s *Users) ChangeUser(ctx context.Context, ch guanjia.UserChange) (*guanjia.User, error) {
	if ch.At.IsZero() {
		ch.At = s.Now()
	}
	var out *guanjia.User
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		q := tx
		if s.Dialect == "postgres" { // SQLite's IMMEDIATE transactions hold the write lock already
			q = q.Clauses(clause.Locking{Strength: "UPDATE"})
		}
		var row userRow
		if err := q.Where("id = ?", ch.UserID).Take(&row).Error; err != nil {
			return notFound(err, "user", ch.UserID)
		}
		u, err := s.fromUserRow(&row)
		if err != nil {
			return err
		}
		e, err := editUser(tx, u, ch)
		if err != nil {
			return err
		}
		if len(e.updates) == 0 {
			out = u
			return nil
		}
		if err := u.Validate(); err != nil { // e.g. a crew member needs a unit
			return err
		}
		if err := tx.Model(&userRow{}).Where("id = ?", u.ID).Updates(e.updates).Error; err != nil {
			return fmt.Errorf("store: change user %d: %w", u.ID, err)
		}
		for _, a := range e.audit {
			if err := tx.Create(toAuditRow(a)).Error; err != nil {
				return fmt.Errorf("store: audit user %d: %w", u.ID, err)
			}
		}
		if e.endSessions {
			if err := revokeUserSessions(tx, u.ID, ch.KeepSession, ch.At); err != nil {
				return err
			}
		}
		out = u
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// userEdit is what a change does to an account: the columns to write, one
// audit line per changed attribute, and whether the user's sessions end.
type userEdit struct {
	updates     map[string]any
	audit       []*guanjia.UserAudit
	endSessions bool // a new role, unit or password, or disabling, signs the user out
}

// editUser applies ch to u, checking that a new unit or grid exists.
func editUser(tx *gorm.DB, u *guanjia.User, ch guanjia.UserChange) (*userEdit, error) {
	e := &userEdit{updates: map[string]any{}}
	note := func(ev guanjia.UserEvent, from, to string) {
		e.audit = append(e.audit, &guanjia.UserAudit{At: ch.At, By: ch.By, UserID: u.ID, Event: ev, From: from, To: to})
	}
	if ch.Role != nil && *ch.Role != u.Role {
		note(guanjia.UserRoleChanged, string(u.Role), string(*ch.Role))
		u.Role, e.updates["role"], e.endSessions = *ch.Role, string(*ch.Role), true
	}
	if ch.UnitCode != nil && *ch.UnitCode != u.UnitCode {
		if *ch.UnitCode != "" {
			if err := unitExists(tx, u.Role, *ch.UnitCode); err != nil { // u.Role is the new one
				return nil, err
			}
		}
		note(guanjia.UserUnitChanged, u.UnitCode, *ch.UnitCode)
		u.UnitCode, e.updates["unit_code"], e.endSessions = *ch.UnitCode, *ch.UnitCode, true
	}
	if ch.GridID != nil && *ch.GridID != u.GridID {
		if *ch.GridID != "" {
			if err := exists(tx, "grids", "id", *ch.GridID, "grid"); err != nil {
				return nil, err
			}
		}
		note(guanjia.UserGridChanged, u.GridID, *ch.GridID)
		u.GridID, e.updates["grid_id"] = *ch.GridID, *ch.GridID
	}
	if ch.Disabled != nil && *ch.Disabled != u.Disabled() {
		if *ch.Disabled {
			note(guanjia.UserDisabled, "", "")
			at := ch.At.UTC()
			u.DisabledAt, u.OnDuty = &at, false
			e.updates["disabled_at"], e.updates["on_duty"] = at, false // no new tasks for who is gone
			e.endSessions = true
		} else {
			note(guanjia.UserEnabled, "", "")
			u.DisabledAt, e.updates["disabled_at"] = nil, nil
		}
	}
	if ch.PasswordHash != nil {
		ev := ch.PasswordEvent
		if ev == "" {
			ev = guanjia.UserPasswordReset
		}
		note(ev, "", "")
		u.PasswordHash, e.updates["password_hash"], e.endSessions = *ch.PasswordHash, *ch.PasswordHash, true
	}
	return e, nil
}

// exists answers ENOTFOUND unless table has a row whose column is key.
func exists(tx *gorm.DB, table, column, key, what string) error {
	var n int64
	if err := tx.Table(table).Where(column+" = ?", key).Count(&n).Error; err != nil {
		return fmt.Errorf("store: find %s %s: %w", what, key, err)
	}
	if n == 0 {
		return guanjia.FieldError(guanjia.ENOTFOUND, what, "%s %v not found", what, key)
	}
	return nil
}
