package volunteer

import (
	"context"

	"guanjia"
)

// Stats returns the platform's headline figures: certified teams and
// volunteers, total hours and this month's (Asia/Shanghai).
func (s *Service) Stats(ctx context.Context) (guanjia.VolunteerStats, error) {
	now := s.now()
	return s.Store.VolunteerStats(ctx, monthStart(now), now)
}
