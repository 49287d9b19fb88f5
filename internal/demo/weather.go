package demo

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"guanjia"
	"guanjia/store"
	"guanjia/weather"
)

// demoYagiCSV is DEMO DATA: a track modelled on 超强台风"摩羯" (YAGI, 2411),
// which made landfall at 文昌翁田 on 2024-09-06 around 16:20 and passed
// Haikou that evening. The positions and values are approximate, for the
// demo only; they are not the 中央气象台's official track.
const demoYagiCSV = weather.CSVHeader + `
2411,摩羯,YAGI,observed,2024-09-01 14:00,15.5,125.8,1000,15,,
2411,摩羯,YAGI,observed,2024-09-02 08:00,16.5,122.8,990,23,,
2411,摩羯,YAGI,observed,2024-09-02 20:00,17.0,121.0,985,24,,
2411,摩羯,YAGI,observed,2024-09-03 08:00,17.8,119.5,980,28,,
2411,摩羯,YAGI,observed,2024-09-03 20:00,18.2,118.0,965,38,,
2411,摩羯,YAGI,observed,2024-09-04 08:00,18.6,116.6,955,42,,
2411,摩羯,YAGI,observed,2024-09-04 20:00,18.9,115.3,940,50,,
2411,摩羯,YAGI,observed,2024-09-05 08:00,19.1,114.0,920,60,,
2411,摩羯,YAGI,observed,2024-09-05 20:00,19.3,112.8,915,65,,
2411,摩羯,YAGI,observed,2024-09-06 08:00,19.6,111.7,915,65,,
2411,摩羯,YAGI,observed,2024-09-06 14:00,19.8,111.1,915,62,,
2411,摩羯,YAGI,observed,2024-09-06 16:20,19.95,110.95,915,62,,
2411,摩羯,YAGI,observed,2024-09-06 20:00,20.1,110.4,925,58,,
2411,摩羯,YAGI,observed,2024-09-06 22:20,20.3,110.1,935,55,,
2411,摩羯,YAGI,observed,2024-09-07 08:00,20.7,108.7,945,48,,
2411,摩羯,YAGI,observed,2024-09-07 14:00,21.0,107.8,950,45,,
2411,摩羯,YAGI,forecast,2024-09-08 02:00,21.3,106.6,975,30,,
2411,摩羯,YAGI,forecast,2024-09-08 14:00,21.6,105.5,990,20,,
2411,摩羯,YAGI,forecast,2024-09-09 14:00,22.0,103.5,1000,12,,
`

// demoWaterlogging are known low spots of Haikou (approximate WGS-84
// positions); the camera links are placeholders on a reserved domain.
var demoWaterlogging = []struct {
	code, name, address string
	lat, lng            float64
	camera              bool
	depths              []float64 // the last readings, oldest first, 10 minutes apart
}{
	{"HK-WL-001", "龙昆南路海秀路口", "龙华区龙昆南路与海秀中路交叉口", 20.0260, 110.3305, true, []float64{18, 26, 34}},
	{"HK-WL-002", "海秀快速路金盘下穿", "秀英区海秀快速路金盘路下穿隧道", 20.0190, 110.3150, true, []float64{40, 52, 58}},
	{"HK-WL-003", "滨海大道万绿园段", "龙华区滨海大道万绿园南侧", 20.0450, 110.3300, true, []float64{6, 9, 12}},
	{"HK-WL-004", "南大桥下", "美兰区海府路南大立交桥下", 20.0135, 110.3410, true, []float64{22, 28, 31}},
	{"HK-WL-005", "国兴大道海府路口", "美兰区国兴大道与海府路交叉口", 20.0190, 110.3560, false, []float64{10, 14, 17}},
	{"HK-WL-006", "龙华路大同路口", "龙华区龙华路与大同路交叉口", 20.0390, 110.3310, false, []float64{5, 8, 8}},
	{"HK-WL-007", "义龙西路", "龙华区义龙西路中段", 20.0420, 110.3420, true, []float64{12, 19, 24}},
	{"HK-WL-008", "金盘路", "龙华区金盘路金盘工业区段", 20.0080, 110.3020, false, []float64{3, 4, 6}},
	{"HK-WL-009", "椰海大道丘海大道口", "龙华区椰海大道与丘海大道交叉口", 19.9950, 110.3000, true, []float64{15, 21, 27}},
	{"HK-WL-010", "白驹大道", "美兰区白驹大道人民大道段", 20.0250, 110.3700, false, []float64{0, 2, 5}},
	{"HK-WL-011", "凤翔东路", "琼山区凤翔东路中段", 19.9990, 110.3820, false, []float64{8, 11, 16}},
	{"HK-WL-012", "滨涯路", "秀英区滨涯路滨涯村段", 20.0210, 110.2860, true, []float64{0, 0, 3}},
}

// demoAlertTitle marks the demo's alert, so a second seed finds it.
const demoAlertTitle = "海口市暴雨橙色预警（演示）"

// demoAlertArea covers central Haikou (龙华区、美兰区 downtown), WGS-84.
const demoAlertArea = `{"type":"Polygon","coordinates":[[[110.28,19.99],[110.40,19.99],[110.40,20.06],[110.28,20.06],[110.28,19.99]]]}`

// seedWeatherDemo adds the typhoon track, waterlogging points with readings,
// the demo citizen's saved places and one alert in force. Running it again
// changes nothing while the alert is in force.
func seedWeatherDemo(ctx context.Context, db *store.DB, out io.Writer) error {
	now := time.Now().UTC().Truncate(time.Second)
	svc := weather.NewService(db.Weather, db.Catalog, func() time.Time { return now })
	admin, err := db.Users.FindUserByUsername(ctx, "admin")
	if err != nil {
		return err
	}
	staff := guanjia.Claims{UserID: admin.ID, Role: guanjia.RoleAdmin}
	if _, err := svc.ImportTyphoon(ctx, staff, weather.FormatCSV, strings.NewReader(demoYagiCSV)); err != nil {
		return fmt.Errorf("demo typhoon: %w", err)
	}
	existing, err := db.Weather.ListWaterloggingPoints(ctx)
	if err != nil {
		return err
	}
	hasReadings := map[string]bool{}
	for _, p := range existing {
		hasReadings[p.Code] = p.Latest != nil
	}
	var readings []guanjia.WaterReading
	for _, w := range demoWaterlogging {
		p := &guanjia.WaterloggingPoint{Code: w.code, Name: w.name, Address: w.address, Lat: w.lat, Lng: w.lng}
		if w.camera {
			p.VideoURL = "https://camera.haikou.example/live/" + w.code + ".m3u8"
		}
		if err := svc.SavePoint(ctx, p); err != nil {
			return fmt.Errorf("demo waterlogging point %s: %w", w.code, err)
		}
		if hasReadings[w.code] {
			continue
		}
		for i, d := range w.depths {
			at := now.Add(-time.Duration(len(w.depths)-i) * 10 * time.Minute)
			readings = append(readings, guanjia.WaterReading{PointCode: w.code, DepthCM: d, MeasuredAt: at})
		}
	}
	if len(readings) > 0 {
		if _, err := svc.AddReadings(ctx, readings); err != nil {
			return fmt.Errorf("demo waterlogging readings: %w", err)
		}
	}
	if err := seedDemoPlaces(ctx, svc, db); err != nil {
		return err
	}
	current, err := svc.CurrentAlerts(ctx)
	if err != nil {
		return err
	}
	for _, a := range current {
		if a.Title == demoAlertTitle {
			fmt.Fprintf(out, "demo weather: typhoon 2411 摩羯, %d waterlogging points, alert %d in force\n", len(demoWaterlogging), a.ID)
			return nil
		}
	}
	until := now.Add(24 * time.Hour)
	a := &guanjia.WeatherAlert{Kind: guanjia.AlertRainstorm, Level: "orange", Title: demoAlertTitle,
		Body:        "预计未来6小时龙华区、美兰区城区降雨量将达50毫米以上，低洼路段易积水。请减少外出，避开下穿通道和积水路段。",
		AreaGeoJSON: []byte(demoAlertArea), ValidFrom: now, ValidUntil: until, PublishedBy: admin.ID, CreatedAt: now}
	// Saved directly: the worker's reconciler fans it out (AlertsToFanOut).
	if err := db.Weather.CreateAlert(ctx, a); err != nil {
		return err
	}
	fmt.Fprintf(out, "demo weather: typhoon 2411 摩羯, %d waterlogging points, alert %d published\n", len(demoWaterlogging), a.ID)
	return nil
}

// seedDemoPlaces gives the demo citizen a home inside the demo alert's area
// and a workplace outside it.
func seedDemoPlaces(ctx context.Context, svc *weather.Service, db *store.DB) error {
	u, err := db.Users.FindUserByUsername(ctx, "citizen")
	if err != nil {
		return err
	}
	who := guanjia.Claims{UserID: u.ID, Role: guanjia.RoleCitizen}
	have, err := svc.Places(ctx, who)
	if err != nil {
		return err
	}
	named := map[string]bool{}
	for _, p := range have {
		named[p.Name] = true
	}
	for _, p := range []weather.PlaceInput{
		{Name: "家", Lat: 20.0290, Lng: 110.3260},  // 国贸
		{Name: "单位", Lat: 19.9680, Lng: 110.5050}, // 江东新区, outside the demo alert
	} {
		if named[p.Name] {
			continue
		}
		if _, err := svc.AddPlace(ctx, who, p); err != nil {
			return fmt.Errorf("demo place %s: %w", p.Name, err)
		}
	}
	return nil
}
