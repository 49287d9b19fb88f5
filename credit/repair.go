package credit

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"guanjia"
)

// RepairApplication is what a subject submits to have an entry repaired.
type RepairApplication struct {
	EntryID  int64
	Reason   string
	Evidence string
}

// ApplyRepair files a 信用修复 application for a 失信 entry in public view.
// Only someone who stands for the subject applies (see standing), and not
// before the entry's minimum publication period has run (period.go). Each
// applicant has at most one application pending per entry, so nobody blocks
// the subject's own; the deciding department is told and sees them all.
func (s *Service) ApplyRepair(ctx context.Context, who guanjia.Claims, in RepairApplication) (*Repair, error) {
	in.Reason, in.Evidence = strings.TrimSpace(in.Reason), strings.TrimSpace(in.Evidence)
	switch {
	case in.Reason == "":
		return nil, guanjia.FieldError(guanjia.EINVALID, "reason", "say why the entry should be repaired")
	case utf8.RuneCountInString(in.Reason) > 2000:
		return nil, guanjia.FieldError(guanjia.EINVALID, "reason", "the reason is longer than 2000 characters")
	case in.Evidence == "":
		return nil, guanjia.FieldError(guanjia.EINVALID, "evidence", "describe the evidence: 整改 done, fine paid, 信用承诺书, with document numbers")
	case utf8.RuneCountInString(in.Evidence) > 4000:
		return nil, guanjia.FieldError(guanjia.EINVALID, "evidence", "the evidence is longer than 4000 characters")
	}
	e, err := s.publicEntry(ctx, who, in.EntryID)
	if err != nil {
		return nil, err
	}
	if rt, err := LookupType(e.Type); err != nil || !rt.Negative {
		return nil, guanjia.FieldError(guanjia.EUNPROCESSABLE, "entry_id", "only 失信 information can be repaired, not a %s", TypeName(e.Type))
	}
	if _, err := next(e.Status, guanjia.CreditRepairApply, who.Role); err != nil {
		return nil, err
	}
	basis, rep, err := s.standing(ctx, who, e)
	if err != nil {
		return nil, err
	}
	if from, ok := RepairableFrom(e); ok && s.Today().Before(from) {
		return nil, guanjia.FieldError(guanjia.EUNPROCESSABLE, "entry_id",
			"the minimum publication period has not ended: a repair can be applied for from %s", from.Format("2006-01-02"))
	}
	now := s.Now()
	r := &Repair{EntryID: e.ID, Department: e.Department, ApplicantID: who.UserID, Basis: basis, Representative: rep,
		Reason: in.Reason, Evidence: in.Evidence, Status: RepairPending, CreatedAt: now}
	actor := who.UserID
	ev := &guanjia.CreditEvent{EntryID: e.ID, Action: guanjia.CreditRepairApply, From: e.Status, To: e.Status,
		ActorID: &actor, ActorRole: who.Role, At: now}
	// The department hears of it from the application's transaction.
	dept, err := s.departmentMessages(ctx, e.Department, guanjia.TplCreditRepairApplied, nil)
	if err != nil {
		return nil, err
	}
	queued, err := s.Store.CreateRepair(ctx, r, ev, func(r *Repair) ([]guanjia.Message, error) {
		return addressed(dept, map[string]string{"repair": strconv.FormatInt(r.ID, 10), "entry": strconv.FormatInt(e.ID, 10),
			"type": TypeName(e.Type)}), nil
	})
	if err != nil {
		return nil, err
	}
	s.deliver(ctx, queued)
	r.Entry = e
	s.nameApplicantsAfter(ctx, who, r)
	return r, nil
}

// publicEntry is the entry who names to repair it or to stand for its
// subject: for anyone but credit staff, one in public view. Any other
// answers as one that does not exist, so that neither reveals what left
// public view (nor whether it did); staff hear what the state table says.
func (s *Service) publicEntry(ctx context.Context, who guanjia.Claims, id int64) (*guanjia.CreditEntry, error) {
	e, err := s.Store.FindEntry(ctx, id)
	if guanjia.ErrorCode(err) == guanjia.ENOTFOUND {
		return nil, guanjia.FieldError(guanjia.EINVALID, "entry_id", "no credit entry %d", id)
	} else if err != nil || e.PublicOn(s.Today()) {
		return e, err
	}
	if staff, err := s.isStaff(ctx, who); err != nil || staff {
		return e, err
	}
	return nil, guanjia.FieldError(guanjia.EINVALID, "entry_id", "no credit entry %d", id)
}

// DecideRepair approves or refuses an application. Only the deciding
// department (or an admin) decides; approval takes the entry out of public
// view with the decision recorded on its history, and waits for the minimum
// publication period as an application does. A refusal needs a note.
func (s *Service) DecideRepair(ctx context.Context, who guanjia.Claims, id int64, approve bool, note string) (*Repair, error) {
	note = strings.TrimSpace(note)
	r, err := s.Store.FindRepair(ctx, id)
	if err != nil {
		return nil, err
	}
	switch who.Role {
	case guanjia.RoleAdmin:
	case guanjia.RoleDepartment:
		if !who.InUnit(r.Department) {
			return nil, guanjia.Errorf(guanjia.EFORBIDDEN, "only the department that decided the entry decides its repair")
		}
		if err := s.requireDesk(ctx, who); err != nil {
			return nil, err
		}
	default:
		return nil, guanjia.Errorf(guanjia.EFORBIDDEN, "only the deciding department decides a repair")
	}
	to := RepairRefused
	if approve {
		to = RepairApproved
	}
	d := repairDecisions[to]
	if r.Status != d.from {
		return nil, guanjia.Errorf(guanjia.ECONFLICT, "the application was already %s", r.Status)
	}
	if !approve && note == "" {
		return nil, guanjia.FieldError(guanjia.EINVALID, "note", "say why the repair is refused")
	}
	if utf8.RuneCountInString(note) > 2000 {
		return nil, guanjia.FieldError(guanjia.EINVALID, "note", "the note is longer than 2000 characters")
	}
	e, err := s.Store.FindEntry(ctx, r.EntryID)
	if err != nil {
		return nil, err
	}
	status, err := next(e.Status, d.action, who.Role)
	if err != nil {
		return nil, err
	}
	// Checked again: a re-import may have made the entry 严重失信, with a
	// longer period, since the application was filed.
	if from, ok := RepairableFrom(e); approve && ok && s.Today().Before(from) {
		return nil, guanjia.Errorf(guanjia.EUNPROCESSABLE,
			"the minimum publication period has not ended: a repair can be applied for from %s", from.Format("2006-01-02"))
	}
	now := s.Now()
	actor := who.UserID
	r.Status, r.DecidedBy, r.DecidedAt, r.DecisionNote = to, &actor, &now, note
	ch := &EntryChange{EntryID: e.ID, Expect: e.Status, To: status, Repair: r,
		Event: &guanjia.CreditEvent{EntryID: e.ID, Action: d.action, From: e.Status, To: status, ActorID: &actor,
			ActorRole: who.Role, RepairID: &r.ID, Note: note, At: now},
		// The applicants hear of the decision from its transaction, so none
		// is left untold by a failure after it.
		Notices: func(ch *EntryChange) ([]guanjia.Message, error) {
			var msgs []guanjia.Message
			for _, o := range append([]*Repair{ch.Repair}, ch.Superseded...) {
				msgs = append(msgs, s.message(o.ApplicantID, guanjia.ChannelSubscribe, guanjia.TplCreditRepairDecided,
					map[string]string{"repair": strconv.FormatInt(o.ID, 10), "status": o.Status.Word(), "note": o.DecisionNote})...)
			}
			return msgs, nil
		}}
	if err := s.invalidateAfter(ctx, subjectCodes(e), func() error { return s.Store.SaveEntryChange(ctx, ch) }); err != nil {
		return nil, err
	}
	s.deliver(ctx, ch.Queued)
	e.Status, e.UpdatedAt = status, now
	r.Entry = e
	s.nameApplicantsAfter(ctx, who, r)
	return r, nil
}

// Repair answers one application to its applicant, the deciding department or an admin.
func (s *Service) Repair(ctx context.Context, who guanjia.Claims, id int64) (*Repair, error) {
	r, err := s.Store.FindRepair(ctx, id)
	if err != nil {
		return nil, err
	}
	if !(who.Role == guanjia.RoleAdmin || (who.Role == guanjia.RoleDepartment && who.InUnit(r.Department)) ||
		(who.UserID != 0 && who.UserID == r.ApplicantID)) {
		return nil, guanjia.Errorf(guanjia.ENOTFOUND, "repair %d not found", id)
	}
	if r.Entry, err = s.Store.FindEntry(ctx, r.EntryID); err != nil {
		return nil, err
	}
	if err := s.nameApplicants(ctx, who, r); err != nil {
		return nil, err
	}
	return r, nil
}

// Repairs answers a page of applications, newest first, and how many there
// are: a department's queue, an admin's all, anyone else's own.
func (s *Service) Repairs(ctx context.Context, who guanjia.Claims, status RepairStatus, page, perPage int) ([]*Repair, int, error) {
	page, perPage = pageBounds(page, perPage, 50)
	f := RepairFilter{Status: status, Offset: (page - 1) * perPage, Limit: perPage, CountTotal: true}
	switch who.Role {
	case guanjia.RoleAdmin:
	case guanjia.RoleDepartment:
		var err error
		if f.Department, err = publisher(who, ""); err != nil { // never "", which filters nothing
			return nil, 0, err
		}
		if err := s.requireDesk(ctx, who); err != nil {
			return nil, 0, err
		}
	default:
		if who.UserID == 0 {
			return nil, 0, guanjia.Errorf(guanjia.EUNAUTHORIZED, "sign in to see your applications")
		}
		f.ApplicantID = who.UserID
	}
	list, total, err := s.Store.ListRepairs(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	if err := s.nameApplicants(ctx, who, list...); err != nil {
		return nil, 0, err
	}
	return list, total, nil
}

// nameApplicants fills in the applicants' names for the staff who decide
// (callers have checked they may read the repairs): citizens see their own
// applications only, and need no name.
func (s *Service) nameApplicants(ctx context.Context, who guanjia.Claims, repairs ...*Repair) error {
	if (who.Role != guanjia.RoleAdmin && who.Role != guanjia.RoleDepartment) || len(repairs) == 0 {
		return nil
	}
	ids := make([]int64, len(repairs))
	for i, r := range repairs {
		ids[i] = r.ApplicantID
	}
	slices.Sort(ids)
	names, err := s.Store.UserNames(ctx, slices.Compact(ids))
	if err != nil {
		return err
	}
	for _, r := range repairs {
		r.ApplicantName = names[r.ApplicantID]
	}
	return nil
}

// nameApplicantsAfter is nameApplicants once a change is saved: a failure
// leaves the name out of the answer rather than report the saved change failed.
func (s *Service) nameApplicantsAfter(ctx context.Context, who guanjia.Claims, r *Repair) {
	if err := s.nameApplicants(ctx, who, r); err != nil {
		s.Log.Warn("credit: applicant names", "repair", r.ID, "err", err)
	}
}

// Revoke withdraws an entry (the decision was annulled, or published in
// error): it leaves public view for good, with the reason on its history.
func (s *Service) Revoke(ctx context.Context, who guanjia.Claims, entryID int64, note string) (*guanjia.CreditEntry, error) {
	note = strings.TrimSpace(note)
	if note == "" {
		return nil, guanjia.FieldError(guanjia.EINVALID, "note", "say why the entry is revoked")
	}
	e, err := s.Store.FindEntry(ctx, entryID)
	if err != nil {
		return nil, err
	}
	if who.Role == guanjia.RoleDepartment && !who.InUnit(e.Department) {
		return nil, guanjia.Errorf(guanjia.EFORBIDDEN, "only the department that published the entry revokes it")
	}
	if err := s.requireDesk(ctx, who); err != nil {
		return nil, err
	}
	status, err := next(e.Status, guanjia.CreditRevoke, who.Role)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	actor := who.UserID
	ch := &EntryChange{EntryID: e.ID, Expect: e.Status, To: status,
		Event: &guanjia.CreditEvent{EntryID: e.ID, Action: guanjia.CreditRevoke, From: e.Status, To: status,
			ActorID: &actor, ActorRole: who.Role, Note: note, At: now}}
	if err := s.invalidateAfter(ctx, subjectCodes(e), func() error { return s.Store.SaveEntryChange(ctx, ch) }); err != nil {
		return nil, err
	}
	e.Status, e.UpdatedAt = status, now
	return e, nil
}

// EntryHistory is an entry with its immutable history, for staff and audit.
type EntryHistory struct {
	Entry  *guanjia.CreditEntry
	Events []*guanjia.CreditEvent
}

// Entry answers one entry: the public see it while it is in public view,
// staff always, with its history.
func (s *Service) Entry(ctx context.Context, who guanjia.Claims, id int64) (*EntryHistory, error) {
	e, err := s.Store.FindEntry(ctx, id)
	if err != nil {
		return nil, err
	}
	staff, err := s.isStaff(ctx, who)
	if err != nil {
		return nil, err
	}
	if !staff {
		today := s.Today()
		if !e.PublicOn(today) {
			return nil, guanjia.Errorf(guanjia.ENOTFOUND, "credit entry %d not found", id)
		}
		if e.Type == guanjia.CreditRedList { // withheld while its subject is on a black list (withholdRed)
			black, _, err := s.Store.ListEntries(ctx, EntryFilter{SubjectID: e.SubjectID, Types: []string{guanjia.CreditBlackList}, PublicOn: &today, Limit: 1})
			if err != nil {
				return nil, err
			}
			if len(black) > 0 {
				return nil, guanjia.Errorf(guanjia.ENOTFOUND, "credit entry %d not found", id)
			}
		}
		return &EntryHistory{Entry: e}, nil
	}
	events, err := s.Store.ListCreditEvents(ctx, id)
	if err != nil {
		return nil, err
	}
	return &EntryHistory{Entry: e, Events: events}, nil
}
