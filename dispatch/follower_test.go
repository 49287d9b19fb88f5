package dispatch_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"guanjia"
	"guanjia/dispatch"
)

// A citizen whose me-too report joins someone else's (issue 10, row 9) follows
// its progress — status, deadlines, a timeline of actions and times — and
// never reads the other person's words, place, photos or identity.
func TestFollowerSeesProgressNotPeople(t *testing.T) {
	c := newCity(t)
	ctx := context.Background()

	// A hotline order with the caller's name, and a citizen's report with a photo.
	hotline, err := c.svc.Create(ctx, c.agent, dispatch.NewComplaint{Category: catTrash, Description: "王先生来电：楼下垃圾三天没人清",
		Lat: siteLat, Lng: siteLng, Address: "龙华路 8 号王先生家楼下", CallerName: "王先生", CallerPhone: "13800138000"})
	if err != nil {
		t.Fatal(err)
	}
	report := c.report(t, c.citizen, catWater, siteLat, siteLng)
	photo, err := c.svc.AttachPhoto(ctx, c.citizen, report.ID, "report", "image/png", 3, strings.NewReader("png"))
	if err != nil {
		t.Fatal(err)
	}
	c.act(t, c.crewA, hotline.ID, guanjia.ActionAccept, dispatch.ActionInput{})
	c.act(t, c.dispatchr, hotline.ID, guanjia.ActionEscalate, dispatch.ActionInput{Note: "王先生再次来电催促"})

	// citizen2 files a me-too within 50 m of each: they follow both originals.
	for _, orig := range []*guanjia.Complaint{hotline, report} {
		metoo := c.report(t, c.citizen2, orig.Category, siteLat+0.0002, siteLng)
		if metoo.DuplicateOf == nil || *metoo.DuplicateOf != orig.ID {
			t.Fatalf("me-too of #%d = %+v", orig.ID, metoo)
		}
		// Their own report they see whole.
		own, err := c.svc.Get(ctx, c.citizen2, metoo.ID)
		if err != nil || own.View != dispatch.ViewFull || own.Description == "" {
			t.Fatalf("own me-too: %+v %v", own, err)
		}

		d, err := c.svc.Get(ctx, c.citizen2, orig.ID)
		if err != nil {
			t.Fatalf("follower reading #%d: %v", orig.ID, err)
		}
		if d.View != dispatch.ViewFollower {
			t.Errorf("view = %v, want follower", d.View)
		}
		got := *d.Complaint
		if got.Description != "" || got.Address != "" || got.ReporterID != 0 || got.CallerName != "" || got.CallerPhone != "" ||
			got.AssigneeID != nil || got.Lat != 0 || got.Lng != 0 || got.Source != "" || got.RatingComment != "" {
			t.Errorf("follower sees another person's details: %+v", got)
		}
		if got.Status == "" || got.Category != orig.Category || got.District != "龙华区" || got.GridID != "g1" ||
			(orig.ResolveBy != nil && got.ResolveBy == nil) {
			t.Errorf("follower misses the progress: %+v", got)
		}
		if len(d.Photos) != 0 || len(d.Actions) != 0 {
			t.Errorf("follower gets photos %v, actions %v", d.Photos, d.Actions)
		}
		if len(d.Events) < 2 || d.Events[len(d.Events)-1].Action != guanjia.ActionMeToo {
			t.Errorf("follower's timeline: %+v", d.Events)
		}
		for _, e := range d.Events {
			if e.Note != "" || e.ActorID != nil || e.ActorRole != "" || e.AssigneeID != nil || e.Lat != nil || e.UnitCode != "" {
				t.Errorf("timeline event shows people or text: %+v", e)
			}
		}
	}

	// The same rule in the list: the originals come reduced, their own me-toos whole.
	list, _, err := c.svc.List(ctx, c.citizen2, guanjia.ComplaintFilter{})
	if err != nil {
		t.Fatal(err)
	}
	followed := 0
	for _, cp := range list {
		switch cp.ID {
		case hotline.ID, report.ID:
			followed++
			if cp.Description != "" || cp.Address != "" || cp.CallerName != "" || cp.ReporterID != 0 || cp.Lat != 0 {
				t.Errorf("list row of a followed complaint: %+v", cp)
			}
		default:
			if cp.ReporterID != c.citizen2.UserID || cp.Description == "" {
				t.Errorf("own list row: %+v", cp)
			}
		}
	}
	if followed != 2 {
		t.Errorf("list has %d followed complaints, want 2", followed)
	}

	// Photos are neither shown nor added by a follower.
	if _, _, err := c.svc.OpenPhoto(ctx, c.citizen2, photo.ID); guanjia.ErrorCode(err) != guanjia.ENOTFOUND {
		t.Errorf("follower opening the reporter's photo: %v", err)
	}
	if _, err := c.svc.AttachPhoto(ctx, c.citizen2, report.ID, "report", "image/png", 3, strings.NewReader("png")); guanjia.ErrorCode(err) != guanjia.ENOTFOUND {
		t.Errorf("follower adding a photo: %v", err)
	}
	// A check that could not be made is the server's trouble, not "not found".
	down := *c.svc
	down.Store = failingFollowers{c.db.Complaints}
	if _, _, err := down.OpenPhoto(ctx, c.citizen2, photo.ID); !errors.Is(err, errDown) {
		t.Errorf("opening a photo while the follower check fails: %v, want the check's error", err)
	}

	// The reporter and staff still see everything they did.
	if d, err := c.svc.Get(ctx, c.citizen, report.ID); err != nil || d.View != dispatch.ViewFull || d.Address == "" || len(d.Photos) != 1 {
		t.Errorf("reporter: %+v %v", d, err)
	}
	d, err := c.svc.Get(ctx, c.dispatchr, hotline.ID)
	if err != nil || d.CallerName != "王先生" || d.Description == "" {
		t.Fatalf("dispatcher: %+v %v", d, err)
	}
	noted := false
	for _, e := range d.Events {
		noted = noted || e.Note == "王先生再次来电催促"
	}
	if !noted {
		t.Errorf("the dispatcher's timeline lost its notes: %+v", d.Events)
	}
}

// A follower hears that a report was not taken up (不予立案), not the staff's reason for it.
func TestFollowerIsNotToldTheRejectReason(t *testing.T) {
	c := newCity(t)
	orig := c.report(t, c.citizen, catTrash, siteLat, siteLng)
	c.report(t, c.citizen2, catTrash, siteLat+0.0002, siteLng) // me-too: citizen2 follows orig
	c.act(t, c.crewA, orig.ID, guanjia.ActionReturn, dispatch.ActionInput{Reason: "现场系私人院落"})
	c.act(t, c.dispatchr, orig.ID, guanjia.ActionReject, dispatch.ActionInput{Reason: "系张三家私人院落，非公共区域"})
	got := map[int64]string{}
	for _, n := range c.notes(t, orig.ID) {
		if n.Channel == guanjia.ChannelSubscribe && n.Data["status"] == "不予立案" {
			got[n.RecipientID] = n.Data["note"]
		}
	}
	if !strings.Contains(got[c.citizen.UserID], "张三") {
		t.Errorf("the reporter is told %q, want the reason", got[c.citizen.UserID])
	}
	if note, ok := got[c.citizen2.UserID]; !ok || strings.Contains(note, "张三") {
		t.Errorf("the follower is told %q (sent %v), want no reason", note, ok)
	}
}

type failingFollowers struct{ dispatch.Store }

func (failingFollowers) IsFollower(context.Context, int64, int64) (bool, error) {
	return false, errDown
}

// A me-too's reporter, told 已处置完成, 请评价 when the order they joined is
// resolved, is sent to their own report, whose page has the form: the
// joined order's shows them progress only.
func TestMeTooIsAskedToRateOnTheirOwnReport(t *testing.T) {
	c := newCity(t)
	ctx := context.Background()
	orig := c.report(t, c.citizen, catTrash, siteLat, siteLng)
	metoo := c.report(t, c.citizen2, catTrash, siteLat+0.0002, siteLng)
	if metoo.Status != guanjia.StatusDuplicate {
		t.Fatalf("me-too: %s", metoo.Status)
	}
	c.resolveOnSite(t, orig.ID, "已清理")
	asked := func(id, who int64) bool {
		for _, n := range c.notes(t, id) {
			if n.Channel == guanjia.ChannelSubscribe && n.RecipientID == who && strings.Contains(n.Data["note"], "请评价") {
				return true
			}
		}
		return false
	}
	if !asked(orig.ID, c.citizen.UserID) {
		t.Error("the reporter is not asked to rate on their report")
	}
	if asked(orig.ID, c.citizen2.UserID) || !asked(metoo.ID, c.citizen2.UserID) {
		t.Fatalf("the me-too's reporter is asked on the joined order (%v) or not on their own (%v)",
			asked(orig.ID, c.citizen2.UserID), asked(metoo.ID, c.citizen2.UserID))
	}
	d, err := c.svc.Get(ctx, c.citizen2, metoo.ID) // the page the message opens
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(d.Actions, guanjia.ActionRate) {
		t.Errorf("their own report offers %v, want rate", d.Actions)
	}
}
