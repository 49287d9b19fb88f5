package dispatch

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"sync"
	"time"

	"guanjia"
)

// The State Council publishes each year's schedule in Oct–Dec, so it ships as
// data: the embedded file covers known years and LoadHolidays adds newer ones.
//
//go:embed holidays/cn.json
var embeddedHolidays []byte

// Holidays is the official holiday schedule: days off and 调休 make-up
// workdays, by year. The zero value knows no year (plain weekends).
type Holidays struct {
	Source string         // the notice(s) the dates come from
	years  map[int]bool   // years whose schedule is loaded
	days   map[int]listed // by yyyymmdd
}

type listed struct {
	work bool // a make-up workday, else a day off
	year int  // the schedule that lists it, which Merge replaces as a whole
}

// ParseHolidays reads a schedule shaped like holidays/cn.json:
// {"source": "...", "2027": {"holidays": ["2027-01-01", ...], "workdays": [...]}}.
func ParseHolidays(r io.Reader) (Holidays, error) {
	var raw map[string]json.RawMessage
	if err := json.NewDecoder(r).Decode(&raw); err != nil {
		return Holidays{}, guanjia.Errorf(guanjia.EINVALID, "holidays: %v", err)
	}
	h := Holidays{years: map[int]bool{}, days: map[int]listed{}}
	for key, msg := range raw {
		if key == "source" {
			if err := json.Unmarshal(msg, &h.Source); err != nil {
				return Holidays{}, guanjia.Errorf(guanjia.EINVALID, "holidays: source: %v", err)
			}
			continue
		}
		year, err := strconv.Atoi(key)
		if err != nil || year < 1000 || year > 9999 {
			return Holidays{}, guanjia.Errorf(guanjia.EINVALID, "holidays: key %q is neither \"source\" nor a year", key)
		}
		var lists struct{ Holidays, Workdays []string }
		dec := json.NewDecoder(bytes.NewReader(msg))
		dec.DisallowUnknownFields() // a misspelt "workday" must not silently drop the make-up days
		if err := dec.Decode(&lists); err != nil {
			return Holidays{}, guanjia.Errorf(guanjia.EINVALID, "holidays %d: %v", year, err)
		}
		h.years[year] = true
		for _, l := range []struct {
			dates []string
			work  bool
		}{{lists.Holidays, false}, {lists.Workdays, true}} {
			for _, s := range l.dates {
				t, err := time.Parse(time.DateOnly, s)
				if err != nil {
					return Holidays{}, guanjia.Errorf(guanjia.EINVALID, "holidays %d: bad date %q", year, s)
				} else if t.Year() < year-1 || t.Year() > year+1 {
					// Adjacent years are fine: the 2019 notice made 2018-12-29 a workday.
					return Holidays{}, guanjia.Errorf(guanjia.EINVALID, "holidays %d: %s is too far from that year", year, s)
				}
				if prev, seen := h.days[dayKey(t)]; seen && prev.work != l.work {
					return Holidays{}, guanjia.Errorf(guanjia.EINVALID, "holidays %d: %s is both a holiday and a workday", year, s)
				}
				h.days[dayKey(t)] = listed{l.work, year}
			}
		}
	}
	return h, nil
}

// EmbeddedHolidays returns the schedule shipped with the binary.
func EmbeddedHolidays() Holidays {
	h, err := ParseHolidays(bytes.NewReader(embeddedHolidays))
	if err != nil {
		panic("dispatch: embedded holidays/cn.json: " + err.Error()) // caught by the tests
	}
	return h
}

// LoadHolidays returns the embedded schedule with the file at path, if path is
// not empty, merged over it.
func LoadHolidays(path string) (Holidays, error) {
	h := EmbeddedHolidays()
	if path == "" {
		return h, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return Holidays{}, fmt.Errorf("dispatch: load holidays: %w", err)
	}
	defer f.Close()
	extra, err := ParseHolidays(f)
	if err != nil {
		return Holidays{}, fmt.Errorf("dispatch: load holidays %s: %w", path, err)
	}
	return h.Merge(extra), nil
}

// Merge returns h with the years of over replacing its own. A year is replaced
// whole, not mixed, because a corrected notice supersedes the earlier one.
func (h Holidays) Merge(over Holidays) Holidays {
	m := Holidays{Source: h.Source, years: map[int]bool{}, days: map[int]listed{}}
	if over.Source != "" && over.Source != h.Source {
		m.Source = over.Source
		if h.Source != "" {
			m.Source = h.Source + "; " + over.Source
		}
	}
	for y := range h.years {
		m.years[y] = true
	}
	for k, d := range h.days {
		if !over.years[d.year] {
			m.days[k] = d
		}
	}
	for y := range over.years {
		m.years[y] = true
	}
	for k, d := range over.days {
		m.days[k] = d
	}
	return m
}

// Years lists the years whose schedule is loaded, in order.
func (h Holidays) Years() []int {
	ys := make([]int, 0, len(h.years))
	for y := range h.years {
		ys = append(ys, y)
	}
	slices.Sort(ys)
	return ys
}

// WorkPeriod is a span of working time within a day, as wall-clock offsets
// from midnight (so 9*time.Hour is 09:00 even on a DST change day).
type WorkPeriod struct {
	Start, End time.Duration
}

// DefaultWorkHours are the usual office hours of a street office: 7 hours a day.
var DefaultWorkHours = []WorkPeriod{
	{9 * time.Hour, 12 * time.Hour},
	{13*time.Hour + 30*time.Minute, 17*time.Hour + 30*time.Minute},
}

var shanghai = sync.OnceValue(func() *time.Location {
	if loc, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return loc
	}
	return guanjia.ChinaTime // no tzdata in the image
})

// Calendar counts working time (工作时, 工作日) for deadlines.
type Calendar struct {
	h      Holidays
	loc    *time.Location
	hours  []WorkPeriod
	dayLen time.Duration // working time in one workday
}

// NewCalendar builds a calendar; nil loc means Asia/Shanghai and empty hours
// DefaultWorkHours. It panics if periods are out of 0–24h or overlap, as a
// calendar that cannot count would mis-time every deadline.
func NewCalendar(h Holidays, loc *time.Location, hours []WorkPeriod) *Calendar {
	if loc == nil {
		loc = shanghai()
	}
	if len(hours) == 0 {
		hours = DefaultWorkHours
	}
	c := &Calendar{h: h, loc: loc, hours: slices.Clone(hours)}
	slices.SortFunc(c.hours, func(a, b WorkPeriod) int { return int(a.Start - b.Start) })
	for i, p := range c.hours {
		if p.Start < 0 || p.End <= p.Start || p.End > 24*time.Hour || i > 0 && p.Start < c.hours[i-1].End {
			panic(fmt.Sprintf("dispatch: invalid work periods %v", hours))
		}
		c.dayLen += p.End - p.Start
	}
	return c
}

// DefaultCalendar is the embedded schedule in Asia/Shanghai with DefaultWorkHours.
func DefaultCalendar() *Calendar {
	return NewCalendar(EmbeddedHolidays(), shanghai(), DefaultWorkHours)
}

// Location is the time zone the calendar counts days in.
func (c *Calendar) Location() *time.Location { return c.loc }

// clock formats an instant the way people in the calendar's city read it.
func (c *Calendar) clock(t time.Time) string { return t.In(c.loc).Format("2006-01-02 15:04") }

// KnownYear reports whether the official schedule for year is loaded; other
// years count Mon–Fri only, which callers should flag.
func (c *Calendar) KnownYear(year int) bool { return c.h.years[year] }

// IsWorkday reports whether t's day, in the calendar's location, is a workday.
func (c *Calendar) IsWorkday(t time.Time) bool { return c.workday(c.dayOf(t)) }

// AddWorking returns the instant when d of working time has elapsed from
// start, in the calendar's location. Time outside work periods does not
// count; a deadline that falls on a period's end stays at that end.
func (c *Calendar) AddWorking(start time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return start
	}
	start = start.In(c.loc)
	day := c.dayOf(start)
	for range c.dayLimit(int(d/c.dayLen) + 2) {
		if c.workday(day) {
			if d > c.dayLen && !start.After(c.at(day, c.hours[0].Start)) {
				d -= c.dayLen // a whole day: skip the walk through its periods
			} else {
				for _, p := range c.hours {
					from, end := later(start, c.at(day, p.Start)), c.at(day, p.End)
					if !from.Before(end) {
						continue
					} else if d <= end.Sub(from) {
						return from.Add(d)
					}
					d -= end.Sub(from)
				}
			}
		}
		day = day.AddDate(0, 0, 1)
	}
	panic("dispatch: AddWorking exceeded its day bound")
}

// AddWorkdays returns the close of the n-th workday after start's day, the
// usual reading of "within n 工作日". n <= 0 returns start.
func (c *Calendar) AddWorkdays(start time.Time, n int) time.Time {
	if n <= 0 {
		return start
	}
	day := c.dayOf(start)
	for range c.dayLimit(n) {
		if day = day.AddDate(0, 0, 1); c.workday(day) {
			if n--; n == 0 {
				return c.at(day, c.hours[len(c.hours)-1].End)
			}
		}
	}
	panic("dispatch: AddWorkdays exceeded its day bound")
}

// WorkingBetween returns the working time from a to b, negative if b is
// before a (an overdue case has negative time left).
func (c *Calendar) WorkingBetween(a, b time.Time) time.Duration {
	if b.Before(a) {
		return -c.WorkingBetween(b, a)
	}
	var sum time.Duration
	first, last := c.dayOf(a), c.dayOf(b)
	for day := first; !day.After(last); day = day.AddDate(0, 0, 1) {
		if !c.workday(day) {
			continue
		} else if day.After(first) && day.Before(last) {
			sum += c.dayLen
			continue
		}
		for _, p := range c.hours {
			from, end := later(a, c.at(day, p.Start)), c.at(day, p.End)
			if b.Before(end) {
				end = b
			}
			if from.Before(end) {
				sum += end.Sub(from)
			}
		}
	}
	return sum
}

// dayLimit bounds the days walked to find n workdays. In D consecutive days at
// least 5*(D/7) are Mon–Fri, and at most len(days) of them are listed holidays,
// so D = 7*(n+listed)/5 + 7 always holds n workdays.
func (c *Calendar) dayLimit(n int) int { return 7*(n+len(c.h.days))/5 + 7 }

func (c *Calendar) workday(day time.Time) bool {
	if d, ok := c.h.days[dayKey(day)]; ok {
		return d.work
	}
	return day.Weekday() != time.Saturday && day.Weekday() != time.Sunday
}

// dayOf returns t's date in the calendar's location as midnight UTC, which
// steps by whole days without DST surprises.
func (c *Calendar) dayOf(t time.Time) time.Time {
	y, m, d := t.In(c.loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// at returns the instant at wall-clock offset off on day; time.Date normalises
// the nanoseconds as wall-clock time, so DST days come out right.
func (c *Calendar) at(day time.Time, off time.Duration) time.Time {
	y, m, d := day.Date()
	return time.Date(y, m, d, 0, 0, 0, int(off), c.loc)
}

func dayKey(t time.Time) int {
	y, m, d := t.Date()
	return y*10000 + int(m)*100 + d
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
