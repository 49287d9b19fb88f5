package volunteer

import (
	"context"
	"math"
	"strconv"
	"strings"
	"time"

	"guanjia"
)

// RoundMode says which way credited time is rounded to the step.
type RoundMode string

// MaxLedgerRows bounds the entries a ledger lists (the newest); its totals
// count every entry.
const MaxLedgerRows = 5000

const (
	RoundDown    RoundMode = "down" // never credit time not served (the default)
	RoundNearest RoundMode = "nearest"
	RoundUp      RoundMode = "up"
)

// Rounding of credited time, e.g. down to half hours.
type Rounding struct {
	Step time.Duration // 0 or less: whole minutes
	Mode RoundMode
}

// round applies r to d, in whole minutes.
func (r Rounding) round(d time.Duration) time.Duration {
	step := r.Step
	if step < time.Minute {
		step = time.Minute
	}
	n := float64(d) / float64(step)
	switch r.Mode {
	case RoundUp:
		n = math.Ceil(n - 1e-9)
	case RoundNearest:
		n = math.Floor(n + 0.5)
	default:
		n = math.Floor(n + 1e-9)
	}
	return time.Duration(n) * step
}

// CreditedMinutes is the service time of one attendance:
// min(checkout, end) − max(checkin, start), rounded by r and never more than
// the scheduled length (rounding up cannot add time that was not scheduled).
func CreditedMinutes(checkin, checkout, start, end time.Time, r Rounding) int {
	from, to := checkin, checkout
	if start.After(from) {
		from = start
	}
	if end.Before(to) {
		to = end
	}
	if !to.After(from) {
		return 0
	}
	d := min(r.round(to.Sub(from)), end.Sub(start))
	return int(d / time.Minute)
}

// hoursText renders minutes as hours for people: 150 → "2.5".
func hoursText(minutes int) string {
	return strconv.FormatFloat(math.Round(float64(minutes)/60*100)/100, 'f', -1, 64)
}

// HoursSummary is a volunteer's (or a team's) record.
type HoursSummary struct {
	Totals  guanjia.HoursTotals
	Month   guanjia.HoursTotals // entries made this calendar month (Asia/Shanghai)
	Entries []*guanjia.HoursEntry
}

// MyHours returns who's ledger and totals.
func (s *Hours) MyHours(ctx context.Context, who guanjia.Claims) (*HoursSummary, error) {
	return s.summary(ctx, HoursFilter{UserID: who.UserID})
}

// TeamHours returns a team's ledger and totals for its admins.
func (s *Hours) TeamHours(ctx context.Context, who guanjia.Claims, teamID int64) (*HoursSummary, error) {
	if ok, err := s.isTeamAdmin(ctx, who, teamID); err != nil {
		return nil, err
	} else if !ok {
		return nil, guanjia.Errorf(guanjia.EFORBIDDEN, "only the team's admins see its ledger")
	}
	return s.summary(ctx, HoursFilter{TeamID: teamID})
}

func (s *Hours) summary(ctx context.Context, f HoursFilter) (*HoursSummary, error) {
	entries, err := s.Store.ListHours(ctx, f)
	if err != nil {
		return nil, err
	}
	totals, err := s.Store.SumHours(ctx, f)
	if err != nil {
		return nil, err
	}
	since := monthStart(s.now())
	f.Since = &since
	month, err := s.Store.SumHours(ctx, f)
	if err != nil {
		return nil, err
	}
	return &HoursSummary{Totals: totals, Month: month, Entries: entries}, nil
}

// monthStart is the first instant of now's month in Haikou, in UTC.
func monthStart(now time.Time) time.Time {
	l := now.In(guanjia.ChinaTime)
	return time.Date(l.Year(), l.Month(), 1, 0, 0, 0, 0, guanjia.ChinaTime).UTC()
}

// HonorInput is a 荣誉时长 entry by a team admin.
type HonorInput struct {
	TeamID     int64
	UserID     int64
	ActivityID int64 // optional: the activity it is for
	Minutes    int
	Reason     string
}

// AddHonorHours credits 荣誉时长 to a member of the caller's team: positive,
// at most Config.HonorCap per entry, with a reason.
func (s *Hours) AddHonorHours(ctx context.Context, who guanjia.Claims, in HonorInput) (*guanjia.HoursEntry, error) {
	if ok, err := s.isTeamAdmin(ctx, who, in.TeamID); err != nil {
		return nil, err
	} else if !ok {
		return nil, guanjia.Errorf(guanjia.EFORBIDDEN, "only the team's admins enter 荣誉时长")
	}
	if err := notOwnHours(who, in.UserID); err != nil {
		return nil, err
	}
	if err := requireReason(in.Reason); err != nil {
		return nil, err
	}
	if in.Minutes <= 0 {
		return nil, guanjia.FieldError(guanjia.EINVALID, "hours", "hours must be positive")
	}
	if cap := int(s.Config.HonorCap / time.Minute); in.Minutes > cap {
		return nil, guanjia.FieldError(guanjia.EINVALID, "hours", "one entry credits at most %s h of 荣誉时长", hoursText(cap))
	}
	if _, err := s.Store.FindTeamMember(ctx, in.TeamID, in.UserID); guanjia.ErrorCode(err) == guanjia.ENOTFOUND {
		return nil, guanjia.FieldError(guanjia.EINVALID, "user_id", "user %d is not a member of the team", in.UserID)
	} else if err != nil {
		return nil, err
	}
	e := &guanjia.HoursEntry{UserID: in.UserID, TeamID: in.TeamID, Kind: guanjia.HoursHonor, Source: guanjia.HoursFromEntry,
		Minutes: in.Minutes, Reason: strings.TrimSpace(in.Reason), EnteredBy: actorID(who), CreatedAt: s.now()}
	if in.ActivityID != 0 {
		a, err := s.Store.FindActivity(ctx, in.ActivityID)
		if err != nil || a.TeamID != in.TeamID {
			return nil, guanjia.FieldError(guanjia.EINVALID, "activity_id", "activity %d is not the team's", in.ActivityID)
		}
		e.ActivityID = &a.ID
	}
	told := message(e.UserID, guanjia.TplHoursCredited, map[string]string{"activity": "荣誉时长: " + e.Reason,
		"hours": hoursText(e.Minutes), "time": localTime(e.CreatedAt)})
	queued, err := s.Store.AddHours(ctx, e, []guanjia.Message{told})
	if err != nil {
		return nil, err
	}
	s.deliver(ctx, queued)
	return e, nil
}

// notOwnHours refuses an admin's entry on their own ledger: hours go on
// certificates, so another of the team's admins, or the platform's, enters them.
func notOwnHours(who guanjia.Claims, userID int64) error {
	if who.UserID == userID {
		return guanjia.FieldError(guanjia.EFORBIDDEN, "user_id", "another admin enters or corrects your own hours")
	}
	return nil
}

// CorrectHours appends a correction of entry id: delta minutes (either sign)
// with a reason. The entry and its corrections may not go below zero, nor
// above the scheduled length (credit) or the cap (honor).
func (s *Hours) CorrectHours(ctx context.Context, who guanjia.Claims, id int64, delta int, reason string) (*guanjia.HoursEntry, error) {
	orig, err := s.Store.FindHours(ctx, id)
	if err != nil {
		return nil, err
	}
	if ok, err := s.isTeamAdmin(ctx, who, orig.TeamID); err != nil {
		return nil, err
	} else if !ok {
		return nil, guanjia.Errorf(guanjia.EFORBIDDEN, "only the team's admins correct its ledger")
	}
	if orig.CorrectsID != nil {
		return nil, guanjia.Errorf(guanjia.EINVALID, "correct the original entry %d, not a correction", *orig.CorrectsID)
	}
	if err := notOwnHours(who, orig.UserID); err != nil {
		return nil, err
	}
	if err := requireReason(reason); err != nil {
		return nil, err
	}
	if delta == 0 {
		return nil, guanjia.FieldError(guanjia.EINVALID, "hours", "a correction changes the hours")
	}
	limit := int(s.Config.HonorCap / time.Minute)
	if orig.Kind == guanjia.HoursCredit && orig.ActivityID != nil {
		a, err := s.Store.FindActivity(ctx, *orig.ActivityID)
		if err != nil {
			return nil, err
		}
		limit = int(a.EndAt.Sub(a.StartAt) / time.Minute)
	}
	e := &guanjia.HoursEntry{UserID: orig.UserID, TeamID: orig.TeamID, ActivityID: orig.ActivityID, Kind: orig.Kind,
		Source: guanjia.HoursFromCorrection, Minutes: delta, Reason: strings.TrimSpace(reason), CorrectsID: &orig.ID,
		EnteredBy: actorID(who), CreatedAt: s.now()}
	err = s.Store.AddCorrection(ctx, e, func(total int) error {
		switch {
		case total+delta < 0:
			return guanjia.FieldError(guanjia.EINVALID, "hours", "the entry would fall below zero (now %s h)", hoursText(total))
		case total+delta > limit:
			return guanjia.FieldError(guanjia.EINVALID, "hours", "the entry would exceed its cap of %s h", hoursText(limit))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}
