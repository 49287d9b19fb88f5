package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"guanjia"
	"guanjia/dispatch"
)

// Hotspots keeps the 热点诉求 found by the periodic job: dispatch.HotspotStore.
type Hotspots struct{ *conn }

var _ dispatch.HotspotStore = (*Hotspots)(nil)

type hotspotRow struct {
	ID                int64 `gorm:"primaryKey"`
	HotspotKey        string
	Kind              string
	Category          string
	GridID            string
	Grids             string
	Lat, Lng          float64
	RadiusM           float64
	WindowName        string
	ReportCount       int
	Baseline          float64
	Rise              float64
	Orders            string
	UnitCode          string
	FirstAt, LastAt   time.Time
	NotifiedAt        *time.Time
	PatrolComplaintID *int64
	EndedAt           *time.Time
	UpdatedAt         time.Time
}

func (hotspotRow) TableName() string { return "hotspots" }

// detectedHotspotColumns are what a detection run writes on a hotspot it
// found again (notified_at only the job itself sets). Not patrol_complaint_id:
// a dispatcher may open a patrol while the job runs.
var detectedHotspotColumns = []string{"hotspot_key", "kind", "category", "grid_id", "grids", "lat", "lng", "radius_m",
	"window_name", "report_count", "baseline", "rise", "orders", "unit_code", "first_at", "last_at", "notified_at", "updated_at"}

func newHotspotRow(h *dispatch.Hotspot) hotspotRow {
	orders := make([]string, len(h.Orders))
	for i, id := range h.Orders {
		orders[i] = strconv.FormatInt(id, 10)
	}
	return hotspotRow{ID: h.ID, HotspotKey: h.Key, Kind: h.Kind, Category: h.Category, GridID: h.GridID,
		Grids: strings.Join(h.Grids, ","), Lat: h.Lat, Lng: h.Lng, RadiusM: h.RadiusM, WindowName: h.Window,
		ReportCount: h.Count, Baseline: h.Baseline, Rise: h.Rise, Orders: strings.Join(orders, ","), UnitCode: h.UnitCode,
		FirstAt: h.FirstAt, LastAt: h.LastAt, NotifiedAt: h.NotifiedAt, PatrolComplaintID: h.PatrolComplaintID,
		EndedAt: h.EndedAt, UpdatedAt: h.UpdatedAt}
}

func (r *hotspotRow) hotspot() *dispatch.Hotspot {
	h := &dispatch.Hotspot{ID: r.ID, Key: r.HotspotKey, Kind: r.Kind, Category: r.Category, GridID: r.GridID,
		Lat: r.Lat, Lng: r.Lng, RadiusM: r.RadiusM, Window: r.WindowName, Count: r.ReportCount, Baseline: r.Baseline,
		Rise: r.Rise, UnitCode: r.UnitCode, FirstAt: r.FirstAt.UTC(), LastAt: r.LastAt.UTC(), NotifiedAt: utc(r.NotifiedAt),
		PatrolComplaintID: r.PatrolComplaintID, EndedAt: utc(r.EndedAt), UpdatedAt: r.UpdatedAt.UTC(), Grids: []string{}, Orders: []int64{}}
	if r.Grids != "" {
		h.Grids = strings.Split(r.Grids, ",")
	}
	for _, s := range strings.Split(r.Orders, ",") {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil {
			h.Orders = append(h.Orders, id)
		}
	}
	return h
}

type hotspotThresholdRow struct {
	Category string `gorm:"primaryKey"`
	MinCount int
	MinRise  float64
	RadiusM  float64
}

func (hotspotThresholdRow) TableName() string { return "hotspot_thresholds" }

func (s *Hotspots) HotspotReports(ctx context.Context, from, to time.Time) ([]dispatch.Report, error) {
	var rows []struct {
		ID        int64
		Category  string
		GridID    string
		Lat, Lng  float64
		CreatedAt time.Time
	}
	err := s.db.WithContext(ctx).Table("complaints").Select("id, category, grid_id, lat, lng, created_at").
		Where("created_at >= ? AND created_at < ? AND source <> ? AND status <> ?", from, to, guanjia.SourcePatrol, guanjia.StatusRejected).
		Order("id").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: hotspot reports: %w", err)
	}
	out := make([]dispatch.Report, len(rows))
	for i, r := range rows {
		out[i] = dispatch.Report{ID: r.ID, Category: r.Category, GridID: r.GridID, Lat: r.Lat, Lng: r.Lng, At: r.CreatedAt.UTC()}
	}
	return out, nil
}

func (s *Hotspots) HotspotThresholds(ctx context.Context) ([]dispatch.HotspotThreshold, error) {
	var rows []hotspotThresholdRow
	if err := s.db.WithContext(ctx).Order("category").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: hotspot thresholds: %w", err)
	}
	out := make([]dispatch.HotspotThreshold, len(rows))
	for i, r := range rows {
		out[i] = dispatch.HotspotThreshold{Category: r.Category, MinCount: r.MinCount, MinRise: r.MinRise, RadiusM: r.RadiusM}
	}
	return out, nil
}

// SetHotspotThreshold sets a category's thresholds.
func (s *Hotspots) SetHotspotThreshold(ctx context.Context, t dispatch.HotspotThreshold) error {
	row := hotspotThresholdRow{Category: t.Category, MinCount: t.MinCount, MinRise: t.MinRise, RadiusM: t.RadiusM}
	if err := s.db.WithContext(ctx).Save(&row).Error; err != nil {
		return fmt.Errorf("store: set hotspot threshold %s: %w", t.Category, err)
	}
	return nil
}

func (s *Hotspots) ActiveHotspots(ctx context.Context) ([]*dispatch.Hotspot, error) {
	var rows []hotspotRow
	if err := s.db.WithContext(ctx).Where("ended_at IS NULL").Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: active hotspots: %w", err)
	}
	out := make([]*dispatch.Hotspot, len(rows))
	for i := range rows {
		out[i] = rows[i].hotspot()
	}
	return out, nil
}

func (s *Hotspots) FindHotspot(ctx context.Context, id int64) (*dispatch.Hotspot, error) {
	var row hotspotRow
	if err := s.db.WithContext(ctx).Take(&row, id).Error; err != nil {
		return nil, notFound(err, "hotspot", id)
	}
	return row.hotspot(), nil
}

func (s *Hotspots) SaveHotspots(ctx context.Context, upsert []*dispatch.Hotspot, end []int64, at time.Time, messages []guanjia.Message) ([]int64, error) {
	var ids []int64
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if len(end) > 0 {
			if err := tx.Model(&hotspotRow{}).Where("id IN ? AND ended_at IS NULL", end).
				Updates(map[string]any{"ended_at": at, "updated_at": at}).Error; err != nil {
				return fmt.Errorf("store: end hotspots: %w", err)
			}
		}
		for _, h := range upsert {
			row := newHotspotRow(h)
			var err error
			if row.ID == 0 {
				err = tx.Create(&row).Error
			} else {
				// Only what detection derives: a patrol opened while the job
				// ran keeps its link.
				err = tx.Model(&row).Select(detectedHotspotColumns).Updates(&row).Error
			}
			if err != nil {
				return fmt.Errorf("store: save hotspot %s: %w", h.Key, err)
			}
			h.ID = row.ID
		}
		if len(messages) == 0 {
			return nil
		}
		rows := make([]notificationRow, len(messages))
		for i, m := range messages {
			rows[i] = newNotificationRow(m, at)
		}
		if err := tx.Create(&rows).Error; err != nil {
			return fmt.Errorf("store: hotspot notifications: %w", err)
		}
		for _, r := range rows {
			if r.Status == guanjia.DeliveryPending {
				ids = append(ids, r.ID)
			}
		}
		return nil
	})
	return ids, err
}

// linkPatrol records, in tx, the patrol order opened from a hotspot;
// ECONFLICT when it already has one (the conditional update is the claim).
func linkPatrol(tx *gorm.DB, hotspotID, complaintID int64) error {
	res := tx.Model(&hotspotRow{}).Where("id = ? AND patrol_complaint_id IS NULL", hotspotID).
		Update("patrol_complaint_id", complaintID)
	if res.Error != nil {
		return fmt.Errorf("store: link patrol to hotspot %d: %w", hotspotID, res.Error)
	}
	if res.RowsAffected == 0 {
		return guanjia.Errorf(guanjia.ECONFLICT, "a patrol order was already opened from this hotspot")
	}
	return nil
}
