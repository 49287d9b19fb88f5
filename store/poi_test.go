package store_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"guanjia"
	"guanjia/geo"
	"guanjia/internal/testenv"
	"guanjia/poi"
)

// TestPOIImportAllOrNothing: on either backend, a file with one bad row
// stores nothing and leaves the source's places as they were; a good one
// replaces them in one go, and the box query finds them by their WGS-84 place.
func TestPOIImportAllOrNothing(t *testing.T) {
	db := testenv.MustOpenDB(t)
	ctx := context.Background()
	staff := &guanjia.User{Username: "poi-admin", Role: guanjia.RoleAdmin}
	if err := db.Users.CreateUser(ctx, staff); err != nil {
		t.Fatal(err)
	}
	who := guanjia.Claims{UserID: staff.ID, Role: guanjia.RoleAdmin}
	svc := poi.NewService(db.POIs, db.Catalog, func() time.Time { return time.Now().UTC() })
	upload := func(csv string) *poi.Report {
		t.Helper()
		rep, err := svc.Import(ctx, who, poi.Upload{Source: "龙华区便民设施", Filename: "lh.csv", CoordSystem: geo.WGS84, Data: []byte(csv)})
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	count := func() int {
		t.Helper()
		places, err := db.POIs.PlacesIn(ctx, poi.Box{MinLat: 19, MinLng: 110, MaxLat: 21, MaxLng: 111})
		if err != nil {
			t.Fatal(err)
		}
		return len(places)
	}

	if rep := upload("name,kind,lat,lng\n滨海菜市场,market,20.021,110.325\n滨海公厕,toilet,20.022,110.325\n"); len(rep.Errors) > 0 || rep.ID == 0 {
		t.Fatalf("first import: %+v", rep)
	}
	rep := upload("name,kind,lat,lng\n新菜市场,market,20.021,110.325\n坏行,toilet,not-a-number,110.325\n")
	if len(rep.Errors) != 1 || rep.Errors[0].Line != 3 || rep.ID != 0 {
		t.Fatalf("bad file: %+v", rep)
	}
	if n := count(); n != 2 {
		t.Fatalf("%d places after a refused file, want the 2 from before", n)
	}
	imports, err := db.POIs.ListImports(ctx, 10)
	if err != nil || len(imports) != 1 {
		t.Fatalf("imports %v %v: a refused file is not an import", imports, err)
	}

	rep = upload("name,kind,lat,lng,address\n新菜市场,market,20.021,110.325,滨海大道\n")
	if len(rep.Errors) > 0 || rep.Replaced != 2 || rep.Places != 1 {
		t.Fatalf("re-import: %+v, want 2 replaced by 1", rep.Import)
	}
	near, err := db.POIs.PlacesIn(ctx, poi.Box{MinLat: 20.0205, MinLng: 110.3245, MaxLat: 20.0215, MaxLng: 110.3255})
	if err != nil || len(near) != 1 || near[0].Name != "新菜市场" || near[0].Address != "滨海大道" || near[0].Line != 2 {
		t.Fatalf("box query: %+v %v", near, err)
	}
	if far, _ := db.POIs.PlacesIn(ctx, poi.Box{MinLat: 20.03, MinLng: 110.3, MaxLat: 20.04, MaxLng: 110.4}); len(far) != 0 {
		t.Fatalf("box query outside the place: %+v", far)
	}
	imports, _ = db.POIs.ListImports(ctx, 10)
	if len(imports) != 2 || imports[0].ID != rep.ID || imports[0].Replaced != 2 || *imports[0].ImportedBy != staff.ID || imports[0].CoordSystem != geo.WGS84 {
		t.Fatalf("imports %+v, want the re-import first", imports[0])
	}
}

// TestPOIFirstImportsTakeTurns: two departments importing a new source at
// the same moment do not both become its owner: one import creates it, the
// other is refused, and the source holds the first one's places only.
func TestPOIFirstImportsTakeTurns(t *testing.T) {
	db := testenv.MustOpenDB(t)
	ctx := context.Background()
	for round := range 10 {
		source := fmt.Sprintf("新建来源%d", round)
		errs := make([]error, 2)
		var wg sync.WaitGroup
		for i, dept := range []string{"hk-jt", "hk-sw"} {
			wg.Go(func() {
				places := make([]poi.Place, i+1) // hk-jt files one place, hk-sw two
				for j := range places {
					places[j] = poi.Place{Kind: "toilet", Name: fmt.Sprintf("%s公厕%d", dept, j), Lat: 20.02, Lng: 110.32, Line: j + 2}
				}
				errs[i] = db.POIs.ReplaceSource(ctx, &poi.Import{Source: source, Filename: dept + ".csv", Format: "csv",
					CoordSystem: geo.WGS84, Department: dept}, places)
			})
		}
		wg.Wait()
		won := slices.IndexFunc(errs, func(err error) bool { return err == nil })
		if won < 0 || errs[1-won] == nil || guanjia.ErrorCode(errs[1-won]) != guanjia.EFORBIDDEN {
			t.Fatalf("round %d: the two first imports answered %v; want one owner and one refusal", round, errs)
		}
		places, err := db.POIs.PlacesIn(ctx, poi.Box{MinLat: 20, MinLng: 110, MaxLat: 21, MaxLng: 111})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, p := range places {
			if p.Source == source {
				n++
			}
		}
		if n != won+1 {
			t.Fatalf("round %d: the source holds %d places, want the owner's %d", round, n, won+1)
		}
	}
}
