package classify

import (
	"context"
	"strings"
	"sync"
	"time"

	"guanjia"
)

// Source is what the model is trained from.
type Source interface {
	Catalogue
	Orders
}

// Orders answers the descriptions of closed complaints, newest first, at
// most limit, with the category each was finally handled under.
type Orders interface {
	ConfirmedTexts(ctx context.Context, limit int) ([]guanjia.CategorizedText, error)
}

// Stores is the Source of a deployment: the catalogue and the complaints.
type Stores struct {
	Catalogue
	Orders
}

// Defaults of a Service.
const (
	// DefaultMaxAge is how old a model may get before a request retrains it,
	// so an API process that runs no worker still learns from new orders.
	DefaultMaxAge = time.Hour
	// DefaultTrainLimit bounds the closed complaints read per training.
	DefaultTrainLimit = 20000
	// SuggestCount is how many categories a suggestion lists.
	SuggestCount = 3
)

// Service keeps this process's model and retrains it: on the periodic job,
// when the catalogue changes (here, or on another replica when the source
// says so: Versioned), and when it is older than MaxAge.
type Service struct {
	Source     Source
	MaxAge     time.Duration
	TrainLimit int
	Now        func() time.Time

	mu      sync.Mutex
	model   *Model
	built   time.Time
	version int64 // of the catalogue the model was trained from; 0: unknown
}

// NewService returns a Service over src with the defaults.
func NewService(src Source) *Service {
	return &Service{Source: src, MaxAge: DefaultMaxAge, TrainLimit: DefaultTrainLimit, Now: time.Now}
}

// Rebuild trains a new model from the source and puts it in place.
func (s *Service) Rebuild(ctx context.Context) error {
	_, err := s.rebuild(ctx)
	return err
}

func (s *Service) rebuild(ctx context.Context) (*Model, error) {
	version, err := catalogVersion(ctx, s.Source) // before the read: a change meanwhile retrains again
	if err != nil {
		return nil, err
	}
	cats, err := s.Source.ListCategories(ctx)
	if err != nil {
		return nil, err
	}
	confirmed, err := s.Source.ConfirmedTexts(ctx, s.TrainLimit)
	if err != nil {
		return nil, err
	}
	m := Train(cats, confirmed)
	s.mu.Lock()
	s.model, s.built, s.version = m, s.Now(), version
	s.mu.Unlock()
	return m, nil
}

// Invalidate drops the model; the next suggestion trains a fresh one. The
// catalogue calls it when a category is edited.
func (s *Service) Invalidate() {
	s.mu.Lock()
	s.model = nil
	s.mu.Unlock()
}

// Suggest answers the three most likely categories of description.
func (s *Service) Suggest(ctx context.Context, description string) ([]Suggestion, error) {
	description = strings.TrimSpace(description)
	if description == "" {
		return nil, guanjia.FieldError(guanjia.EINVALID, "description", "description is required")
	}
	if err := guanjia.CheckTexts(guanjia.TextField{Name: "description", Value: description, Max: guanjia.MaxText, Multiline: true}); err != nil {
		return nil, err
	}
	s.mu.Lock()
	m, built, trainedOn := s.model, s.built, s.version
	s.mu.Unlock()
	version, err := catalogVersion(ctx, s.Source)
	if err != nil {
		return nil, err
	}
	// A category retired (or added) on another replica moves the version:
	// the model must not suggest the one retired.
	if m == nil || version != trainedOn || (s.MaxAge > 0 && s.Now().Sub(built) > s.MaxAge) {
		if m, err = s.rebuild(ctx); err != nil {
			return nil, err
		}
	}
	return m.Suggest(description, SuggestCount), nil
}

// Catalogue answers the categories, retired ones too (Train leaves them out).
type Catalogue interface {
	ListCategories(ctx context.Context) ([]*guanjia.Category, error)
}

// Versioned is a Catalogue, or a Source, that says when the catalogue
// changed, on whichever replica (store.Catalog's CatalogVersion): a model
// trained from an older version is retrained before it suggests.
type Versioned interface {
	CatalogVersion(ctx context.Context) (int64, error)
}

// catalogVersion answers src's catalogue version, 0 when it keeps none.
func catalogVersion(ctx context.Context, src any) (int64, error) {
	if v, ok := src.(Versioned); ok {
		return v.CatalogVersion(ctx)
	}
	return 0, nil
}

// CatalogVersion answers the version of s's catalogue, 0 when it keeps none.
func (s Stores) CatalogVersion(ctx context.Context) (int64, error) {
	return catalogVersion(ctx, s.Catalogue)
}

// CatalogOnly is a Source that learns from the catalogue alone.
func CatalogOnly(c Catalogue) Source { return catalogOnly{c} }

type catalogOnly struct{ Catalogue }

// CatalogVersion answers the version of the catalogue, 0 when it keeps none.
func (c catalogOnly) CatalogVersion(ctx context.Context) (int64, error) {
	return catalogVersion(ctx, c.Catalogue)
}

func (catalogOnly) ConfirmedTexts(context.Context, int) ([]guanjia.CategorizedText, error) {
	return nil, nil
}
