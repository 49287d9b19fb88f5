package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"guanjia"
	"guanjia/credit"
)

// 信用修复 applications.

type creditRepairRow struct {
	ID               int64 `gorm:"primaryKey"`
	EntryID          int64
	Department       string
	ApplicantID      int64
	Basis            string
	RepresentativeID *int64
	Reason           string
	Evidence         string
	Status           string
	DecidedBy        *int64
	DecisionNote     string
	DecidedAt        *time.Time
	CreatedAt        time.Time
}

func (creditRepairRow) TableName() string { return "credit_repairs" }

func (r *creditRepairRow) repair() *credit.Repair {
	return &credit.Repair{ID: r.ID, EntryID: r.EntryID, Department: r.Department, ApplicantID: r.ApplicantID,
		Basis: credit.Basis(r.Basis), Representative: r.RepresentativeID, Reason: r.Reason, Evidence: r.Evidence, Status: credit.RepairStatus(r.Status), DecidedBy: r.DecidedBy,
		DecisionNote: r.DecisionNote, DecidedAt: utc(r.DecidedAt), CreatedAt: r.CreatedAt.UTC()}
}

// CreateRepair files an application, its event and its notices; a second
// pending application of the same applicant for the same entry is ECONFLICT.
func (s *Credit) CreateRepair(ctx context.Context, r *credit.Repair, ev *guanjia.CreditEvent, notices credit.Notices[*credit.Repair]) ([]int64, error) {
	var queued []int64
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		row := &creditRepairRow{EntryID: r.EntryID, Department: r.Department, ApplicantID: r.ApplicantID, Basis: string(r.Basis),
			RepresentativeID: r.Representative, Reason: r.Reason, Evidence: r.Evidence, Status: string(r.Status), CreatedAt: r.CreatedAt}
		if err := tx.Create(row).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return guanjia.FieldError(guanjia.ECONFLICT, "entry_id", "you already have a repair of this entry pending")
			}
			return fmt.Errorf("store: create repair: %w", err)
		}
		r.ID = row.ID
		ev.RepairID = &r.ID
		er := toCreditEventRow(ev)
		if err := tx.Create(er).Error; err != nil {
			return fmt.Errorf("store: add repair event: %w", err)
		}
		ev.ID = er.ID
		var err error
		queued, err = writeNotices(tx, notices, r, r.CreatedAt)
		return err
	})
	return queued, err
}

func (s *Credit) FindRepair(ctx context.Context, id int64) (*credit.Repair, error) {
	var row creditRepairRow
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return nil, notFound(err, "repair", id)
	}
	return row.repair(), nil
}

func (s *Credit) ListRepairs(ctx context.Context, f credit.RepairFilter) ([]*credit.Repair, int, error) {
	q := s.db.WithContext(ctx).Model(&creditRepairRow{})
	if f.EntryID != 0 {
		q = q.Where("entry_id = ?", f.EntryID)
	}
	if f.Department != "" {
		q = q.Where("department = ?", f.Department)
	}
	if f.ApplicantID != 0 {
		q = q.Where("applicant_id = ?", f.ApplicantID)
	}
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	var total int64
	if f.CountTotal {
		if err := q.Count(&total).Error; err != nil {
			return nil, 0, fmt.Errorf("store: count repairs: %w", err)
		}
	}
	var rows []creditRepairRow
	if err := q.Order("id DESC").Offset(f.Offset).Limit(f.Limit).Find(&rows).Error; err != nil {
		return nil, 0, fmt.Errorf("store: list repairs: %w", err)
	}
	out := make([]*credit.Repair, len(rows))
	entries := make([]*guanjia.CreditEntry, 0, len(rows))
	for i := range rows {
		out[i] = rows[i].repair()
	}
	if len(rows) > 0 {
		ids := make([]int64, len(rows))
		for i := range rows {
			ids[i] = rows[i].EntryID
		}
		var erows []creditEntryRow
		if err := s.db.WithContext(ctx).Where("id IN ?", ids).Find(&erows).Error; err != nil {
			return nil, 0, fmt.Errorf("store: entries of repairs: %w", err)
		}
		byID := map[int64]*guanjia.CreditEntry{}
		for i := range erows {
			e := erows[i].entry()
			byID[e.ID] = e
			entries = append(entries, e)
		}
		if err := s.fillSubjects(ctx, s.db, entries); err != nil {
			return nil, 0, err
		}
		for _, r := range out {
			r.Entry = byID[r.EntryID]
		}
	}
	return out, int(total), nil
}

// UserNames reads the users' display names (guanjia.User.DisplayName) in one query.
func (s *Credit) UserNames(ctx context.Context, ids []int64) (map[int64]string, error) {
	out := make(map[int64]string, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		ID       int64
		Name     string
		Username *string
	}
	if err := s.db.WithContext(ctx).Model(&userRow{}).Select("id, name, username").Where("id IN ?", ids).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: names of users: %w", err)
	}
	for _, r := range rows {
		u := guanjia.User{Name: r.Name}
		if r.Username != nil {
			u.Username = *r.Username
		}
		out[r.ID] = u.DisplayName()
	}
	return out, nil
}
