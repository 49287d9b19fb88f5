package credit

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"guanjia"
)

// ArticleInput is what staff write for 诚信动态, 政策法规 or 通知公告.
type ArticleInput struct {
	Section string
	Title   string
	Body    string
	Source  string
	// Seen is the UpdatedAt the editor read (an edit only): a save made
	// since is refused, not overwritten.
	Seen time.Time
}

func (in *ArticleInput) validate() error {
	in.Title, in.Body, in.Source = strings.TrimSpace(in.Title), strings.TrimSpace(in.Body), strings.TrimSpace(in.Source)
	switch {
	case Sections[in.Section] == "":
		return guanjia.FieldError(guanjia.EINVALID, "section", "section is news (诚信动态), policy (政策法规) or notice (通知公告)")
	case in.Title == "":
		return guanjia.FieldError(guanjia.EINVALID, "title", "title is required")
	case utf8.RuneCountInString(in.Title) > 200:
		return guanjia.FieldError(guanjia.EINVALID, "title", "title is longer than 200 characters")
	case in.Body == "":
		return guanjia.FieldError(guanjia.EINVALID, "body", "body is required")
	case utf8.RuneCountInString(in.Body) > 50000:
		return guanjia.FieldError(guanjia.EINVALID, "body", "body is longer than 50000 characters")
	case utf8.RuneCountInString(in.Source) > 200:
		return guanjia.FieldError(guanjia.EINVALID, "source", "source is longer than 200 characters")
	}
	return nil
}

func (s *Service) canWriteArticles(ctx context.Context, who guanjia.Claims) error {
	return s.requireStaff(ctx, who, guanjia.Errorf(guanjia.EFORBIDDEN, "only credit staff write articles"))
}

// canChange refuses a department's staff another department's article (or
// an administrator's): its words and 发布单位 are that department's.
func canChange(who guanjia.Claims, a *Article) error {
	if who.Role == guanjia.RoleAdmin || (a.Department != "" && who.InUnit(a.Department)) {
		return nil
	}
	return guanjia.Errorf(guanjia.EFORBIDDEN, "only the department that wrote the article, or an administrator, changes it")
}

// CreateArticle saves a draft.
func (s *Service) CreateArticle(ctx context.Context, who guanjia.Claims, in ArticleInput) (*Article, error) {
	if err := s.canWriteArticles(ctx, who); err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	now := guanjia.SaveStamp(s.Now(), time.Time{})
	a := &Article{Section: in.Section, Title: in.Title, Body: in.Body, Source: in.Source, Status: ArticleDraft,
		AuthorID: who.UserID, CreatedAt: now, UpdatedAt: now}
	if who.Role == guanjia.RoleDepartment {
		a.Department = who.UnitCode
	}
	if err := s.Store.CreateArticle(ctx, a); err != nil {
		return nil, err
	}
	return a, nil
}

// UpdateArticle edits an article; a published one changes in place.
func (s *Service) UpdateArticle(ctx context.Context, who guanjia.Claims, id int64, in ArticleInput) (*Article, error) {
	if err := s.canWriteArticles(ctx, who); err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	a, err := s.Store.FindArticle(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := canChange(who, a); err != nil {
		return nil, err
	}
	a.Section, a.Title, a.Body, a.Source, a.UpdatedAt = in.Section, in.Title, in.Body, in.Source, guanjia.SaveStamp(s.Now(), a.UpdatedAt)
	// Written only over the status and the save the editor read: an edit
	// saved after someone unpublished the article must not publish it
	// again, nor undo a colleague's edit.
	if err := s.Store.UpdateArticle(ctx, a, a.Status, in.Seen); err != nil {
		return nil, err
	}
	return a, nil
}

// ArticleAction publishes or unpublishes an article.
func (s *Service) ArticleAction(ctx context.Context, who guanjia.Claims, id int64, action string) (*Article, error) {
	if err := s.canWriteArticles(ctx, who); err != nil {
		return nil, err
	}
	t, ok := articleTransitions[action]
	if !ok {
		return nil, guanjia.Errorf(guanjia.ENOTFOUND, "no article action %q: use publish or unpublish", action)
	}
	a, err := s.Store.FindArticle(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := canChange(who, a); err != nil {
		return nil, err
	}
	if !slices.Contains(t.from, a.Status) {
		return nil, guanjia.Errorf(guanjia.ECONFLICT, "cannot %s an article that is %s", action, a.Status)
	}
	from := a.Status
	now := guanjia.SaveStamp(s.Now(), a.UpdatedAt)
	a.Status, a.UpdatedAt = t.to, now
	if t.to == ArticlePublished && a.PublishedAt == nil {
		a.PublishedAt = &now
	}
	if err := s.Store.UpdateArticle(ctx, a, from, time.Time{}); err != nil {
		return nil, err
	}
	return a, nil
}

// Article answers one article: published ones to everybody, others to staff.
func (s *Service) Article(ctx context.Context, who guanjia.Claims, id int64) (*Article, error) {
	a, err := s.Store.FindArticle(ctx, id)
	if err != nil {
		return nil, err
	}
	if a.Status != ArticlePublished {
		if err := s.requireStaff(ctx, who, guanjia.Errorf(guanjia.ENOTFOUND, "article %d not found", id)); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// Articles answers a page of a section, newest first: published ones to
// everybody, every article to staff.
func (s *Service) Articles(ctx context.Context, who guanjia.Claims, section string, page, perPage int) ([]*Article, int, error) {
	if section != "" && Sections[section] == "" {
		return nil, 0, guanjia.FieldError(guanjia.EINVALID, "section", "section is news, policy or notice")
	}
	page, perPage = pageBounds(page, perPage, 20)
	staff, err := s.isStaff(ctx, who)
	if err != nil {
		return nil, 0, err
	}
	return s.Store.ListArticles(ctx, ArticleFilter{Section: section, PublishedOnly: !staff,
		Offset: (page - 1) * perPage, Limit: perPage})
}
