// Package geo converts client coordinates to WGS-84, measures distances and
// finds the service grid that contains a point.
//
// Functions take (lat, lng) in that order; orb geometries use GeoJSON order
// (X = lng, Y = lat).
package geo

import (
	"math"

	"guanjia"
)

// CoordSystem names the datum a client reported a position in.
type CoordSystem string

const (
	WGS84 CoordSystem = "wgs84" // GPS; what grids and storage use
	GCJ02 CoordSystem = "gcj02" // maps in China; wx.getLocation({type: 'gcj02'})
)

// The published GCJ-02 algorithm uses the Krasovsky 1940 ellipsoid, not WGS-84's.
const (
	krasovskyA  = 6378245.0
	krasovskyEE = 0.00669342162296594323
)

// The inverse has no closed form; the offset changes slowly, so fixed-point
// iteration gains about three digits a step and 10 steps is ample.
const (
	inverseTolerance     = 1e-7 // degrees, about 1 cm
	inverseMaxIterations = 10
)

// OutOfChina reports whether the point lies outside the rough box in which
// GCJ-02 applies; the standard algorithm leaves such points unchanged.
func OutOfChina(lat, lng float64) bool {
	return lng < 72.004 || lng > 137.8347 || lat < 0.8293 || lat > 55.8271
}

// WGS84ToGCJ02 applies the GCJ-02 offset to a WGS-84 point.
func WGS84ToGCJ02(lat, lng float64) (float64, float64) {
	if OutOfChina(lat, lng) {
		return lat, lng
	}
	dLat, dLng := gcjOffset(lat, lng)
	return lat + dLat, lng + dLng
}

// GCJ02ToWGS84 removes the GCJ-02 offset by iterating until re-encoding the
// answer reproduces the input; one-step subtraction leaves errors of metres.
func GCJ02ToWGS84(lat, lng float64) (float64, float64) {
	if OutOfChina(lat, lng) {
		return lat, lng
	}
	wLat, wLng := lat, lng
	for range inverseMaxIterations {
		dLat, dLng := gcjOffset(wLat, wLng)
		errLat, errLng := wLat+dLat-lat, wLng+dLng-lng
		wLat, wLng = wLat-errLat, wLng-errLng
		if math.Abs(errLat) < inverseTolerance && math.Abs(errLng) < inverseTolerance {
			break
		}
	}
	return wLat, wLng
}

// ToWGS84 converts a client-reported point to WGS-84, rejecting unknown
// systems and impossible coordinates.
func ToWGS84(sys CoordSystem, lat, lng float64) (float64, float64, error) {
	// Negated comparisons so that NaN is rejected too. The errors name the
	// field and say it in words a person can act on (in Chinese by default).
	if sys != WGS84 && sys != GCJ02 {
		return 0, 0, guanjia.FieldError(guanjia.EINVALID, "coord_system", "coord_system must be wgs84 or gcj02")
	}
	if !(lat >= -90 && lat <= 90) {
		return 0, 0, guanjia.FieldError(guanjia.EINVALID, "lat", "lat and lng must be a point on Earth: lat within ±90, lng within ±180")
	}
	if !(lng >= -180 && lng <= 180) {
		return 0, 0, guanjia.FieldError(guanjia.EINVALID, "lng", "lat and lng must be a point on Earth: lat within ±90, lng within ±180")
	}
	if sys == GCJ02 {
		wLat, wLng := GCJ02ToWGS84(lat, lng)
		return wLat, wLng, nil
	}
	return lat, lng, nil
}

// gcjOffset returns the GCJ-02 shift in degrees at a WGS-84 point.
func gcjOffset(lat, lng float64) (dLat, dLng float64) {
	x, y := lng-105, lat-35
	dLat = -100 + 2*x + 3*y + 0.2*y*y + 0.1*x*y + 0.2*math.Sqrt(math.Abs(x))
	dLng = 300 + x + 2*y + 0.1*x*x + 0.1*x*y + 0.1*math.Sqrt(math.Abs(x))
	common := (20*math.Sin(6*x*math.Pi) + 20*math.Sin(2*x*math.Pi)) * 2 / 3
	dLat += common +
		(20*math.Sin(y*math.Pi)+40*math.Sin(y/3*math.Pi))*2/3 +
		(160*math.Sin(y/12*math.Pi)+320*math.Sin(y/30*math.Pi))*2/3
	dLng += common +
		(20*math.Sin(x*math.Pi)+40*math.Sin(x/3*math.Pi))*2/3 +
		(150*math.Sin(x/12*math.Pi)+300*math.Sin(x/30*math.Pi))*2/3

	// Scale the metre-like shifts to degrees on the ellipsoid.
	rad := lat * math.Pi / 180
	sin := math.Sin(rad)
	m := 1 - krasovskyEE*sin*sin
	sqrtM := math.Sqrt(m)
	dLat = dLat * 180 / (krasovskyA * (1 - krasovskyEE) / (m * sqrtM) * math.Pi)
	dLng = dLng * 180 / (krasovskyA / sqrtM * math.Cos(rad) * math.Pi)
	return dLat, dLng
}
