package api_test

import (
	"net/http"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// What Chinese Excel saves as "CSV" imports as it is: GBK text, a trailing
// empty column, and the ,,,, lines left below the data.
func TestPOIImportOfExcelCSV(t *testing.T) {
	r := newConsoleRig(t)
	r.addPOIDepartment()
	srv := r.poiServer()
	text := "名称,类型,纬度,经度,地址,\r\n" +
		"中山便民服务站,便民服务站," + coord(siteLat+0.0009) + "," + coord(siteLng) + ",龙华路1号,\r\n" +
		",,,,,\r\n,,,,,\r\n"
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(text)
	if err != nil {
		t.Fatal(err)
	}
	code, out := r.uploadPOIs(srv, "dept", "龙华区.csv", "wgs84", gbk)
	if code != http.StatusCreated || out["places"] != 1.0 {
		t.Fatalf("an Excel CSV: %d %v, want 1 place imported", code, out)
	}
	code, out = r.call(srv, "", "GET", "/api/v1/poi/nearby?lat="+coord(siteLat)+"&lng="+coord(siteLng)+"&coord_system=wgs84", nil)
	station, _ := out["kinds"].([]any)[0].(map[string]any)
	if places, _ := station["places"].([]any); code != http.StatusOK || len(places) != 1 ||
		places[0].(map[string]any)["name"] != "中山便民服务站" || places[0].(map[string]any)["address"] != "龙华路1号" {
		t.Errorf("the place as read from GBK: %d %v", code, station)
	}
}

// The row cap counts rows: 2600 rows with two errors each are a 422 row
// report, not "more than 5000 rows".
func TestPOIImportRowCapCountsRows(t *testing.T) {
	r := newConsoleRig(t)
	r.addPOIDepartment()
	srv := r.poiServer()
	var b strings.Builder
	b.WriteString("name,kind,lat,lng\n")
	for range 2600 {
		b.WriteString("公厕,toilet,北纬,东经\n")
	}
	code, out := r.uploadPOIs(srv, "dept", "lh.csv", "wgs84", b.String())
	if errs, _ := out["errors"].([]any); code != http.StatusUnprocessableEntity || len(errs) != 5200 || out["rows"] != 2600.0 {
		t.Errorf("2600 rows with two errors each: %d, %d errors, rows %v, want 422 with all 5200", code, len(errs), out["rows"])
	}
}
