package geo

import (
	"errors"
	"math"
	"testing"

	"guanjia"
)

// conversionExamples are WGS-84 → GCJ-02 pairs. Shanghai, Shenzhen and
// Beijing are the test vectors of googollee/eviltransform; Tiananmen
// (commonly quoted as 39.910225, 116.403717) and Haikou match the output of
// the coordtransform npm package.
var conversionExamples = []struct {
	name           string
	wgsLat, wgsLng float64
	gcjLat, gcjLng float64
}{
	{"Shanghai", 31.1774276, 121.5272106, 31.17530398364597, 121.531541859215},
	{"Shenzhen", 22.543847, 113.912316, 22.540796131694766, 113.9171764808363},
	{"Beijing", 39.911954, 116.377817, 39.91334545536069, 116.38404722455657},
	{"Beijing Tiananmen", 39.908823, 116.397470, 39.91022649807321, 116.4037135824225},
	{"Haikou Xiuying", 20.0440, 110.3200, 20.041921680985258, 110.32434664635315},
}

func TestWGS84ToGCJ02(t *testing.T) {
	for _, tt := range conversionExamples {
		t.Run(tt.name, func(t *testing.T) {
			lat, lng := WGS84ToGCJ02(tt.wgsLat, tt.wgsLng)
			assertNear(t, lat, lng, tt.gcjLat, tt.gcjLng, 1e-9)
		})
	}
}

func TestGCJ02ToWGS84(t *testing.T) {
	for _, tt := range conversionExamples {
		t.Run(tt.name, func(t *testing.T) {
			lat, lng := GCJ02ToWGS84(tt.gcjLat, tt.gcjLng)
			assertNear(t, lat, lng, tt.wgsLat, tt.wgsLng, 1e-8)
		})
	}
}

// The inverse must be good to ~0.1 m everywhere the offset applies, in both
// directions.
func TestConversionRoundTrip(t *testing.T) {
	for lat := 1.0; lat <= 55; lat += 0.5 {
		for lng := 73.0; lng <= 137; lng += 0.5 {
			gLat, gLng := WGS84ToGCJ02(lat, lng)
			wLat, wLng := GCJ02ToWGS84(gLat, gLng)
			assertNear(t, wLat, wLng, lat, lng, 1e-6)

			wLat, wLng = GCJ02ToWGS84(lat, lng)
			gLat, gLng = WGS84ToGCJ02(wLat, wLng)
			assertNear(t, gLat, gLng, lat, lng, 1e-6)
		}
	}
}

func TestOutOfChina(t *testing.T) {
	tests := []struct {
		name     string
		lat, lng float64
		want     bool
	}{
		{"Haikou", 20.0440, 110.3200, false},
		{"Beijing", 39.908823, 116.397470, false},
		{"Urumqi", 43.8256, 87.6168, false},
		{"London", 51.5007, -0.1246, true},
		{"Tokyo", 35.6812, 139.7671, true},
		{"Sydney", -33.8568, 151.2153, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := OutOfChina(tt.lat, tt.lng); got != tt.want {
				t.Fatalf("OutOfChina(%v, %v) = %v, want %v", tt.lat, tt.lng, got, tt.want)
			}
			// Outside China both conversions are the identity.
			if tt.want {
				lat, lng := WGS84ToGCJ02(tt.lat, tt.lng)
				assertNear(t, lat, lng, tt.lat, tt.lng, 0)
				lat, lng = GCJ02ToWGS84(tt.lat, tt.lng)
				assertNear(t, lat, lng, tt.lat, tt.lng, 0)
			}
		})
	}
}

func TestToWGS84(t *testing.T) {
	tests := []struct {
		name             string
		sys              CoordSystem
		lat, lng         float64
		wantLat, wantLng float64
		wantErr          string // the field the error names
	}{
		{"wgs84 passes through", WGS84, 20.0440, 110.3200, 20.0440, 110.3200, ""},
		{"gcj02 from wx.getLocation", GCJ02, 20.041921680985258, 110.32434664635315, 20.0440, 110.3200, ""},
		{"gcj02 outside China unchanged", GCJ02, 51.5007, -0.1246, 51.5007, -0.1246, ""},
		{"baidu bd09 is not supported", "bd09", 20.05, 110.33, 0, 0, "coord_system"},
		{"missing system", "", 20.05, 110.33, 0, 0, "coord_system"},
		{"latitude above 90", WGS84, 90.5, 110.33, 0, 0, "lat"},
		{"lat and lng swapped", GCJ02, 110.33, 20.05, 0, 0, "lat"},
		{"longitude below -180", WGS84, 20.05, -180.5, 0, 0, "lng"},
		{"NaN latitude", WGS84, math.NaN(), 110.33, 0, 0, "lat"},
		{"infinite longitude", GCJ02, 20.05, math.Inf(1), 0, 0, "lng"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lat, lng, err := ToWGS84(tt.sys, tt.lat, tt.lng)
			if tt.wantErr != "" {
				var ge *guanjia.Error
				if !errors.As(err, &ge) || ge.Field != tt.wantErr || ge.Code != guanjia.EINVALID {
					t.Fatalf("ToWGS84(%q, %v, %v) error = %v, want a 400 on %q", tt.sys, tt.lat, tt.lng, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ToWGS84(%q, %v, %v): %v", tt.sys, tt.lat, tt.lng, err)
			}
			assertNear(t, lat, lng, tt.wantLat, tt.wantLng, 1e-8)
		})
	}
}

func assertNear(t *testing.T, lat, lng, wantLat, wantLng, tolDeg float64) {
	t.Helper()
	if math.Abs(lat-wantLat) > tolDeg || math.Abs(lng-wantLng) > tolDeg {
		t.Fatalf("got (%.10f, %.10f), want (%.10f, %.10f) ± %g°", lat, lng, wantLat, wantLng, tolDeg)
	}
}
