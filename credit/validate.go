package credit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"guanjia"
)

// RowError is one problem found in an upload, where the user finds it: the
// spreadsheet row (the header is row 1), the column header and why.
//
// Reason is in English. Format and Args (kept with the batch) let the i18n
// package say it in the reader's language: Format is the catalogue key.
type RowError struct {
	Row    int    `json:"row"`
	Column string `json:"column"`
	Reason string `json:"reason"`
	Format string `json:"format,omitempty"`
	Args   []any  `json:"args,omitempty"`
}

// rowErrorf builds a RowError with a formatted reason. Arguments are kept as
// JSON keeps them: an error becomes its text.
func rowErrorf(row int, column, format string, args ...any) RowError {
	for i, a := range args {
		var e *guanjia.Error
		if err, ok := a.(error); ok && errors.As(err, &e) {
			args[i] = e.Message
		} else if ok {
			args[i] = err.Error()
		}
	}
	return RowError{Row: row, Column: column, Reason: fmt.Sprintf(format, args...), Format: format, Args: args}
}

// rowErrorOf turns err into a RowError: a *guanjia.Error keeps its format
// and arguments; anything else is an internal error whose text is not shown.
func rowErrorOf(row int, column string, err error) RowError {
	var e *guanjia.Error
	if !errors.As(err, &e) {
		return RowError{Row: row, Column: column, Reason: "internal error", Format: "internal error"}
	}
	if e.Format == "" {
		return RowError{Row: row, Column: column, Reason: e.Message, Format: e.Message}
	}
	return rowErrorf(row, column, e.Format, append([]any(nil), e.Args...)...)
}

// UnmarshalJSON reads a stored RowError; whole numbers among Args come back
// as int64 (not float64) so that %d and %q still print them.
func (e *RowError) UnmarshalJSON(data []byte) error {
	type plain RowError
	var p plain
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&p); err != nil {
		return err
	}
	for i, a := range p.Args {
		if n, ok := a.(json.Number); ok {
			if v, err := n.Int64(); err == nil {
				p.Args[i] = v
			} else if f, err := n.Float64(); err == nil {
				p.Args[i] = f
			}
		}
	}
	*e = RowError(p)
	return nil
}

// ImportRow is one valid row of an upload, ready to be written.
type ImportRow struct {
	Line    int
	Subject guanjia.CreditSubject
	Entry   guanjia.CreditEntry
}

// SubjectKey is the natural key of a subject within a file: its 统一社会信用代码,
// or the ID number of a person, or of the one running an unregistered
// 个体工商户 (a subject of its own).
func (r *ImportRow) SubjectKey() string {
	if r.Subject.CreditCode != "" {
		return r.Subject.CreditCode
	}
	return string(r.Subject.Kind) + ":" + r.Subject.IDNumber
}

// MaxRowErrors bounds the errors kept for one batch; the count says how many there were.
const MaxRowErrors = 1000

// civilDate returns the date in China at t, as 00:00 UTC of that date.
func civilDate(t time.Time) time.Time {
	y, m, d := t.In(guanjia.ChinaTime).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

var dateLayouts = []string{"2006-01-02", "2006/01/02", "2006/1/2", "2006-1-2", "2006.01.02", "2006.1.2", "2006年1月2日", "20060102"}

// parseDate reads a date as people write it; from a spreadsheet, a bare
// number is an Excel serial date.
func parseDate(s string, t *table) (time.Time, error) {
	for _, layout := range dateLayouts {
		if d, err := time.Parse(layout, s); err == nil {
			return d, nil
		}
	}
	if t.excelDates {
		if serial, err := strconv.ParseFloat(s, 64); err == nil && serial >= 1 && serial < 2958466 {
			if d, err := excelize.ExcelDateToTime(serial, t.date1904); err == nil {
				y, m, day := d.Date()
				return time.Date(y, m, day, 0, 0, 0, 0, time.UTC), nil
			}
		}
	}
	return time.Time{}, errNotDate
}

var errNotDate = errors.New("not a date")

var moneyPattern = regexp.MustCompile(`^\d{1,12}(\.\d{1,6})?$`)

// earliestDate is older than any credit record: a date before it is a typo.
var earliestDate = time.Date(1949, 10, 1, 0, 0, 0, 0, time.UTC)

// validateRows checks every row of t against rt. today is the civil date in
// China and now the clock that ID numbers' birth dates are checked against.
// department is the unit code of the publishing department. It returns the
// valid rows, the first MaxRowErrors errors and how many there were.
func validateRows(rt *RecordType, t *table, now time.Time, department string) ([]ImportRow, []RowError, int) {
	idx, errs := t.columnIndex(rt)
	if len(errs) > 0 {
		return nil, errs, len(errs) // the columns are wrong: rows cannot be read
	}
	cols := rt.Columns()
	position := map[string]int{}
	for i, f := range cols {
		position[f.Header] = i + 1
	}
	// Each row is checked on its own, on every core (a city department's
	// file is up to a few hundred thousand rows), ...
	checked := make([]checkedRow, len(t.rows))
	workers := runtime.GOMAXPROCS(0)
	per := (len(t.rows) + workers - 1) / workers
	var wg sync.WaitGroup
	for start := 0; start < len(t.rows); start += per {
		wg.Go(func() {
			for i := start; i < min(start+per, len(t.rows)); i++ {
				v := &rowValidator{t: t, tr: t.rows[i], idx: idx}
				row, ok := v.row(rt, cols, now, department)
				// A row's errors are reported in the template's column order.
				slices.SortStableFunc(v.errs, func(a, b RowError) int { return position[a.Column] - position[b.Column] })
				checked[i] = checkedRow{row, ok, v.errs}
			}
		})
	}
	wg.Wait()
	// ... then against the rows before it, in file order.
	var rep errorReport
	batch := batchKeys{rt: rt, subjects: map[string]namedAt{}, records: map[string]int{}}
	out := make([]ImportRow, 0, len(t.rows))
	for i := range checked {
		c := &checked[i]
		rep.add(c.errs...)
		if !c.ok {
			continue
		}
		if e := batch.repeated(&c.row); e != nil {
			rep.add(*e)
			continue
		}
		out = append(out, c.row)
	}
	return out, rep.errs, rep.count
}

// checkedRow is one row checked on its own: what it imports, if it can, and
// what is wrong with it.
type checkedRow struct {
	row  ImportRow
	ok   bool
	errs []RowError
}

// errorReport keeps the first MaxRowErrors errors of a batch and counts them all.
type errorReport struct {
	errs  []RowError
	count int
}

func (r *errorReport) add(errs ...RowError) {
	for _, e := range errs {
		r.count++
		if len(r.errs) < MaxRowErrors {
			r.errs = append(r.errs, e)
		}
	}
}

// batchKeys finds rows that repeat an earlier row of the same upload: the
// same subject under another name, or the same record twice.
type batchKeys struct {
	rt       *RecordType
	subjects map[string]namedAt // subject key → the first row naming it
	records  map[string]int     // authority, document number and subject → row
}

type namedAt struct {
	line int
	name string
}

// repeated says why row repeats an earlier one, or records its keys and returns nil.
func (b *batchKeys) repeated(row *ImportRow) *RowError {
	key := row.SubjectKey()
	if prev, dup := b.subjects[key]; dup && prev.name != row.Subject.Name {
		e := rowErrorf(row.Line, header(b.rt, keySubjectName), "the same subject is named %q in row %d", prev.name, prev.line)
		return &e
	} else if !dup {
		b.subjects[key] = namedAt{row.Line, row.Subject.Name}
	}
	natural := row.Entry.Authority + "\x00" + row.Entry.DocumentNo + "\x00" + key
	if prev, dup := b.records[natural]; dup {
		e := rowErrorf(row.Line, header(b.rt, keyDocumentNo), "the same record (文号, 机关 and subject) as row %d", prev)
		return &e
	}
	b.records[natural] = row.Line
	return nil
}

// row reads and checks one row. ok is false when a check failed; v.errs says why.
func (v *rowValidator) row(rt *RecordType, cols []Field, now time.Time, department string) (row ImportRow, ok bool) {
	today := civilDate(now)
	if n := len(v.tr.cells); n > len(v.t.header) {
		for _, c := range v.tr.cells[len(v.t.header):] {
			if c != "" {
				v.fail("", "the row has %d cells but the header has %d columns", n, len(v.t.header))
				break
			}
		}
	}
	row.Line = v.tr.line
	e := &row.Entry
	e.Type, e.Department, e.Status, e.Fields = rt.Code, department, guanjia.CreditActive, map[string]string{}
	entryOK, subjectOK := true, true
	for _, f := range cols {
		val, good := v.field(f, today)
		if isSubjectField(f.Key) {
			subjectOK = subjectOK && good
		} else {
			entryOK = entryOK && good
		}
		v.assign(&row, f, val)
	}
	if rt.Graded() && e.Severity == "" {
		e.Severity = guanjia.SeverityGeneral
	}
	// Cross-field checks run on fields that passed their own: a
	// reported cell is not reported again.
	if subjectOK {
		subjectOK = v.subject(&row.Subject, now)
	}
	if entryOK {
		entryOK = v.periods(rt, e, today)
	}
	return row, entryOK && subjectOK && len(v.errs) == 0
}

// assign puts the checked value of column f where it belongs in row.
func (v *rowValidator) assign(row *ImportRow, f Field, val string) {
	e := &row.Entry
	switch f.Key {
	case keySubjectName:
		row.Subject.Name = val
	case keySubjectKind:
		row.Subject.Kind = subjectKinds[val]
	case keyCreditCode:
		row.Subject.CreditCode = strings.ToUpper(val)
	case keyLegalRep:
		row.Subject.LegalRep = val
	case keyIDNumber:
		row.Subject.IDNumber = strings.ToUpper(val)
	case keyAddress:
		row.Subject.Address = val
	case keyDocumentNo:
		e.DocumentNo = val
	case keyListName:
		e.ListName = val
	case keyReason:
		e.Reason = val
	case keyAuthority:
		e.Authority = val
	case keyDecidedOn:
		e.DecidedOn = v.date(f, val)
	case keyValidFrom:
		e.ValidFrom = v.optionalDate(f, val)
	case keyValidUntil:
		e.ValidUntil = v.optionalDate(f, val)
	case keyPublicUntil:
		if d := v.optionalDate(f, val); d != nil {
			e.PublicUntil = *d
		}
	case keySeverity:
		e.Severity = severities[val]
	default:
		if val != "" {
			e.Fields[f.Key] = val
		}
	}
}

func isSubjectField(key string) bool {
	for _, f := range subjectFields {
		if f.Key == key {
			return true
		}
	}
	return false
}

// header is the column header of a field (Columns without its copy: this
// runs for every row).
func header(rt *RecordType, key string) string {
	for _, fields := range [][]Field{subjectFields, rt.Fields} {
		for _, f := range fields {
			if f.Key == key {
				return f.Header
			}
		}
	}
	return key
}

type rowValidator struct {
	t    *table
	tr   tableRow
	idx  map[string]int
	errs []RowError
}

func (v *rowValidator) fail(column, format string, args ...any) {
	v.errs = append(v.errs, rowErrorf(v.tr.line, column, format, args...))
}

func (v *rowValidator) cell(key string) string {
	i := v.idx[key] - 1
	if i < 0 || i >= len(v.tr.cells) {
		return ""
	}
	return v.tr.cells[i]
}

// field reads and checks one cell on its own; ok is false when it was reported.
func (v *rowValidator) field(f Field, today time.Time) (string, bool) {
	val := v.cell(f.Key)
	if val == "" {
		if f.Required {
			v.fail(f.Header, "required")
			return "", false
		}
		return "", true
	}
	if guanjia.CheckText(f.Header, val, 0, true) != nil { // a NUL or another control character (line breaks in a cell are fine)
		v.fail(f.Header, "contains a control character or text that is not UTF-8")
		return "", false
	}
	max := f.Max
	if max == 0 {
		max = 200
	}
	if n := utf8.RuneCountInString(val); n > max {
		v.fail(f.Header, "longer than %d characters", max)
		return "", false
	}
	switch f.Kind {
	case KindPastDate, KindDate:
		d, err := parseDate(val, v.t)
		switch {
		case err != nil:
			v.fail(f.Header, "%q is not a date: write it as 2026-01-31", val)
			return "", false
		case d.Before(earliestDate):
			v.fail(f.Header, "%s is before 1949-10-01", d.Format("2006-01-02"))
			return "", false
		case f.Kind == KindPastDate && d.After(today):
			v.fail(f.Header, "%s is in the future", d.Format("2006-01-02"))
			return "", false
		}
		return d.Format("2006-01-02"), true
	case KindMoney:
		val = strings.ReplaceAll(val, ",", "")
		if !moneyPattern.MatchString(val) {
			v.fail(f.Header, "%q is not an amount: write digits, with at most 6 decimals", val)
			return "", false
		}
	case KindEnum:
		if f.Key == keySubjectKind {
			if _, ok := subjectKinds[val]; ok {
				return val, true
			}
		}
		if f.Key == keySeverity {
			if _, ok := severities[val]; ok {
				return val, true
			}
		}
		found := false
		for _, e := range f.Enum {
			found = found || e == val
		}
		if !found {
			v.fail(f.Header, "%q is not one of %s", val, strings.Join(f.Enum, ", "))
			return "", false
		}
	}
	return val, true
}

// date turns a checked, normalized date back into a time.
func (v *rowValidator) date(_ Field, val string) time.Time {
	d, _ := time.Parse("2006-01-02", val)
	return d
}

func (v *rowValidator) optionalDate(f Field, val string) *time.Time {
	if val == "" {
		return nil
	}
	d := v.date(f, val)
	return &d
}

// subject checks who the row is about: the identifiers its kind needs, with
// their check characters.
func (v *rowValidator) subject(s *guanjia.CreditSubject, now time.Time) bool {
	code, id := s.CreditCode, s.IDNumber
	if s.Kind == "" { // 行政相对人类别 left out: told by the identifiers
		switch {
		case strings.HasPrefix(code, "92"):
			s.Kind = guanjia.SubjectBusiness
		case code != "":
			s.Kind = guanjia.SubjectLegal
		case id != "":
			s.Kind = guanjia.SubjectPerson
		}
	}
	codeCol, idCol := "统一社会信用代码", "证件号码"
	switch s.Kind {
	case guanjia.SubjectLegal:
		if code == "" {
			v.fail(codeCol, "required for 法人及非法人组织")
			return false
		}
	case guanjia.SubjectBusiness:
		if code == "" && id == "" {
			v.fail(codeCol, "a 个体工商户 needs its 统一社会信用代码 or the 经营者's 证件号码")
			return false
		}
	case guanjia.SubjectPerson:
		if code != "" {
			v.fail(codeCol, "a 自然人 has no 统一社会信用代码: leave it empty")
			return false
		}
		if id == "" {
			v.fail(idCol, "required for 自然人")
			return false
		}
	default:
		v.fail("统一社会信用代码", "the row names no 统一社会信用代码 or 证件号码")
		return false
	}
	if code != "" {
		if err := guanjia.ValidateCreditCode(code); err != nil {
			v.errs = append(v.errs, rowErrorOf(v.tr.line, codeCol, err))
			return false
		}
	}
	if id != "" {
		if err := guanjia.ValidateIDNumber(id, now); err != nil {
			v.errs = append(v.errs, rowErrorOf(v.tr.line, idCol, err)) // the message never repeats the number
			return false
		}
		s.IDMasked = guanjia.MaskIDNumber(id)
	}
	return true
}

// periods checks the dates against each other and fills in the publication
// period a license takes from its validity.
func (v *rowValidator) periods(rt *RecordType, e *guanjia.CreditEntry, today time.Time) bool {
	if e.ValidFrom != nil && e.ValidUntil != nil && e.ValidUntil.Before(*e.ValidFrom) {
		v.fail(header(rt, keyValidUntil), "is before %s", header(rt, keyValidFrom))
		return false
	}
	if e.PublicUntil.IsZero() && e.ValidUntil != nil {
		e.PublicUntil = *e.ValidUntil
	}
	col := header(rt, keyPublicUntil)
	switch {
	case e.PublicUntil.IsZero():
		v.fail(col, "required")
		return false
	case e.PublicUntil.Before(e.DecidedOn):
		v.fail(col, "is before %s", header(rt, keyDecidedOn))
		return false
	case e.PublicUntil.Before(today):
		v.fail(col, "%s has passed: the record is no longer to be published", e.PublicUntil.Format("2006-01-02"))
		return false
	}
	// Within the law's period: only 信用修复 ends a publication sooner.
	p, bounded := periodOf(e)
	if !bounded {
		return true
	}
	if first, _ := RepairableFrom(e); e.PublicUntil.Before(first) {
		v.fail(col, "ends before the shortest publication period, %d months from the decision: %s at the earliest", p.MinMonths, first.Format("2006-01-02"))
		return false
	}
	if last, _ := LatestPublicUntil(e); e.PublicUntil.After(last) {
		v.fail(col, "is past the longest publication period, %d months from the decision: %s at the latest", p.MaxMonths, last.Format("2006-01-02"))
		return false
	}
	return true
}
