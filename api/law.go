package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"guanjia"
	"guanjia/law"
)

// lawHandlers serve 法律法规: anyone reads and searches, editors keep it.
type lawHandlers struct {
	laws *law.Service
}

// lawEditors keep the library.
var lawEditors = creditStaff // department staff and administrators

const dateLayout = "2006-01-02"

type lawJSON struct {
	ID          int64         `json:"id"`
	Title       string        `json:"title"`
	DocNumber   string        `json:"doc_number,omitempty"`
	Authority   string        `json:"authority"`
	Level       string        `json:"level"`
	LevelLabel  string        `json:"level_label"`
	PublishedOn string        `json:"published_on"` // 2010-08-28
	EffectiveOn string        `json:"effective_on"`
	Status      string        `json:"status"`
	StatusLabel string        `json:"status_label"`
	Department  string        `json:"department"` // who keeps it: its staff and admins edit it ("": admins only)
	UpdatedAt   time.Time     `json:"updated_at"`
	Articles    []law.Article `json:"articles,omitempty"`
}

func toLawJSON(l *law.Law) lawJSON {
	return lawJSON{ID: l.ID, Title: l.Title, DocNumber: l.DocNumber, Authority: l.Authority, Level: string(l.Level),
		LevelLabel: l.Level.Label(), PublishedOn: l.PublishedOn.Format(dateLayout), EffectiveOn: l.EffectiveOn.Format(dateLayout),
		Status: string(l.Status), StatusLabel: l.Status.Label(), Department: l.Department, UpdatedAt: l.UpdatedAt, Articles: l.Articles}
}

type (
	lawHitArticleJSON struct {
		ID      int64  `json:"id"`
		Number  string `json:"number"`
		Snippet string `json:"snippet"`
	}
	lawHitJSON struct {
		lawJSON
		TitleMatch   bool                `json:"title_match"`
		Matches      []lawHitArticleJSON `json:"matches,omitempty"`
		MoreMatching int                 `json:"more_matching,omitempty"` // matching articles not shown
	}
	// lawSearchAnswer is a search's hits (q set) or a page of the list.
	lawSearchAnswer struct {
		Query string       `json:"q,omitempty"`
		Laws  []lawHitJSON `json:"laws"`
		Total int          `json:"total"`
		Page  int          `json:"page,omitempty"`
	}
	lawArticleRequest struct {
		Number string `json:"number"`
		Text   string `json:"text"`
	}
	lawRequest struct {
		Title       string              `json:"title"`
		DocNumber   string              `json:"doc_number"`
		Authority   string              `json:"authority"`
		Level       string              `json:"level"`
		PublishedOn string              `json:"published_on"` // 2010-08-28
		EffectiveOn string              `json:"effective_on"`
		Status      string              `json:"status"` // POST: default in_force; PUT: default the law's
		Articles    []lawArticleRequest `json:"articles"`
		// PUT: the law's updated_at as read; a save made since it is a 409.
		UpdatedAt string `json:"updated_at,omitempty"`
	}
	lawStatusRequest struct {
		Status string `json:"status"`
	}
)

// handleLawList searches with q (title and article text, in Chinese),
// otherwise lists the library, newest first.
func (h *lawHandlers) handleLawList(c echo.Context) error {
	if q := c.QueryParam("q"); q != "" {
		hits, err := h.laws.Search(c.Request().Context(), q)
		if err != nil {
			return err
		}
		out := lawSearchAnswer{Query: q, Laws: make([]lawHitJSON, len(hits)), Total: len(hits)}
		for i, hit := range hits {
			out.Laws[i] = lawHitJSON{lawJSON: toLawJSON(hit.Law), TitleMatch: hit.TitleMatch, MoreMatching: hit.More,
				Matches: make([]lawHitArticleJSON, len(hit.Articles))}
			for j, a := range hit.Articles {
				out.Laws[i].Matches[j] = lawHitArticleJSON{ID: a.Article.ID, Number: a.Article.Number, Snippet: a.Snippet}
			}
		}
		return c.JSON(http.StatusOK, out)
	}
	page, perPage, err := paging(c, 20, 100)
	if err != nil {
		return err
	}
	f := law.Filter{Status: law.LawStatus(c.QueryParam("status")), Limit: perPage, Offset: (page - 1) * perPage}
	list, total, err := h.laws.List(c.Request().Context(), f)
	if err != nil {
		return err
	}
	out := lawSearchAnswer{Laws: make([]lawHitJSON, len(list)), Total: total, Page: page}
	for i, l := range list {
		out.Laws[i].lawJSON = toLawJSON(l)
	}
	return c.JSON(http.StatusOK, out)
}

func (h *lawHandlers) handleLawGet(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	l, err := h.laws.Get(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toLawJSON(l))
}

// toLaw reads an editor's request.
func (req *lawRequest) toLaw() (*law.Law, error) {
	l := &law.Law{Title: req.Title, DocNumber: req.DocNumber, Authority: req.Authority, Level: law.Level(req.Level),
		Status: law.LawStatus(req.Status)} // "": the service's default
	for _, f := range []struct {
		name, value string
		dst         *time.Time
	}{{"published_on", req.PublishedOn, &l.PublishedOn}, {"effective_on", req.EffectiveOn, &l.EffectiveOn}} {
		t, err := time.Parse(dateLayout, f.value)
		if err != nil {
			return nil, invalid(f.name, "%s must be a date like 2026-03-01", f.name)
		}
		if err := guanjia.CheckTime(f.name, t); err != nil { // 0001-01-01 is a date, not a missing one
			return nil, err
		}
		*f.dst = t
	}
	for _, a := range req.Articles {
		l.Articles = append(l.Articles, law.Article{Number: a.Number, Text: a.Text})
	}
	return l, nil
}

func (h *lawHandlers) handleLawCreate(c echo.Context) error {
	var req lawRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	l, err := req.toLaw()
	if err != nil {
		return err
	}
	if err := h.laws.Create(c.Request().Context(), claimsOf(c), l); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toLawJSON(l))
}

func (h *lawHandlers) handleLawUpdate(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var req lawRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	if req.UpdatedAt == "" {
		return invalid("updated_at", "updated_at is required: send the law's updated_at as read")
	}
	var seen *time.Time
	if err := parseTimes(timeField{"updated_at", req.UpdatedAt, &seen}); err != nil {
		return err
	}
	l, err := req.toLaw()
	if err != nil {
		return err
	}
	l.ID = id
	if err := h.laws.Update(c.Request().Context(), claimsOf(c), l, *seen); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toLawJSON(l))
}

// handleLawStatus marks a law 现行有效, 已修订 or 已废止.
func (h *lawHandlers) handleLawStatus(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var req lawStatusRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	l, err := h.laws.SetStatus(c.Request().Context(), claimsOf(c), id, law.LawStatus(req.Status))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toLawJSON(l))
}
