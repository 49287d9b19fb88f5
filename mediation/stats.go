package mediation

import (
	"context"
	"sort"
	"time"

	"guanjia"
)

// The figures, defined once (the README's 大调解 section repeats them):
//
//	handled        disputes accepted (受理) in the period
//	succeeded      of those, mediated to an agreement (调解成功), whatever came after
//	failed         of those, 调解不成
//	withdrawn      of those, withdrawn before an outcome
//	resolved       succeeded: the disputes 化解 (the case's "resolved")
//	concluded      succeeded + failed + withdrawn: 办结
//	success_rate   调处成功率 = succeeded ÷ (succeeded + failed); null when neither
//	pre_litigation succeeded disputes that did not come from a court: mediated
//	               before any litigation (诉前)

// Counts are the figures of one slice of disputes.
type Counts struct {
	Handled       int      `json:"handled"`
	Resolved      int      `json:"resolved"`
	Succeeded     int      `json:"succeeded"`
	Failed        int      `json:"failed"`
	Withdrawn     int      `json:"withdrawn"`
	Concluded     int      `json:"concluded"`
	SuccessRate   *float64 `json:"success_rate"`
	PreLitigation int      `json:"pre_litigation"`
}

// add counts d.
func (c *Counts) add(d *guanjia.Dispute) {
	c.Handled++
	switch {
	case d.Result == "success":
		c.Succeeded++
		if d.Source != guanjia.DisputeFromCourt {
			c.PreLitigation++
		}
	case d.Result == "failure":
		c.Failed++
	case d.Status == guanjia.DisputeWithdrawn || (d.Status == guanjia.DisputeClosed && d.Result == ""):
		c.Withdrawn++
	}
	c.Resolved = c.Succeeded
	c.Concluded = c.Succeeded + c.Failed + c.Withdrawn
	if n := c.Succeeded + c.Failed; n > 0 {
		r := float64(c.Succeeded) / float64(n)
		c.SuccessRate = &r
	}
}

// StatsRow is the figures of one level, type or committee.
type StatsRow struct {
	Key  string `json:"key"`
	Name string `json:"name"`
	Counts
}

// Stats are the figures of a period, as the case reports them.
type Stats struct {
	From        time.Time  `json:"from"`
	To          time.Time  `json:"to"`
	Total       Counts     `json:"total"`
	ByLevel     []StatsRow `json:"by_level"`
	ByType      []StatsRow `json:"by_type"`
	ByCommittee []StatsRow `json:"by_committee"`
}

// Stats counts the disputes accepted in [from, to).
func (s *Service) Stats(ctx context.Context, from, to time.Time) (*Stats, error) {
	if !to.After(from) {
		return nil, guanjia.FieldError(guanjia.EINVALID, "to", "to must be after from")
	}
	list, err := s.Store.AcceptedBetween(ctx, from, to)
	if err != nil {
		return nil, err
	}
	committees, err := s.Store.ListCommittees(ctx)
	if err != nil {
		return nil, err
	}
	return Count(list, committees, from, to), nil
}

// Count computes the figures of list; it is pure, for tests worked by hand.
func Count(list []*guanjia.Dispute, committees []*guanjia.Committee, from, to time.Time) *Stats {
	st := &Stats{From: from, To: to}
	levels, types, comms := map[string]*StatsRow{}, map[string]*StatsRow{}, map[string]*StatsRow{}
	row := func(m map[string]*StatsRow, key, name string) *StatsRow {
		if m[key] == nil {
			m[key] = &StatsRow{Key: key, Name: name}
		}
		return m[key]
	}
	for _, d := range list {
		st.Total.add(d)
		row(levels, d.Level, LevelName(d.Level)).add(d)
		row(types, d.Type, TypeName(d.Type)).add(d)
		name := d.CommitteeCode
		if c := findCommittee(committees, d.CommitteeCode); c != nil {
			name = c.Name
		}
		row(comms, d.CommitteeCode, name).add(d)
	}
	st.ByLevel, st.ByType, st.ByCommittee = sorted(levels), sorted(types), sorted(comms)
	return st
}

// sorted lists rows by handled, most first, then by key.
func sorted(m map[string]*StatsRow) []StatsRow {
	out := make([]StatsRow, 0, len(m))
	for _, r := range m {
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Handled != out[j].Handled {
			return out[i].Handled > out[j].Handled
		}
		return out[i].Key < out[j].Key
	})
	return out
}
