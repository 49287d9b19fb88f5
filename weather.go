package guanjia

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// TplWeatherAlert is the message a citizen gets when an alert covers one of
// their saved places (subscribe message where they consented, else inbox).
const TplWeatherAlert = "weather_alert"

// TyphoonIntensity is a 热带气旋等级 of GB/T 19201-2006 (《热带气旋等级》),
// set by the 2-minute mean maximum wind near the centre.
type TyphoonIntensity string

const (
	IntensityTD      TyphoonIntensity = "TD"      // 热带低压 10.8–17.1 m/s (6–7 级)
	IntensityTS      TyphoonIntensity = "TS"      // 热带风暴 17.2–24.4 m/s (8–9 级)
	IntensitySTS     TyphoonIntensity = "STS"     // 强热带风暴 24.5–32.6 m/s (10–11 级)
	IntensityTY      TyphoonIntensity = "TY"      // 台风 32.7–41.4 m/s (12–13 级)
	IntensitySTY     TyphoonIntensity = "STY"     // 强台风 41.5–50.9 m/s (14–15 级)
	IntensitySuperTY TyphoonIntensity = "SuperTY" // 超强台风 ≥ 51.0 m/s (16 级或以上)
)

// TyphoonIntensities lists the grades, weakest first.
var TyphoonIntensities = []TyphoonIntensity{IntensityTD, IntensityTS, IntensitySTS, IntensityTY, IntensitySTY, IntensitySuperTY}

// Track point kinds.
const (
	TrackObserved = "observed" // 实况
	TrackForecast = "forecast" // 预报
)

// TrackPoint is one position of a typhoon's centre: observed, or forecast
// with the radius of the probable-track circle (the cone).
type TrackPoint struct {
	Kind        string // TrackObserved or TrackForecast
	At          time.Time
	Lat, Lng    float64 // WGS-84
	PressureHPa int     // 中心气压; 0 when unknown
	WindMS      float64 // 最大风速 m/s; 0 when unknown
	Intensity   TyphoonIntensity
	RadiusKM    float64 // forecast points: the cone's radius at At
}

// Typhoon is a tropical cyclone with its track: observed positions, oldest
// first, and the latest forecast.
// TyphoonStale is how long a typhoon stays 活跃 without a new position: a
// live one has a position every three to six hours, so a day without any
// means it dissipated and nobody imports it any more.
const TyphoonStale = 24 * time.Hour

type Typhoon struct {
	ID        int64
	Number    string // 中国编号 YYNN, e.g. 2411
	NameZH    string // 摩羯
	NameEN    string // YAGI
	Active    bool   // the meteorological service still issues positions, and they still arrive (TyphoonStale)
	Source    string // what it was imported from: "csv" or "feed"
	LastAt    time.Time
	Observed  []TrackPoint
	Forecast  []TrackPoint
	CreatedAt time.Time
	UpdatedAt time.Time
}

// WaterloggingPoint is a low spot watched for 积水: by a depth sensor and,
// where there is one, a camera.
type WaterloggingPoint struct {
	ID        int64
	Code      string // the sensor system's id, e.g. HK-WL-001
	Name      string
	Address   string
	Lat, Lng  float64 // WGS-84
	VideoURL  string  // the camera's live video, http(s); "" when there is none
	Latest    *WaterReading
	Stale     bool // Latest is older than WaterReadingStale: the sensor may be down, the water gone or risen
	CreatedAt time.Time
	UpdatedAt time.Time
}

// WaterReadingStale is how old a point's latest depth may be and still be
// shown as the water there now: sensors report every few minutes.
const WaterReadingStale = time.Hour

// WaterReading is one depth a sensor measured.
type WaterReading struct {
	PointCode  string
	DepthCM    float64
	MeasuredAt time.Time
	ReceivedAt time.Time
}

// WaterloggingReport is an open complaint of category 1301 道路积水, as the
// waterlogging map shows it: where and how far it got, never who reported it.
type WaterloggingReport struct {
	ComplaintID int64
	Lat, Lng    float64
	Address     string
	Status      Status
	ReportedAt  time.Time
}

// CategoryWaterlogging is the catalogue code of 道路积水.
const CategoryWaterlogging = "1301"

// AlertKind says what an alert warns of.
type AlertKind string

const (
	AlertRainstorm    AlertKind = "rainstorm"    // 暴雨
	AlertTyphoon      AlertKind = "typhoon"      // 台风
	AlertWaterlogging AlertKind = "waterlogging" // 积水
	AlertHeat         AlertKind = "heat"         // 高温
	AlertGale         AlertKind = "gale"         // 大风
	AlertThunderstorm AlertKind = "thunderstorm" // 雷电
	AlertOther        AlertKind = "other"
)

// AlertKinds lists every kind with its Chinese name.
var AlertKinds = map[AlertKind]string{AlertRainstorm: "暴雨", AlertTyphoon: "台风", AlertWaterlogging: "积水",
	AlertHeat: "高温", AlertGale: "大风", AlertThunderstorm: "雷电", AlertOther: "气象"}

// AlertLevel is the colour of a 预警信号.
type AlertLevel string

// AlertLevels lists the levels, mildest first, with their Chinese names.
var AlertLevels = map[AlertLevel]string{"blue": "蓝色", "yellow": "黄色", "orange": "橙色", "red": "红色"}

// MaxAlertWindow is the longest an alert may stay in force: a warning is
// renewed by a new alert, not stretched.
const MaxAlertWindow = 7 * 24 * time.Hour

// MaxAlertGrids bounds an alert given as grids.
const MaxAlertGrids = 200

// WeatherAlert is a warning published for an area: a polygon (GeoJSON,
// WGS-84) or a list of grids. Citizens with a saved place inside get one
// message each.
type WeatherAlert struct {
	ID          int64
	Kind        AlertKind
	Level       AlertLevel
	Title       string
	Body        string
	AreaGeoJSON []byte   // a Polygon or MultiPolygon geometry; nil when Grids is set
	Grids       []string // grid ids; nil when AreaGeoJSON is set
	ValidFrom   time.Time
	ValidUntil  time.Time
	PublishedBy int64
	CreatedAt   time.Time
	WithdrawnAt *time.Time
	WithdrawnBy *int64
	FannedOutAt *time.Time // when every citizen inside was addressed
}

// Validate checks what a publisher supplies (the area's shape is checked by
// package weather, which reads geometry).
func (a *WeatherAlert) Validate() error {
	a.Title, a.Body = strings.TrimSpace(a.Title), strings.TrimSpace(a.Body)
	switch {
	case AlertKinds[a.Kind] == "":
		return FieldError(EINVALID, "kind", "kind must be rainstorm, typhoon, waterlogging, heat, gale, thunderstorm or other")
	case AlertLevels[a.Level] == "":
		return FieldError(EINVALID, "level", "level must be blue, yellow, orange or red")
	case a.Title == "":
		return FieldError(EINVALID, "title", "title is required")
	case utf8.RuneCountInString(a.Title) > 60:
		return FieldError(EINVALID, "title", "title is longer than 60 characters")
	case a.Body == "":
		return FieldError(EINVALID, "body", "body is required")
	case utf8.RuneCountInString(a.Body) > 2000:
		return FieldError(EINVALID, "body", "body is longer than 2000 characters")
	case len(a.AreaGeoJSON) == 0 && len(a.Grids) == 0:
		return FieldError(EINVALID, "area", "give the area as a polygon or as grids")
	case len(a.AreaGeoJSON) > 0 && len(a.Grids) > 0:
		return FieldError(EINVALID, "area", "give the area as a polygon or as grids, not both")
	case len(a.Grids) > MaxAlertGrids:
		return FieldError(EINVALID, "grids", "an alert may name at most 200 grids")
	case a.ValidFrom.IsZero():
		return FieldError(EINVALID, "valid_from", "valid_from is required")
	case a.ValidUntil.IsZero():
		return FieldError(EINVALID, "valid_until", "valid_until is required")
	case !a.ValidUntil.After(a.ValidFrom):
		return FieldError(EINVALID, "valid_until", "valid_until must be after valid_from")
	case a.ValidUntil.Sub(a.ValidFrom) > MaxAlertWindow:
		return FieldError(EINVALID, "valid_until", "an alert may be in force for at most 7 days")
	}
	return nil
}

// Current reports whether the alert is in force at t.
func (a *WeatherAlert) Current(t time.Time) bool {
	return a.WithdrawnAt == nil && !t.Before(a.ValidFrom) && t.Before(a.ValidUntil)
}

// MaxSavedPlaces is how many places a citizen may keep.
const MaxSavedPlaces = 5

// SavedPlace is a named place a citizen is alerted about (家, 单位).
type SavedPlace struct {
	ID          int64
	UserID      int64
	Name        string
	Lat, Lng    float64 // WGS-84
	CoordSystem string  // what the client sent
	CreatedAt   time.Time
}

// Bound is a latitude/longitude box, WGS-84.
type Bound struct{ MinLat, MinLng, MaxLat, MaxLng float64 }

// WeatherStore keeps typhoons, waterlogging points and readings, alerts and
// saved places.
type WeatherStore interface {
	// SaveTyphoon creates the typhoon of t.Number or replaces its names and
	// track; it sets t.ID.
	SaveTyphoon(ctx context.Context, t *Typhoon, by int64) error
	FindTyphoon(ctx context.Context, id int64) (*Typhoon, error)
	// ListTyphoons returns the typhoons active with a position since
	// activeSince first, then the most recent others, the latest first, at
	// most limit, with their tracks.
	ListTyphoons(ctx context.Context, limit int, activeSince time.Time) ([]*Typhoon, error)

	// UpsertWaterloggingPoint creates or updates the point of p.Code.
	UpsertWaterloggingPoint(ctx context.Context, p *WaterloggingPoint) error
	// ListWaterloggingPoints returns every point with its latest reading.
	ListWaterloggingPoints(ctx context.Context) ([]*WaterloggingPoint, error)
	// AddWaterReadings stores readings all or nothing; an unknown point code
	// is EINVALID and stores none. It answers how many were new.
	AddWaterReadings(ctx context.Context, readings []WaterReading) (int, error)
	// ListOpenWaterloggingReports returns the open 1301 complaints, newest first.
	ListOpenWaterloggingReports(ctx context.Context, limit int) ([]*WaterloggingReport, error)

	CreateAlert(ctx context.Context, a *WeatherAlert) error
	FindAlert(ctx context.Context, id int64) (*WeatherAlert, error)
	// ListAlerts returns alerts, the latest starting first; with currentAt
	// only those in force then.
	ListAlerts(ctx context.Context, currentAt *time.Time, limit int) ([]*WeatherAlert, error)
	// WithdrawAlert takes an alert down; withdrawing it again is ECONFLICT.
	WithdrawAlert(ctx context.Context, id, by int64, at time.Time) error
	// QueueAlertMessages writes, for each message whose recipient has none
	// for this alert yet, the delivery-log row and the (alert, recipient)
	// record, in one transaction. It answers the ids the queue must deliver.
	QueueAlertMessages(ctx context.Context, alertID int64, messages []Message) ([]int64, error)
	MarkAlertFannedOut(ctx context.Context, id int64, at time.Time) error
	// AlertsToFanOut returns the ids of alerts in force at t (started, not
	// over, not withdrawn) not yet fanned out.
	AlertsToFanOut(ctx context.Context, at time.Time) ([]int64, error)

	ListPlaces(ctx context.Context, userID int64) ([]*SavedPlace, error)
	// AddPlace saves p; a name the user already has is ECONFLICT, a place
	// beyond MaxSavedPlaces is EINVALID.
	AddPlace(ctx context.Context, p *SavedPlace) error
	// DeletePlace removes one of the user's places; another's is ENOTFOUND.
	DeletePlace(ctx context.Context, userID, id int64) error
	// PlacesWithin returns the citizens' places inside b, ordered by user.
	PlacesWithin(ctx context.Context, b Bound) ([]*SavedPlace, error)
}
