package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"guanjia"
	"guanjia/geo"
	"guanjia/weather"
)

// weatherHandlers serve 台风 / 气象 / 积水: typhoon tracks, waterlogging
// points, alerts and citizens' saved places.
type weatherHandlers struct {
	weather *weather.Service
}

type trackPointJSON struct {
	Time        time.Time `json:"time"`
	Lat         float64   `json:"lat"`
	Lng         float64   `json:"lng"`
	PressureHPa int       `json:"pressure_hpa,omitempty"`
	WindMS      float64   `json:"wind_ms,omitempty"`
	Intensity   string    `json:"intensity,omitempty"`
	RadiusKM    float64   `json:"radius_km,omitempty"` // forecast: the cone's radius
}

type typhoonJSON struct {
	ID       int64            `json:"id"`
	Number   string           `json:"number"`
	NameZH   string           `json:"name_zh"`
	NameEN   string           `json:"name_en"`
	Active   bool             `json:"active"`
	LastAt   time.Time        `json:"last_at"`
	Observed []trackPointJSON `json:"observed"`
	Forecast []trackPointJSON `json:"forecast"`
	// Cone is the forecast cone, a GeoJSON MultiPolygon (WGS-84); null without a forecast.
	Cone json.RawMessage `json:"cone"`
}

type typhoonList struct {
	Typhoons []typhoonJSON `json:"typhoons"`
}

func toTrackJSON(p guanjia.TrackPoint) trackPointJSON {
	return trackPointJSON{Time: p.At, Lat: p.Lat, Lng: p.Lng, PressureHPa: p.PressureHPa, WindMS: p.WindMS,
		Intensity: string(p.Intensity), RadiusKM: p.RadiusKM}
}

func toTyphoonJSON(t *guanjia.Typhoon) typhoonJSON {
	out := typhoonJSON{ID: t.ID, Number: t.Number, NameZH: t.NameZH, NameEN: t.NameEN, Active: t.Active, LastAt: t.LastAt,
		Observed: mapJSON(t.Observed, toTrackJSON), Forecast: mapJSON(t.Forecast, toTrackJSON), Cone: json.RawMessage("null")}
	if out.Forecast == nil {
		out.Forecast = []trackPointJSON{}
	}
	if cone := weather.Cone(t); len(cone) > 0 {
		out.Cone = weather.GeometryJSON(cone)
	}
	return out
}

// handleTyphoonList answers the active typhoons and the latest others, with tracks.
func (h *weatherHandlers) handleTyphoonList(c echo.Context) error {
	limit, err := queryInt(c, "limit", 10, 1, 50)
	if err != nil {
		return err
	}
	list, err := h.weather.Typhoons(c.Request().Context(), limit)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=60")
	return c.JSON(http.StatusOK, typhoonList{Typhoons: mapJSON(list, toTyphoonJSON)})
}

// handleTyphoonGet answers one typhoon with its track and cone.
func (h *weatherHandlers) handleTyphoonGet(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	t, err := h.weather.Typhoon(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toTyphoonJSON(t))
}

// handleTyphoonImport replaces a typhoon's track with an uploaded CSV or
// feed JSON (multipart: file, format).
func (h *weatherHandlers) handleTyphoonImport(c echo.Context) error {
	_, data, err := readUpload(c, weather.MaxImportBytes, invalid("file", "upload the track as multipart field \"file\" (CSV or the feed's JSON)"))
	if err != nil {
		return err
	}
	t, err := h.weather.ImportTyphoon(c.Request().Context(), claimsOf(c), c.FormValue("format"), bytes.NewReader(data))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toTyphoonJSON(t))
}

type waterloggingPointJSON struct {
	Code       string     `json:"code"`
	Name       string     `json:"name"`
	Address    string     `json:"address,omitempty"`
	Lat        float64    `json:"lat"`
	Lng        float64    `json:"lng"`
	VideoURL   string     `json:"video_url,omitempty"`
	DepthCM    *float64   `json:"depth_cm"`              // the latest reading; null when none
	Band       string     `json:"band"`                  // normal, warning (≥15 cm), severe (≥30), danger (≥50)
	MeasuredAt *time.Time `json:"measured_at,omitempty"` // of the latest reading
	Stale      bool       `json:"stale,omitempty"`       // the latest reading is over an hour old: not the water now
}

type waterloggingReportJSON struct {
	ComplaintID int64     `json:"complaint_id"`
	Lat         float64   `json:"lat"`
	Lng         float64   `json:"lng"`
	Address     string    `json:"address,omitempty"`
	Status      string    `json:"status"`
	ReportedAt  time.Time `json:"reported_at"`
}

type waterloggingAnswer struct {
	Points  []waterloggingPointJSON  `json:"points"`
	Reports []waterloggingReportJSON `json:"reports"` // open 1301 道路积水 complaints
}

func toWaterloggingPointJSON(p *guanjia.WaterloggingPoint) waterloggingPointJSON {
	out := waterloggingPointJSON{Code: p.Code, Name: p.Name, Address: p.Address, Lat: p.Lat, Lng: p.Lng, VideoURL: p.VideoURL, Band: "normal"}
	if p.Latest != nil {
		d, at := p.Latest.DepthCM, p.Latest.MeasuredAt
		out.DepthCM, out.MeasuredAt, out.Band, out.Stale = &d, &at, weather.DepthBand(d), p.Stale
	}
	return out
}

// handleWaterlogging answers the points with their latest depth and camera,
// and the open 道路积水 reports (where and how far, never who).
func (h *weatherHandlers) handleWaterlogging(c echo.Context) error {
	points, reports, err := h.weather.Waterlogging(c.Request().Context())
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=30")
	return c.JSON(http.StatusOK, waterloggingAnswer{Points: mapJSON(points, toWaterloggingPointJSON),
		Reports: mapJSON(reports, func(r *guanjia.WaterloggingReport) waterloggingReportJSON {
			return waterloggingReportJSON{ComplaintID: r.ComplaintID, Lat: r.Lat, Lng: r.Lng, Address: r.Address,
				Status: string(r.Status), ReportedAt: r.ReportedAt}
		})})
}

type waterloggingPointRequest struct {
	Name     string  `json:"name"`
	Address  string  `json:"address"`
	Lat      float64 `json:"lat"` // WGS-84
	Lng      float64 `json:"lng"`
	VideoURL string  `json:"video_url"` // http(s), optional
}

// handleWaterloggingPointPut creates or updates the point :code.
func (h *weatherHandlers) handleWaterloggingPointPut(c echo.Context) error {
	var req waterloggingPointRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	p := &guanjia.WaterloggingPoint{Code: c.Param("code"), Name: req.Name, Address: req.Address, Lat: req.Lat, Lng: req.Lng, VideoURL: req.VideoURL}
	if err := h.weather.SavePoint(c.Request().Context(), p); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toWaterloggingPointJSON(p))
}

type waterReadingRequest struct {
	Point      string  `json:"point"` // the point's code
	DepthCM    float64 `json:"depth_cm"`
	MeasuredAt string  `json:"measured_at"` // RFC 3339
}

type waterReadingsRequest struct {
	Readings []waterReadingRequest `json:"readings"`
}

type waterReadingsAnswer struct {
	Received int `json:"received"`
	Added    int `json:"added"` // new ones; a re-sent reading is not stored twice
}

// handleWaterReadings stores what the sensor system pushes, all or nothing.
func (h *weatherHandlers) handleWaterReadings(c echo.Context) error {
	var req waterReadingsRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	readings := make([]guanjia.WaterReading, len(req.Readings))
	for i, r := range req.Readings {
		at, err := time.Parse(time.RFC3339, r.MeasuredAt)
		if err != nil {
			return invalid("readings", "reading %d: measured_at must be a time like 2026-08-10T09:00:00+08:00", i+1)
		}
		readings[i] = guanjia.WaterReading{PointCode: r.Point, DepthCM: r.DepthCM, MeasuredAt: at}
	}
	added, err := h.weather.AddReadings(c.Request().Context(), readings)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, waterReadingsAnswer{Received: len(readings), Added: added})
}

type alertJSON struct {
	ID        int64  `json:"id"`
	Kind      string `json:"kind"`
	KindName  string `json:"kind_name"` // 暴雨
	Level     string `json:"level"`
	LevelName string `json:"level_name"` // 橙色
	Title     string `json:"title"`
	Body      string `json:"body"`
	// Area is where it applies, a GeoJSON MultiPolygon (the grids' polygons when given as grids).
	Area        json.RawMessage `json:"area"`
	Grids       []string        `json:"grids,omitempty"`
	ValidFrom   time.Time       `json:"valid_from"`
	ValidUntil  time.Time       `json:"valid_until"`
	CreatedAt   time.Time       `json:"created_at"`
	WithdrawnAt *time.Time      `json:"withdrawn_at,omitempty"`
	Current     bool            `json:"current"`
	Places      []string        `json:"places,omitempty"` // /me/alerts: the caller's places it covers
}

type alertList struct {
	Alerts []alertJSON `json:"alerts"`
}

func toAlertJSON(a *guanjia.WeatherAlert, area *weather.Area, now time.Time) alertJSON {
	return alertJSON{ID: a.ID, Kind: string(a.Kind), KindName: guanjia.AlertKinds[a.Kind], Level: string(a.Level),
		LevelName: guanjia.AlertLevels[a.Level], Title: a.Title, Body: a.Body, Area: weather.GeometryJSON(area.Geometry()),
		Grids: a.Grids, ValidFrom: a.ValidFrom, ValidUntil: a.ValidUntil, CreatedAt: a.CreatedAt, WithdrawnAt: a.WithdrawnAt,
		Current: a.Current(now)}
}

// answerAlert answers one alert with its area.
func (h *weatherHandlers) answerAlert(c echo.Context, status int, a *guanjia.WeatherAlert) error {
	area, err := h.weather.Areas().AreaOf(c.Request().Context(), a)
	if err != nil {
		return err
	}
	return c.JSON(status, toAlertJSON(a, area, h.weather.Now()))
}

// answerAlerts answers alerts with their areas, reading the grids once.
func (h *weatherHandlers) answerAlerts(c echo.Context, list []*guanjia.WeatherAlert) error {
	out := alertList{Alerts: []alertJSON{}}
	areas, now := h.weather.Areas(), h.weather.Now()
	for _, a := range list {
		area, err := areas.AreaOf(c.Request().Context(), a)
		if err != nil {
			return err
		}
		out.Alerts = append(out.Alerts, toAlertJSON(a, area, now))
	}
	return c.JSON(http.StatusOK, out)
}

// handleAlertList answers the alerts in force now; anyone may read them.
func (h *weatherHandlers) handleAlertList(c echo.Context) error {
	list, err := h.weather.CurrentAlerts(c.Request().Context())
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=30")
	return h.answerAlerts(c, list)
}

// handleAlertListAll answers every alert, past and upcoming too, for the console.
func (h *weatherHandlers) handleAlertListAll(c echo.Context) error {
	limit, err := queryInt(c, "limit", 100, 1, 500)
	if err != nil {
		return err
	}
	list, err := h.weather.AllAlerts(c.Request().Context(), limit)
	if err != nil {
		return err
	}
	return h.answerAlerts(c, list)
}

type alertRequest struct {
	Kind       string          `json:"kind"`
	Level      string          `json:"level"`
	Title      string          `json:"title"`
	Body       string          `json:"body"`
	Area       json.RawMessage `json:"area"`       // a GeoJSON Polygon or MultiPolygon, WGS-84; or
	Grids      []string        `json:"grids"`      // grid ids
	ValidFrom  string          `json:"valid_from"` // RFC 3339; default now
	ValidUntil string          `json:"valid_until"`
}

// handleAlertCreate publishes an alert; its fan-out to citizens runs in the worker.
func (h *weatherHandlers) handleAlertCreate(c echo.Context) error {
	var req alertRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	in := weather.AlertInput{Kind: guanjia.AlertKind(req.Kind), Level: guanjia.AlertLevel(req.Level), Title: req.Title,
		Body: req.Body, Grids: req.Grids}
	if len(req.Area) > 0 && string(req.Area) != "null" {
		in.Area = req.Area
	}
	if err := parseTimes(timeField{"valid_from", req.ValidFrom, &in.ValidFrom}, timeField{"valid_until", req.ValidUntil, &in.ValidUntil}); err != nil {
		return err
	}
	a, err := h.weather.PublishAlert(c.Request().Context(), claimsOf(c), in)
	if err != nil {
		return err
	}
	return h.answerAlert(c, http.StatusCreated, a)
}

// handleAlertWithdraw takes an alert down before its window ends.
func (h *weatherHandlers) handleAlertWithdraw(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	a, err := h.weather.WithdrawAlert(c.Request().Context(), claimsOf(c), id)
	if err != nil {
		return err
	}
	return h.answerAlert(c, http.StatusOK, a)
}

// handleMyAlerts answers the alerts in force that cover one of the caller's places.
func (h *weatherHandlers) handleMyAlerts(c echo.Context) error {
	list, err := h.weather.MyAlerts(c.Request().Context(), claimsOf(c))
	if err != nil {
		return err
	}
	out := alertList{Alerts: []alertJSON{}}
	now := h.weather.Now()
	for _, m := range list {
		j := toAlertJSON(m.Alert, m.Area, now)
		j.Places = m.Places
		out.Alerts = append(out.Alerts, j)
	}
	return c.JSON(http.StatusOK, out)
}

type placeJSON struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Lat       float64   `json:"lat"` // WGS-84
	Lng       float64   `json:"lng"`
	CreatedAt time.Time `json:"created_at"`
}

type placeList struct {
	Places []placeJSON `json:"places"`
	Max    int         `json:"max"`
}

func toPlaceJSON(p *guanjia.SavedPlace) placeJSON {
	return placeJSON{ID: p.ID, Name: p.Name, Lat: p.Lat, Lng: p.Lng, CreatedAt: p.CreatedAt}
}

type placeRequest struct {
	Name        string  `json:"name"` // 家, 单位
	Lat         float64 `json:"lat"`
	Lng         float64 `json:"lng"`
	CoordSystem string  `json:"coord_system"` // wgs84 (default) or gcj02, as wx.getLocation gives
}

// handleMyPlaces answers the caller's saved places.
func (h *weatherHandlers) handleMyPlaces(c echo.Context) error {
	list, err := h.weather.Places(c.Request().Context(), claimsOf(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, placeList{Places: mapJSON(list, toPlaceJSON), Max: guanjia.MaxSavedPlaces})
}

// handleMyPlaceCreate saves a place of the caller.
func (h *weatherHandlers) handleMyPlaceCreate(c echo.Context) error {
	var req placeRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	p, err := h.weather.AddPlace(c.Request().Context(), claimsOf(c),
		weather.PlaceInput{Name: req.Name, Lat: req.Lat, Lng: req.Lng, CoordSystem: geo.CoordSystem(req.CoordSystem)})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toPlaceJSON(p))
}

// handleMyPlaceDelete removes one of the caller's places.
func (h *weatherHandlers) handleMyPlaceDelete(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if err := h.weather.DeletePlace(c.Request().Context(), claimsOf(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
