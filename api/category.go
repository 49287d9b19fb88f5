package api

import (
	"math"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"guanjia"
	"guanjia/catalog"
	"guanjia/classify"
	"guanjia/dispatch"
)

// catalogHandlers serve the category catalogue, units and grids.
type catalogHandlers struct {
	catalog  *catalog.Service
	classify *classify.Service // retrains when a category changes
}

type categoryJSON struct {
	Code             string   `json:"code"`
	Name             string   `json:"name"`
	Kind             string   `json:"kind"`
	Major            string   `json:"major"`
	Department       string   `json:"department"`
	PointToPoint     bool     `json:"point_to_point"`
	AcceptWithinS    int64    `json:"accept_within_s"`
	ArriveWithinS    int64    `json:"arrive_within_s"`
	ResolveWithinS   int64    `json:"resolve_within_s"`
	ResolveMode      string   `json:"resolve_mode"`
	DuplicateRadiusM float64  `json:"duplicate_radius_m"`
	Examples         []string `json:"examples"` // sentences and keywords the category suggester learns from
	// Retired (停用): offered for no new complaint (clients leave it out of
	// their filing lists; filing under it is refused), still named by the
	// complaints filed under it. PUT true retires it, false brings it back.
	Retired bool `json:"retired"`
	// PUT: the updated_at read; a save made since is a 409. Left out, the
	// edit applies over whatever is saved (drills set one field).
	UpdatedAt *time.Time `json:"updated_at,omitempty"`
}

func toCategoryJSON(c *guanjia.Category) categoryJSON {
	return categoryJSON{Code: c.Code, Name: c.Name, Kind: c.Kind, Major: c.Major, Department: c.Department,
		PointToPoint: c.PointToPoint, AcceptWithinS: int64(c.AcceptWithin / time.Second),
		ArriveWithinS: int64(c.ArriveWithin / time.Second), ResolveWithinS: int64(c.ResolveWithin / time.Second),
		ResolveMode: string(c.ResolveMode), DuplicateRadiusM: c.DuplicateRadiusM,
		Examples: append([]string{}, c.Examples...), Retired: c.Retired, UpdatedAt: &c.UpdatedAt}
}

// handleCategoryList answers the whole catalogue, retired categories marked:
// lists of complaints name them; a form that files one offers the others.
func (h *catalogHandlers) handleCategoryList(c echo.Context) error {
	cats, err := h.catalog.Categories(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"categories": mapJSON(cats, toCategoryJSON)})
}

// handleCategoryUpdate lets an admin edit a category at run time; fields left
// out keep their value. Durations are in seconds, so drills can use short ones.
// An editor sends the updated_at it read; If-None-Match: * adds a category
// only if its code is not taken.
func (h *catalogHandlers) handleCategoryUpdate(c echo.Context) error {
	ctx := c.Request().Context()
	cat, err := h.catalog.CategoryToEdit(ctx, c.Param("code"))
	if err != nil {
		return err
	}
	req := toCategoryJSON(cat)
	req.UpdatedAt = nil
	if err := bind(c, &req); err != nil {
		return err
	}
	seen := req.UpdatedAt
	if c.Request().Header.Get("If-None-Match") == "*" {
		seen = &time.Time{}
	}
	if req.Code != cat.Code {
		return invalid("code", "the code in the body differs from the path")
	}
	next := &guanjia.Category{Code: cat.Code, Name: req.Name, Kind: req.Kind, Major: req.Major,
		Department: req.Department, PointToPoint: req.PointToPoint,
		AcceptWithin:  time.Duration(req.AcceptWithinS) * time.Second,
		ArriveWithin:  time.Duration(req.ArriveWithinS) * time.Second,
		ResolveWithin: time.Duration(req.ResolveWithinS) * time.Second,
		ResolveMode:   guanjia.TimeMode(req.ResolveMode), DuplicateRadiusM: req.DuplicateRadiusM,
		Examples: req.Examples, Retired: req.Retired}
	if err := h.catalog.SaveCategory(ctx, next, seen); err != nil {
		return err
	}
	h.classify.Invalidate()
	return c.JSON(http.StatusOK, toCategoryJSON(next))
}

type unitJSON struct {
	Code       string `json:"code"`
	Name       string `json:"name"`
	Department string `json:"department"`
	District   string `json:"district,omitempty"`
}

func toUnitJSON(u *guanjia.Unit) unitJSON { return unitJSON{u.Code, u.Name, u.Department, u.District} }

func (h *catalogHandlers) handleUnitList(c echo.Context) error {
	units, err := h.catalog.Units(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"units": mapJSON(units, toUnitJSON)})
}

// handleGridList answers the grids as a GeoJSON FeatureCollection.
func (h *catalogHandlers) handleGridList(c echo.Context) error {
	grids, err := h.catalog.Grids(c.Request().Context())
	if err != nil {
		return err
	}
	b, err := dispatch.MarshalGrids(grids)
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, "application/geo+json", b)
}

type suggestRequest struct {
	Description string `json:"description"`
}

type suggestionJSON struct {
	Code  string  `json:"code"`
	Name  string  `json:"name"`
	Score float64 `json:"score"` // the model's probability, 0..1
}

type suggestAnswer struct {
	Suggestions []suggestionJSON `json:"suggestions"`
}

// handleCategorySuggest answers the three most likely categories of a
// description as it is being typed (智能分类); the caller confirms one.
func (h *catalogHandlers) handleCategorySuggest(c echo.Context) error {
	var req suggestRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	got, err := h.classify.Suggest(c.Request().Context(), req.Description)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, suggestAnswer{Suggestions: mapJSON(got, func(s classify.Suggestion) suggestionJSON {
		return suggestionJSON{Code: s.Code, Name: s.Name, Score: math.Round(s.Score*1000) / 1000}
	})})
}
