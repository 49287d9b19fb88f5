package volunteer

import (
	"sort"

	"guanjia"
	"guanjia/geo"
)

// searchArea is a nearby search: a WGS-84 point and a radius in metres.
type searchArea struct{ lat, lng, radius float64 }

// nearArea converts a search point to WGS-84 and bounds its radius (default
// 5 km, at most 50 km); no point is no area.
func nearArea(n *Near) (*searchArea, error) {
	if n == nil {
		return nil, nil
	}
	lat, lng, err := toWGS84(n.CoordSystem, &n.Lat, &n.Lng)
	if err != nil {
		return nil, err
	}
	radius := n.RadiusM
	if radius == 0 {
		radius = 5000
	}
	if !(radius > 0 && radius <= 50000) { // negated: NaN too
		return nil, guanjia.FieldError(guanjia.EINVALID, "radius", "radius must be between 1 and 50000 m")
	}
	return &searchArea{lat, lng, radius}, nil
}

// bound narrows a store filter to the area's bounding box, with room for the
// candidates the exact distance then drops.
func (p *searchArea) bound(minLat, minLng, maxLat, maxLng **float64, limit *int) {
	if p == nil {
		return
	}
	a, b, c, d := geo.BoundingBox(p.lat, p.lng, p.radius)
	*minLat, *minLng, *maxLat, *maxLng = &a, &b, &c, &d
	*limit = 1000
}

// rank turns items into hits: without an area all of them, in order; with one
// those within the radius, nearest first, at most 200, each with its distance.
func rank[T, H any](items []T, p *searchArea, at func(T) (float64, float64), hit func(T, *float64) H) []H {
	type scored struct {
		item T
		d    *float64
	}
	kept := make([]scored, 0, len(items))
	for _, it := range items {
		if p == nil {
			kept = append(kept, scored{item: it})
			continue
		}
		lat, lng := at(it)
		if d := geo.Distance(p.lat, p.lng, lat, lng); d <= p.radius {
			kept = append(kept, scored{it, &d})
		}
	}
	if p != nil {
		sort.SliceStable(kept, func(i, j int) bool { return *kept[i].d < *kept[j].d })
		kept = kept[:min(len(kept), 200)]
	}
	out := make([]H, len(kept))
	for i, k := range kept {
		out[i] = hit(k.item, k.d)
	}
	return out
}
