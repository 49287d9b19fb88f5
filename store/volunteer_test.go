package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"guanjia"
	"guanjia/internal/testenv"
	"guanjia/store"
	"guanjia/volunteer"
)

// volunteerFixture is a certified team with one published activity.
type volunteerFixture struct {
	ctx      context.Context
	db       *store.DB
	lead     int64
	team     *guanjia.Team
	activity *guanjia.Activity
	users    []int64
}

func newVolunteerFixture(t *testing.T, capacity, people int) *volunteerFixture {
	t.Helper()
	f := &volunteerFixture{ctx: context.Background(), db: testenv.MustOpenDB(t)}
	// The activity is tomorrow by the real clock: the signups below are
	// stamped with time.Now(), and must come before its start and cut-off.
	now := time.Now().UTC().Truncate(time.Second)
	for i := 0; i <= people; i++ {
		u := &guanjia.User{Username: fmt.Sprintf("v%d", i), Role: guanjia.RoleCitizen}
		if err := f.db.Users.CreateUser(f.ctx, u); err != nil {
			t.Fatal(err)
		}
		f.users = append(f.users, u.ID)
	}
	f.lead, f.users = f.users[0], f.users[1:]
	f.team = &guanjia.Team{Name: "测试队", Organisation: "测试", ContactName: "陈", ContactPhone: "13800000000",
		Status: guanjia.TeamCertified, CreatedBy: f.lead, CreatedAt: now}
	if err := f.db.Volunteers.CreateTeam(f.ctx, f.team, nil); err != nil {
		t.Fatal(err)
	}
	f.activity = &guanjia.Activity{TeamID: f.team.ID, Title: "净滩", Address: "万绿园", Lat: 20.04, Lng: 110.32, CoordSystem: "wgs84",
		RadiusM: 200, StartAt: now.Add(24 * time.Hour), EndAt: now.Add(27 * time.Hour), SignupDeadline: now.Add(24 * time.Hour),
		Capacity: capacity, Status: guanjia.ActivityPublished, CreatedBy: f.lead, CreatedAt: now, UpdatedAt: now}
	if err := f.db.Volunteers.CreateActivity(f.ctx, f.activity, nil); err != nil {
		t.Fatal(err)
	}
	return f
}

func open(*guanjia.Activity) error { return nil }

func TestAdmitSignupsInBatchOrder(t *testing.T) {
	f := newVolunteerFixture(t, 3, 5)
	now := time.Now().UTC()
	var batch []*volunteer.Admission
	for _, u := range f.users {
		batch = append(batch, &volunteer.Admission{UserID: u, Now: now})
	}
	batch = append(batch, &volunteer.Admission{UserID: f.users[0], Now: now}) // twice in one batch
	if err := f.db.Volunteers.AdmitSignups(f.ctx, f.activity.ID, batch, open); err != nil {
		t.Fatal(err)
	}
	want := []struct {
		status   guanjia.SignupStatus
		position int
	}{{guanjia.SignupConfirmed, 0}, {guanjia.SignupConfirmed, 0}, {guanjia.SignupConfirmed, 0},
		{guanjia.SignupWaitlisted, 1}, {guanjia.SignupWaitlisted, 2}}
	for i, w := range want {
		if batch[i].Err != nil || batch[i].Signup.Status != w.status || batch[i].Signup.Position != w.position || batch[i].Signup.ID == 0 {
			t.Errorf("admission %d: %+v %v, want %s at %d", i, batch[i].Signup, batch[i].Err, w.status, w.position)
		}
	}
	if guanjia.ErrorCode(batch[5].Err) != guanjia.ECONFLICT {
		t.Errorf("the same person twice in a batch: %v, want conflict", batch[5].Err)
	}
	// A later batch finds the earlier signups and continues the waitlist.
	again := []*volunteer.Admission{{UserID: f.users[1], Now: now}}
	if err := f.db.Volunteers.AdmitSignups(f.ctx, f.activity.ID, again, open); err != nil || guanjia.ErrorCode(again[0].Err) != guanjia.ECONFLICT {
		t.Errorf("signing up again: %v / %v, want conflict", err, again[0].Err)
	}
	a, _ := f.db.Volunteers.FindActivity(f.ctx, f.activity.ID)
	if a.Confirmed != 3 || a.Waitlisted != 2 {
		t.Errorf("counts %d/%d, want 3/2", a.Confirmed, a.Waitlisted)
	}
	// A check that fails under the lock refuses the whole batch and writes nothing.
	closed := fmt.Errorf("closed")
	u := &guanjia.User{Username: "late", Role: guanjia.RoleCitizen}
	f.db.Users.CreateUser(f.ctx, u)
	if err := f.db.Volunteers.AdmitSignups(f.ctx, f.activity.ID, []*volunteer.Admission{{UserID: u.ID, Now: now}},
		func(*guanjia.Activity) error { return closed }); err != closed {
		t.Errorf("failed check: %v", err)
	}
	if _, err := f.db.Volunteers.FindActiveSignup(f.ctx, f.activity.ID, u.ID); guanjia.ErrorCode(err) != guanjia.ENOTFOUND {
		t.Errorf("a refused batch was written: %v", err)
	}
}

// TestConcurrentBatchesNeverOversell runs many small batches at once
// straight against the store, bypassing the service's batching: the row lock
// and the CHECK constraint alone keep the capacity.
func TestConcurrentBatchesNeverOversell(t *testing.T) {
	const capacity, people = 7, 40
	f := newVolunteerFixture(t, capacity, people)
	var wg sync.WaitGroup
	for i := 0; i < people; i += 2 {
		wg.Add(1)
		go func(us []int64) {
			defer wg.Done()
			batch := []*volunteer.Admission{{UserID: us[0], Now: time.Now()}, {UserID: us[1], Now: time.Now()}}
			if err := f.db.Volunteers.AdmitSignups(f.ctx, f.activity.ID, batch, open); err != nil {
				t.Errorf("admit: %v", err)
			}
		}(f.users[i : i+2])
	}
	wg.Wait()
	list, err := f.db.Volunteers.ListSignups(f.ctx, volunteer.SignupFilter{ActivityID: f.activity.ID, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	confirmed, waiting := 0, 0
	for _, su := range list {
		switch su.Status {
		case guanjia.SignupConfirmed:
			confirmed++
		case guanjia.SignupWaitlisted:
			waiting++
			if su.Position != waiting {
				t.Errorf("waitlist position %d at rank %d", su.Position, waiting)
			}
		}
	}
	if confirmed != capacity || waiting != people-capacity {
		t.Errorf("%d confirmed, %d waitlisted; want %d and %d", confirmed, waiting, capacity, people-capacity)
	}
}

// One person signing up for two activities at the same time at once, each
// batch under its own activity's lock, gets one of them; an activity that
// starts when the first ends, or one cancelled, is no obstacle.
func TestConcurrentSignupsAtTheSameTimeAdmitOne(t *testing.T) {
	const people = 12
	f := newVolunteerFixture(t, people, people)
	other := func(start time.Time) *guanjia.Activity {
		a := *f.activity
		a.ID, a.StartAt, a.EndAt = 0, start, start.Add(3*time.Hour)
		if err := f.db.Volunteers.CreateActivity(f.ctx, &a, nil); err != nil {
			t.Fatal(err)
		}
		return &a
	}
	same, next := other(f.activity.StartAt.Add(-time.Hour)), other(f.activity.EndAt)
	var wg sync.WaitGroup
	admitted := make([][2]*volunteer.Admission, people)
	for i, u := range f.users {
		for j, id := range []int64{f.activity.ID, same.ID} {
			adm := &volunteer.Admission{UserID: u, Now: time.Now()}
			admitted[i][j] = adm
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := f.db.Volunteers.AdmitSignups(f.ctx, id, []*volunteer.Admission{adm}, open); err != nil {
					t.Errorf("admit: %v", err)
				}
			}()
		}
	}
	wg.Wait()
	for i, pair := range admitted {
		if (pair[0].Err == nil) == (pair[1].Err == nil) {
			t.Errorf("user %d signing up for two activities at once: %v / %v, want one admitted", i, pair[0].Err, pair[1].Err)
		}
		for _, adm := range pair {
			if adm.Err != nil && (guanjia.ErrorCode(adm.Err) != guanjia.ECONFLICT || !strings.Contains(adm.Err.Error(), "净滩")) {
				t.Errorf("refused with %v, want a conflict naming the other activity", adm.Err)
			}
		}
	}
	batch := []*volunteer.Admission{{UserID: f.users[0], Now: time.Now()}}
	if err := f.db.Volunteers.AdmitSignups(f.ctx, next.ID, batch, open); err != nil || batch[0].Err != nil {
		t.Errorf("signing up for the activity that starts when the first ends: %v / %v", err, batch[0].Err)
	}
	if err := f.db.Gorm().Exec("UPDATE volunteer_activities SET status = ? WHERE id IN ?", guanjia.ActivityCancelled,
		[]int64{f.activity.ID, same.ID}).Error; err != nil {
		t.Fatal(err)
	}
	batch = []*volunteer.Admission{{UserID: f.users[1], Now: time.Now()}}
	if err := f.db.Volunteers.AdmitSignups(f.ctx, other(f.activity.StartAt).ID, batch, open); err != nil || batch[0].Err != nil {
		t.Errorf("signing up at the time of a cancelled activity: %v / %v", err, batch[0].Err)
	}
}

// A help request whose time has passed while it waited is not open: not
// counted, and left out of a list that asks so.
func TestLapsedHelpRequestsAreNotOpen(t *testing.T) {
	f := newVolunteerFixture(t, 1, 1)
	now := time.Now().UTC().Truncate(time.Second)
	for i, needed := range []time.Time{now.Add(-time.Hour), now.Add(time.Hour)} {
		h := &guanjia.HelpRequest{RequesterID: f.users[0], Title: fmt.Sprintf("求助%d", i), Address: "万绿园", Lat: 20.04, Lng: 110.32,
			CoordSystem: "wgs84", NeededAt: needed, Status: guanjia.HelpPublished, CreatedAt: now, UpdatedAt: now}
		if err := f.db.Volunteers.CreateHelpRequest(f.ctx, h, nil); err != nil {
			t.Fatal(err)
		}
	}
	st, err := f.db.Volunteers.VolunteerStats(f.ctx, now.AddDate(0, -1, 0), now)
	if err != nil || st.HelpRequestsOpen != 1 {
		t.Errorf("open help requests: %d, %v; want 1", st.HelpRequestsOpen, err)
	}
	list, err := f.db.Volunteers.ListHelpRequests(f.ctx, volunteer.HelpFilter{Status: volunteer.HelpWaiting, NotLapsedAt: &now})
	if err != nil || len(list) != 1 || list[0].Title != "求助1" {
		t.Errorf("help requests not lapsed: %+v, %v; want 求助1", list, err)
	}
}

func TestCapacityIsADatabaseConstraint(t *testing.T) {
	f := newVolunteerFixture(t, 2, 1)
	err := f.db.Gorm().Exec("UPDATE volunteer_activities SET confirmed = 3 WHERE id = ?", f.activity.ID).Error
	if err == nil {
		t.Fatal("the database accepted more confirmed places than the capacity")
	}
	if err := f.db.Gorm().Exec("UPDATE volunteer_activities SET confirmed = 2 WHERE id = ?", f.activity.ID).Error; err != nil {
		t.Fatalf("a full activity: %v", err)
	}
}

func TestVolunteerIDNumberIsSealed(t *testing.T) {
	f := newVolunteerFixture(t, 1, 2)
	id := "46010619900307123X"
	v := &guanjia.Volunteer{UserID: f.users[0], Name: "王小明", IDNumber: id, Phone: "13812345678", CertifiedAt: time.Now().UTC()}
	if err := f.db.Volunteers.CreateVolunteer(f.ctx, v); err != nil {
		t.Fatal(err)
	}
	var raw struct{ IDNumberEnc, PhoneEnc string }
	f.db.Gorm().Raw("SELECT id_number_enc, phone_enc FROM volunteers WHERE id = ?", v.ID).Scan(&raw)
	if raw.IDNumberEnc == "" || strings.Contains(raw.IDNumberEnc, "46010619900307") || strings.Contains(raw.PhoneEnc, "13812345678") {
		t.Errorf("stored in the clear: %+v", raw)
	}
	got, err := f.db.Volunteers.FindVolunteer(f.ctx, f.users[0])
	if err != nil || got.IDNumber != id || got.Phone != "13812345678" {
		t.Errorf("read back %+v %v", got, err)
	}
	err = f.db.Volunteers.CreateVolunteer(f.ctx, &guanjia.Volunteer{UserID: f.users[1], Name: "冒名", IDNumber: id, CertifiedAt: time.Now()})
	if guanjia.ErrorCode(err) != guanjia.ECONFLICT || guanjia.ErrorField(err) != "id_number" {
		t.Errorf("the same ID number twice: %v", err)
	}
}

// A ledger longer than a page lists its newest entries: the ones a team
// admin looks for to correct. Its totals count them all.
func TestLedgerListsTheNewestEntries(t *testing.T) {
	f := newVolunteerFixture(t, 1, 1)
	n := volunteer.MaxLedgerRows + 1
	err := f.db.Gorm().Exec(`WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ?)
		INSERT INTO volunteer_hours (user_id, team_id, kind, source, minutes, reason, created_at)
		SELECT ?, ?, ?, ?, 1, 'entry ' || CAST(i AS TEXT), ? FROM seq ORDER BY i`,
		n, f.users[0], f.team.ID, guanjia.HoursHonor, guanjia.HoursFromEntry, time.Now().UTC()).Error
	if err != nil {
		t.Fatal(err)
	}
	filter := volunteer.HoursFilter{TeamID: f.team.ID}
	list, err := f.db.Volunteers.ListHours(f.ctx, filter)
	if err != nil || len(list) != volunteer.MaxLedgerRows {
		t.Fatalf("listed %d (%v), want %d", len(list), err, volunteer.MaxLedgerRows)
	}
	if first, last := list[0].Reason, list[len(list)-1].Reason; first != "entry 2" || last != fmt.Sprintf("entry %d", n) {
		t.Errorf("listed %q … %q, want entry 2 … entry %d, oldest first", first, last, n)
	}
	if sum, err := f.db.Volunteers.SumHours(f.ctx, filter); err != nil || sum.HonorMinutes != n {
		t.Errorf("total %+v (%v), want %d minutes", sum, err, n)
	}
}

func TestHoursAreCreditedOncePerAttendance(t *testing.T) {
	f := newVolunteerFixture(t, 1, 1)
	batch := []*volunteer.Admission{{UserID: f.users[0], Now: time.Now().UTC()}}
	if err := f.db.Volunteers.AdmitSignups(f.ctx, f.activity.ID, batch, open); err != nil {
		t.Fatal(err)
	}
	su := batch[0].Signup
	entry := func() *guanjia.HoursEntry {
		return &guanjia.HoursEntry{UserID: su.UserID, TeamID: f.team.ID, ActivityID: &f.activity.ID, SignupID: &su.ID,
			Kind: guanjia.HoursCredit, Source: guanjia.HoursFromCheckin, Minutes: 90, CreatedAt: time.Now().UTC()}
	}
	first := entry()
	told := []guanjia.Message{{RecipientID: su.UserID, Channel: guanjia.ChannelSubscribe, Template: guanjia.TplHoursCredited}}
	queued, err := f.db.Volunteers.AddHours(f.ctx, first, told)
	if err != nil || len(queued) != 1 {
		t.Fatalf("credit with its message: %v %v", queued, err)
	}
	if _, err := f.db.Volunteers.AddHours(f.ctx, entry(), told); guanjia.ErrorCode(err) != guanjia.ECONFLICT {
		t.Errorf("the same attendance credited twice: %v", err)
	}
	if ns, _ := f.db.Notifications.ListNotifications(f.ctx, guanjia.NotificationFilter{RecipientID: &su.UserID}); len(ns) != 1 {
		t.Errorf("messages after crediting once and refusing the second: %d, want 1", len(ns))
	}
	fix := entry()
	fix.Source, fix.Minutes, fix.CorrectsID = guanjia.HoursFromCorrection, -30, &first.ID
	if _, err := f.db.Volunteers.AddHours(f.ctx, fix, nil); err != nil {
		t.Fatalf("a correction of the attendance: %v", err)
	}
	sum, err := f.db.Volunteers.SumHours(f.ctx, volunteer.HoursFilter{UserID: su.UserID})
	if err != nil || sum.CreditMinutes != 60 {
		t.Errorf("sum %+v %v, want 60 credit minutes", sum, err)
	}
}

func TestSaveActivityIsGuarded(t *testing.T) {
	f := newVolunteerFixture(t, 1, 0)
	a := f.activity
	version, _ := f.db.Volunteers.ActivityVersion(f.ctx, a.ID)
	a.Title = "改名"
	if err := f.db.Volunteers.SaveActivity(f.ctx, &volunteer.ActivityChange{Activity: a, ExpectStatus: a.Status, ExpectVersion: version}); err != nil {
		t.Fatal(err)
	}
	a.Title = "又改名"
	err := f.db.Volunteers.SaveActivity(f.ctx, &volunteer.ActivityChange{Activity: a, ExpectStatus: a.Status, ExpectVersion: version})
	if guanjia.ErrorCode(err) != guanjia.ECONFLICT {
		t.Errorf("a stale edit: %v, want conflict", err)
	}
	if got, _ := f.db.Volunteers.FindActivity(f.ctx, a.ID); got.Title != "改名" {
		t.Errorf("title %q", got.Title)
	}
}

// A step's messages go to the outbox in its transaction: a message that
// cannot be written fails the step, and a step written has its messages.
func TestVolunteerStepsWriteTheirMessagesOrNothing(t *testing.T) {
	f := newVolunteerFixture(t, 1, 2)
	confirm := func(su *guanjia.Signup) []guanjia.Message {
		return []guanjia.Message{{RecipientID: su.UserID, Channel: guanjia.ChannelSubscribe, Template: guanjia.TplSignupConfirmed}}
	}
	batch := []*volunteer.Admission{{UserID: f.users[0], Now: time.Now().UTC(), Tell: confirm}, {UserID: f.users[1], Now: time.Now().UTC(), Tell: confirm}}
	if err := f.db.Volunteers.AdmitSignups(f.ctx, f.activity.ID, batch, open); err != nil {
		t.Fatal(err)
	}
	if len(batch[0].NotificationIDs) != 1 || len(batch[1].NotificationIDs) != 1 {
		t.Fatalf("admissions' messages to deliver: %v %v, want one each", batch[0].NotificationIDs, batch[1].NotificationIDs)
	}
	outbox := func(user int64) []*guanjia.Notification {
		t.Helper()
		ns, err := f.db.Notifications.ListNotifications(f.ctx, guanjia.NotificationFilter{RecipientID: &user})
		if err != nil {
			t.Fatal(err)
		}
		return ns
	}
	if ns := outbox(f.users[0]); len(ns) != 1 || ns[0].ID != batch[0].NotificationIDs[0] || ns[0].Status != guanjia.DeliveryPending {
		t.Fatalf("the outbox of the first volunteer: %+v", ns)
	}

	failing := true
	err := f.db.Gorm().Callback().Create().Before("gorm:create").Register("test:outbox_down", func(tx *gorm.DB) {
		if tx.Statement.Table == "notifications" && failing {
			tx.AddError(errors.New("connection reset by peer"))
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	su := batch[0].Signup
	now := time.Now().UTC()
	su.RemindedAt, su.UpdatedAt = &now, now
	remind := &volunteer.SignupChange{Signup: su, ExpectStatus: su.Status,
		Messages: []guanjia.Message{{RecipientID: su.UserID, Channel: guanjia.ChannelSubscribe, Template: guanjia.TplActivityReminder}}}
	if err := f.db.Volunteers.SaveSignup(f.ctx, remind); err == nil {
		t.Fatal("a reminder whose message could not be written was saved")
	}
	if got, _ := f.db.Volunteers.FindSignup(f.ctx, su.ID); got.RemindedAt != nil {
		t.Fatalf("the reminder is recorded without its message: %v", got.RemindedAt)
	}
	version, _ := f.db.Volunteers.ActivityVersion(f.ctx, f.activity.ID)
	a := *f.activity
	a.Status, a.UpdatedAt = guanjia.ActivityCancelled, now
	cancel := &volunteer.ActivityChange{Activity: &a, ExpectStatus: f.activity.Status, ExpectVersion: version, CancelSignups: true,
		Tell: func(su *guanjia.Signup) []guanjia.Message {
			return []guanjia.Message{{RecipientID: su.UserID, Channel: guanjia.ChannelSubscribe, Template: guanjia.TplActivityChanged}}
		}}
	if err := f.db.Volunteers.SaveActivity(f.ctx, cancel); err == nil {
		t.Fatal("a cancellation whose messages could not be written was saved")
	}
	if got, _ := f.db.Volunteers.FindActivity(f.ctx, a.ID); got.Status != guanjia.ActivityPublished || got.Confirmed != 1 {
		t.Fatalf("the activity after the failed cancellation: %s, %d confirmed", got.Status, got.Confirmed)
	}

	failing = false
	if err := f.db.Volunteers.SaveSignup(f.ctx, remind); err != nil || len(remind.NotificationIDs) != 1 {
		t.Fatalf("the reminder again: %v %v", remind.NotificationIDs, err)
	}
	if err := f.db.Volunteers.SaveActivity(f.ctx, cancel); err != nil || len(cancel.Affected) != 2 || len(cancel.NotificationIDs) != 2 {
		t.Fatalf("the cancellation again: %d reached, %v, %v", len(cancel.Affected), cancel.NotificationIDs, err)
	}
	for i, want := range []int{3, 2} { // confirmed, reminded, told; waitlisted, told
		if n := len(outbox(f.users[i])); n != want {
			t.Errorf("volunteer %d has %d messages, want %d", i, n, want)
		}
	}
}
