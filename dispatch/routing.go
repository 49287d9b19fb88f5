package dispatch

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"sync"

	"github.com/paulmach/orb/geojson"

	"guanjia"
	"guanjia/geo"
)

// LoadPenaltyM is how many metres one open task weighs when choosing a crew
// member: of two people, the nearer wins unless they already carry more work.
const LoadPenaltyM = 1000

// Route is where a complaint goes.
type Route struct {
	GridID, District string
	UnitCode         string // "" = the command center's manual queue
	CrewID           *int64 // nil = the unit's queue
	Reason           string // why, for the timeline
}

// Router places a point on the grid and finds the unit and crew responsible.
type Router struct {
	store Store
	Log   *slog.Logger

	reload  sync.Mutex // one reload at a time
	mu      sync.RWMutex
	index   *geo.GridIndex
	grids   map[string]*guanjia.Grid
	version int64 // of the catalogue the grids were read at (CatalogVersioner)
}

// CatalogVersioner is a store whose catalogue has a version that every
// change to the grids moves, on any replica: a Router over such a store
// reloads its grids when it moves.
type CatalogVersioner interface {
	CatalogVersion(ctx context.Context) (int64, error)
}

// NewRouter loads the grids from the store.
func NewRouter(ctx context.Context, st Store) (*Router, error) {
	r := &Router{store: st, Log: slog.Default()}
	return r, r.Reload(ctx)
}

// Reload rebuilds the grid index, after grids were edited or imported.
func (r *Router) Reload(ctx context.Context) error {
	r.reload.Lock()
	defer r.reload.Unlock()
	return r.load(ctx)
}

// refresh reloads the grids when the catalogue's version moved since they
// were read. A failure keeps the grids in hand: routing goes on.
func (r *Router) refresh(ctx context.Context) {
	vs, ok := r.store.(CatalogVersioner)
	if !ok {
		return
	}
	v, err := vs.CatalogVersion(ctx)
	r.mu.RLock()
	same := v == r.version
	r.mu.RUnlock()
	if err != nil || same {
		return
	}
	r.reload.Lock()
	defer r.reload.Unlock()
	r.mu.RLock()
	same = v == r.version // another request reloaded meanwhile
	r.mu.RUnlock()
	if same {
		return
	}
	if err := r.load(ctx); err != nil {
		r.Log.Error("dispatch: reload grids; routing on the grids in hand", "err", err)
	}
}

// load reads the grids; the caller holds r.reload.
func (r *Router) load(ctx context.Context) error {
	var version int64
	if vs, ok := r.store.(CatalogVersioner); ok {
		// Read before the grids: a change in between makes the next refresh read them again.
		v, err := vs.CatalogVersion(ctx)
		if err != nil {
			return err
		}
		version = v
	}
	grids, err := r.store.ListGrids(ctx)
	if err != nil {
		return err
	}
	byID := make(map[string]*guanjia.Grid, len(grids))
	shapes := make([]geo.Grid, 0, len(grids))
	for _, g := range grids {
		geom, err := geojson.UnmarshalGeometry(g.Geometry)
		if err != nil {
			return fmt.Errorf("dispatch: grid %s geometry: %w", g.ID, err)
		}
		shapes = append(shapes, geo.Grid{ID: g.ID, Geometry: geom.Geometry()})
		byID[g.ID] = g
	}
	ix, err := geo.NewGridIndex(shapes)
	if err != nil {
		return fmt.Errorf("dispatch: grid index: %w", err)
	}
	r.mu.Lock()
	r.index, r.grids, r.version = ix, byID, version
	r.mu.Unlock()
	return nil
}

// Grid returns the grid containing a WGS-84 point, on the grids of the
// catalogue's current version (see refresh).
func (r *Router) Grid(ctx context.Context, lat, lng float64) (*guanjia.Grid, bool) {
	r.refresh(ctx)
	r.mu.RLock()
	defer r.mu.RUnlock()
	id, ok := r.index.Locate(lat, lng)
	if !ok {
		return nil, false
	}
	return r.grids[id], true
}

// UnitFor finds the grid of the point and the unit responsible there for
// category, without choosing a crew member: Route without the crew.
func (r *Router) UnitFor(ctx context.Context, cat *guanjia.Category, lat, lng float64) Route {
	g, ok := r.Grid(ctx, lat, lng)
	if !ok {
		return Route{Reason: "不在任何网格内, 转指挥中心人工派遣"}
	}
	rt := Route{GridID: g.ID, District: g.District, UnitCode: g.Units[cat.Department]}
	if rt.UnitCode == "" {
		rt.Reason = fmt.Sprintf("网格 %s 没有%s责任单位, 转指挥中心人工派遣", g.ID, cat.Department)
	}
	return rt
}

// Route finds the unit responsible for category at the point (UnitFor) and,
// for point-to-point categories, the on-duty crew member of that unit
// patrolling that grid who is nearest and least loaded. exclude lists crew
// members who already let the complaint time out.
func (r *Router) Route(ctx context.Context, cat *guanjia.Category, lat, lng float64, exclude []int64) Route {
	rt := r.UnitFor(ctx, cat, lat, lng)
	if rt.UnitCode == "" {
		return rt
	}
	return r.pickCrew(ctx, cat, rt, lat, lng, exclude)
}

// RouteToUnit is a dispatcher's override: the unit is given, the crew is still chosen.
func (r *Router) RouteToUnit(ctx context.Context, cat *guanjia.Category, unitCode string, lat, lng float64) Route {
	rt := Route{UnitCode: unitCode}
	if g, ok := r.Grid(ctx, lat, lng); ok {
		rt.GridID, rt.District = g.ID, g.District
	}
	return r.pickCrew(ctx, cat, rt, lat, lng, nil)
}

func (r *Router) pickCrew(ctx context.Context, cat *guanjia.Category, rt Route, lat, lng float64, exclude []int64) Route {
	if !cat.PointToPoint {
		rt.Reason = "派至责任单位"
		return rt
	}
	crews, err := r.store.OnDutyCrews(ctx, rt.UnitCode, rt.GridID)
	if err != nil {
		// The unit's queue still gets the task; the failure must not go unseen.
		r.Log.Error("dispatch: on-duty crews; routed to the unit's queue", "unit", rt.UnitCode, "grid", rt.GridID, "err", err)
		rt.Reason = "查找在岗人员失败, 派至单位调度"
		return rt
	}
	crews = slices.DeleteFunc(crews, func(c CrewPosition) bool { return slices.Contains(exclude, c.ID) })
	if len(crews) == 0 {
		rt.Reason = "网格内无在岗人员, 派至单位调度"
		return rt
	}
	score := func(c CrewPosition) float64 {
		return geo.Distance(lat, lng, c.Lat, c.Lng) + float64(c.OpenTasks)*LoadPenaltyM
	}
	best := slices.MinFunc(crews, func(a, b CrewPosition) int { return cmp.Compare(score(a), score(b)) })
	rt.CrewID = &best.ID
	rt.Reason = fmt.Sprintf("点对点派遣: 距离 %.0f 米, 在办 %d 件", geo.Distance(lat, lng, best.Lat, best.Lng), best.OpenTasks)
	return rt
}

// MarshalGrids renders grids as a GeoJSON FeatureCollection, each feature with its id and units.
func MarshalGrids(grids []*guanjia.Grid) ([]byte, error) {
	fc := geojson.NewFeatureCollection()
	for _, g := range grids {
		geom, err := geojson.UnmarshalGeometry(g.Geometry)
		if err != nil {
			return nil, fmt.Errorf("dispatch: grid %s geometry: %w", g.ID, err)
		}
		f := geojson.NewFeature(geom.Geometry())
		f.ID = g.ID
		f.Properties = geojson.Properties{"id": g.ID, "name": g.Name, "district": g.District,
			"street": g.Street, "community": g.Community, "units": g.Units}
		fc.Append(f)
	}
	return json.Marshal(fc)
}
