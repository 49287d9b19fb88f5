package weather

import (
	"context"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"guanjia"
	"guanjia/geo"
)

func TestConeRadiusGrowsWithLeadTime(t *testing.T) {
	for _, c := range []struct {
		lead time.Duration
		want float64
	}{
		{0, 0}, {12 * time.Hour, 35}, {24 * time.Hour, 70}, {36 * time.Hour, 95}, {72 * time.Hour, 170},
		{120 * time.Hour, 270}, {144 * time.Hour, 320}, {1000 * time.Hour, MaxConeRadiusKM},
	} {
		if got := ConeRadiusKM(c.lead); got != c.want {
			t.Errorf("ConeRadiusKM(%v) = %v, want %v", c.lead, got, c.want)
		}
	}
}

func inCone(cone orb.MultiPolygon, lat, lng float64) bool {
	return planar.MultiPolygonContains(cone, orb.Point{lng, lat})
}

func TestConeCoversTheForecastCircles(t *testing.T) {
	t0 := time.Date(2024, 9, 6, 6, 0, 0, 0, time.UTC)
	ty := &guanjia.Typhoon{
		Observed: []guanjia.TrackPoint{{Kind: guanjia.TrackObserved, At: t0, Lat: 19.8, Lng: 111.1}},
		Forecast: []guanjia.TrackPoint{
			{Kind: guanjia.TrackForecast, At: t0.Add(24 * time.Hour), Lat: 21.0, Lng: 107.6, RadiusKM: 70},
			{Kind: guanjia.TrackForecast, At: t0.Add(48 * time.Hour), Lat: 21.8, Lng: 105.0, RadiusKM: 120},
		},
	}
	cone := Cone(ty)
	if len(cone) != 2 {
		t.Fatalf("cone has %d parts, want one per forecast step", len(cone))
	}
	// 60 km north of the 24 h position lies inside its 70 km circle; 90 km does not.
	if !inCone(cone, 21.0+60/kmPerDegreeLat, 107.6) {
		t.Error("a point 60 km from the 24 h position is outside the cone")
	}
	if inCone(cone, 21.0+90/kmPerDegreeLat, 107.6) {
		t.Error("a point 90 km north of the 24 h position (off the track's side) is inside the cone")
	}
	// Halfway between the current and the 24 h position, on the track.
	if !inCone(cone, 20.4, 109.35) {
		t.Error("the track itself is outside the cone")
	}
	if inCone(cone, 15, 111) {
		t.Error("a point far south is inside the cone")
	}
	if d := geo.Distance(21.8, 105.0, 21.8+115/kmPerDegreeLat, 105.0); d > 120000 || !inCone(cone, 21.8+115/kmPerDegreeLat, 105.0) {
		t.Errorf("115 km (%.0f m) from the 48 h position should be inside its 120 km circle", d)
	}
	if Cone(&guanjia.Typhoon{Observed: ty.Observed}) != nil {
		t.Error("a typhoon without forecast has a cone")
	}
}

type gridList []*guanjia.Grid

func (g gridList) ListGrids(context.Context) ([]*guanjia.Grid, error) { return g, nil }

// countedGrids counts the reads of the grids.
type countedGrids struct {
	gridList
	reads int
}

func (g *countedGrids) ListGrids(ctx context.Context) ([]*guanjia.Grid, error) {
	g.reads++
	return g.gridList.ListGrids(ctx)
}

func square(id string, lng0, lat0, lng1, lat1 float64) *guanjia.Grid {
	return &guanjia.Grid{ID: id, Geometry: GeometryJSON(orb.Polygon{{{lng0, lat0}, {lng1, lat0}, {lng1, lat1}, {lng0, lat1}, {lng0, lat0}}})}
}

func TestAreaContainsPolygonAndGrids(t *testing.T) {
	ctx := context.Background()
	grids := gridList{square("LH-01", 110.30, 20.00, 110.32, 20.02), square("LH-02", 110.32, 20.00, 110.34, 20.02),
		square("MD-01", 110.40, 20.00, 110.42, 20.02)}
	polygon := &guanjia.WeatherAlert{AreaGeoJSON: []byte(`{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[110.30,20.00],[110.34,20.00],[110.32,20.04]]]}}`)}
	byGrids := &guanjia.WeatherAlert{Grids: []string{"LH-01", "MD-01"}}
	source := &countedGrids{gridList: grids}
	areas := NewAreas(source)
	for _, c := range []struct {
		name     string
		alert    *guanjia.WeatherAlert
		lat, lng float64
		want     bool
	}{
		{"inside the triangle", polygon, 20.01, 110.32, true},
		{"in the triangle's box but outside it", polygon, 20.035, 110.305, false},
		{"on the triangle's edge", polygon, 20.00, 110.33, true},
		{"far away", polygon, 19.5, 110.5, false},
		{"inside a named grid", byGrids, 20.01, 110.31, true},
		{"inside the other named grid", byGrids, 20.01, 110.41, true},
		{"inside a grid not named", byGrids, 20.01, 110.33, false},
		{"between the named grids", byGrids, 20.01, 110.37, false},
	} {
		area, err := areas.AreaOf(ctx, c.alert)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := area.Contains(c.lat, c.lng); got != c.want {
			t.Errorf("%s: Contains(%v, %v) = %v, want %v", c.name, c.lat, c.lng, got, c.want)
		}
	}
	if _, err := areas.AreaOf(ctx, &guanjia.WeatherAlert{Grids: []string{"LH-01", "XX-99"}}); guanjia.ErrorField(err) != "grids" {
		t.Errorf("unknown grid: %v, want a grids error", err)
	}
	if source.reads != 1 {
		t.Errorf("the grids were read %d times for one set of alerts, want once", source.reads)
	}
	if _, err := NewAreas(grids).AreaOf(ctx, &guanjia.WeatherAlert{Grids: []string{"XX-99"}}); guanjia.ErrorField(err) != "grids" {
		t.Errorf("unknown grid on a first read: %v, want a grids error", err)
	}
	for name, raw := range map[string]string{
		"point":      `{"type":"Point","coordinates":[110.3,20.0]}`,
		"lat first":  `{"type":"Polygon","coordinates":[[[20.0,110.3],[20.1,110.3],[20.1,110.4]]]}`,
		"two points": `{"type":"Polygon","coordinates":[[[110.3,20.0],[110.4,20.0]]]}`,
		"not json":   `polygon`,
		"empty":      `{"type":"MultiPolygon","coordinates":[]}`,
	} {
		if _, err := ParsePolygon([]byte(raw)); guanjia.ErrorField(err) != "area" {
			t.Errorf("%s: %v, want an area error", name, err)
		}
	}
}

// FuzzParsePolygon: whatever a publisher sends as the area, parsing never
// panics and what it accepts is closed rings of [lng, lat] points.
func FuzzParsePolygon(f *testing.F) {
	f.Add(`{"type":"Polygon","coordinates":[[[110.30,20.00],[110.34,20.00],[110.32,20.04]]]}`)
	f.Add(`{"type":"MultiPolygon","coordinates":[[[[110.3,20.0],[110.4,20.0],[110.4,20.1],[110.3,20.0]]]]}`)
	f.Add(`{"type":"Feature","geometry":null}`)
	f.Fuzz(func(t *testing.T, raw string) {
		polys, err := ParsePolygon([]byte(raw))
		if err != nil {
			return
		}
		for _, p := range polys {
			for _, r := range p {
				if !r.Closed() || len(r) < 4 {
					t.Fatalf("ring %v is not closed", r)
				}
			}
		}
		newArea(polys).Contains(20, 110.3)
	})
}
