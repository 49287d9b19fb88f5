package credit

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"

	"guanjia"
	"guanjia/internal/textfile"
)

// File formats an upload can be in.
const (
	FormatCSVUTF8    = "csv-utf8"
	FormatCSVGB18030 = "csv-gb18030"
	FormatXLSX       = "xlsx"
)

// table is an upload read into cells: the header row and the data rows, each
// with the row number a user sees in a spreadsheet (the header is row 1).
type table struct {
	format string
	header []string
	rows   []tableRow
	// excelDates: a number in a date column is an Excel serial date.
	excelDates bool
	date1904   bool
}

type tableRow struct {
	line  int
	cells []string
}

var (
	zipMagic = []byte("PK\x03\x04")
	oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1} // .xls, .doc: Office 97-2003
)

// parseUpload reads a CSV (UTF-8 or GB18030) or XLSX file. The format is
// told by the bytes, not the name: a name ending in .xlsx that is not a
// spreadsheet is refused as such.
func parseUpload(name string, data []byte) (*table, error) {
	lower := strings.ToLower(name)
	switch {
	case len(data) == 0:
		return nil, guanjia.FieldError(guanjia.EINVALID, "file", "the file is empty")
	case bytes.HasPrefix(data, zipMagic):
		return parseXLSX(data)
	case bytes.HasPrefix(data, oleMagic) || strings.HasSuffix(lower, ".xls"):
		return nil, guanjia.FieldError(guanjia.EUNSUPPORTED, "file", "Excel 97-2003 (.xls) files are not accepted: save the sheet as .xlsx or CSV")
	case strings.HasSuffix(lower, ".xlsx") || strings.HasSuffix(lower, ".xlsm"):
		return nil, guanjia.FieldError(guanjia.EUNSUPPORTED, "file", "the file is named .xlsx but is not an XLSX spreadsheet")
	}
	return parseCSV(data)
}

func parseCSV(data []byte) (*table, error) {
	text, format, err := decodeText(data)
	if err != nil {
		return nil, err
	}
	r := textfile.NewCSV(strings.NewReader(text)) // short rows are reported per row, not as a broken file
	t := &table{format: format}
	for {
		rec, line, err := r.Row()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, guanjia.FieldError(guanjia.EINVALID, "file", "the CSV is malformed at line %d: %v", pe.Line, pe.Err)
			}
			return nil, guanjia.FieldError(guanjia.EINVALID, "file", "the CSV is malformed: %v", err)
		}
		t.add(line, rec)
	}
	return t, t.check()
}

// decodeText reads a CSV upload's text (UTF-8 or GB18030, see textfile)
// and names its format.
func decodeText(data []byte) (string, string, error) {
	text, enc, err := textfile.Decode(data)
	if err != nil {
		return "", "", err
	}
	if enc == textfile.GB18030 {
		return text, FormatCSVGB18030, nil
	}
	return text, FormatCSVUTF8, nil
}

// maxXLSXUnzipped bounds what a spreadsheet may expand to (zip bombs).
const maxXLSXUnzipped = 1 << 30

func parseXLSX(data []byte) (*table, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: maxXLSXUnzipped})
	if err != nil {
		return nil, guanjia.FieldError(guanjia.EUNSUPPORTED, "file", "the file is not a readable XLSX spreadsheet")
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, guanjia.FieldError(guanjia.EINVALID, "file", "the spreadsheet has no sheet")
	}
	t := &table{format: FormatXLSX, excelDates: true}
	if props, err := f.GetWorkbookProps(); err == nil && props.Date1904 != nil {
		t.date1904 = *props.Date1904
	}
	// The first sheet holds the data; raw values keep dates as serial numbers
	// (converted per column) instead of whatever display format the sheet has.
	rows, err := f.Rows(sheets[0])
	if err != nil {
		return nil, guanjia.FieldError(guanjia.EUNSUPPORTED, "file", "the spreadsheet cannot be read: %v", err)
	}
	defer rows.Close()
	for line := 1; rows.Next(); line++ {
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, guanjia.FieldError(guanjia.EINVALID, "file", "row %d of the spreadsheet cannot be read: %v", line, err)
		}
		t.add(line, cells)
	}
	return t, t.check()
}

// add keeps a row; the first non-empty row is the header, blank rows are skipped.
func (t *table) add(line int, cells []string) {
	blank := true
	for i, c := range cells {
		cells[i] = strings.TrimSpace(c)
		if cells[i] != "" {
			blank = false
		}
	}
	switch {
	case blank:
	case t.header == nil:
		t.header = cells
	default:
		t.rows = append(t.rows, tableRow{line: line, cells: cells})
	}
}

func (t *table) check() error {
	if t.header == nil {
		return guanjia.FieldError(guanjia.EINVALID, "file", "the file is empty: it needs the template's header row and data rows")
	}
	if len(t.rows) == 0 {
		return guanjia.FieldError(guanjia.EINVALID, "file", "the file has a header row but no data rows")
	}
	return nil
}

// normalizeHeader compares headers the way people type them: full-width and
// half-width brackets alike, spaces ignored.
func normalizeHeader(h string) string {
	h = strings.NewReplacer("（", "(", "）", ")", " ", "", "\u3000", "", "*", "").Replace(h)
	return strings.TrimPrefix(h, utf8BOM)
}

// columnIndex maps each of the type's columns to its position in the file's
// header. A missing required column or a column the template does not have
// is reported against row 1.
func (t *table) columnIndex(rt *RecordType) (map[string]int, []RowError) {
	byHeader := map[string]Field{}
	for _, f := range rt.Columns() {
		byHeader[normalizeHeader(f.Header)] = f
	}
	idx := map[string]int{}
	var errs []RowError
	for i, h := range t.header {
		f, ok := byHeader[normalizeHeader(h)]
		switch {
		case h == "":
			continue
		case !ok:
			errs = append(errs, rowErrorf(1, h, "not a column of the %s template", rt.Name))
		case idx[f.Key] != 0:
			errs = append(errs, rowErrorf(1, h, "the column appears twice"))
		default:
			idx[f.Key] = i + 1 // +1 so that the zero value means "absent"
		}
	}
	for _, f := range rt.Columns() {
		if f.Required && idx[f.Key] == 0 {
			errs = append(errs, rowErrorf(1, f.Header, "the column is missing: download the template"))
		}
	}
	return idx, errs
}
