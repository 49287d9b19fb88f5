package geo

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// square returns a closed, counter-clockwise ring in GeoJSON order.
func square(minLng, minLat, maxLng, maxLat float64) orb.Ring {
	return orb.Ring{{minLng, minLat}, {maxLng, minLat}, {maxLng, maxLat}, {minLng, maxLat}, {minLng, minLat}}
}

func testGrids() []Grid {
	return []Grid{
		// A district with a lake (hole) in the middle and a block inside it.
		{ID: "district", Geometry: orb.Polygon{square(0, 0, 10, 10), square(4, 4, 6, 6)}},
		{ID: "block", Geometry: orb.Polygon{square(1, 1, 3, 3)}},
		// One grid made of two islands.
		{ID: "islands", Geometry: orb.MultiPolygon{{square(20, 0, 22, 2)}, {square(24, 0, 26, 2)}}},
		// Identical overlapping grids: the ID decides.
		{ID: "twin-b", Geometry: orb.Polygon{square(30, 0, 32, 2)}},
		{ID: "twin-a", Geometry: orb.Polygon{square(30, 0, 32, 2)}},
	}
}

func TestGridIndexLocate(t *testing.T) {
	tests := []struct {
		name     string
		lat, lng float64
		wantID   string
		wantOK   bool
	}{
		{"inside the district", 8, 8, "district", true},
		{"on the district's outer edge", 5, 0, "district", true},
		{"in the lake", 5, 5, "", false},
		{"on the lake shore", 5, 4, "", false},
		{"block overlapping the district wins", 2, 2, "block", true},
		{"first island", 1, 21, "islands", true},
		{"second island", 1, 25, "islands", true},
		{"sea between the islands", 1, 23, "", false},
		{"identical grids pick the lower ID", 1, 31, "twin-a", true},
		{"outside every grid", 50, 50, "", false},
	}
	grids := testGrids()
	reversed := slices.Clone(grids)
	slices.Reverse(reversed)
	// The answers must not depend on the order grids were given in.
	for order, input := range map[string][]Grid{"given order": grids, "reversed": reversed} {
		t.Run(order, func(t *testing.T) {
			ix, err := NewGridIndex(input)
			if err != nil {
				t.Fatal(err)
			}
			if ix.Len() != len(grids) {
				t.Fatalf("Len() = %d, want %d", ix.Len(), len(grids))
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					id, ok := ix.Locate(tt.lat, tt.lng)
					if id != tt.wantID || ok != tt.wantOK {
						t.Fatalf("Locate(%v, %v) = %q, %v; want %q, %v", tt.lat, tt.lng, id, ok, tt.wantID, tt.wantOK)
					}
				})
			}
		})
	}
}

func TestGridIndexIgnoresLaterChangesToInput(t *testing.T) {
	ring := square(0, 0, 10, 10)
	ix, err := NewGridIndex([]Grid{{ID: "district", Geometry: orb.Polygon{ring}}})
	if err != nil {
		t.Fatal(err)
	}
	ring[2] = orb.Point{1, 1}
	if id, ok := ix.Locate(8, 8); !ok || id != "district" {
		t.Fatalf("Locate(8, 8) = %q, %v after the caller edited its ring", id, ok)
	}
}

func TestEmptyGridIndex(t *testing.T) {
	ix, err := NewGridIndex(nil)
	if err != nil {
		t.Fatal(err)
	}
	if id, ok := ix.Locate(20.0440, 110.3200); ok || ix.Len() != 0 {
		t.Fatalf("empty index: Locate = %q, %v; Len = %d", id, ok, ix.Len())
	}
}

func TestNewGridIndexRejects(t *testing.T) {
	ok := orb.Polygon{square(0, 0, 1, 1)}
	tests := []struct {
		name    string
		grids   []Grid
		wantErr string
	}{
		{"empty ID", []Grid{{Geometry: ok}}, "empty ID"},
		{"duplicate ID", []Grid{{ID: "a", Geometry: ok}, {ID: "a", Geometry: ok}}, "duplicate"},
		{"no geometry", []Grid{{ID: "a"}}, "want orb.Polygon or orb.MultiPolygon"},
		{"a point", []Grid{{ID: "a", Geometry: orb.Point{110.32, 20.04}}}, "want orb.Polygon"},
		{"polygon without rings", []Grid{{ID: "a", Geometry: orb.Polygon{}}}, "no rings"},
		{"empty multipolygon", []Grid{{ID: "a", Geometry: orb.MultiPolygon{}}}, "empty multipolygon"},
		{"degenerate ring", []Grid{{ID: "a", Geometry: orb.Polygon{{{0, 0}, {1, 1}}}}}, "at least 3"},
		{"lat and lng swapped", []Grid{{ID: "a", Geometry: orb.Polygon{square(20.0, 110.3, 20.1, 110.4)}}}, "not a [lng, lat] pair"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewGridIndex(tt.grids)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("NewGridIndex error = %v, want one mentioning %q", err, tt.wantErr)
			}
		})
	}
}

// The index must give exactly the answers of a brute-force scan, also when
// many goroutines share it.
func TestLocateMatchesLinearScan(t *testing.T) {
	grids := squareGrids(50)
	// Overlapping larger grids exercise the smallest-area rule.
	rng := rand.New(rand.NewPCG(7, 7))
	area := HaikouServiceArea()
	for i := range 40 {
		lng, lat := randomPoint(rng, area)
		grids = append(grids, Grid{
			ID:       fmt.Sprintf("overlay-%02d", i),
			Geometry: orb.Polygon{square(lng, lat, lng+0.05+rng.Float64()*0.1, lat+0.05+rng.Float64()*0.1)},
		})
	}
	ix, err := NewGridIndex(grids)
	if err != nil {
		t.Fatal(err)
	}
	baseline := newLinearScan(grids)

	var wg sync.WaitGroup
	for worker := range 8 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(worker), 1))
			for range 300 {
				lng, lat := randomPoint(rng, area.Pad(0.05))
				gotID, gotOK := ix.Locate(lat, lng)
				wantID, wantOK := baseline.locate(lat, lng)
				if gotID != wantID || gotOK != wantOK {
					t.Errorf("Locate(%v, %v) = %q, %v; linear scan says %q, %v", lat, lng, gotID, gotOK, wantID, wantOK)
					return
				}
			}
		})
	}
	wg.Wait()
}

// BenchmarkLocate looks up random Haikou points among 2,500 square grids and
// reports how many times faster the R-tree is than a linear scan.
func BenchmarkLocate(b *testing.B) {
	grids := squareGrids(50)
	ix, err := NewGridIndex(grids)
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	points := make([]orb.Point, 1024)
	for i := range points {
		points[i][0], points[i][1] = randomPoint(rng, HaikouServiceArea())
	}

	b.ResetTimer()
	for i := range b.N {
		p := points[i%len(points)]
		locateSink, _ = ix.Locate(p.Lat(), p.Lon())
	}
	b.StopTimer()
	indexedNs := float64(b.Elapsed().Nanoseconds()) / float64(b.N)

	// The scan is ~400× slower, so time it on at most one pass over the
	// points rather than b.N lookups.
	baseline := newLinearScan(grids)
	sample := points[:min(b.N, len(points))]
	start := time.Now()
	for _, p := range sample {
		locateSink, _ = baseline.locate(p.Lat(), p.Lon())
	}
	linearNs := float64(time.Since(start).Nanoseconds()) / float64(len(sample))

	b.ReportMetric(linearNs, "linear-ns/op")
	b.ReportMetric(linearNs/indexedNs, "x-faster-than-linear")
}

// locateSink keeps the compiler from discarding benchmarked lookups.
var locateSink string

// squareGrids tiles the Haikou service area with n×n square-ish grids.
func squareGrids(n int) []Grid {
	area := HaikouServiceArea()
	dLng := (area.Max.Lon() - area.Min.Lon()) / float64(n)
	dLat := (area.Max.Lat() - area.Min.Lat()) / float64(n)
	grids := make([]Grid, 0, n*n)
	for row := range n {
		for col := range n {
			lng, lat := area.Min.Lon()+float64(col)*dLng, area.Min.Lat()+float64(row)*dLat
			grids = append(grids, Grid{
				ID:       fmt.Sprintf("grid-%02d-%02d", row, col),
				Geometry: orb.Polygon{square(lng, lat, lng+dLng, lat+dLat)},
			})
		}
	}
	return grids
}

func randomPoint(rng *rand.Rand, b orb.Bound) (lng, lat float64) {
	return b.Min.Lon() + rng.Float64()*(b.Max.Lon()-b.Min.Lon()),
		b.Min.Lat() + rng.Float64()*(b.Max.Lat()-b.Min.Lat())
}

// linearScan is the obvious implementation the index is measured against:
// test every grid, keep the smallest (then lowest-ID) match.
type linearScan struct {
	grids []Grid
	areas []float64
}

func newLinearScan(grids []Grid) linearScan {
	areas := make([]float64, len(grids))
	for i, g := range grids {
		areas[i] = planar.Area(g.Geometry)
	}
	return linearScan{grids: grids, areas: areas}
}

func (s linearScan) locate(lat, lng float64) (string, bool) {
	p := orb.Point{lng, lat}
	best := -1
	for i, g := range s.grids {
		if !contains(g.Geometry, p) {
			continue
		}
		if best < 0 || cmp.Or(cmp.Compare(s.areas[i], s.areas[best]), cmp.Compare(g.ID, s.grids[best].ID)) < 0 {
			best = i
		}
	}
	if best < 0 {
		return "", false
	}
	return s.grids[best].ID, true
}
