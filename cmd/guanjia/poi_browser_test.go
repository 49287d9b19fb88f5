package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"guanjia/geo"
)

// TestBrowserPOIImportAndGapMap: an administrator opens 生活圈, sees the demo
// city's gap map, uploads a CSV with a bad row (the row report names it and
// nothing changes), fixes it and sees the grid around 云龙镇 gain a kind.
func TestBrowserPOIImportAndGapMap(t *testing.T) {
	open := newBrowser(t)
	m := startMain(t)
	admin := open("admin")
	admin.login(m.URL, "/console/poi", "admin")
	admin.waitFor("the gap map", `document.querySelectorAll('#poi-map path.leaflet-interactive').length === 39`)
	admin.waitFor("the gap table", `document.querySelectorAll('#poi-gaps tbody tr').length === 39`)
	missingAt := func(grid string) int {
		t.Helper()
		n, err := strconv.Atoi(admin.text(`#poi-gaps tr[data-grid="` + grid + `"] td:nth-child(3)`))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	// 云龙镇 (grid qs03) has only a bus stop in the demo.
	before := missingAt("qs03")
	if before != 13 {
		t.Fatalf("qs03 misses %d kinds, want 13 (the demo gives it only a bus stop)", before)
	}
	// A click on a grid lists what it misses.
	admin.eval(`document.querySelector('#poi-map path.leaflet-interactive').dispatchEvent(new MouseEvent('click', {bubbles: true, clientX: 1, clientY: 1}))`)
	admin.waitFor("the clicked grid's gaps", `(document.querySelector('#poi-detail h3') || {}).textContent`)
	if d := admin.text("#poi-detail"); !strings.Contains(d, "采样点") || !strings.Contains(d, "网格") {
		t.Errorf("grid detail %q", d)
	}
	admin.shot("poi-01-gap-map")

	// A market near 云龙 in GCJ-02, as 高德 gives it, and a row with lat and lng swapped.
	lat, lng := geo.WGS84ToGCJ02(19.9210, 110.4010)
	coords := strconv.FormatFloat(lat, 'f', 6, 64) + "," + strconv.FormatFloat(lng, 'f', 6, 64)
	good := "name,kind,lat,lng,address,phone,hours\n云龙农贸市场,菜市场," + coords + ",琼山区云龙大道88号,,6:00-19:00\n"
	dir := t.TempDir()
	file := filepath.Join(dir, "云龙镇.csv")
	if err := os.WriteFile(file, []byte(good+"云龙公厕,公厕,110.401,19.921,,,全天\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	admin.do("upload a file with a bad row",
		chromedp.SetUploadFiles(chromedp.ID("poi-file"), []string{file}),
		chromedp.SetValue(chromedp.ID("poi-coord"), "gcj02"),
		chromedp.Click(chromedp.CSS(`#poi-import button[type=submit]`)))
	admin.waitFor("the row report", `document.querySelectorAll('#poi-row-errors tbody tr').length === 1`)
	if report := admin.text("#poi-row-errors tbody tr"); !strings.Contains(report, "3") || !strings.Contains(report, "纬度和经度填反") {
		t.Errorf("row report %q should name line 3 and say lat and lng are swapped", report)
	}
	if msg := admin.text("#poi-import-error"); msg != "文件有 1 处错误，未导入任何数据" {
		t.Errorf("error %q", msg)
	}
	admin.shot("poi-02-row-report")
	if n := missingAt("qs03"); n != before {
		t.Fatalf("a refused file changed the map: qs03 misses %d", n)
	}

	if err := os.WriteFile(file, []byte(good), 0o644); err != nil {
		t.Fatal(err)
	}
	admin.do("upload the fixed file",
		chromedp.SetUploadFiles(chromedp.ID("poi-file"), []string{file}),
		chromedp.SetValue(chromedp.ID("poi-coord"), "gcj02"),
		chromedp.Click(chromedp.CSS(`#poi-import button[type=submit]`)))
	admin.waitFor("the import", `document.getElementById('poi-report').textContent.includes('已导入 1 处设施')`)
	admin.waitFor("the map redrawn", `document.querySelector('#poi-gaps tr[data-grid="qs03"] td:nth-child(3)').textContent === '12'`)
	if got := admin.text("#poi-imports tbody tr:first-child"); !strings.Contains(got, "云龙镇") || !strings.Contains(got, "GCJ-02") {
		t.Errorf("latest import %q", got)
	}
	admin.shot("poi-03-imported")
	admin.checkScriptErrors()
}
