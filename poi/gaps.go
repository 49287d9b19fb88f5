package poi

import (
	"context"
	"fmt"
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"guanjia/geo"
)

// A grid's gaps are judged at sample points, not at its centre alone: a
// grid is a few kilometres across, wider than a 15-minute walk, and a 菜市场
// at its centre says nothing of its edges. The points lie on a lattice
// SampleSpacingM apart over the grid's bounding box, kept where the grid
// index places them in this grid (so overlapping grids share no point); the
// spacing widens until a grid has at most MaxSamples. A grid too small for
// any lattice point is sampled at the centre of its bounding box.
const (
	SampleSpacingM = 250
	MaxSamples     = 400
)

// metresPerDegreeLat is one degree of latitude on the mean-radius sphere.
var metresPerDegreeLat = geo.Distance(0, 0, 1, 0)

// KindShare is a kind that only part of a grid reaches within the walk.
type KindShare struct {
	Kind  Kind
	Share float64 // of the grid's sample points, 0 < Share < 1
}

// GridGaps is the planner's view of one grid's 生活圈.
type GridGaps struct {
	GridID, Name, District string
	Samples                int
	Missing                []Kind      // no sample point reaches one within the walk
	Partial                []KindShare // some sample points do, some do not
}

// Gaps answers, for every grid, the kinds its residents cannot reach within
// Walk: missing everywhere in the grid, or only in part of it.
func (s *Service) Gaps(ctx context.Context) ([]GridGaps, error) {
	grids, err := s.Grids.ListGrids(ctx)
	if err != nil {
		return nil, err
	}
	shapes := make([]geo.Grid, 0, len(grids))
	for _, g := range grids {
		geom, err := geojson.UnmarshalGeometry(g.Geometry)
		if err != nil {
			return nil, fmt.Errorf("poi: grid %s geometry: %w", g.ID, err)
		}
		shapes = append(shapes, geo.Grid{ID: g.ID, Geometry: geom.Geometry()})
	}
	index, err := geo.NewGridIndex(shapes)
	if err != nil {
		return nil, fmt.Errorf("poi: grid index: %w", err)
	}
	out := make([]GridGaps, 0, len(grids))
	for i, g := range grids {
		bound := shapes[i].Geometry.Bound()
		samples := samplePoints(index, g.ID, bound)
		// Every place within the walk of a sample lies within this box.
		minLat, minLng, _, _ := geo.BoundingBox(bound.Min.Y(), bound.Min.X(), WithinStraightM)
		_, _, maxLat, maxLng := geo.BoundingBox(bound.Max.Y(), bound.Max.X(), WithinStraightM)
		places, err := s.Store.PlacesIn(ctx, Box{minLat, minLng, maxLat, maxLng})
		if err != nil {
			return nil, err
		}
		gg := gridGaps(samples, places)
		gg.GridID, gg.Name, gg.District = g.ID, g.Name, g.District
		out = append(out, gg)
	}
	return out, nil
}

// gridGaps counts, for each kind, the sample points that reach one.
func gridGaps(samples []orb.Point, places []Place) GridGaps {
	reached := map[string]int{}
	for _, p := range samples {
		seen := map[string]bool{}
		for _, pl := range places {
			if !seen[pl.Kind] && WalkBetween(p.Y(), p.X(), pl.Lat, pl.Lng).InReach() {
				seen[pl.Kind] = true
				reached[pl.Kind]++
			}
		}
	}
	gg := GridGaps{Samples: len(samples)}
	for _, k := range Kinds {
		switch n := reached[k.Code]; {
		case n == 0:
			gg.Missing = append(gg.Missing, k)
		case n < len(samples):
			gg.Partial = append(gg.Partial, KindShare{Kind: k, Share: float64(n) / float64(len(samples))})
		}
	}
	return gg
}

// samplePoints lays the lattice over bound and keeps the points the index
// places in grid id.
func samplePoints(index *geo.GridIndex, id string, bound orb.Bound) []orb.Point {
	midLat := (bound.Min.Y() + bound.Max.Y()) / 2
	heightM := (bound.Max.Y() - bound.Min.Y()) * metresPerDegreeLat
	widthM := (bound.Max.X() - bound.Min.X()) * metresPerDegreeLat * math.Cos(midLat*math.Pi/180)
	spacing := float64(SampleSpacingM)
	if n := (heightM / spacing) * (widthM / spacing); n > MaxSamples {
		spacing *= math.Sqrt(n / MaxSamples)
	}
	stepLat := spacing / metresPerDegreeLat
	stepLng := stepLat / math.Cos(midLat*math.Pi/180)
	var pts []orb.Point
	for lat := bound.Min.Y() + stepLat/2; lat < bound.Max.Y(); lat += stepLat {
		for lng := bound.Min.X() + stepLng/2; lng < bound.Max.X(); lng += stepLng {
			if got, ok := index.Locate(lat, lng); ok && got == id {
				pts = append(pts, orb.Point{lng, lat})
			}
		}
	}
	if len(pts) == 0 {
		pts = append(pts, bound.Center())
	}
	return pts
}
