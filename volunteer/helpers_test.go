package volunteer_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"guanjia"
	"guanjia/internal/testenv"
	"guanjia/store"
	"guanjia/volunteer"
)

type env struct {
	t     *testing.T
	ctx   context.Context
	db    *store.DB
	svc   *volunteer.Service
	clock *testenv.Clock
	sched *testenv.VolunteerTimers
	notes outbox
	admin guanjia.Claims
	seq   int
}

// t0 is a Saturday morning in Haikou, 2026-11-28 08:00 CST.
var t0 = time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{t: t, ctx: context.Background(), db: testenv.MustOpenDB(t), clock: testenv.NewClock(t0), sched: &testenv.VolunteerTimers{}}
	e.notes = outbox{e}
	// No Notifier: every message goes to the outbox with the step it reports.
	e.svc = volunteer.NewService(e.db.Volunteers, e.sched, guanjia.NoContentCheck{}, e.clock, "test-secret")
	e.admin = e.user(guanjia.RoleAdmin)
	return e
}

// idNumber completes 17 digits with their GB 11643 check character.
func idNumber(first17 string) string {
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(first17[i]-'0') * weights[i]
	}
	return first17 + string("10X98765432"[sum%11])
}

func (e *env) user(role guanjia.Role) guanjia.Claims {
	e.t.Helper()
	e.seq++
	u := &guanjia.User{Username: fmt.Sprintf("u%d-%s", e.seq, role), Role: role, Name: "测试用户"}
	if err := e.db.Users.CreateUser(e.ctx, u); err != nil {
		e.t.Fatal(err)
	}
	return guanjia.Claims{UserID: u.ID, Role: role}
}

// volunteer creates a certified volunteer.
func (e *env) volunteer() guanjia.Claims {
	e.t.Helper()
	who := e.user(guanjia.RoleCitizen)
	_, err := e.svc.Volunteers.Certify(e.ctx, who, volunteer.CertifyInput{Name: "志愿者" + fmt.Sprint(who.UserID),
		IDNumber: idNumber(fmt.Sprintf("4601061990%02d%02d%03d", 1+who.UserID/28000%12, 1+who.UserID/1000%28, who.UserID%1000)), Phone: "13800000000"})
	if err != nil {
		e.t.Fatalf("certify: %v", err)
	}
	return who
}

// signedUp creates a certified volunteer signed up for activity id.
func (e *env) signedUp(id int64) guanjia.Claims {
	e.t.Helper()
	v := e.volunteer()
	if _, err := e.svc.Signups.Signup(e.ctx, v, id); err != nil {
		e.t.Fatalf("signup: %v", err)
	}
	return v
}

// team creates a certified team and returns it with its admin.
func (e *env) team() (*guanjia.Team, guanjia.Claims) {
	e.t.Helper()
	lead := e.volunteer()
	lat, lng := 20.03, 110.33
	tm, err := e.svc.Teams.ApplyTeam(e.ctx, lead, volunteer.TeamInput{Name: fmt.Sprintf("测试志愿队%d", lead.UserID),
		Organisation: "海口市志愿者协会", ContactName: "陈队长", ContactPhone: "13907550000", District: "龙华区", Lat: &lat, Lng: &lng})
	if err != nil {
		e.t.Fatalf("apply team: %v", err)
	}
	if tm, err = e.svc.Teams.ReviewTeam(e.ctx, e.admin, tm.ID, true, ""); err != nil {
		e.t.Fatalf("certify team: %v", err)
	}
	return tm, lead
}

// place is the activity site in the tests: 万绿园, WGS-84.
const placeLat, placeLng = 20.0405, 110.3222

// activity creates a published activity starting at start, lasting 3 hours.
func (e *env) activity(teamID int64, lead guanjia.Claims, capacity int, start time.Time) *guanjia.Activity {
	e.t.Helper()
	lat, lng := placeLat, placeLng
	a, err := e.svc.Activities.CreateActivity(e.ctx, lead, volunteer.ActivityInput{TeamID: teamID, Title: "万绿园净滩", Address: "万绿园",
		Lat: &lat, Lng: &lng, RadiusM: 200, StartAt: start, EndAt: start.Add(3 * time.Hour), Capacity: capacity})
	if err != nil {
		e.t.Fatalf("create activity: %v", err)
	}
	if _, err := e.svc.Activities.SubmitActivity(e.ctx, lead, a.ID); err != nil {
		e.t.Fatalf("submit: %v", err)
	}
	if a, err = e.svc.Activities.ReviewActivity(e.ctx, e.admin, a.ID, true, ""); err != nil {
		e.t.Fatalf("approve: %v", err)
	}
	return a
}

func (e *env) find(id int64) *guanjia.Activity {
	e.t.Helper()
	a, err := e.db.Volunteers.FindActivity(e.ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return a
}

func code(err error) string { return guanjia.ErrorCode(err) }

// outbox reads the messages the platform wrote to the delivery log.
type outbox struct{ e *env }

// To answers the messages of template tpl written to user, oldest first.
func (o outbox) To(user int64, tpl string) []*guanjia.Notification {
	o.e.t.Helper()
	ns, err := o.e.db.Notifications.ListNotifications(o.e.ctx, guanjia.NotificationFilter{RecipientID: &user, Limit: 500})
	if err != nil {
		o.e.t.Fatal(err)
	}
	var out []*guanjia.Notification
	for _, n := range slices.Backward(ns) {
		if n.Template == tpl {
			out = append(out, n)
		}
	}
	return out
}
