package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserWeatherMapAndAlert: a dispatcher opens 台风积水 and sees the demo
// typhoon 摩羯's track with its forecast cone, the twelve waterlogging points
// coloured by depth with camera links, and the demo alert; draws an area on
// the map, publishes an alert over it, sees it drawn and listed, and
// withdraws it.
func TestBrowserWeatherMapAndAlert(t *testing.T) {
	open := newBrowser(t)
	m := startMain(t)
	d := open("dispatcher")
	d.login(m.URL, "/console/weather", "dispatcher")
	d.waitFor("the waterlogging points", `document.querySelectorAll('#waterlogging-table tbody tr[data-point]').length === 12`)
	d.waitFor("the typhoon track", `document.querySelectorAll('#weather-map path.typhoon-observed').length === 16 &&
		document.querySelectorAll('#weather-map path.typhoon-forecast').length === 3`)
	d.waitFor("the points on the map", `document.querySelectorAll('#weather-map path.wl-point').length === 12`)
	if got := d.text(`#typhoon-summary`); !strings.Contains(got, "2411 摩羯（YAGI）") || !strings.Contains(got, "强台风 45 米/秒 950 百帕") {
		t.Errorf("typhoon summary %q", got)
	}
	// 海秀快速路金盘下穿 reads 58 cm in the demo: 禁止通行, red, with its camera.
	row := d.text(`#waterlogging-table tr[data-point="HK-WL-002"]`)
	if !strings.Contains(row, "58 厘米（禁止通行）") || !strings.Contains(row, "查看视频") {
		t.Errorf("HK-WL-002 row %q", row)
	}
	if href := d.eval(`document.querySelector('#waterlogging-table tr[data-point="HK-WL-002"] a').href`); !strings.HasPrefix(href.(string), "https://") {
		t.Errorf("camera link %v", href)
	}
	if n := d.eval(`document.querySelectorAll('#weather-map path.wl-danger').length`); n != 1.0 {
		t.Errorf("%v points drawn as 禁止通行, want 1", n)
	}
	d.waitFor("the demo alert", `document.querySelector('#alert-table tbody').textContent.includes('暴雨橙色')`)
	d.shot("weather-01-map")

	// Draw a triangle in the middle of the map, then publish over it.
	rect := d.eval(`(() => { const m = document.getElementById('weather-map'); m.scrollIntoView({block: 'center'});
		const r = m.getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; })()`).([]any)
	x, y, w, h := rect[0].(float64), rect[1].(float64), rect[2].(float64), rect[3].(float64)
	for _, p := range [][2]float64{{0.40, 0.40}, {0.60, 0.40}, {0.50, 0.60}} {
		d.do("click the map", chromedp.MouseClickXY(x+p[0]*w, y+p[1]*h))
	}
	d.waitFor("three vertices", `document.getElementById('alert-vertices').textContent === '3'`)
	d.do("publish an alert",
		chromedp.SetValue(chromedp.ID("alert-kind"), "waterlogging"),
		chromedp.SetValue(chromedp.ID("alert-level"), "red"),
		chromedp.SendKeys(chromedp.ID("alert-title"), "<b>下穿通道</b>积水红色预警"),
		chromedp.SendKeys(chromedp.ID("alert-body"), "下穿通道积水超过50厘米，禁止通行"),
		chromedp.Click(chromedp.CSS(`#alert-form button[type=submit]`)))
	d.waitFor("the new alert", `[...document.querySelectorAll('#alert-table tbody tr')].some((r) => r.textContent.includes('积水红色预警'))`)
	newRow := `[...document.querySelectorAll('#alert-table tbody tr')].find((r) => r.textContent.includes('积水红色预警'))`
	if got := d.eval(newRow + `.textContent`).(string); !strings.Contains(got, "<b>下穿通道</b>积水红色预警") || !strings.Contains(got, "生效中") || !strings.Contains(got, "绘制范围") {
		t.Errorf("new alert row %q: the title shown as text, in force, over a drawn area", got)
	}
	if n := d.eval(`document.querySelectorAll('#weather-map path.leaflet-interactive[stroke="#d92d20"]').length`); n.(float64) < 1 {
		t.Error("the red alert's area is not drawn")
	}
	if n := d.eval(`document.querySelectorAll('#alert-table b').length`); n != 0.0 {
		t.Error("the alert's text was rendered as HTML")
	}
	d.shot("weather-02-published")
	d.do("withdraw it", chromedp.Evaluate[chromedp.Void](newRow+`.querySelector('button[data-withdraw]').click()`))
	d.waitFor("the withdrawal", newRow+`.textContent.includes('已撤回')`)
	d.shot("weather-03-withdrawn")
	d.checkScriptErrors()
}
