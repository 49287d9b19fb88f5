package store

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"guanjia"
	"guanjia/credit"
)

type creditSubjectRow struct {
	ID         int64 `gorm:"primaryKey"`
	SubjectKey string
	Kind       string
	CreditCode string
	IDEnc      string `gorm:"column:id_enc"`
	IDHash     string `gorm:"column:id_hash"`
	IDMasked   string `gorm:"column:id_masked"`
	Name       string
	LegalRep   string
	Address    string
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

func (creditSubjectRow) TableName() string { return "credit_subjects" }

// subject answers a subject without its ID number: only the masked form
// leaves the store.
func (r *creditSubjectRow) subject() *guanjia.CreditSubject {
	return &guanjia.CreditSubject{ID: r.ID, Kind: guanjia.SubjectKind(r.Kind), CreditCode: r.CreditCode,
		IDMasked: r.IDMasked, Name: r.Name, LegalRep: r.LegalRep, Address: r.Address,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

type creditEntryRow struct {
	ID          int64 `gorm:"primaryKey"`
	Type        string
	SubjectID   int64
	ListName    string
	Reason      string
	DocumentNo  string
	Authority   string
	Department  string
	DecidedOn   time.Time
	ValidFrom   *time.Time
	ValidUntil  *time.Time
	PublicUntil time.Time
	Status      string
	Fields      string
	BatchID     *int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

func (creditEntryRow) TableName() string { return "credit_entries" }

func (r *creditEntryRow) entry() *guanjia.CreditEntry {
	e := &guanjia.CreditEntry{ID: r.ID, Type: r.Type, SubjectID: r.SubjectID, ListName: r.ListName, Reason: r.Reason,
		DocumentNo: r.DocumentNo, Authority: r.Authority, Department: r.Department, DecidedOn: r.DecidedOn.UTC(),
		ValidFrom: utc(r.ValidFrom), ValidUntil: utc(r.ValidUntil), PublicUntil: r.PublicUntil.UTC(),
		Status: guanjia.CreditStatus(r.Status), CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	if r.BatchID != nil {
		e.BatchID = *r.BatchID
	}
	_ = json.Unmarshal([]byte(r.Fields), &e.Fields)
	if e.Fields == nil {
		e.Fields = map[string]string{}
	}
	return e
}

type creditEventRow struct {
	ID         int64 `gorm:"primaryKey"`
	EntryID    int64
	Action     string
	FromStatus string
	ToStatus   string
	ActorID    *int64
	ActorRole  string
	BatchID    *int64
	RepairID   *int64
	Note       string
	At         time.Time
}

func (creditEventRow) TableName() string { return "credit_events" }

func toCreditEventRow(e *guanjia.CreditEvent) *creditEventRow {
	return &creditEventRow{EntryID: e.EntryID, Action: string(e.Action), FromStatus: string(e.From), ToStatus: string(e.To),
		ActorID: e.ActorID, ActorRole: string(e.ActorRole), BatchID: e.BatchID, RepairID: e.RepairID, Note: e.Note, At: e.At}
}

// subjectKey is the natural key of a subject (see migrations/004_credit.sql).
func (s *DB) subjectKey(sub *guanjia.CreditSubject) string {
	if sub.CreditCode != "" {
		return sub.CreditCode
	}
	return "id:" + s.sealer.Hash(sub.IDNumber)
}

func (s *DB) FindSubject(ctx context.Context, id int64) (*guanjia.CreditSubject, error) {
	var row creditSubjectRow
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return nil, notFound(err, "credit subject", id)
	}
	return row.subject(), nil
}

func (s *DB) FindSubjectByCode(ctx context.Context, code string) (*guanjia.CreditSubject, error) {
	var row creditSubjectRow
	if err := s.db.WithContext(ctx).Where("subject_key = ?", code).Take(&row).Error; err != nil {
		return nil, notFound(err, "credit subject", code)
	}
	return row.subject(), nil
}

// FindSubjectByIDNumber finds a person by the keyed hash of the ID number,
// else a 个体工商户 run by them. The number itself is never in an error.
func (s *DB) FindSubjectByIDNumber(ctx context.Context, idNumber string) (*guanjia.CreditSubject, error) {
	hash := s.sealer.Hash(strings.ToUpper(idNumber))
	var row creditSubjectRow
	err := s.db.WithContext(ctx).Where("id_hash = ? AND id_hash <> ''", hash).
		Order("CASE WHEN kind = 'person' THEN 0 ELSE 1 END, id").Take(&row).Error
	if err != nil {
		return nil, notFound(err, "credit subject with ID number", guanjia.MaskIDNumber(idNumber))
	}
	return row.subject(), nil
}

// likePattern escapes LIKE's wildcards in q and wraps it as a substring pattern.
func likePattern(q string) string {
	return "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(q) + "%"
}

// SearchSubjects finds names containing f.Name. At most credit.MaxSearchResults
// matches are ranked (exact name, then where the match starts, then shorter
// names): the candidate scan stops there, so a broad query stays fast. On
// PostgreSQL the trigram index serves the match.
func (s *DB) SearchSubjects(ctx context.Context, f credit.SubjectSearch) ([]*guanjia.CreditSubject, bool, error) {
	like, position := "LIKE", "instr(c.name, ?)"
	if s.Dialect == "postgres" {
		like, position = "ILIKE", "strpos(c.name, ?)"
	}
	where := "s.name " + like + " ? ESCAPE '\\'"
	if f.PublicOnly {
		// A person is findable only while something about them is published.
		where += " AND (s.kind <> 'person' OR EXISTS (SELECT 1 FROM credit_entries e WHERE e.subject_id = s.id AND e.status = 'active'))"
	}
	q := `SELECT c.* FROM (SELECT s.* FROM credit_subjects s WHERE ` + where + ` LIMIT ?) c
		ORDER BY CASE WHEN c.name = ? THEN 0 ELSE 1 END, ` + position + `, length(c.name), c.id LIMIT ? OFFSET ?`
	var rows []creditSubjectRow
	err := s.db.WithContext(ctx).Raw(q, likePattern(f.Name), credit.MaxSearchResults, f.Name, f.Name, f.Limit+1, f.Offset).Scan(&rows).Error
	if err != nil {
		return nil, false, fmt.Errorf("store: search credit subjects: %w", err)
	}
	more := len(rows) > f.Limit
	if more {
		rows = rows[:f.Limit]
	}
	out := make([]*guanjia.CreditSubject, len(rows))
	for i := range rows {
		out[i] = rows[i].subject()
	}
	return out, more, nil
}

func (s *DB) CountLists(ctx context.Context, subjectIDs []int64, day time.Time) (map[int64]map[string]int, error) {
	var rows []struct {
		SubjectID int64
		Type      string
		N         int
	}
	err := s.db.WithContext(ctx).Model(&creditEntryRow{}).Select("subject_id, type, COUNT(*) AS n").
		Where("subject_id IN ? AND status = ? AND public_until >= ? AND type IN ?", subjectIDs, guanjia.CreditActive, day,
			[]string{guanjia.CreditRedList, guanjia.CreditBlackList}).
		Group("subject_id, type").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: count credit lists: %w", err)
	}
	out := make(map[int64]map[string]int, len(subjectIDs))
	for _, id := range subjectIDs {
		out[id] = map[string]int{guanjia.CreditRedList: 0, guanjia.CreditBlackList: 0}
	}
	for _, r := range rows {
		out[r.SubjectID][r.Type] = r.N
	}
	return out, nil
}

func (s *DB) ListEntries(ctx context.Context, f credit.EntryFilter) ([]*guanjia.CreditEntry, int, error) {
	q := s.db.WithContext(ctx).Model(&creditEntryRow{})
	if f.SubjectID != 0 {
		q = q.Where("subject_id = ?", f.SubjectID)
	}
	if len(f.Types) > 0 {
		q = q.Where("type IN ?", f.Types)
	}
	if f.PublicOn != nil {
		// Literal 'active' so the partial list index applies.
		q = q.Where("status = 'active' AND public_until >= ?", *f.PublicOn)
	} else if len(f.Status) > 0 {
		q = q.Where("status IN ?", f.Status)
	}
	if f.ListName != "" {
		q = q.Where("list_name = ?", f.ListName)
	}
	if f.Department != "" {
		q = q.Where("department = ?", f.Department)
	}
	var total int64
	if f.CountTotal {
		if err := q.Count(&total).Error; err != nil {
			return nil, 0, fmt.Errorf("store: count credit entries: %w", err)
		}
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	var rows []creditEntryRow
	if err := q.Order("decided_on DESC, id DESC").Limit(f.Limit).Offset(f.Offset).Find(&rows).Error; err != nil {
		return nil, 0, fmt.Errorf("store: list credit entries: %w", err)
	}
	out := make([]*guanjia.CreditEntry, len(rows))
	for i := range rows {
		out[i] = rows[i].entry()
	}
	if f.WithSubject {
		if err := s.fillSubjects(ctx, s.db.WithContext(ctx), out); err != nil {
			return nil, 0, err
		}
	}
	return out, int(total), nil
}

func (s *DB) fillSubjects(ctx context.Context, g *gorm.DB, entries []*guanjia.CreditEntry) error {
	if len(entries) == 0 {
		return nil
	}
	ids := make([]int64, 0, len(entries))
	for _, e := range entries {
		ids = append(ids, e.SubjectID)
	}
	var rows []creditSubjectRow
	if err := g.WithContext(ctx).Where("id IN ?", ids).Find(&rows).Error; err != nil {
		return fmt.Errorf("store: credit subjects of entries: %w", err)
	}
	byID := make(map[int64]*guanjia.CreditSubject, len(rows))
	for i := range rows {
		byID[rows[i].ID] = rows[i].subject()
	}
	for _, e := range entries {
		e.Subject = byID[e.SubjectID]
	}
	return nil
}

// FindEntry answers an entry with its subject.
func (s *DB) FindEntry(ctx context.Context, id int64) (*guanjia.CreditEntry, error) {
	var row creditEntryRow
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return nil, notFound(err, "credit entry", id)
	}
	e := row.entry()
	if err := s.fillSubjects(ctx, s.db, []*guanjia.CreditEntry{e}); err != nil {
		return nil, err
	}
	return e, nil
}

func (s *DB) ListCreditEvents(ctx context.Context, entryID int64) ([]*guanjia.CreditEvent, error) {
	var rows []creditEventRow
	if err := s.db.WithContext(ctx).Where("entry_id = ?", entryID).Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: credit events of %d: %w", entryID, err)
	}
	out := make([]*guanjia.CreditEvent, len(rows))
	for i, r := range rows {
		out[i] = &guanjia.CreditEvent{ID: r.ID, EntryID: r.EntryID, Action: guanjia.CreditAction(r.Action),
			From: guanjia.CreditStatus(r.FromStatus), To: guanjia.CreditStatus(r.ToStatus), ActorID: r.ActorID,
			ActorRole: guanjia.Role(r.ActorRole), BatchID: r.BatchID, RepairID: r.RepairID, Note: r.Note, At: r.At.UTC()}
	}
	return out, nil
}

// SaveEntryChange moves the entry (guarded by its expected status), saves a
// decided repair (guarded by pending) and writes the event, atomically.
func (s *DB) SaveEntryChange(ctx context.Context, ch *credit.EntryChange) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&creditEntryRow{}).Where("id = ? AND status = ?", ch.EntryID, ch.Expect).
			Updates(map[string]any{"status": ch.To, "updated_at": ch.Event.At})
		if res.Error != nil {
			return fmt.Errorf("store: update credit entry %d: %w", ch.EntryID, res.Error)
		} else if res.RowsAffected == 0 {
			return guanjia.Errorf(guanjia.ECONFLICT, "credit entry %d was changed by someone else; reload and try again", ch.EntryID)
		}
		if r := ch.Repair; r != nil {
			res := tx.Model(&creditRepairRow{}).Where("id = ? AND status = ?", r.ID, credit.RepairPending).
				Updates(map[string]any{"status": r.Status, "decided_by": r.DecidedBy, "decision_note": r.DecisionNote, "decided_at": r.DecidedAt})
			if res.Error != nil {
				return fmt.Errorf("store: decide repair %d: %w", r.ID, res.Error)
			} else if res.RowsAffected == 0 {
				return guanjia.Errorf(guanjia.ECONFLICT, "repair %d was already decided", r.ID)
			}
		}
		row := toCreditEventRow(ch.Event)
		if err := tx.Create(row).Error; err != nil {
			return fmt.Errorf("store: add credit event to %d: %w", ch.EntryID, err)
		}
		ch.Event.ID = row.ID
		return nil
	})
}

// ExpireDue expires up to limit active entries whose period ended before day.
// UPDATE … RETURNING tells exactly which rows this call moved, so two runs at
// once never write an event twice.
func (s *DB) ExpireDue(ctx context.Context, day, at time.Time, limit int) ([]*guanjia.CreditEntry, error) {
	var out []*guanjia.CreditEntry
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var due []int64
		if err := tx.Model(&creditEntryRow{}).Where("status = 'active' AND public_until < ?", day).
			Order("public_until, id").Limit(limit).Pluck("id", &due).Error; err != nil {
			return fmt.Errorf("store: due credit entries: %w", err)
		}
		if len(due) == 0 {
			return nil
		}
		var rows []creditEntryRow
		if err := tx.Raw(`UPDATE credit_entries SET status = ?, updated_at = ? WHERE id IN ? AND status = 'active'
			RETURNING id, type, subject_id, department, public_until`, guanjia.CreditExpired, at, due).Scan(&rows).Error; err != nil {
			return fmt.Errorf("store: expire credit entries: %w", err)
		}
		events := make([]*creditEventRow, len(rows))
		for i := range rows {
			rows[i].Status = string(guanjia.CreditExpired)
			events[i] = &creditEventRow{EntryID: rows[i].ID, Action: string(guanjia.CreditExpire), FromStatus: string(guanjia.CreditActive),
				ToStatus: string(guanjia.CreditExpired), Note: "公示期满 " + rows[i].PublicUntil.UTC().Format("2006-01-02"), At: at}
			out = append(out, rows[i].entry())
		}
		if len(events) > 0 {
			if err := tx.CreateInBatches(events, 500).Error; err != nil {
				return fmt.Errorf("store: expiry events: %w", err)
			}
		}
		return s.fillSubjects(ctx, tx, out)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

type creditRemitRow struct {
	UnitCode   string `gorm:"primaryKey"`
	RecordType string `gorm:"primaryKey"`
}

func (creditRemitRow) TableName() string { return "credit_remits" }

func (s *DB) ListRemits(ctx context.Context) ([]credit.Remit, error) {
	var rows []struct {
		UnitCode, Name, RecordType string
	}
	err := s.db.WithContext(ctx).Raw(`SELECT r.unit_code, u.name, r.record_type FROM credit_remits r
		JOIN units u ON u.code = r.unit_code ORDER BY r.unit_code, r.record_type`).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: list credit remits: %w", err)
	}
	var out []credit.Remit
	for _, r := range rows {
		if len(out) == 0 || out[len(out)-1].UnitCode != r.UnitCode {
			out = append(out, credit.Remit{UnitCode: r.UnitCode, UnitName: r.Name, Types: []string{}})
		}
		last := &out[len(out)-1]
		last.Types = append(last.Types, r.RecordType)
	}
	return out, nil
}

func (s *DB) FindRemit(ctx context.Context, unitCode string) (*credit.Remit, error) {
	u, err := s.FindUnit(ctx, unitCode)
	if err != nil {
		return nil, err
	}
	r := &credit.Remit{UnitCode: u.Code, UnitName: u.Name, Types: []string{}}
	if err := s.db.WithContext(ctx).Model(&creditRemitRow{}).Where("unit_code = ?", unitCode).
		Order("record_type").Pluck("record_type", &r.Types).Error; err != nil {
		return nil, fmt.Errorf("store: credit remit of %s: %w", unitCode, err)
	}
	return r, nil
}

func (s *DB) SetRemit(ctx context.Context, unitCode string, types []string) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("unit_code = ?", unitCode).Delete(&creditRemitRow{}).Error; err != nil {
			return fmt.Errorf("store: set credit remit of %s: %w", unitCode, err)
		}
		for _, t := range types {
			if err := tx.Create(&creditRemitRow{UnitCode: unitCode, RecordType: t}).Error; err != nil {
				return fmt.Errorf("store: set credit remit of %s: %w", unitCode, err)
			}
		}
		return nil
	})
}

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
	_ = json.Unmarshal([]byte(r.Errors), &b.Errors)
	return b
}

type creditImportFileRow struct {
	BatchID int64 `gorm:"primaryKey"`
	Data    []byte
}

func (creditImportFileRow) TableName() string { return "credit_import_files" }

func (s *DB) CreateBatch(ctx context.Context, b *credit.Batch, file []byte) error {
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

func (s *DB) FindBatch(ctx context.Context, id int64) (*credit.Batch, error) {
	var row creditBatchRow
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return nil, notFound(err, "import batch", id)
	}
	return row.batch(), nil
}

func (s *DB) ListBatches(ctx context.Context, f credit.BatchFilter) ([]*credit.Batch, error) {
	q := s.db.WithContext(ctx)
	if f.Department != "" {
		q = q.Where("department = ?", f.Department)
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	var rows []creditBatchRow
	if err := q.Order("id DESC").Limit(f.Limit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: list credit batches: %w", err)
	}
	out := make([]*credit.Batch, len(rows))
	for i := range rows {
		out[i] = rows[i].batch()
	}
	return out, nil
}

func (s *DB) UpdateBatch(ctx context.Context, b *credit.Batch) error {
	return updateBatch(s.db.WithContext(ctx), b)
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

func (s *DB) LoadImportFile(ctx context.Context, batchID int64) ([]byte, error) {
	var row creditImportFileRow
	if err := s.db.WithContext(ctx).Where("batch_id = ?", batchID).Take(&row).Error; err != nil {
		return nil, notFound(err, "file of import batch", batchID)
	}
	return row.Data, nil
}

func (s *DB) StaleBatches(ctx context.Context, before time.Time) ([]int64, error) {
	var ids []int64
	err := s.db.WithContext(ctx).Model(&creditBatchRow{}).Where("status = ? AND created_at < ?", credit.BatchQueued, before).
		Order("id").Limit(100).Pluck("id", &ids).Error
	if err != nil {
		return nil, fmt.Errorf("store: stale credit batches: %w", err)
	}
	return ids, nil
}

type creditRepairRow struct {
	ID           int64 `gorm:"primaryKey"`
	EntryID      int64
	Department   string
	ApplicantID  int64
	Reason       string
	Evidence     string
	Status       string
	DecidedBy    *int64
	DecisionNote string
	DecidedAt    *time.Time
	CreatedAt    time.Time
}

func (creditRepairRow) TableName() string { return "credit_repairs" }

func (r *creditRepairRow) repair() *credit.Repair {
	return &credit.Repair{ID: r.ID, EntryID: r.EntryID, Department: r.Department, ApplicantID: r.ApplicantID,
		Reason: r.Reason, Evidence: r.Evidence, Status: credit.RepairStatus(r.Status), DecidedBy: r.DecidedBy,
		DecisionNote: r.DecisionNote, DecidedAt: utc(r.DecidedAt), CreatedAt: r.CreatedAt.UTC()}
}

// CreateRepair files an application and its event; a second pending
// application for the same entry is ECONFLICT.
func (s *DB) CreateRepair(ctx context.Context, r *credit.Repair, ev *guanjia.CreditEvent) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		row := &creditRepairRow{EntryID: r.EntryID, Department: r.Department, ApplicantID: r.ApplicantID, Reason: r.Reason,
			Evidence: r.Evidence, Status: string(r.Status), CreatedAt: r.CreatedAt}
		if err := tx.Create(row).Error; err != nil {
			if isUniqueViolation(err) {
				return guanjia.FieldError(guanjia.ECONFLICT, "entry_id", "a repair of this entry is already pending")
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
		return nil
	})
}

func (s *DB) FindRepair(ctx context.Context, id int64) (*credit.Repair, error) {
	var row creditRepairRow
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return nil, notFound(err, "repair", id)
	}
	return row.repair(), nil
}

func (s *DB) ListRepairs(ctx context.Context, f credit.RepairFilter) ([]*credit.Repair, error) {
	q := s.db.WithContext(ctx)
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
	var rows []creditRepairRow
	if err := q.Order("id DESC").Limit(f.Limit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: list repairs: %w", err)
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
			return nil, fmt.Errorf("store: entries of repairs: %w", err)
		}
		byID := map[int64]*guanjia.CreditEntry{}
		for i := range erows {
			e := erows[i].entry()
			byID[e.ID] = e
			entries = append(entries, e)
		}
		if err := s.fillSubjects(ctx, s.db, entries); err != nil {
			return nil, err
		}
		for _, r := range out {
			r.Entry = byID[r.EntryID]
		}
	}
	return out, nil
}

type creditArticleRow struct {
	ID          int64 `gorm:"primaryKey"`
	Section     string
	Title       string
	Body        string
	Source      string
	Status      string
	AuthorID    int64
	PublishedAt *time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

func (creditArticleRow) TableName() string { return "credit_articles" }

func (r *creditArticleRow) article() *credit.Article {
	return &credit.Article{ID: r.ID, Section: r.Section, Title: r.Title, Body: r.Body, Source: r.Source,
		Status: credit.ArticleStatus(r.Status), AuthorID: r.AuthorID, PublishedAt: utc(r.PublishedAt),
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

func toCreditArticleRow(a *credit.Article) *creditArticleRow {
	return &creditArticleRow{ID: a.ID, Section: a.Section, Title: a.Title, Body: a.Body, Source: a.Source,
		Status: string(a.Status), AuthorID: a.AuthorID, PublishedAt: a.PublishedAt, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt}
}

func (s *DB) CreateArticle(ctx context.Context, a *credit.Article) error {
	row := toCreditArticleRow(a)
	if err := s.db.WithContext(ctx).Create(row).Error; err != nil {
		return fmt.Errorf("store: create article: %w", err)
	}
	a.ID = row.ID
	return nil
}

func (s *DB) UpdateArticle(ctx context.Context, a *credit.Article, expect credit.ArticleStatus) error {
	q := s.db.WithContext(ctx).Model(&creditArticleRow{}).Where("id = ?", a.ID)
	if expect != "" {
		q = q.Where("status = ?", expect)
	}
	res := q.Updates(map[string]any{"section": a.Section, "title": a.Title, "body": a.Body, "source": a.Source,
		"status": a.Status, "published_at": a.PublishedAt, "updated_at": a.UpdatedAt})
	if res.Error != nil {
		return fmt.Errorf("store: update article %d: %w", a.ID, res.Error)
	} else if res.RowsAffected == 0 {
		return guanjia.Errorf(guanjia.ECONFLICT, "article %d was changed by someone else; reload and try again", a.ID)
	}
	return nil
}

func (s *DB) FindArticle(ctx context.Context, id int64) (*credit.Article, error) {
	var row creditArticleRow
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return nil, notFound(err, "article", id)
	}
	return row.article(), nil
}

func (s *DB) ListArticles(ctx context.Context, f credit.ArticleFilter) ([]*credit.Article, int, error) {
	q := s.db.WithContext(ctx).Model(&creditArticleRow{})
	if f.Section != "" {
		q = q.Where("section = ?", f.Section)
	}
	if f.PublishedOnly {
		q = q.Where("status = ?", credit.ArticlePublished)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("store: count articles: %w", err)
	}
	var rows []creditArticleRow
	if err := q.Order("published_at DESC, id DESC").Limit(f.Limit).Offset(f.Offset).Find(&rows).Error; err != nil {
		return nil, 0, fmt.Errorf("store: list articles: %w", err)
	}
	out := make([]*credit.Article, len(rows))
	for i := range rows {
		out[i] = rows[i].article()
	}
	return out, int(total), nil
}

var _ credit.Store = (*DB)(nil)

// ---- import ----

// importChunk is how many rows one multi-row statement writes: 17 entry
// columns × 1000 stays under both backends' limit on bound parameters.
const importChunk = 1000

// sqlArgs collects bound parameters and writes each one's placeholder in the
// dialect's spelling.
type sqlArgs struct {
	postgres bool
	args     []any
}

func (a *sqlArgs) add(v any) string {
	a.args = append(a.args, v)
	if a.postgres {
		return "$" + strconv.Itoa(len(a.args))
	}
	return "?"
}

// ImportBatch writes a validated batch in one transaction (see credit.Store).
func (s *DB) ImportBatch(ctx context.Context, b *credit.Batch, rows []credit.ImportRow, progress func(done int)) error {
	now := s.Now()
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		conn := tx.Statement.ConnPool
		b.Inserted, b.Updated, b.Unchanged = 0, 0, 0
		for start := 0; start < len(rows); start += importChunk {
			chunk := rows[start:min(start+importChunk, len(rows))]
			t0 := time.Now()
			ids, err := s.upsertSubjects(ctx, conn, chunk, now)
			if err != nil {
				return err
			}
			t1 := time.Now()
			if err := s.writeEntries(ctx, tx, conn, b, chunk, ids, now); err != nil {
				return err
			}
			fmt.Println("DEBUG chunk subjects", t1.Sub(t0), "entries", time.Since(t1))
			if progress != nil {
				progress(start + len(chunk))
			}
		}
		// One publish event per new entry, written by the database itself: the
		// entries of this batch that have no history yet.
		args := &sqlArgs{postgres: s.Dialect == "postgres"}
		q := `INSERT INTO credit_events (entry_id, action, from_status, to_status, actor_id, actor_role, batch_id, note, at)
			SELECT e.id, ` + args.add(string(guanjia.CreditPublish)) + `, '', ` + args.add(string(guanjia.CreditActive)) + `, ` +
			args.add(b.UploadedBy) + `, ` + args.add(string(b.UploaderRole)) + `, e.batch_id, '', ` + args.add(now) + `
			FROM credit_entries e WHERE e.batch_id = ` + args.add(b.ID) + `
			AND NOT EXISTS (SELECT 1 FROM credit_events v WHERE v.entry_id = e.id)`
		t2 := time.Now()
		if _, err := conn.ExecContext(ctx, q, args.args...); err != nil {
			return fmt.Errorf("store: publish events of batch %d: %w", b.ID, err)
		}
		fmt.Println("DEBUG events", time.Since(t2))
		b.Status, b.FinishedAt = credit.BatchDone, &now
		if err := updateBatch(tx, b); err != nil {
			return err
		}
		return tx.Where("batch_id = ?", b.ID).Delete(&creditImportFileRow{}).Error
	})
	if err != nil {
		b.Status, b.FinishedAt = credit.BatchRunning, nil
		if isUniqueViolation(err) {
			return guanjia.Errorf(guanjia.ECONFLICT, "another import of the same records ran at the same time; upload the file again")
		}
		return err
	}
	return nil
}

// upsertSubjects inserts new subjects and updates changed names, legal
// representatives and addresses (an empty cell keeps what is known). It
// returns the ID of each subject key in chunk.
func (s *DB) upsertSubjects(ctx context.Context, conn gorm.ConnPool, chunk []credit.ImportRow, now time.Time) (map[string]int64, error) {
	args := &sqlArgs{postgres: s.Dialect == "postgres"}
	var sb strings.Builder
	sb.WriteString(`INSERT INTO credit_subjects (subject_key, kind, credit_code, id_enc, id_hash, id_masked, name, legal_rep, address, created_at, updated_at) VALUES `)
	keys := make([]any, 0, len(chunk))
	seen := make(map[string]bool, len(chunk))
	for i := range chunk {
		sub := &chunk[i].Subject
		key := s.subjectKey(sub)
		if seen[key] {
			continue // one row per key: a statement may not update a row twice
		}
		seen[key] = true
		keys = append(keys, key)
		if len(keys) > 1 {
			sb.WriteString(",")
		}
		fmt.Fprintf(&sb, "(%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)", args.add(key), args.add(string(sub.Kind)), args.add(sub.CreditCode),
			args.add(s.sealer.Seal(sub.IDNumber)), args.add(s.sealer.Hash(sub.IDNumber)), args.add(sub.IDMasked),
			args.add(sub.Name), args.add(sub.LegalRep), args.add(sub.Address), args.add(now), args.add(now))
	}
	sb.WriteString(` ON CONFLICT (subject_key) DO UPDATE SET
		name = excluded.name,
		kind = excluded.kind,
		legal_rep = CASE WHEN excluded.legal_rep <> '' THEN excluded.legal_rep ELSE credit_subjects.legal_rep END,
		address = CASE WHEN excluded.address <> '' THEN excluded.address ELSE credit_subjects.address END,
		id_enc = CASE WHEN credit_subjects.id_hash = '' THEN excluded.id_enc ELSE credit_subjects.id_enc END,
		id_masked = CASE WHEN credit_subjects.id_hash = '' THEN excluded.id_masked ELSE credit_subjects.id_masked END,
		id_hash = CASE WHEN credit_subjects.id_hash = '' THEN excluded.id_hash ELSE credit_subjects.id_hash END,
		updated_at = excluded.updated_at
		WHERE credit_subjects.name <> excluded.name OR credit_subjects.kind <> excluded.kind
		OR (excluded.legal_rep <> '' AND credit_subjects.legal_rep <> excluded.legal_rep)
		OR (excluded.address <> '' AND credit_subjects.address <> excluded.address)
		OR (credit_subjects.id_hash = '' AND excluded.id_hash <> '')`)
	if _, err := conn.ExecContext(ctx, sb.String(), args.args...); err != nil {
		return nil, fmt.Errorf("store: upsert credit subjects: %w", err)
	}
	sel := &sqlArgs{postgres: args.postgres}
	ph := make([]string, len(keys))
	for i, k := range keys {
		ph[i] = sel.add(k)
	}
	rs, err := conn.QueryContext(ctx, "SELECT id, subject_key FROM credit_subjects WHERE subject_key IN ("+strings.Join(ph, ",")+")", sel.args...)
	if err != nil {
		return nil, fmt.Errorf("store: credit subject ids: %w", err)
	}
	defer rs.Close()
	ids := make(map[string]int64, len(keys))
	for rs.Next() {
		var id int64
		var key string
		if err := rs.Scan(&id, &key); err != nil {
			return nil, fmt.Errorf("store: credit subject ids: %w", err)
		}
		ids[key] = id
	}
	return ids, rs.Err()
}

// entryContent is what an import may change of an existing entry.
type entryContent struct {
	listName, reason, department string
	decidedOn, publicUntil       time.Time
	validFrom, validUntil        *time.Time
	fields                       map[string]string
}

func sameDate(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Equal(*b)
}

func (c *entryContent) same(e *guanjia.CreditEntry) bool {
	return c.listName == e.ListName && c.reason == e.Reason && c.decidedOn.Equal(e.DecidedOn) &&
		c.publicUntil.Equal(e.PublicUntil) && sameDate(c.validFrom, e.ValidFrom) && sameDate(c.validUntil, e.ValidUntil) &&
		maps.Equal(c.fields, e.Fields)
}

// writeEntries inserts the chunk's new entries in one statement and amends
// those whose content changed, each with an amend event.
func (s *DB) writeEntries(ctx context.Context, tx *gorm.DB, conn gorm.ConnPool, b *credit.Batch, chunk []credit.ImportRow, ids map[string]int64, now time.Time) error {
	type natural struct {
		authority, documentNo string
		subjectID             int64
	}
	subjectIDs := make([]int64, 0, len(chunk))
	for i := range chunk {
		sid := ids[s.subjectKey(&chunk[i].Subject)]
		if sid == 0 {
			return fmt.Errorf("store: credit subject of row %d was not written", chunk[i].Line)
		}
		chunk[i].Entry.SubjectID = sid
		subjectIDs = append(subjectIDs, sid)
	}
	docs := make([]string, len(chunk))
	for i := range chunk {
		docs[i] = chunk[i].Entry.DocumentNo
	}
	var existing []creditEntryRow
	if err := tx.Where("type = ? AND subject_id IN ? AND document_no IN ?", b.Type, subjectIDs, docs).Find(&existing).Error; err != nil {
		return fmt.Errorf("store: existing credit entries: %w", err)
	}
	byKey := make(map[natural]*guanjia.CreditEntry, len(existing))
	for i := range existing {
		e := existing[i].entry()
		byKey[natural{e.Authority, e.DocumentNo, e.SubjectID}] = e
	}
	args := &sqlArgs{postgres: s.Dialect == "postgres"}
	var sb strings.Builder
	inserts := 0
	for i := range chunk {
		e := &chunk[i].Entry
		c := entryContent{listName: e.ListName, reason: e.Reason, department: e.Department, decidedOn: e.DecidedOn,
			publicUntil: e.PublicUntil, validFrom: e.ValidFrom, validUntil: e.ValidUntil, fields: e.Fields}
		old := byKey[natural{e.Authority, e.DocumentNo, e.SubjectID}]
		switch {
		case old == nil:
			if inserts == 0 {
				sb.WriteString(`INSERT INTO credit_entries (type, subject_id, list_name, reason, document_no, authority, department,
					decided_on, valid_from, valid_until, public_until, status, fields, batch_id, created_at, updated_at) VALUES `)
			} else {
				sb.WriteString(",")
			}
			inserts++
			fmt.Fprintf(&sb, "(%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)", args.add(e.Type), args.add(e.SubjectID),
				args.add(e.ListName), args.add(e.Reason), args.add(e.DocumentNo), args.add(e.Authority), args.add(e.Department),
				args.add(e.DecidedOn), args.add(e.ValidFrom), args.add(e.ValidUntil), args.add(e.PublicUntil),
				args.add(string(guanjia.CreditActive)), args.add(marshalData(e.Fields)), args.add(b.ID), args.add(now), args.add(now))
		case old.Department != e.Department:
			return guanjia.Errorf(guanjia.ECONFLICT, "row %d: %s %s of %s was published by another department (%s)",
				chunk[i].Line, credit.TypeName(e.Type), e.DocumentNo, e.Authority, old.Department)
		case c.same(old):
			b.Unchanged++
		default:
			if err := s.amendEntry(tx, b, old, e, now); err != nil {
				return err
			}
			b.Updated++
		}
	}
	if inserts > 0 {
		if _, err := conn.ExecContext(ctx, sb.String(), args.args...); err != nil {
			return fmt.Errorf("store: insert credit entries: %w", err)
		}
		b.Inserted += inserts
	}
	return nil
}

// amendEntry rewrites an entry's content from a re-import, keeping its
// status, and records what changed on its history.
func (s *DB) amendEntry(tx *gorm.DB, b *credit.Batch, old, e *guanjia.CreditEntry, now time.Time) error {
	err := tx.Model(&creditEntryRow{}).Where("id = ?", old.ID).Updates(map[string]any{
		"list_name": e.ListName, "reason": e.Reason, "decided_on": e.DecidedOn, "valid_from": e.ValidFrom,
		"valid_until": e.ValidUntil, "public_until": e.PublicUntil, "fields": marshalData(e.Fields),
		"batch_id": b.ID, "updated_at": now}).Error
	if err != nil {
		return fmt.Errorf("store: amend credit entry %d: %w", old.ID, err)
	}
	actor := b.UploadedBy
	batch := b.ID
	note := "re-imported with changed content"
	if !old.PublicUntil.Equal(e.PublicUntil) {
		note = fmt.Sprintf("re-imported; public until %s (was %s)", e.PublicUntil.Format("2006-01-02"), old.PublicUntil.Format("2006-01-02"))
	}
	ev := &creditEventRow{EntryID: old.ID, Action: string(guanjia.CreditAmend), FromStatus: string(old.Status), ToStatus: string(old.Status),
		ActorID: &actor, ActorRole: string(b.UploaderRole), BatchID: &batch, Note: note, At: now}
	if err := tx.Create(ev).Error; err != nil {
		return fmt.Errorf("store: amend event of %d: %w", old.ID, err)
	}
	return nil
}
