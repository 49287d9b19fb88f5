package volunteer

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"guanjia"
	"guanjia/geo"
)

// TeamInput is a team's application.
type TeamInput struct {
	Name         string
	Organisation string
	CreditCode   string // 统一社会信用代码, optional
	ContactName  string
	ContactPhone string
	District     string
	Address      string
	Lat, Lng     *float64
	CoordSystem  string
}

// ApplyTeam files a team's application; the applicant, a certified
// volunteer, becomes its first admin. An admin reviews it.
func (s *Teams) ApplyTeam(ctx context.Context, who guanjia.Claims, in TeamInput) (*guanjia.Team, error) {
	if _, err := s.requireVolunteer(ctx, who); err != nil {
		return nil, err
	}
	in.Name, in.Organisation = strings.TrimSpace(in.Name), strings.TrimSpace(in.Organisation)
	in.CreditCode = strings.ToUpper(strings.TrimSpace(in.CreditCode))
	for _, f := range []struct {
		field, value string
		max          int
	}{{"name", in.Name, 50}, {"organisation", in.Organisation, 100}, {"contact_name", in.ContactName, 30}, {"district", in.District, 30}} {
		if n := utf8.RuneCountInString(strings.TrimSpace(f.value)); n == 0 || n > f.max {
			return nil, guanjia.FieldError(guanjia.EINVALID, f.field, "%s is required, at most %d characters", f.field, f.max)
		}
	}
	if utf8.RuneCountInString(in.Address) > 200 {
		return nil, guanjia.FieldError(guanjia.EINVALID, "address", "address is longer than 200 characters")
	}
	if in.CreditCode != "" {
		if err := guanjia.ValidateCreditCode(in.CreditCode); err != nil {
			return nil, err
		}
	}
	if !guanjia.ValidPhone(in.ContactPhone) {
		return nil, guanjia.FieldError(guanjia.EINVALID, "contact_phone", "a contact phone number is required")
	}
	var lat, lng float64
	if in.Lat != nil || in.Lng != nil {
		var err error
		if lat, lng, err = toWGS84(in.CoordSystem, in.Lat, in.Lng); err != nil {
			return nil, err
		}
	}
	for field, text := range map[string]string{"name": in.Name, "organisation": in.Organisation} {
		if err := s.checkText(ctx, who, field, text); err != nil {
			return nil, err
		}
	}
	now := s.now()
	t := &guanjia.Team{Name: in.Name, Organisation: in.Organisation, CreditCode: in.CreditCode,
		ContactName: strings.TrimSpace(in.ContactName), ContactPhone: in.ContactPhone, District: strings.TrimSpace(in.District),
		Address: in.Address, Lat: lat, Lng: lng, Status: guanjia.TeamPending, CreatedBy: who.UserID, CreatedAt: now}
	ev := event(SubjectTeam, 0, ActApply, "", string(guanjia.TeamPending), actorID(who), "", now)
	if err := s.Store.CreateTeam(ctx, t, ev); err != nil {
		return nil, err
	}
	t.Members = 1
	return t, nil
}

// ReviewTeam certifies a team (approve) or refuses it with a reason.
func (s *Teams) ReviewTeam(ctx context.Context, who guanjia.Claims, id int64, approve bool, reason string) (*guanjia.Team, error) {
	t, err := s.Store.FindTeam(ctx, id)
	if err != nil {
		return nil, err
	}
	actor, err := s.actorFor(ctx, who, 0)
	if err != nil {
		return nil, err
	}
	action := ActApprove
	if !approve {
		action = ActRefuse
		if err := requireReason(reason); err != nil {
			return nil, err
		}
	}
	to, err := next(teamTransitions, "team", t.Status, action, actor)
	if err != nil {
		return nil, err
	}
	now := s.now()
	from := t.Status
	t.Status, t.ReviewNote = to, strings.TrimSpace(reason)
	if approve {
		t.CertifiedAt = &now
	}
	s.flagBlackListed(ctx, t)
	note := t.ReviewNote
	if approve && len(t.BlackLists) > 0 {
		// Certified anyway by the reviewer's decision; the record says they knew.
		note = strings.TrimSpace(note + " 组织在失信名单: " + strings.Join(t.BlackLists, "、"))
	}
	ev := event(SubjectTeam, t.ID, action, string(from), string(to), actorID(who), note, now)
	if err := s.Store.UpdateTeamStatus(ctx, t, from, ev); err != nil {
		return nil, err
	}
	return t, nil
}

// flagBlackListed fills the 失信 lists the team's organisation is on. A
// credit service that cannot answer leaves the flag empty and says so in the log.
func (s *Teams) flagBlackListed(ctx context.Context, t *guanjia.Team) {
	if s.Credit == nil || t.CreditCode == "" {
		return
	}
	black, _, err := s.Credit.CheckCode(ctx, t.CreditCode)
	if err != nil {
		s.Log.Warn("credit check of a team failed", "team", t.ID, "err", err)
		return
	}
	t.BlackLists = t.BlackLists[:0]
	for _, e := range black {
		t.BlackLists = append(t.BlackLists, e.ListName)
	}
}

// JoinTeam makes who, a certified volunteer, a member of a certified team.
func (s *Teams) JoinTeam(ctx context.Context, who guanjia.Claims, id int64) (*guanjia.TeamMember, error) {
	if _, err := s.requireVolunteer(ctx, who); err != nil {
		return nil, err
	}
	t, err := s.Store.FindTeam(ctx, id)
	if err != nil {
		return nil, err
	}
	if t.Status != guanjia.TeamCertified {
		return nil, guanjia.Errorf(guanjia.ECONFLICT, "the team is not certified yet")
	}
	m := &guanjia.TeamMember{TeamID: id, UserID: who.UserID, Role: guanjia.TeamRoleMember, JoinedAt: s.now()}
	if err := s.Store.AddTeamMember(ctx, m); err != nil {
		return nil, err
	}
	return m, nil
}

// MakeTeamAdmin lets a team admin give a member the team's admin role.
// Appointing an admin again changes nothing.
func (s *Teams) MakeTeamAdmin(ctx context.Context, who guanjia.Claims, teamID, userID int64) (*guanjia.TeamMember, error) {
	actor, err := s.actorFor(ctx, who, teamID)
	if err != nil {
		return nil, err
	}
	if actor == ActorSelf {
		return nil, guanjia.Errorf(guanjia.EFORBIDDEN, "only the team's admins appoint admins")
	}
	m, err := s.Store.FindTeamMember(ctx, teamID, userID)
	if guanjia.ErrorCode(err) == guanjia.ENOTFOUND {
		return nil, guanjia.FieldError(guanjia.EINVALID, "user_id", "user %d is not a member of the team", userID)
	} else if err != nil {
		return nil, err
	}
	if m.Role == guanjia.TeamRoleAdmin {
		return m, nil
	}
	return m, s.moveMember(ctx, who, actor, m, ActAppointAdmin, nil)
}

// RemoveTeamAdmin takes a team admin's role away: another admin of the team
// (or a platform admin) removes it, or the admin steps down. The person
// stays a member. The team's last admin stays one: someone must run the
// team, so another is appointed first.
func (s *Teams) RemoveTeamAdmin(ctx context.Context, who guanjia.Claims, teamID, userID int64) (*guanjia.TeamMember, error) {
	actor, err := s.actorFor(ctx, who, teamID)
	if err != nil {
		return nil, err
	}
	if actor == ActorSelf {
		return nil, guanjia.Errorf(guanjia.EFORBIDDEN, "only the team's admins remove admins")
	}
	m, err := s.member(ctx, teamID, userID)
	if err != nil {
		return nil, err
	}
	if m.Role != guanjia.TeamRoleAdmin {
		return nil, guanjia.Errorf(guanjia.ECONFLICT, "user %d is not an admin of the team", userID)
	}
	lastAdmin := func(admins int) error {
		if admins <= 1 {
			return guanjia.Errorf(guanjia.ECONFLICT, "the team's last admin stays one; appoint another admin first")
		}
		return nil
	}
	return m, s.moveMember(ctx, who, actor, m, ActRevokeAdmin, lastAdmin)
}

// RemoveTeamMember takes userID off team teamID: the member leaves (userID
// is the caller) or a team admin (or a platform admin) removes them. An
// admin steps down first (RemoveTeamAdmin), so a team is never left
// without one.
//
// Nothing else moves. Signups stay: an activity is open to every certified
// volunteer, member of its team or not (Signup checks certification, never
// membership), so a place taken stays the volunteer's to keep or cancel.
// Hours served stay in the ledger, and certificates of them may still be
// issued and verified.
func (s *Teams) RemoveTeamMember(ctx context.Context, who guanjia.Claims, teamID, userID int64) error {
	action, actor := ActLeave, ActorSelf
	if userID != who.UserID {
		var err error
		if actor, err = s.actorFor(ctx, who, teamID); err != nil {
			return err
		}
		if actor == ActorSelf {
			return guanjia.Errorf(guanjia.EFORBIDDEN, "only the team's admins remove its members")
		}
		action = ActRemoveMember
	}
	m, err := s.member(ctx, teamID, userID)
	if err != nil {
		return err
	}
	if m.Role == guanjia.TeamRoleAdmin {
		if action == ActLeave {
			return guanjia.Errorf(guanjia.ECONFLICT, "an admin steps down before leaving the team")
		}
		return guanjia.Errorf(guanjia.ECONFLICT, "user %d is an admin of the team; remove the admin role first", userID)
	}
	return s.moveMember(ctx, who, actor, m, action, nil)
}

// member loads userID's place in team teamID: ENOTFOUND naming the team
// when the team does not exist or the user is not on it.
func (s *Teams) member(ctx context.Context, teamID, userID int64) (*guanjia.TeamMember, error) {
	if _, err := s.Store.FindTeam(ctx, teamID); err != nil {
		return nil, err
	}
	m, err := s.Store.FindTeamMember(ctx, teamID, userID)
	if guanjia.ErrorCode(err) == guanjia.ENOTFOUND {
		return nil, guanjia.Errorf(guanjia.ENOTFOUND, "user %d is not a member of the team", userID)
	}
	return m, err
}

// moveMember takes action (a step of memberTransitions) on m and writes it
// with its event; check, when set, decides on the team's admins under the
// team's lock. m is left with its new role ("" once off the team).
func (s *Teams) moveMember(ctx context.Context, who guanjia.Claims, actor Actor, m *guanjia.TeamMember, action string, check func(admins int) error) error {
	to, err := next(memberTransitions, "team member", m.Role, action, actor)
	if err != nil {
		return err
	}
	role := to
	if to == memberLeft || to == memberRemoved {
		role = ""
	}
	ch := &TeamMemberChange{TeamID: m.TeamID, UserID: m.UserID, ExpectRole: m.Role, Role: role, Check: check,
		Event: event(SubjectTeam, m.TeamID, action, m.Role, to, actorID(who), fmt.Sprintf("用户 #%d", m.UserID), s.now())}
	if err := s.Store.ChangeTeamMember(ctx, ch); err != nil {
		return err
	}
	m.Role = role
	return nil
}

// GetTeam returns a team. Teams not certified are shown to their admins and platform admins only.
func (s *Teams) GetTeam(ctx context.Context, who guanjia.Claims, id int64) (*guanjia.Team, error) {
	t, err := s.Store.FindTeam(ctx, id)
	if err != nil {
		return nil, err
	}
	if t.Status != guanjia.TeamCertified {
		if ok, err := s.isTeamAdmin(ctx, who, id); err != nil {
			return nil, err
		} else if !ok {
			return nil, guanjia.Errorf(guanjia.ENOTFOUND, "team %d not found", id)
		}
	}
	s.flagBlackListed(ctx, t)
	return t, nil
}

// Members is a team's members with the skills each recorded: an admin
// verifies a certificate against a skill the member holds.
type Members struct {
	Members []*guanjia.TeamMember
	Skills  map[int64][]SkillEntry // by user id
}

// ListTeamMembers lists a team's members, with their skills, for its admins.
func (s *Teams) ListTeamMembers(ctx context.Context, who guanjia.Claims, id int64) (*Members, error) {
	if ok, err := s.isTeamAdmin(ctx, who, id); err != nil {
		return nil, err
	} else if !ok {
		return nil, guanjia.Errorf(guanjia.EFORBIDDEN, "only the team's admins see its members")
	}
	list, err := s.Store.ListTeamMembers(ctx, id)
	if err != nil {
		return nil, err
	}
	skills, err := s.Store.TeamMemberSkills(ctx, id)
	if err != nil {
		return nil, err
	}
	return &Members{Members: list, Skills: skills}, nil
}

// Near is a point and radius to search around; Lat and Lng as the client sent them.
type Near struct {
	Lat, Lng    float64
	CoordSystem string
	RadiusM     float64
}

// TeamHit is a team in a list, with its distance when the list was near a point.
type TeamHit struct {
	Team      *guanjia.Team
	DistanceM *float64
	MyRole    string // the caller's role in the team (admin, member) when listing their own
}

// TeamQuery selects teams: by status (platform admins see any; others
// certified teams), the caller's own, or near a point by distance.
type TeamQuery struct {
	Status guanjia.TeamStatus
	Mine   bool
	Near   *Near
}

// ListTeams lists teams, nearest first when q.Near is set, otherwise newest first.
func (s *Teams) ListTeams(ctx context.Context, who guanjia.Claims, q TeamQuery) ([]TeamHit, error) {
	f := TeamFilter{Status: q.Status, Limit: 200}
	switch {
	case q.Mine:
		f.MemberID = who.UserID
	case who.Role != guanjia.RoleAdmin:
		f.Status = guanjia.TeamCertified
	}
	p, err := nearArea(q.Near)
	if err != nil {
		return nil, err
	}
	p.bound(&f.MinLat, &f.MinLng, &f.MaxLat, &f.MaxLng, &f.Limit)
	// The review queue: first come, first reviewed, each with its
	// applicant and the 失信 lists its organisation is on, as a team's own
	// page shows them.
	reviewQueue := f.Status == guanjia.TeamPending && who.Role == guanjia.RoleAdmin && !q.Mine
	f.OldestFirst, f.WithApplicant = reviewQueue, reviewQueue
	teams, err := s.Store.ListTeams(ctx, f)
	if err != nil {
		return nil, err
	}
	if reviewQueue {
		for _, t := range teams {
			s.flagBlackListed(ctx, t)
		}
	}
	// A member's own list says where they stand, so the mini-program knows
	// whom to show the organiser's pages.
	var roles map[int64]string
	if q.Mine {
		if roles, err = s.Store.TeamRoles(ctx, who.UserID); err != nil {
			return nil, err
		}
	}
	return rank(teams, p, func(t *guanjia.Team) (float64, float64) { return t.Lat, t.Lng },
		func(t *guanjia.Team, d *float64) TeamHit { return TeamHit{Team: t, DistanceM: d, MyRole: roles[t.ID]} }), nil
}

// toWGS84 converts a client position; both coordinates are required.
func toWGS84(sys string, lat, lng *float64) (float64, float64, error) {
	if lat == nil || lng == nil {
		return 0, 0, guanjia.FieldError(guanjia.EINVALID, "lat", "lat and lng are required")
	}
	if sys == "" {
		sys = string(geo.WGS84)
	}
	wLat, wLng, err := geo.ToWGS84(geo.CoordSystem(sys), *lat, *lng)
	if err != nil {
		return 0, 0, err
	}
	return wLat, wLng, nil
}
