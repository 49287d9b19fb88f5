package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"guanjia"
	"guanjia/dispatch"
	"guanjia/internal/testenv"
	"guanjia/store"
)

// TestStatsAgreeWithRecount files a random mix of complaints (every status,
// deadlines met, missed and met to the instant, times written in UTC and in
// Haikou time, the edges of days and of the period, reworks and several 回访
// rounds) and checks that the KPI counts summed in SQL equal a recount in Go,
// one complaint at a time, overall and by unit, district, category and day,
// for the command center and for a unit admin.
func TestStatsAgreeWithRecount(t *testing.T) {
	db := testenv.MustOpenDB(t)
	ctx := context.Background()
	cst := time.FixedZone("CST", 8*3600)
	now := time.Date(2026, 11, 26, 2, 0, 0, 0, time.UTC) // 10:00 in Haikou
	from := time.Date(2026, 11, 20, 0, 0, 0, 0, cst)
	to := time.Date(2026, 11, 27, 0, 0, 0, 0, cst)
	cats := []string{"st-trash", "st-lamp", "st-water"}
	units := []string{"st-hw", "st-sz", ""} // "" is not dispatched yet
	for _, u := range units[:2] {
		if err := db.Catalog.UpsertUnit(ctx, &guanjia.Unit{Code: u, Name: u, Department: guanjia.DeptSanitation}); err != nil {
			t.Fatal(err)
		}
	}
	for _, code := range cats {
		if err := db.Catalog.UpsertCategory(ctx, &guanjia.Category{Code: code, Name: code, Kind: "事件", Major: "市容环境",
			Department: guanjia.DeptSanitation, AcceptWithin: time.Minute, ArriveWithin: time.Hour, ResolveWithin: 2 * time.Hour,
			ResolveMode: guanjia.NaturalTime}); err != nil {
			t.Fatal(err)
		}
	}
	var citizens []int64
	for i := range 4 {
		u := &guanjia.User{Username: fmt.Sprintf("stats-citizen-%d", i), Role: guanjia.RoleCitizen}
		if err := db.Users.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		citizens = append(citizens, u.ID)
	}

	rng := rand.New(rand.NewPCG(16, 2))
	pick := func(n int) int { return rng.IntN(n) }
	zone := func(t time.Time) time.Time { // as written in UTC or in Haikou time
		if pick(2) == 0 {
			return t.In(cst)
		}
		return t.UTC()
	}
	// around is a time before, at or after ref (nil sometimes).
	around := func(ref time.Time) *time.Time {
		var at time.Time
		switch pick(4) {
		case 0:
			return nil
		case 1:
			at = ref
		case 2:
			at = ref.Add(-time.Duration(1+pick(3600)) * time.Second)
		default:
			at = ref.Add(time.Duration(1+pick(3600)) * time.Second)
		}
		at = zone(at)
		return &at
	}
	edges := []time.Time{from.Add(-time.Millisecond), from, from.AddDate(0, 0, 3).Add(-time.Millisecond), to.Add(-time.Millisecond), to}
	statuses := []guanjia.Status{guanjia.StatusSubmitted, guanjia.StatusDispatched, guanjia.StatusAccepted, guanjia.StatusOnSite,
		guanjia.StatusResolved, guanjia.StatusClosed, guanjia.StatusReturned, guanjia.StatusRejected, guanjia.StatusDuplicate}
	type filed struct {
		c       *guanjia.Complaint
		ratings []*guanjia.Rating
	}
	var all []filed
	for i := range 360 {
		created := from.Add(time.Duration(pick(int(to.Sub(from)/time.Second)+4*86400)-2*86400) * time.Second)
		if i < len(edges) {
			created = edges[i]
		}
		c := &guanjia.Complaint{Category: cats[pick(len(cats))], Description: "随机工单", Lat: 20, Lng: 110.3, CoordSystem: "gcj02",
			Source: guanjia.SourcePatrol, ReporterID: citizens[pick(len(citizens))], Status: statuses[pick(len(statuses))],
			District: []string{"龙华区", "美兰区"}[pick(2)], UnitCode: units[pick(len(units))], Attempt: pick(3),
			ReopenCount: pick(3) / 2, MissedDeadlines: pick(4), ManualEscalations: pick(2), MissedAccepts: pick(3) / 2,
			CreatedAt: created.UTC(), UpdatedAt: created.UTC()} // the service writes created_at in UTC
		c.AcceptedAt = around(created.Add(time.Minute))
		if pick(2) == 0 { // point-to-point: arrive_by, some around the moment of the report
			arriveBy := zone(created.Add(30 * time.Minute))
			if pick(3) == 0 {
				arriveBy = zone(now.Add(time.Duration(pick(3)-1) * time.Minute))
			}
			c.ArriveBy, c.ArrivedAt = &arriveBy, around(arriveBy)
		}
		if pick(5) > 0 {
			resolveBy := zone(created.Add(2 * time.Hour))
			c.ResolveBy, c.ResolvedAt = &resolveBy, around(resolveBy)
			c.Overdue = pick(4) == 0 // some extended after a miss: overdue though resolved by resolve_by
		}
		ch := &dispatch.Change{Complaint: c}
		if pick(4) == 0 {
			ch.Follow = []int64{citizens[pick(len(citizens))]}
		}
		if err := db.Complaints.SaveComplaint(ctx, ch); err != nil {
			t.Fatal(err)
		}
		f := filed{c: c}
		for round := range pick(4) {
			score := 1 + pick(3)
			var solved *bool
			if pick(3) > 0 {
				yes := pick(2) == 0
				solved = &yes
			}
			r := &guanjia.Rating{Round: round, Channel: "phone", Score: score, Solved: solved, At: created.Add(time.Hour)}
			if err := db.Complaints.SaveComplaint(ctx, &dispatch.Change{Complaint: c, Rating: r}); err != nil {
				t.Fatal(err)
			}
			f.ratings = append(f.ratings, r)
		}
		all = append(all, f)
	}

	svc := &dispatch.Service{Store: db.Complaints, Calendar: dispatch.DefaultCalendar(), Now: func() time.Time { return now }}
	for _, who := range []guanjia.Claims{{UserID: 1, Role: guanjia.RoleDispatcher}, {UserID: 2, Role: guanjia.RoleUnitAdmin, UnitCode: "st-hw"}} {
		rep, err := svc.Stats(ctx, who, from.UTC(), to.UTC())
		if err != nil {
			t.Fatal(err)
		}
		var total guanjia.Stats
		byUnit, byDistrict, byCat, byDay := map[string]guanjia.Stats{}, map[string]guanjia.Stats{}, map[string]guanjia.Stats{}, map[string]guanjia.Stats{}
		for _, f := range all {
			c := f.c
			if c.Status == guanjia.StatusDuplicate || c.CreatedAt.Before(from) || !c.CreatedAt.Before(to) ||
				(who.UnitCode != "" && c.UnitCode != who.UnitCode) {
				continue
			}
			recount(&total, c, f.ratings, now)
			for key, m := range map[string]map[string]guanjia.Stats{c.UnitCode: byUnit, c.District: byDistrict, c.Category: byCat,
				c.CreatedAt.In(cst).Format("2006-01-02"): byDay} {
				st := m[key]
				recount(&st, c, f.ratings, now)
				m[key] = st
			}
		}
		if total.Received < 50 || total.HandledOnTime == 0 || total.ArriveDue == total.ArrivedOnTime || total.Solved == 0 {
			t.Fatalf("the generated mix is too thin to test anything: %+v", total)
		}
		name := string(who.Role)
		if got := countsOf(rep.Total); got != total {
			t.Errorf("%s total:\n got %+v\nwant %+v", name, got, total)
		}
		for what, want := range map[string]map[string]guanjia.Stats{"unit": byUnit, "district": byDistrict, "category": byCat, "day": byDay} {
			got := map[string][]guanjia.StatsRow{"unit": rep.ByUnit, "district": rep.ByDistrict, "category": rep.ByCategory, "day": rep.ByDay}[what]
			if len(got) != len(want) {
				t.Errorf("%s by %s: %d rows, want %d", name, what, len(got), len(want))
			}
			for _, row := range got {
				if countsOf(row.Stats) != want[row.Key] {
					t.Errorf("%s by %s %q:\n got %+v\nwant %+v", name, what, row.Key, countsOf(row.Stats), want[row.Key])
				}
			}
		}
	}

	// The lists: the open queue, and a citizen's own reports with those they follow.
	open, _, err := db.Complaints.ListComplaints(ctx, guanjia.ComplaintFilter{OpenOnly: true, Page: 1, PerPage: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var wantOpen []int64
	for _, f := range all {
		if f.c.Status.Open() {
			wantOpen = append(wantOpen, f.c.ID)
		}
	}
	slices.Reverse(wantOpen)
	if got := ids(open); !slices.Equal(got, wantOpen) {
		t.Errorf("open queue %v, want %v", got, wantOpen)
	}
	mine, total, err := db.Complaints.ListComplaints(ctx, guanjia.ComplaintFilter{ReporterID: &citizens[0], Page: 1, PerPage: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var wantMine []int64
	for _, f := range all {
		if ok, err := db.Complaints.IsFollower(ctx, f.c.ID, citizens[0]); err != nil {
			t.Fatal(err)
		} else if f.c.ReporterID == citizens[0] || ok {
			wantMine = append(wantMine, f.c.ID)
		}
	}
	slices.Reverse(wantMine)
	if got := ids(mine); !slices.Equal(got, wantMine) || total != len(wantMine) {
		t.Errorf("my complaints %v (total %d), want %v", got, total, wantMine)
	}
}

// recount adds one complaint and its ratings to st as dispatch/kpi.go
// defines the counts: the oracle the SQL is checked against, one row at a time.
func recount(st *guanjia.Stats, c *guanjia.Complaint, ratings []*guanjia.Rating, now time.Time) {
	st.Received++
	if c.ResolvedAt != nil {
		st.Handled++
		if c.ResolveBy != nil && !c.ResolvedAt.After(*c.ResolveBy) && !c.Overdue {
			st.HandledOnTime++
			if c.Status == guanjia.StatusClosed {
				st.ClosedOnTime++
			}
		}
	}
	if c.Status == guanjia.StatusClosed {
		st.Closed++
	}
	if c.Attempt > 0 && (c.AcceptedAt != nil || c.MissedAccepts > 0) {
		st.AcceptDue++
		if c.AcceptedAt != nil && c.MissedAccepts == 0 {
			st.AcceptedOnTime++
		}
	}
	if c.ArriveBy != nil && c.Status != guanjia.StatusRejected && (c.ArrivedAt != nil || !now.Before(*c.ArriveBy)) {
		st.ArriveDue++
		if c.ArrivedAt != nil && !c.ArrivedAt.After(*c.ArriveBy) {
			st.ArrivedOnTime++
		}
	}
	if c.ResolvedAt != nil || c.ReopenCount > 0 {
		st.EverHandled++
	}
	if c.ReopenCount > 0 {
		st.Reworked++
	}
	for _, r := range ratings {
		st.Ratings++
		if r.Score >= guanjia.RatingFair {
			st.Satisfied++
		}
		if r.Solved != nil {
			st.SolvedAnswers++
			if *r.Solved {
				st.Solved++
			}
		}
	}
	st.MissedDeadlines += c.MissedDeadlines
	st.ManualEscalations += c.ManualEscalations
}

// countsOf is st without its rates (TestKPIsWorkedByHand checks those).
func countsOf(st guanjia.Stats) guanjia.Stats {
	st.HandlingRate, st.AcceptOnTimeRate, st.ArriveOnTimeRate, st.HandledOnTimeRate = 0, 0, 0, 0
	st.ClosedOnTimeRate, st.ReworkRate, st.SatisfactionRate, st.SolutionRate = 0, 0, 0, 0
	return st
}

func ids(list []*guanjia.Complaint) []int64 {
	out := make([]int64, len(list))
	for i, c := range list {
		out[i] = c.ID
	}
	return out
}

// TestStatsReadTheIndexOnly checks that the statistics query is answered
// from complaints_stats_idx alone, for the command center and for a unit: a
// column counted that the index does not carry would send every call to the
// table's rows (slow at a city's scale, and no other test would notice).
func TestStatsReadTheIndexOnly(t *testing.T) {
	db := testenv.MustOpenDB(t)
	ctx := context.Background()
	to := time.Date(2026, 11, 27, 0, 0, 0, 0, guanjia.ChinaTime)
	for _, unit := range []string{"", "st-hw"} {
		q := dispatch.StatsQuery{From: to.AddDate(0, 0, -30), To: to, Now: to, Location: guanjia.ChinaTime, UnitCode: unit}
		plan, err := store.StatsPlan(ctx, db, q)
		if err != nil {
			t.Fatal(err)
		}
		want := "USING COVERING INDEX complaints_stats_idx"
		if db.Dialect == "postgres" {
			want = "Index Only Scan using complaints_stats_idx"
		}
		if !strings.Contains(plan, want) {
			t.Errorf("unit %q: the plan does not say %q:\n%s", unit, want, plan)
		}
	}
}
