package volunteer

import (
	"testing"
	"time"
)

func TestCreditedMinutes(t *testing.T) {
	day := time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)
	at := func(h, m int) time.Time { return day.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute) }
	start, end := at(9, 0), at(12, 0)
	half := Rounding{Step: 30 * time.Minute, Mode: RoundDown}
	tests := []struct {
		name              string
		checkin, checkout time.Time
		start, end        time.Time
		r                 Rounding
		want              int
	}{
		{"on time, whole activity", at(9, 0), at(12, 0), start, end, half, 180},
		{"early arrival counts from the start", at(8, 35), at(12, 0), start, end, half, 180},
		{"late check-out counts to the end", at(9, 0), at(13, 40), start, end, half, 180},
		{"late arrival, early leave", at(9, 20), at(11, 10), start, end, half, 90},                             // 1h50 → 1.5 h
		{"rounded down to the half hour", at(9, 0), at(11, 29), start, end, half, 120},                         // 2h29 → 2 h
		{"nearest half hour", at(9, 0), at(11, 15), start, end, Rounding{30 * time.Minute, RoundNearest}, 150}, // 2h15 → 2.5 h
		{"nearest stays below", at(9, 0), at(11, 14), start, end, Rounding{30 * time.Minute, RoundNearest}, 120},
		{"up never beyond the schedule", at(9, 0), at(11, 10), at(9, 0), at(11, 10), Rounding{time.Hour, RoundUp}, 130},
		{"whole minutes when no step", at(9, 7), at(10, 0), start, end, Rounding{}, 53},
		{"left before it started", at(8, 0), at(8, 50), start, end, half, 0},
		{"came after it ended", at(12, 5), at(12, 30), start, end, half, 0},
		{"check-out before check-in", at(10, 0), at(9, 30), start, end, half, 0},
	}
	for _, tt := range tests {
		if got := CreditedMinutes(tt.checkin, tt.checkout, tt.start, tt.end, tt.r); got != tt.want {
			t.Errorf("%s: %d minutes, want %d", tt.name, got, tt.want)
		}
	}
}

func TestHoursText(t *testing.T) {
	for minutes, want := range map[int]string{150: "2.5", 60: "1", 0: "0", 100: "1.67", -30: "-0.5"} {
		if got := hoursText(minutes); got != want {
			t.Errorf("hoursText(%d) = %q, want %q", minutes, got, want)
		}
	}
}
