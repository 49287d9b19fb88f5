package weather

import (
	"context"
	"encoding/json"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/planar"

	"guanjia"
)

// maxAreaVertices bounds a drawn alert area.
const maxAreaVertices = 2000

// Area is where an alert applies: the union of polygons (a drawn polygon,
// or the polygons of the grids named), WGS-84.
type Area struct {
	polygons orb.MultiPolygon
	bound    orb.Bound
}

// Contains reports whether the WGS-84 point lies inside (an edge counts as inside).
func (a *Area) Contains(lat, lng float64) bool {
	p := orb.Point{lng, lat}
	if !a.bound.Contains(p) {
		return false
	}
	for _, poly := range a.polygons {
		if planar.PolygonContains(poly, p) {
			return true
		}
	}
	return false
}

// Bound is the box around the area, for a first cut in the database.
func (a *Area) Bound() guanjia.Bound {
	return guanjia.Bound{MinLat: a.bound.Min.Lat(), MinLng: a.bound.Min.Lon(), MaxLat: a.bound.Max.Lat(), MaxLng: a.bound.Max.Lon()}
}

// Geometry is the area as one MultiPolygon, for maps.
func (a *Area) Geometry() orb.MultiPolygon { return a.polygons }

func newArea(polys orb.MultiPolygon) *Area {
	return &Area{polygons: polys, bound: polys.Bound()}
}

// ParsePolygon reads a GeoJSON Polygon or MultiPolygon geometry (a Feature
// is read as its geometry) in WGS-84, [lng, lat] order, and answers it as a
// MultiPolygon with closed rings.
func ParsePolygon(raw []byte) (orb.MultiPolygon, error) {
	bad := guanjia.FieldError(guanjia.EINVALID, "area", "the area must be a GeoJSON Polygon or MultiPolygon in [lng, lat] order")
	var probe struct {
		Type     string          `json:"type"`
		Geometry json.RawMessage `json:"geometry"`
	}
	if err := json.Unmarshal(raw, &probe); err != nil {
		return nil, bad
	}
	if probe.Type == "Feature" {
		raw = probe.Geometry
	}
	g, err := geojson.UnmarshalGeometry(raw)
	if err != nil || g == nil || g.Coordinates == nil {
		return nil, bad
	}
	var polys orb.MultiPolygon
	switch c := g.Coordinates.(type) {
	case orb.Polygon:
		polys = orb.MultiPolygon{c}
	case orb.MultiPolygon:
		polys = c
	default:
		return nil, bad
	}
	vertices := 0
	for i, poly := range polys {
		if len(poly) == 0 {
			return nil, bad
		}
		for j, ring := range poly {
			if len(ring) < 3 {
				return nil, bad
			}
			for _, p := range ring {
				if !(p.Lon() >= -180 && p.Lon() <= 180 && p.Lat() >= -90 && p.Lat() <= 90) {
					return nil, bad
				}
			}
			if !ring.Closed() {
				ring = append(ring, ring[0])
				polys[i][j] = ring
			}
			if len(ring) < 4 {
				return nil, bad
			}
			vertices += len(ring)
		}
	}
	if len(polys) == 0 {
		return nil, bad
	}
	if vertices > maxAreaVertices {
		return nil, guanjia.FieldError(guanjia.EINVALID, "area", "the area has more than %d vertices", maxAreaVertices)
	}
	return polys, nil
}

// GridSource lists the service grids (guanjia.CatalogStore does).
type GridSource interface {
	ListGrids(ctx context.Context) ([]*guanjia.Grid, error)
}

// Areas resolves the areas of alerts. It reads the grids once, when the
// first alert given as grids asks, and parses each grid once: make one per
// request or fan-out, not one per alert.
type Areas struct {
	src   GridSource
	grids map[string]*guanjia.Grid // nil until read
	polys map[string]orb.MultiPolygon
}

// NewAreas returns an Areas reading the grids from src.
func NewAreas(src GridSource) *Areas { return &Areas{src: src} }

// AreaOf resolves an alert's area: its polygon, or the union of its grids.
// A grid that does not exist is EINVALID.
func (r *Areas) AreaOf(ctx context.Context, a *guanjia.WeatherAlert) (*Area, error) {
	if len(a.AreaGeoJSON) > 0 {
		polys, err := ParsePolygon(a.AreaGeoJSON)
		if err != nil {
			return nil, err
		}
		return newArea(polys), nil
	}
	if r.grids == nil && len(a.Grids) > 0 {
		all, err := r.src.ListGrids(ctx)
		if err != nil {
			return nil, err
		}
		r.grids = make(map[string]*guanjia.Grid, len(all))
		r.polys = map[string]orb.MultiPolygon{}
		for _, g := range all {
			r.grids[g.ID] = g
		}
	}
	var polys orb.MultiPolygon
	for _, id := range a.Grids {
		p, ok := r.polys[id]
		if !ok {
			g := r.grids[id]
			if g == nil {
				return nil, guanjia.FieldError(guanjia.EINVALID, "grids", "unknown grid %q", id)
			}
			var err error
			if p, err = ParsePolygon(g.Geometry); err != nil {
				return nil, guanjia.Errorf(guanjia.EINTERNAL, "grid %s has no usable geometry", id)
			}
			r.polys[id] = p
		}
		polys = append(polys, p...)
	}
	if len(polys) == 0 {
		return nil, guanjia.FieldError(guanjia.EINVALID, "area", "give the area as a polygon or as grids")
	}
	return newArea(polys), nil
}

// GeometryJSON is g as a GeoJSON geometry.
func GeometryJSON(g orb.Geometry) json.RawMessage {
	b, err := geojson.NewGeometry(g).MarshalJSON()
	if err != nil {
		return json.RawMessage("null")
	}
	return b
}
