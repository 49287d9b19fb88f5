package dispatch

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"guanjia"
)

// cst parses a wall-clock time in Asia/Shanghai, the zone every example below is written in.
func cst(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, shanghai())
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// The worked examples come from the 2026 State Council notice in holidays/cn.json.
func TestCalendarIsWorkday(t *testing.T) {
	c := DefaultCalendar()
	tests := []struct {
		day  string
		want bool
		why  string
	}{
		{"2026-01-01", false, "New Year's Day (Thu)"},
		{"2026-01-03", false, "New Year break (Sat)"},
		{"2026-01-04", true, "Sunday make-up workday for New Year"},
		{"2026-02-14", true, "Saturday make-up workday before Spring Festival"},
		{"2026-02-15", false, "Spring Festival starts (Sun)"},
		{"2026-02-17", false, "Spring Festival, 初一 (Tue)"},
		{"2026-02-23", false, "Spring Festival ends (Mon)"},
		{"2026-02-24", true, "first day back (Tue)"},
		{"2026-02-28", true, "Saturday make-up workday after Spring Festival"},
		{"2026-03-07", false, "ordinary Saturday"},
		{"2026-03-08", false, "ordinary Sunday"},
		{"2026-03-09", true, "ordinary Monday"},
		{"2026-05-09", true, "Saturday make-up workday for Labour Day"},
		{"2026-09-20", true, "Sunday make-up workday for National Day"},
		{"2026-09-30", true, "eve of National Day (Wed)"},
		{"2026-10-08", true, "first day back (Thu)"},
		{"2026-10-09", true, "Friday"},
		{"2026-10-10", true, "Saturday make-up workday for National Day"},
		{"2026-10-11", false, "ordinary Sunday"},
	}
	for day := 1; day <= 7; day++ {
		tests = append(tests, struct {
			day  string
			want bool
			why  string
		}{time.Date(2026, 10, day, 0, 0, 0, 0, time.UTC).Format(time.DateOnly), false, "National Day holiday"})
	}
	for _, tt := range tests {
		if got := c.IsWorkday(cst(t, tt.day+" 12:00")); got != tt.want {
			t.Errorf("IsWorkday(%s) = %v, want %v: %s", tt.day, got, tt.want, tt.why)
		}
	}
}

func TestCalendarIsWorkdayUsesCalendarZone(t *testing.T) {
	c := DefaultCalendar()
	// 17:00 UTC on Friday 10-09 is already 01:00 on Saturday 10-10 in Beijing, a make-up workday;
	// 17:00 UTC on Saturday 10-10 is Sunday 10-11 in Beijing, a day off.
	if !c.IsWorkday(time.Date(2026, 10, 9, 17, 0, 0, 0, time.UTC)) {
		t.Error("2026-10-10 01:00 CST should be a workday")
	}
	if c.IsWorkday(time.Date(2026, 10, 10, 17, 0, 0, 0, time.UTC)) {
		t.Error("2026-10-11 01:00 CST should be a day off")
	}
}

func TestCalendarAddWorking(t *testing.T) {
	c := DefaultCalendar()
	tests := []struct {
		name  string
		start string
		d     time.Duration
		want  string
	}{
		{"National Day: 1h left on 09-30, back on Thu 10-08", "2026-09-30 16:30", 2 * time.Hour, "2026-10-08 10:00"},
		{"across the lunch break", "2026-03-02 11:00", 2 * time.Hour, "2026-03-02 14:30"},
		{"start in the lunch break", "2026-03-02 12:15", 30 * time.Minute, "2026-03-02 14:00"},
		{"start before opening", "2026-03-02 07:00", time.Hour, "2026-03-02 10:00"},
		{"start after closing", "2026-03-02 18:00", time.Hour, "2026-03-03 10:00"},
		{"start on a Saturday", "2026-03-07 10:00", time.Hour, "2026-03-09 10:00"},
		{"deadline at closing stays that day", "2026-03-02 16:30", time.Hour, "2026-03-02 17:30"},
		{"one full day", "2026-03-02 09:00", 7 * time.Hour, "2026-03-02 17:30"},
		{"a working week", "2026-03-02 09:00", 35 * time.Hour, "2026-03-06 17:30"},
		{"a working week from mid-morning", "2026-03-02 10:00", 35 * time.Hour, "2026-03-09 10:00"},
		{"into the Saturday make-up day", "2026-02-13 17:00", time.Hour, "2026-02-14 09:30"},
		{"over Spring Festival", "2026-02-14 17:00", time.Hour, "2026-02-24 09:30"},
		{"over Mid-Autumn 09-25..27", "2026-09-24 17:00", time.Hour, "2026-09-28 09:30"},
		{"over Labour Day into make-up Sat 05-09", "2026-04-30 09:00", 35 * time.Hour, "2026-05-09 17:30"},
		{"zero", "2026-10-03 03:00", 0, "2026-10-03 03:00"},
		{"negative", "2026-10-03 03:00", -time.Hour, "2026-10-03 03:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := c.AddWorking(cst(t, tt.start), tt.d)
			if want := cst(t, tt.want); !got.Equal(want) {
				t.Errorf("AddWorking(%s, %v) = %s, want %s", tt.start, tt.d, got.Format(time.DateTime), tt.want)
			}
		})
	}
}

func TestCalendarAddWorkingFromOtherZone(t *testing.T) {
	// 08:30 UTC is 16:30 in Beijing: the same National Day example, given as a UTC instant.
	got := DefaultCalendar().AddWorking(time.Date(2026, 9, 30, 8, 30, 0, 0, time.UTC), 2*time.Hour)
	if want := cst(t, "2026-10-08 10:00"); !got.Equal(want) {
		t.Errorf("got %s, want %s", got, want)
	}
	if got.Location() != shanghai() {
		t.Errorf("result in %s, want the calendar's zone", got.Location())
	}
}

func TestCalendarAddWorkdays(t *testing.T) {
	c := DefaultCalendar()
	tests := []struct {
		start string
		n     int
		want  string
		why   string
	}{
		{"2026-09-30 10:00", 1, "2026-10-08 17:30", "National Day holiday skipped"},
		{"2026-09-30 10:00", 3, "2026-10-10 17:30", "Saturday 10-10 is a make-up workday"},
		{"2026-09-30 10:00", 4, "2026-10-12 17:30", "Sunday 10-11 is not"},
		{"2026-02-13 16:00", 1, "2026-02-14 17:30", "Saturday 02-14 is a make-up workday"},
		{"2026-02-13 16:00", 2, "2026-02-24 17:30", "Spring Festival skipped"},
		{"2026-04-30 10:00", 4, "2026-05-09 17:30", "Labour Day skipped, make-up Saturday counts"},
		{"2026-03-07 10:00", 1, "2026-03-09 17:30", "from a Saturday, Monday is the first"},
		{"2026-03-02 20:00", 1, "2026-03-03 17:30", "counting starts from the next day"},
		{"2026-03-02 10:00", 0, "2026-03-02 10:00", "n = 0 is start"},
	}
	for _, tt := range tests {
		got := c.AddWorkdays(cst(t, tt.start), tt.n)
		if want := cst(t, tt.want); !got.Equal(want) {
			t.Errorf("AddWorkdays(%s, %d) = %s, want %s: %s", tt.start, tt.n, got.Format(time.DateTime), tt.want, tt.why)
		}
	}
}

func TestCalendarWorkingBetween(t *testing.T) {
	c := DefaultCalendar()
	tests := []struct {
		a, b string
		want time.Duration
		why  string
	}{
		{"2026-09-30 16:30", "2026-10-08 10:00", 2 * time.Hour, "National Day example"},
		{"2026-10-08 10:00", "2026-09-30 16:30", -2 * time.Hour, "reversed is negative"},
		{"2026-03-02 11:00", "2026-03-02 14:30", 2 * time.Hour, "lunch does not count"},
		{"2026-03-02 00:00", "2026-03-09 00:00", 35 * time.Hour, "an ordinary week"},
		{"2026-10-01 00:00", "2026-10-08 00:00", 0, "the National Day week"},
		{"2026-02-14 00:00", "2026-02-28 18:00", 42 * time.Hour, "02-14, 02-24..28: six workdays"},
		{"2026-03-07 08:00", "2026-03-08 20:00", 0, "a weekend"},
		{"2026-03-02 10:00", "2026-03-02 10:00", 0, "empty"},
	}
	for _, tt := range tests {
		if got := c.WorkingBetween(cst(t, tt.a), cst(t, tt.b)); got != tt.want {
			t.Errorf("WorkingBetween(%s, %s) = %v, want %v: %s", tt.a, tt.b, got, tt.want, tt.why)
		}
	}
}

func TestCalendarWorkingBetweenInvertsAddWorking(t *testing.T) {
	c := DefaultCalendar()
	rng := rand.New(rand.NewPCG(2026, 10))
	from := cst(t, "2025-12-01 00:00")
	span := cst(t, "2027-03-01 00:00").Sub(from) // crosses into an unknown year too
	for range 5000 {
		s := from.Add(time.Duration(rng.Int64N(int64(span))))
		d := time.Duration(rng.Int64N(int64(300 * time.Hour)))
		if rng.IntN(4) == 0 {
			d = d.Truncate(30 * time.Minute) // land exactly on period boundaries too
		}
		e := c.AddWorking(s, d)
		if got := c.WorkingBetween(s, e); got != d {
			t.Fatalf("WorkingBetween(%s, AddWorking(s, %v) = %s) = %v", s, d, e, got)
		}
		if d > 0 && !c.IsWorkday(e) {
			t.Fatalf("AddWorking(%s, %v) = %s, not a workday", s, d, e)
		}
	}
}

func TestCalendarUnknownYear(t *testing.T) {
	// Years far from the present, so a newly shipped schedule never turns this red.
	c := DefaultCalendar()
	for year, want := range map[int]bool{1999: false, 2026: true, 2099: false} {
		if got := c.KnownYear(year); got != want {
			t.Errorf("KnownYear(%d) = %v, want %v", year, got, want)
		}
	}
	// 2099 has no notice: New Year's Day (Thu) counts as a workday, weekends do not.
	if !c.IsWorkday(cst(t, "2099-01-01 12:00")) || c.IsWorkday(cst(t, "2099-01-03 12:00")) {
		t.Error("2099 should fall back to Mon–Fri")
	}
	if got, want := c.AddWorking(cst(t, "2099-01-02 17:00"), time.Hour), cst(t, "2099-01-05 09:30"); !got.Equal(want) {
		t.Errorf("AddWorking in 2099 = %s, want %s", got, want)
	}
}

func TestCalendarCustomHours(t *testing.T) {
	// A round-the-clock hotline in UTC still rests on holidays and works make-up days.
	c := NewCalendar(EmbeddedHolidays(), time.UTC, []WorkPeriod{{0, 24 * time.Hour}})
	got := c.AddWorking(time.Date(2026, 9, 30, 20, 0, 0, 0, time.UTC), 10*time.Hour)
	if want := time.Date(2026, 10, 8, 6, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("got %s, want %s", got, want)
	}
	// Periods given out of order are sorted.
	c = NewCalendar(Holidays{}, nil, []WorkPeriod{DefaultWorkHours[1], DefaultWorkHours[0]})
	if got, want := c.AddWorking(cst(t, "2026-03-02 11:00"), 2*time.Hour), cst(t, "2026-03-02 14:30"); !got.Equal(want) {
		t.Errorf("unsorted periods: got %s, want %s", got, want)
	}
	for _, bad := range [][]WorkPeriod{
		{{9 * time.Hour, 9 * time.Hour}},
		{{9 * time.Hour, 12 * time.Hour}, {11 * time.Hour, 13 * time.Hour}},
		{{20 * time.Hour, 25 * time.Hour}},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("NewCalendar(%v) did not panic", bad)
				}
			}()
			NewCalendar(Holidays{}, nil, bad)
		}()
	}
}

func TestCalendarEmbeddedHolidays(t *testing.T) {
	h := EmbeddedHolidays()
	if !strings.Contains(h.Source, "2026") || len(h.Years()) == 0 {
		t.Errorf("source %q, years %v", h.Source, h.Years())
	}
	holidays, workdays := 0, 0
	for _, d := range h.days {
		if d.year == 2026 && d.work {
			workdays++
		} else if d.year == 2026 {
			holidays++
		}
	}
	// The 2026 notice: 3+9+3+5+3+3+7 days off, 6 make-up workdays.
	if holidays != 33 || workdays != 6 {
		t.Errorf("2026: %d holidays, %d workdays; want 33, 6", holidays, workdays)
	}
}

func TestCalendarParseHolidays(t *testing.T) {
	tests := []struct {
		name, json string
		wantErr    string
	}{
		{"valid", `{"source":"x","2027":{"holidays":["2027-01-01"],"workdays":[]}}`, ""},
		{"December of the year before", `{"2019":{"holidays":["2019-01-01"],"workdays":["2018-12-29"]}}`, ""},
		{"both holiday and workday", `{"2027":{"holidays":["2027-02-06"],"workdays":["2027-02-06"]}}`, "both"},
		{"malformed JSON", `{"2027":{"holidays":["2027-01-01"]`, "holidays"},
		{"empty input", ``, "holidays"},
		{"bad date", `{"2027":{"holidays":["2027-02-30"]}}`, "bad date"},
		{"not ISO", `{"2027":{"holidays":["2027/01/01"]}}`, "bad date"},
		{"far from the year", `{"2027":{"holidays":["2029-01-01"]}}`, "too far"},
		{"key not a year", `{"2O27":{"holidays":[]}}`, "neither"},
		{"misspelt list", `{"2027":{"holidays":[],"workday":["2027-02-07"]}}`, "unknown field"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseHolidays(strings.NewReader(tt.json))
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
			}
			if code := guanjia.ErrorCode(err); code != guanjia.EINVALID {
				t.Errorf("code = %s, want %s", code, guanjia.EINVALID)
			}
		})
	}
}

func TestCalendarMergeHolidays(t *testing.T) {
	// Next year's notice dropped in as a file, and a corrected 2026 that moves one make-up day.
	path := filepath.Join(t.TempDir(), "extra.json")
	extra := `{"source":"2027 notice","2027":{"holidays":["2027-01-01"],"workdays":["2027-01-02"]},
		"2026":{"holidays":["2026-10-01"],"workdays":[]}}`
	if err := os.WriteFile(path, []byte(extra), 0o600); err != nil {
		t.Fatal(err)
	}
	h, err := LoadHolidays(path)
	if err != nil {
		t.Fatal(err)
	}
	c := NewCalendar(h, nil, nil)
	if !c.KnownYear(2026) || !c.KnownYear(2027) {
		t.Errorf("years %v, want 2026 and 2027", h.Years())
	}
	tests := []struct {
		day  string
		want bool
	}{
		{"2027-01-01", false}, // new holiday
		{"2027-01-02", true},  // new make-up Saturday
		{"2026-10-01", false}, // kept by the replacement 2026
		{"2026-10-02", true},  // Friday: the replacement 2026 no longer lists it
		{"2026-10-10", false}, // Saturday: the replacement dropped the make-up day
	}
	for _, tt := range tests {
		if got := c.IsWorkday(cst(t, tt.day+" 12:00")); got != tt.want {
			t.Errorf("IsWorkday(%s) = %v, want %v", tt.day, got, tt.want)
		}
	}
	if !strings.Contains(h.Source, "2027 notice") {
		t.Errorf("source %q lost the file's notice", h.Source)
	}
	if _, err := LoadHolidays(filepath.Join(t.TempDir(), "missing.json")); err == nil {
		t.Error("LoadHolidays of a missing file: no error")
	}
	if h, err := LoadHolidays(""); err != nil || !slices.Equal(h.Years(), []int{2026}) {
		t.Errorf("LoadHolidays(\"\") = %v, %v", h.Years(), err)
	}
}

func BenchmarkCalendarAddWorkingYear(b *testing.B) {
	c := DefaultCalendar()
	start := time.Date(2026, 1, 5, 9, 0, 0, 0, shanghai())
	for b.Loop() {
		c.AddWorking(start, 250*7*time.Hour)
	}
}
