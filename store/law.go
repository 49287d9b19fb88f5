package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ncruces/go-sqlite3"
	"github.com/ncruces/go-sqlite3/ext/fts5"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"guanjia"
	"guanjia/law"
)

// The law library's search on SQLite is an FTS5 table (migrations/sqlite/
// 015_approvals_laws.sql); the embedded build has the extension but does not
// load it by itself. Every connection opened after this gets it.
func init() { sqlite3.AutoExtension(fts5.Register) }

// Laws keeps 法律法规: law.Store.
type Laws struct{ *conn }

type lawRow struct {
	ID          int64 `gorm:"primaryKey"`
	Title       string
	DocNumber   string
	Authority   string
	Level       string
	PublishedOn time.Time
	EffectiveOn time.Time
	Status      string
	Department  string
	CreatedBy   *int64
	CreatedAt   time.Time
	UpdatedBy   *int64
	UpdatedAt   time.Time `gorm:"autoUpdateTime:false"` // the service's, which an editor sends back: not gorm's clock
}

func (lawRow) TableName() string { return "laws" }

func (r *lawRow) law() *law.Law {
	return &law.Law{ID: r.ID, Title: r.Title, DocNumber: r.DocNumber, Authority: r.Authority, Level: law.Level(r.Level),
		PublishedOn: r.PublishedOn.UTC(), EffectiveOn: r.EffectiveOn.UTC(), Status: law.LawStatus(r.Status), Department: r.Department,
		CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC(), UpdatedBy: r.UpdatedBy, UpdatedAt: r.UpdatedAt.UTC()}
}

func newLawRow(l *law.Law) lawRow {
	return lawRow{ID: l.ID, Title: l.Title, DocNumber: l.DocNumber, Authority: l.Authority, Level: string(l.Level),
		PublishedOn: l.PublishedOn.UTC(), EffectiveOn: l.EffectiveOn.UTC(), Status: string(l.Status), Department: l.Department,
		CreatedBy: l.CreatedBy, CreatedAt: l.CreatedAt.UTC(), UpdatedBy: l.UpdatedBy, UpdatedAt: l.UpdatedAt.UTC()}
}

type lawArticleRow struct {
	ID     int64 `gorm:"primaryKey"`
	LawID  int64
	Seq    int
	Number string
	Text   string
}

func (lawArticleRow) TableName() string { return "law_articles" }

func (r *lawArticleRow) article() law.Article {
	return law.Article{ID: r.ID, Seq: r.Seq, Number: r.Number, Text: r.Text}
}

// CreateLaw inserts l with its articles and sets the ids.
func (s *Laws) CreateLaw(ctx context.Context, l *law.Law) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		row := newLawRow(l)
		if err := tx.Create(&row).Error; errors.Is(err, gorm.ErrDuplicatedKey) {
			return guanjia.FieldError(guanjia.ECONFLICT, "title", "a law titled %s published on that day exists already", l.Title)
		} else if err != nil {
			return fmt.Errorf("store: create law: %w", err)
		}
		l.ID = row.ID
		return s.writeArticles(tx, l)
	})
}

// UpdateLaw replaces a law's fields and its articles (which get new ids),
// if nobody saved it or set its status since seen; an empty status keeps the
// law's.
func (s *Laws) UpdateLaw(ctx context.Context, l *law.Law, seen time.Time) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		q := tx // SQLite's IMMEDIATE transaction holds the write lock already
		if s.Dialect == "postgres" {
			q = q.Clauses(clause.Locking{Strength: "UPDATE"})
		}
		var old lawRow
		if err := q.Where("id = ?", l.ID).Take(&old).Error; err != nil {
			return notFound(err, "law", l.ID)
		}
		if !old.UpdatedAt.Equal(seen) {
			return guanjia.FieldError(guanjia.ECONFLICT, "updated_at", "law %d was changed by someone else; reload and try again", l.ID)
		}
		if l.Status == "" {
			l.Status = law.LawStatus(old.Status)
		}
		row := newLawRow(l)
		row.Department, row.CreatedBy, row.CreatedAt = old.Department, old.CreatedBy, old.CreatedAt
		if err := tx.Save(&row).Error; errors.Is(err, gorm.ErrDuplicatedKey) {
			return guanjia.FieldError(guanjia.ECONFLICT, "title", "a law titled %s published on that day exists already", l.Title)
		} else if err != nil {
			return fmt.Errorf("store: update law %d: %w", l.ID, err)
		}
		if s.Dialect != "postgres" {
			if err := tx.Exec("DELETE FROM law_fts WHERE rowid = ? OR rowid IN (SELECT id FROM law_articles WHERE law_id = ?)", -l.ID, l.ID).Error; err != nil {
				return fmt.Errorf("store: unindex law %d: %w", l.ID, err)
			}
		}
		if err := tx.Where("law_id = ?", l.ID).Delete(&lawArticleRow{}).Error; err != nil {
			return fmt.Errorf("store: replace articles of law %d: %w", l.ID, err)
		}
		l.Department, l.CreatedBy, l.CreatedAt = old.Department, old.CreatedBy, old.CreatedAt.UTC()
		return s.writeArticles(tx, l)
	})
}

// writeArticles inserts l's articles and, on SQLite, indexes the title and
// each article for the search: the title under rowid -law id, an article
// under its own id.
func (s *Laws) writeArticles(tx *gorm.DB, l *law.Law) error {
	if len(l.Articles) > 0 {
		rows := make([]lawArticleRow, len(l.Articles))
		for i, a := range l.Articles {
			rows[i] = lawArticleRow{LawID: l.ID, Seq: a.Seq, Number: a.Number, Text: a.Text}
		}
		if err := tx.CreateInBatches(&rows, 200).Error; err != nil {
			return fmt.Errorf("store: articles of law %d: %w", l.ID, err)
		}
		for i := range rows {
			l.Articles[i].ID = rows[i].ID
		}
	}
	if s.Dialect == "postgres" {
		return nil // the trigram and bigram indexes follow the tables
	}
	if err := tx.Exec("INSERT INTO law_fts (rowid, title, text, law_id) VALUES (?, ?, '', ?)", -l.ID, l.Title, l.ID).Error; err != nil {
		return fmt.Errorf("store: index law %d: %w", l.ID, err)
	}
	for _, a := range l.Articles {
		if err := tx.Exec("INSERT INTO law_fts (rowid, title, text, law_id) VALUES (?, '', ?, ?)", a.ID, a.Text, l.ID).Error; err != nil {
			return fmt.Errorf("store: index article %d: %w", a.ID, err)
		}
	}
	return nil
}

func (s *Laws) SetLawStatus(ctx context.Context, id int64, st law.LawStatus, by int64, at time.Time) (*law.Law, error) {
	var row lawRow
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&lawRow{}).Where("id = ?", id).
			Updates(map[string]any{"status": string(st), "updated_by": by, "updated_at": at.UTC()})
		if res.Error != nil {
			return fmt.Errorf("store: law %d status: %w", id, res.Error)
		}
		if res.RowsAffected == 0 {
			return guanjia.Errorf(guanjia.ENOTFOUND, "%s %v not found", "law", id)
		}
		if err := tx.Where("id = ?", id).Take(&row).Error; err != nil {
			return fmt.Errorf("store: law %d: %w", id, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return row.law(), nil
}

func (s *Laws) FindLaw(ctx context.Context, id int64) (*law.Law, error) {
	var row lawRow
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return nil, notFound(err, "law", id)
	}
	return s.withArticles(ctx, &row)
}

// FindLawByTitle answers the newest law of a title, with its articles (for
// tests that look a seeded law up).
func (s *Laws) FindLawByTitle(ctx context.Context, title string) (*law.Law, error) {
	var row lawRow
	if err := s.db.WithContext(ctx).Where("title = ?", title).Order("published_on DESC").Take(&row).Error; err != nil {
		return nil, notFound(err, "law", title)
	}
	return s.withArticles(ctx, &row)
}

func (s *Laws) withArticles(ctx context.Context, row *lawRow) (*law.Law, error) {
	var arts []lawArticleRow
	if err := s.db.WithContext(ctx).Where("law_id = ?", row.ID).Order("seq").Find(&arts).Error; err != nil {
		return nil, fmt.Errorf("store: articles of law %d: %w", row.ID, err)
	}
	l := row.law()
	l.Articles = mapRows(arts, (*lawArticleRow).article)
	return l, nil
}

// ListLaws answers laws without their articles, the most recently published first.
func (s *Laws) ListLaws(ctx context.Context, f law.Filter) ([]*law.Law, int, error) {
	q := s.db.WithContext(ctx).Model(&lawRow{})
	if f.Status != "" {
		q = q.Where("status = ?", string(f.Status))
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("store: count laws: %w", err)
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	var rows []lawRow
	if err := q.Order("published_on DESC, id DESC").Limit(f.Limit).Offset(f.Offset).Find(&rows).Error; err != nil {
		return nil, 0, fmt.Errorf("store: list laws: %w", err)
	}
	return mapRows(rows, (*lawRow).law), int(total), nil
}

// searchCandidates bounds the articles a broad query collects.
const searchCandidates = 1000

// SearchLaws finds laws whose title, or one of whose articles, contains
// every word of q. SQLite asks its FTS5 trigram table when each word has
// three characters or more and LIKE otherwise; PostgreSQL's ILIKE is served
// by the trigram indexes, and a two-character word by the bigram index (as
// the credit name search does).
func (s *Laws) SearchLaws(ctx context.Context, q string, limit int) ([]*law.Match, error) {
	db := s.db.WithContext(ctx)
	words := strings.Fields(q)
	titles := map[int64]bool{}
	articles := map[int64][]int64{} // law → matching article ids
	var err error
	switch {
	case s.Dialect != "postgres" && !slices.ContainsFunc(words, func(w string) bool { return utf8.RuneCountInString(w) < 3 }):
		var hits []struct{ Rowid, LawID int64 }
		phrases := make([]string, len(words)) // FTS5 ANDs phrases side by side
		for i, w := range words {
			phrases[i] = `"` + strings.ReplaceAll(w, `"`, `""`) + `"`
		}
		err = db.Raw("SELECT rowid, law_id FROM law_fts WHERE law_fts MATCH ? ORDER BY rank LIMIT ?", strings.Join(phrases, " "), searchCandidates).Scan(&hits).Error
		for _, h := range hits {
			if h.Rowid < 0 {
				titles[h.LawID] = true
			} else {
				articles[h.LawID] = append(articles[h.LawID], h.Rowid)
			}
		}
	default:
		like := "LIKE"
		if s.Dialect == "postgres" {
			like = "ILIKE"
		}
		inTitle, inText := db.Model(&lawRow{}), db.Model(&lawArticleRow{})
		for _, w := range words {
			inTitle = inTitle.Where("title "+like+" ? ESCAPE '\\'", likePattern(w))
			if s.Dialect == "postgres" && utf8.RuneCountInString(w) == 2 {
				inText = inText.Where("credit_bigrams(text) @> credit_bigrams(?)", w)
			}
			inText = inText.Where("text "+like+" ? ESCAPE '\\'", likePattern(w))
		}
		var ids []int64
		if err = inTitle.Limit(searchCandidates).Pluck("id", &ids).Error; err != nil {
			break
		}
		for _, id := range ids {
			titles[id] = true
		}
		var hits []struct{ ID, LawID int64 }
		err = inText.Select("id, law_id").Limit(searchCandidates).Scan(&hits).Error
		for _, h := range hits {
			articles[h.LawID] = append(articles[h.LawID], h.ID)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("store: search laws: %w", err)
	}
	lawIDs := make([]int64, 0, len(titles)+len(articles))
	for id := range titles {
		lawIDs = append(lawIDs, id)
	}
	for id := range articles {
		if !titles[id] {
			lawIDs = append(lawIDs, id)
		}
	}
	if len(lawIDs) == 0 {
		return nil, nil
	}
	var rows []lawRow
	if err := db.Where("id IN ?", lawIDs).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: search laws: %w", err)
	}
	// Title matches first, then laws in force, then by matching articles.
	rank := func(r *lawRow) (int, int, int) {
		t, f := 1, 1
		if titles[r.ID] {
			t = 0
		}
		if r.Status == string(law.StatusInForce) {
			f = 0
		}
		return t, f, -len(articles[r.ID])
	}
	slices.SortFunc(rows, func(a, b lawRow) int {
		a1, a2, a3 := rank(&a)
		b1, b2, b3 := rank(&b)
		if c := a1 - b1; c != 0 {
			return c
		}
		if c := a2 - b2; c != 0 {
			return c
		}
		if c := a3 - b3; c != 0 {
			return c
		}
		return int(b.PublishedOn.Sub(a.PublishedOn).Hours()) // newer first
	})
	rows = rows[:min(limit, len(rows))]
	var want []int64
	for _, r := range rows {
		want = append(want, articles[r.ID]...)
	}
	var arts []lawArticleRow
	if len(want) > 0 {
		if err := db.Where("id IN ?", want).Order("law_id, seq").Find(&arts).Error; err != nil {
			return nil, fmt.Errorf("store: search laws: %w", err)
		}
	}
	out := make([]*law.Match, len(rows))
	byLaw := map[int64]*law.Match{}
	for i := range rows {
		out[i] = &law.Match{Law: rows[i].law(), TitleMatch: titles[rows[i].ID]}
		byLaw[rows[i].ID] = out[i]
	}
	for i := range arts {
		m := byLaw[arts[i].LawID]
		m.Articles = append(m.Articles, arts[i].article())
	}
	return out, nil
}

var _ law.Store = (*Laws)(nil)
