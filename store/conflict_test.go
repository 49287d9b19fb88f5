package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"gorm.io/gorm"

	"guanjia"
	"guanjia/credit"
	"guanjia/dispatch"
	"guanjia/store"
)

// Each unique key a user can run into answers ECONFLICT (with the field to
// fix, where there is one), on either backend.
func TestDuplicateKeysAreConflicts(t *testing.T) {
	f := newVolunteerFixture(t, 1, 2)
	ctx, db := f.ctx, f.db
	now := time.Now().UTC()
	certify := func(user int64, id string) func() error {
		return func() error {
			return db.Volunteers.CreateVolunteer(ctx, &guanjia.Volunteer{UserID: user, Name: "王小明", IDNumber: id, CertifiedAt: now})
		}
	}
	certificate := func() error {
		return db.Volunteers.CreateCertificate(ctx, &guanjia.Certificate{Number: "HK-2026-000001", Code: "abc", UserID: f.users[0],
			TeamID: f.team.ID, TeamName: f.team.Name, Name: "王小明", IssuedAt: now})
	}
	tests := []struct {
		name  string
		first func() error // nil: the first write happened in the fixture
		again func() error
		field string
	}{
		{"username", nil, func() error {
			return db.Users.CreateUser(ctx, &guanjia.User{Username: "v0", Role: guanjia.RoleCitizen})
		}, "username"},
		{"team name", nil, func() error {
			return db.Volunteers.CreateTeam(ctx, &guanjia.Team{Name: f.team.Name, Organisation: "另一个", ContactName: "李",
				Status: guanjia.TeamPending, CreatedBy: f.users[1], CreatedAt: now}, nil)
		}, "name"},
		{"team member", nil, func() error {
			return db.Volunteers.AddTeamMember(ctx, &guanjia.TeamMember{TeamID: f.team.ID, UserID: f.lead, Role: guanjia.TeamRoleMember, JoinedAt: now})
		}, ""},
		{"certified twice", certify(f.users[0], "46010619900307123X"), certify(f.users[0], "46010619900307123X"), ""},
		{"ID number on another account", nil, certify(f.users[1], "46010619900307123X"), "id_number"},
		{"certificate number", certificate, certificate, ""},
	}
	for _, tt := range tests {
		if tt.first != nil {
			if err := tt.first(); err != nil {
				t.Fatalf("%s: first write: %v", tt.name, err)
			}
		}
		err := tt.again()
		if guanjia.ErrorCode(err) != guanjia.ECONFLICT || guanjia.ErrorField(err) != tt.field {
			t.Errorf("%s: %v (field %q), want a conflict on %q", tt.name, err, guanjia.ErrorField(err), tt.field)
		}
	}
}

// A 回访 answer is recorded once per round; the second is refused and the
// change it came with is not saved.
func TestRatingTwiceIsConflict(t *testing.T) {
	f := newVolunteerFixture(t, 1, 0)
	ctx, db := f.ctx, f.db
	seedComplaintWorld(t, db.Catalog)
	now := time.Now().UTC()
	c := &guanjia.Complaint{Category: "c1", Description: "d", CoordSystem: "wgs84", Source: guanjia.SourceHotline,
		ReporterID: f.lead, Status: guanjia.StatusSubmitted, CreatedAt: now, UpdatedAt: now}
	if err := db.Complaints.SaveComplaint(ctx, &dispatch.Change{Complaint: c}); err != nil {
		t.Fatal(err)
	}
	rate := func() error {
		return db.Complaints.SaveComplaint(ctx, &dispatch.Change{Complaint: c,
			Rating: &guanjia.Rating{Round: 1, Channel: "hotline", Score: 3, At: now}})
	}
	if err := rate(); err != nil {
		t.Fatal(err)
	}
	if err := rate(); guanjia.ErrorCode(err) != guanjia.ECONFLICT {
		t.Errorf("rated twice: %v, want conflict", err)
	}
	if got, _ := db.Complaints.FindComplaint(ctx, c.ID); got.Version != c.Version {
		t.Errorf("the refused rating saved the complaint: version %d, want %d", got.Version, c.Version)
	}
}

// A pending repair and a live standing are each one per applicant; the
// refused second writes no message either.
func TestCreditDuplicatesAreConflicts(t *testing.T) {
	f := newCreditFixture(t)
	ctx := context.Background()
	f.importRows(t, f.row("公司甲", code(1), "1号", "2029-01-01"))
	entries, _, err := f.db.Credit.ListEntries(ctx, credit.EntryFilter{})
	if err != nil || len(entries) != 1 {
		t.Fatalf("entries %v %v", entries, err)
	}
	e := entries[0]
	now := time.Now().UTC()
	tell := []guanjia.Message{{RecipientID: f.user, Channel: guanjia.ChannelWeCom, Template: guanjia.TplCreditRepairApplied}}
	repair := func() ([]int64, error) {
		return f.db.Credit.CreateRepair(ctx, &credit.Repair{EntryID: e.ID, Department: e.Department, ApplicantID: f.user,
			Basis: credit.AsDepartment, Reason: "已整改", Status: credit.RepairPending, CreatedAt: now},
			&guanjia.CreditEvent{EntryID: e.ID, Action: guanjia.CreditRepairApply, From: e.Status, To: e.Status, At: now},
			func(*credit.Repair) ([]guanjia.Message, error) { return tell, nil })
	}
	stand := func() ([]int64, error) {
		return f.db.Credit.CreateRepresentative(ctx, &credit.Representative{SubjectID: e.SubjectID, UserID: f.user,
			Basis: credit.AsLegalRep, Name: "张三", Status: credit.RepresentativeAccepted, CreatedAt: now},
			func(*credit.Representative) ([]guanjia.Message, error) { return tell, nil })
	}
	for name, write := range map[string]func() ([]int64, error){"repair": repair, "representative": stand} {
		queued, err := write()
		if err != nil || len(queued) != 1 {
			t.Fatalf("%s: %v queued, %v", name, queued, err)
		}
		if queued, err := write(); guanjia.ErrorCode(err) != guanjia.ECONFLICT || len(queued) != 0 {
			t.Errorf("%s twice: %v queued, %v, want a conflict queueing nothing", name, queued, err)
		}
	}
	if ids, err := f.db.Notifications.StaleNotifications(ctx, now.Add(time.Hour), []string{guanjia.DeliveryPending}, 10); err != nil || len(ids) != 2 {
		t.Errorf("the outbox holds %v (%v), want the two accepted writes' messages only", ids, err)
	}
}

// The credit import writes on the raw connection, past gorm's callbacks: its
// duplicate keys are translated all the same.
func TestRawDuplicateKeyIsTranslated(t *testing.T) {
	db := newCreditFixture(t).db
	err := store.ExecRaw(context.Background(), db, "INSERT INTO units (code, name, department) VALUES ('hk-scjg', 'x', 'y')")
	if !errors.Is(err, gorm.ErrDuplicatedKey) {
		t.Errorf("got %v, want gorm.ErrDuplicatedKey", err)
	}
}
