package geo

import "github.com/paulmach/orb"

// HaikouServiceArea returns a generous WGS-84 box around Haikou's four
// districts (which span roughly 19.5–20.1°N, 110.1–110.7°E). The margin also lets an
// unconverted GCJ-02 point (offset under 1 km) through; grids decide the rest.
func HaikouServiceArea() orb.Bound {
	return orb.Bound{Min: orb.Point{110.05, 19.45}, Max: orb.Point{110.75, 20.20}}
}

// InServiceArea reports whether a WGS-84 point is close enough to Haikou to
// accept a report from it.
func InServiceArea(lat, lng float64) bool {
	return HaikouServiceArea().Contains(orb.Point{lng, lat})
}
