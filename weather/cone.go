package weather

import (
	"math"
	"slices"
	"time"

	"github.com/paulmach/orb"

	"guanjia"
)

// The cone model. A forecast position is a circle: the centre is expected
// to pass within RadiusKM of it with about 70 % probability. Where the
// import gives no radius, it grows with the lead time from the last observed
// position, interpolated linearly in this table. The values are guanjia's
// approximation of the CMA's recent mean track errors (≈ 70 km at 24 h,
// ≈ 120 km at 48 h, ≈ 170 km at 72 h), not an official product; beyond
// 120 h the growth continues at 50 km a day up to MaxConeRadiusKM.
//
// The cone drawn on maps is the union of, for each pair of consecutive
// circles (the first being the last observed position, radius 0), their
// convex hull: the swept area of a circle moving and growing along the track.
var coneTable = []struct {
	lead     time.Duration
	radiusKM float64
}{{0, 0}, {24 * time.Hour, 70}, {48 * time.Hour, 120}, {72 * time.Hour, 170}, {96 * time.Hour, 220}, {120 * time.Hour, 270}}

// MaxConeRadiusKM bounds a cone radius.
const MaxConeRadiusKM = 1000

// ConeRadiusKM is the default cone radius at lead time lead after the last
// observed position.
func ConeRadiusKM(lead time.Duration) float64 {
	if lead <= 0 {
		return 0
	}
	for i := 1; i < len(coneTable); i++ {
		a, b := coneTable[i-1], coneTable[i]
		if lead <= b.lead {
			f := float64(lead-a.lead) / float64(b.lead-a.lead)
			return math.Max(1, math.Round(a.radiusKM+f*(b.radiusKM-a.radiusKM)))
		}
	}
	last := coneTable[len(coneTable)-1]
	r := last.radiusKM + 50*float64(lead-last.lead)/float64(24*time.Hour)
	return math.Round(math.Min(r, MaxConeRadiusKM))
}

const (
	kmPerDegreeLat = 111.32
	circleSegments = 36
)

// circle approximates a circle of radiusKM around (lat, lng) in degrees,
// planar near the centre (fine at cone sizes at Hainan's latitudes).
func circle(lat, lng, radiusKM float64) []orb.Point {
	if radiusKM <= 0 {
		return []orb.Point{{lng, lat}}
	}
	dLat := radiusKM / kmPerDegreeLat
	dLng := radiusKM / (kmPerDegreeLat * math.Cos(lat*math.Pi/180))
	out := make([]orb.Point, circleSegments)
	for i := range out {
		a := 2 * math.Pi * float64(i) / circleSegments
		out[i] = orb.Point{lng + dLng*math.Cos(a), lat + dLat*math.Sin(a)}
	}
	return out
}

// Cone is the forecast cone of t: empty when it has no forecast.
func Cone(t *guanjia.Typhoon) orb.MultiPolygon {
	if len(t.Observed) == 0 || len(t.Forecast) == 0 {
		return nil
	}
	last := t.Observed[len(t.Observed)-1]
	prev := circle(last.Lat, last.Lng, 0)
	var out orb.MultiPolygon
	for _, f := range t.Forecast {
		next := circle(f.Lat, f.Lng, f.RadiusKM)
		hull := convexHull(append(slices.Clone(prev), next...))
		if len(hull) >= 4 {
			out = append(out, orb.Polygon{hull})
		}
		prev = next
	}
	return out
}

// convexHull is Andrew's monotone chain; the ring is closed, counter-clockwise.
func convexHull(pts []orb.Point) orb.Ring {
	slices.SortFunc(pts, func(a, b orb.Point) int {
		if a[0] != b[0] {
			return cmpFloat(a[0], b[0])
		}
		return cmpFloat(a[1], b[1])
	})
	pts = slices.Compact(pts)
	if len(pts) < 3 {
		return nil
	}
	cross := func(o, a, b orb.Point) float64 { return (a[0]-o[0])*(b[1]-o[1]) - (a[1]-o[1])*(b[0]-o[0]) }
	hull := make([]orb.Point, 0, 2*len(pts))
	for _, p := range pts {
		for len(hull) >= 2 && cross(hull[len(hull)-2], hull[len(hull)-1], p) <= 0 {
			hull = hull[:len(hull)-1]
		}
		hull = append(hull, p)
	}
	lower := len(hull) + 1
	for i := len(pts) - 2; i >= 0; i-- {
		p := pts[i]
		for len(hull) >= lower && cross(hull[len(hull)-2], hull[len(hull)-1], p) <= 0 {
			hull = hull[:len(hull)-1]
		}
		hull = append(hull, p)
	}
	return orb.Ring(hull) // the last point is the first again: closed
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
