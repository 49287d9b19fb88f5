package poi

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"guanjia"
	"guanjia/internal/textfile"
)

// Format is the kind of file a staff member uploads.
type Format string

const (
	FormatCSV     Format = "csv"     // header row; columns name,kind,lat,lng,address,phone,hours
	FormatGeoJSON Format = "geojson" // a FeatureCollection of Points with those properties
)

// Limits of one upload.
const (
	MaxFileBytes = 5 << 20
	MaxRows      = 5000
)

// Record is one place as a file gives it: coordinates in the file's declared
// system, nothing checked but the syntax.
type Record struct {
	Line                              int // where the CSV row or GeoJSON feature starts, from 1
	Name, Kind, Address, Phone, Hours string
	Lat, Lng                          float64
}

// RowError is one bad row, where the user finds it: the file's line, the
// column (or GeoJSON property) and why.
type RowError struct {
	Line   int
	Column string
	Err    *guanjia.Error // English, with the catalogue format for the reader's language
}

func rowErrorf(line int, column, format string, args ...any) RowError {
	return RowError{Line: line, Column: column, Err: guanjia.FieldError(guanjia.EINVALID, column, format, args...)}
}

// columns are the fields of a place, with the headers (and GeoJSON
// property names) that name them; the first is the canonical one.
var columns = []struct {
	names    []string
	required bool
	set      func(r *Record, v string)
}{
	{[]string{"name", "名称"}, true, func(r *Record, v string) { r.Name = v }},
	{[]string{"kind", "类型", "类别"}, true, func(r *Record, v string) { r.Kind = v }},
	{[]string{"lat", "纬度"}, true, nil},
	{[]string{"lng", "经度", "lon"}, true, nil},
	{[]string{"address", "地址"}, false, func(r *Record, v string) { r.Address = v }},
	{[]string{"phone", "电话"}, false, func(r *Record, v string) { r.Phone = v }},
	{[]string{"hours", "开放时间", "营业时间"}, false, func(r *Record, v string) { r.Hours = v }},
}

const latColumn, lngColumn = 2, 3

func columnOf(header string) int {
	header = strings.ToLower(strings.TrimSpace(header))
	for i, c := range columns {
		for _, n := range c.names {
			if header == n {
				return i
			}
		}
	}
	return -1
}

// checkText answers the text of a file: UTF-8, with or without a BOM, or,
// when gb18030 allows it (a CSV: what Chinese Excel saves as "CSV"), GB18030.
// GeoJSON is UTF-8 by definition (RFC 8259).
func checkText(data []byte, gb18030 bool) ([]byte, error) {
	text, enc, err := textfile.Decode(data)
	if err != nil {
		return nil, err
	}
	if enc != textfile.UTF8 && !gb18030 {
		return nil, guanjia.FieldError(guanjia.EINVALID, "file", "a GeoJSON file must be UTF-8 text")
	}
	if strings.TrimSpace(text) == "" {
		return nil, guanjia.FieldError(guanjia.EINVALID, "file", "the file is empty")
	}
	return []byte(text), nil
}

// ParseCSV reads a CSV file with a header row naming its columns (in any
// order; English or Chinese headers). A file it cannot read at all is an
// error; bad rows are reported and left out. Blank columns and rows (the
// trailing commas and ,,, lines Excel leaves) are skipped.
func ParseCSV(data []byte) ([]Record, []RowError, error) {
	data, err := checkText(data, true)
	if err != nil {
		return nil, nil, err
	}
	r := textfile.NewCSV(bytes.NewReader(data))
	header, _, err := r.Row()
	if err != nil {
		return nil, nil, guanjia.FieldError(guanjia.EINVALID, "file", "the first row must be the header: name,kind,lat,lng,address,phone,hours")
	}
	index := make([]int, len(header)) // file column → columns; -1: a blank header, ignored
	seen := map[int]bool{}
	for i, h := range header {
		c := columnOf(h)
		switch {
		case strings.TrimSpace(h) == "":
			index[i] = -1
			continue
		case c < 0:
			return nil, nil, guanjia.FieldError(guanjia.EINVALID, "file", "unknown column %q: use name,kind,lat,lng,address,phone,hours", h)
		case seen[c]:
			return nil, nil, guanjia.FieldError(guanjia.EINVALID, "file", "the column %q appears twice", h)
		}
		seen[c], index[i] = true, c
	}
	for c, col := range columns {
		if col.required && !seen[c] {
			return nil, nil, guanjia.FieldError(guanjia.EINVALID, "file", "the column %q is missing", col.names[0])
		}
	}
	var recs []Record
	var errs []RowError
	rows := 0 // a row may have several errors: the cap is on rows
	for {
		fields, line, err := r.Row()
		if err == io.EOF {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			// A broken quote throws the rest of the file out of step: stop here.
			errs = append(errs, rowErrorf(pe.StartLine, "", "the row is not valid CSV (check the quotes)"))
			break
		} else if err != nil {
			return nil, nil, err
		}
		if blank(fields) {
			continue
		}
		rows++
		if rows > MaxRows {
			return nil, nil, guanjia.FieldError(guanjia.ETOOLARGE, "file", "the file has more than %d rows: split it", MaxRows)
		}
		if len(fields) != len(header) {
			errs = append(errs, rowErrorf(line, "", "the row has %d fields, the header %d", len(fields), len(header)))
			continue
		}
		rec := Record{Line: line}
		bad := false
		for i, v := range fields {
			c, v := index[i], strings.TrimSpace(v)
			if c < 0 {
				continue
			}
			if c == latColumn || c == lngColumn {
				n, err := strconv.ParseFloat(v, 64)
				if err != nil {
					errs = append(errs, rowErrorf(line, columns[c].names[0], "%q is not a number", v))
					bad = true
				}
				if c == latColumn {
					rec.Lat = n
				} else {
					rec.Lng = n
				}
				continue
			}
			columns[c].set(&rec, v)
		}
		if !bad {
			recs = append(recs, rec)
		}
	}
	return recs, errs, nil
}

// blank says whether a CSV row's cells are all empty.
func blank(fields []string) bool {
	for _, f := range fields {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// ParseGeoJSON reads a FeatureCollection of Point features whose properties
// are the CSV's columns. A feature's line is where it starts in the file.
func ParseGeoJSON(data []byte) ([]Record, []RowError, error) {
	data, err := checkText(data, false)
	if err != nil {
		return nil, nil, err
	}
	notCollection := guanjia.FieldError(guanjia.EINVALID, "file", "the file is not a GeoJSON FeatureCollection")
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, nil, notCollection
	}
	lines := lineCounter{data: data}
	var recs []Record
	var errs []RowError
	typ, sawFeatures := "", false
	for dec.More() {
		t, err := dec.Token()
		key, ok := t.(string)
		if err != nil || !ok {
			return nil, nil, notCollection
		}
		switch key {
		case "type":
			if err := dec.Decode(&typ); err != nil {
				return nil, nil, notCollection
			}
		case "features":
			if t, err := dec.Token(); err != nil || t != json.Delim('[') {
				return nil, nil, notCollection
			}
			sawFeatures = true
			for dec.More() {
				line := lines.at(dec.InputOffset())
				var raw json.RawMessage
				if err := dec.Decode(&raw); err != nil {
					return nil, nil, notCollection
				}
				if len(recs)+len(errs) >= MaxRows {
					return nil, nil, guanjia.FieldError(guanjia.ETOOLARGE, "file", "the file has more than %d rows: split it", MaxRows)
				}
				rec, rerr := featureRecord(line, raw)
				if rerr != nil {
					errs = append(errs, *rerr)
					continue
				}
				recs = append(recs, rec)
			}
			if _, err := dec.Token(); err != nil {
				return nil, nil, notCollection
			}
		default: // bbox, crs, name …: not ours to check
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return nil, nil, notCollection
			}
		}
	}
	if _, err := dec.Token(); err != nil || typ != "FeatureCollection" || !sawFeatures {
		return nil, nil, notCollection
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, nil, notCollection
	}
	return recs, errs, nil
}

func featureRecord(line int, raw json.RawMessage) (Record, *RowError) {
	fail := func(column, format string, args ...any) (Record, *RowError) {
		e := rowErrorf(line, column, format, args...)
		return Record{}, &e
	}
	f, err := geojson.UnmarshalFeature(raw)
	if err != nil || f.Type != "Feature" {
		return fail("", "the feature is not valid GeoJSON")
	}
	pt, ok := f.Geometry.(orb.Point)
	if !ok {
		return fail("geometry", "the geometry must be a Point")
	}
	rec := Record{Line: line, Lng: pt.X(), Lat: pt.Y()}
	for key, v := range f.Properties {
		c := columnOf(key)
		if c < 0 || columns[c].set == nil {
			continue // other properties (id, source, …) are the publisher's
		}
		var s string
		switch v := v.(type) {
		case string:
			s = v
		case float64: // a phone number written as a number
			s = strconv.FormatFloat(v, 'f', -1, 64)
		case nil:
		default:
			return fail(columns[c].names[0], "the property must be text")
		}
		columns[c].set(&rec, strings.TrimSpace(s))
	}
	return rec, nil
}

// lineCounter turns byte offsets, asked in increasing order, into line numbers.
type lineCounter struct {
	data []byte
	pos  int64
	line int
}

// at is the line of the first token at or after offset (past the comma and
// white space the decoder has not yet read).
func (c *lineCounter) at(offset int64) int {
	for offset < int64(len(c.data)) && strings.IndexByte(", \t\r\n", c.data[offset]) >= 0 {
		offset++
	}
	if c.line == 0 {
		c.line = 1
	}
	c.line += bytes.Count(c.data[c.pos:offset], []byte("\n"))
	c.pos = offset
	return c.line
}
