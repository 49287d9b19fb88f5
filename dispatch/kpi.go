package dispatch

import (
	"context"
	"math"
	"sort"
	"time"

	"guanjia"
)

// The KPIs of 城市管家 and the 12345 hotline, defined once. Every figure is
// over the complaints received in a period (by the day they were filed, in
// Haikou time); me-too duplicates are not received work (their original is).
//
//	受理量    Received          complaints filed
//	办结量    Handled           handled now: resolved (处置完成), closed or not
//	办结率    HandlingRate      Handled ÷ Received
//	按时签收率 AcceptOnTimeRate  AcceptedOnTime ÷ AcceptDue. AcceptDue: dispatched orders that
//	(响应率)                     were signed for or missed an accept deadline; AcceptedOnTime:
//	                            signed for with no accept deadline missed (a redispatch after
//	                            a miss is not on time)
//	按时到场率 ArriveOnTimeRate  ArrivedOnTime ÷ ArriveDue. ArriveDue: point-to-point orders
//	                            (not 不予立案) that were checked in on site or whose arrive_by
//	                            has passed; ArrivedOnTime: checked in by arrive_by
//	按时办结率 HandledOnTimeRate HandledOnTime ÷ Handled: resolved by resolve_by and never
//	                            overdue (an extension granted after a miss, or a 返工, does not make it on time)
//	按期结案率 ClosedOnTimeRate  ClosedOnTime ÷ Closed: closed orders resolved on time as above
//	返工率    ReworkRate        Reworked ÷ EverHandled: orders ever sent back (返工) ÷ orders
//	                            ever resolved (an order in rework is still counted)
//	满意率    SatisfactionRate  Satisfied ÷ Ratings: 满意 or 基本满意 answers ÷ all 回访 answers
//	                            ever given (a 不满意 stays counted after rework)
//	解决率    SolutionRate      Solved ÷ SolvedAnswers: "已解决" ÷ answers to 问题是否解决
//	超时督办  MissedDeadlines   deadlines (accept, arrive, resolve) that passed unmet
//	人工督办  ManualEscalations 督办 made by hand
//
// The JSON names of the accept figures (sign_due, signed_on_time,
// sign_on_time_rate) are older than these and are kept for the clients.
//
// Units and districts are ranked by Score (see RankingWeights) over a month.
//
// The store counts (store/stats.go, StatsGroups) and this file computes the
// rates from the counts: a count means what the table above says, whichever
// database sums it.

// StatsQuery says which complaints StatsGroups counts: those received in
// [From, To), of one unit when UnitCode is set. Days are told apart by the
// UTC offset of Location at From (Haikou keeps one all year); Now decides
// whether an arrival is settled.
type StatsQuery struct {
	From, To, Now time.Time
	Location      *time.Location
	UnitCode      string
}

// StatsGroup is the counts (not the rates) of the complaints received on
// one day by one unit, in one district and category.
type StatsGroup struct {
	Day, UnitCode, District, Category string
	guanjia.Stats
}

// addCounts adds the counts of g to st.
func addCounts(st *guanjia.Stats, g *guanjia.Stats) {
	st.Received += g.Received
	st.Handled += g.Handled
	st.HandledOnTime += g.HandledOnTime
	st.Closed += g.Closed
	st.ClosedOnTime += g.ClosedOnTime
	st.AcceptDue += g.AcceptDue
	st.AcceptedOnTime += g.AcceptedOnTime
	st.ArriveDue += g.ArriveDue
	st.ArrivedOnTime += g.ArrivedOnTime
	st.EverHandled += g.EverHandled
	st.Reworked += g.Reworked
	st.MissedDeadlines += g.MissedDeadlines
	st.ManualEscalations += g.ManualEscalations
	st.Ratings += g.Ratings
	st.Satisfied += g.Satisfied
	st.SolvedAnswers += g.SolvedAnswers
	st.Solved += g.Solved
}

// rates fills in the rates from the counts.
func rates(st *guanjia.Stats) {
	st.HandlingRate = ratio(st.Handled, st.Received)
	st.AcceptOnTimeRate = ratio(st.AcceptedOnTime, st.AcceptDue)
	st.ArriveOnTimeRate = ratio(st.ArrivedOnTime, st.ArriveDue)
	st.HandledOnTimeRate = ratio(st.HandledOnTime, st.Handled)
	st.ClosedOnTimeRate = ratio(st.ClosedOnTime, st.Closed)
	st.ReworkRate = ratio(st.Reworked, st.EverHandled)
	st.SatisfactionRate = ratio(st.Satisfied, st.Ratings)
	st.SolutionRate = ratio(st.Solved, st.SolvedAnswers)
}

// ratio is a/b to four decimals (a percentage to two), 0 when b is 0.
func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return math.Round(float64(a)/float64(b)*10000) / 10000
}

// RankingWeights weigh the three rates by which units are ranked every month,
// as in Beijing's 接诉即办 assessment: 响应率, 解决率, 满意率.
var RankingWeights = struct{ Response, Solution, Satisfaction float64 }{0.10, 0.45, 0.45}

// StatsReport is what GET /api/v1/stats answers.
type StatsReport struct {
	From, To   time.Time
	Total      guanjia.Stats
	ByUnit     []guanjia.StatsRow
	ByDistrict []guanjia.StatsRow
	ByCategory []guanjia.StatsRow
	ByDay      []guanjia.StatsRow
}

// Stats computes the KPIs over the complaints filed in [from, to): overall
// and by unit, district, category and day. A unit admin sees their unit's.
func (s *Service) Stats(ctx context.Context, who guanjia.Claims, from, to time.Time) (*StatsReport, error) {
	if !who.Role.IsStaff() || who.Role == guanjia.RoleCrew {
		return nil, guanjia.Errorf(guanjia.EFORBIDDEN, "statistics are for the command center and units")
	}
	q := StatsQuery{From: from, To: to, Now: s.Now(), Location: s.Calendar.Location()}
	if who.Role == guanjia.RoleUnitAdmin {
		q.UnitCode = who.UnitCode
	}
	counted, err := s.Store.StatsGroups(ctx, q)
	if err != nil {
		return nil, err
	}
	rep := &StatsReport{From: from, To: to}
	byUnit, byDistrict, byCat, byDay := groups{}, groups{}, groups{}, groups{}
	for i := range counted {
		g := &counted[i]
		for _, st := range []*guanjia.Stats{&rep.Total, byUnit.of(g.UnitCode), byDistrict.of(g.District), byCat.of(g.Category), byDay.of(g.Day)} {
			addCounts(st, &g.Stats)
		}
	}
	rates(&rep.Total)
	rep.ByUnit, rep.ByDistrict, rep.ByCategory, rep.ByDay = byUnit.rows(), byDistrict.rows(), byCat.rows(), byDay.rows()
	return rep, nil
}

type groups map[string]*guanjia.Stats

func (g groups) of(key string) *guanjia.Stats {
	if g[key] == nil {
		g[key] = &guanjia.Stats{}
	}
	return g[key]
}

func (g groups) rows() []guanjia.StatsRow {
	out := make([]guanjia.StatsRow, 0, len(g))
	for k, st := range g {
		rates(st)
		out = append(out, guanjia.StatsRow{Key: k, Stats: *st})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// Rank is one place in the monthly ranking.
type Rank struct {
	Key              string  `json:"key"`
	Place            int     `json:"place"`
	Score            float64 `json:"score"` // weighted by RankingWeights, 0–100
	ResponseRate     float64 `json:"response_rate"`
	SolutionRate     float64 `json:"solution_rate"`
	SatisfactionRate float64 `json:"satisfaction_rate"`
	Received         int     `json:"received"`
}

// Ranking orders groups (units or districts) by their weighted score, best
// first; groups with no received work are left out.
func Ranking(rows []guanjia.StatsRow) []Rank {
	out := make([]Rank, 0, len(rows))
	for _, r := range rows {
		if r.Key == "" || r.Received == 0 {
			continue
		}
		score := 100 * (RankingWeights.Response*r.AcceptOnTimeRate + RankingWeights.Solution*r.SolutionRate +
			RankingWeights.Satisfaction*r.SatisfactionRate)
		out = append(out, Rank{Key: r.Key, Score: math.Round(score*100) / 100, ResponseRate: r.AcceptOnTimeRate,
			SolutionRate: r.SolutionRate, SatisfactionRate: r.SatisfactionRate, Received: r.Received})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].Key < out[j].Key
	})
	for i := range out {
		out[i].Place = i + 1
	}
	return out
}
