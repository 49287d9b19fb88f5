package demo

import (
	"context"
	"io"
	"testing"
	"time"

	"guanjia"
	"guanjia/internal/testenv"
	"guanjia/poi"
)

// TestPOIDemoSeedsOnce: a few hundred places, all valid (the import would
// refuse the file otherwise), imported once however often the demo is
// seeded, and gaps that differ from grid to grid so the map shows some.
func TestPOIDemoSeedsOnce(t *testing.T) {
	ctx := context.Background()
	db := testenv.MustOpenDB(t)
	if err := db.Users.CreateUser(ctx, &guanjia.User{Username: "admin", Role: guanjia.RoleAdmin}); err != nil {
		t.Fatal(err)
	}
	for _, d := range demoDistricts {
		n := 0
		for r := 0; r < d.rows; r++ {
			for c := 0; c < d.cols; c++ {
				n++
				g := demoGrid(d, r, c, n)
				g.Units = nil // the units are not what this test is about
				if err := db.Catalog.UpsertGrid(ctx, g); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	for range 2 {
		if err := seedPOIDemo(ctx, db, io.Discard); err != nil {
			t.Fatal(err)
		}
	}
	imports, err := db.POIs.ListImports(ctx, 10)
	if err != nil || len(imports) != 1 {
		t.Fatalf("imports %v %v, want one", imports, err)
	}
	if n := imports[0].Places; n < 200 || n > 500 {
		t.Fatalf("%d demo places, want a few hundred", n)
	}
	started := time.Now()
	gaps, err := poi.NewService(db.POIs, db.Catalog, nil).Gaps(ctx)
	took := time.Since(started)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[int]int{}
	for _, g := range gaps {
		counts[len(g.Missing)]++
	}
	t.Logf("%d places; gaps of %d grids in %v; grids by number of kinds missing: %v", imports[0].Places, len(gaps), took, counts)
	if len(counts) < 4 || counts[len(poi.Kinds)] == 0 {
		t.Fatalf("grids by number of kinds missing %v: want a spread, and some grids with nothing at all", counts)
	}
	if again := DemoPOIs(); string(again) != string(DemoPOIs()) {
		t.Fatal("the demo file is not deterministic")
	}
}
