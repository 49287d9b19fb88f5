package api

import (
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/text/language"

	"guanjia"
	"guanjia/geo"
	"guanjia/i18n"
	"guanjia/poi"
)

// poiHandlers serve the 15分钟便民生活圈: what is within a walk (public), the
// import of places and the grids' gaps (staff).
type poiHandlers struct {
	poi *poi.Service
}

// poiImporters import places (poi.Importers says who, for the service's own check).
var poiImporters = poi.Importers

// poiPlanners see the gap map: administrators, the command center and departments.
var poiPlanners = []guanjia.Role{guanjia.RoleAdmin, guanjia.RoleDispatcher, guanjia.RoleDepartment}

type poiKindJSON struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

func toPOIKindJSON(k poi.Kind) poiKindJSON { return poiKindJSON{Code: k.Code, Name: k.Name} }

// poiWalkJSON states the walking model every answer uses.
type poiWalkJSON struct {
	Minutes        int     `json:"minutes"`
	SpeedMPS       float64 `json:"speed_mps"`
	DetourFactor   float64 `json:"detour_factor"`
	WalkedM        float64 `json:"walked_m"`
	StraightM      float64 `json:"straight_m"`
	Model          string  `json:"model"`
	SampleSpacingM int     `json:"sample_spacing_m"`
	MaxGridSamples int     `json:"max_grid_samples"`
}

func walkModel() poiWalkJSON {
	return poiWalkJSON{Minutes: int(poi.Walk / time.Minute), SpeedMPS: poi.WalkingSpeed, DetourFactor: poi.DetourFactor,
		WalkedM: math.Round(poi.WithinWalkedM), StraightM: math.Round(poi.WithinStraightM),
		Model:          "straight-line distance × detour factor, walked at the speed given",
		SampleSpacingM: poi.SampleSpacingM, MaxGridSamples: poi.MaxSamples}
}

type poiKindsAnswer struct {
	Kinds []poiKindJSON `json:"kinds"`
	Walk  poiWalkJSON   `json:"walk"`
}

// handlePOIKinds answers the catalogue of kinds and the walking model.
func (h *poiHandlers) handlePOIKinds(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "public, max-age=3600")
	return c.JSON(http.StatusOK, poiKindsAnswer{Kinds: mapJSON(poi.Kinds, toPOIKindJSON), Walk: walkModel()})
}

type poiPlaceJSON struct {
	ID        int64   `json:"id"`
	Name      string  `json:"name"`
	Address   string  `json:"address,omitempty"`
	Phone     string  `json:"phone,omitempty"`
	Hours     string  `json:"hours,omitempty"`
	Lat       float64 `json:"lat"` // in the coord_system asked in
	Lng       float64 `json:"lng"`
	StraightM float64 `json:"straight_m"`
	WalkM     float64 `json:"walk_m"`
	Minutes   int     `json:"minutes"`
}

type poiKindNearbyJSON struct {
	poiKindJSON
	Places []poiPlaceJSON `json:"places"`
}

type poiNearbyAnswer struct {
	CoordSystem string              `json:"coord_system"`
	Kinds       []poiKindNearbyJSON `json:"kinds"`
	Missing     []poiKindJSON       `json:"missing"`
	Walk        poiWalkJSON         `json:"walk"`
}

// handlePOINearby answers what lies within a 15-minute walk of ?lat&lng
// (given in ?coord_system, wgs84 or gcj02): the nearest places of each kind,
// nearest first, and the kinds with none. Places come back in the same system.
func (h *poiHandlers) handlePOINearby(c echo.Context) error {
	var coords [2]float64
	for i, name := range []string{"lat", "lng"} {
		v, err := strconv.ParseFloat(c.QueryParam(name), 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return invalid(name, "%s must be a number", name)
		}
		coords[i] = v
	}
	sys := geo.CoordSystem(c.QueryParam("coord_system"))
	n, err := h.poi.Nearby(c.Request().Context(), sys, coords[0], coords[1])
	if err != nil {
		return err
	}
	out := poiNearbyAnswer{CoordSystem: string(sys), Missing: mapJSON(n.Missing, toPOIKindJSON), Walk: walkModel()}
	for _, k := range n.Kinds {
		kj := poiKindNearbyJSON{poiKindJSON: toPOIKindJSON(k.Kind), Places: []poiPlaceJSON{}}
		for _, p := range k.Places {
			lat, lng := p.Lat, p.Lng
			if sys == geo.GCJ02 {
				lat, lng = geo.WGS84ToGCJ02(lat, lng)
			}
			kj.Places = append(kj.Places, poiPlaceJSON{ID: p.ID, Name: p.Name, Address: p.Address, Phone: p.Phone, Hours: p.Hours,
				Lat: lat, Lng: lng, StraightM: math.Round(p.StraightM), WalkM: math.Round(p.WalkedM), Minutes: p.Minutes})
		}
		out.Kinds = append(out.Kinds, kj)
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=300")
	return c.JSON(http.StatusOK, out)
}

type poiRowErrorJSON struct {
	Line   int    `json:"line"`
	Column string `json:"column,omitempty"`
	Reason string `json:"reason"`
}

type poiImportJSON struct {
	ID          int64             `json:"id,omitempty"`
	Source      string            `json:"source"`
	Filename    string            `json:"filename"`
	Format      string            `json:"format"`
	CoordSystem string            `json:"coord_system"`
	FileHash    string            `json:"file_hash"`
	Rows        int               `json:"rows,omitempty"`
	Places      int               `json:"places"`
	Replaced    int               `json:"replaced"`
	ImportedBy  *int64            `json:"imported_by,omitempty"`
	CreatedAt   time.Time         `json:"created_at"`
	Errors      []poiRowErrorJSON `json:"errors,omitempty"`
	Error       map[string]string `json:"error,omitempty"` // a rejected file: code and message, as every error
}

func toPOIImportJSON(imp *poi.Import) poiImportJSON {
	return poiImportJSON{ID: imp.ID, Source: imp.Source, Filename: imp.Filename, Format: string(imp.Format),
		CoordSystem: string(imp.CoordSystem), FileHash: imp.FileHash, Places: imp.Places, Replaced: imp.Replaced,
		ImportedBy: imp.ImportedBy, CreatedAt: imp.CreatedAt}
}

func toPOIReportJSON(r *poi.Report, lang language.Tag) poiImportJSON {
	out := toPOIImportJSON(&r.Import)
	out.Rows = r.Rows
	for _, e := range r.Errors {
		out.Errors = append(out.Errors, poiRowErrorJSON{Line: e.Line, Column: e.Column, Reason: i18n.Message(e.Err, lang)})
	}
	return out
}

// handlePOIImportCreate takes a file of places (multipart "file", with
// "coord_system" wgs84 or gcj02, and optionally "format" csv or geojson and
// "source", the list it replaces). A file with a bad row is a 422 with every
// bad row's line and reason, and nothing is stored; a good one replaces its
// source's places (201).
func (h *poiHandlers) handlePOIImportCreate(c echo.Context) error {
	r := c.Request()
	filename, data, err := readUpload(c, poi.MaxFileBytes, invalid("file", "upload the file as multipart field \"file\" (CSV or GeoJSON)"))
	if err != nil {
		return err
	}
	rep, err := h.poi.Import(r.Context(), claimsOf(c), poi.Upload{Source: c.FormValue("source"), Filename: filename,
		Format: poi.Format(c.FormValue("format")), CoordSystem: geo.CoordSystem(c.FormValue("coord_system")), Data: data})
	if err != nil {
		return err
	}
	lang := langOf(c)
	out := toPOIReportJSON(rep, lang)
	if n := len(rep.Errors); n > 0 {
		out.Error = fileRefused(lang, n)
		return c.JSON(http.StatusUnprocessableEntity, out)
	}
	return c.JSON(http.StatusCreated, out)
}

type poiImportList struct {
	Imports []poiImportJSON `json:"imports"`
}

// handlePOIImportList answers the latest imports, newest first.
func (h *poiHandlers) handlePOIImportList(c echo.Context) error {
	limit, err := queryInt(c, "limit", 20, 1, 100)
	if err != nil {
		return err
	}
	list, err := h.poi.Imports(c.Request().Context(), limit)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, poiImportList{Imports: mapJSON(list, toPOIImportJSON)})
}

type poiShareJSON struct {
	poiKindJSON
	Share float64 `json:"share"` // of the grid's sample points that reach one, 0–1
}

type poiGridGapsJSON struct {
	Grid     string         `json:"grid"`
	Name     string         `json:"name"`
	District string         `json:"district"`
	Samples  int            `json:"samples"`
	Missing  []poiKindJSON  `json:"missing"`
	Partial  []poiShareJSON `json:"partial"`
}

type poiGapsAnswer struct {
	Grids []poiGridGapsJSON `json:"grids"`
	Kinds []poiKindJSON     `json:"kinds"`
	Walk  poiWalkJSON       `json:"walk"`
}

// handlePOIGaps answers, per grid, the kinds missing within a 15-minute walk
// of every sample point of the grid (missing) or of only some (partial).
func (h *poiHandlers) handlePOIGaps(c echo.Context) error {
	gaps, err := h.poi.Gaps(c.Request().Context())
	if err != nil {
		return err
	}
	out := poiGapsAnswer{Grids: []poiGridGapsJSON{}, Kinds: mapJSON(poi.Kinds, toPOIKindJSON), Walk: walkModel()}
	for _, g := range gaps {
		gj := poiGridGapsJSON{Grid: g.GridID, Name: g.Name, District: g.District, Samples: g.Samples,
			Missing: mapJSON(g.Missing, toPOIKindJSON), Partial: []poiShareJSON{}}
		for _, p := range g.Partial {
			gj.Partial = append(gj.Partial, poiShareJSON{poiKindJSON: toPOIKindJSON(p.Kind), Share: math.Round(p.Share*100) / 100})
		}
		out.Grids = append(out.Grids, gj)
	}
	return c.JSON(http.StatusOK, out)
}
