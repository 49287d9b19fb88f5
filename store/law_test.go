package store_test

import (
	"context"
	"testing"
	"time"

	"guanjia"
	"guanjia/internal/testenv"
	"guanjia/law"
)

func TestLawSearchInChinese(t *testing.T) {
	db := testenv.MustOpenDB(t)
	ctx := context.Background()
	editor := &guanjia.User{Username: "law-editor", Role: guanjia.RoleAdmin}
	if err := db.Users.CreateUser(ctx, editor); err != nil {
		t.Fatal(err)
	}
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	mediation := &law.Law{Title: "中华人民共和国人民调解法", DocNumber: "主席令第三十四号", Authority: "全国人民代表大会常务委员会",
		Level: law.LevelLaw, PublishedOn: day(2010, 8, 28), EffectiveOn: day(2011, 1, 1), Status: law.StatusInForce,
		Articles: []law.Article{
			{Number: "第二条", Text: "本法所称人民调解，是指人民调解委员会通过说服、疏导等方法，促使当事人在平等协商基础上自愿达成调解协议，解决民间纠纷的活动。"},
			{Number: "第七条", Text: "人民调解委员会是依法设立的调解民间纠纷的群众性组织。"},
		}}
	sanitation := &law.Law{Title: "海口市市容和环境卫生管理规定", Authority: "海口市人民代表大会常务委员会",
		Level: law.LevelLocal, PublishedOn: day(2019, 1, 1), EffectiveOn: day(2019, 3, 1), Status: law.StatusInForce,
		Articles: []law.Article{{Number: "第十条", Text: "禁止在城市道路上乱倒垃圾、污水。"}}}
	for _, l := range []*law.Law{mediation, sanitation} {
		if err := l.Validate(); err != nil {
			t.Fatal(err)
		}
		l.CreatedAt, l.UpdatedAt = day(2026, 3, 1), day(2026, 3, 1)
		if err := db.Laws.CreateLaw(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
	dup := *sanitation
	dup.ID = 0
	if err := db.Laws.CreateLaw(ctx, &dup); guanjia.ErrorCode(err) != guanjia.ECONFLICT {
		t.Errorf("the same law twice: %v, want conflict", err)
	}

	search := func(q string) []*law.Match {
		t.Helper()
		got, err := db.Laws.SearchLaws(ctx, q, 20)
		if err != nil {
			t.Fatalf("search %q: %v", q, err)
		}
		return got
	}
	for _, tc := range []struct {
		q       string
		law     string
		title   bool
		article string // the first matching article
	}{
		{"民间纠纷", "中华人民共和国人民调解法", false, "第二条"}, // a word of two articles
		{"群众性组织", "中华人民共和国人民调解法", false, "第七条"},
		{"垃圾", "海口市市容和环境卫生管理规定", false, "第十条"}, // two characters: no trigram
		{"市容", "海口市市容和环境卫生管理规定", true, ""},
		{"调解法", "中华人民共和国人民调解法", true, ""},
		{"倒", "海口市市容和环境卫生管理规定", false, "第十条"},
		{"自愿达成 民间纠纷", "中华人民共和国人民调解法", false, "第二条"}, // words apart, each found
		{"污水  乱倒", "海口市市容和环境卫生管理规定", false, "第十条"},
	} {
		got := search(tc.q)
		if len(got) != 1 || got[0].Law.Title != tc.law || got[0].TitleMatch != tc.title {
			t.Errorf("%q: %d laws %+v, want %s (title match %v)", tc.q, len(got), got, tc.law, tc.title)
			continue
		}
		if tc.article != "" && (len(got[0].Articles) == 0 || got[0].Articles[0].Number != tc.article) {
			t.Errorf("%q: articles %+v, want %s first", tc.q, got[0].Articles, tc.article)
		}
	}
	if got := search("民间纠纷"); len(got) == 1 && len(got[0].Articles) != 2 {
		t.Errorf("民间纠纷 is in two articles: %+v", got[0].Articles)
	}
	if got := search("台风"); len(got) != 0 {
		t.Errorf("台风: %+v, want nothing", got)
	}
	if got := search("自愿达成 民间纠纷"); len(got) == 1 && len(got[0].Articles) != 1 {
		t.Errorf("自愿达成 and 民间纠纷 are both in one article: %+v", got[0].Articles)
	}
	for _, q := range []string{"民间纠纷 台风", "垃圾 台风"} {
		if got := search(q); len(got) != 0 {
			t.Errorf("%s: %+v, want nothing: every word must be found", q, got)
		}
	}
	if got := search(`"纠纷`); len(got) != 0 { // FTS syntax in a query is text
		t.Errorf(`"纠纷: %+v`, got)
	}

	// An edit replaces the articles, and the search follows it.
	sanitation.Articles = []law.Article{{Number: "第十条", Text: "禁止在城市道路上乱倒建筑垃圾。"}, {Number: "第十一条", Text: "犬只粪便由携犬人即时清除。"}}
	if err := sanitation.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := db.Laws.UpdateLaw(ctx, sanitation, sanitation.UpdatedAt); err != nil {
		t.Fatal(err)
	}
	if got := search("污水"); len(got) != 0 {
		t.Errorf("a removed article is still found: %+v", got)
	}
	if got := search("犬只粪便"); len(got) != 1 || got[0].Articles[0].Number != "第十一条" {
		t.Errorf("a new article is not found: %+v", got)
	}
	if _, err := db.Laws.SetLawStatus(ctx, sanitation.ID, law.StatusRepealed, editor.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	l, err := db.Laws.FindLaw(ctx, sanitation.ID)
	if err != nil || l.Status != law.StatusRepealed || len(l.Articles) != 2 || l.Articles[1].Seq != 2 {
		t.Errorf("after the edit: %+v %v", l, err)
	}

	// A save by an editor who read the law before the repeal is refused and
	// changes nothing; one who read it after, sending no status, keeps it repealed.
	stale := *sanitation
	stale.Status, stale.Articles = "", []law.Article{{Number: "第十条", Text: "禁止在城市道路上乱倒垃圾、污水。"}}
	if err := stale.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := db.Laws.UpdateLaw(ctx, &stale, sanitation.UpdatedAt); guanjia.ErrorCode(err) != guanjia.ECONFLICT || guanjia.ErrorField(err) != "updated_at" {
		t.Errorf("a stale save: %v, want a conflict on updated_at", err)
	}
	if got, err := db.Laws.FindLaw(ctx, sanitation.ID); err != nil || got.Status != law.StatusRepealed || len(got.Articles) != 2 || !got.UpdatedAt.Equal(l.UpdatedAt) {
		t.Errorf("a refused save changed the law: %+v %v", got, err)
	}
	fresh := stale
	fresh.UpdatedAt = l.UpdatedAt.Add(time.Minute)
	if err := db.Laws.UpdateLaw(ctx, &fresh, l.UpdatedAt); err != nil || fresh.Status != law.StatusRepealed {
		t.Fatalf("a save after the repeal: %v, status %q", err, fresh.Status)
	}
	if got, err := db.Laws.FindLaw(ctx, sanitation.ID); err != nil || got.Status != law.StatusRepealed || len(got.Articles) != 1 || !got.UpdatedAt.Equal(fresh.UpdatedAt) {
		t.Errorf("after a save with no status: %+v %v, want still repealed with one article", got, err)
	}
	list, total, err := db.Laws.ListLaws(ctx, law.Filter{Status: law.StatusInForce})
	if err != nil || total != 1 || list[0].Title != mediation.Title {
		t.Errorf("laws in force: %d %v %v", total, list, err)
	}
}
