package classify_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"guanjia"
	"guanjia/classify"
)

func testCatalogue() []*guanjia.Category {
	return []*guanjia.Category{
		{Code: "0101", Name: "井盖破损/缺失", Examples: []string{"下水道盖子丢了", "井盖松动"}},
		{Code: "0102", Name: "路灯不亮", Examples: []string{"晚上路灯不亮", "灯坏了"}},
		{Code: "1501", Name: "违章停车", Examples: []string{"车停在人行道上", "乱停车"}},
		{Code: "1201", Name: "占道经营", Examples: []string{"小贩摆摊占道"}},
	}
}

func TestGrams(t *testing.T) {
	got := classify.Grams("井盖丢了, GPS坏")
	want := []string{"井", "盖", "井盖", "丢", "盖丢", "了", "丢了", "gps", "坏"}
	if !slices.Equal(got, want) {
		t.Errorf("grams %q, want %q", got, want)
	}
}

// Suggestions come best first, three of them, with probabilities that add
// up to at most one.
func TestSuggestRanks(t *testing.T) {
	m := classify.Train(testCatalogue(), nil)
	got := m.Suggest("楼下井盖不见了", 3)
	if len(got) != 3 || got[0].Code != "0101" || got[0].Name != "井盖破损/缺失" {
		t.Fatalf("suggestions %+v", got)
	}
	if !(got[0].Score >= got[1].Score && got[1].Score >= got[2].Score) || got[0].Score+got[1].Score+got[2].Score > 1.0001 {
		t.Errorf("scores %+v", got)
	}
	if got := m.Suggest("xyz", 3); len(got) != 3 {
		t.Errorf("an unknown text still gets three suggestions: %+v", got)
	}
	if got := classify.Train(nil, nil).Suggest("井盖", 3); got != nil {
		t.Errorf("no catalogue, no suggestions: %+v", got)
	}
}

type fakeSource struct {
	cats      []*guanjia.Category
	confirmed []guanjia.CategorizedText
}

func (f *fakeSource) ListCategories(context.Context) ([]*guanjia.Category, error) { return f.cats, nil }
func (f *fakeSource) ConfirmedTexts(_ context.Context, limit int) ([]guanjia.CategorizedText, error) {
	return f.confirmed[:min(limit, len(f.confirmed))], nil
}

// Closed orders teach the model words the catalogue lacks; the service
// learns them on Rebuild, on Invalidate and when the model is too old.
func TestServiceRetrains(t *testing.T) {
	ctx := context.Background()
	src := &fakeSource{cats: testCatalogue()}
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	svc := classify.NewService(src)
	svc.Now = func() time.Time { return now }
	const text = "三轮车挡在巷子口卖椰子"
	first := func() string {
		got, err := svc.Suggest(ctx, text)
		if err != nil || len(got) != 3 {
			t.Fatalf("suggest: %+v %v", got, err)
		}
		return got[0].Code
	}
	before := first()
	if before == "0102" {
		t.Fatal("the catalogue alone already suggests 0102")
	}
	var orders []guanjia.CategorizedText
	for range 3 {
		orders = append(orders, guanjia.CategorizedText{Category: "0102", Text: "三轮车巷子口椰子"})
	}
	src.confirmed = orders
	if got := first(); got != before {
		t.Fatalf("the model changed before retraining: %s → %s", before, got)
	}
	if err := svc.Rebuild(ctx); err != nil {
		t.Fatal(err)
	}
	if got := first(); got != "0102" {
		t.Errorf("after retraining on closed orders: %s, want 0102", got)
	}

	src.confirmed = nil
	svc.Invalidate()
	if got := first(); got != before {
		t.Errorf("after invalidation: %s, want %s", got, before)
	}
	src.confirmed = orders
	now = now.Add(classify.DefaultMaxAge + time.Minute)
	if got := first(); got != "0102" {
		t.Errorf("an old model is retrained: %s", got)
	}

	for _, bad := range []string{"", "   "} {
		if _, err := svc.Suggest(ctx, bad); guanjia.ErrorCode(err) != guanjia.EINVALID {
			t.Errorf("description %q: %v", bad, err)
		}
	}
}

// A retired category is never suggested, however well a text fits it, and
// the orders filed under it teach the others nothing.
func TestRetiredCategoryIsNotSuggested(t *testing.T) {
	cats := testCatalogue()
	cats[0].Retired = true // 0101 井盖破损/缺失
	orders := []guanjia.CategorizedText{{Category: "0101", Text: "井盖不见了"}, {Category: "0101", Text: "井盖丢失"}}
	m := classify.Train(cats, orders)
	got := m.Suggest("楼下井盖不见了", 10)
	if len(got) != len(cats)-1 {
		t.Errorf("%d suggestions, want %d: %+v", len(got), len(cats)-1, got)
	}
	for _, s := range got {
		if s.Code == "0101" {
			t.Errorf("the retired category is suggested: %+v", got)
		}
	}
}

// versionedSource is a Source whose catalogue says when it changed, as the
// store's does across replicas.
type versionedSource struct {
	fakeSource
	version int64
}

func (v *versionedSource) CatalogVersion(context.Context) (int64, error) { return v.version, nil }

// A category retired on another replica moves the catalogue's version: this
// process's model, trained before, is retrained before it suggests again,
// though nobody invalidated it here and it is not old.
func TestServiceRetrainsWhenTheCatalogueMoves(t *testing.T) {
	ctx := context.Background()
	src := &versionedSource{fakeSource: fakeSource{cats: testCatalogue()}, version: 7}
	svc := classify.NewService(src)
	const text = "晚上路灯不亮了"
	first := func() string {
		t.Helper()
		got, err := svc.Suggest(ctx, text)
		if err != nil || len(got) == 0 {
			t.Fatalf("suggest: %+v %v", got, err)
		}
		return got[0].Code
	}
	if got := first(); got != "0102" {
		t.Fatalf("before: %s, want 0102", got)
	}
	retired := testCatalogue()
	retired[1].Retired = true // 0102 路灯不亮, retired elsewhere
	src.cats = retired
	if got := first(); got != "0102" {
		t.Fatalf("the model was retrained while the version stood: %s", got)
	}
	src.version++
	if got := first(); got == "0102" {
		t.Errorf("after the catalogue moved, the retired category is still suggested")
	}
	for _, wrap := range []classify.Source{classify.Stores{Catalogue: src, Orders: src}, classify.CatalogOnly(src)} {
		v, ok := wrap.(classify.Versioned)
		if !ok {
			t.Errorf("%T does not say the catalogue's version", wrap)
		} else if n, err := v.CatalogVersion(ctx); err != nil || n != src.version {
			t.Errorf("%T says version %d %v, want %d", wrap, n, err, src.version)
		}
	}
}
