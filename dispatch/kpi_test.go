package dispatch_test

import (
	"context"
	"testing"
	"time"

	"guanjia"
	"guanjia/dispatch"
)

// TestKPIsWorkedByHand files five orders (and a me-too) with known histories
// over two days and checks every figure, overall and per unit, category,
// district and day, against counts worked out by hand in the comments.
func TestKPIsWorkedByHand(t *testing.T) {
	c := newCity(t)
	ctx := context.Background()
	cst := c.svc.Calendar.Location()
	day1 := c.clock.Now().In(cst)
	day1 = time.Date(day1.Year(), day1.Month(), day1.Day(), 0, 0, 0, 0, cst)
	yes, no := true, false
	crew := map[int64]guanjia.Claims{c.crewA.UserID: c.crewA, c.crewB.UserID: c.crewB}
	assignee := func(cp *guanjia.Complaint) guanjia.Claims {
		t.Helper()
		if cp.AssigneeID == nil || crew[*cp.AssigneeID].UserID == 0 {
			t.Fatalf("#%d is not with crew A or B: %+v", cp.ID, cp)
		}
		return crew[*cp.AssigneeID]
	}
	onSite := dispatch.ActionInput{Lat: ptr(siteLat), Lng: ptr(siteLng)}

	// A (day 1, 环卫): signed for in 2 min, on site in 10, resolved in 40,
	// closed, rated 满意 and solved.
	a := c.report(t, c.citizen, catTrash, siteLat, siteLng)
	crewOfA := assignee(a)
	c.clock.Advance(2 * time.Minute)
	c.act(t, crewOfA, a.ID, guanjia.ActionAccept, dispatch.ActionInput{})
	c.clock.Advance(8 * time.Minute)
	c.act(t, crewOfA, a.ID, guanjia.ActionArrive, onSite)
	c.clock.Advance(30 * time.Minute)
	c.act(t, crewOfA, a.ID, guanjia.ActionResolve, dispatch.ActionInput{Note: "已清理"})
	c.act(t, c.dispatchr, a.ID, guanjia.ActionClose, dispatch.ActionInput{})
	c.act(t, c.citizen, a.ID, guanjia.ActionRate, dispatch.ActionInput{Score: guanjia.RatingSatisfied, Solved: &yes})

	// B (day 1, 环卫, 111 m away): two crew members miss the accept deadline
	// (2 missed), the unit leader signs for it; nobody checks in (3 missed);
	// the resolve deadline passes (4 missed); resolved late; the agent's phone
	// 回访 says 基本满意 but not solved, so it goes back (返工); a dispatcher 督办s by hand.
	b := c.report(t, c.citizen2, catTrash, siteLat+0.001, siteLng)
	c.fire(t, b.ID, dispatch.TimerAccept)
	c.fire(t, b.ID, dispatch.TimerAccept)
	c.act(t, c.hwLead, b.ID, guanjia.ActionAccept, dispatch.ActionInput{})
	c.fire(t, b.ID, dispatch.TimerArrive)
	c.fire(t, b.ID, dispatch.TimerResolve)
	c.clock.Advance(10 * time.Minute)
	c.act(t, c.hwLead, b.ID, guanjia.ActionResolve, dispatch.ActionInput{Note: "已清理"})
	c.act(t, c.agent, b.ID, guanjia.ActionRate, dispatch.ActionInput{Score: guanjia.RatingFair, Solved: &no, Comment: "又堆起来了"})
	c.act(t, c.dispatchr, b.ID, guanjia.ActionEscalate, dispatch.ActionInput{Note: "请尽快处理"})

	// C (day 1, 供水, unit-level): handled and closed, rated 不满意 (not
	// asked whether solved), reworked, closed again and rated 满意, solved.
	cw := c.report(t, c.citizen2, catWater, siteLat, siteLng)
	handle := func() {
		c.clock.Advance(time.Minute)
		c.act(t, c.waterLead, cw.ID, guanjia.ActionAccept, dispatch.ActionInput{})
		c.clock.Advance(time.Hour)
		c.act(t, c.waterLead, cw.ID, guanjia.ActionResolve, dispatch.ActionInput{Note: "已恢复供水"})
		c.act(t, c.dispatchr, cw.ID, guanjia.ActionClose, dispatch.ActionInput{})
	}
	handle()
	c.act(t, c.citizen2, cw.ID, guanjia.ActionRate, dispatch.ActionInput{Score: guanjia.RatingUnsatisfied})
	handle()
	c.act(t, c.citizen2, cw.ID, guanjia.ActionRate, dispatch.ActionInput{Score: guanjia.RatingSatisfied, Solved: &yes})

	// Day 2, 10:00.
	c.clock.Advance(day1.AddDate(0, 0, 1).Add(10 * time.Hour).Sub(c.clock.Now()))

	// D (day 2, 环卫): signed for a minute late, before the timer noticed
	// (1 missed: the sign-for counts it), on site in 20 minutes, still open.
	d := c.report(t, c.citizen, catTrash, siteLat, siteLng)
	c.clock.Advance(6 * time.Minute)
	c.act(t, assignee(d), d.ID, guanjia.ActionAccept, dispatch.ActionInput{})
	c.clock.Advance(14 * time.Minute)
	c.act(t, assignee(d), d.ID, guanjia.ActionArrive, onSite)
	// A me-too of D: not received work of its own.
	if f := c.report(t, c.citizen2, catTrash, siteLat, siteLng); f.Status != guanjia.StatusDuplicate {
		t.Fatalf("me-too is %s", f.Status)
	}

	// E (day 2, 路灯, hotline): the crew returns it, the dispatcher rejects it (不予立案).
	e, err := c.svc.Create(ctx, c.agent, dispatch.NewComplaint{Category: catLamp, Description: "路灯不亮",
		Lat: siteLat, Lng: siteLng, Address: "龙华路", CallerPhone: "13800001111"})
	if err != nil {
		t.Fatal(err)
	}
	lampCrew := guanjia.Claims{UserID: *e.AssigneeID, Role: guanjia.RoleCrew, UnitCode: "lh-sz"}
	c.act(t, lampCrew, e.ID, guanjia.ActionReturn, dispatch.ActionInput{Reason: "非路灯问题"})
	c.act(t, c.dispatchr, e.ID, guanjia.ActionReject, dispatch.ActionInput{Reason: "重复来电"})
	c.clock.Advance(10 * time.Minute) // day 2, 10:30

	rep, err := c.svc.Stats(ctx, c.dispatchr, day1.UTC(), day1.AddDate(0, 0, 2).UTC())
	if err != nil {
		t.Fatal(err)
	}
	// Overall: received A B C D E; handled A C; signing settled A B C D, on
	// time A C; arrival settled A B D (E was rejected), on time A D; rework B
	// C of ever-handled A B C; ratings A B C C, satisfied A B C(2nd); solved
	// answered A B C(2nd), yes A C.
	check(t, "total", rep.Total, guanjia.Stats{Received: 5, Handled: 2, HandlingRate: 0.4,
		AcceptDue: 4, AcceptedOnTime: 2, AcceptOnTimeRate: 0.5, ArriveDue: 3, ArrivedOnTime: 2, ArriveOnTimeRate: 0.6667,
		HandledOnTime: 2, HandledOnTimeRate: 1, Closed: 2, ClosedOnTime: 2, ClosedOnTimeRate: 1,
		EverHandled: 3, Reworked: 2, ReworkRate: 0.6667, Ratings: 4, Satisfied: 3, SatisfactionRate: 0.75,
		SolvedAnswers: 3, Solved: 2, SolutionRate: 0.6667, MissedDeadlines: 5, ManualEscalations: 1})

	hw := guanjia.Stats{Received: 3, Handled: 1, HandlingRate: 0.3333, // A B D
		AcceptDue: 3, AcceptedOnTime: 1, AcceptOnTimeRate: 0.3333, ArriveDue: 3, ArrivedOnTime: 2, ArriveOnTimeRate: 0.6667,
		HandledOnTime: 1, HandledOnTimeRate: 1, Closed: 1, ClosedOnTime: 1, ClosedOnTimeRate: 1,
		EverHandled: 2, Reworked: 1, ReworkRate: 0.5, Ratings: 2, Satisfied: 2, SatisfactionRate: 1,
		SolvedAnswers: 2, Solved: 1, SolutionRate: 0.5, MissedDeadlines: 5, ManualEscalations: 1}
	water := guanjia.Stats{Received: 1, Handled: 1, HandlingRate: 1, // C
		AcceptDue: 1, AcceptedOnTime: 1, AcceptOnTimeRate: 1, HandledOnTime: 1, HandledOnTimeRate: 1,
		Closed: 1, ClosedOnTime: 1, ClosedOnTimeRate: 1, EverHandled: 1, Reworked: 1, ReworkRate: 1,
		Ratings: 2, Satisfied: 1, SatisfactionRate: 0.5, SolvedAnswers: 1, Solved: 1, SolutionRate: 1}
	lamp := guanjia.Stats{Received: 1} // E
	checkRows(t, "unit", rep.ByUnit, map[string]guanjia.Stats{"lh-hw": hw, "water": water, "lh-sz": lamp})
	checkRows(t, "category", rep.ByCategory, map[string]guanjia.Stats{catTrash: hw, catWater: water, catLamp: lamp})
	checkRows(t, "district", rep.ByDistrict, map[string]guanjia.Stats{"龙华区": rep.Total})
	checkRows(t, "day", rep.ByDay, map[string]guanjia.Stats{
		day1.Format("2006-01-02"): {Received: 3, Handled: 2, HandlingRate: 0.6667, // A B C
			AcceptDue: 3, AcceptedOnTime: 2, AcceptOnTimeRate: 0.6667, ArriveDue: 2, ArrivedOnTime: 1, ArriveOnTimeRate: 0.5,
			HandledOnTime: 2, HandledOnTimeRate: 1, Closed: 2, ClosedOnTime: 2, ClosedOnTimeRate: 1,
			EverHandled: 3, Reworked: 2, ReworkRate: 0.6667, Ratings: 4, Satisfied: 3, SatisfactionRate: 0.75,
			SolvedAnswers: 3, Solved: 2, SolutionRate: 0.6667, MissedDeadlines: 4, ManualEscalations: 1},
		day1.AddDate(0, 0, 1).Format("2006-01-02"): {Received: 2, AcceptDue: 1, ArriveDue: 1, ArrivedOnTime: 1, ArriveOnTimeRate: 1,
			MissedDeadlines: 1}, // D E
	})

	// The month's ranking: 10 % 响应率 + 45 % 解决率 + 45 % 满意率.
	// water 10 + 45 + 22.5 = 77.5; lh-hw 3.333 + 22.5 + 45 = 70.83; lh-sz 0.
	ranks := dispatch.Ranking(rep.ByUnit)
	if len(ranks) != 3 || ranks[0].Key != "water" || ranks[0].Score != 77.5 || ranks[1].Key != "lh-hw" || ranks[1].Score != 70.83 ||
		ranks[2].Key != "lh-sz" || ranks[2].Score != 0 || ranks[2].Place != 3 {
		t.Errorf("ranking %+v", ranks)
	}

	// A unit admin sees their own unit only.
	own, err := c.svc.Stats(ctx, c.waterLead, day1.UTC(), day1.AddDate(0, 0, 2).UTC())
	if err != nil {
		t.Fatal(err)
	}
	check(t, "water leader's total", own.Total, water)
}

func check(t *testing.T, what string, got, want guanjia.Stats) {
	t.Helper()
	if got != want {
		t.Errorf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}

func checkRows(t *testing.T, what string, rows []guanjia.StatsRow, want map[string]guanjia.Stats) {
	t.Helper()
	if len(rows) != len(want) {
		t.Errorf("by %s: %d rows, want %d: %+v", what, len(rows), len(want), rows)
	}
	for _, r := range rows {
		check(t, what+" "+r.Key, r.Stats, want[r.Key])
	}
}
