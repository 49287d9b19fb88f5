package dispatch

import (
	"context"

	"guanjia"
)

// OpenNearby is what a citizen is told before filing: whether an open report
// of the same category is already near the place, and whether filing there
// now would join it. Nothing about the reports themselves (how many, where
// exactly, whose, in what words) is in it.
type OpenNearby struct {
	Open      bool    // a report of the category within RadiusM, filed in the last week, still being worked on
	WillMerge bool    // filing at the point now links the report to one (a me-too) and its reporter follows it
	RadiusM   float64 // how far around the point was looked at
}

// CheckOpenNearby answers OpenNearby for category at (lat, lng): the
// mini-program's "already reported?" step, safe for any citizen. It looks as
// far as Nearby does and decides merging as Create does.
func (s *Service) CheckOpenNearby(ctx context.Context, category string, lat, lng float64, coordSystem string) (OpenNearby, error) {
	found, radius, err := s.openAround(ctx, category, lat, lng, coordSystem)
	if err != nil {
		return OpenNearby{}, err
	}
	out := OpenNearby{RadiusM: radius}
	for _, n := range found {
		// One the crew called done (已处置) is not "being worked on": a report
		// there says it is not done, and is dispatched anew (mergesWith).
		out.Open = out.Open || n.Status != guanjia.StatusResolved
		out.WillMerge = out.WillMerge || n.WillMerge
	}
	return out, nil
}
