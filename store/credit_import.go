package store

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"

	"guanjia"
	"guanjia/credit"
)

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

// translateError translates the error of a statement run on the raw
// connection, past gorm's callbacks, as gorm translates its own: a duplicate
// key becomes gorm.ErrDuplicatedKey.
func translateError(g *gorm.DB, err error) error {
	if t, ok := g.Dialector.(gorm.ErrorTranslator); ok && err != nil {
		return t.Translate(err)
	}
	return err
}

// importWriter writes one batch inside its transaction (SQLite; PostgreSQL
// imports through importPG).
type importWriter struct {
	s    *Credit
	tx   *gorm.DB
	conn gorm.ConnPool
	b    *credit.Batch
	now  time.Time
}

// ImportBatch writes a validated batch in one transaction (see credit.Store).
func (s *Credit) ImportBatch(ctx context.Context, b *credit.Batch, rows []credit.ImportRow, progress func(done int),
	notices credit.Notices[*credit.Batch]) ([]int64, error) {
	now := s.Now()
	b.Inserted, b.Updated, b.Unchanged = 0, 0, 0
	var queued []int64
	var err error
	if s.Dialect == "postgres" {
		queued, err = s.importPG(ctx, b, rows, progress, notices)
	} else {
		queued, err = s.importBatched(ctx, b, rows, progress, notices, now)
	}
	if err != nil {
		b.Status, b.FinishedAt = credit.BatchRunning, nil
		b.Inserted, b.Updated, b.Unchanged = 0, 0, 0
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return nil, guanjia.Errorf(guanjia.ECONFLICT, "another import of the same records ran at the same time; upload the file again")
		}
		return nil, err
	}
	return queued, nil
}

// importBatched writes a batch a chunk of rows at a time (SQLite), in one transaction.
func (s *Credit) importBatched(ctx context.Context, b *credit.Batch, rows []credit.ImportRow, progress func(done int),
	notices credit.Notices[*credit.Batch], now time.Time) ([]int64, error) {
	var queued []int64
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		w := &importWriter{s: s, tx: tx, conn: tx.Statement.ConnPool, b: b, now: now}
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
		if err := updateUnfinishedBatch(tx, b); err != nil { // another run of it finished first
			return err
		}
		if err := tx.Where("batch_id = ?", b.ID).Delete(&creditImportFileRow{}).Error; err != nil {
			return fmt.Errorf("store: drop file of credit batch %d: %w", b.ID, err)
		}
		var err error
		queued, err = writeNotices(tx, notices, b, now)
		return err
	})
	return queued, err
}

// subjectConflict updates a known subject only where the row says something
// new (subjectChanged).
var subjectConflict = ` ON CONFLICT (subject_key) DO UPDATE SET
	name = excluded.name,
	kind = excluded.kind,
	legal_rep = CASE WHEN excluded.legal_rep <> '' THEN excluded.legal_rep ELSE credit_subjects.legal_rep END,
	address = CASE WHEN excluded.address <> '' THEN excluded.address ELSE credit_subjects.address END,
	id_enc = ` + subjectIDColumn("id_enc") + `,
	id_masked = ` + subjectIDColumn("id_masked") + `,
	id_hash = ` + subjectIDColumn("id_hash") + `,
	updated_at = excluded.updated_at
	WHERE ` + subjectChanged("credit_subjects", "excluded")

// subjectIDColumn is the new value of an ID number column of a known
// subject. A subject keyed by its ID number keeps it. A code-keyed one's is
// its 法定代表人's (or 经营者's): it goes with the rep's name, so a row
// naming a rep with an ID number brings both, and one naming another rep
// without one leaves none (a name with another's ID would let neither bind).
func subjectIDColumn(col string) string {
	return fmt.Sprintf(`CASE
		WHEN credit_subjects.credit_code = '' THEN credit_subjects.%[1]s
		WHEN excluded.id_hash <> '' THEN excluded.%[1]s
		WHEN excluded.legal_rep <> '' AND excluded.legal_rep <> credit_subjects.legal_rep THEN ''
		ELSE credit_subjects.%[1]s END`, col)
}

// subjectChanged is the SQL condition under which a row (alias row) says
// something new of the known subject (alias known): another name, legal
// representative, address or, for a code-keyed subject, ID number (an empty
// cell keeps what is known).
func subjectChanged(known, row string) string {
	return fmt.Sprintf(`(%[1]s.name <> %[2]s.name OR %[1]s.kind <> %[2]s.kind
	OR (%[2]s.legal_rep <> '' AND %[1]s.legal_rep <> %[2]s.legal_rep)
	OR (%[2]s.address <> '' AND %[1]s.address <> %[2]s.address)
	OR (%[1]s.credit_code <> '' AND %[2]s.id_hash <> '' AND %[1]s.id_hash <> %[2]s.id_hash))`, known, row)
}

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
	if _, err := w.conn.ExecContext(ctx, sb.String(), args.args...); err != nil {
		return nil, fmt.Errorf("store: upsert credit subjects: %w", translateError(w.tx, err))
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
	if err := w.tx.Where("type = ? AND authority IN ? AND document_no IN ? AND subject_id IN ?", b.Type,
		slices.Collect(maps.Keys(auths)), docs, sids).Find(&existing).Error; err != nil {
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
			return otherDepartment(chunk[i].Line, e.Type, e.DocumentNo, e.Authority, old.Department)
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

// insertEntries writes new entries (all of the batch's type and department)
// and returns their IDs.
func (w *importWriter) insertEntries(ctx context.Context, fresh []*guanjia.CreditEntry) ([]int64, error) {
	b := w.b
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
	rows, err := w.conn.QueryContext(ctx, sb.String(), a.args...)
	if err != nil {
		return nil, fmt.Errorf("store: insert credit entries: %w", translateError(w.tx, err))
	}
	defer rows.Close()
	ids := make([]int64, 0, len(fresh))
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("store: insert credit entries: %w", translateError(w.tx, err))
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: insert credit entries: %w", translateError(w.tx, err))
	}
	return ids, nil
}

// publishEvents writes the publish event of each new entry.
func (w *importWriter) publishEvents(ctx context.Context, ids []int64) error {
	b := w.b
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
	if _, err := w.conn.ExecContext(ctx, sb.String(), a.args...); err != nil {
		return fmt.Errorf("store: publish events of batch %d: %w", b.ID, translateError(w.tx, err))
	}
	return nil
}

// amendNote is the note of an amend event: what a re-import changed.
func amendNote(wasPublicUntil, publicUntil time.Time) string {
	if wasPublicUntil.Equal(publicUntil) {
		return "re-imported with changed content"
	}
	return fmt.Sprintf("re-imported; public until %s (was %s)", publicUntil.Format("2006-01-02"), wasPublicUntil.Format("2006-01-02"))
}

// otherDepartment refuses a row naming an entry another department published:
// a department corrects only its own records (a rule, so 422: the same file
// is refused the same way however often it is sent).
func otherDepartment(line int, typ, documentNo, authority, department string) error {
	return guanjia.Errorf(guanjia.EUNPROCESSABLE, "row %d: %s %s of %s was published by another department (%s)",
		line, credit.TypeName(typ), documentNo, authority, department)
}

// amend rewrites an entry's content from a re-import, keeping its status,
// and records what changed on its history.
func (w *importWriter) amend(old, e *guanjia.CreditEntry) error {
	b := w.b
	to := credit.AmendedStatus(old.Status)
	err := w.tx.Model(&creditEntryRow{}).Where("id = ?", old.ID).Updates(map[string]any{
		"list_name": e.ListName, "reason": e.Reason, "severity": string(e.Severity), "decided_on": e.DecidedOn, "valid_from": e.ValidFrom,
		"valid_until": e.ValidUntil, "public_until": e.PublicUntil, "fields": marshalData(e.Fields), "status": string(to),
		"batch_id": b.ID, "updated_at": w.now}).Error
	if err != nil {
		return fmt.Errorf("store: amend credit entry %d: %w", old.ID, err)
	}
	actor, batch := b.UploadedBy, b.ID
	ev := &creditEventRow{EntryID: old.ID, Action: string(guanjia.CreditAmend), FromStatus: string(old.Status), ToStatus: string(to),
		ActorID: &actor, ActorRole: string(b.UploaderRole), BatchID: &batch, Note: amendNote(old.PublicUntil, e.PublicUntil), At: w.now}
	if err := w.tx.Create(ev).Error; err != nil {
		return fmt.Errorf("store: amend event of %d: %w", old.ID, err)
	}
	return nil
}

// importStagingColumns are the columns of the staging table a PostgreSQL
// import COPYs its rows into: the subject (sealed and hashed as stored) and
// the entry of each row, by its line in the file.
var importStagingColumns = []string{"line", "subject_key", "kind", "credit_code", "id_enc", "id_hash", "id_masked", "name",
	"legal_rep", "address", "list_name", "reason", "document_no", "authority", "severity", "decided_on", "valid_from",
	"valid_until", "public_until", "fields"}

// importPG writes a validated batch on PostgreSQL in one transaction: the
// rows are COPYed into a temporary staging table, then subjects are upserted,
// entries published by another department refused, changed entries amended
// and new ones inserted, each as one statement over the whole batch.
func (s *Credit) importPG(ctx context.Context, b *credit.Batch, rows []credit.ImportRow, progress func(done int),
	notices credit.Notices[*credit.Batch]) ([]int64, error) {
	sqlDB, err := s.db.DB()
	if err != nil {
		return nil, err
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: credit import: %w", err)
	}
	defer conn.Close()
	var queued []int64
	err = conn.Raw(func(dc any) error {
		pc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("store: credit import: the connection is a %T, not pgx", dc)
		}
		return pgx.BeginFunc(ctx, pc.Conn(), func(tx pgx.Tx) error {
			if err := s.importStaged(ctx, tx, b, rows, progress); err != nil {
				return err
			}
			if notices == nil {
				return nil
			}
			msgs, err := notices(b)
			if err != nil {
				return err
			}
			queued, err = queueNotificationsPgx(ctx, tx, msgs, s.Now())
			return err
		})
	})
	return queued, err
}

// queueNotificationsPgx is queueNotifications inside a pgx transaction.
func queueNotificationsPgx(ctx context.Context, tx pgx.Tx, messages []guanjia.Message, now time.Time) ([]int64, error) {
	var ids []int64
	for _, m := range messages {
		r := newNotificationRow(m, now)
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO notifications (recipient_id, channel, template, complaint_id, data, status, created_at, sent_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, r.RecipientID, r.Channel, r.Template, r.ComplaintID, r.Data, r.Status,
			r.CreatedAt, r.SentAt).Scan(&id); err != nil {
			return nil, fmt.Errorf("store: queue notifications: %w", err)
		}
		if r.Status == guanjia.DeliveryPending {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

func (s *Credit) importStaged(ctx context.Context, tx pgx.Tx, b *credit.Batch, rows []credit.ImportRow, progress func(done int)) error {
	now := s.Now()
	fail := func(what string, err error) error {
		return fmt.Errorf("store: credit import %s: %w", what, translateError(s.db, err))
	}
	// A batch is small beside the tables it joins (millions of entries):
	// each of its rows is one probe of a unique index, where the planner,
	// costing random reads as from disk, would rather scan the whole table.
	// Those costs also make the statements look worth compiling (JIT), which
	// takes longer than running them; and the batch's sorts fit in memory.
	for _, set := range []string{"SET LOCAL enable_hashjoin = off", "SET LOCAL enable_mergejoin = off", "SET LOCAL jit = off",
		"SET LOCAL work_mem = '64MB'"} {
		if _, err := tx.Exec(ctx, set); err != nil {
			return fail("plan settings", err)
		}
	}
	if _, err := tx.Exec(ctx, `CREATE TEMPORARY TABLE credit_import_rows (line INTEGER NOT NULL, subject_key TEXT NOT NULL,
		kind TEXT, credit_code TEXT, id_enc TEXT, id_hash TEXT, id_masked TEXT, name TEXT, legal_rep TEXT, address TEXT,
		list_name TEXT, reason TEXT, document_no TEXT, authority TEXT, severity TEXT, decided_on TIMESTAMPTZ,
		valid_from TIMESTAMPTZ, valid_until TIMESTAMPTZ, public_until TIMESTAMPTZ, fields TEXT) ON COMMIT DROP`); err != nil {
		return fail("staging table", err)
	}
	i := 0
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"credit_import_rows"}, importStagingColumns, pgx.CopyFromFunc(func() ([]any, error) {
		if i == len(rows) {
			return nil, nil
		}
		r := &rows[i]
		i++
		sub, e := &r.Subject, &r.Entry
		return []any{r.Line, s.subjectKey(sub), string(sub.Kind), sub.CreditCode, s.sealer.Seal(sub.IDNumber), s.sealer.Hash(sub.IDNumber),
			sub.IDMasked, sub.Name, sub.LegalRep, sub.Address, e.ListName, e.Reason, e.DocumentNo, e.Authority, string(e.Severity),
			e.DecidedOn, e.ValidFrom, e.ValidUntil, e.PublicUntil, marshalData(e.Fields)}, nil
	})); err != nil {
		return fail("copy", err)
	}
	// Each row beside its subject and the entry it names, if they exist: one
	// probe of each unique index per row, and every step below reads this.
	if _, err := tx.Exec(ctx, `CREATE TEMPORARY TABLE credit_import_matched ON COMMIT DROP AS
		SELECT r.*, s.id AS sid, COALESCE(`+subjectChanged("s", "r")+`, FALSE) AS subject_changed,
			e.id AS entry_id, e.department AS entry_department, e.status AS entry_status, e.public_until AS was_public_until,
			e.id IS NOT NULL AND NOT (e.list_name = r.list_name AND e.reason = r.reason AND e.severity = r.severity
				AND e.decided_on = r.decided_on AND e.public_until = r.public_until AND e.valid_from IS NOT DISTINCT FROM r.valid_from
				AND e.valid_until IS NOT DISTINCT FROM r.valid_until AND e.fields = r.fields::jsonb) AS changed
		FROM credit_import_rows r LEFT JOIN credit_subjects s ON s.subject_key = r.subject_key
		LEFT JOIN credit_entries e ON e.type = $1 AND e.authority = r.authority AND e.document_no = r.document_no
			AND e.subject_id + 0 = s.id`, // + 0: the natural key's unique index, not the subject's, which reads every entry of the subject
		b.Type); err != nil {
		return fail("existing entries", err)
	}
	// New subjects, and known ones the file says something new of, as the
	// first row naming each says it (a statement may not update a row twice).
	// Most rows name a subject as it is known: they write nothing here.
	if _, err := tx.Exec(ctx, `INSERT INTO credit_subjects (subject_key, kind, credit_code, id_enc, id_hash, id_masked,
		name, legal_rep, address, created_at, updated_at)
		SELECT subject_key, kind, credit_code, id_enc, id_hash, id_masked, name, legal_rep, address, $1::timestamptz, $1::timestamptz
		FROM (SELECT DISTINCT ON (subject_key) * FROM credit_import_matched ORDER BY subject_key, line) first
		WHERE sid IS NULL OR subject_changed`+subjectConflict, now); err != nil {
		return fail("subjects", err)
	}
	if _, err := tx.Exec(ctx, `UPDATE credit_import_matched m SET sid = s.id FROM credit_subjects s
		WHERE m.sid IS NULL AND s.subject_key = m.subject_key`); err != nil {
		return fail("new subjects", err)
	}
	if progress != nil {
		progress(len(rows) / 2)
	}
	var line int
	var doc, authority, department string
	err := tx.QueryRow(ctx, `SELECT line, document_no, authority, entry_department FROM credit_import_matched
		WHERE entry_id IS NOT NULL AND entry_department <> $1 ORDER BY line LIMIT 1`, b.Department).Scan(&line, &doc, &authority, &department)
	switch {
	case err == nil:
		return otherDepartment(line, b.Type, doc, authority, department)
	case !errors.Is(err, pgx.ErrNoRows):
		return fail("existing entries", err)
	}
	if err := s.amendStaged(ctx, tx, b, now); err != nil {
		return err
	}
	tag, err := tx.Exec(ctx, `WITH fresh AS (
		INSERT INTO credit_entries (type, subject_id, list_name, reason, document_no, authority, department,
			decided_on, valid_from, valid_until, public_until, status, fields, batch_id, created_at, updated_at, severity)
		SELECT $1, sid, list_name, reason, document_no, authority, $2, decided_on, valid_from, valid_until,
			public_until, $3, fields::jsonb, $4::bigint, $5::timestamptz, $5::timestamptz, severity
		FROM credit_import_matched WHERE entry_id IS NULL ORDER BY line
		RETURNING id)
		INSERT INTO credit_events (entry_id, action, from_status, to_status, actor_id, actor_role, batch_id, note, at)
		SELECT id, $6, '', $3, $7::bigint, $8, $4::bigint, '', $5::timestamptz FROM fresh`,
		b.Type, b.Department, string(guanjia.CreditActive), b.ID, now, string(guanjia.CreditPublish), b.UploadedBy, string(b.UploaderRole))
	if err != nil {
		return fail("new entries", err)
	}
	b.Inserted = int(tag.RowsAffected())
	b.Unchanged = len(rows) - b.Inserted - b.Updated
	b.Status, b.FinishedAt = credit.BatchDone, &now
	row := toCreditBatchRow(b)
	tag, err = tx.Exec(ctx, `UPDATE credit_batches SET status = $2, row_count = $3, inserted = $4, updated = $5, unchanged = $6,
		error_count = $7, errors = $8, finished_at = $9 WHERE id = $1 AND status IN ($10, $11)`, b.ID, row.Status, row.RowCount, row.Inserted, row.Updated,
		row.Unchanged, row.ErrorCount, row.Errors, row.FinishedAt, string(credit.BatchQueued), string(credit.BatchRunning))
	if err != nil {
		return fail("batch", err)
	} else if tag.RowsAffected() == 0 { // another run of it finished first
		return errBatchEnded(b.ID)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM credit_import_files WHERE batch_id = $1`, b.ID); err != nil {
		return fail("file", err)
	}
	return nil
}

// amendStaged rewrites the existing entries whose content the batch changes,
// keeping their status, each with an amend event on its history. Identical
// ones are left alone.
func (s *Credit) amendStaged(ctx context.Context, tx pgx.Tx, b *credit.Batch, now time.Time) error {
	// Locked and read again: a revoke, repair or expiry committed since the
	// probe is the status the amend starts from (and keeps).
	res, err := tx.Query(ctx, `SELECT m.entry_id, e.status, m.was_public_until, m.public_until FROM credit_import_matched m
		JOIN credit_entries e ON e.id = m.entry_id WHERE m.changed ORDER BY m.line FOR UPDATE OF e`)
	if err != nil {
		return fmt.Errorf("store: credit import changed entries: %w", err)
	}
	var ids []int64
	var froms, tos, notes []string
	for res.Next() {
		var id int64
		var status string
		var was, until time.Time
		if err := res.Scan(&id, &status, &was, &until); err != nil {
			res.Close()
			return fmt.Errorf("store: credit import changed entries: %w", err)
		}
		ids, froms, notes = append(ids, id), append(froms, status), append(notes, amendNote(was, until))
		tos = append(tos, string(credit.AmendedStatus(guanjia.CreditStatus(status))))
	}
	res.Close()
	if err := res.Err(); err != nil {
		return fmt.Errorf("store: credit import changed entries: %w", err)
	}
	if len(ids) == 0 {
		return nil
	}
	if _, err := tx.Exec(ctx, `UPDATE credit_entries e SET list_name = m.list_name, reason = m.reason, severity = m.severity,
		decided_on = m.decided_on, valid_from = m.valid_from, valid_until = m.valid_until, public_until = m.public_until,
		fields = m.fields::jsonb, status = t.st, batch_id = $1, updated_at = $2
		FROM credit_import_matched m JOIN unnest($3::bigint[], $4::text[]) AS t(id, st) ON t.id = m.entry_id
		WHERE m.changed AND e.id = m.entry_id`, b.ID, now, ids, tos); err != nil {
		return fmt.Errorf("store: credit import amend: %w", translateError(s.db, err))
	}
	if _, err := tx.Exec(ctx, `INSERT INTO credit_events (entry_id, action, from_status, to_status, actor_id, actor_role, batch_id, note, at)
		SELECT id, $5, was, st, $6::bigint, $7, $8::bigint, note, $9::timestamptz
		FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[]) AS t(id, was, st, note)`,
		ids, froms, tos, notes, string(guanjia.CreditAmend), b.UploadedBy, string(b.UploaderRole), b.ID, now); err != nil {
		return fmt.Errorf("store: credit import amend events: %w", translateError(s.db, err))
	}
	b.Updated = len(ids)
	return nil
}
