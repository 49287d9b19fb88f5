package volunteer_test

import (
	"testing"
	"time"

	"guanjia"
	"guanjia/volunteer"
)

// A request for help at a time that has passed is no longer offered to
// teams nor claimed: nobody can help yesterday.
func TestHelpRequestPastItsTimeIsNoLongerOffered(t *testing.T) {
	e := newEnv(t)
	tm, lead := e.team()
	citizen := e.user(guanjia.RoleCitizen)
	lat, lng := placeLat, placeLng
	needed := t0.Add(3 * time.Hour)
	h, err := e.svc.Help.CreateHelpRequest(e.ctx, citizen, volunteer.HelpInput{Title: "独居老人就医陪诊", Address: "万绿园旁",
		Lat: &lat, Lng: &lng, NeededAt: needed})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Help.ActHelpRequest(e.ctx, e.admin, h.ID, volunteer.HelpAction{Action: volunteer.ActApprove}); err != nil {
		t.Fatal(err)
	}
	e.clock.Set(needed.Add(48 * time.Hour))
	list, _ := e.svc.Help.ListHelpRequests(e.ctx, lead, volunteer.HelpQuery{})
	_, err = e.svc.Help.ActHelpRequest(e.ctx, lead, h.ID, volunteer.HelpAction{Action: volunteer.ActClaim, TeamID: tm.ID})
	if err == nil || len(list) != 0 {
		t.Errorf("two days after the time help was needed: listed to teams %d, claim err %v; want not listed, claim refused", len(list), err)
	}
}
