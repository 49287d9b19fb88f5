// Package poi is the 15分钟便民生活圈 of 便民信息: points of interest by kind
// (便民服务站, 社区卫生服务中心, 菜市场, …) that staff import from CSV or
// GeoJSON files, what lies within a 15-minute walk of a point (walk.go), and
// per grid which kinds nobody there can reach in 15 minutes (gaps.go).
//
// Files declare their coordinate system (WGS-84 or GCJ-02); places are stored
// in WGS-84, like the grids. An import is all-or-nothing, and a source (a
// name for one publisher's list, the file name by default) is replaced as a
// whole: the new file is the list, so a place left out of it is gone.
package poi

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"guanjia"
	"guanjia/geo"
)

// Place is a stored point of interest, in WGS-84. Its phone is an office's
// public number, not personal information.
type Place struct {
	ID                          int64
	Source                      string
	Kind                        string
	Name, Address, Phone, Hours string
	Lat, Lng                    float64
	Line                        int // where it was in the imported file
}

// Import is one accepted file.
type Import struct {
	ID          int64
	Source      string
	Filename    string
	Format      Format
	CoordSystem geo.CoordSystem
	FileHash    string // SHA-256 of the file, hex
	Places      int
	Replaced    int // places of the source the import removed
	ImportedBy  *int64
	Department  string // the importing department's unit code; "" for an administrator
	CreatedAt   time.Time
}

// Box is a WGS-84 bounding box.
type Box struct{ MinLat, MinLng, MaxLat, MaxLng float64 }

// boxAround is the box holding every point within radiusM of (lat, lng).
func boxAround(lat, lng, radiusM float64) Box {
	a, b, c, d := geo.BoundingBox(lat, lng, radiusM)
	return Box{a, b, c, d}
}

// Store keeps the places.
type Store interface {
	// ReplaceSource, in one transaction, records imp (setting its ID and
	// Replaced) and replaces every place of imp.Source with places, if
	// MayReplace allows imp's department to replace the source.
	ReplaceSource(ctx context.Context, imp *Import, places []Place) error
	// PlacesIn returns the places inside b, in no particular order.
	PlacesIn(ctx context.Context, b Box) ([]Place, error)
	// ListImports returns up to limit imports, newest first.
	ListImports(ctx context.Context, limit int) ([]*Import, error)
}

// MayReplace says whether an import by department (a unit code; "" for an
// administrator) may replace a source: a source belongs to the department
// whose import created it (creator; "" when an administrator created it), and
// only that department's staff or an administrator replace it. known is
// false for a source never imported.
func MayReplace(source string, known bool, creator, department string) error {
	if department == "" || !known || creator == department {
		return nil
	}
	return guanjia.FieldError(guanjia.EFORBIDDEN, "source", "the source %s belongs to another department: name another source", source)
}

// Grids lists the map's grids (store.Catalog).
type Grids interface {
	ListGrids(ctx context.Context) ([]*guanjia.Grid, error)
}

// Service answers the 生活圈 and imports places.
type Service struct {
	Store Store
	Grids Grids
	Now   func() time.Time
}

// NewService returns a Service; now is the clock (nil: time.Now).
func NewService(store Store, grids Grids, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{Store: store, Grids: grids, Now: now}
}

// Field lengths, in characters.
const (
	maxName    = 60
	maxAddress = 120
	maxPhone   = 30
	maxHours   = 60
	maxSource  = 60
)

// validate checks the records of a file declared in sys and converts them to
// WGS-84 places of source. Every problem is reported, each where it is.
func validate(recs []Record, sys geo.CoordSystem, source string) ([]Place, []RowError) {
	var places []Place
	var errs []RowError
	firstLine := map[string]int{}
	for _, r := range recs {
		n := len(errs)
		fail := func(column, format string, args ...any) {
			errs = append(errs, rowErrorf(r.Line, column, format, args...))
		}
		kind, kindErr := LookupKind(r.Kind)
		switch {
		case r.Name == "":
			fail("name", "the name is required")
		case utf8.RuneCountInString(r.Name) > maxName:
			fail("name", "the name is longer than %d characters", maxName)
		}
		if r.Kind == "" {
			fail("kind", "the kind is required")
		} else if kindErr != nil {
			fail("kind", "unknown kind %q", r.Kind)
		}
		if utf8.RuneCountInString(r.Address) > maxAddress {
			fail("address", "the address is longer than %d characters", maxAddress)
		}
		if utf8.RuneCountInString(r.Phone) > maxPhone {
			fail("phone", "the phone is longer than %d characters", maxPhone)
		}
		if utf8.RuneCountInString(r.Hours) > maxHours {
			fail("hours", "the opening hours are longer than %d characters", maxHours)
		}
		lat, lng, err := geo.ToWGS84(sys, r.Lat, r.Lng)
		_, _, swappedErr := geo.ToWGS84(sys, r.Lng, r.Lat)
		switch {
		case err != nil && swappedErr != nil:
			fail("lat", "lat and lng must be a point on Earth: lat within ±90, lng within ±180")
		case err != nil || !geo.InServiceArea(lat, lng):
			fail("lat", "the point (%v, %v) is outside Haikou: are lat and lng swapped?", r.Lat, r.Lng)
		}
		if len(errs) > n {
			continue
		}
		key := fmt.Sprintf("%s|%s|%.5f|%.5f", kind.Code, r.Name, lat, lng)
		if first, dup := firstLine[key]; dup {
			fail("name", "the same place is on line %d already", first)
			continue
		}
		firstLine[key] = r.Line
		places = append(places, Place{Source: source, Kind: kind.Code, Name: r.Name, Address: r.Address, Phone: r.Phone,
			Hours: r.Hours, Lat: lat, Lng: lng, Line: r.Line})
	}
	return places, errs
}

// NearestPerKind is how many places of a kind an answer lists.
const NearestPerKind = 3

// Reach is a place and the walk to it.
type Reach struct {
	Place
	Walking
}

// KindReach is the places of one kind within the walk, nearest first.
type KindReach struct {
	Kind   Kind
	Places []Reach
}

// Nearby is what lies within a 15-minute walk of a point.
type Nearby struct {
	Lat, Lng float64     // the point, WGS-84
	Kinds    []KindReach // every kind of the catalogue, in its order
	Missing  []Kind      // the kinds with nothing within the walk
}

// Nearby answers, for a point reported in sys, the nearest places of each
// kind within Walk and the kinds with none.
func (s *Service) Nearby(ctx context.Context, sys geo.CoordSystem, lat, lng float64) (*Nearby, error) {
	wLat, wLng, err := geo.ToWGS84(sys, lat, lng)
	if err != nil {
		return nil, err
	}
	if !geo.InServiceArea(wLat, wLng) {
		return nil, guanjia.FieldError(guanjia.EINVALID, "lat", "the point (%v, %v) is outside Haikou: are lat and lng swapped?", lat, lng)
	}
	places, err := s.Store.PlacesIn(ctx, boxAround(wLat, wLng, WithinStraightM))
	if err != nil {
		return nil, err
	}
	return nearby(wLat, wLng, places), nil
}

func nearby(lat, lng float64, places []Place) *Nearby {
	byKind := map[string][]Reach{}
	for _, p := range places {
		w := WalkBetween(lat, lng, p.Lat, p.Lng)
		if w.InReach() {
			byKind[p.Kind] = append(byKind[p.Kind], Reach{Place: p, Walking: w})
		}
	}
	out := &Nearby{Lat: lat, Lng: lng}
	for _, k := range Kinds {
		list := byKind[k.Code]
		sortReach(list)
		if len(list) > NearestPerKind {
			list = list[:NearestPerKind]
		}
		out.Kinds = append(out.Kinds, KindReach{Kind: k, Places: list})
		if len(list) == 0 {
			out.Missing = append(out.Missing, k)
		}
	}
	return out
}

// sortReach puts the nearest first; equal distances by name, then ID, so the
// answer never depends on the database's order.
func sortReach(list []Reach) {
	slices.SortFunc(list, func(a, b Reach) int {
		return cmp.Or(cmp.Compare(a.StraightM, b.StraightM), strings.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID))
	})
}
