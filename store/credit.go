package store

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

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
	Severity    string
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
		DocumentNo: r.DocumentNo, Authority: r.Authority, Department: r.Department, Severity: guanjia.CreditSeverity(r.Severity),
		DecidedOn: r.DecidedOn.UTC(),
		ValidFrom: utc(r.ValidFrom), ValidUntil: utc(r.ValidUntil), PublicUntil: r.PublicUntil.UTC(),
		Status: guanjia.CreditStatus(r.Status), CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	if r.BatchID != nil {
		e.BatchID = *r.BatchID
	}
	decodeJSON("credit_entries", r.ID, r.Fields, &e.Fields)
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
// PostgreSQL the indexes of migrations/004_credit.sql serve the match.
func (s *DB) SearchSubjects(ctx context.Context, f credit.SubjectSearch) ([]*guanjia.CreditSubject, bool, error) {
	args := []any{likePattern(f.Name)}
	where := "s.name LIKE ? ESCAPE '\\'"
	position := "instr(c.name, ?)"
	if s.Dialect == "postgres" {
		where, position = "s.name ILIKE ? ESCAPE '\\'", "strpos(c.name, ?)" // the trigram index
		if utf8.RuneCountInString(f.Name) == 2 {
			// Two characters have no trigram: the bigram index narrows, ILIKE
			// confirms. Longer queries leave it out, because a bitmap recheck
			// would compute every candidate's bigrams again.
			where = "credit_bigrams(s.name) @> credit_bigrams(?) AND " + where
			args = []any{f.Name, likePattern(f.Name)}
		}
	}
	if f.PublicOnly {
		// A person is findable only while something about them is published.
		where += " AND (s.kind <> 'person' OR EXISTS (SELECT 1 FROM credit_entries e WHERE e.subject_id = s.id AND e.status = 'active'))"
	}
	q := `SELECT c.* FROM (SELECT s.* FROM credit_subjects s WHERE ` + where + ` LIMIT ?) c
		ORDER BY CASE WHEN c.name = ? THEN 0 ELSE 1 END, ` + position + `, length(c.name), c.id LIMIT ? OFFSET ?`
	var rows []creditSubjectRow
	args = append(args, credit.MaxSearchResults, f.Name, f.Name, f.Limit+1, f.Offset)
	search := func(g *gorm.DB) error { return g.Raw(q, args...).Scan(&rows).Error }
	var err error
	if s.Dialect == "postgres" {
		// A cached generic plan cannot tell a common pattern (scan until 1000
		// match) from a rare one (use an index): plan each search for its own.
		err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			if err := tx.Exec("SET LOCAL plan_cache_mode = force_custom_plan").Error; err != nil {
				return err
			}
			return search(tx)
		})
	} else {
		err = search(s.db.WithContext(ctx))
	}
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
		// Known codes, spelled out so the partial list index applies to any plan.
		quoted := make([]string, 0, len(f.Types))
		for _, t := range f.Types {
			if _, err := credit.LookupType(t); err != nil {
				return nil, 0, err
			}
			quoted = append(quoted, "'"+t+"'")
		}
		q = q.Where("type IN (" + strings.Join(quoted, ",") + ")")
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
			if r.Status == credit.RepairApproved {
				if err := supersedeRepairs(tx, ch, r); err != nil {
					return err
				}
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

// supersedeRepairs closes the entry's other pending applications once one is
// approved: the entry is repaired, nothing is left to decide.
func supersedeRepairs(tx *gorm.DB, ch *credit.EntryChange, approved *credit.Repair) error {
	const note = "该信息已根据其他申请完成信用修复"
	var rows []creditRepairRow
	if err := tx.Raw(`UPDATE credit_repairs SET status = ?, decision_note = ?, decided_at = ?
		WHERE entry_id = ? AND status = ? AND id <> ? RETURNING id, applicant_id`,
		credit.RepairSuperseded, note, approved.DecidedAt, ch.EntryID, credit.RepairPending, approved.ID).Scan(&rows).Error; err != nil {
		return fmt.Errorf("store: supersede repairs of %d: %w", ch.EntryID, err)
	}
	for _, row := range rows {
		ch.Superseded = append(ch.Superseded, &credit.Repair{ID: row.ID, EntryID: ch.EntryID, ApplicantID: row.ApplicantID,
			Status: credit.RepairSuperseded, DecisionNote: note, DecidedAt: approved.DecidedAt})
	}
	return nil
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
	decodeJSON("credit_batches", r.ID, r.Errors, &b.Errors)
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
	return mapRows(rows, (*creditBatchRow).batch), nil
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

// CreateRepair files an application and its event; a second pending
// application of the same applicant for the same entry is ECONFLICT.
func (s *DB) CreateRepair(ctx context.Context, r *credit.Repair, ev *guanjia.CreditEvent) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		row := &creditRepairRow{EntryID: r.EntryID, Department: r.Department, ApplicantID: r.ApplicantID, Basis: string(r.Basis),
			RepresentativeID: r.Representative, Reason: r.Reason, Evidence: r.Evidence, Status: string(r.Status), CreatedAt: r.CreatedAt}
		if err := tx.Create(row).Error; err != nil {
			if isUniqueViolation(err) {
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

// importChunk is how many rows one statement writes. On SQLite, rows are
// spelled out as VALUES lists: 17 entry columns × 1000 stays under its limit
// on bound parameters. On PostgreSQL each column travels as one array
// (unnest), so a chunk costs one parse and plan whatever its size.
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

// importWriter writes one batch inside its transaction.
type importWriter struct {
	s    *DB
	tx   *gorm.DB
	conn gorm.ConnPool
	b    *credit.Batch
	now  time.Time
	pg   bool
}

// ImportBatch writes a validated batch in one transaction (see credit.Store).
func (s *DB) ImportBatch(ctx context.Context, b *credit.Batch, rows []credit.ImportRow, progress func(done int)) error {
	now := s.Now()
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		w := &importWriter{s: s, tx: tx, conn: tx.Statement.ConnPool, b: b, now: now, pg: s.Dialect == "postgres"}
		b.Inserted, b.Updated, b.Unchanged = 0, 0, 0
		for start := 0; start < len(rows); start += importChunk {
			chunk := rows[start:min(start+importChunk, len(rows))]
			ids, err := w.subjects(ctx, chunk)
			if err != nil {
				return err
			}
			if err := w.entries(ctx, chunk, ids); err != nil {
				return err
			}
			if progress != nil {
				progress(start + len(chunk))
			}
		}
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

// subjectConflict updates a known subject only where the row says something
// new: another name, or a legal representative, address or ID number that
// was not known (an empty cell keeps what is known).
const subjectConflict = ` ON CONFLICT (subject_key) DO UPDATE SET
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
	OR (credit_subjects.id_hash = '' AND excluded.id_hash <> '')`

// subjects upserts the chunk's subjects and returns the ID of each subject key.
func (w *importWriter) subjects(ctx context.Context, chunk []credit.ImportRow) (map[string]int64, error) {
	s := w.s
	var keys, kinds, codes, encs, hashes, masked, names, reps, addrs []string
	seen := make(map[string]bool, len(chunk))
	for i := range chunk {
		sub := &chunk[i].Subject
		key := s.subjectKey(sub)
		if seen[key] {
			continue // one row per key: a statement may not update a row twice
		}
		seen[key] = true
		keys, kinds, codes = append(keys, key), append(kinds, string(sub.Kind)), append(codes, sub.CreditCode)
		encs, hashes, masked = append(encs, s.sealer.Seal(sub.IDNumber)), append(hashes, s.sealer.Hash(sub.IDNumber)), append(masked, sub.IDMasked)
		names, reps, addrs = append(names, sub.Name), append(reps, sub.LegalRep), append(addrs, sub.Address)
	}
	var err error
	if w.pg {
		_, err = w.conn.ExecContext(ctx, `INSERT INTO credit_subjects (subject_key, kind, credit_code, id_enc, id_hash, id_masked,
			name, legal_rep, address, created_at, updated_at)
			SELECT k, kind, code, enc, hash, masked, name, rep, addr, $10, $10
			FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
			AS t(k, kind, code, enc, hash, masked, name, rep, addr)`+subjectConflict,
			keys, kinds, codes, encs, hashes, masked, names, reps, addrs, w.now)
	} else {
		args := &sqlArgs{}
		var sb strings.Builder
		sb.WriteString(`INSERT INTO credit_subjects (subject_key, kind, credit_code, id_enc, id_hash, id_masked, name, legal_rep, address, created_at, updated_at) VALUES `)
		for i := range keys {
			if i > 0 {
				sb.WriteString(",")
			}
			fmt.Fprintf(&sb, "(%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)", args.add(keys[i]), args.add(kinds[i]), args.add(codes[i]),
				args.add(encs[i]), args.add(hashes[i]), args.add(masked[i]), args.add(names[i]), args.add(reps[i]), args.add(addrs[i]),
				args.add(w.now), args.add(w.now))
		}
		sb.WriteString(subjectConflict)
		_, err = w.conn.ExecContext(ctx, sb.String(), args.args...)
	}
	if err != nil {
		return nil, fmt.Errorf("store: upsert credit subjects: %w", err)
	}
	var rows []struct {
		ID         int64
		SubjectKey string
	}
	if err := w.tx.Model(&creditSubjectRow{}).Select("id, subject_key").Where("subject_key IN ?", keys).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: credit subject ids: %w", err)
	}
	ids := make(map[string]int64, len(rows))
	for _, r := range rows {
		ids[r.SubjectKey] = r.ID
	}
	return ids, nil
}

// naturalKey is what identifies an entry within its type: 机关, 文号, subject.
type naturalKey struct {
	authority, documentNo string
	subjectID             int64
}

// entryContent is what an import may change of an existing entry.
type entryContent struct {
	listName, reason       string
	severity               guanjia.CreditSeverity
	decidedOn, publicUntil time.Time
	validFrom, validUntil  *time.Time
	fields                 map[string]string
}

func sameDate(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Equal(*b)
}

func (c *entryContent) same(e *guanjia.CreditEntry) bool {
	return c.listName == e.ListName && c.reason == e.Reason && c.severity == e.Severity && c.decidedOn.Equal(e.DecidedOn) &&
		c.publicUntil.Equal(e.PublicUntil) && sameDate(c.validFrom, e.ValidFrom) && sameDate(c.validUntil, e.ValidUntil) &&
		maps.Equal(c.fields, e.Fields)
}

// entries inserts the chunk's new entries, each with its publish event, and
// amends those whose content changed; identical ones are left alone.
func (w *importWriter) entries(ctx context.Context, chunk []credit.ImportRow, ids map[string]int64) error {
	b := w.b
	auths, docs, sids := map[string]bool{}, make([]string, 0, len(chunk)), make([]int64, 0, len(chunk))
	for i := range chunk {
		e := &chunk[i].Entry
		e.SubjectID = ids[w.s.subjectKey(&chunk[i].Subject)]
		if e.SubjectID == 0 {
			return fmt.Errorf("store: credit subject of row %d was not written", chunk[i].Line)
		}
		auths[e.Authority] = true
		docs, sids = append(docs, e.DocumentNo), append(sids, e.SubjectID)
	}
	var existing []creditEntryRow
	var err error
	if w.pg {
		existing, err = w.existingPG(ctx, chunk, docs, sids)
	} else {
		err = w.tx.Where("type = ? AND authority IN ? AND document_no IN ? AND subject_id IN ?", b.Type,
			slices.Collect(maps.Keys(auths)), docs, sids).Find(&existing).Error
	}
	if err != nil {
		return fmt.Errorf("store: existing credit entries: %w", err)
	}
	byKey := make(map[naturalKey]*guanjia.CreditEntry, len(existing))
	for i := range existing {
		e := existing[i].entry()
		byKey[naturalKey{e.Authority, e.DocumentNo, e.SubjectID}] = e
	}
	var fresh []*guanjia.CreditEntry
	for i := range chunk {
		e := &chunk[i].Entry
		old := byKey[naturalKey{e.Authority, e.DocumentNo, e.SubjectID}]
		c := entryContent{listName: e.ListName, reason: e.Reason, severity: e.Severity, decidedOn: e.DecidedOn, publicUntil: e.PublicUntil,
			validFrom: e.ValidFrom, validUntil: e.ValidUntil, fields: e.Fields}
		switch {
		case old == nil:
			fresh = append(fresh, e)
		case old.Department != e.Department:
			return guanjia.Errorf(guanjia.ECONFLICT, "row %d: %s %s of %s was published by another department (%s)",
				chunk[i].Line, credit.TypeName(e.Type), e.DocumentNo, e.Authority, old.Department)
		case c.same(old):
			b.Unchanged++
		default:
			if err := w.amend(old, e); err != nil {
				return err
			}
			b.Updated++
		}
	}
	if len(fresh) == 0 {
		return nil
	}
	newIDs, err := w.insertEntries(ctx, fresh)
	if err != nil {
		return err
	}
	b.Inserted += len(newIDs)
	return w.publishEvents(ctx, newIDs)
}

// existingPG finds the chunk's entries that exist already: one probe of the
// natural-key index per row, the keys travelling as arrays.
func (w *importWriter) existingPG(ctx context.Context, chunk []credit.ImportRow, docs []string, sids []int64) ([]creditEntryRow, error) {
	auths := make([]string, len(chunk))
	for i := range chunk {
		auths[i] = chunk[i].Entry.Authority
	}
	rows, err := w.conn.QueryContext(ctx, `SELECT e.id, e.type, e.subject_id, e.list_name, e.reason, e.document_no, e.authority,
		e.department, e.severity, e.decided_on, e.valid_from, e.valid_until, e.public_until, e.status, e.fields::text, e.batch_id,
		e.created_at, e.updated_at
		FROM credit_entries e
		JOIN unnest($1::text[], $2::text[], $3::bigint[]) AS k(authority, document_no, subject_id)
		ON e.authority = k.authority AND e.document_no = k.document_no AND e.subject_id = k.subject_id
		WHERE e.type = $4`, auths, docs, sids, w.b.Type)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []creditEntryRow
	for rows.Next() {
		var r creditEntryRow
		if err := rows.Scan(&r.ID, &r.Type, &r.SubjectID, &r.ListName, &r.Reason, &r.DocumentNo, &r.Authority, &r.Department,
			&r.Severity, &r.DecidedOn, &r.ValidFrom, &r.ValidUntil, &r.PublicUntil, &r.Status, &r.Fields, &r.BatchID, &r.CreatedAt, &r.UpdatedAt); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// insertEntries writes new entries (all of the batch's type and department)
// and returns their IDs.
func (w *importWriter) insertEntries(ctx context.Context, fresh []*guanjia.CreditEntry) ([]int64, error) {
	b := w.b
	var q string
	var args []any
	if w.pg {
		n := len(fresh)
		sids, lists, reasons, docs, auths, sevs := make([]int64, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		decided, from, until, public, fields := make([]time.Time, n), make([]*time.Time, n), make([]*time.Time, n), make([]time.Time, n), make([]string, n)
		for i, e := range fresh {
			sids[i], lists[i], reasons[i], docs[i], auths[i], sevs[i] = e.SubjectID, e.ListName, e.Reason, e.DocumentNo, e.Authority, string(e.Severity)
			decided[i], from[i], until[i], public[i], fields[i] = e.DecidedOn, e.ValidFrom, e.ValidUntil, e.PublicUntil, marshalData(e.Fields)
		}
		q = `INSERT INTO credit_entries (type, subject_id, list_name, reason, document_no, authority, department,
			decided_on, valid_from, valid_until, public_until, status, fields, batch_id, created_at, updated_at, severity)
			SELECT $1, sid, ln, rs, dn, au, $2, dec, vf, vu, pu, $3, f::jsonb, $4, $5, $5, sev
			FROM unnest($6::bigint[], $7::text[], $8::text[], $9::text[], $10::text[], $11::timestamptz[], $12::timestamptz[],
				$13::timestamptz[], $14::timestamptz[], $15::text[], $16::text[]) AS t(sid, ln, rs, dn, au, dec, vf, vu, pu, f, sev)
			RETURNING id`
		args = []any{b.Type, b.Department, string(guanjia.CreditActive), b.ID, w.now,
			sids, lists, reasons, docs, auths, decided, from, until, public, fields, sevs}
	} else {
		a := &sqlArgs{}
		var sb strings.Builder
		sb.WriteString(`INSERT INTO credit_entries (type, subject_id, list_name, reason, document_no, authority, department,
			decided_on, valid_from, valid_until, public_until, status, fields, batch_id, created_at, updated_at, severity) VALUES `)
		for i, e := range fresh {
			if i > 0 {
				sb.WriteString(",")
			}
			fmt.Fprintf(&sb, "(%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)", a.add(e.Type), a.add(e.SubjectID),
				a.add(e.ListName), a.add(e.Reason), a.add(e.DocumentNo), a.add(e.Authority), a.add(e.Department),
				a.add(e.DecidedOn), a.add(e.ValidFrom), a.add(e.ValidUntil), a.add(e.PublicUntil),
				a.add(string(guanjia.CreditActive)), a.add(marshalData(e.Fields)), a.add(b.ID), a.add(w.now), a.add(w.now),
				a.add(string(e.Severity)))
		}
		sb.WriteString(" RETURNING id")
		q, args = sb.String(), a.args
	}
	rows, err := w.conn.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: insert credit entries: %w", err)
	}
	defer rows.Close()
	ids := make([]int64, 0, len(fresh))
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("store: insert credit entries: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: insert credit entries: %w", err)
	}
	return ids, nil
}

// publishEvents writes the publish event of each new entry.
func (w *importWriter) publishEvents(ctx context.Context, ids []int64) error {
	b := w.b
	var err error
	if w.pg {
		_, err = w.conn.ExecContext(ctx, `INSERT INTO credit_events (entry_id, action, from_status, to_status, actor_id, actor_role, batch_id, note, at)
			SELECT id, $2, '', $3, $4, $5, $6, '', $7 FROM unnest($1::bigint[]) AS id`,
			ids, string(guanjia.CreditPublish), string(guanjia.CreditActive), b.UploadedBy, string(b.UploaderRole), b.ID, w.now)
	} else {
		a := &sqlArgs{}
		var sb strings.Builder
		sb.WriteString(`INSERT INTO credit_events (entry_id, action, from_status, to_status, actor_id, actor_role, batch_id, note, at) VALUES `)
		for i, id := range ids {
			if i > 0 {
				sb.WriteString(",")
			}
			fmt.Fprintf(&sb, "(%s,'%s','','%s',%s,%s,%s,'',%s)", a.add(id), guanjia.CreditPublish, guanjia.CreditActive,
				a.add(b.UploadedBy), a.add(string(b.UploaderRole)), a.add(b.ID), a.add(w.now))
		}
		_, err = w.conn.ExecContext(ctx, sb.String(), a.args...)
	}
	if err != nil {
		return fmt.Errorf("store: publish events of batch %d: %w", b.ID, err)
	}
	return nil
}

// amend rewrites an entry's content from a re-import, keeping its status,
// and records what changed on its history.
func (w *importWriter) amend(old, e *guanjia.CreditEntry) error {
	b := w.b
	err := w.tx.Model(&creditEntryRow{}).Where("id = ?", old.ID).Updates(map[string]any{
		"list_name": e.ListName, "reason": e.Reason, "severity": string(e.Severity), "decided_on": e.DecidedOn, "valid_from": e.ValidFrom,
		"valid_until": e.ValidUntil, "public_until": e.PublicUntil, "fields": marshalData(e.Fields),
		"batch_id": b.ID, "updated_at": w.now}).Error
	if err != nil {
		return fmt.Errorf("store: amend credit entry %d: %w", old.ID, err)
	}
	actor, batch := b.UploadedBy, b.ID
	note := "re-imported with changed content"
	if !old.PublicUntil.Equal(e.PublicUntil) {
		note = fmt.Sprintf("re-imported; public until %s (was %s)", e.PublicUntil.Format("2006-01-02"), old.PublicUntil.Format("2006-01-02"))
	}
	ev := &creditEventRow{EntryID: old.ID, Action: string(guanjia.CreditAmend), FromStatus: string(old.Status), ToStatus: string(old.Status),
		ActorID: &actor, ActorRole: string(b.UploaderRole), BatchID: &batch, Note: note, At: w.now}
	if err := w.tx.Create(ev).Error; err != nil {
		return fmt.Errorf("store: amend event of %d: %w", old.ID, err)
	}
	return nil
}
