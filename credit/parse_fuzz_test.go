package credit

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"guanjia"
)

// FuzzParseUpload: whatever a department uploads, the import never panics;
// a file it cannot read is one error about the file (400, 413 or 415), and
// everything else it reports is a row error naming a row of the file, and
// every cell it keeps is text without control characters.
func FuzzParseUpload(f *testing.F) {
	rt, err := LookupType(guanjia.CreditBlackList)
	if err != nil {
		f.Fatal(err)
	}
	good := string(rt.TemplateCSV()) +
		"海南椰风建筑工程有限公司,法人及非法人组织,91350100M000100Y43,,拖欠农民工工资失信联合惩戒对象名单,拖欠工资,海人社〔2026〕1号,海口市人社局,2026-01-05,2099-01-05\n"
	f.Add("a.csv", []byte(good))
	f.Add("a.csv", []byte(strings.Replace(good, "拖欠工资", "拖欠\x01工资", 1)))
	f.Add("a.csv", []byte(strings.Replace(good, "拖欠工资", "\"拖欠\n工资\"", 1)))
	f.Add("a.csv", []byte(strings.Replace(good, "91350100M000100Y43", "91350100M000100Y44", 1)))
	f.Add("a.csv", []byte(good+"\"unterminated,"))
	f.Add("a.csv", []byte(good+",,,,,,,,,,,,,,,,x\n"))
	f.Add("a.xlsx", []byte(good))
	f.Add("a.xls", []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1})
	f.Add("a.csv", []byte{0xFF, 0xFE, 0x4C, 0x88})
	f.Add("a.csv", []byte("PK\x03\x04garbage"))
	f.Add("a.csv", []byte{})
	f.Add("a.csv", []byte("\n\n\n"))
	if gb, err := simplifiedchinese.GB18030.NewEncoder().String(good); err == nil {
		f.Add("a.csv", []byte(gb))
	}
	if x, err := rt.TemplateXLSX(); err == nil {
		f.Add("a.xlsx", x)
		if filled := fillXLSX(x, "海南椰风建筑工程有限公司\x00", "法人及非法人组织", "91350100M000100Y43"); filled != nil {
			f.Add("a.xlsx", filled)
		}
	}
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		if len(data) > 1<<20 {
			return
		}
		tab, err := parseUpload(name, data)
		if err != nil {
			switch code := guanjia.ErrorCode(err); {
			case code != guanjia.EINVALID && code != guanjia.EUNSUPPORTED && code != guanjia.ETOOLARGE:
				t.Fatalf("parseUpload: %v (code %s), want an error about the file", err, code)
			case guanjia.ErrorField(err) != "file":
				t.Fatalf("parseUpload: %v names %q, want the file", err, guanjia.ErrorField(err))
			}
			return
		}
		rows, errs, count := validateRows(rt, tab, now, "hk-rsj")
		if count < len(errs) || (count > 0) != (len(errs) > 0) {
			t.Fatalf("%d errors counted, %d reported", count, len(errs))
		}
		last := 1
		for _, tr := range tab.rows {
			last = max(last, tr.line)
		}
		for _, e := range errs {
			if e.Row < 1 || e.Row > last || e.Reason == "" {
				t.Fatalf("row error %+v is not about a row of the file (1 to %d)", e, last)
			}
		}
		for _, r := range rows {
			for k, v := range r.Entry.Fields {
				if !utf8.ValidString(v) || strings.ContainsFunc(v, func(c rune) bool { return c < 0x20 && c != '\n' && c != '\r' && c != '\t' }) {
					t.Fatalf("row %d keeps %s = %q", r.Line, k, v)
				}
			}
		}
	})
}

// fillXLSX writes one data row under a template's header.
func fillXLSX(template []byte, cells ...string) []byte {
	x, err := excelize.OpenReader(bytes.NewReader(template))
	if err != nil {
		return nil
	}
	defer x.Close()
	sheet := x.GetSheetList()[0]
	for i, c := range cells {
		name, _ := excelize.CoordinatesToCellName(i+1, 2)
		if x.SetCellStr(sheet, name, c) != nil {
			return nil
		}
	}
	var b bytes.Buffer
	if err := x.Write(&b); err != nil {
		return nil
	}
	return b.Bytes()
}
