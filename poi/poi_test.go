package poi

import (
	"context"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"guanjia"
	"guanjia/geo"
)

// The model worked by hand: 15 min = 900 s at 1.2 m/s = 1080 m walked;
// 1080 m ÷ 1.3 = 830.77 m in a straight line.
func TestWalkingModel(t *testing.T) {
	if WithinWalkedM != 1080 {
		t.Fatalf("WithinWalkedM = %v, want 1080", WithinWalkedM)
	}
	if math.Abs(WithinStraightM-830.769) > 0.001 {
		t.Fatalf("WithinStraightM = %v, want 830.769", WithinStraightM)
	}
	// 0.005° of latitude = 555.98 m (2πR/360 × 0.005, R = 6371008.8 m);
	// × 1.3 = 722.77 m walked; ÷ 1.2 = 602.3 s = 10.04 min → 11 minutes.
	w := WalkBetween(20.0, 110.3, 20.005, 110.3)
	if math.Abs(w.StraightM-555.98) > 0.01 || math.Abs(w.WalkedM-722.77) > 0.01 || w.Minutes != 11 || !w.InReach() {
		t.Fatalf("0.005° north: %+v, want 555.98 m straight, 722.77 m walked, 11 min, in reach", w)
	}
	// 0.0075° = 833.96 m straight: just over 830.77, so out of reach (15.06 min).
	if w := WalkBetween(20.0, 110.3, 20.0075, 110.3); w.InReach() || w.Minutes != 16 {
		t.Fatalf("0.0075° north: %+v, want out of reach at 16 min", w)
	}
	if w := WalkBetween(20.0, 110.3, 20.0, 110.3); w.Minutes != 0 || !w.InReach() {
		t.Fatalf("same point: %+v", w)
	}
}

// memStore is the Store of the tests.
type memStore struct {
	places  []Place
	imports []*Import
	nextID  int64
}

func (m *memStore) ReplaceSource(_ context.Context, imp *Import, places []Place) error {
	for _, old := range m.imports {
		if old.Source == imp.Source {
			if err := MayReplace(imp.Source, true, old.Department, imp.Department); err != nil {
				return err
			}
			break
		}
	}
	kept := m.places[:0:0]
	for _, p := range m.places {
		if p.Source != imp.Source {
			kept = append(kept, p)
		}
	}
	imp.Replaced = len(m.places) - len(kept)
	for _, p := range places {
		m.nextID++
		p.ID = m.nextID
		kept = append(kept, p)
	}
	m.places = kept
	imp.ID = int64(len(m.imports) + 1)
	m.imports = append(m.imports, imp)
	return nil
}

func (m *memStore) PlacesIn(_ context.Context, b Box) ([]Place, error) {
	var out []Place
	for _, p := range m.places {
		if p.Lat >= b.MinLat && p.Lat <= b.MaxLat && p.Lng >= b.MinLng && p.Lng <= b.MaxLng {
			out = append(out, p)
		}
	}
	return out, nil
}

func (m *memStore) ListImports(context.Context, int) ([]*Import, error) { return m.imports, nil }

type gridList []*guanjia.Grid

func (g gridList) ListGrids(context.Context) ([]*guanjia.Grid, error) { return g, nil }

var admin = guanjia.Claims{UserID: 1, Role: guanjia.RoleAdmin}

func newTestService(t *testing.T, csv string, sys geo.CoordSystem) (*Service, *memStore) {
	t.Helper()
	st := &memStore{}
	s := NewService(st, gridList{}, func() time.Time { return time.Date(2026, 8, 10, 1, 0, 0, 0, time.UTC) })
	if csv != "" {
		rep, err := s.Import(context.Background(), admin, Upload{Filename: "test.csv", CoordSystem: sys, Data: []byte(csv)})
		if err != nil || len(rep.Errors) > 0 {
			t.Fatalf("import: %v %+v", err, rep)
		}
	}
	return s, st
}

// 国贸 (WGS-84), and places due north of it at 0.001° (111.2 m) steps.
const centreLat, centreLng = 20.0200, 110.3250

func TestNearbyNearestFirstAndMissing(t *testing.T) {
	s, _ := newTestService(t, "name,kind,lat,lng\n"+
		"远的菜市场,菜市场,20.0270,110.3250\n"+ // 778 m: in reach
		"近的菜市场,market,20.0210,110.3250\n"+ // 111 m
		"中间的菜市场,农贸市场,20.0240,110.3250\n"+ // 445 m
		"更远的菜市场,market,20.0275,110.3250\n"+ // 834 m: 4th, and out of reach anyway
		"公厕,toilet,20.0190,110.3250\n"+
		"太远的公交站,bus_stop,20.0300,110.3250\n", // 1.1 km: out of reach
		geo.WGS84)
	n, err := s.Nearby(context.Background(), geo.WGS84, centreLat, centreLng)
	if err != nil {
		t.Fatal(err)
	}
	byKind := map[string]KindReach{}
	for _, k := range n.Kinds {
		byKind[k.Kind.Code] = k
	}
	if len(n.Kinds) != len(Kinds) {
		t.Fatalf("%d kinds in the answer, want all %d", len(n.Kinds), len(Kinds))
	}
	var names []string
	for _, p := range byKind["market"].Places {
		names = append(names, p.Name)
	}
	if want := []string{"近的菜市场", "中间的菜市场", "远的菜市场"}; !slices.Equal(names, want) {
		t.Fatalf("markets %v, want nearest first %v", names, want)
	}
	if p := byKind["market"].Places[0]; p.Minutes != 3 || math.Round(p.StraightM) != 111 {
		t.Fatalf("nearest market %+v, want 111 m, 3 minutes (144.5 m walked at 1.2 m/s = 2.0 min, rounded up)", p.Walking)
	}
	var missing []string
	for _, k := range n.Missing {
		missing = append(missing, k.Code)
	}
	if !slices.Contains(missing, "bus_stop") || slices.Contains(missing, "toilet") || slices.Contains(missing, "market") {
		t.Fatalf("missing %v: want bus_stop (1.1 km away) and not toilet or market", missing)
	}
	if len(missing) != len(Kinds)-2 {
		t.Fatalf("missing %d kinds, want %d", len(missing), len(Kinds)-2)
	}
}

// A file in GCJ-02 is stored in WGS-84, and a GCJ-02 position from
// wx.getLocation finds it at the distance a WGS-84 one would.
func TestGCJ02InAndOut(t *testing.T) {
	gLat, gLng := geo.WGS84ToGCJ02(20.0210, 110.3250)
	s, st := newTestService(t, "name,kind,lat,lng\n菜市场,market,"+ftoa(gLat)+","+ftoa(gLng)+"\n", geo.GCJ02)
	if p := st.places[0]; math.Abs(p.Lat-20.0210) > 1e-7 || math.Abs(p.Lng-110.3250) > 1e-7 {
		t.Fatalf("stored (%v, %v), want the WGS-84 point (20.0210, 110.3250)", p.Lat, p.Lng)
	}
	cLat, cLng := geo.WGS84ToGCJ02(centreLat, centreLng)
	n, err := s.Nearby(context.Background(), geo.GCJ02, cLat, cLng)
	if err != nil {
		t.Fatal(err)
	}
	if got := n.Kinds[3]; got.Kind.Code != "market" || len(got.Places) != 1 || math.Abs(got.Places[0].StraightM-111.2) > 0.5 {
		t.Fatalf("market %+v, want one at 111.2 m", got)
	}
	// Read as WGS-84 the same numbers are ~600 m off: not the same answer.
	if geo.Distance(cLat, cLng, centreLat, centreLng) < 300 {
		t.Fatal("the GCJ-02 offset should be hundreds of metres in Haikou")
	}
}

func TestNearbyRefusesBadPoints(t *testing.T) {
	s, _ := newTestService(t, "", "")
	for _, tt := range []struct {
		name     string
		sys      geo.CoordSystem
		lat, lng float64
		field    string
	}{
		{"no coordinate system", "", centreLat, centreLng, "coord_system"},
		{"baidu", "bd09", centreLat, centreLng, "coord_system"},
		{"swapped", geo.WGS84, centreLng, centreLat, "lat"},
		{"Beijing", geo.WGS84, 39.9087, 116.3975, "lat"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.Nearby(context.Background(), tt.sys, tt.lat, tt.lng)
			if guanjia.ErrorCode(err) != guanjia.EINVALID || guanjia.ErrorField(err) != tt.field {
				t.Fatalf("err = %v, want invalid %s", err, tt.field)
			}
		})
	}
}

// Import is all-or-nothing: one bad row, and the report lists every bad
// row with its line while the store is untouched.
func TestImportRejectsWholeFile(t *testing.T) {
	s, st := newTestService(t, "name,kind,lat,lng\n旧菜市场,market,20.021,110.325\n", geo.WGS84)
	file := "name,kind,lat,lng,address\n" +
		"好的公厕,toilet,20.02,110.325,\n" +
		",toilet,20.02,110.325,\n" + // line 3: no name
		"奇怪的地方,游乐场,20.02,110.325,\n" + // line 4: unknown kind
		"反了,toilet,110.325,20.02,\n" + // line 5: swapped
		"北京,toilet,39.9,116.4,\n" + // line 6: not Haikou
		"坏数,toilet,abc,110.3,\n" + // line 7: not a number
		"好的公厕,toilet,20.02,110.325,\n" + // line 8: duplicate of line 2
		"少一列,toilet,20.02\n" // line 9
	rep, err := s.Import(context.Background(), admin, Upload{Filename: "test.csv", CoordSystem: geo.WGS84, Data: []byte(file)})
	if err != nil {
		t.Fatal(err)
	}
	type bad struct {
		line   int
		column string
	}
	var got []bad
	for _, e := range rep.Errors {
		got = append(got, bad{e.Line, e.Column})
	}
	want := []bad{{3, "name"}, {4, "kind"}, {5, "lat"}, {6, "lat"}, {7, "lat"}, {8, "name"}, {9, ""}}
	if !slices.Equal(got, want) {
		t.Fatalf("row report %v, want %v", got, want)
	}
	if !strings.Contains(rep.Errors[5].Err.Message, "line 2") {
		t.Fatalf("duplicate reason %q should name line 2", rep.Errors[5].Err.Message)
	}
	if rep.Rows != 8 || rep.Places != 0 {
		t.Fatalf("rows %d places %d, want 8 rows and nothing imported", rep.Rows, rep.Places)
	}
	if len(st.places) != 1 || st.places[0].Name != "旧菜市场" || len(st.imports) != 1 {
		t.Fatalf("store changed: %+v", st.places)
	}
}

func TestImportReplacesSource(t *testing.T) {
	s, st := newTestService(t, "name,kind,lat,lng\n旧菜市场,market,20.021,110.325\n旧公厕,toilet,20.021,110.326\n", geo.WGS84)
	rep, err := s.Import(context.Background(), admin, Upload{Filename: "test.csv", CoordSystem: geo.WGS84,
		Data: []byte("名称,类型,纬度,经度\n新菜市场,菜市场,20.022,110.325\n")})
	if err != nil || len(rep.Errors) > 0 {
		t.Fatalf("import: %v %+v", err, rep.Errors)
	}
	if rep.Source != "test" || rep.Replaced != 2 || rep.Places != 1 || len(st.places) != 1 || st.places[0].Name != "新菜市场" {
		t.Fatalf("report %+v, places %+v: want source test's two places replaced by one", rep.Import, st.places)
	}
	// Another source is left alone.
	if _, err := s.Import(context.Background(), admin, Upload{Source: "龙华区", Filename: "x.csv", CoordSystem: geo.WGS84,
		Data: []byte("name,kind,lat,lng\n公厕,toilet,20.02,110.3\n")}); err != nil {
		t.Fatal(err)
	}
	if len(st.places) != 2 {
		t.Fatalf("%d places, want both sources' places", len(st.places))
	}
}

func TestImportRefusals(t *testing.T) {
	s, _ := newTestService(t, "", "")
	good := []byte("name,kind,lat,lng\n公厕,toilet,20.02,110.3\n")
	for _, tt := range []struct {
		name  string
		who   guanjia.Claims
		up    Upload
		code  string
		field string
	}{
		{"dispatcher", guanjia.Claims{UserID: 2, Role: guanjia.RoleDispatcher}, Upload{Filename: "a.csv", CoordSystem: geo.WGS84, Data: good}, guanjia.EFORBIDDEN, ""},
		{"no coordinate system", admin, Upload{Filename: "a.csv", Data: good}, guanjia.EINVALID, "coord_system"},
		{"unknown format", admin, Upload{Filename: "a.xlsx", CoordSystem: geo.WGS84, Data: good}, guanjia.EINVALID, "format"},
		{"GBK GeoJSON", admin, Upload{Filename: "a.geojson", CoordSystem: geo.WGS84, Data: []byte(`{"type":"FeatureCollection","features":[],"name":"\xb9\xab\xb2\xde"}`)}, guanjia.EINVALID, "file"},
		{"unknown column", admin, Upload{Filename: "a.csv", CoordSystem: geo.WGS84, Data: []byte("name,kind,lat,lng,colour\n")}, guanjia.EINVALID, "file"},
		{"header only", admin, Upload{Filename: "a.csv", CoordSystem: geo.WGS84, Data: []byte("name,kind,lat,lng\n")}, guanjia.EINVALID, "file"},
		{"GeoJSON that is not a collection", admin, Upload{Filename: "a.geojson", CoordSystem: geo.WGS84, Data: []byte(`{"type":"Feature"}`)}, guanjia.EINVALID, "file"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.Import(context.Background(), tt.who, tt.up)
			if guanjia.ErrorCode(err) != tt.code || guanjia.ErrorField(err) != tt.field {
				t.Fatalf("err = %v, want %s %s", err, tt.code, tt.field)
			}
		})
	}
}

func TestParseGeoJSONLines(t *testing.T) {
	file := `{
  "type": "FeatureCollection",
  "name": "龙华区",
  "features": [
    {"type": "Feature", "geometry": {"type": "Point", "coordinates": [110.325, 20.02]},
     "properties": {"name": "滨海便民服务站", "kind": "service_station", "phone": 89881234}},
    {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[110.3, 20.0], [110.4, 20.1]]},
     "properties": {"name": "一条线", "kind": "park"}},
    {"type": "Feature", "geometry": {"type": "Point", "coordinates": [110.33, 20.03]},
     "properties": {"name": "公厕", "kind": "toilet", "hours": ["全天"]}}
  ]
}`
	recs, errs, err := ParseGeoJSON([]byte(file))
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 || recs[0].Line != 5 || recs[0].Name != "滨海便民服务站" || recs[0].Phone != "89881234" || recs[0].Lat != 20.02 {
		t.Fatalf("records %+v", recs)
	}
	if len(errs) != 2 || errs[0].Line != 7 || errs[0].Column != "geometry" || errs[1].Line != 9 || errs[1].Column != "hours" {
		t.Fatalf("errors %+v, want the LineString on line 7 and the list-valued hours on line 9", errs)
	}
}

func TestGridGapsSampling(t *testing.T) {
	// A 2 km square grid west of 国贸 with one market in its south-west corner.
	grid := &guanjia.Grid{ID: "g1", Name: "测试网格", District: "龙华区",
		Geometry: []byte(`{"type":"Polygon","coordinates":[[[110.30,20.00],[110.319,20.00],[110.319,20.018],[110.30,20.018],[110.30,20.00]]]}`)}
	st := &memStore{}
	s := NewService(st, gridList{grid}, nil)
	if _, err := s.Import(context.Background(), admin, Upload{Filename: "a.csv", CoordSystem: geo.WGS84,
		Data: []byte("name,kind,lat,lng\n角落菜市场,market,20.001,110.301\n远处公厕,toilet,20.05,110.40\n")}); err != nil {
		t.Fatal(err)
	}
	gaps, err := s.Gaps(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	g := gaps[0]
	// 2 km ÷ 250 m = 8 × 8 sample points.
	if g.Samples != 64 {
		t.Fatalf("%d samples, want 64", g.Samples)
	}
	if len(g.Partial) != 1 || g.Partial[0].Kind.Code != "market" || g.Partial[0].Share <= 0 || g.Partial[0].Share > 0.25 {
		t.Fatalf("partial %+v, want market reached from a corner only", g.Partial)
	}
	if len(g.Missing) != len(Kinds)-1 || slices.ContainsFunc(g.Missing, func(k Kind) bool { return k.Code == "market" }) {
		t.Fatalf("missing %v, want every kind but market (the toilet is far away)", g.Missing)
	}
}

func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
