package geo

import (
	"math"

	"github.com/paulmach/orb"
	orbgeo "github.com/paulmach/orb/geo"
)

// earthRadiusM is the IUGG mean Earth radius (R1) in metres.
const earthRadiusM = 6371008.8

// orb measures on a sphere of the WGS-84 equatorial radius. Distances on a
// sphere are proportional to its radius, so this factor turns orb's figures
// into the mean-radius ones, which are nearer the ellipsoid on average.
const toMeanRadius = earthRadiusM / orb.EarthRadius

// Distance returns the great-circle distance in metres between two points
// (haversine on a sphere: within about 0.5% of the ellipsoidal distance).
// It is written out rather than taken from orb, whose haversine has no clamp
// and answers NaN for nearly antipodal points (FuzzDistance found one).
func Distance(lat1, lng1, lat2, lng2 float64) float64 {
	phi1, phi2 := toRadians(lat1), toRadians(lat2)
	sinDLat := math.Sin((phi2 - phi1) / 2)
	sinDLng := math.Sin(toRadians(lng2-lng1) / 2)
	h := sinDLat*sinDLat + math.Cos(phi1)*math.Cos(phi2)*sinDLng*sinDLng
	// Rounding can push h just past 1 for antipodal points.
	return 2 * earthRadiusM * math.Asin(math.Sqrt(math.Min(h, 1)))
}

func toRadians(deg float64) float64 { return deg * math.Pi / 180 }

// BoundingBox returns a box holding every point within radiusM metres of
// (lat, lng), for an index-friendly "lat BETWEEN ? AND ? AND lng BETWEEN ? AND ?"
// prefilter before the exact Distance test. Rather than wrap, the longitude
// range widens to [-180, 180] when the circle reaches a pole or the antimeridian.
func BoundingBox(lat, lng, radiusM float64) (minLat, minLng, maxLat, maxLng float64) {
	if radiusM <= 0 {
		return lat, lng, lat, lng
	}
	b := orbgeo.NewBoundAroundPoint(orb.Point{lng, lat}, radiusM/toMeanRadius)
	if b.Min.X() > b.Max.X() { // orb wraps round the antimeridian; a BETWEEN cannot
		b.Min[0], b.Max[0] = -180, 180
	}
	return b.Min.Y(), b.Min.X(), b.Max.Y(), b.Max.X()
}

// Rough rounds a coordinate to three decimals, about 110 m: how precisely a
// citizen's report is shown to the public (Open311's list, the flood map),
// which may not point at their door.
func Rough(deg float64) float64 { return math.Round(deg*1000) / 1000 }
