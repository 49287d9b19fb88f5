package volunteer_test

import (
	"math"
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

// A published request tells teams what help is needed, when and roughly
// where; its address and point (often the home of someone living alone)
// and who asked are for the requester, the platform's admins and the team
// that takes it on.
func TestHelpRequestAddressIsForTheTeamThatTakesItOn(t *testing.T) {
	e := newEnv(t)
	tm, lead := e.team()
	_, other := e.team()
	citizen := e.user(guanjia.RoleCitizen)
	lat, lng := placeLat, placeLng
	h, err := e.svc.Help.CreateHelpRequest(e.ctx, citizen, volunteer.HelpInput{Title: "独居老人就医陪诊", Address: "龙华区金贸东路 8 号 3 单元 502",
		Lat: &lat, Lng: &lng, NeededAt: t0.Add(48 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Help.ActHelpRequest(e.ctx, e.admin, h.ID, volunteer.HelpAction{Action: volunteer.ActApprove}); err != nil {
		t.Fatal(err)
	}
	whole := func(as guanjia.Claims) bool {
		t.Helper()
		got, _, err := e.svc.Help.GetHelpRequest(e.ctx, as, h.ID)
		if err != nil {
			t.Fatal(err)
		}
		list, err := e.svc.Help.ListHelpRequests(e.ctx, as, volunteer.HelpQuery{Status: []guanjia.HelpStatus{guanjia.HelpPublished, guanjia.HelpClaimed}})
		if err != nil || len(list) != 1 {
			t.Fatalf("list: %d, %v", len(list), err)
		}
		for _, x := range []*guanjia.HelpRequest{got, list[0]} {
			if x.Title != h.Title || !x.NeededAt.Equal(h.NeededAt) || math.Abs(x.Lat-lat) > 0.005 || math.Abs(x.Lng-lng) > 0.005 {
				t.Errorf("%d reads %+v: want what, when and roughly where", as.UserID, x)
			}
		}
		full := got.Address == h.Address && got.Lat == lat && got.RequesterID == citizen.UserID
		if hidden := got.Address == "" && got.Lat != lat && got.RequesterID == 0; !full && !hidden {
			t.Errorf("%d reads part of the address: %+v", as.UserID, got)
		}
		if (list[0].Address != "") != full {
			t.Errorf("%d reads the address %q in the list, %q in the detail", as.UserID, list[0].Address, got.Address)
		}
		return full
	}
	if !whole(citizen) || !whole(e.admin) || whole(lead) || whole(other) {
		t.Errorf("before the claim: requester %v, admin %v, a team's admin %v, another's %v; want only the first two whole",
			whole(citizen), whole(e.admin), whole(lead), whole(other))
	}
	if _, err := e.svc.Help.ActHelpRequest(e.ctx, lead, h.ID, volunteer.HelpAction{Action: volunteer.ActClaim, TeamID: tm.ID}); err != nil {
		t.Fatal(err)
	}
	if !whole(lead) || whole(other) {
		t.Errorf("after the claim: the claiming team's admin %v, another team's %v; want the first only", whole(lead), whole(other))
	}
}
