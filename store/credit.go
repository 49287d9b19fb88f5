package store

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"gorm.io/gorm"

	"guanjia"
	"guanjia/credit"
)

// Credit keeps 诚信海口's tables: subjects, entries and their events, the
// departments' remits, import batches, repairs, representatives and articles.
// It is credit.Store, and answers the units and users it needs from their own stores.
type Credit struct {
	*conn
	users   *Users
	catalog *Catalog
}

var _ credit.Store = (*Credit)(nil)

func (s *Credit) FindUnit(ctx context.Context, code string) (*guanjia.Unit, error) {
	return s.catalog.FindUnit(ctx, code)
}

func (s *Credit) ListUsersByRole(ctx context.Context, role guanjia.Role, unitCode string) ([]*guanjia.User, error) {
	return s.users.ListUsersByRole(ctx, role, unitCode)
}

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

// subjectKey is the natural key of a subject (see migrations 004 and 024):
// its 统一社会信用代码, else the keyed hash of the ID number, marked apart for
// a person ("id:") and an unregistered 个体工商户 run by them ("bid:").
func (s *Credit) subjectKey(sub *guanjia.CreditSubject) string {
	if sub.CreditCode != "" {
		return sub.CreditCode
	}
	return idKeyPrefix(sub.Kind) + s.sealer.Hash(sub.IDNumber)
}

func idKeyPrefix(kind guanjia.SubjectKind) string {
	if kind == guanjia.SubjectBusiness {
		return "bid:"
	}
	return "id:"
}

func (s *Credit) FindSubject(ctx context.Context, id int64) (*guanjia.CreditSubject, error) {
	var row creditSubjectRow
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return nil, notFound(err, "credit subject", id)
	}
	return row.subject(), nil
}

func (s *Credit) FindSubjectByCode(ctx context.Context, code string) (*guanjia.CreditSubject, error) {
	var row creditSubjectRow
	if err := s.db.WithContext(ctx).Where("subject_key = ?", code).Take(&row).Error; err != nil {
		return nil, notFound(err, "credit subject", code)
	}
	return row.subject(), nil
}

// FindSubjectByIDNumber finds a person by the keyed hash of the ID number,
// else a 个体工商户 run by them; never a company whose 法定代表人 it is. The
// number itself is never in an error.
func (s *Credit) FindSubjectByIDNumber(ctx context.Context, idNumber string) (*guanjia.CreditSubject, error) {
	hash := s.sealer.Hash(strings.ToUpper(idNumber))
	var row creditSubjectRow
	err := s.db.WithContext(ctx).Where("id_hash = ? AND id_hash <> '' AND kind IN ?", hash,
		[]guanjia.SubjectKind{guanjia.SubjectPerson, guanjia.SubjectBusiness}).
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

// Names are published with brackets of either width, and typed with either.
var (
	fullBrackets = strings.NewReplacer("(", "（", ")", "）")
	halfBrackets = strings.NewReplacer("（", "(", "）", ")")
)

// halfBracketName is the SQL of a candidate's name with half-width brackets,
// for ranking the matches of either width alike.
const halfBracketName = "replace(replace(c.name, '（', '('), '）', ')')"

// SearchSubjects finds names containing f.Name, its brackets of either width.
// At most credit.MaxSearchResults matches are ranked (exact name, then where
// the match starts, then shorter names): the candidate scan stops there, so a
// broad query stays fast. On PostgreSQL the indexes of
// migrations/postgres/004_credit.sql serve the match, each bracket width's by
// its own index scan.
func (s *Credit) SearchSubjects(ctx context.Context, f credit.SubjectSearch) ([]*guanjia.CreditSubject, bool, error) {
	half := halfBrackets.Replace(f.Name)
	names := []string{half}
	if full := fullBrackets.Replace(f.Name); full != half {
		names = append(names, full)
	}
	var args []any
	var matches []string
	for _, name := range names {
		match := "s.name LIKE ? ESCAPE '\\'"
		if s.Dialect == "postgres" {
			match = "s.name ILIKE ? ESCAPE '\\'" // the trigram index
			if utf8.RuneCountInString(name) == 2 {
				// Two characters have no trigram: the bigram index narrows,
				// ILIKE confirms. Longer queries leave it out, because a bitmap
				// recheck would compute every candidate's bigrams again.
				match = "credit_bigrams(s.name) @> credit_bigrams(?) AND " + match
				args = append(args, name)
			}
		}
		matches = append(matches, "("+match+")")
		args = append(args, likePattern(name))
	}
	where := "(" + strings.Join(matches, " OR ") + ")"
	position := "instr(" + halfBracketName + ", ?)"
	if s.Dialect == "postgres" {
		position = "strpos(" + halfBracketName + ", ?)"
	}
	if f.PublicOn != nil {
		// A subject keyed by an ID number (credit.KeyedByIDNumber: a person,
		// an unregistered 个体工商户) is findable only while something about
		// it is published: the rule of ListEntries' PublicOn, so the search
		// agrees with the lookup before the sweep expires an entry.
		where += ` AND (s.credit_code <> '' OR EXISTS (SELECT 1 FROM credit_entries e
			WHERE e.subject_id = s.id AND e.status = 'active' AND e.public_until >= ?))`
		args = append(args, *f.PublicOn)
	}
	q := `SELECT c.* FROM (SELECT s.* FROM credit_subjects s WHERE ` + where + ` LIMIT ?) c
		ORDER BY CASE WHEN ` + halfBracketName + ` = ? THEN 0 ELSE 1 END, ` + position + `, length(c.name), c.id LIMIT ? OFFSET ?`
	var rows []creditSubjectRow
	args = append(args, credit.MaxSearchResults, half, half, f.Limit+1, f.Offset)
	var err error
	if s.Dialect == "postgres" {
		err = s.searchPG(ctx, q, args, &rows)
	} else {
		err = s.db.WithContext(ctx).Raw(q, args...).Scan(&rows).Error
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

// searchPG runs a name search as an unnamed statement, which PostgreSQL
// plans for the values it is given: a cached generic plan cannot tell a
// common pattern (scan until 1000 match) from a rare one (use an index).
// One round trip, where SET LOCAL plan_cache_mode took a transaction of four.
func (s *Credit) searchPG(ctx context.Context, q string, args []any, rows *[]creditSubjectRow) error {
	a := &sqlArgs{postgres: true}
	var sb strings.Builder
	for i, part := range strings.Split(q, "?") {
		if i > 0 {
			sb.WriteString(a.add(args[i-1]))
		}
		sb.WriteString(part)
	}
	g := s.db.WithContext(ctx)
	res, err := g.Statement.ConnPool.QueryContext(ctx, sb.String(), append([]any{pgx.QueryExecModeExec}, a.args...)...)
	if err != nil {
		return err
	}
	defer res.Close()
	for res.Next() {
		var r creditSubjectRow
		if err := g.ScanRows(res, &r); err != nil {
			return err
		}
		*rows = append(*rows, r)
	}
	return res.Err()
}

func (s *Credit) CountLists(ctx context.Context, subjectIDs []int64, day time.Time) (map[int64]map[string]int, error) {
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

func (s *Credit) ListEntries(ctx context.Context, f credit.EntryFilter) ([]*guanjia.CreditEntry, int, error) {
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
		if f.WithoutBlackListed {
			q = q.Where(`NOT EXISTS (SELECT 1 FROM credit_entries b WHERE b.subject_id = credit_entries.subject_id
				AND b.type = ? AND b.status = 'active' AND b.public_until >= ?)`, guanjia.CreditBlackList, *f.PublicOn)
		}
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

func (s *Credit) fillSubjects(ctx context.Context, g *gorm.DB, entries []*guanjia.CreditEntry) error {
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
func (s *Credit) FindEntry(ctx context.Context, id int64) (*guanjia.CreditEntry, error) {
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

func (s *Credit) ListCreditEvents(ctx context.Context, entryID int64) ([]*guanjia.CreditEvent, error) {
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
func (s *Credit) SaveEntryChange(ctx context.Context, ch *credit.EntryChange) error {
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
		var err error
		ch.Queued, err = writeNotices(tx, ch.Notices, ch, ch.Event.At)
		return err
	})
}

// writeNotices writes to the outbox, in tx, the messages notices builds
// from what the change did, and answers the ids to queue.
func writeNotices[T any](tx *gorm.DB, notices credit.Notices[T], done T, now time.Time) ([]int64, error) {
	if notices == nil {
		return nil, nil
	}
	msgs, err := notices(done)
	if err != nil {
		return nil, err
	}
	return queueNotifications(tx, msgs, 0, now)
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
func (s *Credit) ExpireDue(ctx context.Context, day, at time.Time, limit int, notices credit.Notices[[]*guanjia.CreditEntry]) (
	[]*guanjia.CreditEntry, []int64, error) {
	var out []*guanjia.CreditEntry
	var queued []int64
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
		if err := s.fillSubjects(ctx, tx, out); err != nil {
			return err
		}
		var err error
		queued, err = writeNotices(tx, notices, out, at)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return out, queued, nil
}

type creditRemitRow struct {
	UnitCode   string `gorm:"primaryKey"`
	RecordType string `gorm:"primaryKey"`
}

func (creditRemitRow) TableName() string { return "credit_remits" }

func (s *Credit) ListRemits(ctx context.Context) ([]credit.Remit, error) {
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

func (s *Credit) FindRemit(ctx context.Context, unitCode string) (*credit.Remit, error) {
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

func (s *Credit) SetRemit(ctx context.Context, unitCode string, types []string) error {
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
