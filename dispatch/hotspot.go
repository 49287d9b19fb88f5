package dispatch

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"sync"
	"time"

	"guanjia"
	"guanjia/geo"
)

// 热点诉求: the same problem reported again and again in one place. Hotspots
// are derived from the complaints (the source of truth) by RefreshHotspots,
// which a periodic job runs; the table only adds what cannot be derived:
// who was told, and the patrol order opened from it.

// HotspotWindow is a sliding window hotspots are counted over.
type HotspotWindow struct {
	Name string
	Span time.Duration
}

// HotspotWindows are the windows of grid hotspots, shortest (most acute) first.
var HotspotWindows = []HotspotWindow{{"1h", time.Hour}, {"24h", 24 * time.Hour}, {"7d", 7 * 24 * time.Hour}}

// baselineSpan is how far back before a window the usual rate of a place is read.
const baselineSpan = 28 * 24 * time.Hour

// Hotspot kinds.
const (
	HotspotGrid    = "grid"    // a grid × category over a window
	HotspotCluster = "cluster" // a density cluster of reports, across grid borders
)

// HotspotThreshold says when a count is a hotspot: at least MinCount reports
// in the window and at least MinRise times the place's baseline. The defaults
// (DefaultHotspotThreshold) apply to a category without a row of its own.
type HotspotThreshold struct {
	Category string
	MinCount int
	MinRise  float64
	RadiusM  float64 // the cluster radius (DBSCAN eps)
}

// DefaultHotspotThreshold: 5 reports, 3 times the usual rate, clusters of 150 m.
var DefaultHotspotThreshold = HotspotThreshold{MinCount: 5, MinRise: 3, RadiusM: 150}

// Hotspot is one current (or past) hotspot.
type Hotspot struct {
	ID                int64
	Key               string // what identifies it from one run to the next
	Kind              string
	Category          string
	GridID            string   // the grid (kind grid), or the grid holding most of a cluster
	Grids             []string // every grid a cluster's reports fall in
	Lat, Lng          float64  // the centre of its reports (WGS-84)
	RadiusM           float64  // the distance from the centre to its farthest report
	Window            string
	Count             int
	Baseline          float64 // the usual count per window over the previous four weeks
	Rise              float64 // Count / max(Baseline, 1)
	Orders            []int64 // the complaints in it
	UnitCode          string  // the unit responsible for the place and category
	FirstAt, LastAt   time.Time
	NotifiedAt        *time.Time
	PatrolComplaintID *int64
	EndedAt           *time.Time // no longer a hotspot
	UpdatedAt         time.Time
}

// Report is what hotspot detection reads of a complaint.
type Report struct {
	ID       int64
	Category string
	GridID   string
	Lat, Lng float64
	At       time.Time
}

// HotspotStore keeps the hotspots.
type HotspotStore interface {
	// HotspotReports returns the reports created in [from, to) that count
	// towards hotspots: not patrol orders, not rejected.
	HotspotReports(ctx context.Context, from, to time.Time) ([]Report, error)
	HotspotThresholds(ctx context.Context) ([]HotspotThreshold, error)
	// ActiveHotspots returns the hotspots not ended.
	ActiveHotspots(ctx context.Context) ([]*Hotspot, error)
	FindHotspot(ctx context.Context, id int64) (*Hotspot, error)
	// SaveHotspots writes one run in a transaction: upserts (ID 0 = insert;
	// an update writes what detection derives, never the patrol link, which
	// a dispatcher may set meanwhile), ends the given ids and writes the
	// messages; returns the ids of the messages the queue must deliver.
	SaveHotspots(ctx context.Context, upsert []*Hotspot, end []int64, at time.Time, messages []guanjia.Message) ([]int64, error)
	SetHotspotThreshold(ctx context.Context, t HotspotThreshold) error
	// A patrol order is linked to its hotspot by the Store, in the
	// transaction that files it (Change.PatrolOf).
}

// DetectHotspots finds the hotspots among reports at now. Per grid and
// category it keeps the window with the greatest rise; a density cluster is
// kept when it crosses a grid border or its grid has no hotspot, and a grid
// hotspot wholly inside a kept cluster is dropped: one burst, one hotspot.
func DetectHotspots(reports []Report, thresholds map[string]HotspotThreshold, now time.Time) []*Hotspot {
	byCat := map[string][]Report{}
	for _, r := range reports {
		byCat[r.Category] = append(byCat[r.Category], r)
	}
	cats := make([]string, 0, len(byCat))
	for c := range byCat {
		cats = append(cats, c)
	}
	sort.Strings(cats)
	var out []*Hotspot
	for _, cat := range cats {
		th, ok := thresholds[cat]
		if !ok {
			th = DefaultHotspotThreshold
		}
		grids := gridHotspots(byCat[cat], th, now)
		clusters := clusterHotspots(byCat[cat], th, now)
		hot := map[string]bool{}
		for _, h := range grids {
			hot[h.GridID] = true
		}
		inCluster := map[int64]bool{}
		for _, h := range clusters {
			if len(h.Grids) > 1 || !hot[h.GridID] {
				out = append(out, h)
				for _, id := range h.Orders {
					inCluster[id] = true
				}
			}
		}
		for _, h := range grids {
			if !allIn(h.Orders, inCluster) {
				out = append(out, h)
			}
		}
	}
	return out
}

func allIn(ids []int64, set map[int64]bool) bool {
	for _, id := range ids {
		if !set[id] {
			return false
		}
	}
	return true
}

func isHot(count int, baseline float64, th HotspotThreshold) (float64, bool) {
	rise := float64(count) / math.Max(baseline, 1)
	return rise, count >= th.MinCount && float64(count) >= th.MinRise*baseline
}

// gridHotspots counts each grid over every window against the same grid's
// baseline, keeping per grid the hot window with the greatest rise.
func gridHotspots(reports []Report, th HotspotThreshold, now time.Time) []*Hotspot {
	byGrid := map[string][]Report{}
	for _, r := range reports {
		if r.GridID != "" {
			byGrid[r.GridID] = append(byGrid[r.GridID], r)
		}
	}
	var out []*Hotspot
	for grid, rs := range byGrid {
		var best *Hotspot
		for _, w := range HotspotWindows {
			in, before := splitWindow(rs, now, w.Span)
			baseline := float64(len(before)) / float64(baselineSpan/w.Span)
			rise, ok := isHot(len(in), baseline, th)
			if !ok || (best != nil && rise <= best.Rise) {
				continue
			}
			best = newHotspot(HotspotGrid, "grid:"+grid+":"+in[0].Category, in, w.Name, baseline, rise)
			best.GridID, best.Grids = grid, []string{grid}
		}
		if best != nil {
			out = append(out, best)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// splitWindow returns the reports of the window ending at now and those of
// the baseline span before it.
func splitWindow(rs []Report, now time.Time, span time.Duration) (in, before []Report) {
	start := now.Add(-span)
	for _, r := range rs {
		switch {
		case !r.At.Before(start) && r.At.Before(now):
			in = append(in, r)
		case r.At.Before(start) && !r.At.Before(start.Add(-baselineSpan)):
			before = append(before, r)
		}
	}
	return in, before
}

// clusterHotspots runs DBSCAN (eps th.RadiusM, minPts th.MinCount) over the
// last day's reports; each cluster's baseline is the daily count within the
// radius of its centre over the four weeks before.
func clusterHotspots(reports []Report, th HotspotThreshold, now time.Time) []*Hotspot {
	const span = 24 * time.Hour
	in, before := splitWindow(reports, now, span)
	sort.Slice(in, func(i, j int) bool { return in[i].ID < in[j].ID })
	var out []*Hotspot
	for _, members := range dbscan(in, th.RadiusM, th.MinCount) {
		lat, lng := centre(members)
		n := 0
		for _, r := range before {
			if geo.Distance(lat, lng, r.Lat, r.Lng) <= th.RadiusM {
				n++
			}
		}
		baseline := float64(n) / float64(baselineSpan/span)
		rise, ok := isHot(len(members), baseline, th)
		if !ok {
			continue
		}
		// The oldest report names the cluster: it stays while the cluster grows.
		h := newHotspot(HotspotCluster, "cluster:"+members[0].Category+":"+strconv.FormatInt(members[0].ID, 10), members, "24h", baseline, rise)
		h.Grids, h.GridID = gridsOf(members)
		out = append(out, h)
	}
	return out
}

// dbscan groups points with at least minPts neighbours within eps metres
// (counting themselves) and the points reachable from them; noise is dropped.
// Input order (by id) makes the result deterministic.
func dbscan(pts []Report, eps float64, minPts int) [][]Report {
	const noise, unseen = -1, 0
	label := make([]int, len(pts))
	neighbours := func(i int) []int {
		var out []int
		for j := range pts {
			if geo.Distance(pts[i].Lat, pts[i].Lng, pts[j].Lat, pts[j].Lng) <= eps {
				out = append(out, j)
			}
		}
		return out
	}
	var clusters [][]Report
	for i := range pts {
		if label[i] != unseen {
			continue
		}
		nb := neighbours(i)
		if len(nb) < minPts {
			label[i] = noise
			continue
		}
		id := len(clusters) + 1
		label[i] = id
		members := []int{i}
		for q := 0; q < len(nb); q++ {
			j := nb[q]
			if label[j] == noise {
				label[j] = id
				members = append(members, j)
			}
			if label[j] != unseen {
				continue
			}
			label[j] = id
			members = append(members, j)
			if more := neighbours(j); len(more) >= minPts {
				nb = append(nb, more...)
			}
		}
		sort.Ints(members)
		c := make([]Report, len(members))
		for k, m := range members {
			c[k] = pts[m]
		}
		clusters = append(clusters, c)
	}
	return clusters
}

func centre(rs []Report) (lat, lng float64) {
	for _, r := range rs {
		lat += r.Lat
		lng += r.Lng
	}
	return lat / float64(len(rs)), lng / float64(len(rs))
}

// gridsOf returns the grids of rs, sorted, and the one holding most of them.
func gridsOf(rs []Report) ([]string, string) {
	n := map[string]int{}
	for _, r := range rs {
		if r.GridID != "" {
			n[r.GridID]++
		}
	}
	var grids []string
	for g := range n {
		grids = append(grids, g)
	}
	sort.Strings(grids)
	most := ""
	for _, g := range grids {
		if most == "" || n[g] > n[most] {
			most = g
		}
	}
	return grids, most
}

func newHotspot(kind, key string, rs []Report, window string, baseline, rise float64) *Hotspot {
	h := &Hotspot{Key: key, Kind: kind, Category: rs[0].Category, Window: window, Count: len(rs),
		Baseline: math.Round(baseline*100) / 100, Rise: math.Round(rise*100) / 100, FirstAt: rs[0].At, LastAt: rs[0].At}
	h.Lat, h.Lng = centre(rs)
	for _, r := range rs {
		h.Orders = append(h.Orders, r.ID)
		h.RadiusM = math.Max(h.RadiusM, math.Round(geo.Distance(h.Lat, h.Lng, r.Lat, r.Lng)))
		if r.At.Before(h.FirstAt) {
			h.FirstAt = r.At
		}
		if r.At.After(h.LastAt) {
			h.LastAt = r.At
		}
	}
	sort.Slice(h.Orders, func(i, j int) bool { return h.Orders[i] < h.Orders[j] })
	return h
}

// RefreshHotspots recomputes the hotspots from the complaints: new ones are
// recorded and their unit's leaders and the command center told once (the
// notified time is kept), those that cooled down are ended.
func (s *Service) RefreshHotspots(ctx context.Context) error {
	if s.Hotspots == nil {
		return nil
	}
	now := s.Now()
	longest := HotspotWindows[len(HotspotWindows)-1].Span
	reports, err := s.Hotspots.HotspotReports(ctx, now.Add(-longest-baselineSpan), now)
	if err != nil {
		return err
	}
	rows, err := s.Hotspots.HotspotThresholds(ctx)
	if err != nil {
		return err
	}
	thresholds := map[string]HotspotThreshold{}
	for _, t := range rows {
		thresholds[t.Category] = t
	}
	active, err := s.Hotspots.ActiveHotspots(ctx)
	if err != nil {
		return err
	}
	known := map[string]*Hotspot{}
	for _, h := range active {
		known[h.Key] = h
	}
	var msgs []guanjia.Message
	found := DetectHotspots(reports, thresholds, now)
	for _, h := range found {
		old := known[h.Key]
		if old == nil && h.Kind == HotspotCluster {
			if old = sameCluster(known, h); old != nil {
				h.Key = old.Key // the cluster outlived the report that named it
			}
		}
		if old != nil {
			h.ID, h.NotifiedAt, h.PatrolComplaintID = old.ID, old.NotifiedAt, old.PatrolComplaintID
			delete(known, h.Key)
		}
		h.UpdatedAt = now
		cat, err := s.Store.FindCategory(ctx, h.Category)
		if err != nil {
			return err
		}
		h.UnitCode = s.Router.UnitFor(ctx, cat, h.Lat, h.Lng).UnitCode
		if h.NotifiedAt != nil {
			continue
		}
		m, err := s.hotspotMessages(ctx, h, cat)
		if err != nil {
			return err
		}
		msgs = append(msgs, m...)
		h.NotifiedAt = &now
	}
	var end []int64
	for _, h := range known {
		end = append(end, h.ID)
	}
	ids, err := s.Hotspots.SaveHotspots(ctx, found, end, now, msgs)
	if err != nil {
		return err
	}
	var wg sync.WaitGroup
	s.deliver(ctx, &wg, ids)
	wg.Wait()
	s.announceInbox(ctx, msgs)
	return nil
}

// sameCluster returns the live cluster hotspot of h's category that shares a
// report with h.
func sameCluster(known map[string]*Hotspot, h *Hotspot) *Hotspot {
	in := map[int64]bool{}
	for _, id := range h.Orders {
		in[id] = true
	}
	for _, k := range known {
		if k.Kind == HotspotCluster && k.Category == h.Category {
			for _, id := range k.Orders {
				if in[id] {
					return k
				}
			}
		}
	}
	return nil
}

// hotspotMessages addresses the news of a hotspot to the inboxes of the
// unit's leaders (the unit responsible for its place and category) and the
// command center. Inbox only: a hotspot is news for the console, not a task to push.
func (s *Service) hotspotMessages(ctx context.Context, h *Hotspot, cat *guanjia.Category) ([]guanjia.Message, error) {
	data := map[string]string{"category": cat.Name, "count": strconv.Itoa(h.Count), "window": h.Window,
		"grid": h.GridID, "rise": strconv.FormatFloat(h.Rise, 'f', 1, 64)}
	b, none := s.addresses(), &guanjia.Complaint{}
	var out []guanjia.Message
	if h.UnitCode != "" {
		leaders, err := b.toRole(ctx, guanjia.RoleUnitAdmin, h.UnitCode, guanjia.TplHotspot, none, data)
		if err != nil {
			return nil, err
		}
		out = leaders
	}
	center, err := b.toCommandCenter(ctx, guanjia.TplHotspot, none, data)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(append(out, center...), func(m guanjia.Message) bool { return m.Channel != guanjia.ChannelInbox }), nil
}

// ListHotspots returns the current hotspots, the greatest rise first. Desk staff only.
func (s *Service) ListHotspots(ctx context.Context, who guanjia.Claims) ([]*Hotspot, error) {
	switch who.Role {
	case guanjia.RoleAgent, guanjia.RoleDispatcher, guanjia.RoleUnitAdmin, guanjia.RoleAdmin:
	default:
		return nil, guanjia.Errorf(guanjia.EFORBIDDEN, "only the command center sees hotspots")
	}
	if s.Hotspots == nil {
		return []*Hotspot{}, nil
	}
	hs, err := s.Hotspots.ActiveHotspots(ctx)
	if err != nil {
		return nil, err
	}
	sort.SliceStable(hs, func(i, j int) bool { return hs[i].Rise > hs[j].Rise })
	return hs, nil
}

// SetHotspotThreshold sets a category's thresholds. Administrators only.
func (s *Service) SetHotspotThreshold(ctx context.Context, who guanjia.Claims, t HotspotThreshold) error {
	if who.Role != guanjia.RoleAdmin {
		return guanjia.Errorf(guanjia.EFORBIDDEN, "only an administrator sets hotspot thresholds")
	}
	switch {
	case t.MinCount < 2 || t.MinCount > 1000:
		return guanjia.FieldError(guanjia.EINVALID, "min_count", "min_count must be between 2 and 1000")
	case t.MinRise < 1 || t.MinRise > 100:
		return guanjia.FieldError(guanjia.EINVALID, "min_rise", "min_rise must be between 1 and 100")
	case t.RadiusM < 10 || t.RadiusM > 5000:
		return guanjia.FieldError(guanjia.EINVALID, "radius_m", "radius_m must be between 10 and 5000")
	}
	if _, err := s.Store.FindCategory(ctx, t.Category); err != nil {
		return err
	}
	if s.Hotspots == nil {
		return guanjia.Errorf(guanjia.EINTERNAL, "hotspots are not configured")
	}
	return s.Hotspots.SetHotspotThreshold(ctx, t)
}

// PatrolInput is what a dispatcher adds to a patrol order.
type PatrolInput struct {
	Description string
}

// OpenPatrol files a 主动巡查 order at a hotspot's place, routed and
// dispatched like any other, and links it to the hotspot in the same
// transaction: of two dispatchers opening one at once, the second gets
// ECONFLICT and files (and dispatches) nothing.
func (s *Service) OpenPatrol(ctx context.Context, who guanjia.Claims, hotspotID int64, in PatrolInput) (*guanjia.Complaint, error) {
	if who.Role != guanjia.RoleDispatcher && who.Role != guanjia.RoleAdmin {
		return nil, guanjia.Errorf(guanjia.EFORBIDDEN, "only a dispatcher opens patrol orders")
	}
	if s.Hotspots == nil {
		return nil, guanjia.Errorf(guanjia.ENOTFOUND, "hotspot %d not found", hotspotID)
	}
	h, err := s.Hotspots.FindHotspot(ctx, hotspotID)
	if err != nil {
		return nil, err
	}
	if h.EndedAt != nil {
		return nil, guanjia.Errorf(guanjia.ECONFLICT, "the hotspot has cooled down")
	}
	if h.PatrolComplaintID != nil {
		return nil, guanjia.Errorf(guanjia.ECONFLICT, "a patrol order was already opened from this hotspot")
	}
	desc := in.Description
	if desc == "" {
		desc = fmt.Sprintf("主动巡查：%s 内 %d 件同类诉求（热点 #%d）", h.Window, h.Count, h.ID)
	}
	c, err := s.create(ctx, who, NewComplaint{Category: h.Category, Description: desc, Lat: h.Lat, Lng: h.Lng,
		CoordSystem: string(geo.WGS84), Address: fmt.Sprintf("热点 #%d", h.ID), Source: guanjia.SourcePatrol, SMSOptOut: true, patrolOf: h.ID})
	if err != nil {
		return nil, err
	}
	return c, nil
}
