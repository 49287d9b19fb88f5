package geo

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"github.com/tidwall/rtree"
)

// Grid is one service grid (网格): an area a unit is responsible for.
type Grid struct {
	ID string
	// Geometry is an orb.Polygon or orb.MultiPolygon in WGS-84, X = lng, Y = lat.
	// Holes are excluded from the grid.
	Geometry orb.Geometry
}

// GridIndex answers "which grid contains this point". It is immutable once
// built, so any number of goroutines may call Locate at the same time.
type GridIndex struct {
	tree  rtree.RTreeG[int] // bounding boxes; values index grids
	grids []indexedGrid     // smallest area first, so the lowest index wins
}

type indexedGrid struct {
	id   string
	geom orb.Geometry
	area float64
}

// NewGridIndex validates and indexes the grids. It copies the geometries, so
// the caller may reuse its slices afterwards.
func NewGridIndex(grids []Grid) (*GridIndex, error) {
	ix := &GridIndex{grids: make([]indexedGrid, 0, len(grids))}
	seen := make(map[string]bool, len(grids))
	for _, g := range grids {
		if g.ID == "" {
			return nil, fmt.Errorf("geo: grid with empty ID")
		}
		if seen[g.ID] {
			return nil, fmt.Errorf("geo: duplicate grid ID %q", g.ID)
		}
		seen[g.ID] = true
		if err := validateGeometry(g.Geometry); err != nil {
			return nil, fmt.Errorf("geo: grid %q: %w", g.ID, err)
		}
		geom := orb.Clone(g.Geometry)
		ix.grids = append(ix.grids, indexedGrid{id: g.ID, geom: geom, area: planar.Area(geom)})
	}
	// Where grids overlap, the most specific (smallest) one wins; ID breaks
	// ties so the answer never depends on input order.
	slices.SortFunc(ix.grids, func(a, b indexedGrid) int {
		return cmp.Or(cmp.Compare(a.area, b.area), cmp.Compare(a.id, b.id))
	})
	for i, g := range ix.grids {
		b := g.geom.Bound()
		ix.tree.Insert(b.Min, b.Max, i)
	}
	return ix, nil
}

// Len returns the number of grids in the index.
func (ix *GridIndex) Len() int { return len(ix.grids) }

// Locate returns the ID of the grid containing the WGS-84 point. Points on an
// edge belong to the grid; points on a hole's edge do not. When grids
// overlap, the one with the smallest area wins.
func (ix *GridIndex) Locate(lat, lng float64) (id string, ok bool) {
	p := orb.Point{lng, lat}
	best := -1
	ix.tree.Search(p, p, func(_, _ [2]float64, i int) bool {
		if (best < 0 || i < best) && contains(ix.grids[i].geom, p) {
			best = i
		}
		return true
	})
	if best < 0 {
		return "", false
	}
	return ix.grids[best].id, true
}

func contains(g orb.Geometry, p orb.Point) bool {
	switch g := g.(type) {
	case orb.Polygon:
		return planar.PolygonContains(g, p)
	case orb.MultiPolygon:
		return planar.MultiPolygonContains(g, p)
	}
	return false
}

func validateGeometry(g orb.Geometry) error {
	switch g := g.(type) {
	case orb.Polygon:
		return validatePolygon(g)
	case orb.MultiPolygon:
		if len(g) == 0 {
			return fmt.Errorf("empty multipolygon")
		}
		for i, p := range g {
			if err := validatePolygon(p); err != nil {
				return fmt.Errorf("polygon %d: %w", i, err)
			}
		}
		return nil
	default:
		return fmt.Errorf("geometry is %T, want orb.Polygon or orb.MultiPolygon", g)
	}
}

func validatePolygon(p orb.Polygon) error {
	if len(p) == 0 {
		return fmt.Errorf("polygon has no rings")
	}
	for i, r := range p {
		if len(r) < 3 {
			return fmt.Errorf("ring %d has %d points, want at least 3", i, len(r))
		}
		for _, pt := range r {
			// Also catches (lat, lng) written in the wrong order: Chinese
			// longitudes exceed 90.
			if !(pt.X() >= -180 && pt.X() <= 180 && pt.Y() >= -90 && pt.Y() <= 90) {
				return fmt.Errorf("ring %d: point %v is not a [lng, lat] pair", i, pt)
			}
		}
	}
	return nil
}
