package law_test

import (
	"testing"
	"time"

	"guanjia"
	"guanjia/law"
)

func TestSnippet(t *testing.T) {
	text := "人民调解委员会调解民间纠纷，应当坚持下列原则：（一）在当事人自愿、平等的基础上进行调解；（二）不违背法律、法规和国家政策；（三）尊重当事人的权利，不得因调解而阻止当事人依法通过仲裁、行政、司法等途径维护自己的权利。"
	for _, tc := range []struct {
		q, want string
		width   int
	}{
		{"民间纠纷", "…委员会调解民间纠纷，应当坚持下列原…", 17},
		{"仲裁", "…事人依法通过仲裁、行政、司法等途径维…", 18},
		{"维护自己的权利", "…裁、行政、司法等途径维护自己的权利。", 18},
		{"台风", "人民调解委员会调解民间纠纷，应当坚…", 17}, // not in the text: its start
	} {
		if got := law.Snippet(text, tc.q, tc.width); got != tc.want {
			t.Errorf("Snippet(%q, %d) = %q, want %q", tc.q, tc.width, got, tc.want)
		}
	}
	if got := law.Snippet("短文", "短", 60); got != "短文" {
		t.Errorf("a short text is shown whole: %q", got)
	}
}

func TestLawValidate(t *testing.T) {
	day := time.Date(2010, 8, 28, 0, 0, 0, 0, time.UTC)
	good := func() *law.Law {
		return &law.Law{Title: "《中华人民共和国人民调解法》", Authority: "全国人民代表大会常务委员会", Level: law.LevelLaw,
			PublishedOn: day, EffectiveOn: day.AddDate(0, 4, 4), Status: law.StatusInForce,
			Articles: []law.Article{{Number: "第一条", Text: "为了完善人民调解制度，制定本法。"}, {Number: " 第二条 ", Text: "本法所称人民调解……"}}}
	}
	l := good()
	if err := l.Validate(); err != nil {
		t.Fatal(err)
	}
	if l.Title != "中华人民共和国人民调解法" || l.Articles[1].Seq != 2 || l.Articles[1].Number != "第二条" {
		t.Errorf("normalised: %q %+v", l.Title, l.Articles)
	}
	for _, tc := range []struct {
		name, field string
		edit        func(*law.Law)
	}{
		{"no title", "title", func(l *law.Law) { l.Title = "《》" }},
		{"unknown level", "level", func(l *law.Law) { l.Level = "decree" }},
		{"unknown status", "status", func(l *law.Law) { l.Status = "valid" }},
		{"in force before published", "effective_on", func(l *law.Law) { l.EffectiveOn = day.AddDate(0, 0, -1) }},
		{"article twice", "articles", func(l *law.Law) { l.Articles[1].Number = "第一条" }},
		{"empty article", "articles", func(l *law.Law) { l.Articles[0].Text = " " }},
	} {
		l := good()
		tc.edit(l)
		if err := l.Validate(); guanjia.ErrorCode(err) != guanjia.EINVALID || guanjia.ErrorField(err) != tc.field {
			t.Errorf("%s: %v, want invalid %s", tc.name, err, tc.field)
		}
	}
}
