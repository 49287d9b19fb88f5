package dispatch

import (
	"context"
	"math"
	"sort"
	"time"

	"guanjia"
	"guanjia/geo"
)

// Nearby search bounds: the hotline sees open reports of the same category a
// little wider and longer back than automatic merging looks, so an agent can
// ask the caller "is it the one at …?" before filing.
const (
	nearbyMinRadiusM   = 300
	nearbyRadiusFactor = 3
	nearbySince        = 7 * 24 * time.Hour
	nearbyMax          = 20
)

// NearbyComplaint is an open complaint near a point, with how far away it is.
type NearbyComplaint struct {
	*guanjia.Complaint
	DistanceM float64
	// WillMerge says that filing at the point now would link the new report
	// to this one instead of dispatching it (see Create).
	WillMerge bool
}

// Nearby lists open complaints of category near (lat, lng), nearest first:
// the likely duplicates the new-call form shows before saving.
func (s *Service) Nearby(ctx context.Context, who guanjia.Claims, category string, lat, lng float64, coordSystem string) ([]NearbyComplaint, float64, error) {
	switch who.Role {
	case guanjia.RoleAgent, guanjia.RoleDispatcher, guanjia.RoleAdmin: // those who see every complaint
	default:
		return nil, 0, guanjia.Errorf(guanjia.EFORBIDDEN, "a %s may not search complaints by place", who.Role)
	}
	out, radius, err := s.openAround(ctx, category, lat, lng, coordSystem)
	if err != nil {
		return nil, 0, err
	}
	for _, n := range out {
		n.CallerPhone, n.CallerName = "", "" // the list is about the place, not the people
	}
	// Create links a new report to the nearest candidate only.
	for i := range out {
		if out[i].WillMerge {
			for j := i + 1; j < len(out); j++ {
				out[j].WillMerge = false
			}
			break
		}
	}
	if len(out) > nearbyMax {
		out = out[:nearbyMax]
	}
	return out, radius, nil
}

// openAround finds the open complaints of category around a client's point,
// as far out as the previews look, nearest first, each marked when a report
// filed at the point now would merge with it. It returns the radius searched.
func (s *Service) openAround(ctx context.Context, category string, lat, lng float64, coordSystem string) ([]NearbyComplaint, float64, error) {
	if category == "" {
		return nil, 0, guanjia.FieldError(guanjia.EINVALID, "category", "category is required")
	}
	if coordSystem == "" {
		coordSystem = string(geo.WGS84)
	}
	lat, lng, err := geo.ToWGS84(geo.CoordSystem(coordSystem), lat, lng)
	if err != nil {
		return nil, 0, err
	}
	cat, err := s.Store.FindCategory(ctx, category)
	if guanjia.ErrorCode(err) == guanjia.ENOTFOUND {
		return nil, 0, guanjia.FieldError(guanjia.EINVALID, "category", "unknown category %q", category)
	} else if err != nil {
		return nil, 0, err
	}
	radius := math.Max(nearbyMinRadiusM, nearbyRadiusFactor*cat.DuplicateRadiusM)
	now := s.Now()
	minLat, minLng, maxLat, maxLng := geo.BoundingBox(lat, lng, radius)
	found, err := s.Store.NearbyOpen(ctx, cat.Code, now.Add(-nearbySince), minLat, minLng, maxLat, maxLng)
	if err != nil {
		return nil, 0, err
	}
	out := make([]NearbyComplaint, 0, len(found))
	for _, c := range found {
		d := geo.Distance(lat, lng, c.Lat, c.Lng)
		if d > radius {
			continue // the bounding box's corners
		}
		out = append(out, NearbyComplaint{Complaint: c, DistanceM: d, WillMerge: mergesWith(cat, c, d, now)})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].DistanceM < out[j].DistanceM })
	return out, radius, nil
}
