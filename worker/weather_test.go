package worker_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"guanjia"
	"guanjia/geo"
	"guanjia/internal/testenv"
	"guanjia/store"
	"guanjia/weather"
	"guanjia/worker"
)

// consentSet is the citizens with a subscribe consent left for alerts.
type consentSet map[int64]bool

func (c consentSet) HasAlertConsent(_ context.Context, userID int64) (bool, error) {
	return c[userID], nil
}

// inCentralHaikou is the alert area: central 龙华区 and 美兰区.
const inCentralHaikou = `{"type":"Polygon","coordinates":[[[110.28,19.99],[110.40,19.99],[110.40,20.06],[110.28,20.06],[110.28,19.99]]]}`

// weatherRig is the weather service on a test database, arming its
// fan-outs and deliveries on the test Redis, on a clock the test moves; the
// inspector reads the queue.
func weatherRig(t *testing.T) (*store.DB, *weather.Service, *testenv.Clock, *asynq.Inspector) {
	t.Helper()
	db := testenv.MustOpenDB(t)
	conn := testenv.MustRedisConn(t).Conn
	client, inspect := asynq.NewClient(conn), asynq.NewInspector(conn)
	t.Cleanup(func() { client.Close(); inspect.Close() })
	clock := testenv.NewClock(time.Now().UTC().Truncate(time.Second))
	sched := &worker.Scheduler{Client: client, Notifications: db.Notifications}
	svc := weather.NewService(db.Weather, db.Catalog, clock.Now)
	svc.Scheduler, svc.Deliverer, svc.Log = sched, sched, slog.New(slog.NewTextHandler(io.Discard, nil))
	return db, svc, clock, inspect
}

func TestWeatherAlertFanOutOneMessagePerCitizenInside(t *testing.T) {
	ctx := context.Background()
	db, svc, clock, inspect := weatherRig(t)

	user := func(name string, role guanjia.Role) int64 {
		u := &guanjia.User{Username: name, Role: role}
		if err := db.Users.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		return u.ID
	}
	place := func(u int64, name string, sys string, lat, lng float64) {
		who := guanjia.Claims{UserID: u, Role: guanjia.RoleCitizen}
		if _, err := svc.AddPlace(ctx, who, weather.PlaceInput{Name: name, Lat: lat, Lng: lng, CoordSystem: geo.CoordSystem(sys)}); err != nil {
			t.Fatal(err)
		}
	}
	dispatcher := user("wx-dispatcher", guanjia.RoleDispatcher)
	twoInside := user("wx-two-inside", guanjia.RoleCitizen) // 家 and 单位 both downtown
	place(twoInside, "家", "wgs84", 20.029, 110.326)
	place(twoInside, "单位", "gcj02", 20.0263, 110.3357) // GCJ-02 from wx.getLocation, inside once converted
	subscribed := user("wx-subscribed", guanjia.RoleCitizen)
	place(subscribed, "家", "wgs84", 20.04, 110.34)
	outside := user("wx-outside", guanjia.RoleCitizen) // 江东新区
	place(outside, "家", "wgs84", 19.968, 110.505)
	svc.Consents = consentSet{subscribed: true}

	until := clock.Now().Add(6 * time.Hour)
	a, err := svc.PublishAlert(ctx, guanjia.Claims{UserID: dispatcher, Role: guanjia.RoleDispatcher}, weather.AlertInput{
		Kind: guanjia.AlertRainstorm, Level: "orange", Title: "暴雨橙色预警", Body: "低洼路段易积水，请减少外出",
		Area: []byte(inCentralHaikou), ValidUntil: &until})
	if err != nil {
		t.Fatal(err)
	}
	// Publishing queued the fan-out under the alert's own task id.
	taskID := fmt.Sprintf("%s:%d", worker.TypeWeatherAlert, a.ID)
	if info, err := inspect.GetTaskInfo(worker.QueueNotify, taskID); err != nil || info.Type != worker.TypeWeatherAlert {
		t.Fatalf("fan-out task %s: %+v %v", taskID, info, err)
	}
	h := &worker.Handlers{Weather: svc, Log: svc.Log}
	task, _ := worker.NewWeatherAlertTask(a.ID, a.ValidFrom)
	for attempt := range 2 { // the second run is asynq's retry: it must send nothing new
		if err := h.HandleWeatherAlert(ctx, task); err != nil {
			t.Fatalf("attempt %d: %v", attempt, err)
		}
	}
	messages := func(u int64) []*guanjia.Notification {
		rows, err := db.Notifications.ListNotifications(ctx, guanjia.NotificationFilter{RecipientID: &u})
		if err != nil {
			t.Fatal(err)
		}
		return rows
	}
	if got := messages(twoInside); len(got) != 1 || got[0].Channel != guanjia.ChannelInbox || got[0].Template != guanjia.TplWeatherAlert ||
		got[0].Data["title"] != "暴雨橙色预警" || got[0].Data["level"] != "橙色预警" {
		t.Errorf("citizen with two places inside got %+v, want one inbox message", got)
	}
	if got := messages(subscribed); len(got) != 1 || got[0].Channel != guanjia.ChannelSubscribe || got[0].Status != guanjia.DeliveryPending {
		t.Errorf("citizen with a consent got %+v, want one subscribe message queued", got)
	}
	if got := messages(outside); len(got) != 0 {
		t.Errorf("citizen outside got %+v", got)
	}
	if got := messages(dispatcher); len(got) != 0 {
		t.Errorf("the publisher got %+v", got)
	}
	// The subscribe message went to the queue; the inbox one is delivered by being written.
	if _, err := inspect.GetTaskInfo(worker.QueueNotify, fmt.Sprintf("notify:%d", messages(subscribed)[0].ID)); err != nil {
		t.Errorf("subscribe message not queued: %v", err)
	}
	stored, _ := db.Weather.FindAlert(ctx, a.ID)
	if stored.FannedOutAt == nil {
		t.Error("the alert is not marked fanned out")
	}
	if n, err := svc.ReconcileAlerts(ctx); err != nil || n != 0 {
		t.Errorf("reconcile re-armed %d (%v) after the fan-out", n, err)
	}
}

func TestWeatherAlertFanOutByGridsAndWithdrawn(t *testing.T) {
	ctx := context.Background()
	db := testenv.MustOpenDB(t)
	clock := testenv.NewClock(time.Now().UTC().Truncate(time.Second))
	svc := weather.NewService(db.Weather, db.Catalog, clock.Now)
	svc.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	for _, g := range []*guanjia.Grid{
		{ID: "LH-01", Name: "国贸", District: "龙华区", Geometry: []byte(`{"type":"Polygon","coordinates":[[[110.30,20.00],[110.34,20.00],[110.34,20.04],[110.30,20.04],[110.30,20.00]]]}`)},
		{ID: "MD-01", Name: "白沙门", District: "美兰区", Geometry: []byte(`{"type":"Polygon","coordinates":[[[110.34,20.04],[110.38,20.04],[110.38,20.08],[110.34,20.08],[110.34,20.04]]]}`)},
	} {
		if err := db.Catalog.UpsertGrid(ctx, g); err != nil {
			t.Fatal(err)
		}
	}
	mk := func(name string, lat, lng float64) int64 {
		u := &guanjia.User{Username: name, Role: guanjia.RoleCitizen}
		if err := db.Users.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.AddPlace(ctx, guanjia.Claims{UserID: u.ID}, weather.PlaceInput{Name: "家", Lat: lat, Lng: lng}); err != nil {
			t.Fatal(err)
		}
		return u.ID
	}
	inGrid, inOtherGrid := mk("wx-lh", 20.02, 110.32), mk("wx-md", 20.06, 110.36)
	staff := &guanjia.User{Username: "wx-admin", Role: guanjia.RoleAdmin}
	if err := db.Users.CreateUser(ctx, staff); err != nil {
		t.Fatal(err)
	}
	who := guanjia.Claims{UserID: staff.ID, Role: guanjia.RoleAdmin}
	until := clock.Now().Add(3 * time.Hour)
	if _, err := svc.PublishAlert(ctx, who, weather.AlertInput{Kind: guanjia.AlertWaterlogging, Level: "yellow", Title: "积水黄色预警",
		Body: "国贸片区积水", Grids: []string{"LH-01", "XX-99"}, ValidUntil: &until}); guanjia.ErrorField(err) != "grids" {
		t.Fatalf("unknown grid: %v", err)
	}
	if all, _ := svc.AllAlerts(ctx, 10); len(all) != 0 {
		t.Fatalf("a refused alert was saved: %+v", all)
	}
	a, err := svc.PublishAlert(ctx, who, weather.AlertInput{Kind: guanjia.AlertWaterlogging, Level: "yellow", Title: "积水黄色预警",
		Body: "国贸片区积水", Grids: []string{"LH-01"}, ValidUntil: &until})
	if err != nil {
		t.Fatal(err)
	}
	withdrawn, err := svc.PublishAlert(ctx, who, weather.AlertInput{Kind: guanjia.AlertGale, Level: "blue", Title: "大风蓝色预警",
		Body: "海上大风", Grids: []string{"MD-01"}, ValidUntil: &until})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.WithdrawAlert(ctx, who, withdrawn.ID); err != nil {
		t.Fatal(err)
	}
	h := &worker.Handlers{Weather: svc, Log: svc.Log}
	for _, id := range []int64{a.ID, withdrawn.ID} {
		task, _ := worker.NewWeatherAlertTask(id, clock.Now())
		if err := h.HandleWeatherAlert(ctx, task); err != nil {
			t.Fatal(err)
		}
	}
	count := func(u int64) int {
		rows, _ := db.Notifications.ListNotifications(ctx, guanjia.NotificationFilter{RecipientID: &u})
		return len(rows)
	}
	if count(inGrid) != 1 || count(inOtherGrid) != 0 {
		t.Errorf("messages: in the grid %d (want 1), in the withdrawn alert's grid %d (want 0)", count(inGrid), count(inOtherGrid))
	}
	// An alert that has run out sends nothing either.
	clock.Advance(4 * time.Hour)
	if out, err := svc.FanOut(ctx, a.ID); err != nil || out.Queued != 0 || out.Recipients != 0 {
		t.Errorf("expired alert fan-out: %+v %v", out, err)
	}
}

func TestWeatherAlertStartingLaterFansOutWhenItStarts(t *testing.T) {
	ctx := context.Background()
	db, svc, clock, inspect := weatherRig(t)
	staff := &guanjia.User{Username: "wx-dispatcher", Role: guanjia.RoleDispatcher}
	citizen := &guanjia.User{Username: "wx-citizen", Role: guanjia.RoleCitizen}
	for _, u := range []*guanjia.User{staff, citizen} {
		if err := db.Users.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := svc.AddPlace(ctx, guanjia.Claims{UserID: citizen.ID}, weather.PlaceInput{Name: "家", Lat: 20.029, Lng: 110.326}); err != nil {
		t.Fatal(err)
	}
	from, until := clock.Now().Add(time.Hour), clock.Now().Add(7*time.Hour)
	a, err := svc.PublishAlert(ctx, guanjia.Claims{UserID: staff.ID, Role: guanjia.RoleDispatcher}, weather.AlertInput{
		Kind: guanjia.AlertRainstorm, Level: "orange", Title: "暴雨橙色预警", Body: "今晚起有暴雨",
		Area: []byte(inCentralHaikou), ValidFrom: &from, ValidUntil: &until})
	if err != nil {
		t.Fatal(err)
	}
	// The fan-out waits in the queue's schedule for the alert to start.
	taskID := fmt.Sprintf("%s:%d", worker.TypeWeatherAlert, a.ID)
	if info, err := inspect.GetTaskInfo(worker.QueueNotify, taskID); err != nil || info.State != asynq.TaskStateScheduled || !info.NextProcessAt.Equal(from) {
		t.Fatalf("fan-out task %s: %+v %v, want scheduled at %v", taskID, info, err, from)
	}
	messages := func() int {
		rows, err := db.Notifications.ListNotifications(ctx, guanjia.NotificationFilter{RecipientID: &citizen.ID})
		if err != nil {
			t.Fatal(err)
		}
		return len(rows)
	}
	h := &worker.Handlers{Weather: svc, Log: svc.Log}
	task, _ := worker.NewWeatherAlertTask(a.ID, from)
	// Run before the start (armed by hand, a clock ahead), it sends nothing and leaves the alert to fan out.
	if err := h.HandleWeatherAlert(ctx, task); err != nil {
		t.Fatal(err)
	}
	if n := messages(); n != 0 {
		t.Fatalf("an alert starting in an hour sent %d messages now", n)
	}
	if stored, _ := db.Weather.FindAlert(ctx, a.ID); stored.FannedOutAt != nil {
		t.Fatal("an alert yet to start is marked fanned out")
	}
	if n, err := svc.ReconcileAlerts(ctx); err != nil || n != 0 {
		t.Errorf("reconcile re-armed %d (%v) before the start", n, err)
	}
	clock.Advance(time.Hour)
	if n, err := svc.ReconcileAlerts(ctx); err != nil || n != 1 {
		t.Errorf("reconcile re-armed %d (%v) once started, want 1", n, err)
	}
	for attempt := range 2 {
		if err := h.HandleWeatherAlert(ctx, task); err != nil {
			t.Fatalf("attempt %d: %v", attempt, err)
		}
	}
	if n := messages(); n != 1 {
		t.Errorf("once started, the citizen got %d messages, want 1", n)
	}
	if n, err := svc.ReconcileAlerts(ctx); err != nil || n != 0 {
		t.Errorf("reconcile re-armed %d (%v) after the fan-out", n, err)
	}
}

func TestWeatherAlertRejectsBadPayloads(t *testing.T) {
	h := &worker.Handlers{}
	for _, body := range []string{"not json", `{}`, `{"alert_id":-1}`} {
		if err := h.HandleWeatherAlert(context.Background(), asynq.NewTask(worker.TypeWeatherAlert, []byte(body))); !errors.Is(err, asynq.SkipRetry) {
			t.Errorf("%s: %v, want skip retry", body, err)
		}
	}
}
