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
	if err := svc.SaveCategory(ctx, c); guanjia.ErrorCode(err) != guanjia.EINVALID {
		t.Errorf("a negative deadline: %v", err)
	}
	c.AcceptWithin, c.ArriveWithin = 5*time.Minute, 30*time.Minute
	if err := svc.SaveCategory(ctx, c); err != nil {
		t.Fatal(err)
	}
	if got, err := svc.CategoryToEdit(ctx, "9901"); err != nil || got.Name != "测试" {
		t.Errorf("saved category: %+v %v", got, err)
	}
}
