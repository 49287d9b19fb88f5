package geo

import "math"

// earthRadiusM is the IUGG mean Earth radius (R1) in metres.
const earthRadiusM = 6371008.8

// Distance returns the great-circle distance in metres between two points
// (haversine on a sphere: within about 0.5% of the ellipsoidal distance).
func Distance(lat1, lng1, lat2, lng2 float64) float64 {
	phi1, phi2 := toRadians(lat1), toRadians(lat2)
	sinDLat := math.Sin((phi2 - phi1) / 2)
	sinDLng := math.Sin(toRadians(lng2-lng1) / 2)
	h := sinDLat*sinDLat + math.Cos(phi1)*math.Cos(phi2)*sinDLng*sinDLng
	// Rounding can push h just past 1 for antipodal points.
	return 2 * earthRadiusM * math.Asin(math.Sqrt(math.Min(h, 1)))
}

// BoundingBox returns a box holding every point within radiusM metres of
// (lat, lng), for an index-friendly "lat BETWEEN ? AND ? AND lng BETWEEN ? AND ?"
// prefilter before the exact Distance test. Rather than wrap, the longitude
// range widens to [-180, 180] when the circle reaches a pole or the antimeridian.
func BoundingBox(lat, lng, radiusM float64) (minLat, minLng, maxLat, maxLng float64) {
	angle := math.Max(radiusM, 0) / earthRadiusM
	dLat := toDegrees(angle)
	minLat, maxLat = lat-dLat, lat+dLat
	if minLat <= -90 || maxLat >= 90 {
		return max(minLat, -90), -180, min(maxLat, 90), 180
	}
	// The circle is widest in longitude north or south of its centre, where it
	// touches two meridians; asin(sin r / cos lat) finds them.
	dLng := toDegrees(math.Asin(math.Sin(angle) / math.Cos(toRadians(lat))))
	minLng, maxLng = lng-dLng, lng+dLng
	if minLng < -180 || maxLng > 180 {
		return minLat, -180, maxLat, 180
	}
	return minLat, minLng, maxLat, maxLng
}

func toRadians(deg float64) float64 { return deg * math.Pi / 180 }
func toDegrees(rad float64) float64 { return rad * 180 / math.Pi }
