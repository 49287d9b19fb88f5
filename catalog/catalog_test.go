package catalog_test

import (
	"context"
	"testing"
	"time"

	"guanjia"
	"guanjia/catalog"
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
