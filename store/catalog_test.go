package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"guanjia"
	"guanjia/dispatch"
	"guanjia/internal/testenv"
	"guanjia/store"
)

// twoReplicas opens the test database twice, as two processes would, each
// rechecking its copy of the catalogue every 20 ms.
func twoReplicas(t *testing.T) (a, b *store.DB) {
	t.Helper()
	url := testenv.DatabaseURL(t)
	open := func() *store.DB {
		db, err := store.Open(url, testenv.Secret)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if err := db.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		db.Catalog.Recheck = 20 * time.Millisecond
		return db
	}
	return open(), open()
}

// Two replicas over one database: what an admin changes through one is what
// the other files complaints under, once its copy of the catalogue is
// rechecked, with no restart and no message between them.
func TestCatalogChangeReachesOtherReplica(t *testing.T) {
	ctx := context.Background()
	a, b := twoReplicas(t)

	cat := &guanjia.Category{Code: "0101", Name: "道路破损", Kind: "事件", Major: "市容环境", Department: "municipal",
		PointToPoint: true, AcceptWithin: 5 * time.Minute, ArriveWithin: 30 * time.Minute, ResolveWithin: 24 * time.Hour,
		ResolveMode: guanjia.NaturalTime}
	if err := a.Catalog.UpsertCategory(ctx, cat); err != nil {
		t.Fatal(err)
	}
	if err := a.Catalog.UpsertUnit(ctx, &guanjia.Unit{Code: "hk-sz", Name: "海口市市政管理局", Department: "municipal"}); err != nil {
		t.Fatal(err)
	}
	router, err := dispatch.NewRouter(ctx, b.Complaints) // replica b's router: no grids yet
	if err != nil {
		t.Fatal(err)
	}
	lat, lng := 20.03, 110.33
	got, err := b.Complaints.FindCategory(ctx, "0101")
	if err != nil || got.ArriveWithin != 30*time.Minute {
		t.Fatalf("replica b reads the category: %+v %v", got, err)
	}
	if r := router.Route(ctx, got, lat, lng, nil); r.GridID != "" {
		t.Fatalf("routed to grid %q before any grid exists", r.GridID)
	}

	// The admin shortens the arrival window and draws a grid on replica a.
	cat.ArriveWithin = 20 * time.Minute
	if err := a.Catalog.UpsertCategory(ctx, cat); err != nil {
		t.Fatal(err)
	}
	grid := &guanjia.Grid{ID: "hk-lh-01", Name: "滨海网格", District: "龙华区", Units: map[string]string{"municipal": "hk-sz"},
		Geometry: []byte(`{"type":"Polygon","coordinates":[[[110.32,20.02],[110.34,20.02],[110.34,20.04],[110.32,20.04],[110.32,20.02]]]}`)}
	if err := a.Catalog.UpsertGrid(ctx, grid); err != nil {
		t.Fatal(err)
	}
	if got, err := a.Complaints.FindCategory(ctx, "0101"); err != nil || got.ArriveWithin != 20*time.Minute {
		t.Errorf("replica a does not see its own change at once: %+v %v", got, err)
	}
	time.Sleep(2 * a.Catalog.Recheck)
	if got, err = b.Complaints.FindCategory(ctx, "0101"); err != nil || got.ArriveWithin != 20*time.Minute {
		t.Errorf("replica b still files under the old window after %v: %+v %v", 2*a.Catalog.Recheck, got, err)
	}
	if r := router.Route(ctx, got, lat, lng, nil); r.GridID != "hk-lh-01" || r.UnitCode != "hk-sz" {
		t.Errorf("replica b's router has not picked up the new grid: %+v", r)
	}
	// A change in plain SQL (a migration, a hand fix) moves the version too.
	if err := store.ExecRaw(ctx, a, "UPDATE categories SET name = '道路坑洼' WHERE code = '0101'"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * a.Catalog.Recheck)
	if got, err = b.Complaints.FindCategory(ctx, "0101"); err != nil || got.Name != "道路坑洼" {
		t.Errorf("a change in SQL is not seen: %+v %v", got, err)
	}
	if _, err := b.Complaints.FindCategory(ctx, "9999"); guanjia.ErrorCode(err) != guanjia.ENOTFOUND {
		t.Errorf("an unknown category: %v", err)
	}
}

// A category retired on one replica is offered no more on the other once its
// copy of the catalogue is rechecked (the catalog_version triggers cover the
// new column), and is still found by code there: complaints filed under it
// keep it. The whole list holds it, marked; the offered list does not. A
// category written by plain SQL without the column is offered.
func TestRetiredCategoryReachesOtherReplica(t *testing.T) {
	ctx := context.Background()
	a, b := twoReplicas(t)
	for _, c := range []*guanjia.Category{
		{Code: "0101", Name: "井盖破损", Department: guanjia.DeptMunicipal, PointToPoint: true, AcceptWithin: 5 * time.Minute,
			ArriveWithin: 30 * time.Minute, ResolveWithin: 4 * time.Hour, ResolveMode: guanjia.NaturalTime},
		{Code: "1401", Name: "停水", Department: guanjia.DeptWater, AcceptWithin: 30 * time.Minute, ResolveWithin: 24 * time.Hour,
			ResolveMode: guanjia.NaturalTime},
	} {
		if err := a.Catalog.UpsertCategory(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	if err := store.ExecRaw(ctx, a, `INSERT INTO categories (code, name, kind, major, department, accept_within_s, arrive_within_s,
		resolve_within_s, updated_at) VALUES ('1501', '违章停车', '事件', '交通秩序', '交警', 1800, 0, 86400, '2026-03-01 08:00:00+00:00')`); err != nil {
		t.Fatal(err)
	}
	codes := func(cats []*guanjia.Category, err error) string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, c := range cats {
			s := c.Code
			if c.Retired {
				s += "(retired)"
			}
			out = append(out, s)
		}
		return strings.Join(out, " ")
	}
	if got := codes(b.Catalog.ListOfferedCategories(ctx)); got != "0101 1401 1501" {
		t.Fatalf("offered before: %s", got)
	}

	cover, err := b.Complaints.FindCategory(ctx, "0101") // b reads it; a retires it
	if err != nil {
		t.Fatal(err)
	}
	retire := *cover
	retire.Retired = true
	if err := a.Catalog.SaveCategory(ctx, &retire, &cover.UpdatedAt); err != nil {
		t.Fatalf("retire: %v", err)
	}
	if got := codes(a.Catalog.ListCategories(ctx)); got != "0101(retired) 1401 1501" {
		t.Errorf("the whole catalogue: %s", got)
	}
	if got := codes(a.Catalog.ListOfferedCategories(ctx)); got != "1401 1501" {
		t.Errorf("the offered categories: %s", got)
	}
	if got, err := a.Complaints.FindCategory(ctx, "0101"); err != nil || !got.Retired || got.ArriveWithin != 30*time.Minute {
		t.Errorf("replica a finds %+v %v", got, err)
	}
	time.Sleep(50 * time.Millisecond)
	if got, err := b.Complaints.FindCategory(ctx, "0101"); err != nil || !got.Retired || got.Name != "井盖破损" {
		t.Errorf("replica b finds %+v %v, want it retired", got, err)
	}
	stale := *cover
	stale.Name = "井盖丢失"
	if err := b.Catalog.SaveCategory(ctx, &stale, &cover.UpdatedAt); guanjia.ErrorCode(err) != guanjia.ECONFLICT {
		t.Errorf("an edit from before the retirement: %v", err)
	}

	// Brought back by hand, in SQL: the version moves all the same.
	if err := store.ExecRaw(ctx, a, "UPDATE categories SET retired = FALSE WHERE code = '0101'"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	if got, err := b.Complaints.FindCategory(ctx, "0101"); err != nil || got.Retired {
		t.Errorf("replica b after it came back: %+v %v", got, err)
	}
	if got := codes(b.Catalog.ListOfferedCategories(ctx)); got != "0101 1401 1501" {
		t.Errorf("offered after it came back: %s", got)
	}
}
