package poi

import (
	"context"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"guanjia"
	"guanjia/geo"
)

// A CSV as Chinese Excel saves it: GBK, a trailing empty column, and lines
// of commas below the data. It reads as its one place.
func TestParseCSVAsExcelSavesIt(t *testing.T) {
	text := "名称,类型,纬度,经度, \r\n公厕,公厕,20.02,110.3,\r\n,,,,\r\n , ,,,\r\n,,,,\r\n"
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(text)
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string]string{"UTF-8": text, "GBK": gbk} {
		recs, errs, err := ParseCSV([]byte(data))
		if err != nil || len(errs) > 0 || len(recs) != 1 || recs[0].Name != "公厕" || recs[0].Line != 2 || recs[0].Lng != 110.3 {
			t.Errorf("%s: %+v %+v %v, want the one place", name, recs, errs, err)
		}
	}
	// A bad row below the blank ones keeps its line.
	recs, errs, err := ParseCSV([]byte("name,kind,lat,lng,\n公厕,toilet,20.02,110.3,\n,,,,\n坏数,toilet,abc,110.3,\n"))
	if err != nil || len(recs) != 1 || len(errs) != 1 || errs[0].Line != 4 || errs[0].Column != "lat" {
		t.Errorf("%+v %+v %v, want line 4's lat refused", recs, errs, err)
	}
}

// MaxRows counts rows, not errors: a file of 2600 rows with two bad cells
// each is reported row by row; one of MaxRows+1 rows is too large.
func TestParseCSVRowCap(t *testing.T) {
	file := func(n int, row string) []byte {
		return []byte("name,kind,lat,lng\n" + strings.Repeat(row, n))
	}
	s, _ := newTestService(t, "", "")
	rep, err := s.Import(context.Background(), admin, Upload{Filename: "a.csv", CoordSystem: geo.WGS84, Data: file(2600, "公厕,toilet,北纬,东经\n")})
	if err != nil || rep.Rows != 2600 || len(rep.Errors) != 5200 {
		t.Fatalf("2600 rows, two errors each: %v, want a report of 5200 errors", err)
	}
	if _, _, err := ParseCSV(file(MaxRows, "公厕,toilet,20.02,110.3\n")); err != nil {
		t.Errorf("%d rows: %v", MaxRows, err)
	}
	if _, _, err := ParseCSV(file(MaxRows+1, "公厕,toilet,20.02,110.3\n")); guanjia.ErrorCode(err) != guanjia.ETOOLARGE {
		t.Errorf("%d rows: %v, want too large", MaxRows+1, err)
	}
}
