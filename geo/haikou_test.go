package geo

import "testing"

func TestInServiceArea(t *testing.T) {
	tests := []struct {
		name     string
		lat, lng float64
		want     bool
	}{
		{"Haikou Xiuying", 20.0440, 110.3200, true},
		{"Haikou Meilan airport", 19.9349, 110.4590, true},
		{"Beijing Tiananmen", 39.908823, 116.397470, false},
		{"Sanya", 18.2528, 109.5119, false},
		{"lat and lng swapped", 110.3200, 20.0440, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := InServiceArea(tt.lat, tt.lng); got != tt.want {
				t.Fatalf("InServiceArea(%v, %v) = %v, want %v", tt.lat, tt.lng, got, tt.want)
			}
		})
	}
}
