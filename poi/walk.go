package poi

import (
	"math"
	"time"

	"guanjia/geo"
)

// The walking model. guanjia has no street network, so a walk is estimated
// from the straight-line (great-circle) distance:
//
//	walked metres  = straight metres × DetourFactor
//	walking time   = walked metres ÷ WalkingSpeed
//
// DetourFactor 1.3 is the usual ratio of network to straight-line distance in
// a city grid; 1.2 m/s (4.3 km/h) is an unhurried adult's pace, slower than the
// 1.3–1.4 m/s of traffic-signal design, to allow for the elderly and for
// crossings. So 15 minutes is 900 s × 1.2 m/s = 1080 m walked, which is
// 1080 ÷ 1.3 ≈ 831 m in a straight line: WithinStraightM.
const (
	DetourFactor = 1.3
	WalkingSpeed = 1.2 // metres per second
	Walk         = 15 * time.Minute
)

// WithinWalkedM is how far one walks in Walk; WithinStraightM is the
// straight-line radius that takes Walk to walk.
const (
	WithinWalkedM   = WalkingSpeed * float64(Walk/time.Second)
	WithinStraightM = WithinWalkedM / DetourFactor
)

// Walking is the model's estimate of a walk between two WGS-84 points.
type Walking struct {
	StraightM float64 // great-circle distance
	WalkedM   float64 // StraightM × DetourFactor
	Minutes   int     // WalkedM at WalkingSpeed, rounded up: a 14.2-minute walk is "15 分钟"
}

// WalkBetween estimates the walk from (lat1, lng1) to (lat2, lng2).
func WalkBetween(lat1, lng1, lat2, lng2 float64) Walking {
	straight := geo.Distance(lat1, lng1, lat2, lng2)
	walked := straight * DetourFactor
	return Walking{StraightM: straight, WalkedM: walked, Minutes: int(math.Ceil(walked / WalkingSpeed / 60))}
}

// InReach reports whether the walk takes at most Walk.
func (w Walking) InReach() bool { return w.StraightM <= WithinStraightM }
