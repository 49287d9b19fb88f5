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
// holds ID numbers in plain text, and no job will read it again.
func (s *Credit) UpdateBatch(ctx context.Context, b *credit.Batch) error {
	if b.Status == credit.BatchQueued || b.Status == credit.BatchRunning {
		return updateBatch(s.db.WithContext(ctx), b)
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

func updateBatch(g *gorm.DB, b *credit.Batch) error {
	row := toCreditBatchRow(b)
	err := g.Model(&creditBatchRow{}).Where("id = ?", b.ID).Updates(map[string]any{
		"status": row.Status, "row_count": row.RowCount, "inserted": row.Inserted, "updated": row.Updated,
		"unchanged": row.Unchanged, "error_count": row.ErrorCount, "errors": row.Errors, "finished_at": row.FinishedAt}).Error
	if err != nil {
		return fmt.Errorf("store: update credit batch %d: %w", b.ID, err)
	}
	return nil
}

func (s *Credit) LoadImportFile(ctx context.Context, batchID int64) ([]byte, error) {
	var row creditImportFileRow
	if err := s.db.WithContext(ctx).Where("batch_id = ?", batchID).Take(&row).Error; err != nil {
		return nil, notFound(err, "file of import batch", batchID)
	}
	return row.Data, nil
}

func (s *Credit) StaleBatches(ctx context.Context, before time.Time) ([]int64, error) {
	var ids []int64
	err := s.db.WithContext(ctx).Model(&creditBatchRow{}).Where("status = ? AND created_at < ?", credit.BatchQueued, before).
		Order("id").Limit(100).Pluck("id", &ids).Error
	if err != nil {
		return nil, fmt.Errorf("store: stale credit batches: %w", err)
	}
	return ids, nil
}
