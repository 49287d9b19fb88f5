package approval

import (
	"context"
	"encoding/csv"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"guanjia"
	"guanjia/internal/textfile"
)

// The CSV an approval system exports (or staff save from a spreadsheet): a
// header row naming these columns, in any order, in Chinese or English.
type csvColumn struct{ key, zh string }

var csvColumns = []csvColumn{
	{"number", "受理编号"}, {"version", "版本"}, {"matter", "事项名称"}, {"department", "受理部门"},
	{"applicant", "申请人"}, {"phone", "联系电话"}, {"status", "状态"}, {"note", "说明"}, {"at", "时间"},
}

// csvHeader is the header of an import, as its refusals name it.
var csvHeader = func() string {
	names := make([]string, len(csvColumns))
	for i, c := range csvColumns {
		names[i] = c.zh
	}
	return strings.Join(names, ",")
}()

// optionalColumns may be left out of the header.
var optionalColumns = map[string]bool{"note": true, "at": true}

// MaxImportRows bounds one import; MaxImportBytes its file.
const (
	MaxImportRows  = 5000
	MaxImportBytes = 2 << 20
)

// Row is one data row of an import, with the line a user sees in a spreadsheet (the header is 1).
type Row struct {
	Line   int
	Update Update
}

// RowError is one problem of an import, where the user finds it.
type RowError struct {
	Line   int
	Column string
	Err    *guanjia.Error
}

// ParseCSV reads an import file (UTF-8, with or without BOM, or GB18030).
// A malformed file is an error; a bad row is a RowError, so the user sees
// every problem at once.
func ParseCSV(data []byte) ([]Row, []RowError, error) {
	text, _, err := textfile.Decode(data)
	if err != nil {
		return nil, nil, err
	}
	r := textfile.NewCSV(strings.NewReader(text))
	header, _, err := r.Row()
	if err == io.EOF {
		return nil, nil, guanjia.FieldError(guanjia.EINVALID, "file", "the file is empty")
	} else if err != nil {
		return nil, nil, malformed(err)
	}
	// A column not known is refused, not skipped: an export that calls 说明
	// 备注 would lose every note, and its 时间 would date each change now.
	index := map[string]int{}
	for i, h := range header {
		if h = strings.TrimSpace(h); h == "" {
			continue
		}
		c := slices.IndexFunc(csvColumns, func(c csvColumn) bool { return h == c.zh || strings.EqualFold(h, c.key) })
		if c < 0 {
			return nil, nil, guanjia.FieldError(guanjia.EINVALID, "file", "unknown column %q: use %s", h, csvHeader)
		}
		if _, twice := index[csvColumns[c].key]; twice {
			return nil, nil, guanjia.FieldError(guanjia.EINVALID, "file", "the column %q appears twice", h)
		}
		index[csvColumns[c].key] = i
	}
	for _, c := range csvColumns {
		if _, ok := index[c.key]; !ok && !optionalColumns[c.key] {
			return nil, nil, guanjia.FieldError(guanjia.EINVALID, "file", "the header has no column %s", c.zh)
		}
	}
	var rows []Row
	var errs []RowError
	for {
		rec, line, err := r.Row()
		if err == io.EOF {
			break
		} else if err != nil {
			return nil, nil, malformed(err)
		}
		if blank(rec) {
			continue
		}
		if len(rows)+len(errs) >= MaxImportRows {
			return nil, nil, guanjia.FieldError(guanjia.ETOOLARGE, "file", "at most %d rows in one import: split the file", MaxImportRows)
		}
		cell := func(key string) string {
			if i, ok := index[key]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		u := Update{Number: cell("number"), Matter: cell("matter"), Department: cell("department"),
			Applicant: cell("applicant"), Phone: cell("phone"), Status: Status(cell("status")), Note: cell("note")}
		var bad *RowError
		if u.Version, err = strconv.ParseInt(cell("version"), 10, 64); err != nil {
			bad = &RowError{Line: line, Column: "版本", Err: guanjia.FieldError(guanjia.EINVALID, "version", "version must be a positive number")}
		} else if at := cell("at"); at != "" {
			if u.At, err = parseTime(at); err != nil {
				bad = &RowError{Line: line, Column: "时间", Err: guanjia.FieldError(guanjia.EINVALID, "at", "time must be like 2026-03-01 09:30")}
			}
		}
		if bad == nil {
			if err := u.Validate(); err != nil {
				e, _ := err.(*guanjia.Error)
				bad = &RowError{Line: line, Column: columnName(e.Field), Err: e}
			}
		}
		if bad != nil {
			errs = append(errs, *bad)
			continue
		}
		rows = append(rows, Row{Line: line, Update: u})
	}
	if len(rows)+len(errs) == 0 {
		return nil, nil, guanjia.FieldError(guanjia.EINVALID, "file", "the file has no data rows")
	}
	return rows, errs, nil
}

func malformed(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return guanjia.FieldError(guanjia.EINVALID, "file", "the CSV is malformed at line %d: %v", pe.Line, pe.Err)
	}
	return guanjia.FieldError(guanjia.EINVALID, "file", "the CSV is malformed: %v", err)
}

func blank(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

func columnName(field string) string {
	for _, c := range csvColumns {
		if c.key == field {
			return c.zh
		}
	}
	return field
}

// parseTime reads Beijing time as people write it, or RFC 3339.
func parseTime(s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02 15:04", "2006-01-02 15:04:05", "2006/1/2 15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, guanjia.ChinaTime); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Parse(time.RFC3339, s)
}

// ImportReport is what came of an import: every row's outcome, or the
// problems that refused the whole file.
type ImportReport struct {
	Rows    int
	Results []Result
	Errors  []RowError
}

// Import applies a staff member's CSV file, all or nothing: a bad row, or a
// change of status the state machine forbids, refuses the whole file with
// its row report, and nothing is written.
func (s *Service) Import(ctx context.Context, who guanjia.Claims, data []byte) (*ImportReport, error) {
	if who.Role != guanjia.RoleDepartment && who.Role != guanjia.RoleAdmin {
		return nil, guanjia.Errorf(guanjia.EFORBIDDEN, "only department staff and administrators import approvals")
	}
	if len(data) > MaxImportBytes {
		return nil, guanjia.FieldError(guanjia.ETOOLARGE, "file", "the file is larger than %d MB: split it", MaxImportBytes>>20)
	}
	own, err := s.ownDepartment(ctx, who)
	if err != nil {
		return nil, err
	}
	rows, errs, err := ParseCSV(data)
	if err != nil {
		return nil, err
	}
	rep := &ImportReport{Rows: len(rows) + len(errs), Errors: errs}
	numbers := make([]string, len(rows))
	for i, r := range rows {
		numbers[i] = r.Update.Number
	}
	held, err := s.Store.CurrentStates(ctx, numbers)
	if err != nil {
		return nil, err
	}
	// Walk the rows as the store will apply them, so a forbidden change is
	// reported on its row rather than as one error for the whole file.
	for _, r := range rows {
		u := r.Update
		cur, found := held[u.Number]
		if own != "" && (u.Department != own || (found && cur.Department != own)) {
			rep.Errors = append(rep.Errors, RowError{Line: r.Line, Column: "受理部门", Err: guanjia.FieldError(guanjia.EFORBIDDEN, "department",
				"%s imports only the applications it took in", own)})
			continue
		}
		outcome, ok := Decide(cur, found, u)
		if !ok { // the row names the application
			rep.Errors = append(rep.Errors, RowError{Line: r.Line, Column: "状态", Err: guanjia.FieldError(guanjia.ECONFLICT, "status",
				"an application cannot go from %s to %s", cur.Status.Label(), u.Status.Label())})
			continue
		}
		if outcome == OutcomeCreated || outcome == OutcomeUpdated {
			held[u.Number] = Record{Number: u.Number, Department: u.Department, Status: u.Status, Version: u.Version}
		}
	}
	if len(rep.Errors) > 0 {
		return rep, nil
	}
	us := make([]Update, len(rows))
	for i, r := range rows {
		us[i] = r.Update
	}
	if rep.Results, err = s.apply(ctx, us, SourceImport, &who.UserID); err != nil {
		return nil, err
	}
	return rep, nil
}

// ownDepartment is the 受理部门 whose applications who may import: their
// unit's name for department staff, "" (any) for administrators.
func (s *Service) ownDepartment(ctx context.Context, who guanjia.Claims) (string, error) {
	if who.Role != guanjia.RoleDepartment {
		return "", nil
	}
	if s.Units == nil || who.UnitCode == "" {
		return "", guanjia.Errorf(guanjia.EFORBIDDEN, "your account belongs to no department")
	}
	u, err := s.Units.FindUnit(ctx, who.UnitCode)
	if guanjia.ErrorCode(err) == guanjia.ENOTFOUND {
		return "", guanjia.Errorf(guanjia.EFORBIDDEN, "your account belongs to no department")
	} else if err != nil {
		return "", err
	}
	return u.Name, nil
}
