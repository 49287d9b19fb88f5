package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"guanjia"
)

// Catalog keeps the category catalogue, the units and the grids: guanjia.CatalogStore.
// It answers categories and units from memory: every complaint reads its
// category, and the catalogue changes a few times a year.
type Catalog struct {
	*conn
	// Recheck is how long what was read is trusted before the catalogue's
	// version is read again (default CatalogRecheck). A change made through
	// this Catalog is seen at once; one made elsewhere (another replica, the
	// command line, plain SQL: the triggers of migrations/*/019_perf.sql
	// move the version) within Recheck.
	Recheck time.Duration
	cache   catalogCache
}

// CatalogRecheck is how long a process trusts its copy of the catalogue.
const CatalogRecheck = time.Second

// catalogCache is the copy of the catalogue in memory.
type catalogCache struct {
	mu         sync.Mutex
	version    int64 // of the catalogue read; 0: nothing read
	checkedAt  time.Time
	categories map[string]*guanjia.Category
	units      map[string]*guanjia.Unit
}

// fresh answers the cached catalogue, reading it again when its version
// moved; the caller holds s.cache.mu.
func (s *Catalog) fresh(ctx context.Context) (*catalogCache, error) {
	c := &s.cache
	now := time.Now()
	recheck := s.Recheck
	if recheck <= 0 {
		recheck = CatalogRecheck
	}
	if c.version != 0 && now.Sub(c.checkedAt) < recheck {
		return c, nil
	}
	v, err := s.readVersion(ctx)
	if err != nil {
		return nil, err
	}
	c.checkedAt = now
	if v == c.version {
		return c, nil
	}
	var cats []categoryRow
	if err := s.db.WithContext(ctx).Find(&cats).Error; err != nil {
		return nil, fmt.Errorf("store: load categories: %w", err)
	}
	var units []unitRow
	if err := s.db.WithContext(ctx).Find(&units).Error; err != nil {
		return nil, fmt.Errorf("store: load units: %w", err)
	}
	c.categories = make(map[string]*guanjia.Category, len(cats))
	for i := range cats {
		c.categories[cats[i].Code] = cats[i].category()
	}
	c.units = make(map[string]*guanjia.Unit, len(units))
	for _, r := range units {
		c.units[r.Code] = r.unit()
	}
	c.version = v
	return c, nil
}

func (s *Catalog) readVersion(ctx context.Context) (int64, error) {
	var v int64
	if err := s.db.WithContext(ctx).Raw("SELECT version FROM catalog_version WHERE id = 1").Scan(&v).Error; err != nil {
		return 0, fmt.Errorf("store: catalogue version: %w", err)
	}
	return v, nil
}

// forget drops the copy in memory after a change made here.
func (s *Catalog) forget() {
	s.cache.mu.Lock()
	s.cache.version = 0
	s.cache.mu.Unlock()
}

// CatalogVersion answers the catalogue's version, which moves with every
// change to categories, units or grids on any replica (within Recheck): the
// router reloads its grids when it moves.
func (s *Catalog) CatalogVersion(ctx context.Context) (int64, error) {
	s.cache.mu.Lock()
	defer s.cache.mu.Unlock()
	c, err := s.fresh(ctx)
	if err != nil {
		return 0, err
	}
	return c.version, nil
}

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
	Retired          bool
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
		Examples: splitLines(r.Examples), Retired: r.Retired, UpdatedAt: r.UpdatedAt,
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

// ListCategories answers the whole catalogue, retired categories too.
func (s *Catalog) ListCategories(ctx context.Context) ([]*guanjia.Category, error) {
	return s.listCategories(ctx, false)
}

// ListOfferedCategories answers the categories new complaints are filed
// under: those not retired.
func (s *Catalog) ListOfferedCategories(ctx context.Context) ([]*guanjia.Category, error) {
	return s.listCategories(ctx, true)
}

func (s *Catalog) listCategories(ctx context.Context, offeredOnly bool) ([]*guanjia.Category, error) {
	q := s.db.WithContext(ctx).Order("code")
	if offeredOnly {
		q = q.Where("retired = ?", false)
	}
	var rows []categoryRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: list categories: %w", err)
	}
	return mapRows(rows, (*categoryRow).category), nil
}

func (s *Catalog) FindCategory(ctx context.Context, code string) (*guanjia.Category, error) {
	s.cache.mu.Lock()
	defer s.cache.mu.Unlock()
	c, err := s.fresh(ctx)
	if err != nil {
		return nil, err
	}
	cat, ok := c.categories[code]
	if !ok {
		return nil, notFound(gorm.ErrRecordNotFound, "category", code)
	}
	out := *cat // callers may change their copy
	out.Examples = slices.Clone(cat.Examples)
	return &out, nil
}

// UpsertCategory creates or replaces a category; admins edit SLAs at run time.
// UpsertCategory adds or replaces c whatever was saved before (seeds, tests).
func (s *Catalog) UpsertCategory(ctx context.Context, c *guanjia.Category) error {
	return s.SaveCategory(ctx, c, nil)
}

func (s *Catalog) SaveCategory(ctx context.Context, c *guanjia.Category, seen *time.Time) error {
	defer s.forget()
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var last time.Time
		if seen != nil {
			q := tx // SQLite's IMMEDIATE transaction holds the write lock already
			if s.Dialect == "postgres" {
				q = q.Clauses(clause.Locking{Strength: "UPDATE"})
			}
			var old categoryRow
			err := q.Select("updated_at").Where("code = ?", c.Code).Take(&old).Error
			switch {
			case err != nil && !errors.Is(err, gorm.ErrRecordNotFound):
				return fmt.Errorf("store: find category %s: %w", c.Code, err)
			case err == nil && seen.IsZero():
				return guanjia.FieldError(guanjia.ECONFLICT, "code", "category %s exists already", c.Code)
			case !old.UpdatedAt.Equal(*seen): // a category read is never gone: there is no delete
				return guanjia.StaleVersion("category %s was changed by someone else; reload and try again", c.Code)
			}
			last = old.UpdatedAt
		}
		c.UpdatedAt = guanjia.SaveStamp(s.Now(), last)
		row := categoryRow{
			Code: c.Code, Name: c.Name, Kind: c.Kind, Major: c.Major, Department: c.Department,
			PointToPoint: c.PointToPoint, AcceptWithinS: int64(c.AcceptWithin / time.Second),
			ArriveWithinS: int64(c.ArriveWithin / time.Second), ResolveWithinS: int64(c.ResolveWithin / time.Second),
			ResolveMode: string(c.ResolveMode), DuplicateRadiusM: c.DuplicateRadiusM,
			Examples: strings.Join(c.Examples, "\n"), Retired: c.Retired, UpdatedAt: c.UpdatedAt,
		}
		q := tx
		if seen == nil || !seen.IsZero() {
			// Every column as given: UpdateAll would stamp updated_at with
			// gorm's own clock, not the one answered.
			q = q.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "code"}}, DoUpdates: clause.AssignmentColumns([]string{
				"name", "kind", "major", "department", "point_to_point", "accept_within_s", "arrive_within_s", "resolve_within_s",
				"resolve_mode", "duplicate_radius_m", "examples", "retired", "updated_at"})})
		}
		if err := q.Create(&row).Error; errors.Is(err, gorm.ErrDuplicatedKey) { // two adding one code at once
			return guanjia.FieldError(guanjia.ECONFLICT, "code", "category %s exists already", c.Code)
		} else if err != nil {
			return fmt.Errorf("store: save category %s: %w", c.Code, err)
		}
		return nil
	})
}

type unitRow struct {
	Code       string `gorm:"primaryKey"`
	Name       string
	Department string
	District   string
}

func (unitRow) TableName() string { return "units" }

func (r *unitRow) unit() *guanjia.Unit {
	return &guanjia.Unit{Code: r.Code, Name: r.Name, Department: r.Department, District: r.District}
}

func (s *Catalog) ListUnits(ctx context.Context) ([]*guanjia.Unit, error) {
	var rows []unitRow
	if err := s.db.WithContext(ctx).Order("code").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: list units: %w", err)
	}
	return mapRows(rows, (*unitRow).unit), nil
}

func (s *Catalog) FindUnit(ctx context.Context, code string) (*guanjia.Unit, error) {
	s.cache.mu.Lock()
	defer s.cache.mu.Unlock()
	c, err := s.fresh(ctx)
	if err != nil {
		return nil, err
	}
	u, ok := c.units[code]
	if !ok {
		return nil, notFound(gorm.ErrRecordNotFound, "unit", code)
	}
	out := *u
	return &out, nil
}

// UpsertUnit creates or replaces a unit (seeding and admin tools).
func (s *Catalog) UpsertUnit(ctx context.Context, u *guanjia.Unit) error {
	row := unitRow{Code: u.Code, Name: u.Name, Department: u.Department, District: u.District}
	err := s.db.WithContext(ctx).Clauses(clause.OnConflict{UpdateAll: true}).Create(&row).Error
	s.forget()
	if err != nil {
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
	defer s.forget()
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
