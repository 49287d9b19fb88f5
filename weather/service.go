package weather

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"guanjia"
	"guanjia/geo"
)

// Scheduler queues the fan-out of an alert to run at a time, at once when
// that has passed (worker.Scheduler does). Arming twice is harmless: the
// task id is the alert's.
type Scheduler interface {
	ArmAlertFanOut(ctx context.Context, alertID int64, at time.Time) error
}

// Deliverer queues delivery of a delivery-log row (worker.Scheduler does).
type Deliverer interface {
	Deliver(ctx context.Context, notificationID int64) error
}

// Consents says whether a citizen has a subscribe consent left for
// TplWeatherAlert; nil sends every alert message to the inbox.
type Consents interface {
	HasAlertConsent(ctx context.Context, userID int64) (bool, error)
}

// Service imports typhoons, keeps waterlogging points and readings,
// publishes alerts and fans them out to citizens' saved places.
type Service struct {
	Store     guanjia.WeatherStore
	Grids     GridSource
	Scheduler Scheduler
	Deliverer Deliverer
	Consents  Consents
	Now       func() time.Time
	Log       *slog.Logger
}

// NewService returns a Service; now is the clock.
func NewService(store guanjia.WeatherStore, grids GridSource, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{Store: store, Grids: grids, Now: now, Log: slog.Default()}
}

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Second) }

// Typhoons answers the active typhoons and the most recent others, at most limit.
func (s *Service) Typhoons(ctx context.Context, limit int) ([]*guanjia.Typhoon, error) {
	list, err := s.Store.ListTyphoons(ctx, limit, s.Now().Add(-guanjia.TyphoonStale))
	for _, t := range list {
		s.settle(t)
	}
	return list, err
}

// Typhoon answers one typhoon with its track.
func (s *Service) Typhoon(ctx context.Context, id int64) (*guanjia.Typhoon, error) {
	t, err := s.Store.FindTyphoon(ctx, id)
	if err == nil {
		s.settle(t)
	}
	return t, err
}

// settle ends a typhoon's 活跃 once its positions stopped coming: a track
// imported by hand while it was live is not imported again once it is gone.
func (s *Service) settle(t *guanjia.Typhoon) {
	t.Active = t.Active && s.Now().Sub(t.LastAt) < guanjia.TyphoonStale
}

// Import formats.
const (
	FormatCSV  = "csv"
	FormatFeed = "feed"
)

// ImportTyphoon reads a track in format (FormatCSV or FormatFeed) and
// replaces the typhoon's track with it. A CSV import is active when its
// last observation is less than a day old; the feed says so itself.
func (s *Service) ImportTyphoon(ctx context.Context, who guanjia.Claims, format string, r io.Reader) (*guanjia.Typhoon, error) {
	var t *guanjia.Typhoon
	var err error
	switch format {
	case FormatCSV:
		if t, err = ParseTrackCSV(r); err == nil {
			t.Active = s.Now().Sub(t.LastAt) < guanjia.TyphoonStale
		}
	case FormatFeed:
		t, err = ParseTrackFeed(r)
	default:
		return nil, guanjia.FieldError(guanjia.EINVALID, "format", "format must be csv or feed")
	}
	if err != nil {
		return nil, err
	}
	if t.LastAt.After(s.Now().Add(time.Hour)) { // a mistyped year would keep it 活跃 for ever
		return nil, guanjia.FieldError(guanjia.EINVALID, "file", "the last observed position, at %s, is in the future",
			t.LastAt.In(guanjia.ChinaTime).Format("2006-01-02 15:04"))
	}
	if err := s.Store.SaveTyphoon(ctx, t, who.UserID); err != nil {
		return nil, err
	}
	return s.Typhoon(ctx, t.ID)
}

// Depth bands of a waterlogging point, in cm, for colours and words:
// below 15 passable, 15–30 车辆慎行, 30–50 小车勿行, 50 and more 禁止通行.
// They follow the common practice of city drainage departments (a car's
// exhaust sits about 30 cm up, a door sill about 50 cm); not a national standard.
var depthBands = []struct {
	minCM float64
	band  string
}{{50, "danger"}, {30, "severe"}, {15, "warning"}, {0, "normal"}}

// DepthBand names the band of a depth: normal, warning, severe or danger.
func DepthBand(cm float64) string {
	for _, b := range depthBands {
		if cm >= b.minCM {
			return b.band
		}
	}
	return "normal"
}

// Waterlogging answers the points with their latest depth and the open 1301 reports.
func (s *Service) Waterlogging(ctx context.Context) ([]*guanjia.WaterloggingPoint, []*guanjia.WaterloggingReport, error) {
	points, err := s.Store.ListWaterloggingPoints(ctx)
	if err != nil {
		return nil, nil, err
	}
	for _, p := range points {
		p.Stale = p.Latest != nil && s.Now().Sub(p.Latest.MeasuredAt) > guanjia.WaterReadingStale
	}
	reports, err := s.Store.ListOpenWaterloggingReports(ctx, 500)
	if err != nil {
		return nil, nil, err
	}
	// Shown to anyone: where, to about 110 m, not the reporter's own words
	// of the place (which may be their door), as Open311 shows reports.
	for _, r := range reports {
		r.Lat, r.Lng, r.Address = geo.Rough(r.Lat), geo.Rough(r.Lng), ""
	}
	return points, reports, nil
}

var pointCode = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$`)

// CheckVideoURL accepts an absolute http(s) link or "".
func CheckVideoURL(raw string) error {
	if raw == "" {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(raw) > 500 || u.User != nil {
		return guanjia.FieldError(guanjia.EINVALID, "video_url", "video_url must be an http or https link")
	}
	return nil
}

// SavePoint creates or updates a waterlogging point (by its code).
func (s *Service) SavePoint(ctx context.Context, p *guanjia.WaterloggingPoint) error {
	p.Code, p.Name, p.Address, p.VideoURL = strings.TrimSpace(p.Code), strings.TrimSpace(p.Name), strings.TrimSpace(p.Address), strings.TrimSpace(p.VideoURL)
	switch {
	case !pointCode.MatchString(p.Code):
		return guanjia.FieldError(guanjia.EINVALID, "code", "the point code must be 1 to 40 letters, digits, - or _")
	case p.Name == "" || utf8.RuneCountInString(p.Name) > 40:
		return guanjia.FieldError(guanjia.EINVALID, "name", "the point name must be 1 to 40 characters")
	case utf8.RuneCountInString(p.Address) > 100:
		return guanjia.FieldError(guanjia.EINVALID, "address", "address is too long")
	case !geo.InServiceArea(p.Lat, p.Lng):
		return guanjia.FieldError(guanjia.EINVALID, "lat", "the point is outside the service area")
	}
	if err := CheckVideoURL(p.VideoURL); err != nil {
		return err
	}
	now := s.now()
	p.CreatedAt, p.UpdatedAt = now, now
	return s.Store.UpsertWaterloggingPoint(ctx, p)
}

// MaxReadingsPerPush bounds one push of the sensor system.
const MaxReadingsPerPush = 500

// MaxDepthCM bounds a reading: deeper is a broken sensor.
const MaxDepthCM = 500

// AddReadings stores what the sensor system pushed, all or nothing. A
// reading already stored (same point and time) is not stored twice, so the
// system may re-send a batch it is unsure about.
func (s *Service) AddReadings(ctx context.Context, readings []guanjia.WaterReading) (int, error) {
	if len(readings) == 0 || len(readings) > MaxReadingsPerPush {
		return 0, guanjia.FieldError(guanjia.EINVALID, "readings", "send 1 to %d readings", MaxReadingsPerPush)
	}
	now := s.now()
	for i := range readings {
		r := &readings[i]
		r.PointCode = strings.TrimSpace(r.PointCode)
		switch {
		case !pointCode.MatchString(r.PointCode):
			return 0, guanjia.FieldError(guanjia.EINVALID, "readings", "reading %d: the point code must be 1 to 40 letters, digits, - or _", i+1)
		case !(r.DepthCM >= 0 && r.DepthCM <= MaxDepthCM):
			return 0, guanjia.FieldError(guanjia.EINVALID, "readings", "reading %d: depth_cm must be between 0 and 500", i+1)
		case r.MeasuredAt.IsZero() || r.MeasuredAt.After(now.Add(5*time.Minute)):
			return 0, guanjia.FieldError(guanjia.EINVALID, "readings", "reading %d: measured_at is missing or in the future", i+1)
		}
		r.DepthCM = math.Round(r.DepthCM*10) / 10
		r.MeasuredAt, r.ReceivedAt = r.MeasuredAt.UTC().Truncate(time.Second), now
	}
	return s.Store.AddWaterReadings(ctx, readings)
}

// CurrentAlerts answers the alerts in force now.
func (s *Service) CurrentAlerts(ctx context.Context) ([]*guanjia.WeatherAlert, error) {
	now := s.now()
	return s.Store.ListAlerts(ctx, &now, 100)
}

// AllAlerts answers up to limit alerts, past and upcoming too.
func (s *Service) AllAlerts(ctx context.Context, limit int) ([]*guanjia.WeatherAlert, error) {
	return s.Store.ListAlerts(ctx, nil, limit)
}

// Areas resolves alert areas for maps and the fan-out; use one per request.
func (s *Service) Areas() *Areas { return NewAreas(s.Grids) }

// AlertInput is an alert to publish. A nil ValidFrom means from now.
type AlertInput struct {
	Kind                  guanjia.AlertKind
	Level                 guanjia.AlertLevel
	Title, Body           string
	Area                  []byte // GeoJSON Polygon or MultiPolygon
	Grids                 []string
	ValidFrom, ValidUntil *time.Time
}

// PublishAlert publishes an alert and queues its fan-out to the citizens
// whose saved places lie inside, to run when the alert starts. The alert is
// saved first: if the queue is away, ReconcileAlerts arms the fan-out later.
func (s *Service) PublishAlert(ctx context.Context, who guanjia.Claims, in AlertInput) (*guanjia.WeatherAlert, error) {
	now := s.now()
	a := &guanjia.WeatherAlert{Kind: in.Kind, Level: in.Level, Title: in.Title, Body: in.Body,
		ValidFrom: now, PublishedBy: who.UserID, CreatedAt: now}
	if len(in.Area) > 0 {
		polys, err := ParsePolygon(in.Area)
		if err != nil {
			return nil, err
		}
		a.AreaGeoJSON = GeometryJSON(polys)
	}
	for _, g := range in.Grids {
		if g = strings.TrimSpace(g); g != "" && !slices.Contains(a.Grids, g) {
			a.Grids = append(a.Grids, g)
		}
	}
	if in.ValidFrom != nil {
		a.ValidFrom = in.ValidFrom.UTC().Truncate(time.Second)
	}
	if in.ValidUntil != nil {
		a.ValidUntil = in.ValidUntil.UTC().Truncate(time.Second)
	}
	if err := a.Validate(); err != nil {
		return nil, err
	}
	if !a.ValidUntil.After(now) {
		return nil, guanjia.FieldError(guanjia.EINVALID, "valid_until", "the alert would already have expired")
	}
	if _, err := s.Areas().AreaOf(ctx, a); err != nil { // unknown grids are refused before anything is saved
		return nil, err
	}
	if err := s.Store.CreateAlert(ctx, a); err != nil {
		return nil, err
	}
	if s.Scheduler != nil {
		if err := s.Scheduler.ArmAlertFanOut(ctx, a.ID, a.ValidFrom); err != nil {
			s.Log.Warn("weather: arm alert fan-out (the reconciler re-arms it)", "alert", a.ID, "err", err)
		}
	}
	return a, nil
}

// WithdrawAlert takes an alert down; a fan-out not yet run sends nothing.
func (s *Service) WithdrawAlert(ctx context.Context, who guanjia.Claims, id int64) (*guanjia.WeatherAlert, error) {
	if err := s.Store.WithdrawAlert(ctx, id, who.UserID, s.now()); err != nil {
		return nil, err
	}
	return s.Store.FindAlert(ctx, id)
}

// ReconcileAlerts re-arms the fan-out of every alert in force that has not
// been fanned out (its task lost with Redis, or never queued). An alert yet
// to start waits for its armed task, or for the first reconcile after it starts.
func (s *Service) ReconcileAlerts(ctx context.Context) (int, error) {
	if s.Scheduler == nil {
		return 0, nil
	}
	now := s.now()
	ids, err := s.Store.AlertsToFanOut(ctx, now)
	if err != nil {
		return 0, err
	}
	for _, id := range ids {
		if err := s.Scheduler.ArmAlertFanOut(ctx, id, now); err != nil {
			return 0, err
		}
	}
	return len(ids), nil
}

// clockSkew is how far a worker's clock may lag the API's: an alert "from
// now" that reaches a worker a moment early is sent, not put off until the
// next reconcile.
const clockSkew = 5 * time.Second

// FanOutResult says what a fan-out did.
type FanOutResult struct {
	Recipients int // citizens with a place inside
	Queued     int // messages written now (0 on a retry that finds them all written)
}

// FanOut addresses one message to every citizen with a saved place inside
// the alert's area: by subscribe message when they have a consent left,
// else to their inbox. A citizen with several places inside gets one. It is
// idempotent: the store records (alert, citizen) with the message, so a
// retry writes only what is missing. An alert withdrawn or over sends
// nothing; one yet to start sends nothing now (the reconciler arms it again
// once it starts).
func (s *Service) FanOut(ctx context.Context, alertID int64) (FanOutResult, error) {
	var out FanOutResult
	a, err := s.Store.FindAlert(ctx, alertID)
	if err != nil {
		return out, err
	}
	now := s.now()
	if a.WithdrawnAt != nil || now.Add(clockSkew).Before(a.ValidFrom) || !now.Before(a.ValidUntil) {
		return out, nil
	}
	area, err := s.Areas().AreaOf(ctx, a)
	if err != nil {
		return out, err
	}
	places, err := s.Store.PlacesWithin(ctx, area.Bound())
	if err != nil {
		return out, err
	}
	var users []int64 // places come by user: a citizen's are next to each other
	for _, p := range places {
		if area.Contains(p.Lat, p.Lng) && (len(users) == 0 || users[len(users)-1] != p.UserID) {
			users = append(users, p.UserID)
		}
	}
	out.Recipients = len(users)
	data := alertData(a)
	var messages []guanjia.Message
	for _, u := range users {
		channel := guanjia.ChannelInbox
		if s.Consents != nil {
			ok, err := s.Consents.HasAlertConsent(ctx, u)
			if err != nil {
				return out, err
			}
			if ok {
				channel = guanjia.ChannelSubscribe
			}
		}
		messages = append(messages, guanjia.Message{RecipientID: u, Channel: channel, Template: guanjia.TplWeatherAlert, Data: data})
	}
	ids, err := s.Store.QueueAlertMessages(ctx, a.ID, messages)
	if err != nil {
		return out, err
	}
	out.Queued = len(ids)
	for _, id := range ids {
		if s.Deliverer == nil {
			break
		}
		if err := s.Deliverer.Deliver(ctx, id); err != nil {
			// The row stays pending: the worker's re-queue delivers it.
			s.Log.Warn("weather: queue alert message", "alert", a.ID, "notification", id, "err", err)
		}
	}
	if a.FannedOutAt == nil {
		if err := s.Store.MarkAlertFannedOut(ctx, a.ID, now); err != nil {
			return out, err
		}
	}
	return out, nil
}

// alertData fills the template fields of an alert message (wechat/templates.go).
func alertData(a *guanjia.WeatherAlert) map[string]string {
	return map[string]string{
		"title": a.Title, "kind": guanjia.AlertKinds[a.Kind], "level": guanjia.AlertLevels[a.Level] + "预警",
		"time": a.ValidUntil.In(guanjia.ChinaTime).Format("2006-01-02 15:04"), "note": a.Body, "id": strconv.FormatInt(a.ID, 10),
	}
}

// Places answers the caller's saved places.
func (s *Service) Places(ctx context.Context, who guanjia.Claims) ([]*guanjia.SavedPlace, error) {
	return s.Store.ListPlaces(ctx, who.UserID)
}

// PlaceInput is a place a citizen saves, in the coordinate system the client used.
type PlaceInput struct {
	Name        string
	Lat, Lng    float64
	CoordSystem geo.CoordSystem
}

// AddPlace saves a named place of the caller, converted to WGS-84.
func (s *Service) AddPlace(ctx context.Context, who guanjia.Claims, in PlaceInput) (*guanjia.SavedPlace, error) {
	name := strings.TrimSpace(in.Name)
	if name == "" || utf8.RuneCountInString(name) > 20 {
		return nil, guanjia.FieldError(guanjia.EINVALID, "name", "the place name must be 1 to 20 characters")
	}
	if in.CoordSystem == "" {
		in.CoordSystem = geo.WGS84
	}
	lat, lng, err := geo.ToWGS84(in.CoordSystem, in.Lat, in.Lng)
	if err != nil {
		return nil, err
	}
	if !geo.InServiceArea(lat, lng) {
		return nil, guanjia.FieldError(guanjia.EINVALID, "lat", "the place is outside the service area")
	}
	p := &guanjia.SavedPlace{UserID: who.UserID, Name: name, Lat: lat, Lng: lng, CoordSystem: string(in.CoordSystem), CreatedAt: s.now()}
	if err := s.Store.AddPlace(ctx, p); err != nil {
		return nil, err
	}
	return p, nil
}

// DeletePlace removes one of the caller's places.
func (s *Service) DeletePlace(ctx context.Context, who guanjia.Claims, id int64) error {
	return s.Store.DeletePlace(ctx, who.UserID, id)
}

// PlaceAlert is an alert in force over some of a citizen's places.
type PlaceAlert struct {
	Alert  *guanjia.WeatherAlert
	Area   *Area
	Places []string // the names of the places it covers
}

// MyAlerts answers the alerts in force now that cover one of the caller's
// places, each with its area and the names of the places it covers.
func (s *Service) MyAlerts(ctx context.Context, who guanjia.Claims) ([]PlaceAlert, error) {
	places, err := s.Store.ListPlaces(ctx, who.UserID)
	if err != nil || len(places) == 0 {
		return nil, err
	}
	alerts, err := s.CurrentAlerts(ctx)
	if err != nil {
		return nil, err
	}
	var out []PlaceAlert
	areas := s.Areas()
	for _, a := range alerts {
		area, err := areas.AreaOf(ctx, a)
		if err != nil {
			return nil, fmt.Errorf("weather: area of alert %d: %w", a.ID, err)
		}
		var names []string
		for _, p := range places {
			if area.Contains(p.Lat, p.Lng) {
				names = append(names, p.Name)
			}
		}
		if len(names) > 0 {
			out = append(out, PlaceAlert{Alert: a, Area: area, Places: names})
		}
	}
	return out, nil
}
