package guanjia_test

import (
	"testing"
	"time"

	"guanjia"
)

func TestAddMonths(t *testing.T) {
	at := func(s string) time.Time {
		t.Helper()
		v, err := time.ParseInLocation("2006-01-02 15:04", s, guanjia.ChinaTime)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	cases := []struct {
		from   string
		months int
		want   string
	}{
		{"2026-01-31 10:00", 1, "2026-02-28 10:00"}, // no 02-31: the month's last day
		{"2028-01-31 10:00", 1, "2028-02-29 10:00"}, // a leap year's
		{"2026-11-30 00:00", 3, "2027-02-28 00:00"}, // across the year
		{"2026-03-31 23:59", 1, "2026-04-30 23:59"},
		{"2026-06-15 14:00", 1, "2026-07-15 14:00"},
		{"2026-12-31 08:00", 12, "2027-12-31 08:00"},
	}
	for _, c := range cases {
		got := guanjia.AddMonths(at(c.from), c.months)
		if !got.Equal(at(c.want)) || got.Location() != guanjia.ChinaTime {
			t.Errorf("%s + %d months = %s, want %s", c.from, c.months, got.Format("2006-01-02 15:04 MST"), c.want)
		}
	}
}
