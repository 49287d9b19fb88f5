package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"guanjia"
	"guanjia/credit"
)

// Standings to act for a credit subject (migration 009_credit_repair.sql).

type creditRepresentativeRow struct {
	ID           int64 `gorm:"primaryKey"`
	SubjectID    int64
	UserID       int64
	Basis        string
	Name         string
	Department   string
	EntryID      *int64
	DocumentKey  string
	DocumentType string
	DocumentSize int64
	Status       string
	DecidedBy    *int64
	DecisionNote string
	DecidedAt    *time.Time
	CreatedAt    time.Time
}

func (creditRepresentativeRow) TableName() string { return "credit_representatives" }

func (r *creditRepresentativeRow) representative() *credit.Representative {
	return &credit.Representative{ID: r.ID, SubjectID: r.SubjectID, UserID: r.UserID, Basis: credit.Basis(r.Basis), Name: r.Name,
		Department: r.Department, EntryID: r.EntryID, DocumentKey: r.DocumentKey, DocumentType: r.DocumentType,
		DocumentSize: r.DocumentSize, Status: credit.RepresentativeStatus(r.Status), DecidedBy: r.DecidedBy,
		DecisionNote: r.DecisionNote, DecidedAt: utc(r.DecidedAt), CreatedAt: r.CreatedAt.UTC()}
}

func (s *Credit) CreateRepresentative(ctx context.Context, r *credit.Representative, notices credit.Notices[*credit.Representative]) ([]int64, error) {
	row := &creditRepresentativeRow{SubjectID: r.SubjectID, UserID: r.UserID, Basis: string(r.Basis), Name: r.Name,
		Department: r.Department, EntryID: r.EntryID, DocumentKey: r.DocumentKey, DocumentType: r.DocumentType,
		DocumentSize: r.DocumentSize, Status: string(r.Status), DecidedBy: r.DecidedBy, DecisionNote: r.DecisionNote,
		DecidedAt: r.DecidedAt, CreatedAt: r.CreatedAt}
	var queued []int64
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(row).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return guanjia.Errorf(guanjia.ECONFLICT, "you already stand for this subject")
			}
			return fmt.Errorf("store: create credit representative: %w", err)
		}
		r.ID = row.ID
		var err error
		queued, err = writeNotices(tx, notices, r, r.CreatedAt)
		return err
	})
	return queued, err
}

func (s *Credit) FindRepresentative(ctx context.Context, id int64) (*credit.Representative, error) {
	var row creditRepresentativeRow
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return nil, notFound(err, "representative", id)
	}
	r := row.representative()
	sub, err := s.FindSubject(ctx, r.SubjectID)
	if err != nil {
		return nil, err
	}
	r.Subject = sub
	return r, nil
}

func (s *Credit) ListRepresentatives(ctx context.Context, f credit.RepresentativeFilter) ([]*credit.Representative, int, error) {
	q := s.db.WithContext(ctx).Model(&creditRepresentativeRow{})
	if f.SubjectID != 0 {
		q = q.Where("subject_id = ?", f.SubjectID)
	}
	if f.UserID != 0 {
		q = q.Where("user_id = ?", f.UserID)
	}
	if f.Department != "" {
		q = q.Where("department = ?", f.Department)
	}
	if f.Basis != "" {
		q = q.Where("basis = ?", f.Basis)
	}
	if len(f.Status) > 0 {
		q = q.Where("status IN ?", f.Status)
	}
	if !f.Since.IsZero() {
		q = q.Where("created_at >= ?", f.Since)
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	var total int64
	if f.CountTotal {
		if err := q.Count(&total).Error; err != nil {
			return nil, 0, fmt.Errorf("store: count credit representatives: %w", err)
		}
	}
	var rows []creditRepresentativeRow
	if err := q.Order("id DESC").Offset(f.Offset).Limit(f.Limit).Find(&rows).Error; err != nil {
		return nil, 0, fmt.Errorf("store: list credit representatives: %w", err)
	}
	out := mapRows(rows, (*creditRepresentativeRow).representative)
	if len(out) == 0 {
		return out, int(total), nil
	}
	ids := make([]int64, len(out))
	for i, r := range out {
		ids[i] = r.SubjectID
	}
	var subs []creditSubjectRow
	if err := s.db.WithContext(ctx).Where("id IN ?", ids).Find(&subs).Error; err != nil {
		return nil, 0, fmt.Errorf("store: subjects of credit representatives: %w", err)
	}
	byID := make(map[int64]*guanjia.CreditSubject, len(subs))
	for i := range subs {
		byID[subs[i].ID] = subs[i].subject()
	}
	for _, r := range out {
		r.Subject = byID[r.SubjectID]
	}
	return out, int(total), nil
}

// DecideRepresentative saves a decision, guarded by the standing still being pending.
func (s *Credit) DecideRepresentative(ctx context.Context, r *credit.Representative, messages []guanjia.Message) ([]int64, error) {
	var queued []int64
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&creditRepresentativeRow{}).Where("id = ? AND status = ?", r.ID, credit.RepresentativePending).
			Updates(map[string]any{"status": r.Status, "decided_by": r.DecidedBy, "decision_note": r.DecisionNote, "decided_at": r.DecidedAt})
		if res.Error != nil {
			return fmt.Errorf("store: decide credit representative %d: %w", r.ID, res.Error)
		} else if res.RowsAffected == 0 {
			return guanjia.Errorf(guanjia.ECONFLICT, "representative %d was already decided", r.ID)
		}
		var err error
		queued, err = queueNotifications(tx, messages, 0, s.Now())
		return err
	})
	return queued, err
}

// MatchSubjectIDNumber compares keyed hashes: the registered number is never decrypted.
func (s *Credit) MatchSubjectIDNumber(ctx context.Context, subjectID int64, idNumber string) (registered, match bool, err error) {
	var hashes []string
	if err := s.db.WithContext(ctx).Model(&creditSubjectRow{}).Where("id = ?", subjectID).Pluck("id_hash", &hashes).Error; err != nil {
		return false, false, fmt.Errorf("store: ID number of credit subject %d: %w", subjectID, err)
	}
	if len(hashes) == 0 {
		return false, false, guanjia.Errorf(guanjia.ENOTFOUND, "%s %v not found", "credit subject", subjectID)
	}
	if hashes[0] == "" {
		return false, false, nil
	}
	return true, hashes[0] == s.sealer.Hash(strings.ToUpper(idNumber)), nil
}

// MatchRealName looks at 公益海口's real-name certification (volunteers).
func (s *Credit) MatchRealName(ctx context.Context, userID int64, idNumber string) (certified, match bool, err error) {
	var hashes []string
	if err := s.db.WithContext(ctx).Model(&volunteerRow{}).Where("user_id = ?", userID).Pluck("id_number_hash", &hashes).Error; err != nil {
		return false, false, fmt.Errorf("store: real-name certification of user %d: %w", userID, err)
	}
	if len(hashes) == 0 {
		return false, false, nil
	}
	return true, hashes[0] == s.sealer.Hash(strings.ToUpper(idNumber)), nil
}
