package worker

import (
	"context"
	"time"

	"github.com/hibiken/asynq"
)

// TypeHotspotRefresh recomputes the 热点诉求 from the complaints (periodic).
const TypeHotspotRefresh = "hotspot:refresh"

// HotspotRefreshInterval is how often hotspots are recomputed: the shortest
// window is an hour, so a few minutes late is still in time for a patrol.
const HotspotRefreshInterval = 5 * time.Minute

// NewHotspotRefreshTask builds the periodic recomputation of hotspots.
func NewHotspotRefreshTask() *asynq.Task { return asynq.NewTask(TypeHotspotRefresh, nil) }

// HandleHotspotRefresh recomputes the hotspots; running it twice tells nobody twice.
func (h *Handlers) HandleHotspotRefresh(ctx context.Context, _ *asynq.Task) error {
	return h.Dispatch.RefreshHotspots(ctx)
}
