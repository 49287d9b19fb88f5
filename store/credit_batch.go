package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"

	"guanjia"
	"guanjia/credit"
)

// Import batches: an upload, its file until the import job ran, and its outcome.

type creditBatchRow struct {
	ID           int64 `gorm:"primaryKey"`
	Type         string
	Department   string
	UploadedBy   int64
	UploaderRole string
	Filename     string
	FileHash     string
	Format       string
	Status       string
	RowCount     int
	Inserted     int
	Updated      int
	Unchanged    int
	ErrorCount   int
	Errors       string
	CreatedAt    time.Time
	FinishedAt   *time.Time
}

func (creditBatchRow) TableName() string { return "credit_batches" }

func toCreditBatchRow(b *credit.Batch) *creditBatchRow {
	errs := "[]"
	if len(b.Errors) > 0 {
		if j, err := json.Marshal(b.Errors); err == nil {
			errs = string(j)
		}
	}
	return &creditBatchRow{ID: b.ID, Type: b.Type, Department: b.Department, UploadedBy: b.UploadedBy, UploaderRole: string(b.UploaderRole),
		Filename: b.Filename, FileHash: b.FileHash, Format: b.Format, Status: string(b.Status), RowCount: b.Rows, Inserted: b.Inserted,
		Updated: b.Updated, Unchanged: b.Unchanged, ErrorCount: b.ErrorCount, Errors: errs, CreatedAt: b.CreatedAt, FinishedAt: b.FinishedAt}
}

func (r *creditBatchRow) batch() *credit.Batch {
	b := &credit.Batch{ID: r.ID, Type: r.Type, Department: r.Department, UploadedBy: r.UploadedBy, UploaderRole: guanjia.Role(r.UploaderRole),
		Filename: r.Filename, FileHash: r.FileHash, Format: r.Format, Status: credit.BatchStatus(r.Status), Rows: r.RowCount, Inserted: r.Inserted,
		Updated: r.Updated, Unchanged: r.Unchanged, ErrorCount: r.ErrorCount, CreatedAt: r.CreatedAt.UTC(), FinishedAt: utc(r.FinishedAt)}
	decodeJSON("credit_batches", r.ID, r.Errors, &b.Errors)
	return b
}

type creditImportFileRow struct {
	BatchID int64 `gorm:"primaryKey"`
	Data    []byte
}

func (creditImportFileRow) TableName() string { return "credit_import_files" }

func (s *Credit) CreateBatch(ctx context.Context, b *credit.Batch, file []byte) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		row := toCreditBatchRow(b)
		if err := tx.Create(row).Error; err != nil {
			return fmt.Errorf("store: create credit batch: %w", err)
		}
		b.ID = row.ID
		if file != nil {
			if err := tx.Create(&creditImportFileRow{BatchID: row.ID, Data: file}).Error; err != nil {
				return fmt.Errorf("store: keep file of credit batch %d: %w", row.ID, err)
			}
		}
		return nil
	})
}

func (s *Credit) FindBatch(ctx context.Context, id int64) (*credit.Batch, error) {
	var row creditBatchRow
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return nil, notFound(err, "import batch", id)
	}
	return row.batch(), nil
}

func (s *Credit) ListBatches(ctx context.Context, f credit.BatchFilter) ([]*credit.Batch, int, error) {
	q := s.db.WithContext(ctx).Model(&creditBatchRow{})
	if f.Department != "" {
		q = q.Where("department = ?", f.Department)
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	var total int64
	if f.CountTotal {
		if err := q.Count(&total).Error; err != nil {
			return nil, 0, fmt.Errorf("store: count credit batches: %w", err)
		}
	}
	var rows []creditBatchRow
	if err := q.Order("id DESC").Offset(f.Offset).Limit(f.Limit).Find(&rows).Error; err != nil {
		return nil, 0, fmt.Errorf("store: list credit batches: %w", err)
	}
	return mapRows(rows, (*creditBatchRow).batch), int(total), nil
}

// UpdateBatch records b. A batch that ended drops its file with it: the file
// holds ID numbers in plain text, and no job will read it again. A batch
// that ended is not brought back to queued or running (another run of its
// import finished it).
func (s *Credit) UpdateBatch(ctx context.Context, b *credit.Batch) error {
	if b.Status == credit.BatchQueued || b.Status == credit.BatchRunning {
		return updateUnfinishedBatch(s.db.WithContext(ctx), b)
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := updateBatch(tx, b); err != nil {
			return err
		}
		if err := tx.Where("batch_id = ?", b.ID).Delete(&creditImportFileRow{}).Error; err != nil {
			return fmt.Errorf("store: drop file of credit batch %d: %w", b.ID, err)
		}
		return nil
	})
}

// FinishBatch records the end of a batch not yet ended, with its messages (see credit.Store).
func (s *Credit) FinishBatch(ctx context.Context, b *credit.Batch, messages []guanjia.Message) ([]int64, error) {
	var queued []int64
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := updateUnfinishedBatch(tx, b); err != nil {
			return err
		}
		if err := tx.Where("batch_id = ?", b.ID).Delete(&creditImportFileRow{}).Error; err != nil {
			return fmt.Errorf("store: drop file of credit batch %d: %w", b.ID, err)
		}
		var err error
		queued, err = queueNotifications(tx, messages, 0, s.Now())
		return err
	})
	return queued, err
}

func updateBatch(g *gorm.DB, b *credit.Batch) error {
	_, err := updateBatchWhere(g.Where("id = ?", b.ID), b)
	return err
}

// updateUnfinishedBatch records b if the batch has not ended (queued or
// running); ECONFLICT if it has.
func updateUnfinishedBatch(g *gorm.DB, b *credit.Batch) error {
	n, err := updateBatchWhere(g.Where("id = ? AND status IN ?", b.ID, []string{string(credit.BatchQueued), string(credit.BatchRunning)}), b)
	if err != nil {
		return err
	}
	if n == 0 {
		return errBatchEnded(b.ID)
	}
	return nil
}

func errBatchEnded(id int64) error {
	return guanjia.Errorf(guanjia.ECONFLICT, "import batch %d has already ended", id)
}

func updateBatchWhere(q *gorm.DB, b *credit.Batch) (int64, error) {
	row := toCreditBatchRow(b)
	res := q.Model(&creditBatchRow{}).Updates(map[string]any{
		"status": row.Status, "row_count": row.RowCount, "inserted": row.Inserted, "updated": row.Updated,
		"unchanged": row.Unchanged, "error_count": row.ErrorCount, "errors": row.Errors, "finished_at": row.FinishedAt})
	if res.Error != nil {
		return 0, fmt.Errorf("store: update credit batch %d: %w", b.ID, res.Error)
	}
	return res.RowsAffected, nil
}

func (s *Credit) LoadImportFile(ctx context.Context, batchID int64) ([]byte, error) {
	var row creditImportFileRow
	if err := s.db.WithContext(ctx).Where("batch_id = ?", batchID).Take(&row).Error; err != nil {
		return nil, notFound(err, "file of import batch", batchID)
	}
	return row.Data, nil
}

// StaleBatches lists batches for the import job to run again (see credit.Store).
func (s *Credit) StaleBatches(ctx context.Context, before time.Time) ([]int64, error) {
	var ids []int64
	err := s.db.WithContext(ctx).Model(&creditBatchRow{}).
		Where("created_at < ? AND (status = ? OR (status = ? AND EXISTS (SELECT 1 FROM credit_import_files f WHERE f.batch_id = credit_batches.id)))",
			before, credit.BatchQueued, credit.BatchRunning).
		Order("id").Limit(100).Pluck("id", &ids).Error
	if err != nil {
		return nil, fmt.Errorf("store: stale credit batches: %w", err)
	}
	return ids, nil
}

// AbandonedBatches lists running batches without a file (see credit.Store).
func (s *Credit) AbandonedBatches(ctx context.Context, before time.Time) ([]int64, error) {
	var ids []int64
	err := s.db.WithContext(ctx).Model(&creditBatchRow{}).
		Where("status = ? AND created_at < ? AND NOT EXISTS (SELECT 1 FROM credit_import_files f WHERE f.batch_id = credit_batches.id)",
			credit.BatchRunning, before).
		Order("id").Limit(100).Pluck("id", &ids).Error
	if err != nil {
		return nil, fmt.Errorf("store: abandoned credit batches: %w", err)
	}
	return ids, nil
}
