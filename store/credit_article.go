package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"guanjia"
	"guanjia/credit"
)

// Articles of the 诚信海口 portal (政策法规, 信用动态…).

type creditArticleRow struct {
	ID          int64 `gorm:"primaryKey"`
	Section     string
	Title       string
	Body        string
	Source      string
	Status      string
	AuthorID    int64
	Department  string
	PublishedAt *time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

func (creditArticleRow) TableName() string { return "credit_articles" }

func (r *creditArticleRow) article() *credit.Article {
	return &credit.Article{ID: r.ID, Section: r.Section, Title: r.Title, Body: r.Body, Source: r.Source,
		Status: credit.ArticleStatus(r.Status), AuthorID: r.AuthorID, Department: r.Department, PublishedAt: utc(r.PublishedAt),
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

func toCreditArticleRow(a *credit.Article) *creditArticleRow {
	return &creditArticleRow{ID: a.ID, Section: a.Section, Title: a.Title, Body: a.Body, Source: a.Source,
		Status: string(a.Status), AuthorID: a.AuthorID, Department: a.Department, PublishedAt: a.PublishedAt, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt}
}

func (s *Credit) CreateArticle(ctx context.Context, a *credit.Article) error {
	row := toCreditArticleRow(a)
	if err := s.db.WithContext(ctx).Create(row).Error; err != nil {
		return fmt.Errorf("store: create article: %w", err)
	}
	a.ID = row.ID
	return nil
}

func (s *Credit) UpdateArticle(ctx context.Context, a *credit.Article, expect credit.ArticleStatus, seen time.Time) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		q := tx // SQLite's IMMEDIATE transaction holds the write lock already
		if s.Dialect == "postgres" {
			q = q.Clauses(clause.Locking{Strength: "UPDATE"})
		}
		var old creditArticleRow
		if err := q.Select("status", "updated_at").Where("id = ?", a.ID).Take(&old).Error; err != nil {
			return notFound(err, "article", a.ID)
		}
		if (expect != "" && old.Status != string(expect)) || (!seen.IsZero() && !old.UpdatedAt.Equal(seen)) {
			return guanjia.FieldError(guanjia.ECONFLICT, "updated_at", "article %d was changed by someone else; reload and try again", a.ID)
		}
		err := tx.Model(&creditArticleRow{}).Where("id = ?", a.ID).Updates(map[string]any{"section": a.Section, "title": a.Title,
			"body": a.Body, "source": a.Source, "status": a.Status, "published_at": a.PublishedAt, "updated_at": a.UpdatedAt}).Error
		if err != nil {
			return fmt.Errorf("store: update article %d: %w", a.ID, err)
		}
		return nil
	})
}

func (s *Credit) FindArticle(ctx context.Context, id int64) (*credit.Article, error) {
	var row creditArticleRow
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return nil, notFound(err, "article", id)
	}
	return row.article(), nil
}

func (s *Credit) ListArticles(ctx context.Context, f credit.ArticleFilter) ([]*credit.Article, int, error) {
	q := s.db.WithContext(ctx).Model(&creditArticleRow{})
	if f.Section != "" {
		q = q.Where("section = ?", f.Section)
	}
	if f.PublishedOnly {
		q = q.Where("status = ?", credit.ArticlePublished)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("store: count articles: %w", err)
	}
	var rows []creditArticleRow
	// Drafts never published come first on both backends (PostgreSQL sorts
	// NULLs first in DESC, SQLite last): they are what staff work on.
	if err := q.Order("published_at IS NULL DESC, published_at DESC, id DESC").Limit(f.Limit).Offset(f.Offset).Find(&rows).Error; err != nil {
		return nil, 0, fmt.Errorf("store: list articles: %w", err)
	}
	out := make([]*credit.Article, len(rows))
	for i := range rows {
		out[i] = rows[i].article()
	}
	return out, int(total), nil
}
