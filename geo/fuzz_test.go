package geo

import (
	"math"
	"testing"
)

// FuzzToWGS84: any pair of numbers a client can send is either refused or
// converted to a real point in range; never NaN, never a panic. Inside
// China, GCJ-02 → WGS-84 → GCJ-02 comes back within a centimetre or so and
// the offset stays under a kilometre.
func FuzzToWGS84(f *testing.F) {
	for _, seed := range []struct {
		lat, lng float64
		gcj      bool
	}{
		{20.0442, 110.1999, true}, // 海口 as wx.getLocation gives it
		{20.0442, 110.1999, false},
		{39.90872, 116.39748, true}, // 天安门
		{0, 0, true}, {90, 180, true}, {-90, -180, false}, {55.8271, 137.8347, true}, {0.8293, 72.004, true},
		{35, 105, true}, {35, 105.0000000001, true}, {91, 0, false}, {0, 181, true},
		{math.NaN(), 110, true}, {20, math.Inf(1), true}, {math.SmallestNonzeroFloat64, -0.0, true},
	} {
		f.Add(seed.lat, seed.lng, seed.gcj)
	}
	f.Fuzz(func(t *testing.T, lat, lng float64, gcj bool) {
		sys := WGS84
		if gcj {
			sys = GCJ02
		}
		wLat, wLng, err := ToWGS84(sys, lat, lng)
		inRange := lat >= -90 && lat <= 90 && lng >= -180 && lng <= 180
		if err != nil {
			if inRange {
				t.Fatalf("ToWGS84(%s, %v, %v) refused a point in range: %v", sys, lat, lng, err)
			}
			return
		}
		if !inRange {
			t.Fatalf("ToWGS84(%s, %v, %v) accepted a point out of range", sys, lat, lng)
		}
		if math.IsNaN(wLat) || math.IsNaN(wLng) || wLat < -90 || wLat > 90 || wLng < -180 || wLng > 180 {
			t.Fatalf("ToWGS84(%s, %v, %v) = %v, %v: not a point", sys, lat, lng, wLat, wLng)
		}
		if !gcj {
			if wLat != lat || wLng != lng {
				t.Fatalf("WGS-84 in, %v, %v out", wLat, wLng)
			}
			return
		}
		if d := Distance(wLat, wLng, lat, lng); !(d < 1000) {
			t.Fatalf("GCJ-02 offset at %v, %v is %v m: more than a kilometre", lat, lng, d)
		}
		// Round trip, away from the edge of the box where the algorithm switches off.
		if lat > 1 && lat < 55.5 && lng > 72.2 && lng < 137.6 {
			gLat, gLng := WGS84ToGCJ02(wLat, wLng)
			if d := Distance(gLat, gLng, lat, lng); !(d < 0.05) {
				t.Fatalf("GCJ-02 %v, %v → WGS-84 → GCJ-02 is %v m away", lat, lng, d)
			}
		}
	})
}

// FuzzDistance: distances between real points are real, symmetric and no
// longer than half the Earth's circumference; bounding boxes hold their
// centre and are never NaN.
func FuzzDistance(f *testing.F) {
	f.Add(20.0, 110.3, 20.01, 110.31, 500.0)
	f.Add(90.0, 0.0, -90.0, 0.0, 50000.0)
	f.Add(0.0, 179.9999, 0.0, -179.9999, 1.0)
	f.Add(89.99999, 10.0, 89.99999, -170.0, 0.0)
	f.Add(-89.898, -179.998, 89.898, 0.002, 1.0) // nearly antipodal: orb's haversine gives NaN here
	f.Fuzz(func(t *testing.T, lat1, lng1, lat2, lng2, radius float64) {
		for _, v := range []float64{lat1, lat2} {
			if !(v >= -90 && v <= 90) {
				return
			}
		}
		for _, v := range []float64{lng1, lng2} {
			if !(v >= -180 && v <= 180) {
				return
			}
		}
		d := Distance(lat1, lng1, lat2, lng2)
		if math.IsNaN(d) || d < 0 || d > math.Pi*earthRadiusM*1.0001 {
			t.Fatalf("Distance(%v, %v, %v, %v) = %v", lat1, lng1, lat2, lng2, d)
		}
		if back := Distance(lat2, lng2, lat1, lng1); math.Abs(back-d) > 1e-6*math.Max(d, 1) {
			t.Fatalf("Distance is not symmetric: %v and %v", d, back)
		}
		if !(radius >= 0 && radius <= 50000) { // the API's largest search radius
			return
		}
		minLat, minLng, maxLat, maxLng := BoundingBox(lat1, lng1, radius)
		for _, v := range []float64{minLat, minLng, maxLat, maxLng} {
			if math.IsNaN(v) {
				t.Fatalf("BoundingBox(%v, %v, %v) has NaN: %v %v %v %v", lat1, lng1, radius, minLat, minLng, maxLat, maxLng)
			}
		}
		if lat1 < minLat || lat1 > maxLat || lng1 < minLng || lng1 > maxLng {
			t.Fatalf("BoundingBox(%v, %v, %v) = %v %v %v %v leaves out its centre", lat1, lng1, radius, minLat, minLng, maxLat, maxLng)
		}
	})
}
