package guanjia

import "time"

// ChinaTime is the civil time every date and clock time a citizen or an
// official reads is written in: deadlines, days of figures, numbers with a
// year, certificates. It is a fixed UTC+8 because China has kept no daylight
// saving since 1991, and a fixed zone needs no tzdata in the image.
var ChinaTime = time.FixedZone("CST", 8*3600)

// CheckTime refuses a time outside the years 1900–9999 in UTC: the database
// would store it, but JSON cannot write it back, and every page showing it
// would fail.
func CheckTime(field string, t time.Time) error {
	if y := t.UTC().Year(); y < 1900 || y > 9999 {
		return FieldError(EINVALID, field, "%s is not a time between the years 1900 and 9999", field)
	}
	return nil
}

// AddMonths adds n calendar months to t in t's location, keeping the clock
// time and the day of the month or, when the target month is shorter, taking
// its last day: 01-31 + 1 month is 02-28 (02-29 in a leap year), where
// time.AddDate would roll over into March.
func AddMonths(t time.Time, n int) time.Time {
	y, m, d := t.Date()
	first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, t.Location())
	last := first.AddDate(0, 1, -1).Day()
	return time.Date(first.Year(), first.Month(), min(d, last), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location())
}
