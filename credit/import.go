package credit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"time"

	"guanjia"
)

// Upload is a department's file of records of one type.
type Upload struct {
	Type       string
	Department string // unit code; only an admin names it, a department user publishes as their own
	Filename   string
	Data       []byte
}

// publisher returns the department an upload (or decision) is made for:
// a department user's own unit, or the unit an admin names.
func publisher(who guanjia.Claims, named string) (string, error) {
	switch who.Role {
	case guanjia.RoleDepartment:
		if who.UnitCode == "" {
			return "", guanjia.Errorf(guanjia.EFORBIDDEN, "your account belongs to no department")
		}
		if named != "" && named != who.UnitCode {
			return "", guanjia.FieldError(guanjia.EFORBIDDEN, "department", "you publish for your own department only")
		}
		return who.UnitCode, nil
	case guanjia.RoleAdmin:
		if named == "" {
			return "", guanjia.FieldError(guanjia.EINVALID, "department", "name the department the batch is published for")
		}
		return named, nil
	}
	return "", guanjia.Errorf(guanjia.EFORBIDDEN, "only department staff publish credit data")
}

// checkRemit refuses a department publishing a type outside its remit.
func (s *Service) checkRemit(ctx context.Context, unit string, rt *RecordType) error {
	remit, err := s.Store.FindRemit(ctx, unit)
	if guanjia.ErrorCode(err) == guanjia.ENOTFOUND {
		return guanjia.FieldError(guanjia.EINVALID, "department", "no department %q", unit)
	} else if err != nil {
		return err
	}
	if !slices.Contains(remit.Types, rt.Code) {
		return guanjia.FieldError(guanjia.EFORBIDDEN, "type", "%s may not publish %s records", remit.UnitName, rt.Name)
	}
	return nil
}

// SubmitImport checks an upload row by row. Any invalid row rejects the whole
// batch: it is recorded with its row report and nothing is imported. A valid
// batch is imported in one transaction, within the request when it is small,
// by the import job otherwise (status queued; watch it with ImportStatus).
func (s *Service) SubmitImport(ctx context.Context, who guanjia.Claims, up Upload) (*Batch, error) {
	unit, err := publisher(who, up.Department)
	if err != nil {
		return nil, err
	}
	rt, err := LookupType(up.Type)
	if err != nil {
		return nil, err
	}
	if int64(len(up.Data)) > s.MaxImportBytes {
		return nil, guanjia.FieldError(guanjia.ETOOLARGE, "file", "the file is larger than %d MB: split it", s.MaxImportBytes>>20)
	}
	if err := s.checkRemit(ctx, unit, rt); err != nil {
		return nil, err
	}
	t, err := parseUpload(up.Filename, up.Data)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(up.Data)
	now := s.Now()
	b := &Batch{Type: rt.Code, Department: unit, UploadedBy: who.UserID, UploaderRole: who.Role, Filename: up.Filename,
		FileHash: hex.EncodeToString(sum[:]), Format: t.format, Rows: len(t.rows), CreatedAt: now}
	rows, errs, n := validateRows(rt, t, now, unit)
	switch {
	case n > 0:
		b.Status, b.Errors, b.ErrorCount, b.FinishedAt = BatchRejected, errs, n, &now
		if err := s.Store.CreateBatch(ctx, b, nil); err != nil {
			return nil, err
		}
		return b, nil
	case s.Jobs != nil && len(rows) > s.InlineRows:
		b.Status = BatchQueued
		if err := s.Store.CreateBatch(ctx, b, up.Data); err != nil {
			return nil, err
		}
		if err := s.Jobs.EnqueueImport(ctx, b.ID); err != nil {
			s.Log.Warn("credit: queue import; the sweep will retry", "batch", b.ID, "err", err)
		}
		return b, nil
	}
	b.Status = BatchRunning
	if err := s.Store.CreateBatch(ctx, b, nil); err != nil {
		return nil, err
	}
	if err := s.importRows(ctx, b, rows, nil); err != nil { // the uploader is answered by the request
		// Recorded even when the request went away: else the batch would
		// stay "running" with nothing to run it.
		s.FailImport(context.WithoutCancel(ctx), b.ID, err)
		return nil, err
	}
	return b, nil
}

// importRows writes a validated batch, reporting progress to the cache, and
// drops the cached lookups of every subject it touched. notices (nil: none)
// tells of the done batch in its transaction.
func (s *Service) importRows(ctx context.Context, b *Batch, rows []ImportRow, notices Notices[*Batch]) error {
	total := len(rows)
	progressKey := importProgressKey(b.ID)
	last := -1
	progress := func(done int) {
		pct := done * 100 / max(total, 1)
		if s.Cache == nil || pct == last || pct == 100 {
			return // 100 is said by the batch row itself, once committed
		}
		last = pct
		if err := s.Cache.Set(ctx, progressKey, []byte(strconv.Itoa(pct)), time.Hour); err != nil {
			s.Log.Warn("credit: import progress", "batch", b.ID, "err", err)
		}
	}
	codes := make([]string, 0, len(rows))
	seen := make(map[string]bool, len(rows))
	for i := range rows {
		if c := rows[i].Subject.CreditCode; c != "" && !seen[c] {
			seen[c] = true
			codes = append(codes, c)
		}
	}
	var queued []int64
	if err := s.invalidateAfter(ctx, codes, func() (err error) {
		queued, err = s.Store.ImportBatch(ctx, b, rows, progress, notices)
		return err
	}); err != nil {
		return err
	}
	s.deliver(ctx, queued)
	b.Percent = 100
	if s.Cache != nil {
		_ = s.Cache.Delete(ctx, progressKey)
	}
	s.Log.Info("credit import", "batch", b.ID, "type", b.Type, "department", b.Department,
		"rows", b.Rows, "inserted", b.Inserted, "updated", b.Updated, "unchanged", b.Unchanged)
	return nil
}

func importProgressKey(id int64) string { return fmt.Sprintf("credit:import:%d:percent", id) }

// RunImport is the import job of a queued batch. The file is read and checked
// again (the calendar or the remit may have moved on) and written in one
// transaction, with the message telling the uploader. A batch already
// finished is left alone, and one found running (a job lost with Redis,
// queued again by the sweep) runs again from the start: nothing of an
// unfinished run was written, so a repeated job is harmless.
func (s *Service) RunImport(ctx context.Context, id int64) error {
	b, err := s.Store.FindBatch(ctx, id)
	if err != nil {
		return err
	}
	if b.Status != BatchQueued && b.Status != BatchRunning {
		return nil
	}
	data, err := s.Store.LoadImportFile(ctx, id)
	if guanjia.ErrorCode(err) == guanjia.ENOTFOUND {
		s.FailImport(ctx, id, fmt.Errorf("the uploaded file is gone"))
		return nil
	} else if err != nil {
		return err
	}
	b.Status = BatchRunning
	if err := s.Store.UpdateBatch(ctx, b); guanjia.ErrorCode(err) == guanjia.ECONFLICT {
		return nil // another run finished it meanwhile
	} else if err != nil {
		return err
	}
	rt, err := LookupType(b.Type)
	if err != nil {
		s.FailImport(ctx, id, err)
		return nil
	}
	reject := func(errs []RowError, n int) error {
		now := s.Now()
		b.Status, b.Errors, b.ErrorCount, b.FinishedAt = BatchRejected, errs, n, &now
		return s.finishBatch(ctx, b)
	}
	if err := s.checkRemit(ctx, b.Department, rt); err != nil {
		return reject([]RowError{rowErrorOf(1, "", err)}, 1)
	}
	t, err := parseUpload(b.Filename, data)
	if err != nil {
		return reject([]RowError{rowErrorOf(1, "", err)}, 1)
	}
	rows, errs, n := validateRows(rt, t, s.Now(), b.Department)
	if n > 0 {
		return reject(errs, n)
	}
	if err := s.importRows(ctx, b, rows, s.batchNotice); err != nil {
		if errs, ok := refusal(err); ok {
			return reject(errs, len(errs)) // the same file is refused the same way on every attempt
		}
		if ended, ferr := s.Store.FindBatch(ctx, id); ferr == nil && ended.Status != BatchQueued && ended.Status != BatchRunning {
			return nil // another run of it finished first
		}
		return err // retried by the job; FailImport after the last attempt
	}
	return nil
}

// batchNotice is the message telling the uploader how b went.
func (s *Service) batchNotice(b *Batch) ([]guanjia.Message, error) {
	return s.message(b.UploadedBy, guanjia.ChannelWeCom, guanjia.TplCreditImportDone, batchMessage(b)), nil
}

// finishBatch records the end of b (rejected, failed) with the message
// telling its uploader, and queues the message. A batch another run ended
// meanwhile is left as that run recorded it.
func (s *Service) finishBatch(ctx context.Context, b *Batch) error {
	msgs, _ := s.batchNotice(b)
	queued, err := s.Store.FinishBatch(ctx, b, msgs)
	if guanjia.ErrorCode(err) == guanjia.ECONFLICT {
		return nil
	} else if err != nil {
		return err
	}
	s.deliver(ctx, queued)
	return nil
}

// batchMessage is the data of the message that tells the uploader how a batch went.
func batchMessage(b *Batch) map[string]string {
	return map[string]string{"batch": strconv.FormatInt(b.ID, 10), "type": TypeName(b.Type), "status": string(b.Status),
		"inserted": strconv.Itoa(b.Inserted), "updated": strconv.Itoa(b.Updated), "errors": strconv.Itoa(b.ErrorCount)}
}

// refusal is err as the report of a batch the database refused by a rule
// the uploader can act on (422: a row naming another department's record),
// rather than a failure to write or a race with another import (409), which
// a retry may get past.
func refusal(err error) ([]RowError, bool) {
	if guanjia.ErrorCode(err) != guanjia.EUNPROCESSABLE {
		return nil, false
	}
	return []RowError{rowErrorOf(0, "", err)}, true
}

// FailImport marks a batch failed after its import could not be written, or
// rejected with the reason when the database refused it (see refusal);
// nothing of it was imported (the transaction rolled back).
func (s *Service) FailImport(ctx context.Context, id int64, cause error) {
	errs, refused := refusal(cause)
	if !refused {
		s.Log.Error("credit: import failed", "batch", id, "err", cause)
	}
	b, err := s.Store.FindBatch(ctx, id)
	if err != nil {
		s.Log.Error("credit: mark import failed", "batch", id, "err", err)
		return
	}
	if b.Status != BatchQueued && b.Status != BatchRunning {
		return
	}
	now := s.Now()
	b.Status, b.FinishedAt = BatchFailed, &now
	b.Errors = []RowError{rowErrorf(0, "", "the import failed and nothing was imported; upload the file again")}
	if refused {
		b.Status, b.Errors, b.ErrorCount = BatchRejected, errs, len(errs)
	}
	if err := s.finishBatch(ctx, b); err != nil {
		s.Log.Error("credit: mark import failed", "batch", id, "err", err)
	}
}

// ImportStatus answers a batch with its progress. Department users see their
// own department's batches.
func (s *Service) ImportStatus(ctx context.Context, who guanjia.Claims, id int64) (*Batch, error) {
	if err := s.requireStaff(ctx, who, guanjia.Errorf(guanjia.EFORBIDDEN, "only department staff see import batches")); err != nil {
		return nil, err
	}
	b, err := s.Store.FindBatch(ctx, id)
	if err != nil {
		return nil, err
	}
	if who.Role == guanjia.RoleDepartment && !who.InUnit(b.Department) {
		return nil, guanjia.Errorf(guanjia.ENOTFOUND, "batch %d not found", id)
	}
	switch b.Status {
	case BatchDone:
		b.Percent = 100
	case BatchRunning:
		if s.Cache != nil {
			if v, ok, err := s.Cache.Get(ctx, importProgressKey(id)); err == nil && ok {
				b.Percent, _ = strconv.Atoi(string(v))
			}
		}
	}
	return b, nil
}

// Batches answers a page of batches, newest first, and how many there are:
// a department's own, or all for an admin.
func (s *Service) Batches(ctx context.Context, who guanjia.Claims, page, perPage int) ([]*Batch, int, error) {
	page, perPage = pageBounds(page, perPage, 50)
	f := BatchFilter{Offset: (page - 1) * perPage, Limit: perPage, CountTotal: true}
	switch who.Role {
	case guanjia.RoleDepartment:
		var err error
		if f.Department, err = publisher(who, ""); err != nil { // never "", which filters nothing
			return nil, 0, err
		}
		if err := s.requireDesk(ctx, who); err != nil {
			return nil, 0, err
		}
	case guanjia.RoleAdmin:
	default:
		return nil, 0, guanjia.Errorf(guanjia.EFORBIDDEN, "only department staff see import batches")
	}
	return s.Store.ListBatches(ctx, f)
}

// Template answers the CSV (or XLSX) template of a record type.
func (s *Service) Template(typ, format string) ([]byte, error) {
	rt, err := LookupType(typ)
	if err != nil {
		return nil, err
	}
	switch format {
	case "", "csv":
		return rt.TemplateCSV(), nil
	case "xlsx":
		return rt.TemplateXLSX()
	}
	return nil, guanjia.FieldError(guanjia.EINVALID, "format", "format is csv or xlsx")
}

// Remits lists what each department may publish (staff only).
func (s *Service) Remits(ctx context.Context, who guanjia.Claims) ([]Remit, error) {
	if err := s.requireStaff(ctx, who, guanjia.Errorf(guanjia.EFORBIDDEN, "only staff see department remits")); err != nil {
		return nil, err
	}
	return s.Store.ListRemits(ctx)
}

// SetRemit replaces the record types a department may publish (admin only).
func (s *Service) SetRemit(ctx context.Context, who guanjia.Claims, unit string, types []string) (*Remit, error) {
	if who.Role != guanjia.RoleAdmin {
		return nil, guanjia.Errorf(guanjia.EFORBIDDEN, "only an admin sets what a department may publish")
	}
	for _, t := range types {
		if _, err := LookupType(t); err != nil {
			return nil, err
		}
	}
	if _, err := s.Store.FindUnit(ctx, unit); err != nil {
		return nil, err
	}
	slices.Sort(types)
	types = slices.Compact(types)
	if err := s.Store.SetRemit(ctx, unit, types); err != nil {
		return nil, err
	}
	return s.Store.FindRemit(ctx, unit)
}
