package guanjia_test

import (
	"testing"
	"time"

	"guanjia"
)

func TestAddMonths(t *testing.T) {
	cst := guanjia.ChinaTime
	cases := []struct {
		from   time.Time
		months int
		want   time.Time
	}{
		{time.Date(2026, 1, 31, 10, 0, 0, 0, cst), 1, time.Date(2026, 2, 28, 10, 0, 0, 0, cst)}, // no 02-31: the month's last day
		{time.Date(2028, 1, 31, 10, 0, 0, 0, cst), 1, time.Date(2028, 2, 29, 10, 0, 0, 0, cst)}, // a leap year's
		{time.Date(2026, 11, 30, 0, 0, 0, 0, cst), 3, time.Date(2027, 2, 28, 0, 0, 0, 0, cst)},  // across the year
		{time.Date(2026, 3, 31, 23, 59, 0, 0, cst), 1, time.Date(2026, 4, 30, 23, 59, 0, 0, cst)},
		{time.Date(2026, 6, 15, 14, 0, 0, 0, cst), 1, time.Date(2026, 7, 15, 14, 0, 0, 0, cst)},
		{time.Date(2026, 12, 31, 8, 0, 0, 0, cst), 12, time.Date(2027, 12, 31, 8, 0, 0, 0, cst)},
	}
	for _, c := range cases {
		got := guanjia.AddMonths(c.from, c.months)
		if !got.Equal(c.want) || got.Location() != cst {
			t.Errorf("%s + %d months = %s, want %s", c.from.Format("2006-01-02 15:04"), c.months, got.Format("2006-01-02 15:04 MST"), c.want.Format("2006-01-02 15:04"))
		}
	}
}
