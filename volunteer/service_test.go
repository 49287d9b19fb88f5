package volunteer_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"guanjia"
	"guanjia/geo"
	"guanjia/volunteer"
)

func TestCertifyRejectsBadIDNumbersAndDuplicates(t *testing.T) {
	e := newEnv(t)
	who := e.user(guanjia.RoleCitizen)
	good := idNumber("46010619900307123")
	bad := []struct {
		name, id, field string
	}{
		{"wrong check character", good[:17] + map[bool]string{true: "1", false: "2"}[good[17] != '1'], "id_number"},
		{"too short", good[:17], "id_number"},
		{"born in the future", idNumber("46010620990101123"), "id_number"},
		{"impossible date", idNumber("46010619901332123"), "id_number"},
	}
	for _, tt := range bad {
		_, err := e.svc.Volunteers.Certify(e.ctx, who, volunteer.CertifyInput{Name: "王小明", IDNumber: tt.id, Phone: "13800000000"})
		if code(err) != guanjia.EINVALID || guanjia.ErrorField(err) != tt.field {
			t.Errorf("%s: err = %v, want invalid %s", tt.name, err, tt.field)
		}
	}
	if _, err := e.svc.Volunteers.Me(e.ctx, who); code(err) != guanjia.ENOTFOUND {
		t.Fatalf("after refused certifications: %v, want not found", err)
	}
	v, err := e.svc.Volunteers.Certify(e.ctx, who, volunteer.CertifyInput{Name: "王小明", IDNumber: good, Phone: "13800000000"})
	if err != nil {
		t.Fatal(err)
	}
	if v.Number() == "" || guanjia.MaskIDNumber(v.IDNumber) != good[:4]+"**********"+good[14:] {
		t.Errorf("volunteer %+v", v)
	}
	if _, err := e.svc.Volunteers.Certify(e.ctx, who, volunteer.CertifyInput{Name: "王小明", IDNumber: good, Phone: "13800000000"}); code(err) != guanjia.ECONFLICT {
		t.Errorf("certified twice: %v, want conflict", err)
	}
	other := e.user(guanjia.RoleCitizen)
	if _, err := e.svc.Volunteers.Certify(e.ctx, other, volunteer.CertifyInput{Name: "李四", IDNumber: good, Phone: "13800000000"}); code(err) != guanjia.ECONFLICT {
		t.Errorf("same ID number on another account: %v, want conflict", err)
	}
}

// TestSignupNeverOversells signs many volunteers up at once, each twice:
// exactly capacity are confirmed, the rest waitlisted 1..n without gaps,
// every second attempt refused, and the counters agree with the rows.
func TestSignupNeverOversells(t *testing.T) {
	e := newEnv(t)
	tm, lead := e.team()
	const capacity, people = 10, 60
	a := e.activity(tm.ID, lead, capacity, t0.Add(48*time.Hour))
	vols := make([]guanjia.Claims, people)
	for i := range vols {
		vols[i] = e.volunteer()
	}
	var mu sync.Mutex
	var confirmed, conflicts int
	var positions []int
	var wg sync.WaitGroup
	for _, v := range vols {
		for range 2 {
			wg.Add(1)
			go func(v guanjia.Claims) {
				defer wg.Done()
				su, err := e.svc.Signups.Signup(e.ctx, v, a.ID)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case code(err) == guanjia.ECONFLICT:
					conflicts++
				case err != nil:
					t.Errorf("signup: %v", err)
				case su.Status == guanjia.SignupConfirmed:
					confirmed++
				case su.Status == guanjia.SignupWaitlisted:
					positions = append(positions, su.Position)
				}
			}(v)
		}
	}
	wg.Wait()
	if confirmed != capacity || conflicts != people || len(positions) != people-capacity {
		t.Fatalf("confirmed %d, waitlisted %d, refused %d; want %d, %d, %d", confirmed, len(positions), conflicts, capacity, people-capacity, people)
	}
	sort.Ints(positions)
	for i, p := range positions {
		if p != i+1 {
			t.Fatalf("waitlist positions %v, want 1..%d", positions, people-capacity)
		}
	}
	got := e.find(a.ID)
	if got.Confirmed != capacity || got.Waitlisted != people-capacity {
		t.Errorf("activity counts %d confirmed, %d waitlisted", got.Confirmed, got.Waitlisted)
	}
	list, err := e.db.Volunteers.ListSignups(e.ctx, volunteer.SignupFilter{ActivityID: a.ID, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	rows := map[guanjia.SignupStatus]int{}
	for _, su := range list {
		rows[su.Status]++
	}
	if rows[guanjia.SignupConfirmed] != capacity || rows[guanjia.SignupWaitlisted] != people-capacity {
		t.Errorf("rows %v", rows)
	}
	reminders := 0
	for _, su := range list {
		if n := len(e.sched.Find(volunteer.TimerRemind, su.ID)); n > 0 {
			reminders += n
			if su.Status != guanjia.SignupConfirmed {
				t.Errorf("a reminder was armed for a %s signup", su.Status)
			}
		}
	}
	if reminders != capacity {
		t.Errorf("%d reminders armed, want one per confirmed place", reminders)
	}
}

// TestCancelAndSignupRace cancels confirmed places while new people sign
// up: the activity stays exactly full and the waitlist keeps its order.
func TestCancelAndSignupRace(t *testing.T) {
	e := newEnv(t)
	tm, lead := e.team()
	a := e.activity(tm.ID, lead, 5, t0.Add(48*time.Hour))
	var first []guanjia.Claims
	for range 10 {
		v := e.signedUp(a.ID)
		first = append(first, v)
	}
	late := make([]guanjia.Claims, 10)
	for i := range late {
		late[i] = e.volunteer()
	}
	var wg sync.WaitGroup
	for i := range 5 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			if _, err := e.svc.Signups.CancelSignup(e.ctx, first[i], a.ID); err != nil {
				t.Errorf("cancel: %v", err)
			}
		}()
		go func() {
			defer wg.Done()
			if _, err := e.svc.Signups.Signup(e.ctx, late[i], a.ID); err != nil {
				t.Errorf("signup: %v", err)
			}
		}()
	}
	wg.Wait()
	got := e.find(a.ID)
	if got.Confirmed != 5 || got.Waitlisted != 5 {
		t.Fatalf("after the race: %d confirmed, %d waitlisted; want 5 and 5", got.Confirmed, got.Waitlisted)
	}
	// The five who waited first hold the places now; each was told.
	for _, v := range first[5:] {
		su, err := e.db.Volunteers.FindActiveSignup(e.ctx, a.ID, v.UserID)
		if err != nil || su.Status != guanjia.SignupConfirmed {
			t.Errorf("user %d: %v %v, want promoted", v.UserID, su, err)
		}
		if len(e.notes.To(v.UserID, guanjia.TplSignupConfirmed)) != 1 {
			t.Errorf("user %d was not told of the promotion", v.UserID)
		}
	}
}

func TestWaitlistPromotionAndCutoff(t *testing.T) {
	e := newEnv(t)
	tm, lead := e.team()
	start := t0.Add(24 * time.Hour)
	a := e.activity(tm.ID, lead, 2, start)
	var vs []guanjia.Claims
	for range 4 {
		vs = append(vs, e.signedUp(a.ID))
	}
	d, err := e.db.Volunteers.FindActiveSignup(e.ctx, a.ID, vs[3].UserID)
	if err != nil || d.Status != guanjia.SignupWaitlisted || d.Position != 2 {
		t.Fatalf("fourth: %+v %v, want waitlisted second", d, err)
	}
	if _, err := e.svc.Signups.CancelSignup(e.ctx, vs[0], a.ID); err != nil {
		t.Fatal(err)
	}
	c, _ := e.db.Volunteers.FindActiveSignup(e.ctx, a.ID, vs[2].UserID)
	if c.Status != guanjia.SignupConfirmed {
		t.Fatalf("first waitlisted is %s after a cancellation, want confirmed", c.Status)
	}
	if msgs := e.notes.To(vs[2].UserID, guanjia.TplSignupConfirmed); len(msgs) != 1 {
		t.Errorf("promoted volunteer got %d confirmations, want 1", len(msgs))
	}
	if rem := e.sched.Find(volunteer.TimerRemind, c.ID); len(rem) != 1 || !rem[0].DueAt.Equal(start.Add(-time.Hour)) {
		t.Errorf("promoted volunteer's reminder %v, want one at start − 1 h", rem)
	}
	if d, _ = e.db.Volunteers.FindActiveSignup(e.ctx, a.ID, vs[3].UserID); d.Position != 1 {
		t.Errorf("last waitlisted now at %d, want 1", d.Position)
	}
	// Inside the cut-off a confirmed place can no longer be given up.
	e.clock.Set(start.Add(-90 * time.Minute))
	if _, err := e.svc.Signups.CancelSignup(e.ctx, vs[1], a.ID); code(err) != guanjia.EUNPROCESSABLE {
		t.Fatalf("cancel 90 min before: %v, want refused", err)
	}
	if b, _ := e.db.Volunteers.FindActiveSignup(e.ctx, a.ID, vs[1].UserID); b.Status != guanjia.SignupConfirmed {
		t.Errorf("refused cancellation changed the signup to %s", b.Status)
	}
	// The waitlist may still withdraw.
	if _, err := e.svc.Signups.CancelSignup(e.ctx, vs[3], a.ID); err != nil {
		t.Errorf("waitlisted withdrawing: %v", err)
	}
	if got := e.find(a.ID); got.Confirmed != 2 || got.Waitlisted != 0 {
		t.Errorf("counts %d/%d, want 2/0", got.Confirmed, got.Waitlisted)
	}
}

func TestSignupRefusals(t *testing.T) {
	e := newEnv(t)
	tm, lead := e.team()
	start := t0.Add(24 * time.Hour)
	a := e.activity(tm.ID, lead, 5, start)
	if _, err := e.svc.Signups.Signup(e.ctx, e.user(guanjia.RoleCitizen), a.ID); code(err) != guanjia.EFORBIDDEN {
		t.Errorf("uncertified signup: %v, want forbidden", err)
	}
	v := e.signedUp(a.ID)
	if _, err := e.svc.Signups.Signup(e.ctx, v, a.ID); code(err) != guanjia.ECONFLICT {
		t.Errorf("second signup: %v, want conflict", err)
	}
	e.clock.Set(start) // the deadline defaults to the start
	if _, err := e.svc.Signups.Signup(e.ctx, e.volunteer(), a.ID); code(err) != guanjia.EUNPROCESSABLE {
		t.Errorf("signup after the deadline: %v, want refused", err)
	}
	if got := e.find(a.ID); got.Confirmed != 1 {
		t.Errorf("refused signups changed the count to %d", got.Confirmed)
	}
}

// Two activities at the same time: one person cannot serve both, so the
// second signup is refused and only one is credited.
func TestOverlappingActivitiesAreCreditedOnce(t *testing.T) {
	e := newEnv(t)
	tm, lead := e.team()
	start := t0.Add(24 * time.Hour)
	a := e.activity(tm.ID, lead, 5, start)
	b := e.activity(tm.ID, lead, 5, start)
	v := e.volunteer()
	_, errA := e.svc.Signups.Signup(e.ctx, v, a.ID)
	_, errB := e.svc.Signups.Signup(e.ctx, v, b.ID)
	if errA != nil {
		t.Fatal(errA)
	}
	lat, lng := placeLat, placeLng
	here := func(id int64) volunteer.CheckInput {
		tok, _, err := e.svc.Signups.CheckinToken(e.ctx, lead, id)
		if err != nil {
			t.Fatal(err)
		}
		return volunteer.CheckInput{Token: tok, Lat: &lat, Lng: &lng, CoordSystem: string(geo.WGS84)}
	}
	e.clock.Set(start.Add(-10 * time.Minute))
	for _, id := range []int64{a.ID, b.ID} {
		_, _ = e.svc.Signups.CheckIn(e.ctx, v, id, here(id))
	}
	e.clock.Set(start.Add(3 * time.Hour))
	for _, id := range []int64{a.ID, b.ID} {
		_, _, _ = e.svc.Signups.CheckOut(e.ctx, v, id, here(id))
	}
	sum, _ := e.db.Volunteers.SumHours(e.ctx, volunteer.HoursFilter{UserID: v.UserID})
	if sum.CreditMinutes > 180 {
		t.Errorf("second signup for the same 3 hours: %v; credited %d minutes for 3 hours of time, want at most 180", errB, sum.CreditMinutes)
	}
	if code(errB) != guanjia.ECONFLICT {
		t.Errorf("second signup for the same 3 hours: %v, want conflict", errB)
	}
}

// Times move after signup: someone checked in on one activity is not
// checked in on another running at the same time until they check out;
// one that starts when the first ends takes them as they come.
func TestCheckInWhileCheckedInElsewhere(t *testing.T) {
	e := newEnv(t)
	tm, lead := e.team()
	start := t0.Add(24 * time.Hour)
	a := e.activity(tm.ID, lead, 5, start)
	b := e.activity(tm.ID, lead, 5, start.Add(4*time.Hour))
	next := e.activity(tm.ID, lead, 5, start.Add(3*time.Hour))
	v, w := e.volunteer(), e.volunteer()
	for _, su := range []struct {
		who guanjia.Claims
		id  int64
	}{{v, a.ID}, {v, b.ID}, {w, a.ID}, {w, next.ID}} {
		if _, err := e.svc.Signups.Signup(e.ctx, su.who, su.id); err != nil {
			t.Fatal(err)
		}
	}
	moved := start.Add(time.Hour)
	if _, err := e.svc.Activities.RescheduleActivity(e.ctx, lead, b.ID, volunteer.RescheduleInput{StartAt: moved, EndAt: moved.Add(3 * time.Hour), Reason: "潮汐"}); err != nil {
		t.Fatal(err)
	}
	lat, lng := placeLat, placeLng
	here := func(id int64) volunteer.CheckInput {
		tok, _, err := e.svc.Signups.CheckinToken(e.ctx, lead, id)
		if err != nil {
			t.Fatal(err)
		}
		return volunteer.CheckInput{Token: tok, Lat: &lat, Lng: &lng}
	}
	e.clock.Set(start.Add(-10 * time.Minute))
	if _, err := e.svc.Signups.CheckIn(e.ctx, v, a.ID, here(a.ID)); err != nil {
		t.Fatal(err)
	}
	e.clock.Set(moved.Add(-10 * time.Minute))
	if _, err := e.svc.Signups.CheckIn(e.ctx, v, b.ID, here(b.ID)); code(err) != guanjia.ECONFLICT {
		t.Errorf("check-in while checked in on an activity running 2 more hours: %v, want conflict", err)
	}
	if _, err := e.svc.Signups.ManualCheckIn(e.ctx, lead, b.ID, volunteer.ManualCheck{UserID: v.UserID, Reason: "没带手机"}); code(err) != guanjia.ECONFLICT {
		t.Errorf("checked in by hand while checked in elsewhere: %v, want conflict", err)
	}
	e.clock.Set(moved.Add(30 * time.Minute))
	if _, _, err := e.svc.Signups.CheckOut(e.ctx, v, a.ID, here(a.ID)); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Signups.CheckIn(e.ctx, v, b.ID, here(b.ID)); err != nil {
		t.Errorf("check-in after checking out of the other: %v", err)
	}

	// w: checked in on a, never checked out, and on to the next that starts as a ends.
	if _, err := e.svc.Signups.ManualCheckIn(e.ctx, lead, a.ID, volunteer.ManualCheck{UserID: w.UserID, Reason: "没带手机"}); err != nil {
		t.Fatal(err)
	}
	e.clock.Set(next.StartAt.Add(-10 * time.Minute))
	if _, err := e.svc.Signups.CheckIn(e.ctx, w, next.ID, here(next.ID)); err != nil {
		t.Errorf("check-in on an activity starting when the other ends: %v", err)
	}
}

func TestActivityRules(t *testing.T) {
	e := newEnv(t)
	tm, lead := e.team()
	lat, lng := placeLat, placeLng
	base := volunteer.ActivityInput{TeamID: tm.ID, Title: "净滩", Address: "万绿园", Lat: &lat, Lng: &lng,
		StartAt: t0.Add(24 * time.Hour), EndAt: t0.Add(27 * time.Hour), Capacity: 10}
	bad := []struct {
		name  string
		edit  func(*volunteer.ActivityInput)
		field string
	}{
		{"ends before it starts", func(in *volunteer.ActivityInput) { in.EndAt = in.StartAt.Add(-time.Hour) }, "end_at"},
		{"no places", func(in *volunteer.ActivityInput) { in.Capacity = 0 }, "capacity"},
		{"in the past", func(in *volunteer.ActivityInput) {
			in.StartAt, in.EndAt = t0.Add(-3*time.Hour), t0.Add(-time.Hour)
		}, "start_at"},
		{"signup closing after the start", func(in *volunteer.ActivityInput) { in.SignupDeadline = in.StartAt.Add(time.Minute) }, "signup_deadline"},
		{"outside Haikou", func(in *volunteer.ActivityInput) { la, ln := 39.9, 116.4; in.Lat, in.Lng = &la, &ln }, "lat"},
		{"no title", func(in *volunteer.ActivityInput) { in.Title = " " }, "title"},
	}
	for _, tt := range bad {
		in := base
		tt.edit(&in)
		if _, err := e.svc.Activities.CreateActivity(e.ctx, lead, in); code(err) != guanjia.EINVALID || guanjia.ErrorField(err) != tt.field {
			t.Errorf("%s: %v, want invalid %s", tt.name, err, tt.field)
		}
	}
	if _, err := e.svc.Activities.CreateActivity(e.ctx, e.volunteer(), base); code(err) != guanjia.EFORBIDDEN {
		t.Errorf("drafted by an outsider: %v, want forbidden", err)
	}
	if list, _ := e.db.Volunteers.ListActivities(e.ctx, volunteer.ActivityFilter{TeamID: tm.ID}); len(list) != 0 {
		t.Errorf("refused drafts stored: %d", len(list))
	}
	// A team that is not certified may draft but not publish.
	lead2 := e.volunteer()
	la, ln := 20.03, 110.33
	pending, err := e.svc.Teams.ApplyTeam(e.ctx, lead2, volunteer.TeamInput{Name: "未认证队", Organisation: "某社区", ContactName: "张",
		ContactPhone: "13800000001", District: "美兰区", Lat: &la, Lng: &ln})
	if err != nil {
		t.Fatal(err)
	}
	in := base
	in.TeamID = pending.ID
	a, err := e.svc.Activities.CreateActivity(e.ctx, lead2, in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Activities.SubmitActivity(e.ctx, lead2, a.ID); code(err) != guanjia.EUNPROCESSABLE {
		t.Errorf("submit by an uncertified team: %v, want refused", err)
	}
	if _, err := e.svc.Activities.ReviewActivity(e.ctx, lead2, a.ID, true, ""); code(err) != guanjia.EFORBIDDEN {
		t.Errorf("self-review: %v, want forbidden", err)
	}
}

// TestRemindersFollowTheActivity arms a reminder, moves the activity, and
// fires both the old and the new timer with a moved clock.
func TestRemindersFollowTheActivity(t *testing.T) {
	e := newEnv(t)
	tm, lead := e.team()
	start := t0.Add(24 * time.Hour)
	a := e.activity(tm.ID, lead, 5, start)
	v := e.volunteer()
	su, err := e.svc.Signups.Signup(e.ctx, v, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	old := e.sched.Find(volunteer.TimerRemind, su.ID)
	if len(old) != 1 || !old[0].DueAt.Equal(start.Add(-time.Hour)) {
		t.Fatalf("reminder %v, want one at start − 1 h", old)
	}
	moved := start.Add(24 * time.Hour)
	if _, err := e.svc.Activities.RescheduleActivity(e.ctx, lead, a.ID, volunteer.RescheduleInput{StartAt: moved, EndAt: moved.Add(3 * time.Hour), Reason: "台风"}); err != nil {
		t.Fatal(err)
	}
	if len(e.notes.To(v.UserID, guanjia.TplActivityChanged)) != 1 {
		t.Error("the volunteer was not told of the move")
	}
	var fresh volunteer.Timer
	for _, tm := range e.sched.Find(volunteer.TimerRemind, su.ID) {
		if tm.Seq == moved.Unix() {
			fresh = tm
		}
	}
	if !fresh.DueAt.Equal(moved.Add(-time.Hour)) {
		t.Fatalf("re-armed reminder %+v, want one at the new start − 1 h", fresh)
	}
	e.clock.Set(old[0].DueAt)
	if out, err := e.svc.HandleTimer(e.ctx, old[0]); err != nil || !out.Stale {
		t.Errorf("old reminder: %+v %v, want stale", out, err)
	}
	if _, err := e.svc.HandleTimer(e.ctx, fresh); err == nil {
		t.Error("a reminder fired a day early was accepted")
	}
	e.clock.Set(fresh.DueAt)
	if out, err := e.svc.HandleTimer(e.ctx, fresh); err != nil || out.Reminded != 1 {
		t.Fatalf("new reminder: %+v %v", out, err)
	}
	if out, _ := e.svc.HandleTimer(e.ctx, fresh); !out.Stale {
		t.Error("a reminder fired twice was sent twice")
	}
	if n := len(e.notes.To(v.UserID, guanjia.TplActivityReminder)); n != 1 {
		t.Errorf("%d reminders sent, want 1", n)
	}
}

// TestNoRescheduleOnceCheckinOpens: once check-in opens someone may have
// checked in, and a move would credit them the new slot whether they came
// or not; the organiser must cancel instead.
func TestNoRescheduleOnceCheckinOpens(t *testing.T) {
	e := newEnv(t)
	tm, lead := e.team()
	start := t0.Add(25 * time.Hour) // 09:00 the next day
	a, early := e.activity(tm.ID, lead, 5, start), e.activity(tm.ID, lead, 5, start)
	v := e.signedUp(a.ID)
	nextWeek := start.AddDate(0, 0, 7)
	move := volunteer.RescheduleInput{StartAt: nextWeek, EndAt: nextWeek.Add(3 * time.Hour), Reason: "场地冲突"}
	e.clock.Set(start.Add(-31 * time.Minute))
	if _, err := e.svc.Activities.RescheduleActivity(e.ctx, lead, early.ID, move); err != nil {
		t.Errorf("a move a minute before check-in opens: %v", err)
	}
	e.clock.Set(start.Add(-20 * time.Minute))
	if _, err := e.svc.Signups.ManualCheckIn(e.ctx, lead, a.ID, volunteer.ManualCheck{UserID: v.UserID, Reason: "手机没电"}); err != nil {
		t.Fatal(err)
	}
	e.clock.Set(start.Add(-10 * time.Minute))
	if _, err := e.svc.Activities.RescheduleActivity(e.ctx, lead, a.ID, move); code(err) != guanjia.ECONFLICT {
		t.Fatalf("a move after check-in opened: %v, want conflict", err)
	}
	if got := e.find(a.ID); !got.StartAt.Equal(start) || !got.EndAt.Equal(start.Add(3*time.Hour)) {
		t.Errorf("the refused move changed the times to %s–%s", got.StartAt, got.EndAt)
	}
	if su, _ := e.db.Volunteers.FindActiveSignup(e.ctx, a.ID, v.UserID); su.Status != guanjia.SignupCheckedIn {
		t.Errorf("the refused move changed the signup to %s", su.Status)
	}
	if n := len(e.notes.To(v.UserID, guanjia.TplActivityChanged)); n != 0 {
		t.Errorf("the volunteer was told of a move that did not happen (%d messages)", n)
	}
}

func TestCancelledActivityTellsEveryoneAndSilencesReminders(t *testing.T) {
	e := newEnv(t)
	tm, lead := e.team()
	a := e.activity(tm.ID, lead, 1, t0.Add(24*time.Hour))
	v1, v2 := e.volunteer(), e.volunteer()
	s1, _ := e.svc.Signups.Signup(e.ctx, v1, a.ID)
	if _, err := e.svc.Signups.Signup(e.ctx, v2, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Activities.CancelActivity(e.ctx, lead, a.ID, ""); code(err) != guanjia.EINVALID {
		t.Errorf("cancel without a reason: %v, want invalid", err)
	}
	if _, err := e.svc.Activities.CancelActivity(e.ctx, lead, a.ID, "天气预警"); err != nil {
		t.Fatal(err)
	}
	for _, v := range []guanjia.Claims{v1, v2} {
		if len(e.notes.To(v.UserID, guanjia.TplActivityChanged)) != 1 {
			t.Errorf("user %d was not told of the cancellation", v.UserID)
		}
	}
	rem := e.sched.Find(volunteer.TimerRemind, s1.ID)[0]
	e.clock.Set(rem.DueAt)
	if out, err := e.svc.HandleTimer(e.ctx, rem); err != nil || !out.Stale {
		t.Errorf("reminder of a cancelled activity: %+v %v, want stale", out, err)
	}
	if got := e.find(a.ID); got.Status != guanjia.ActivityCancelled || got.Confirmed != 0 || got.Waitlisted != 0 {
		t.Errorf("cancelled activity %s %d/%d", got.Status, got.Confirmed, got.Waitlisted)
	}
}

// An activity cancelled after check-in opened (a typhoon warning) sends
// home those already checked in too: their signup is cancelled, they are
// told, and the auto check-out credits them nothing.
func TestCancelAfterCheckInSendsEveryoneHome(t *testing.T) {
	e := newEnv(t)
	tm, lead := e.team()
	start := t0.Add(25 * time.Hour)
	a := e.activity(tm.ID, lead, 5, start)
	v := e.signedUp(a.ID)
	e.clock.Set(start.Add(-20 * time.Minute))
	if _, err := e.svc.Signups.ManualCheckIn(e.ctx, lead, a.ID, volunteer.ManualCheck{UserID: v.UserID, Reason: "手机没电"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Activities.CancelActivity(e.ctx, lead, a.ID, "台风预警"); err != nil {
		t.Fatal(err)
	}
	if su, err := e.db.Volunteers.FindActiveSignup(e.ctx, a.ID, v.UserID); code(err) != guanjia.ENOTFOUND {
		t.Errorf("after the cancellation the checked-in signup is %+v (%v), want cancelled", su, err)
	}
	if len(e.notes.To(v.UserID, guanjia.TplActivityChanged)) != 1 {
		t.Error("the volunteer on site was not told of the cancellation")
	}
	for _, tm := range e.sched.Find(volunteer.TimerAutoCheckout, a.ID) {
		e.clock.Set(tm.DueAt)
		if out, err := e.svc.HandleTimer(e.ctx, tm); err != nil || !out.Stale {
			t.Errorf("the auto check-out of a cancelled activity: %+v %v, want stale", out, err)
		}
	}
}

func TestCheckInGeofenceWindowAndHours(t *testing.T) {
	e := newEnv(t)
	tm, lead := e.team()
	start := t0.Add(24 * time.Hour)
	a := e.activity(tm.ID, lead, 5, start)
	v := e.signedUp(a.ID)
	token := func() string {
		tok, _, err := e.svc.Signups.CheckinToken(e.ctx, lead, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	// The site as the mini-program reports it with wx.getLocation({type: 'gcj02'}).
	gLat, gLng := geo.WGS84ToGCJ02(placeLat, placeLng)
	at := func(lat, lng float64, sys string) volunteer.CheckInput {
		return volunteer.CheckInput{Token: token(), Lat: &lat, Lng: &lng, CoordSystem: sys}
	}
	e.clock.Set(start.Add(-40 * time.Minute))
	if _, err := e.svc.Signups.CheckIn(e.ctx, v, a.ID, at(gLat, gLng, "gcj02")); code(err) != guanjia.EUNPROCESSABLE {
		t.Errorf("check-in 40 min early: %v, want refused", err)
	}
	e.clock.Set(start.Add(-20 * time.Minute))
	if _, _, err := e.svc.Signups.CheckinToken(e.ctx, v, a.ID); code(err) != guanjia.EFORBIDDEN {
		t.Errorf("a volunteer asked for the organiser's code: %v, want forbidden", err)
	}
	// GCJ-02 numbers sent as WGS-84 land about half a kilometre off in Haikou.
	if _, err := e.svc.Signups.CheckIn(e.ctx, v, a.ID, at(gLat, gLng, "wgs84")); code(err) != guanjia.EUNPROCESSABLE || guanjia.ErrorField(err) != "lat" {
		t.Errorf("check-in with unconverted coordinates: %v, want outside the geofence", err)
	}
	stale := at(gLat, gLng, "gcj02")
	e.clock.Set(start.Add(-19 * time.Minute))
	if _, err := e.svc.Signups.CheckIn(e.ctx, v, a.ID, stale); code(err) != guanjia.EUNPROCESSABLE || guanjia.ErrorField(err) != "token" {
		t.Errorf("check-in with a minute-old code: %v, want expired", err)
	}
	other := e.activity(tm.ID, lead, 5, start)
	otherTok, _, _ := e.svc.Signups.CheckinToken(e.ctx, lead, other.ID)
	if _, err := e.svc.Signups.CheckIn(e.ctx, v, a.ID, volunteer.CheckInput{Token: otherTok, Lat: &gLat, Lng: &gLng, CoordSystem: "gcj02"}); code(err) != guanjia.EINVALID {
		t.Errorf("check-in with another activity's code: %v, want invalid", err)
	}
	if su, _ := e.db.Volunteers.FindActiveSignup(e.ctx, a.ID, v.UserID); su.Status != guanjia.SignupConfirmed {
		t.Fatalf("refused check-ins changed the signup to %s", su.Status)
	}
	e.clock.Set(start.Add(10 * time.Minute))
	su, err := e.svc.Signups.CheckIn(e.ctx, v, a.ID, at(gLat, gLng, "gcj02"))
	if err != nil || su.Status != guanjia.SignupCheckedIn {
		t.Fatalf("check-in: %+v %v", su, err)
	}
	if d := geo.Distance(*su.CheckinLat, *su.CheckinLng, placeLat, placeLng); d > 1 {
		t.Errorf("stored check-in position is %.1f m from the site: not converted to WGS-84", d)
	}
	e.clock.Set(start.Add(2*time.Hour + 55*time.Minute))
	su, entry, err := e.svc.Signups.CheckOut(e.ctx, v, a.ID, at(gLat, gLng, "gcj02"))
	if err != nil {
		t.Fatal(err)
	}
	// 09:10 → 11:55 is 2 h 45, rounded down to 2.5 h.
	if entry.Minutes != 150 || entry.Kind != guanjia.HoursCredit || su.Status != guanjia.SignupCheckedOut {
		t.Errorf("credited %+v, signup %s; want 150 credit minutes", entry, su.Status)
	}
	msgs := e.notes.To(v.UserID, guanjia.TplHoursCredited)
	if len(msgs) != 1 || msgs[0].Data["hours"] != "2.5" {
		t.Errorf("hours message %v", msgs)
	}
	if _, _, err := e.svc.Signups.CheckOut(e.ctx, v, a.ID, at(gLat, gLng, "gcj02")); code(err) != guanjia.ECONFLICT {
		t.Errorf("second check-out: %v, want conflict", err)
	}
	sum, _ := e.svc.Hours.MyHours(e.ctx, v)
	if sum.Totals.CreditMinutes != 150 || len(sum.Entries) != 1 {
		t.Errorf("ledger %+v", sum)
	}
}

// A team admin may not credit their own hours (notOwnHours); checking
// themselves in and out by hand, with no QR code and no position, would.
func TestAdminCannotCheckThemselvesInAndOutByHand(t *testing.T) {
	e := newEnv(t)
	tm, lead := e.team()
	start := t0.Add(24 * time.Hour)
	a := e.activity(tm.ID, lead, 5, start)
	if _, err := e.svc.Signups.Signup(e.ctx, lead, a.ID); err != nil {
		t.Fatal(err)
	}
	e.clock.Set(start.Add(-10 * time.Minute))
	_, errIn := e.svc.Signups.ManualCheckIn(e.ctx, lead, a.ID, volunteer.ManualCheck{UserID: lead.UserID, Reason: "手机没电"})
	e.clock.Set(start.Add(3 * time.Hour))
	_, entry, errOut := e.svc.Signups.ManualCheckOut(e.ctx, lead, a.ID, volunteer.ManualCheck{UserID: lead.UserID, Reason: "手机没电"})
	sum, _ := e.db.Volunteers.SumHours(e.ctx, volunteer.HoursFilter{UserID: lead.UserID})
	if code(errIn) != guanjia.EFORBIDDEN || sum.CreditMinutes != 0 {
		t.Errorf("admin checked themselves in (%v) and out (%v) by hand: credited %d minutes (entry %+v); want forbidden, nothing credited",
			errIn, errOut, sum.CreditMinutes, entry)
	}
}

// editedMeanwhile saves an edit by another admin right after the next read
// of an activity, before the caller goes on.
type editedMeanwhile struct {
	volunteer.Store
	edit func()
}

func (m *editedMeanwhile) FindActivity(ctx context.Context, id int64) (*guanjia.Activity, error) {
	a, err := m.Store.FindActivity(ctx, id)
	if edit := m.edit; edit != nil {
		m.edit = nil
		edit()
	}
	return a, err
}

// A submit that read the draft just before another admin's edit landed is
// refused, instead of sending the draft as it was before the edit to review.
func TestSubmitDoesNotUndoAnEditMeanwhile(t *testing.T) {
	e := newEnv(t)
	tm, lead := e.team()
	lat, lng := placeLat, placeLng
	start := t0.Add(72 * time.Hour)
	in := volunteer.ActivityInput{TeamID: tm.ID, Title: "万绿园净滩", Address: "万绿园", Lat: &lat, Lng: &lng, RadiusM: 200,
		StartAt: start, EndAt: start.Add(3 * time.Hour), Capacity: 5}
	a, err := e.svc.Activities.CreateActivity(e.ctx, lead, in)
	if err != nil {
		t.Fatal(err)
	}
	edited := in
	edited.Title, edited.Capacity = "万绿园净滩（扩招）", 50
	store := &editedMeanwhile{Store: e.db.Volunteers}
	store.edit = func() {
		if _, err := e.svc.Activities.UpdateActivity(e.ctx, lead, a.ID, edited); err != nil {
			t.Errorf("the edit meanwhile: %v", err)
		}
	}
	e.svc.Activities.Store = store
	if _, err := e.svc.Activities.SubmitActivity(e.ctx, lead, a.ID); code(err) != guanjia.ECONFLICT {
		t.Errorf("submit over an edit: %v, want %s", err, guanjia.ECONFLICT)
	}
	got, _ := e.db.Volunteers.FindActivity(e.ctx, a.ID)
	if got.Title != edited.Title || got.Capacity != 50 || got.Status != guanjia.ActivityDraft {
		t.Errorf("the draft after: %q, capacity %d, %s; want the edit kept, still a draft", got.Title, got.Capacity, got.Status)
	}
}

// A check-out is final: one tapped before the start, by the volunteer or the
// organiser, is refused instead of ending the attendance with nothing to credit.
func TestCheckOutOpensAtTheStart(t *testing.T) {
	e := newEnv(t)
	tm, lead := e.team()
	start := t0.Add(24 * time.Hour)
	a := e.activity(tm.ID, lead, 5, start)
	v := e.signedUp(a.ID)
	gLat, gLng := geo.WGS84ToGCJ02(placeLat, placeLng)
	here := func() volunteer.CheckInput {
		tok, _, err := e.svc.Signups.CheckinToken(e.ctx, lead, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		return volunteer.CheckInput{Token: tok, Lat: &gLat, Lng: &gLng, CoordSystem: "gcj02"}
	}
	e.clock.Set(start.Add(-20 * time.Minute))
	if _, err := e.svc.Signups.CheckIn(e.ctx, v, a.ID, here()); err != nil {
		t.Fatal(err)
	}
	e.clock.Set(start.Add(-15 * time.Minute))
	if _, _, err := e.svc.Signups.CheckOut(e.ctx, v, a.ID, here()); code(err) != guanjia.EUNPROCESSABLE {
		t.Errorf("check-out before the start: %v, want refused", err)
	}
	if _, _, err := e.svc.Signups.ManualCheckOut(e.ctx, lead, a.ID, volunteer.ManualCheck{UserID: v.UserID, Reason: "误操作"}); code(err) != guanjia.EUNPROCESSABLE {
		t.Errorf("the organiser's check-out before the start: %v, want refused", err)
	}
	if su, _ := e.db.Volunteers.FindActiveSignup(e.ctx, a.ID, v.UserID); su.Status != guanjia.SignupCheckedIn {
		t.Fatalf("refused check-outs left the signup %s", su.Status)
	}
	e.clock.Set(start.Add(time.Hour))
	if _, entry, err := e.svc.Signups.CheckOut(e.ctx, v, a.ID, here()); err != nil || entry.Minutes != 60 {
		t.Errorf("check-out an hour in: %+v %v, want 60 minutes credited", entry, err)
	}
}

func TestAutoCheckoutAndNoShows(t *testing.T) {
	e := newEnv(t)
	tm, lead := e.team()
	start := t0.Add(24 * time.Hour)
	a := e.activity(tm.ID, lead, 5, start)
	stays, skips, late := e.signedUp(a.ID), e.signedUp(a.ID), e.signedUp(a.ID)
	e.clock.Set(start.Add(-5 * time.Minute))
	if _, err := e.svc.Signups.ManualCheckIn(e.ctx, lead, a.ID, volunteer.ManualCheck{UserID: stays.UserID}); code(err) != guanjia.EINVALID {
		t.Errorf("manual check-in without a reason: %v", err)
	}
	if _, err := e.svc.Signups.ManualCheckIn(e.ctx, stays, a.ID, volunteer.ManualCheck{UserID: late.UserID, Reason: "手机没电"}); code(err) != guanjia.EFORBIDDEN {
		t.Errorf("manual check-in by a volunteer: %v, want forbidden", err)
	}
	su, err := e.svc.Signups.ManualCheckIn(e.ctx, lead, a.ID, volunteer.ManualCheck{UserID: stays.UserID, Reason: "手机没电"})
	if err != nil || !su.CheckinManual {
		t.Fatalf("manual check-in: %+v %v", su, err)
	}
	e.clock.Set(start.Add(90 * time.Minute))
	if _, err := e.svc.Signups.ManualCheckIn(e.ctx, lead, a.ID, volunteer.ManualCheck{UserID: late.UserID, Reason: "迟到"}); err != nil {
		t.Fatal(err)
	}
	events, _ := e.db.Volunteers.ListVolunteerEvents(e.ctx, volunteer.SubjectSignup, su.ID)
	if last := events[len(events)-1]; last.Action != volunteer.ActCheckin || *last.ActorID != lead.UserID || last.Note == "" {
		t.Errorf("manual check-in event %+v, want the organiser and the reason", last)
	}
	timers := map[volunteer.TimerKind]volunteer.Timer{}
	for _, k := range []volunteer.TimerKind{volunteer.TimerStart, volunteer.TimerFinish, volunteer.TimerAutoCheckout} {
		ts := e.sched.Find(k, a.ID)
		if len(ts) != 1 {
			t.Fatalf("%d %s timers armed, want 1", len(ts), k)
		}
		timers[k] = ts[0]
	}
	if !timers[volunteer.TimerAutoCheckout].DueAt.Equal(a.EndAt.Add(2 * time.Hour)) {
		t.Errorf("auto check-out due %s, want end + 2 h", timers[volunteer.TimerAutoCheckout].DueAt)
	}
	// The start and finish timers were lost; the auto check-out still settles.
	e.clock.Set(a.EndAt.Add(2 * time.Hour))
	out, err := e.svc.HandleTimer(e.ctx, timers[volunteer.TimerAutoCheckout])
	if err != nil {
		t.Fatal(err)
	}
	if out.CheckedOut != 2 || out.NoShows != 1 {
		t.Errorf("settled %+v, want 2 checked out and 1 no-show", out)
	}
	got := e.find(a.ID)
	if got.Status != guanjia.ActivityFinished || got.SettledAt == nil {
		t.Errorf("activity %s settled %v", got.Status, got.SettledAt)
	}
	for user, want := range map[int64]int{stays.UserID: 180, late.UserID: 90} {
		sum, _ := e.db.Volunteers.SumHours(e.ctx, volunteer.HoursFilter{UserID: user})
		if sum.CreditMinutes != want {
			t.Errorf("user %d credited %d minutes, want %d", user, sum.CreditMinutes, want)
		}
	}
	s, _ := e.db.Volunteers.FindActiveSignup(e.ctx, a.ID, stays.UserID)
	if !s.AutoCheckout || !s.CheckoutAt.Equal(a.EndAt) {
		t.Errorf("auto check-out %+v, want flagged at the end time", s)
	}
	if n, _ := e.db.Volunteers.FindActiveSignup(e.ctx, a.ID, skips.UserID); n.Status != guanjia.SignupNoShow {
		t.Errorf("never came: %s, want no_show", n.Status)
	}
	if me, _ := e.svc.Volunteers.Me(e.ctx, skips); me.NoShows != 1 {
		t.Errorf("no-shows counted %d, want 1", me.NoShows)
	}
	if out, _ := e.svc.HandleTimer(e.ctx, timers[volunteer.TimerAutoCheckout]); !out.Stale {
		t.Error("a settled activity was settled again")
	}
}

func TestHonorHoursAndCorrections(t *testing.T) {
	e := newEnv(t)
	tm, lead := e.team()
	member := e.volunteer()
	if _, err := e.svc.Teams.JoinTeam(e.ctx, member, tm.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Hours.AddHonorHours(e.ctx, lead, volunteer.HonorInput{TeamID: tm.ID, UserID: member.UserID, Minutes: 9 * 60, Reason: "防台抢险"}); code(err) != guanjia.EINVALID {
		t.Errorf("9 h of 荣誉时长: %v, want over the cap", err)
	}
	if _, err := e.svc.Hours.AddHonorHours(e.ctx, lead, volunteer.HonorInput{TeamID: tm.ID, UserID: e.volunteer().UserID, Minutes: 60, Reason: "x"}); code(err) != guanjia.EINVALID {
		t.Errorf("荣誉时长 for a non-member: %v, want invalid", err)
	}
	if _, err := e.svc.Hours.AddHonorHours(e.ctx, member, volunteer.HonorInput{TeamID: tm.ID, UserID: member.UserID, Minutes: 60, Reason: "x"}); code(err) != guanjia.EFORBIDDEN {
		t.Errorf("荣誉时长 entered by the member: %v, want forbidden", err)
	}
	// Hours go on certificates: an admin's own are entered and corrected by another.
	if _, err := e.svc.Hours.AddHonorHours(e.ctx, lead, volunteer.HonorInput{TeamID: tm.ID, UserID: lead.UserID, Minutes: 60, Reason: "组织活动"}); code(err) != guanjia.EFORBIDDEN {
		t.Errorf("荣誉时长 an admin enters for themselves: %v, want forbidden", err)
	}
	own, err := e.svc.Hours.AddHonorHours(e.ctx, e.admin, volunteer.HonorInput{TeamID: tm.ID, UserID: lead.UserID, Minutes: 60, Reason: "组织活动"})
	if err != nil {
		t.Fatalf("the platform's admin enters the team admin's 荣誉时长: %v", err)
	}
	if _, err := e.svc.Hours.CorrectHours(e.ctx, lead, own.ID, 60, "补录"); code(err) != guanjia.EFORBIDDEN {
		t.Errorf("an admin correcting their own entry: %v, want forbidden", err)
	}
	entry, err := e.svc.Hours.AddHonorHours(e.ctx, lead, volunteer.HonorInput{TeamID: tm.ID, UserID: member.UserID, Minutes: 4 * 60, Reason: "防台抢险"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Hours.CorrectHours(e.ctx, lead, entry.ID, -5*60, "录入错误"); code(err) != guanjia.EINVALID {
		t.Errorf("correction below zero: %v", err)
	}
	if _, err := e.svc.Hours.CorrectHours(e.ctx, lead, entry.ID, 5*60, "补录"); code(err) != guanjia.EINVALID {
		t.Errorf("correction above the cap: %v", err)
	}
	fix, err := e.svc.Hours.CorrectHours(e.ctx, lead, entry.ID, -90, "实际2.5小时")
	if err != nil {
		t.Fatal(err)
	}
	sum, _ := e.svc.Hours.MyHours(e.ctx, member)
	if sum.Totals.HonorMinutes != 150 || len(sum.Entries) != 2 {
		t.Fatalf("after the correction: %+v", sum)
	}
	again, _ := e.db.Volunteers.FindHours(e.ctx, entry.ID)
	if again.Minutes != 240 || *fix.CorrectsID != entry.ID {
		t.Errorf("the original entry was edited (%d) or the correction is unlinked", again.Minutes)
	}
}

// lingering holds every correction that has read its entry's total until n
// have (or 300 ms pass): if corrections could read the same total before one
// of them writes, they would, every time.
type lingering struct {
	volunteer.Store
	n       int
	mu      sync.Mutex
	arrived int
	all     chan struct{}
}

func (l *lingering) linger() {
	l.mu.Lock()
	l.arrived++
	if l.arrived == l.n {
		close(l.all)
	}
	l.mu.Unlock()
	select {
	case <-l.all:
	case <-time.After(300 * time.Millisecond):
	}
}

func (l *lingering) AddCorrection(ctx context.Context, e *guanjia.HoursEntry, fits func(total int) error) error {
	return l.Store.AddCorrection(ctx, e, func(total int) error { l.linger(); return fits(total) })
}

// Two admins (or a double tap) correcting one entry at once: each correction
// is decided on the total the other left, so the entry never goes below zero.
func TestCorrectionsAtOnceKeepTheBounds(t *testing.T) {
	e := newEnv(t)
	tm, lead := e.team()
	member := e.volunteer()
	if _, err := e.svc.Teams.JoinTeam(e.ctx, member, tm.ID); err != nil {
		t.Fatal(err)
	}
	entry, err := e.svc.Hours.AddHonorHours(e.ctx, lead, volunteer.HonorInput{TeamID: tm.ID, UserID: member.UserID, Minutes: 120, Reason: "防台抢险"})
	if err != nil {
		t.Fatal(err)
	}
	const n = 3
	e.svc.Hours.Store = &lingering{Store: e.db.Volunteers, n: n, all: make(chan struct{})}
	errs := make(chan error, n)
	for range n {
		go func() {
			_, err := e.svc.Hours.CorrectHours(e.ctx, lead, entry.ID, -120, "录入错误")
			errs <- err
		}()
	}
	var ok int
	for range n {
		switch err := <-errs; {
		case err == nil:
			ok++
		case code(err) != guanjia.EINVALID:
			t.Errorf("a correction failed: %v", err)
		}
	}
	sum, _ := e.svc.Hours.MyHours(e.ctx, member)
	if ok != 1 || sum.Totals.HonorMinutes != 0 {
		t.Errorf("%d of %d corrections by −2 h of a 2 h entry passed, leaving %d minutes; want one, and 0", ok, n, sum.Totals.HonorMinutes)
	}
}

func TestCertificateIssueVerifyAndPDF(t *testing.T) {
	e := newEnv(t)
	tm, lead := e.team()
	member := e.volunteer()
	if _, err := e.svc.Hours.IssueCertificate(e.ctx, member, tm.ID); code(err) != guanjia.EUNPROCESSABLE {
		t.Errorf("certificate without hours: %v", err)
	}
	if _, err := e.svc.Teams.JoinTeam(e.ctx, member, tm.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Hours.AddHonorHours(e.ctx, lead, volunteer.HonorInput{TeamID: tm.ID, UserID: member.UserID, Minutes: 150, Reason: "社区防疫值守"}); err != nil {
		t.Fatal(err)
	}
	c, err := e.svc.Hours.IssueCertificate(e.ctx, member, tm.ID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Totals.HonorMinutes != 150 || len(c.Lines) != 1 || c.Lines[0].Activity != "社区防疫值守" {
		t.Errorf("certificate %+v", c)
	}
	if _, full, err := e.svc.Hours.VerifyCertificate(e.ctx, c.Number, ""); err != nil || full {
		t.Errorf("verify without code: full=%v %v", full, err)
	}
	if _, _, err := e.svc.Hours.VerifyCertificate(e.ctx, c.Number, "WRONG123"); code(err) != guanjia.ENOTFOUND {
		t.Errorf("wrong code: %v, want not found", err)
	}
	got, full, err := e.svc.Hours.VerifyCertificate(e.ctx, c.Number, c.Code)
	if err != nil || !full || got.Name != c.Name || got.MaskedIDNumber == "" {
		t.Errorf("verify: %+v %v %v", got, full, err)
	}
	if _, err := e.svc.Hours.CertificatePDF(e.ctx, e.volunteer(), c.Number); code(err) != guanjia.ENOTFOUND {
		t.Errorf("someone else's PDF: %v, want not found", err)
	}
	pdf, err := e.svc.Hours.CertificatePDF(e.ctx, member, c.Number)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) || len(pdf) > 200<<10 {
		t.Errorf("PDF of %d bytes starting %q", len(pdf), pdf[:min(8, len(pdf))])
	}
	if !bytes.Contains(pdf, []byte("FontFile2")) {
		t.Error("the CJK font is not embedded")
	}
}

// TestReconcileRearmsLostTimers forgets every armed timer and reconciles.
func TestReconcileRearmsLostTimers(t *testing.T) {
	e := newEnv(t)
	tm, lead := e.team()
	start := t0.Add(2 * time.Hour)
	a := e.activity(tm.ID, lead, 5, start)
	v := e.volunteer()
	su, err := e.svc.Signups.Signup(e.ctx, v, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	e.sched.Forget() // Redis was flushed
	n, err := e.svc.ReconcileTimers(e.ctx, t0.Add(30*time.Minute))
	if err != nil || n != 0 {
		t.Errorf("nothing is due within 30 min, armed %d (%v)", n, err)
	}
	n, err = e.svc.ReconcileTimers(e.ctx, start.Add(10*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if len(e.sched.Find(volunteer.TimerRemind, su.ID)) != 1 || len(e.sched.Find(volunteer.TimerStart, a.ID)) != 1 || n != 2 {
		t.Errorf("re-armed %d: %v", n, e.sched)
	}
}

// A team's activities that are over list from the latest: however many there
// are, the list's limit leaves out the oldest, not the newest. Those to come
// list soonest first.
func TestPastActivitiesListLatestFirst(t *testing.T) {
	e := newEnv(t)
	tm, lead := e.team()
	var ids []int64
	for day := 1; day <= 3; day++ {
		a := e.activity(tm.ID, lead, 10, t0.Add(time.Duration(day)*24*time.Hour))
		if _, err := e.svc.Activities.CancelActivity(e.ctx, lead, a.ID, "天气预警"); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, a.ID)
	}
	soon := e.activity(tm.ID, lead, 10, t0.Add(48*time.Hour))
	later := e.activity(tm.ID, lead, 10, t0.Add(72*time.Hour))
	listed := func(status ...guanjia.ActivityStatus) []int64 {
		hits, err := e.svc.Activities.ListActivities(e.ctx, lead, volunteer.ActivityQuery{TeamID: tm.ID, Status: status})
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, h := range hits {
			out = append(out, h.Activity.ID)
		}
		return out
	}
	if got, want := listed(guanjia.ActivityFinished, guanjia.ActivityCancelled), []int64{ids[2], ids[1], ids[0]}; !slices.Equal(got, want) {
		t.Errorf("past activities %v, want the latest first %v", got, want)
	}
	if got, want := listed(guanjia.ActivityPublished), []int64{soon.ID, later.ID}; !slices.Equal(got, want) {
		t.Errorf("activities to come %v, want the soonest first %v", got, want)
	}
}

// outboxDown makes the next write of a message to the outbox fail, as when
// the database connection drops in the middle of a step.
func outboxDown(t *testing.T, e *env) {
	t.Helper()
	down := true
	err := e.db.Gorm().Callback().Create().Before("gorm:create").Register("test:outbox_down", func(tx *gorm.DB) {
		if tx.Statement.Table == "notifications" && down {
			down = false
			tx.AddError(errors.New("store: create notification: connection reset by peer"))
		}
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A reminder whose message cannot be written is not recorded as sent: the
// timer's retry (or the reconciler) sends it, once.
func TestAReminderIsNotLostWhenItsMessageIsNotWritten(t *testing.T) {
	e := newEnv(t)
	e.svc.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	tm, lead := e.team()
	start := t0.Add(24 * time.Hour)
	a := e.activity(tm.ID, lead, 5, start)
	v := e.volunteer()
	su, err := e.svc.Signups.Signup(e.ctx, v, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	rem := e.sched.Find(volunteer.TimerRemind, su.ID)
	if len(rem) != 1 {
		t.Fatalf("reminders %v", rem)
	}
	outboxDown(t, e)
	e.clock.Set(rem[0].DueAt)
	_, herr := e.svc.HandleTimer(e.ctx, rem[0])
	_, _ = e.svc.HandleTimer(e.ctx, rem[0])
	e.sched.Forget()
	if _, err := e.svc.ReconcileTimers(e.ctx, e.clock.Now().Add(3*time.Minute)); err != nil {
		t.Fatal(err)
	}
	for _, tmr := range e.sched.Find(volunteer.TimerRemind, su.ID) {
		_, _ = e.svc.HandleTimer(e.ctx, tmr)
	}
	got := e.notes.To(v.UserID, guanjia.TplActivityReminder)
	if len(got) != 1 {
		t.Fatalf("the volunteer got %d reminders of the activity (first handler returned %v); want 1", len(got), herr)
	}
	if herr == nil {
		t.Error("the reminder whose message was not written reported success")
	}
	if !slices.Contains(e.sched.Delivered(), got[0].ID) {
		t.Errorf("the reminder %d was not handed to the queue (%v)", got[0].ID, e.sched.Delivered())
	}
}

// An activity cancelled while its notices cannot be written is not cancelled:
// the organiser is told it failed and cancels again; everyone is told once.
func TestACancellationIsNotSilentWhenItsNoticesAreNotWritten(t *testing.T) {
	e := newEnv(t)
	e.svc.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	tm, lead := e.team()
	a := e.activity(tm.ID, lead, 1, t0.Add(24*time.Hour))
	v1, v2 := e.signedUp(a.ID), e.signedUp(a.ID) // confirmed, waitlisted
	outboxDown(t, e)
	_, cerr := e.svc.Activities.CancelActivity(e.ctx, lead, a.ID, "天气预警")
	got := e.find(a.ID)
	told := len(e.notes.To(v1.UserID, guanjia.TplActivityChanged)) + len(e.notes.To(v2.UserID, guanjia.TplActivityChanged))
	switch {
	case cerr == nil && got.Status == guanjia.ActivityCancelled && told == 2:
		// the retry of the failed write got through: both landed
	case cerr != nil && got.Status == guanjia.ActivityPublished && got.Confirmed == 1 && got.Waitlisted == 1 && told == 0:
		if _, err := e.svc.Activities.CancelActivity(e.ctx, lead, a.ID, "天气预警"); err != nil {
			t.Fatalf("cancelling again: %v", err)
		}
	default:
		t.Fatalf("cancel answered %v; the activity is %s (%d/%d) and %d were told: the cancellation and its notices must land together",
			cerr, got.Status, got.Confirmed, got.Waitlisted, told)
	}
	for _, v := range []guanjia.Claims{v1, v2} {
		if n := len(e.notes.To(v.UserID, guanjia.TplActivityChanged)); n != 1 {
			t.Errorf("user %d was told of the cancellation %d times, want 1", v.UserID, n)
		}
	}
}
