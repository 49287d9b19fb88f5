package catalog_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"guanjia"
	"guanjia/catalog"
	"guanjia/internal/demo"
	"guanjia/internal/testenv"
)

// A category an administrator adds starts from natural time and a 50 m
// duplicate radius; one that does not validate is not saved.
func TestCategoryEdits(t *testing.T) {
	ctx := context.Background()
	svc := catalog.NewService(testenv.MustOpenDB(t).Catalog)
	c, err := svc.CategoryToEdit(ctx, "9901")
	if err != nil || c.ResolveMode != guanjia.NaturalTime || c.DuplicateRadiusM != 50 {
		t.Fatalf("a new category starts as %+v %v", c, err)
	}
	c.Name, c.Department, c.ResolveWithin = "测试", guanjia.DeptMunicipal, time.Hour
	c.AcceptWithin = -time.Minute
	if err := svc.SaveCategory(ctx, c, nil); guanjia.ErrorCode(err) != guanjia.EINVALID {
		t.Errorf("a negative deadline: %v", err)
	}
	c.AcceptWithin, c.ArriveWithin = 5*time.Minute, 30*time.Minute
	if err := svc.SaveCategory(ctx, c, nil); err != nil {
		t.Fatal(err)
	}
	if got, err := svc.CategoryToEdit(ctx, "9901"); err != nil || got.Name != "测试" {
		t.Errorf("saved category: %+v %v", got, err)
	}
}

// Two administrators edit one category: the save made from the older read is
// refused, not written over the other's; a code already taken is not added
// again as new.
func TestCategoryEditsDoNotOverwrite(t *testing.T) {
	ctx := context.Background()
	svc := catalog.NewService(testenv.MustOpenDB(t).Catalog)
	newCategory := func() *guanjia.Category {
		c, err := svc.CategoryToEdit(ctx, "9902")
		if err != nil {
			t.Fatal(err)
		}
		c.Name, c.Department = "测试", guanjia.DeptMunicipal
		c.AcceptWithin, c.ArriveWithin, c.ResolveWithin = 5*time.Minute, 30*time.Minute, time.Hour
		return c
	}
	created := newCategory()
	if err := svc.SaveCategory(ctx, created, &time.Time{}); err != nil {
		t.Fatalf("add a new category: %v", err)
	}
	if err := svc.SaveCategory(ctx, newCategory(), &time.Time{}); guanjia.ErrorCode(err) != guanjia.ECONFLICT || guanjia.ErrorField(err) != "code" {
		t.Errorf("add it again as new: %v", err)
	}
	read := created.UpdatedAt // both open it
	b, _ := svc.CategoryToEdit(ctx, "9902")
	b.Examples = []string{"井盖丢了"}
	if err := svc.SaveCategory(ctx, b, &read); err != nil {
		t.Fatalf("the first save: %v", err)
	}
	a, _ := svc.CategoryToEdit(ctx, "9902")
	a.Examples, a.AcceptWithin = nil, 10*time.Minute
	if err := svc.SaveCategory(ctx, a, &read); guanjia.ErrorCode(err) != guanjia.ECONFLICT || guanjia.ErrorField(err) != "version" {
		t.Errorf("a save from the older read: %v", err)
	}
	if got, _ := svc.CategoryToEdit(ctx, "9902"); len(got.Examples) != 1 || got.AcceptWithin != 5*time.Minute {
		t.Errorf("the first save was overwritten: %+v", got)
	}
	if err := svc.SaveCategory(ctx, a, &b.UpdatedAt); err != nil {
		t.Errorf("a save from a fresh read: %v", err)
	}
}

// A new category's code goes into URLs: it is refused on "code" unless it is
// 1 to 32 of [0-9A-Za-z_-], as every code of the demo catalogue is. A code
// stored before the rule stays editable under that code.
func TestNewCategoryCodes(t *testing.T) {
	ctx := context.Background()
	db := testenv.MustOpenDB(t)
	svc := catalog.NewService(db.Catalog)
	category := func(code string) *guanjia.Category {
		return &guanjia.Category{Code: code, Name: "测试", Department: guanjia.DeptMunicipal, AcceptWithin: 5 * time.Minute,
			ResolveWithin: time.Hour, ResolveMode: guanjia.NaturalTime}
	}
	for _, code := range []string{"11 04", "11/04", "井盖", "1104?", "a.b", strings.Repeat("1", 33)} {
		for _, seen := range []*time.Time{nil, {}} {
			if err := svc.SaveCategory(ctx, category(code), seen); guanjia.ErrorCode(err) != guanjia.EINVALID || guanjia.ErrorField(err) != "code" {
				t.Errorf("new code %q: %v, want EINVALID on code", code, err)
			}
		}
	}
	if cats, err := svc.Categories(ctx); err != nil || len(cats) != 0 {
		t.Fatalf("refused codes were saved: %d %v", len(cats), err)
	}
	for _, c := range demo.Categories() {
		if err := guanjia.CheckNewCategoryCode(c.Code); err != nil {
			t.Errorf("demo category %s: %v", c.Code, err)
		}
	}
	for _, code := range []string{"1104", "hk-01_a", strings.Repeat("9", 32)} {
		if err := svc.SaveCategory(ctx, category(code), &time.Time{}); err != nil {
			t.Errorf("new code %q: %v", code, err)
		}
	}

	legacy := category("旧 01") // stored before the rule (by a seed or plain SQL)
	if err := db.Catalog.UpsertCategory(ctx, legacy); err != nil {
		t.Fatal(err)
	}
	c, err := svc.CategoryToEdit(ctx, "旧 01")
	if err != nil {
		t.Fatal(err)
	}
	c.Name = "旧分类"
	if err := svc.SaveCategory(ctx, c, &legacy.UpdatedAt); err != nil {
		t.Errorf("editing a category stored under an old code: %v", err)
	}
}

// Only a point-to-point category needs an on-site deadline: another saves
// with none, and keeps one it has for when it goes point-to-point.
func TestArriveWithinOnlyForPointToPoint(t *testing.T) {
	ctx := context.Background()
	svc := catalog.NewService(testenv.MustOpenDB(t).Catalog)
	c, _ := svc.CategoryToEdit(ctx, "1401")
	c.Name, c.Department, c.AcceptWithin, c.ResolveWithin = "停水", guanjia.DeptWater, 30*time.Minute, 24*time.Hour
	if err := svc.SaveCategory(ctx, c, &time.Time{}); err != nil {
		t.Fatalf("a unit-level category without an on-site deadline: %v", err)
	}
	c.PointToPoint = true
	if err := svc.SaveCategory(ctx, c, &c.UpdatedAt); guanjia.ErrorCode(err) != guanjia.EINVALID || guanjia.ErrorField(err) != "arrive_within_s" {
		t.Errorf("point-to-point without an on-site deadline: %v", err)
	}
	c.ArriveWithin = 30 * time.Minute
	if err := svc.SaveCategory(ctx, c, &c.UpdatedAt); err != nil {
		t.Errorf("point-to-point with 30 minutes: %v", err)
	}
	if got, _ := svc.CategoryToEdit(ctx, "1401"); !got.PointToPoint || got.ArriveWithin != 30*time.Minute {
		t.Errorf("saved %+v", got)
	}
}

// Retiring is an edit like any other: over the category as read, refused
// when someone saved it since; the catalogue still lists the category,
// marked, and it comes back the same way.
func TestRetireCategory(t *testing.T) {
	ctx := context.Background()
	svc := catalog.NewService(testenv.MustOpenDB(t).Catalog)
	c, _ := svc.CategoryToEdit(ctx, "1101")
	c.Name, c.Department, c.PointToPoint = "暴露垃圾", guanjia.DeptSanitation, true
	c.AcceptWithin, c.ArriveWithin, c.ResolveWithin = 5*time.Minute, 30*time.Minute, 2*time.Hour
	if err := svc.SaveCategory(ctx, c, &time.Time{}); err != nil {
		t.Fatal(err)
	}
	read := c.UpdatedAt
	retire, _ := svc.CategoryToEdit(ctx, "1101")
	retire.Retired = true
	if err := svc.SaveCategory(ctx, retire, &read); err != nil {
		t.Fatalf("retire: %v", err)
	}
	stale, _ := svc.CategoryToEdit(ctx, "1101")
	stale.Retired = false
	if err := svc.SaveCategory(ctx, stale, &read); guanjia.ErrorCode(err) != guanjia.ECONFLICT || guanjia.ErrorField(err) != "version" {
		t.Errorf("bring it back from the older read: %v", err)
	}
	cats, err := svc.Categories(ctx)
	if err != nil || len(cats) != 1 || !cats[0].Retired || cats[0].Name != "暴露垃圾" {
		t.Fatalf("the catalogue after retiring: %+v %v", cats, err)
	}
	back, _ := svc.CategoryToEdit(ctx, "1101")
	back.Retired = false
	if err := svc.SaveCategory(ctx, back, &retire.UpdatedAt); err != nil {
		t.Fatalf("bring it back: %v", err)
	}
	if got, _ := svc.CategoryToEdit(ctx, "1101"); got.Retired || got.ArriveWithin != 30*time.Minute {
		t.Errorf("brought back: %+v", got)
	}
}
