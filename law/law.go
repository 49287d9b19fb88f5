// Package law is 法律法规: a library of laws and local regulations with
// their articles, searched in Chinese by title and text, each match shown
// with the article that holds it.
package law

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"guanjia"
)

// Level is a law's rank in the hierarchy of 《立法法》.
type Level string

const (
	LevelLaw        Level = "law"              // 法律
	LevelAdmin      Level = "admin_regulation" // 行政法规
	LevelLocal      Level = "local_regulation" // 地方性法规
	LevelGovernment Level = "government_rule"  // 政府规章
)

// LawStatus says whether a law is in force.
type LawStatus string

const (
	StatusInForce  LawStatus = "in_force" // 现行有效
	StatusAmended  LawStatus = "amended"  // 已修订: a newer version replaces it
	StatusRepealed LawStatus = "repealed" // 已废止
)

var levelLabels = map[Level]string{LevelLaw: "法律", LevelAdmin: "行政法规", LevelLocal: "地方性法规", LevelGovernment: "政府规章"}
var statusLabels = map[LawStatus]string{StatusInForce: "现行有效", StatusAmended: "已修订", StatusRepealed: "已废止"}

func (l Level) Label() string     { return levelLabels[l] }
func (s LawStatus) Label() string { return statusLabels[s] }

// Law is one law or regulation.
type Law struct {
	ID          int64
	Title       string // 《》 left out: 中华人民共和国人民调解法
	DocNumber   string // 文号, e.g. 主席令第三十四号
	Authority   string // 制定机关
	Level       Level
	PublishedOn time.Time // 公布日期 (a date, midnight UTC)
	EffectiveOn time.Time // 施行日期
	Status      LawStatus
	Articles    []Article // in order
	Department  string    // the department that keeps it: its staff and administrators edit it ("": administrators only)
	CreatedBy   *int64
	UpdatedBy   *int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Article is one 条.
type Article struct {
	ID     int64  `json:"id"`
	Seq    int    `json:"seq"`    // 1, 2, …: the order
	Number string `json:"number"` // 第十二条
	Text   string `json:"text"`
}

// Limits. MaxArticles holds 《民法典》 (1260 articles); the API's 1 MiB body
// bounds the whole text (民法典's is about 0.4 MiB as JSON).
const (
	MaxArticles   = 1500
	maxTitle      = 100
	maxDocNumber  = 60
	maxAuthority  = 60
	maxArticleNo  = 20
	maxArticleLen = 5000
	MaxQuery      = 50
)

// Validate checks what an editor supplies and numbers the articles. An
// empty status is the caller's to fill: Create takes in_force, Update keeps
// the law's.
func (l *Law) Validate() error {
	l.Title = strings.Trim(strings.TrimSpace(l.Title), "《》")
	l.DocNumber, l.Authority = strings.TrimSpace(l.DocNumber), strings.TrimSpace(l.Authority)
	switch {
	case l.Title == "" || utf8.RuneCountInString(l.Title) > maxTitle:
		return guanjia.FieldError(guanjia.EINVALID, "title", "title is required, at most %d characters", maxTitle)
	case utf8.RuneCountInString(l.DocNumber) > maxDocNumber:
		return guanjia.FieldError(guanjia.EINVALID, "doc_number", "doc_number is longer than %d characters", maxDocNumber)
	case l.Authority == "" || utf8.RuneCountInString(l.Authority) > maxAuthority:
		return guanjia.FieldError(guanjia.EINVALID, "authority", "authority is required, at most %d characters", maxAuthority)
	case levelLabels[l.Level] == "":
		return guanjia.FieldError(guanjia.EINVALID, "level", "level must be law, admin_regulation, local_regulation or government_rule")
	case l.Status != "" && statusLabels[l.Status] == "":
		return guanjia.FieldError(guanjia.EINVALID, "status", "status must be in_force, amended or repealed")
	case l.PublishedOn.IsZero():
		return guanjia.FieldError(guanjia.EINVALID, "published_on", "published_on is required")
	case l.EffectiveOn.IsZero():
		return guanjia.FieldError(guanjia.EINVALID, "effective_on", "effective_on is required")
	case l.EffectiveOn.Before(l.PublishedOn):
		return guanjia.FieldError(guanjia.EINVALID, "effective_on", "effective_on is before published_on")
	case len(l.Articles) > MaxArticles:
		return guanjia.FieldError(guanjia.EINVALID, "articles", "at most %d articles", MaxArticles)
	}
	seen := map[string]bool{}
	for i := range l.Articles {
		a := &l.Articles[i]
		a.Seq, a.Number, a.Text = i+1, strings.TrimSpace(a.Number), strings.TrimSpace(a.Text)
		switch {
		case a.Number == "" || utf8.RuneCountInString(a.Number) > maxArticleNo:
			return guanjia.FieldError(guanjia.EINVALID, "articles", "article %d: number is required, at most %d characters", i+1, maxArticleNo)
		case seen[a.Number]:
			return guanjia.FieldError(guanjia.EINVALID, "articles", "article %s appears twice", a.Number)
		case a.Text == "" || utf8.RuneCountInString(a.Text) > maxArticleLen:
			return guanjia.FieldError(guanjia.EINVALID, "articles", "article %s: text is required, at most %d characters", a.Number, maxArticleLen)
		}
		seen[a.Number] = true
	}
	return nil
}

// Filter selects laws for the list.
type Filter struct {
	Status LawStatus // "": any
	Limit  int
	Offset int
}

// Match is a law found by a search: its title matched, or some articles.
type Match struct {
	Law        *Law // without its articles
	TitleMatch bool
	Articles   []Article // the matching articles, in order
}

// Store keeps the library.
type Store interface {
	// CreateLaw inserts l with its articles; ECONFLICT when a law of the same title and 公布日期 exists.
	CreateLaw(ctx context.Context, l *Law) error
	// UpdateLaw replaces a law's fields and articles if its UpdatedAt is
	// still seen, the one the editor read (else ECONFLICT). An empty l.Status
	// keeps the law's, which l then holds.
	UpdateLaw(ctx context.Context, l *Law, seen time.Time) error
	// SetLawStatus sets a law's status and answers the law, without its articles.
	SetLawStatus(ctx context.Context, id int64, st LawStatus, by int64, at time.Time) (*Law, error)
	// FindLaw answers a law with its articles.
	FindLaw(ctx context.Context, id int64) (*Law, error)
	ListLaws(ctx context.Context, f Filter) ([]*Law, int, error)
	// SearchLaws finds laws whose title or articles contain q, at most limit
	// laws: title matches first, then by how many articles match.
	SearchLaws(ctx context.Context, q string, limit int) ([]*Match, error)
}
