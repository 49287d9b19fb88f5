// Package catalog keeps the category catalogue (分类, with each category's
// deadlines and duplicate radius), the units that handle them and the grids
// they patrol. Administrators edit categories at run time; the rules of an
// edit live here, not in the HTTP handler.
package catalog

import (
	"context"
	"time"

	"guanjia"
)

// newCategoryRadiusM is the duplicate radius a category starts with when an
// administrator adds it.
const newCategoryRadiusM = 50

// Service answers the catalogue and applies administrators' edits.
type Service struct {
	Store guanjia.CatalogStore
}

// NewService returns a Service over store.
func NewService(store guanjia.CatalogStore) *Service { return &Service{Store: store} }

// Categories answers the whole catalogue, retired categories too (marked):
// complaints filed under them keep them, and an administrator brings one back.
func (s *Service) Categories(ctx context.Context) ([]*guanjia.Category, error) {
	return s.Store.ListCategories(ctx)
}

// Units answers the units that handle complaints.
func (s *Service) Units(ctx context.Context) ([]*guanjia.Unit, error) { return s.Store.ListUnits(ctx) }

// Grids answers the grids of the map.
func (s *Service) Grids(ctx context.Context) ([]*guanjia.Grid, error) { return s.Store.ListGrids(ctx) }

// CategoryToEdit answers the category named code as it is, or — when there
// is none yet — the defaults a new one starts from (natural time, a 50 m
// duplicate radius), so an edit can leave fields out.
func (s *Service) CategoryToEdit(ctx context.Context, code string) (*guanjia.Category, error) {
	cat, err := s.Store.FindCategory(ctx, code)
	if guanjia.ErrorCode(err) == guanjia.ENOTFOUND {
		return &guanjia.Category{Code: code, ResolveMode: guanjia.NaturalTime, DuplicateRadiusM: newCategoryRadiusM}, nil
	}
	return cat, err
}

// SaveCategory validates c and adds or replaces the category of its code;
// with seen, only over the category as it was read (see
// guanjia.CatalogStore.SaveCategory). A new category's code must fit URLs
// (guanjia.CheckNewCategoryCode); one stored before the rule keeps its code.
func (s *Service) SaveCategory(ctx context.Context, c *guanjia.Category, seen *time.Time) error {
	if _, err := s.Store.FindCategory(ctx, c.Code); guanjia.ErrorCode(err) == guanjia.ENOTFOUND {
		if err := guanjia.CheckNewCategoryCode(c.Code); err != nil {
			return err
		}
	} else if err != nil {
		return err
	}
	if err := c.Validate(); err != nil {
		return err
	}
	return s.Store.SaveCategory(ctx, c, seen)
}
