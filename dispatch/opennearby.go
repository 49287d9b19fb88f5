package dispatch

import (
	"context"
	"math"

	"guanjia"
	"guanjia/geo"
)

// OpenNearby is what a citizen is told before filing: whether an open report
// of the same category is already near the place, and whether filing there
// now would join it. Nothing about the reports themselves (how many, where
// exactly, whose, in what words) is in it.
type OpenNearby struct {
	Open      bool    // an open report of the category within RadiusM, filed in the last week
	WillMerge bool    // filing at the point now links the report to one (a me-too) and its reporter follows it
	RadiusM   float64 // how far around the point was looked at
}

// CheckOpenNearby answers OpenNearby for category at (lat, lng): the
// mini-program's "already reported?" step, safe for any citizen. It looks as
// far as Nearby does and decides merging as Create does.
func (s *Service) CheckOpenNearby(ctx context.Context, category string, lat, lng float64, coordSystem string) (OpenNearby, error) {
	if category == "" {
		return OpenNearby{}, guanjia.FieldError(guanjia.EINVALID, "category", "category is required")
	}
	if coordSystem == "" {
		coordSystem = string(geo.WGS84)
	}
	lat, lng, err := geo.ToWGS84(geo.CoordSystem(coordSystem), lat, lng)
	if err != nil {
		return OpenNearby{}, guanjia.FieldError(guanjia.EINVALID, "lat", "%v", err)
	}
	cat, err := s.Store.FindCategory(ctx, category)
	if guanjia.ErrorCode(err) == guanjia.ENOTFOUND {
		return OpenNearby{}, guanjia.FieldError(guanjia.EINVALID, "category", "unknown category %q", category)
	} else if err != nil {
		return OpenNearby{}, err
	}
	out := OpenNearby{RadiusM: math.Max(nearbyMinRadiusM, nearbyRadiusFactor*cat.DuplicateRadiusM)}
	now := s.Now()
	minLat, minLng, maxLat, maxLng := geo.BoundingBox(lat, lng, out.RadiusM)
	found, err := s.Store.NearbyOpen(ctx, cat.Code, now.Add(-nearbySince), minLat, minLng, maxLat, maxLng)
	if err != nil {
		return OpenNearby{}, err
	}
	for _, c := range found {
		d := geo.Distance(lat, lng, c.Lat, c.Lng)
		if d > out.RadiusM {
			continue // the bounding box's corners
		}
		out.Open = true
		if cat.DuplicateRadiusM > 0 && d <= cat.DuplicateRadiusM && !c.CreatedAt.Before(now.Add(-duplicateWindow)) {
			out.WillMerge = true
		}
	}
	return out, nil
}
