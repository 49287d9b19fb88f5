// Package textfile reads the text files people upload: CSV saved by Excel
// or WPS on Chinese Windows is GB18030 (GBK), elsewhere UTF-8 with or
// without a byte-order mark.
package textfile

import (
	"bytes"
	"encoding/csv"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"

	"guanjia"
)

// Encoding is what a file was saved in.
type Encoding string

const (
	UTF8    Encoding = "utf-8"
	GB18030 Encoding = "gb18030" // GBK and GB2312 are subsets
)

// Decode answers the text of data, UTF-8 (a BOM dropped) or GB18030, and
// which it was. Anything else — UTF-16, binary, bytes that are neither —
// is refused (EUNSUPPORTED, field "file") rather than read as mojibake.
func Decode(data []byte) (string, Encoding, error) {
	if bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}) {
		return "", "", guanjia.FieldError(guanjia.EUNSUPPORTED, "file", "UTF-16 text is not accepted: save the CSV as UTF-8 or GB18030 (GBK)")
	}
	if bytes.IndexByte(data, 0) >= 0 {
		return "", "", guanjia.FieldError(guanjia.EUNSUPPORTED, "file", "the file is not a text file")
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	if utf8.Valid(data) {
		return string(data), UTF8, nil
	}
	decoded, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
	if err != nil || bytes.ContainsRune(decoded, utf8.RuneError) {
		return "", "", guanjia.FieldError(guanjia.EUNSUPPORTED, "file", "the CSV is neither UTF-8 nor GB18030 (GBK) text: save it again in one of those encodings")
	}
	return string(decoded), GB18030, nil
}

// CSV reads the records of a CSV text, each with the row a spreadsheet shows
// it at: its first line, less the line breaks inside earlier records' cells
// (an Alt-Enter in a cell), which csv.Reader's line numbers count. Rows may
// have any number of cells; the caller checks each against its header.
type CSV struct {
	*csv.Reader
	breaks int
}

func NewCSV(r io.Reader) *CSV {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	return &CSV{Reader: cr}
}

// Row reads the next record and its row number (io.EOF after the last).
func (c *CSV) Row() ([]string, int, error) {
	rec, err := c.Read()
	if err != nil {
		return nil, 0, err
	}
	line, _ := c.FieldPos(0)
	row := line - c.breaks
	for _, cell := range rec {
		c.breaks += strings.Count(cell, "\n")
	}
	return rec, row, nil
}
