package geo

import (
	"math"
	"testing"
)

func TestDistance(t *testing.T) {
	tests := []struct {
		name                   string
		lat1, lng1, lat2, lng2 float64
		wantM, tolM            float64
	}{
		{"same point", 20.0440, 110.3200, 20.0440, 110.3200, 0, 0},
		// 2πR/360 with R = 6371008.8 m.
		{"one degree of latitude", 0, 0, 1, 0, 111195.08, 0.01},
		{"Haikou 0.1° due north", 20.0, 110.3, 20.1, 110.3, 11119.51, 0.01},
		// Along a parallel: 11119.5 m × cos 20°.
		{"Haikou 0.1° due east", 20.0, 110.3, 20.0, 110.4, 10449.0, 0.5},
		// Rosetta Code "Haversine formula": 2887.26 km with R = 6372.8 km,
		// rescaled to R = 6371.0088 km.
		{"Nashville BNA to Los Angeles LAX", 36.12, -86.67, 33.94, -118.40, 2886448, 1},
		{"half way round the equator", 0, 0, 0, 180, math.Pi * 6371008.8, 0.01},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Distance(tt.lat1, tt.lng1, tt.lat2, tt.lng2)
			if math.Abs(got-tt.wantM) > tt.tolM {
				t.Fatalf("Distance = %.2f m, want %.2f ± %g m", got, tt.wantM, tt.tolM)
			}
			if back := Distance(tt.lat2, tt.lng2, tt.lat1, tt.lng1); math.Abs(back-got) > 1e-6 {
				t.Fatalf("Distance is not symmetric: %.6f vs %.6f", got, back)
			}
		})
	}
}

func TestBoundingBox(t *testing.T) {
	tests := []struct {
		name          string
		lat, lng, r   float64
		wantFullRange bool // longitude widened to [-180, 180]
	}{
		{"Haikou 1 km", 20.0440, 110.3200, 1000, false},
		{"Haikou 30 km", 20.0440, 110.3200, 30000, false},
		{"southern hemisphere", -33.8568, 151.2153, 5000, false},
		{"zero radius", 20.0440, 110.3200, 0, false},
		{"reaches the north pole", 89.99, 10, 5000, true},
		{"crosses the antimeridian", 0, 179.99, 5000, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			minLat, minLng, maxLat, maxLng := BoundingBox(tt.lat, tt.lng, tt.r)
			if full := minLng == -180 && maxLng == 180; full != tt.wantFullRange {
				t.Fatalf("longitude range [%v, %v], want full range %v", minLng, maxLng, tt.wantFullRange)
			}
			// Every point on the circle must fall inside the box.
			for bearing := 0.0; bearing < 360; bearing += 5 {
				lat, lng := destination(tt.lat, tt.lng, bearing, tt.r)
				if lat < minLat-1e-9 || lat > maxLat+1e-9 || (!tt.wantFullRange && (lng < minLng-1e-9 || lng > maxLng+1e-9)) {
					t.Fatalf("point (%v, %v) at bearing %v° lies outside box [%v, %v]×[%v, %v]",
						lat, lng, bearing, minLat, maxLat, minLng, maxLng)
				}
			}
			// And the box must be tight: its north edge is exactly r away.
			if maxLat < 90 {
				if d := Distance(tt.lat, tt.lng, maxLat, tt.lng); math.Abs(d-tt.r) > 1e-3 {
					t.Fatalf("north edge is %.4f m away, want %v", d, tt.r)
				}
			}
		})
	}
}

func TestBoundingBoxNegativeRadiusIsAPoint(t *testing.T) {
	minLat, minLng, maxLat, maxLng := BoundingBox(20.0440, 110.3200, -5)
	if minLat != 20.0440 || maxLat != 20.0440 || minLng != 110.3200 || maxLng != 110.3200 {
		t.Fatalf("got [%v, %v]×[%v, %v], want the point itself", minLat, maxLat, minLng, maxLng)
	}
}

// destination returns the point distM metres from (lat, lng) along an
// initial bearing (degrees clockwise from north).
func destination(lat, lng, bearingDeg, distM float64) (float64, float64) {
	phi, lambda, theta := toRadians(lat), toRadians(lng), toRadians(bearingDeg)
	delta := distM / earthRadiusM
	phi2 := math.Asin(math.Sin(phi)*math.Cos(delta) + math.Cos(phi)*math.Sin(delta)*math.Cos(theta))
	lambda2 := lambda + math.Atan2(math.Sin(theta)*math.Sin(delta)*math.Cos(phi),
		math.Cos(delta)-math.Sin(phi)*math.Sin(phi2))
	return toDegrees(phi2), toDegrees(lambda2)
}

func toDegrees(rad float64) float64 { return rad * 180 / math.Pi }
