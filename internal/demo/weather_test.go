package demo

import (
	"context"
	"io"
	"testing"
	"time"

	"guanjia"
	"guanjia/internal/testenv"
)

// TestWeatherDemoSeedsOnce: the demo has typhoon 2411 with its landfall at
// 文昌翁田, twelve waterlogging points with readings, the demo citizen's two
// places and one alert in force covering 家 only; seeding again adds nothing.
func TestWeatherDemoSeedsOnce(t *testing.T) {
	ctx := context.Background()
	db := testenv.MustOpenDB(t)
	for _, u := range []*guanjia.User{{Username: "admin", Role: guanjia.RoleAdmin}, {Username: "citizen", Role: guanjia.RoleCitizen}} {
		if err := db.Users.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 {
		if err := seedWeatherDemo(ctx, db, io.Discard); err != nil {
			t.Fatal(err)
		}
	}
	typhoons, err := db.Weather.ListTyphoons(ctx, 10, time.Time{})
	if err != nil || len(typhoons) != 1 {
		t.Fatalf("typhoons: %d, %v", len(typhoons), err)
	}
	yagi := typhoons[0]
	landfall := time.Date(2024, 9, 6, 8, 20, 0, 0, time.UTC) // 16:20 Beijing time
	found := false
	for _, p := range yagi.Observed {
		if p.At.Equal(landfall) {
			found = p.Intensity == guanjia.IntensitySuperTY && p.Lat > 19.9 && p.Lat < 20.1 && p.Lng > 110.8 && p.Lng < 111.1
		}
	}
	if yagi.Number != "2411" || yagi.NameZH != "摩羯" || !found {
		t.Errorf("typhoon %s %s: no SuperTY landfall near 文昌翁田 at 2024-09-06 16:20", yagi.Number, yagi.NameZH)
	}
	points, err := db.Weather.ListWaterloggingPoints(ctx)
	if err != nil || len(points) != 12 {
		t.Fatalf("points: %d, %v", len(points), err)
	}
	for _, p := range points {
		if p.Latest == nil {
			t.Errorf("%s has no reading", p.Name)
		}
	}
	now := time.Now().UTC()
	alerts, err := db.Weather.ListAlerts(ctx, &now, 10)
	if err != nil || len(alerts) != 1 {
		t.Fatalf("alerts in force: %d, %v", len(alerts), err)
	}
	citizen, _ := db.Users.FindUserByUsername(ctx, "citizen")
	places, _ := db.Weather.ListPlaces(ctx, citizen.ID)
	if len(places) != 2 {
		t.Fatalf("demo citizen has %d places", len(places))
	}
	inside, err := db.Weather.PlacesWithin(ctx, guanjia.Bound{MinLat: 19.99, MinLng: 110.28, MaxLat: 20.06, MaxLng: 110.40})
	if err != nil || len(inside) != 1 || inside[0].Name != "家" {
		t.Errorf("places inside the demo alert: %+v, %v; want 家 only", inside, err)
	}
}
