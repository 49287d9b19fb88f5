package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"guanjia"
	"guanjia/internal/testenv"
	"guanjia/mediation"
)

// TestDisputesRoundTrip: a dispute keeps its parties (ID numbers and phones
// sealed at rest), numbering, mediators and sessions; a save over a stale
// version is refused and changes nothing; lists filter by committee,
// mediator, grid and reporter.
func TestDisputesRoundTrip(t *testing.T) {
	db := testenv.MustOpenDB(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	c := &guanjia.Committee{Code: "tj-hk", Name: "海垦街道人民调解委员会", Level: guanjia.LevelTown, Kind: guanjia.CommitteePeople,
		District: "龙华区", GridIDs: []string{"g1", "g2"}}
	must(db.Disputes.UpsertCommittee(ctx, c))
	c.Name = "海垦街道人民调解委员会（改）"
	must(db.Disputes.UpsertCommittee(ctx, c))
	list, err := db.Disputes.ListCommittees(ctx)
	must(err)
	if len(list) != 1 || list[0].Name != c.Name || !slices.Equal(list[0].GridIDs, []string{"g1", "g2"}) || list[0].Types != nil && len(list[0].Types) != 0 {
		t.Fatalf("committees %+v", list)
	}
	citizen := &guanjia.User{Username: "d-citizen", Role: guanjia.RoleCitizen}
	mediator := &guanjia.User{Username: "d-mediator", Role: guanjia.RoleMediator, UnitCode: "tj-hk"}
	must(db.Users.CreateUser(ctx, citizen))
	must(db.Users.CreateUser(ctx, mediator))
	d := &guanjia.Dispute{Type: "neighbour", Status: guanjia.DisputeReported, Source: guanjia.DisputeFromMiniProgram, Summary: "噪音",
		Lat: 20, Lng: 110.3, CoordSystem: "wgs84", GridID: "g1", CommitteeCode: "tj-hk", ReporterID: citizen.ID, CreatedAt: now, UpdatedAt: now,
		Parties: []guanjia.Party{{Role: "applicant", Kind: "person", Name: "王海燕", IDNumber: "11010519491231002X", Phone: "13876543210", UserID: citizen.ID},
			{Role: "respondent", Kind: "organisation", Name: "椰城物业", CreditCode: "91350100M000100Y43"}}}
	msg := guanjia.Message{RecipientID: mediator.ID, Channel: guanjia.ChannelInbox, Template: guanjia.TplTaskAssigned, Data: map[string]string{}}
	must(db.Disputes.CreateDispute(ctx, d, guanjia.DisputeEvent{At: now, ActorID: citizen.ID, Action: guanjia.DisputeCreate, To: d.Status}, []guanjia.Message{msg}))
	if want := "HK-TJ-" + now.In(time.FixedZone("CST", 8*3600)).Format("2006") + "-"; len(d.Number) != len(want)+6 || d.Number[:len(want)] != want {
		t.Fatalf("number %q", d.Number)
	}
	var raw []string
	must(db.Gorm().Raw("SELECT id_number || phone FROM dispute_parties WHERE dispute_id = ? ORDER BY id", d.ID).Scan(&raw).Error)
	if len(raw) != 2 || raw[0] == "" || strings.Contains(raw[0], "11010519491231002X") || strings.Contains(raw[0], "13876543210") {
		t.Fatalf("parties stored as %q: want sealed", raw)
	}
	got, err := db.Disputes.FindDispute(ctx, d.ID)
	must(err)
	if got.Parties[0].IDNumber != "11010519491231002X" || got.Parties[0].Phone != "13876543210" || got.Parties[0].UserID != citizen.ID ||
		got.Parties[1].CreditCode != "91350100M000100Y43" || got.Number != d.Number {
		t.Fatalf("read back %+v", got)
	}
	got.Status, got.MediatorIDs = guanjia.DisputeMediating, []int64{mediator.ID}
	got.Sessions = []guanjia.MediationSession{{At: now.Add(time.Hour), Place: "海垦街道调解室", Status: "scheduled"}}
	stale := *got
	must(db.Disputes.UpdateDispute(ctx, got, guanjia.DisputeEvent{At: now, Action: guanjia.DisputeAssign, From: guanjia.DisputeReported, To: got.Status}, nil))
	if got.Sessions[0].ID == 0 || got.Version != 1 {
		t.Fatalf("after save: session %d version %d", got.Sessions[0].ID, got.Version)
	}
	stale.Status, stale.Sessions = guanjia.DisputeWithdrawn, nil
	if err := db.Disputes.UpdateDispute(ctx, &stale, guanjia.DisputeEvent{At: now, Action: guanjia.DisputeWithdraw, To: stale.Status}, nil); guanjia.ErrorCode(err) != guanjia.ECONFLICT {
		t.Fatalf("a save over a stale version: %v", err)
	}
	again, err := db.Disputes.FindDispute(ctx, d.ID)
	must(err)
	if again.Status != guanjia.DisputeMediating || len(again.Sessions) != 1 || !slices.Equal(again.MediatorIDs, []int64{mediator.ID}) {
		t.Fatalf("after the refused save: %+v", again)
	}
	events, err := db.Disputes.ListDisputeEvents(ctx, d.ID)
	must(err)
	if len(events) != 2 || events[1].Action != guanjia.DisputeAssign {
		t.Fatalf("events %+v", events)
	}
	for _, f := range []mediation.Filter{{Committee: "tj-hk"}, {MediatorID: mediator.ID}, {GridID: "g1"}, {ReporterID: citizen.ID}, {Status: guanjia.DisputeMediating}} {
		page, total, err := db.Disputes.ListDisputes(ctx, f)
		if err != nil || total != 1 || len(page) != 1 || page[0].ID != d.ID || len(page[0].Parties) != 2 {
			t.Errorf("filter %+v: %d %v", f, total, err)
		}
	}
	for _, f := range []mediation.Filter{{Committee: "tj-lh"}, {MediatorID: citizen.ID}, {GridID: "g2"}, {Level: guanjia.LevelCity}} {
		if _, total, err := db.Disputes.ListDisputes(ctx, f); err != nil || total != 0 {
			t.Errorf("filter %+v: %d %v, want none", f, total, err)
		}
	}
	if _, err := db.Disputes.FindDispute(ctx, d.ID+100); guanjia.ErrorCode(err) != guanjia.ENOTFOUND {
		t.Fatalf("missing dispute: %v", err)
	}
}
