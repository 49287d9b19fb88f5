package store_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"guanjia"
	"guanjia/internal/testenv"
	"guanjia/store"
	"guanjia/weather"
)

func weatherUser(t *testing.T, db *store.DB, name string, role guanjia.Role) *guanjia.User {
	t.Helper()
	u := &guanjia.User{Username: name, Role: role}
	if err := db.Users.CreateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	return u
}

func TestWeatherTyphoonImportReplacesTrack(t *testing.T) {
	db := testenv.MustOpenDB(t)
	ctx := context.Background()
	staff := weatherUser(t, db, "wx-admin", guanjia.RoleAdmin)
	csv := weather.CSVHeader + "\n" +
		"2411,摩羯,YAGI,observed,2024-09-06 08:00,19.6,111.7,915,65,,\n" +
		"2411,摩羯,YAGI,observed,2024-09-06 16:20,19.95,110.95,915,62,,\n" +
		"2411,摩羯,YAGI,forecast,2024-09-07 16:20,21.0,107.8,950,45,,\n"
	ty, err := weather.ParseTrackCSV(strings.NewReader(csv))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Weather.SaveTyphoon(ctx, ty, staff.ID); err != nil {
		t.Fatal(err)
	}
	got, err := db.Weather.FindTyphoon(ctx, ty.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.NameZH != "摩羯" || len(got.Observed) != 2 || len(got.Forecast) != 1 || got.Forecast[0].RadiusKM != 70 ||
		got.Observed[1].Intensity != guanjia.IntensitySuperTY || !got.Observed[1].At.Equal(ty.Observed[1].At) {
		t.Fatalf("stored typhoon: %+v", got)
	}
	// A second import of the same number replaces the track: no duplicate typhoon, no old points.
	again, _ := weather.ParseTrackCSV(strings.NewReader(weather.CSVHeader + "\n2411,摩羯,YAGI,observed,2024-09-07 14:00,21.0,107.8,950,45,,\n"))
	if err := db.Weather.SaveTyphoon(ctx, again, staff.ID); err != nil {
		t.Fatal(err)
	}
	list, err := db.Weather.ListTyphoons(ctx, 10, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].ID != ty.ID || len(list[0].Observed) != 1 || len(list[0].Forecast) != 0 {
		t.Fatalf("after re-import: %d typhoons, %+v", len(list), list[0])
	}
	if _, err := db.Weather.FindTyphoon(ctx, ty.ID+100); guanjia.ErrorCode(err) != guanjia.ENOTFOUND {
		t.Errorf("missing typhoon: %v", err)
	}
}

func TestWeatherReadingsAreAllOrNothingAndIdempotent(t *testing.T) {
	db := testenv.MustOpenDB(t)
	ctx := context.Background()
	now := time.Date(2026, 8, 10, 1, 0, 0, 0, time.UTC)
	for _, code := range []string{"HK-WL-001", "HK-WL-002"} {
		if err := db.Weather.UpsertWaterloggingPoint(ctx, &guanjia.WaterloggingPoint{Code: code, Name: "龙昆南路" + code,
			Lat: 20.026, Lng: 110.33, CreatedAt: now, UpdatedAt: now}); err != nil {
			t.Fatal(err)
		}
	}
	// Moving a point keeps its id and readings.
	if err := db.Weather.UpsertWaterloggingPoint(ctx, &guanjia.WaterloggingPoint{Code: "HK-WL-001", Name: "龙昆南路海秀路口",
		Lat: 20.026, Lng: 110.3305, VideoURL: "https://camera.example/1", CreatedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	reading := func(code string, cm float64, at time.Time) guanjia.WaterReading {
		return guanjia.WaterReading{PointCode: code, DepthCM: cm, MeasuredAt: at, ReceivedAt: now}
	}
	batch := []guanjia.WaterReading{reading("HK-WL-001", 18, now.Add(-20*time.Minute)), reading("HK-WL-001", 34, now.Add(-10*time.Minute)),
		reading("HK-WL-002", 52, now.Add(-10*time.Minute))}
	if n, err := db.Weather.AddWaterReadings(ctx, batch); err != nil || n != 3 {
		t.Fatalf("first push: %d, %v", n, err)
	}
	if n, err := db.Weather.AddWaterReadings(ctx, batch); err != nil || n != 0 {
		t.Fatalf("the same push again stored %d, %v; want 0", n, err)
	}
	// A push overlapping an earlier one stores only what is new; a reading sent twice in one push, once.
	earlier := reading("HK-WL-002", 40, now.Add(-30*time.Minute))
	if n, err := db.Weather.AddWaterReadings(ctx, []guanjia.WaterReading{batch[2], earlier, earlier}); err != nil || n != 1 {
		t.Fatalf("an overlapping push stored %d, %v; want 1", n, err)
	}
	bad := []guanjia.WaterReading{reading("HK-WL-002", 60, now), reading("HK-WL-404", 10, now)}
	if _, err := db.Weather.AddWaterReadings(ctx, bad); guanjia.ErrorCode(err) != guanjia.EINVALID {
		t.Fatalf("unknown point: %v, want EINVALID", err)
	}
	points, err := db.Weather.ListWaterloggingPoints(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(points) != 2 || points[0].Name != "龙昆南路海秀路口" || points[0].VideoURL != "https://camera.example/1" {
		t.Fatalf("points: %+v", points)
	}
	if l := points[0].Latest; l == nil || l.DepthCM != 34 {
		t.Errorf("latest of HK-WL-001: %+v, want 34 cm", l)
	}
	if l := points[1].Latest; l == nil || l.DepthCM != 52 {
		t.Errorf("latest of HK-WL-002: %+v, want 52 cm (the refused batch stored nothing)", l)
	}
}

func TestWeatherOpenWaterloggingReports(t *testing.T) {
	db := testenv.MustOpenDB(t)
	ctx := context.Background()
	citizen := weatherUser(t, db, "wx-reporter", guanjia.RoleCitizen)
	exec := func(sql string, args ...any) {
		t.Helper()
		if err := db.Gorm().WithContext(ctx).Exec(sql, args...).Error; err != nil {
			t.Fatal(err)
		}
	}
	now := time.Date(2026, 8, 10, 1, 0, 0, 0, time.UTC)
	for _, code := range []string{"1301", "0101"} {
		exec(`INSERT INTO categories (code, name, kind, major, department, accept_within_s, arrive_within_s, resolve_within_s, updated_at)
			VALUES (?, ?, 'event', 'municipal', 'municipal', 3600, 1800, 86400, ?)`, code, "分类"+code, now)
	}
	add := func(category, status, address string) {
		exec(`INSERT INTO complaints (category, description, lat, lng, coord_system, source, reporter_id, status, address, created_at, updated_at)
			VALUES (?, '路口积水很深', 20.03, 110.33, 'wgs84', 'miniprogram', ?, ?, ?, ?, ?)`, category, citizen.ID, status, address, now, now)
	}
	add("1301", "dispatched", "龙昆南路海秀路口")
	add("1301", "closed", "滨海大道")
	add("0101", "dispatched", "义龙西路")
	reports, err := db.Weather.ListOpenWaterloggingReports(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(reports) != 1 || reports[0].Address != "龙昆南路海秀路口" || reports[0].Status != guanjia.StatusDispatched {
		t.Fatalf("open 1301 reports: %+v", reports)
	}
}

func TestWeatherAlertMessagesOnePerCitizen(t *testing.T) {
	db := testenv.MustOpenDB(t)
	ctx := context.Background()
	staff := weatherUser(t, db, "wx-dispatcher", guanjia.RoleDispatcher)
	a, b := weatherUser(t, db, "wx-a", guanjia.RoleCitizen), weatherUser(t, db, "wx-b", guanjia.RoleCitizen)
	now := time.Date(2026, 8, 10, 1, 0, 0, 0, time.UTC)
	alert := &guanjia.WeatherAlert{Kind: guanjia.AlertRainstorm, Level: "orange", Title: "暴雨橙色预警", Body: "减少外出",
		AreaGeoJSON: []byte(`{"type":"Polygon","coordinates":[[[110.3,20.0],[110.4,20.0],[110.4,20.1],[110.3,20.0]]]}`),
		ValidFrom:   now, ValidUntil: now.Add(6 * time.Hour), PublishedBy: staff.ID, CreatedAt: now}
	if err := db.Weather.CreateAlert(ctx, alert); err != nil {
		t.Fatal(err)
	}
	msg := func(u int64, ch string) guanjia.Message {
		return guanjia.Message{RecipientID: u, Channel: ch, Template: guanjia.TplWeatherAlert, Data: map[string]string{"title": alert.Title}}
	}
	ids, err := db.Weather.QueueAlertMessages(ctx, alert.ID, []guanjia.Message{msg(a.ID, guanjia.ChannelSubscribe), msg(b.ID, guanjia.ChannelInbox)})
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 1 {
		t.Fatalf("queued %v: want the subscribe message only (inbox messages are sent by being written)", ids)
	}
	again, err := db.Weather.QueueAlertMessages(ctx, alert.ID, []guanjia.Message{msg(a.ID, guanjia.ChannelInbox), msg(b.ID, guanjia.ChannelInbox)})
	if err != nil || len(again) != 0 {
		t.Fatalf("a retry queued %v, %v", again, err)
	}
	for _, u := range []int64{a.ID, b.ID} {
		rows, err := db.Notifications.ListNotifications(ctx, guanjia.NotificationFilter{RecipientID: &u})
		if err != nil || len(rows) != 1 {
			t.Errorf("user %d has %d messages (%v), want 1", u, len(rows), err)
		}
	}
	if todo, _ := db.Weather.AlertsToFanOut(ctx, now); !slices.Equal(todo, []int64{alert.ID}) {
		t.Errorf("to fan out: %v", todo)
	}
	if todo, _ := db.Weather.AlertsToFanOut(ctx, now.Add(-time.Second)); len(todo) != 0 {
		t.Errorf("before it starts, to fan out: %v", todo)
	}
	if err := db.Weather.MarkAlertFannedOut(ctx, alert.ID, now); err != nil {
		t.Fatal(err)
	}
	if todo, _ := db.Weather.AlertsToFanOut(ctx, now); len(todo) != 0 {
		t.Errorf("fanned out, still to fan out: %v", todo)
	}
	if err := db.Weather.WithdrawAlert(ctx, alert.ID, staff.ID, now); err != nil {
		t.Fatal(err)
	}
	if err := db.Weather.WithdrawAlert(ctx, alert.ID, staff.ID, now); guanjia.ErrorCode(err) != guanjia.ECONFLICT {
		t.Errorf("second withdrawal: %v", err)
	}
	if cur, _ := db.Weather.ListAlerts(ctx, &now, 10); len(cur) != 0 {
		t.Errorf("a withdrawn alert is current: %+v", cur)
	}
}

// A citizen's saves at once (taps on two phones, a retried request) still
// keep at most MaxSavedPlaces.
func TestWeatherSavedPlacesAtOnce(t *testing.T) {
	db := testenv.MustOpenDB(t)
	ctx := context.Background()
	u := weatherUser(t, db, "wx-many", guanjia.RoleCitizen)
	const n = 10
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := db.Weather.AddPlace(ctx, &guanjia.SavedPlace{UserID: u.ID, Name: fmt.Sprintf("地点%d", i), Lat: 20.0, Lng: 110.3,
				CoordSystem: "wgs84", CreatedAt: time.Now().UTC()})
			if err != nil && guanjia.ErrorCode(err) != guanjia.EINVALID {
				t.Errorf("save %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	if list, _ := db.Weather.ListPlaces(ctx, u.ID); len(list) != guanjia.MaxSavedPlaces {
		t.Errorf("%d saves at once kept %d places, want %d", n, len(list), guanjia.MaxSavedPlaces)
	}
}

func TestWeatherSavedPlaces(t *testing.T) {
	db := testenv.MustOpenDB(t)
	ctx := context.Background()
	a, b := weatherUser(t, db, "wx-pa", guanjia.RoleCitizen), weatherUser(t, db, "wx-pb", guanjia.RoleCitizen)
	now := time.Date(2026, 8, 10, 1, 0, 0, 0, time.UTC)
	add := func(u int64, name string, lat, lng float64) (*guanjia.SavedPlace, error) {
		p := &guanjia.SavedPlace{UserID: u, Name: name, Lat: lat, Lng: lng, CoordSystem: "wgs84", CreatedAt: now}
		return p, db.Weather.AddPlace(ctx, p)
	}
	home, err := add(a.ID, "家", 20.03, 110.33)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := add(a.ID, "家", 20.0, 110.3); guanjia.ErrorCode(err) != guanjia.ECONFLICT {
		t.Errorf("same name twice: %v", err)
	}
	if _, err := add(b.ID, "家", 19.9, 110.5); err != nil {
		t.Errorf("another citizen's 家: %v", err)
	}
	for i := 2; i <= guanjia.MaxSavedPlaces; i++ {
		if _, err := add(a.ID, "地点"+string(rune('0'+i)), 20.0, 110.3); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := add(a.ID, "太多", 20.0, 110.3); guanjia.ErrorCode(err) != guanjia.EINVALID {
		t.Errorf("place %d: %v, want EINVALID", guanjia.MaxSavedPlaces+1, err)
	}
	in, err := db.Weather.PlacesWithin(ctx, guanjia.Bound{MinLat: 20.02, MinLng: 110.32, MaxLat: 20.04, MaxLng: 110.34})
	if err != nil || len(in) != 1 || in[0].ID != home.ID {
		t.Errorf("within the box: %+v, %v", in, err)
	}
	if err := db.Weather.DeletePlace(ctx, b.ID, home.ID); guanjia.ErrorCode(err) != guanjia.ENOTFOUND {
		t.Errorf("deleting another's place: %v", err)
	}
	if err := db.Weather.DeletePlace(ctx, a.ID, home.ID); err != nil {
		t.Fatal(err)
	}
	if list, _ := db.Weather.ListPlaces(ctx, a.ID); len(list) != guanjia.MaxSavedPlaces-1 {
		t.Errorf("after delete: %d places", len(list))
	}
}

// Two first PUTs of one point's code at once (a sensor gateway retrying):
// both are answered, and the point is one.
func TestWeatherPointFirstPutTwiceAtOnce(t *testing.T) {
	db := testenv.MustOpenDB(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	for round := range 5 {
		code := fmt.Sprintf("LH-%02d", round)
		var wg sync.WaitGroup
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				p := &guanjia.WaterloggingPoint{Code: code, Name: "龙昆南路下穿隧道", Lat: 20.01, Lng: 110.33, CreatedAt: now, UpdatedAt: now}
				if err := db.Weather.UpsertWaterloggingPoint(ctx, p); err != nil {
					t.Errorf("round %d: %v", round, err)
				}
			}()
		}
		wg.Wait()
	}
	if list, err := db.Weather.ListWaterloggingPoints(ctx); err != nil || len(list) != 5 {
		t.Errorf("points: %d (%v), want 5", len(list), err)
	}
}

// A track imported by CSV while the typhoon is live is 活跃; once nobody
// imports it any more (it dissipated), it is not 活跃 for ever, nor listed
// ahead of a newer typhoon.
func TestAnImportedTyphoonStopsBeingActive(t *testing.T) {
	db := testenv.MustOpenDB(t)
	ctx := context.Background()
	staff := weatherUser(t, db, "wx-admin", guanjia.RoleAdmin)
	clk := testenv.NewClock(time.Date(2026, 8, 10, 2, 0, 0, 0, time.UTC))
	svc := weather.NewService(db.Weather, nil, clk.Now)
	who := guanjia.Claims{UserID: staff.ID, Role: staff.Role}
	track := func(number, name string, last time.Time) *strings.Reader {
		at := func(t time.Time) string { return t.In(guanjia.ChinaTime).Format("2006-01-02 15:04") }
		return strings.NewReader(weather.CSVHeader + "\n" +
			fmt.Sprintf("%s,%s,,observed,%s,19.6,111.7,915,65,,\n", number, name, at(last.Add(-6*time.Hour))) +
			fmt.Sprintf("%s,%s,,observed,%s,19.95,110.95,915,62,,\n", number, name, at(last)))
	}
	old, err := svc.ImportTyphoon(ctx, who, weather.FormatCSV, track("2611", "旧台风", clk.Now().Add(-2*time.Hour)))
	if err != nil || !old.Active {
		t.Fatalf("a live typhoon's import: %v, active %v", err, old != nil && old.Active)
	}
	clk.Set(clk.Now().Add(10 * 24 * time.Hour))
	if again, err := svc.Typhoon(ctx, old.ID); err != nil || again.Active {
		t.Errorf("ten days without a position, typhoon 2611 is active %v (%v)", again != nil && again.Active, err)
	}
	// A newer typhoon, imported the day after it dissipated.
	if _, err := svc.ImportTyphoon(ctx, who, weather.FormatCSV, track("2612", "新台风", clk.Now().Add(-30*time.Hour))); err != nil {
		t.Fatal(err)
	}
	list, err := svc.Typhoons(ctx, 10)
	if err != nil || len(list) != 2 {
		t.Fatalf("typhoons: %d, %v", len(list), err)
	}
	if list[0].Number != "2612" || list[0].Active || list[1].Active {
		t.Errorf("the list: %s (active %v), %s (active %v); want the newer 2612 first, neither active",
			list[0].Number, list[0].Active, list[1].Number, list[1].Active)
	}
}

// A point whose sensor stopped reporting keeps its last depth, said to be
// old: over an hour, it is not the water there now.
func TestAnOldWaterReadingIsStale(t *testing.T) {
	db := testenv.MustOpenDB(t)
	ctx := context.Background()
	clk := testenv.NewClock(time.Date(2026, 8, 10, 1, 0, 0, 0, time.UTC))
	svc := weather.NewService(db.Weather, nil, clk.Now)
	if err := svc.SavePoint(ctx, &guanjia.WaterloggingPoint{Code: "HK-WL-002", Name: "海秀快速路金盘下穿", Lat: 20.019, Lng: 110.315}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AddReadings(ctx, []guanjia.WaterReading{{PointCode: "HK-WL-002", DepthCM: 58, MeasuredAt: clk.Now().Add(-5 * time.Minute)}}); err != nil {
		t.Fatal(err)
	}
	stale := func() bool {
		points, _, err := svc.Waterlogging(ctx)
		if err != nil || len(points) != 1 || points[0].Latest == nil || points[0].Latest.DepthCM != 58 {
			t.Fatalf("points: %v %+v", err, points)
		}
		return points[0].Stale
	}
	if stale() {
		t.Error("a reading of five minutes ago is stale")
	}
	clk.Set(clk.Now().Add(56 * time.Minute))
	if !stale() {
		t.Error("a reading of an hour and a minute ago is shown as the water now")
	}
}
