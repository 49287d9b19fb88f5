package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"guanjia/credit"
)

type articleJSON struct {
	ID          int64      `json:"id"`
	Section     string     `json:"section"`
	SectionName string     `json:"section_name"`
	Title       string     `json:"title"`
	Body        string     `json:"body,omitempty"`
	Source      string     `json:"source,omitempty"`
	Status      string     `json:"status"`
	Department  string     `json:"department,omitempty"` // the unit that wrote it ("" an administrator): it and administrators change it
	PublishedAt *time.Time `json:"published_at,omitempty"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

func toArticleJSON(a *credit.Article, withBody bool) articleJSON {
	out := articleJSON{ID: a.ID, Section: a.Section, SectionName: credit.Sections[a.Section], Title: a.Title,
		Source: a.Source, Status: string(a.Status), Department: a.Department, PublishedAt: a.PublishedAt, UpdatedAt: a.UpdatedAt}
	if withBody {
		out.Body = a.Body
	}
	return out
}

type articleRequest struct {
	Section string `json:"section"`
	Title   string `json:"title"`
	Body    string `json:"body"`
	Source  string `json:"source"`
	// PUT: the article's updated_at as read; a save made since it is a 409.
	UpdatedAt string `json:"updated_at,omitempty"`
}

func (r articleRequest) input() credit.ArticleInput {
	return credit.ArticleInput{Section: r.Section, Title: r.Title, Body: r.Body, Source: r.Source}
}

// handleArticleList answers a page of 诚信动态 (news), 政策法规 (policy) or
// 通知公告 (notice), newest first; staff also see drafts.
func (h *creditHandlers) handleArticleList(c echo.Context) error {
	page, perPage, err := paging(c, 20, 100)
	if err != nil {
		return err
	}
	list, total, err := h.credit.Articles(c.Request().Context(), claimsOf(c), c.QueryParam("section"), page, perPage)
	if err != nil {
		return err
	}
	out := mapJSON(list, func(a *credit.Article) articleJSON { return toArticleJSON(a, false) })
	return c.JSON(http.StatusOK, map[string]any{"articles": out, "total": total, "page": max(page, 1)})
}

func (h *creditHandlers) handleArticleGet(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	a, err := h.credit.Article(c.Request().Context(), claimsOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toArticleJSON(a, true))
}

// handleArticleCreate saves a draft.
func (h *creditHandlers) handleArticleCreate(c echo.Context) error {
	var req articleRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	a, err := h.credit.CreateArticle(c.Request().Context(), claimsOf(c), req.input())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toArticleJSON(a, true))
}

func (h *creditHandlers) handleArticleUpdate(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var req articleRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	if req.UpdatedAt == "" {
		return invalid("updated_at", "updated_at is required: send the article's updated_at as read")
	}
	var seen *time.Time
	if err := parseTimes(timeField{"updated_at", req.UpdatedAt, &seen}); err != nil {
		return err
	}
	in := req.input()
	in.Seen = *seen
	a, err := h.credit.UpdateArticle(c.Request().Context(), claimsOf(c), id, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toArticleJSON(a, true))
}

// handleArticleAction publishes or unpublishes an article.
func (h *creditHandlers) handleArticleAction(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	a, err := h.credit.ArticleAction(c.Request().Context(), claimsOf(c), id, c.Param("action"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toArticleJSON(a, true))
}
