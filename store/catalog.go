package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"guanjia"
)

// Catalog keeps the category catalogue, the units and the grids: guanjia.CatalogStore.
type Catalog struct{ *conn }

var _ guanjia.CatalogStore = (*Catalog)(nil)

type categoryRow struct {
	Code             string `gorm:"primaryKey"`
	Name             string
	Kind             string
	Major            string
	Department       string
	PointToPoint     bool
	AcceptWithinS    int64 `gorm:"column:accept_within_s"`
	ArriveWithinS    int64 `gorm:"column:arrive_within_s"`
	ResolveWithinS   int64 `gorm:"column:resolve_within_s"`
	ResolveMode      string
	DuplicateRadiusM float64 `gorm:"column:duplicate_radius_m"`
	Examples         string  // one a line
	UpdatedAt        time.Time
}

func (categoryRow) TableName() string { return "categories" }

func (r *categoryRow) category() *guanjia.Category {
	return &guanjia.Category{
		Code: r.Code, Name: r.Name, Kind: r.Kind, Major: r.Major, Department: r.Department,
		PointToPoint:  r.PointToPoint,
		AcceptWithin:  time.Duration(r.AcceptWithinS) * time.Second,
		ArriveWithin:  time.Duration(r.ArriveWithinS) * time.Second,
		ResolveWithin: time.Duration(r.ResolveWithinS) * time.Second,
		ResolveMode:   guanjia.TimeMode(r.ResolveMode), DuplicateRadiusM: r.DuplicateRadiusM,
		Examples: splitLines(r.Examples), UpdatedAt: r.UpdatedAt,
	}
}

// splitLines answers the non-blank lines of s.
func splitLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func (s *Catalog) ListCategories(ctx context.Context) ([]*guanjia.Category, error) {
	var rows []categoryRow
	if err := s.db.WithContext(ctx).Order("code").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: list categories: %w", err)
	}
	return mapRows(rows, (*categoryRow).category), nil
}

func (s *Catalog) FindCategory(ctx context.Context, code string) (*guanjia.Category, error) {
	var row categoryRow
	if err := s.db.WithContext(ctx).Where("code = ?", code).Take(&row).Error; err != nil {
		return nil, notFound(err, "category", code)
	}
	return row.category(), nil
}

// UpsertCategory creates or replaces a category; admins edit SLAs at run time.
func (s *Catalog) UpsertCategory(ctx context.Context, c *guanjia.Category) error {
	c.UpdatedAt = s.Now()
	row := categoryRow{
		Code: c.Code, Name: c.Name, Kind: c.Kind, Major: c.Major, Department: c.Department,
		PointToPoint: c.PointToPoint, AcceptWithinS: int64(c.AcceptWithin / time.Second),
		ArriveWithinS: int64(c.ArriveWithin / time.Second), ResolveWithinS: int64(c.ResolveWithin / time.Second),
		ResolveMode: string(c.ResolveMode), DuplicateRadiusM: c.DuplicateRadiusM,
		Examples: strings.Join(c.Examples, "\n"), UpdatedAt: c.UpdatedAt,
	}
	err := s.db.WithContext(ctx).Clauses(clause.OnConflict{UpdateAll: true}).Create(&row).Error
	if err != nil {
		return fmt.Errorf("store: upsert category %s: %w", c.Code, err)
	}
	return nil
}

type unitRow struct {
	Code       string `gorm:"primaryKey"`
	Name       string
	Department string
	District   string
}

func (unitRow) TableName() string { return "units" }

func (s *Catalog) ListUnits(ctx context.Context) ([]*guanjia.Unit, error) {
	var rows []unitRow
	if err := s.db.WithContext(ctx).Order("code").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: list units: %w", err)
	}
	out := make([]*guanjia.Unit, len(rows))
	for i, r := range rows {
		out[i] = &guanjia.Unit{Code: r.Code, Name: r.Name, Department: r.Department, District: r.District}
	}
	return out, nil
}

func (s *Catalog) FindUnit(ctx context.Context, code string) (*guanjia.Unit, error) {
	var r unitRow
	if err := s.db.WithContext(ctx).Where("code = ?", code).Take(&r).Error; err != nil {
		return nil, notFound(err, "unit", code)
	}
	return &guanjia.Unit{Code: r.Code, Name: r.Name, Department: r.Department, District: r.District}, nil
}

// UpsertUnit creates or replaces a unit (seeding and admin tools).
func (s *Catalog) UpsertUnit(ctx context.Context, u *guanjia.Unit) error {
	row := unitRow{Code: u.Code, Name: u.Name, Department: u.Department, District: u.District}
	if err := s.db.WithContext(ctx).Clauses(clause.OnConflict{UpdateAll: true}).Create(&row).Error; err != nil {
		return fmt.Errorf("store: upsert unit %s: %w", u.Code, err)
	}
	return nil
}

type gridRow struct {
	ID        string `gorm:"primaryKey"`
	Name      string
	District  string
	Street    string
	Community string
	Geometry  string
}

func (gridRow) TableName() string { return "grids" }

type gridUnitRow struct {
	GridID     string `gorm:"primaryKey"`
	Department string `gorm:"primaryKey"`
	UnitCode   string
}

func (gridUnitRow) TableName() string { return "grid_units" }

func (s *Catalog) ListGrids(ctx context.Context) ([]*guanjia.Grid, error) {
	var rows []gridRow
	if err := s.db.WithContext(ctx).Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: list grids: %w", err)
	}
	var links []gridUnitRow
	if err := s.db.WithContext(ctx).Find(&links).Error; err != nil {
		return nil, fmt.Errorf("store: list grid units: %w", err)
	}
	units := map[string]map[string]string{}
	for _, l := range links {
		if units[l.GridID] == nil {
			units[l.GridID] = map[string]string{}
		}
		units[l.GridID][l.Department] = l.UnitCode
	}
	out := make([]*guanjia.Grid, len(rows))
	for i, r := range rows {
		out[i] = &guanjia.Grid{ID: r.ID, Name: r.Name, District: r.District, Street: r.Street,
			Community: r.Community, Geometry: []byte(r.Geometry), Units: units[r.ID]}
	}
	return out, nil
}

// UpsertGrid creates or replaces a grid and the units responsible for it.
func (s *Catalog) UpsertGrid(ctx context.Context, g *guanjia.Grid) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		row := gridRow{ID: g.ID, Name: g.Name, District: g.District, Street: g.Street,
			Community: g.Community, Geometry: string(g.Geometry)}
		if err := tx.Clauses(clause.OnConflict{UpdateAll: true}).Create(&row).Error; err != nil {
			return fmt.Errorf("store: upsert grid %s: %w", g.ID, err)
		}
		if err := tx.Where("grid_id = ?", g.ID).Delete(&gridUnitRow{}).Error; err != nil {
			return fmt.Errorf("store: upsert grid %s: %w", g.ID, err)
		}
		for dept, unit := range g.Units {
			if err := tx.Create(&gridUnitRow{GridID: g.ID, Department: dept, UnitCode: unit}).Error; err != nil {
				return fmt.Errorf("store: upsert grid %s unit %s: %w", g.ID, unit, err)
			}
		}
		return nil
	})
}
