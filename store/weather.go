package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"guanjia"
)

// Weather keeps typhoons, waterlogging points and readings, weather alerts
// and citizens' saved places: guanjia.WeatherStore.
type Weather struct{ *conn }

var _ guanjia.WeatherStore = (*Weather)(nil)

type typhoonRow struct {
	ID         int64 `gorm:"primaryKey"`
	Number     string
	NameZh     string
	NameEn     string
	Active     bool
	Source     string
	LastAt     time.Time
	ImportedBy *int64
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

func (typhoonRow) TableName() string { return "typhoons" }

type typhoonPointRow struct {
	ID          int64 `gorm:"primaryKey"`
	TyphoonID   int64
	Kind        string
	At          time.Time
	Lat, Lng    float64
	PressureHpa int
	WindMs      float64
	Intensity   string
	RadiusKm    float64
}

func (typhoonPointRow) TableName() string { return "typhoon_points" }

// SaveTyphoon creates the typhoon of t.Number or replaces its names and
// track, in one transaction.
func (s *Weather) SaveTyphoon(ctx context.Context, t *guanjia.Typhoon, by int64) error {
	now := s.Now().UTC()
	var importer *int64
	if by != 0 {
		importer = &by
	}
	return s.transactNewKey(ctx, func(tx *gorm.DB) error { // a number's first import, twice at once
		var row typhoonRow
		err := tx.Where("number = ?", t.Number).Take(&row).Error
		switch {
		case errors.Is(err, gorm.ErrRecordNotFound):
			row = typhoonRow{Number: t.Number, CreatedAt: now}
		case err != nil:
			return fmt.Errorf("store: find typhoon %s: %w", t.Number, err)
		}
		row.NameZh, row.NameEn, row.Active, row.Source = t.NameZH, t.NameEN, t.Active, t.Source
		row.LastAt, row.ImportedBy, row.UpdatedAt = t.LastAt.UTC(), importer, now
		if err := tx.Save(&row).Error; err != nil {
			return fmt.Errorf("store: save typhoon %s: %w", t.Number, err)
		}
		if err := tx.Where("typhoon_id = ?", row.ID).Delete(&typhoonPointRow{}).Error; err != nil {
			return fmt.Errorf("store: replace track of typhoon %s: %w", t.Number, err)
		}
		var points []typhoonPointRow
		for _, list := range [][]guanjia.TrackPoint{t.Observed, t.Forecast} {
			for _, p := range list {
				points = append(points, typhoonPointRow{TyphoonID: row.ID, Kind: p.Kind, At: p.At.UTC(), Lat: p.Lat, Lng: p.Lng,
					PressureHpa: p.PressureHPa, WindMs: p.WindMS, Intensity: string(p.Intensity), RadiusKm: p.RadiusKM})
			}
		}
		if len(points) > 0 {
			if err := tx.CreateInBatches(&points, 200).Error; err != nil {
				return fmt.Errorf("store: save track of typhoon %s: %w", t.Number, err)
			}
		}
		t.ID = row.ID
		return nil
	})
}

func (s *Weather) FindTyphoon(ctx context.Context, id int64) (*guanjia.Typhoon, error) {
	var row typhoonRow
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return nil, notFound(err, "typhoon", id)
	}
	list, err := s.withTracks(ctx, []typhoonRow{row})
	if err != nil {
		return nil, err
	}
	return list[0], nil
}

// ListTyphoons returns the typhoons active since activeSince first, then the latest others.
func (s *Weather) ListTyphoons(ctx context.Context, limit int, activeSince time.Time) ([]*guanjia.Typhoon, error) {
	if limit <= 0 || limit > 50 {
		limit = 10
	}
	var rows []typhoonRow
	live := clause.Expr{SQL: "CASE WHEN active AND last_at > ? THEN 0 ELSE 1 END, last_at DESC, id DESC", Vars: []any{activeSince.UTC()}}
	if err := s.db.WithContext(ctx).Clauses(clause.OrderBy{Expression: live}).Limit(limit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: list typhoons: %w", err)
	}
	return s.withTracks(ctx, rows)
}

func (s *Weather) withTracks(ctx context.Context, rows []typhoonRow) ([]*guanjia.Typhoon, error) {
	out := make([]*guanjia.Typhoon, len(rows))
	byID := make(map[int64]*guanjia.Typhoon, len(rows))
	ids := make([]int64, len(rows))
	for i, r := range rows {
		out[i] = &guanjia.Typhoon{ID: r.ID, Number: r.Number, NameZH: r.NameZh, NameEN: r.NameEn, Active: r.Active,
			Source: r.Source, LastAt: r.LastAt.UTC(), CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
		byID[r.ID], ids[i] = out[i], r.ID
	}
	if len(ids) == 0 {
		return out, nil
	}
	var points []typhoonPointRow
	if err := s.db.WithContext(ctx).Where("typhoon_id IN ?", ids).Order("typhoon_id, kind, at").Find(&points).Error; err != nil {
		return nil, fmt.Errorf("store: list typhoon tracks: %w", err)
	}
	for _, p := range points {
		t := byID[p.TyphoonID]
		tp := guanjia.TrackPoint{Kind: p.Kind, At: p.At.UTC(), Lat: p.Lat, Lng: p.Lng, PressureHPa: p.PressureHpa,
			WindMS: p.WindMs, Intensity: guanjia.TyphoonIntensity(p.Intensity), RadiusKM: p.RadiusKm}
		if p.Kind == guanjia.TrackForecast {
			t.Forecast = append(t.Forecast, tp)
		} else {
			t.Observed = append(t.Observed, tp)
		}
	}
	return out, nil
}

type waterloggingPointRow struct {
	ID        int64 `gorm:"primaryKey"`
	Code      string
	Name      string
	Address   string
	Lat, Lng  float64
	VideoURL  string `gorm:"column:video_url"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (waterloggingPointRow) TableName() string { return "waterlogging_points" }

type waterReadingRow struct {
	ID         int64 `gorm:"primaryKey"`
	PointID    int64
	DepthCm    float64
	MeasuredAt time.Time
	ReceivedAt time.Time
}

func (waterReadingRow) TableName() string { return "waterlogging_readings" }

// UpsertWaterloggingPoint creates or updates the point of p.Code; it sets p.ID.
func (s *Weather) UpsertWaterloggingPoint(ctx context.Context, p *guanjia.WaterloggingPoint) error {
	return s.transactNewKey(ctx, func(tx *gorm.DB) error { // a code's first PUT, twice at once
		var row waterloggingPointRow
		err := tx.Where("code = ?", p.Code).Take(&row).Error
		switch {
		case errors.Is(err, gorm.ErrRecordNotFound):
			row = waterloggingPointRow{Code: p.Code, CreatedAt: p.CreatedAt.UTC()}
		case err != nil:
			return fmt.Errorf("store: find waterlogging point %s: %w", p.Code, err)
		}
		row.Name, row.Address, row.Lat, row.Lng, row.VideoURL, row.UpdatedAt = p.Name, p.Address, p.Lat, p.Lng, p.VideoURL, p.UpdatedAt.UTC()
		if err := tx.Save(&row).Error; err != nil {
			return fmt.Errorf("store: save waterlogging point %s: %w", p.Code, err)
		}
		p.ID, p.CreatedAt = row.ID, row.CreatedAt.UTC()
		return nil
	})
}

// ListWaterloggingPoints returns every point, by code, with its latest reading.
func (s *Weather) ListWaterloggingPoints(ctx context.Context) ([]*guanjia.WaterloggingPoint, error) {
	db := s.db.WithContext(ctx)
	var rows []waterloggingPointRow
	if err := db.Order("code").Limit(5000).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: list waterlogging points: %w", err)
	}
	var latest []waterReadingRow
	err := db.Raw(`SELECT r.* FROM waterlogging_readings r JOIN (SELECT point_id, MAX(measured_at) AS m
		FROM waterlogging_readings GROUP BY point_id) x ON r.point_id = x.point_id AND r.measured_at = x.m`).Scan(&latest).Error
	if err != nil {
		return nil, fmt.Errorf("store: latest waterlogging readings: %w", err)
	}
	byPoint := make(map[int64]waterReadingRow, len(latest))
	for _, r := range latest {
		byPoint[r.PointID] = r
	}
	out := make([]*guanjia.WaterloggingPoint, len(rows))
	for i, r := range rows {
		out[i] = &guanjia.WaterloggingPoint{ID: r.ID, Code: r.Code, Name: r.Name, Address: r.Address, Lat: r.Lat, Lng: r.Lng,
			VideoURL: r.VideoURL, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
		if l, ok := byPoint[r.ID]; ok {
			out[i].Latest = &guanjia.WaterReading{PointCode: r.Code, DepthCM: l.DepthCm, MeasuredAt: l.MeasuredAt.UTC(), ReceivedAt: l.ReceivedAt.UTC()}
		}
	}
	return out, nil
}

// AddWaterReadings stores readings all or nothing; one already stored for
// the same point and time is skipped.
func (s *Weather) AddWaterReadings(ctx context.Context, readings []guanjia.WaterReading) (int, error) {
	added := 0
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		codes := make([]string, 0, len(readings))
		for _, r := range readings {
			codes = append(codes, r.PointCode)
		}
		var points []waterloggingPointRow
		if err := tx.Select("id, code").Where("code IN ?", codes).Find(&points).Error; err != nil {
			return fmt.Errorf("store: find waterlogging points: %w", err)
		}
		ids := make(map[string]int64, len(points))
		for _, p := range points {
			ids[p.Code] = p.ID
		}
		rows := make([]waterReadingRow, len(readings))
		for i, r := range readings {
			id, ok := ids[r.PointCode]
			if !ok {
				return guanjia.FieldError(guanjia.EINVALID, "readings", "reading %d: unknown point %q", i+1, r.PointCode)
			}
			rows[i] = waterReadingRow{PointID: id, DepthCm: r.DepthCM, MeasuredAt: r.MeasuredAt.UTC(), ReceivedAt: r.ReceivedAt.UTC()}
		}
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(&rows, 500)
		if res.Error != nil {
			return fmt.Errorf("store: add waterlogging readings: %w", res.Error)
		}
		added = int(res.RowsAffected) // the new rows only: a conflicting one is not inserted
		return nil
	})
	if err != nil {
		return 0, err
	}
	return added, nil
}

// ListOpenWaterloggingReports returns the open complaints of category 1301.
func (s *Weather) ListOpenWaterloggingReports(ctx context.Context, limit int) ([]*guanjia.WaterloggingReport, error) {
	var rows []complaintRow
	err := s.db.WithContext(ctx).Select("id, lat, lng, address, status, created_at").
		Where("category = ? AND "+openComplaintsSQL, guanjia.CategoryWaterlogging).
		Order("created_at DESC, id DESC").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: list open waterlogging reports: %w", err)
	}
	out := make([]*guanjia.WaterloggingReport, len(rows))
	for i, r := range rows {
		out[i] = &guanjia.WaterloggingReport{ComplaintID: r.ID, Lat: r.Lat, Lng: r.Lng, Address: r.Address,
			Status: guanjia.Status(r.Status), ReportedAt: r.CreatedAt.UTC()}
	}
	return out, nil
}

type weatherAlertRow struct {
	ID          int64 `gorm:"primaryKey"`
	Kind        string
	Level       string
	Title       string
	Body        string
	AreaGeojson string `gorm:"column:area_geojson"`
	AreaGrids   string
	ValidFrom   time.Time
	ValidUntil  time.Time
	PublishedBy int64
	CreatedAt   time.Time
	WithdrawnAt *time.Time
	WithdrawnBy *int64
	FannedOutAt *time.Time
}

func (weatherAlertRow) TableName() string { return "weather_alerts" }

func (r *weatherAlertRow) alert() *guanjia.WeatherAlert {
	a := &guanjia.WeatherAlert{ID: r.ID, Kind: guanjia.AlertKind(r.Kind), Level: guanjia.AlertLevel(r.Level), Title: r.Title,
		Body: r.Body, ValidFrom: r.ValidFrom.UTC(), ValidUntil: r.ValidUntil.UTC(), PublishedBy: r.PublishedBy,
		CreatedAt: r.CreatedAt.UTC(), WithdrawnAt: utc(r.WithdrawnAt), WithdrawnBy: r.WithdrawnBy, FannedOutAt: utc(r.FannedOutAt)}
	if r.AreaGeojson != "" {
		a.AreaGeoJSON = []byte(r.AreaGeojson)
	}
	if r.AreaGrids != "" {
		decodeJSON("weather_alerts", r.ID, r.AreaGrids, &a.Grids)
	}
	return a
}

func (s *Weather) CreateAlert(ctx context.Context, a *guanjia.WeatherAlert) error {
	if a.CreatedAt.IsZero() {
		a.CreatedAt = s.Now()
	}
	row := weatherAlertRow{Kind: string(a.Kind), Level: string(a.Level), Title: a.Title, Body: a.Body,
		AreaGeojson: string(a.AreaGeoJSON), ValidFrom: a.ValidFrom.UTC(), ValidUntil: a.ValidUntil.UTC(),
		PublishedBy: a.PublishedBy, CreatedAt: a.CreatedAt.UTC()}
	if len(a.Grids) > 0 {
		b, err := json.Marshal(a.Grids)
		if err != nil {
			return fmt.Errorf("store: encode alert grids: %w", err)
		}
		row.AreaGrids = string(b)
	}
	if err := s.db.WithContext(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("store: create weather alert: %w", err)
	}
	a.ID = row.ID
	return nil
}

func (s *Weather) FindAlert(ctx context.Context, id int64) (*guanjia.WeatherAlert, error) {
	var row weatherAlertRow
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return nil, notFound(err, "weather alert", id)
	}
	return row.alert(), nil
}

func (s *Weather) ListAlerts(ctx context.Context, currentAt *time.Time, limit int) ([]*guanjia.WeatherAlert, error) {
	q := s.db.WithContext(ctx).Model(&weatherAlertRow{})
	if currentAt != nil {
		at := currentAt.UTC()
		q = q.Where("valid_until > ? AND valid_from <= ? AND withdrawn_at IS NULL", at, at)
	}
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	var rows []weatherAlertRow
	if err := q.Order("valid_from DESC, id DESC").Limit(limit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: list weather alerts: %w", err)
	}
	return mapRows(rows, (*weatherAlertRow).alert), nil
}

// WithdrawAlert takes alert id down; a second withdrawal is ECONFLICT.
func (s *Weather) WithdrawAlert(ctx context.Context, id, by int64, at time.Time) error {
	res := s.db.WithContext(ctx).Model(&weatherAlertRow{}).Where("id = ? AND withdrawn_at IS NULL", id).
		Updates(map[string]any{"withdrawn_at": at.UTC(), "withdrawn_by": by})
	if res.Error != nil {
		return fmt.Errorf("store: withdraw weather alert %d: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		if _, err := s.FindAlert(ctx, id); err != nil {
			return err
		}
		return guanjia.Errorf(guanjia.ECONFLICT, "alert %d is already withdrawn", id)
	}
	return nil
}

type alertDeliveryRow struct {
	AlertID        int64 `gorm:"primaryKey"`
	UserID         int64 `gorm:"primaryKey"`
	NotificationID int64
	CreatedAt      time.Time
}

func (alertDeliveryRow) TableName() string { return "weather_alert_deliveries" }

// QueueAlertMessages writes each message whose recipient has none for the
// alert yet, with its (alert, recipient) record, in one transaction and in
// batches; it answers the ids of the rows the queue must deliver (inbox rows
// are sent by being written).
func (s *Weather) QueueAlertMessages(ctx context.Context, alertID int64, messages []guanjia.Message) ([]int64, error) {
	now := s.Now().UTC()
	var ids []int64
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		ids = nil
		var done []int64
		if err := tx.Model(&alertDeliveryRow{}).Where("alert_id = ?", alertID).Pluck("user_id", &done).Error; err != nil {
			return fmt.Errorf("store: alert %d deliveries: %w", alertID, err)
		}
		seen := make(map[int64]bool, len(done))
		for _, u := range done {
			seen[u] = true
		}
		var rows []notificationRow
		for _, m := range messages {
			if !seen[m.RecipientID] {
				seen[m.RecipientID] = true
				rows = append(rows, newNotificationRow(m, now))
			}
		}
		if len(rows) == 0 {
			return nil
		}
		if err := tx.CreateInBatches(&rows, alertBatch).Error; err != nil {
			return fmt.Errorf("store: queue alert %d messages: %w", alertID, err)
		}
		records := make([]alertDeliveryRow, len(rows))
		for i, n := range rows {
			records[i] = alertDeliveryRow{AlertID: alertID, UserID: n.RecipientID, NotificationID: n.ID, CreatedAt: now}
		}
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(&records, alertBatch)
		if res.Error != nil {
			return fmt.Errorf("store: record alert %d messages: %w", alertID, res.Error)
		}
		if int(res.RowsAffected) < len(rows) { // a concurrent fan-out got there first for some: drop our copies
			var recorded []int64
			if err := tx.Model(&alertDeliveryRow{}).Where("alert_id = ?", alertID).Pluck("notification_id", &recorded).Error; err != nil {
				return fmt.Errorf("store: alert %d deliveries: %w", alertID, err)
			}
			ours := make(map[int64]bool, len(recorded))
			for _, id := range recorded {
				ours[id] = true
			}
			var kept []notificationRow
			var drop []int64
			for _, n := range rows {
				if ours[n.ID] {
					kept = append(kept, n)
				} else {
					drop = append(drop, n.ID)
				}
			}
			for chunk := range slices.Chunk(drop, alertBatch) {
				if err := tx.Delete(&notificationRow{}, chunk).Error; err != nil {
					return fmt.Errorf("store: drop duplicate alert messages: %w", err)
				}
			}
			rows = kept
		}
		for _, n := range rows {
			if n.Status == guanjia.DeliveryPending {
				ids = append(ids, n.ID)
			}
		}
		return nil
	})
	return ids, err
}

// alertBatch is the rows of one insert of a fan-out, well inside the
// databases' bound on the parameters of one statement.
const alertBatch = 500

func (s *Weather) MarkAlertFannedOut(ctx context.Context, id int64, at time.Time) error {
	err := s.db.WithContext(ctx).Model(&weatherAlertRow{}).Where("id = ? AND fanned_out_at IS NULL", id).
		Update("fanned_out_at", at.UTC()).Error
	if err != nil {
		return fmt.Errorf("store: mark alert %d fanned out: %w", id, err)
	}
	return nil
}

func (s *Weather) AlertsToFanOut(ctx context.Context, at time.Time) ([]int64, error) {
	var ids []int64
	err := s.db.WithContext(ctx).Model(&weatherAlertRow{}).
		Where("fanned_out_at IS NULL AND withdrawn_at IS NULL AND valid_from <= ? AND valid_until > ?", at.UTC(), at.UTC()).
		Order("id").Limit(1000).Pluck("id", &ids).Error
	if err != nil {
		return nil, fmt.Errorf("store: alerts to fan out: %w", err)
	}
	return ids, nil
}

type savedPlaceRow struct {
	ID          int64 `gorm:"primaryKey"`
	UserID      int64
	Name        string
	Lat, Lng    float64
	CoordSystem string
	CreatedAt   time.Time
}

func (savedPlaceRow) TableName() string { return "saved_places" }

func (r *savedPlaceRow) place() *guanjia.SavedPlace {
	return &guanjia.SavedPlace{ID: r.ID, UserID: r.UserID, Name: r.Name, Lat: r.Lat, Lng: r.Lng,
		CoordSystem: r.CoordSystem, CreatedAt: r.CreatedAt.UTC()}
}

func (s *Weather) ListPlaces(ctx context.Context, userID int64) ([]*guanjia.SavedPlace, error) {
	var rows []savedPlaceRow
	if err := s.db.WithContext(ctx).Where("user_id = ?", userID).Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: list saved places: %w", err)
	}
	return mapRows(rows, (*savedPlaceRow).place), nil
}

// AddPlace saves p; the count and the name are checked in the transaction.
// On PostgreSQL the user's row is locked first: two saves at once would
// both count the same places (SQLite's IMMEDIATE transactions take turns).
func (s *Weather) AddPlace(ctx context.Context, p *guanjia.SavedPlace) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if s.Dialect == "postgres" {
			var id int64
			if err := tx.Model(&userRow{}).Clauses(clause.Locking{Strength: "NO KEY UPDATE"}).
				Select("id").Where("id = ?", p.UserID).Take(&id).Error; err != nil {
				return notFound(err, "user", p.UserID)
			}
		}
		var n int64
		if err := tx.Model(&savedPlaceRow{}).Where("user_id = ?", p.UserID).Count(&n).Error; err != nil {
			return fmt.Errorf("store: count saved places: %w", err)
		}
		if n >= guanjia.MaxSavedPlaces {
			return guanjia.FieldError(guanjia.EINVALID, "name", "you may keep at most %d places", guanjia.MaxSavedPlaces)
		}
		row := savedPlaceRow{UserID: p.UserID, Name: p.Name, Lat: p.Lat, Lng: p.Lng, CoordSystem: p.CoordSystem, CreatedAt: p.CreatedAt.UTC()}
		if err := tx.Create(&row).Error; errors.Is(err, gorm.ErrDuplicatedKey) {
			return guanjia.FieldError(guanjia.ECONFLICT, "name", "you already have a place named %q", p.Name)
		} else if err != nil {
			return fmt.Errorf("store: add saved place: %w", err)
		}
		p.ID = row.ID
		return nil
	})
}

func (s *Weather) DeletePlace(ctx context.Context, userID, id int64) error {
	res := s.db.WithContext(ctx).Where("id = ? AND user_id = ?", id, userID).Delete(&savedPlaceRow{})
	if res.Error != nil {
		return fmt.Errorf("store: delete saved place %d: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return guanjia.Errorf(guanjia.ENOTFOUND, "%s %v not found", "saved place", id)
	}
	return nil
}

// PlacesWithin returns the places inside b of active citizens.
func (s *Weather) PlacesWithin(ctx context.Context, b guanjia.Bound) ([]*guanjia.SavedPlace, error) {
	var rows []savedPlaceRow
	err := s.db.WithContext(ctx).Table("saved_places p").Select("p.*").
		Joins("JOIN users u ON u.id = p.user_id AND u.role = ? AND u.disabled_at IS NULL", string(guanjia.RoleCitizen)).
		Where("p.lat BETWEEN ? AND ? AND p.lng BETWEEN ? AND ?", b.MinLat, b.MaxLat, b.MinLng, b.MaxLng).
		Order("p.user_id, p.id").Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: saved places within %v: %w", b, err)
	}
	return mapRows(rows, (*savedPlaceRow).place), nil
}
