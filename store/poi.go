package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"guanjia/geo"
	"guanjia/poi"
)

// POIs keeps the 15分钟便民生活圈's places and their imports: poi.Store.
type POIs struct{ *conn }

var _ poi.Store = (*POIs)(nil)

type poiImportRow struct {
	ID          int64 `gorm:"primaryKey"`
	Source      string
	Filename    string
	Format      string
	CoordSystem string
	FileHash    string
	Places      int
	Replaced    int
	ImportedBy  *int64
	Department  string
	CreatedAt   time.Time
}

func (poiImportRow) TableName() string { return "poi_imports" }

func (r *poiImportRow) imp() *poi.Import {
	return &poi.Import{ID: r.ID, Source: r.Source, Filename: r.Filename, Format: poi.Format(r.Format),
		CoordSystem: geo.CoordSystem(r.CoordSystem), FileHash: r.FileHash, Places: r.Places, Replaced: r.Replaced,
		ImportedBy: r.ImportedBy, Department: r.Department, CreatedAt: r.CreatedAt.UTC()}
}

type poiRow struct {
	ID       int64 `gorm:"primaryKey"`
	Source   string
	ImportID int64
	Kind     string
	Name     string
	Address  string
	Phone    string
	Hours    string
	Lat, Lng float64
	Line     int
}

func (poiRow) TableName() string { return "pois" }

func (r *poiRow) place() poi.Place {
	return poi.Place{ID: r.ID, Source: r.Source, Kind: r.Kind, Name: r.Name, Address: r.Address, Phone: r.Phone,
		Hours: r.Hours, Lat: r.Lat, Lng: r.Lng, Line: r.Line}
}

// ReplaceSource records imp and replaces the places of imp.Source with
// places, all in one transaction: a failure leaves the old places. The
// source's first import names the department it belongs to (poi.MayReplace).
func (s *POIs) ReplaceSource(ctx context.Context, imp *poi.Import, places []poi.Place) error {
	if imp.CreatedAt.IsZero() {
		imp.CreatedAt = s.Now()
	}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// Imports of one source take turns, or two departments' first
		// imports of a new source would both find it without an owner.
		// (SQLite's write transactions take turns already.)
		if s.Dialect == "postgres" {
			if err := tx.Exec("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", "poi:"+imp.Source).Error; err != nil {
				return err
			}
		}
		var first []poiImportRow
		if err := tx.Select("department").Where("source = ?", imp.Source).Order("id").Limit(1).Find(&first).Error; err != nil {
			return err
		}
		creator := ""
		if len(first) > 0 {
			creator = first[0].Department
		}
		if err := poi.MayReplace(imp.Source, len(first) > 0, creator, imp.Department); err != nil {
			return err
		}
		var replaced int64
		if err := tx.Model(&poiRow{}).Where("source = ?", imp.Source).Count(&replaced).Error; err != nil {
			return err
		}
		row := poiImportRow{Source: imp.Source, Filename: imp.Filename, Format: string(imp.Format),
			CoordSystem: string(imp.CoordSystem), FileHash: imp.FileHash, Places: len(places), Replaced: int(replaced),
			ImportedBy: imp.ImportedBy, Department: imp.Department, CreatedAt: imp.CreatedAt.UTC()}
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		if err := tx.Where("source = ?", imp.Source).Delete(&poiRow{}).Error; err != nil {
			return err
		}
		rows := make([]poiRow, len(places))
		for i, p := range places {
			rows[i] = poiRow{Source: imp.Source, ImportID: row.ID, Kind: p.Kind, Name: p.Name, Address: p.Address,
				Phone: p.Phone, Hours: p.Hours, Lat: p.Lat, Lng: p.Lng, Line: p.Line}
		}
		if len(rows) > 0 {
			if err := tx.CreateInBatches(rows, 500).Error; err != nil {
				return err
			}
		}
		imp.ID, imp.Replaced, imp.Places = row.ID, row.Replaced, row.Places
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: replace places of %q: %w", imp.Source, err)
	}
	return nil
}

// PlacesIn returns the places inside b: a range on the (lat, lng) index.
func (s *POIs) PlacesIn(ctx context.Context, b poi.Box) ([]poi.Place, error) {
	var rows []poiRow
	err := s.db.WithContext(ctx).Where("lat BETWEEN ? AND ? AND lng BETWEEN ? AND ?", b.MinLat, b.MaxLat, b.MinLng, b.MaxLng).
		Order("id").Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: places in box: %w", err)
	}
	out := make([]poi.Place, len(rows))
	for i := range rows {
		out[i] = rows[i].place()
	}
	return out, nil
}

// ListImports returns up to limit imports, newest first.
func (s *POIs) ListImports(ctx context.Context, limit int) ([]*poi.Import, error) {
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	var rows []poiImportRow
	if err := s.db.WithContext(ctx).Order("id DESC").Limit(limit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: list place imports: %w", err)
	}
	return mapRows(rows, (*poiImportRow).imp), nil
}
