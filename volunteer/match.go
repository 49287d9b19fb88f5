package volunteer

import (
	"context"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"guanjia"
	"guanjia/geo"
)

// Finding and inviting experienced volunteers (精准匹配): volunteers record
// skills from a catalogue and where they are willing to serve; team admins
// search them, ranked, with names masked, and invite the ones they choose.
// Being found is opt-in: a volunteer is invisible to searches until they
// switch Findable on, because a search shows strangers roughly where they live.

// SkillCatalogue is the fixed list of skills a volunteer may record.
var SkillCatalogue = []Skill{
	{"急救", true}, {"外语", false}, {"心理疏导", true}, {"法律", true}, {"驾驶", true},
	{"摄影", false}, {"电工", true}, {"医护", true}, {"手语", false}, {"教育辅导", false},
	{"计算机", false}, {"文艺表演", false}, {"烹饪", false}, {"维修", false}, {"环保", false},
}

// Skill is one entry of the catalogue. Certified skills (急救证, 驾驶证,
// 电工证, …) may be marked verified by a team admin who saw the certificate.
type Skill struct {
	Name      string `json:"name"`
	Certified bool   `json:"certificate"`
}

func catalogued(name string) bool {
	return slices.ContainsFunc(SkillCatalogue, func(s Skill) bool { return s.Name == name })
}

// catalogueSkills answers the skills named, trimmed and each once, when
// every one is in the catalogue: the skills a volunteer records, at
// certification or later, are the ones organisers search by.
func catalogueSkills(names []string) ([]string, error) {
	if len(names) > len(SkillCatalogue) {
		return nil, guanjia.FieldError(guanjia.EINVALID, "skills", "at most %d skills", len(SkillCatalogue))
	}
	out := make([]string, 0, len(names))
	for _, sk := range names {
		sk = strings.TrimSpace(sk)
		if !catalogued(sk) {
			return nil, guanjia.FieldError(guanjia.EINVALID, "skills", "%q is not in the skill catalogue", sk)
		}
		if !slices.Contains(out, sk) {
			out = append(out, sk)
		}
	}
	return out, nil
}

// SkillEntry is one skill a volunteer holds.
type SkillEntry struct {
	Skill      string
	VerifiedBy *int64
	VerifiedAt *time.Time
}

// Verified reports whether a team admin checked the certificate.
func (e SkillEntry) Verified() bool { return e.VerifiedAt != nil }

// MatchProfile is what a volunteer says about being found.
type MatchProfile struct {
	UserID       int64
	Skills       []SkillEntry
	Availability string // free text: 周末, 工作日晚上
	Findable     bool
	Lat, Lng     *float64 // the area's centre, WGS-84; nil: no area given
	RadiusM      float64  // how far the volunteer will travel from it
}

// Candidate is one volunteer as a search sees them, with their record.
type Candidate struct {
	VolunteerID  int64
	UserID       int64
	Name         string
	Findable     bool
	Lat, Lng     *float64
	Skills       []SkillEntry
	Availability string
	Minutes      int // hours served, in minutes (the whole ledger)
	Completed    int // activities attended to the end
	NoShows      int
	// Filled by Search.
	DistanceM float64 // to the area's centre as placed by areaCell
	Score     float64
	Verified  bool // holds the searched skill verified
}

// CandidateQuery selects candidates in the store.
type CandidateQuery struct {
	Skill                          string  // "" = any
	IDs                            []int64 // volunteer ids; nil = any findable with an area
	MinLat, MinLng, MaxLat, MaxLng *float64
	Limit                          int
}

// Invitation statuses. InviteExpired is how a pending invitation is shown
// once its activity's signup deadline has passed, decided when read and
// never stored: an activity moved later (改期) takes its invitations along.
const (
	InvitePending  = "pending"
	InviteAccepted = "accepted"
	InviteDeclined = "declined"
	InviteExpired  = "expired"
)

// Invitation asks one volunteer to sign up for one activity.
type Invitation struct {
	ID         int64
	ActivityID int64
	UserID     int64
	InvitedBy  int64
	Status     string
	ExpiresAt  time.Time // the activity's signup deadline, read with the invitation
	SignupID   *int64
	CreatedAt  time.Time
	DecidedAt  *time.Time
	// Messages are written to the outbox with the invitation when
	// CreateInvitations inserts it; NotificationIDs answers the rows the
	// queue must deliver.
	Messages        []guanjia.Message
	NotificationIDs []int64
	// Filled by lookups.
	VolunteerID int64
	Name        string
	New         bool              // CreateInvitations inserted it (it did not exist)
	Activity    *guanjia.Activity // what the volunteer is invited to, with its team's name (MyInvitations)
}

// InvitationFilter selects invitations.
type InvitationFilter struct {
	ActivityID int64
	UserID     int64
	Limit      int
}

// MatchStore is what matching needs from the database.
type MatchStore interface {
	// SaveMatchProfile replaces a volunteer's skills (keeping the verification
	// of skills kept) and area.
	SaveMatchProfile(ctx context.Context, p *MatchProfile) error
	MatchProfile(ctx context.Context, userID int64) (*MatchProfile, error)
	// VerifySkill marks (or unmarks) a skill verified; ENOTFOUND when the volunteer does not hold it.
	VerifySkill(ctx context.Context, userID int64, skill string, by *int64, at *time.Time) error
	// TeamMemberSkills answers the skills of team teamID's members, by user id.
	TeamMemberSkills(ctx context.Context, teamID int64) (map[int64][]SkillEntry, error)
	Candidates(ctx context.Context, q CandidateQuery) ([]*Candidate, error)

	// CreateInvitations inserts invitations and fills each in from its row,
	// marking New the ones inserted, whose Messages it writes in the same
	// transaction; one that exists already is left as it is.
	CreateInvitations(ctx context.Context, invs []*Invitation) error
	FindInvitation(ctx context.Context, id int64) (*Invitation, error)
	ListInvitations(ctx context.Context, f InvitationFilter) ([]*Invitation, error)
	// SaveInvitation writes inv's status, signup and decision time if it still has expect.
	SaveInvitation(ctx context.Context, inv *Invitation, expect string) error
}

// Matching is the part of the platform that finds and invites volunteers.
type Matching struct {
	*Platform
	Signups *Signups
}

// Matching limits.
const (
	MaxSearchRadiusM   = 50000
	MaxSearchPage      = 50
	MaxInvitesPerCall  = 50
	maxSearchCandidate = 2000 // most rows a search ranks
	// areaCellDeg is how coarsely a search places a volunteer's area centre,
	// often their home: at the middle of its cell of a 0.005° grid (about
	// 500 m), for the radius, the ranking and the distance shown alike, so
	// that no run of searches, from other points or with other radii,
	// locates it more closely than its cell.
	areaCellDeg = 0.005
)

// areaCell places a coordinate at the middle of its areaCellDeg cell.
func areaCell(deg float64) float64 { return (math.Floor(deg/areaCellDeg) + 0.5) * areaCellDeg }

// SkillsInput is what a volunteer sends with PUT /volunteer/me/skills.
type SkillsInput struct {
	Skills       []string
	Availability string
	Findable     bool
	Lat, Lng     *float64 // in CoordSystem; stored as WGS-84
	CoordSystem  string   // wgs84 (the default) or gcj02, as WeChat's map picks a point
	RadiusM      float64
}

// SetSkills records who's skills, area and availability.
func (s *Matching) SetSkills(ctx context.Context, who guanjia.Claims, in SkillsInput) (*MatchProfile, error) {
	if _, err := s.requireVolunteer(ctx, who); err != nil {
		return nil, err
	}
	names, err := catalogueSkills(in.Skills)
	if err != nil {
		return nil, err
	}
	p := &MatchProfile{UserID: who.UserID, Availability: strings.TrimSpace(in.Availability), Findable: in.Findable, RadiusM: in.RadiusM}
	for _, sk := range names {
		p.Skills = append(p.Skills, SkillEntry{Skill: sk})
	}
	if utf8.RuneCountInString(p.Availability) > 200 {
		return nil, guanjia.FieldError(guanjia.EINVALID, "availability", "availability is longer than 200 characters")
	}
	if (in.Lat == nil) != (in.Lng == nil) {
		return nil, guanjia.FieldError(guanjia.EINVALID, "lat", "give both lat and lng, or neither")
	}
	if in.Lat != nil {
		lat, lng, err := toWGS84(in.CoordSystem, in.Lat, in.Lng)
		if err != nil {
			return nil, err
		}
		if !geo.InServiceArea(lat, lng) {
			return nil, guanjia.FieldError(guanjia.EINVALID, "lat", "the area must be in Haikou")
		}
		if in.RadiusM < 0 || in.RadiusM > MaxSearchRadiusM {
			return nil, guanjia.FieldError(guanjia.EINVALID, "radius_m", "radius_m must be between 0 and %d", MaxSearchRadiusM)
		}
		p.Lat, p.Lng = &lat, &lng
	} else {
		p.RadiusM = 0
	}
	if err := s.Store.SaveMatchProfile(ctx, p); err != nil {
		return nil, err
	}
	return s.Store.MatchProfile(ctx, who.UserID)
}

// MySkills returns who's profile.
func (s *Matching) MySkills(ctx context.Context, who guanjia.Claims) (*MatchProfile, error) {
	if _, err := s.requireVolunteer(ctx, who); err != nil {
		return nil, err
	}
	return s.Store.MatchProfile(ctx, who.UserID)
}

// VerifySkill marks a member's certified skill as verified by an admin of
// team teamID, whom the volunteer belongs to.
func (s *Matching) VerifySkill(ctx context.Context, who guanjia.Claims, teamID, userID int64, skill string, verified bool) (*MatchProfile, error) {
	if ok, err := s.isTeamAdmin(ctx, who, teamID); err != nil {
		return nil, err
	} else if !ok {
		return nil, guanjia.Errorf(guanjia.EFORBIDDEN, "only the team's admins verify its members' skills")
	}
	// A certificate is seen by someone else: a volunteer who files a team is
	// its admin at once, before the city reviews it.
	if userID == who.UserID {
		return nil, guanjia.FieldError(guanjia.EFORBIDDEN, "user_id", "another admin of the team verifies your own certificate")
	}
	if _, err := s.Store.FindTeamMember(ctx, teamID, userID); err != nil {
		return nil, err
	}
	if !slices.Contains(SkillCatalogue, Skill{skill, true}) {
		return nil, guanjia.FieldError(guanjia.EINVALID, "skill", "%q needs no certificate to verify", skill)
	}
	var by *int64
	var at *time.Time
	if verified {
		now := s.now()
		by, at = actorID(who), &now
	}
	if err := s.Store.VerifySkill(ctx, userID, skill, by, at); err != nil {
		return nil, err
	}
	return s.Store.MatchProfile(ctx, userID)
}

// SearchInput is a team admin's search.
type SearchInput struct {
	Skill      string
	Lat, Lng   *float64 // the place; defaults to the activity's
	RadiusM    float64  // defaults to 5 km
	ActivityID int64    // optional: search for this activity (its team's admins only)
	Page       int      // 1-based
	PerPage    int
}

// SearchResult is one page of ranked candidates. Invited holds the status
// of the activity's invitations by user.
type SearchResult struct {
	Candidates []*Candidate
	Total      int
	Invited    map[int64]*Invitation
}

// Search finds findable volunteers whose area's centre is within RadiusM of
// the place, ranked: those holding the skill verified first, then by score.
func (s *Matching) Search(ctx context.Context, who guanjia.Claims, in SearchInput) (*SearchResult, error) {
	res := &SearchResult{Invited: map[int64]*Invitation{}}
	if in.ActivityID != 0 {
		a, actor, _, err := s.loadActivity(ctx, who, in.ActivityID)
		if err != nil {
			return nil, err
		}
		if actor == ActorSelf {
			return nil, guanjia.Errorf(guanjia.EFORBIDDEN, "only the activity's organisers search volunteers for it")
		}
		// As without an activity: a team not certified yet (its applicant is
		// its admin at once) may draft, but not look volunteers up.
		if actor != ActorAdmin {
			if t, err := s.Store.FindTeam(ctx, a.TeamID); err != nil {
				return nil, err
			} else if t.Status != guanjia.TeamCertified {
				return nil, guanjia.Errorf(guanjia.EFORBIDDEN, "only team admins search volunteers")
			}
		}
		if in.Lat == nil {
			in.Lat, in.Lng = &a.Lat, &a.Lng
		}
		invs, err := s.Store.ListInvitations(ctx, InvitationFilter{ActivityID: a.ID, Limit: maxSearchCandidate})
		if err != nil {
			return nil, err
		}
		for _, inv := range invs {
			res.Invited[inv.UserID] = inv
		}
	} else if err := s.requireAnyTeamAdmin(ctx, who); err != nil {
		return nil, err
	}
	if in.Skill != "" && !catalogued(in.Skill) {
		return nil, guanjia.FieldError(guanjia.EINVALID, "skill", "%q is not in the skill catalogue", in.Skill)
	}
	if in.Lat == nil || in.Lng == nil {
		return nil, guanjia.FieldError(guanjia.EINVALID, "lat", "give lat and lng, or an activity")
	}
	if in.RadiusM == 0 {
		in.RadiusM = 5000
	}
	if in.RadiusM < 0 || in.RadiusM > MaxSearchRadiusM {
		return nil, guanjia.FieldError(guanjia.EINVALID, "radius_m", "radius_m must be between 0 and %d", MaxSearchRadiusM)
	}
	in.Page = max(in.Page, 1)
	if in.PerPage <= 0 || in.PerPage > MaxSearchPage {
		in.PerPage = 20
	}
	minLat, minLng, maxLat, maxLng := geo.BoundingBox(*in.Lat, *in.Lng, in.RadiusM+500) // + a cell: the store holds the exact centres
	cands, err := s.Store.Candidates(ctx, CandidateQuery{Skill: in.Skill, MinLat: &minLat, MinLng: &minLng,
		MaxLat: &maxLat, MaxLng: &maxLng, Limit: maxSearchCandidate})
	if err != nil {
		return nil, err
	}
	kept := cands[:0]
	for _, c := range cands {
		if c.UserID == who.UserID || c.Lat == nil {
			continue
		}
		c.DistanceM = math.Round(geo.Distance(*in.Lat, *in.Lng, areaCell(*c.Lat), areaCell(*c.Lng)))
		if c.DistanceM > in.RadiusM {
			continue
		}
		c.Verified = slices.ContainsFunc(c.Skills, func(e SkillEntry) bool { return e.Skill == in.Skill && e.Verified() })
		c.Score = score(c, in.RadiusM)
		kept = append(kept, c)
	}
	sort.SliceStable(kept, func(i, j int) bool {
		if kept[i].Verified != kept[j].Verified {
			return kept[i].Verified
		}
		if kept[i].Score != kept[j].Score {
			return kept[i].Score > kept[j].Score
		}
		return kept[i].VolunteerID < kept[j].VolunteerID
	})
	res.Total = len(kept)
	from := min((in.Page-1)*in.PerPage, len(kept))
	res.Candidates = kept[from:min(from+in.PerPage, len(kept))]
	return res, nil
}

// score weighs a candidate from 0 to 1: nearness 40 %, hours served 25 %
// (full at 100 h), activities completed 15 % (full at 20) and reliability
// 20 % (attended over attended + no-shows, with one attendance assumed so a
// newcomer is not ranked below someone who missed once).
func score(c *Candidate, radius float64) float64 {
	near := 1 - c.DistanceM/math.Max(radius, 1)
	hours := math.Min(float64(c.Minutes)/60/100, 1)
	done := math.Min(float64(c.Completed)/20, 1)
	reliable := float64(c.Completed+1) / float64(c.Completed+c.NoShows+1)
	return 0.4*near + 0.25*hours + 0.15*done + 0.2*reliable
}

// requireAnyTeamAdmin admits platform admins and admins of a certified team.
func (s *Matching) requireAnyTeamAdmin(ctx context.Context, who guanjia.Claims) error {
	if who.Role == guanjia.RoleAdmin {
		return nil
	}
	teams, err := s.Store.ListTeams(ctx, TeamFilter{Status: guanjia.TeamCertified, MemberID: who.UserID, Limit: 100})
	if err != nil {
		return err
	}
	for _, t := range teams {
		if ok, err := s.isTeamAdmin(ctx, who, t.ID); err != nil {
			return err
		} else if ok {
			return nil
		}
	}
	return guanjia.Errorf(guanjia.EFORBIDDEN, "only team admins search volunteers")
}

// MaskName shows a surname only: 陈** (or 志愿者#id when there is no name).
func MaskName(name string, volunteerID int64) string {
	r, _ := utf8.DecodeRuneInString(name)
	if name == "" || r == utf8.RuneError {
		return "志愿者#" + strconv.FormatInt(volunteerID, 10)
	}
	return string(r) + "**"
}

// Invite invites chosen volunteers to an activity open for signup. Every one
// must be findable; inviting someone again leaves their invitation as it is
// (one shown expired is pending again once its activity's deadline moves later).
func (s *Matching) Invite(ctx context.Context, who guanjia.Claims, activityID int64, volunteerIDs []int64) ([]*Invitation, error) {
	a, actor, _, err := s.loadActivity(ctx, who, activityID)
	if err != nil {
		return nil, err
	}
	if actor == ActorSelf {
		return nil, guanjia.Errorf(guanjia.EFORBIDDEN, "only the activity's organisers invite volunteers")
	}
	seen := map[int64]bool{} // one invitation, and one message, however often a volunteer is named
	volunteerIDs = slices.DeleteFunc(slices.Clone(volunteerIDs), func(id int64) bool {
		named := seen[id]
		seen[id] = true
		return named
	})
	switch n := len(volunteerIDs); {
	case n == 0:
		return nil, guanjia.FieldError(guanjia.EINVALID, "volunteer_ids", "choose at least one volunteer")
	case n > MaxInvitesPerCall:
		return nil, guanjia.FieldError(guanjia.EINVALID, "volunteer_ids", "at most %d volunteers at a time", MaxInvitesPerCall)
	}
	now := s.now()
	if err := signupOpen(a, now); err != nil {
		return nil, err
	}
	cands, err := s.Store.Candidates(ctx, CandidateQuery{IDs: volunteerIDs, Limit: MaxInvitesPerCall})
	if err != nil {
		return nil, err
	}
	byID := map[int64]*Candidate{}
	for _, c := range cands {
		if c.Findable {
			byID[c.VolunteerID] = c
		}
	}
	// An invitation expires at the activity's signup deadline. The subscribe
	// message is sent only where the volunteer gave consent (the sender checks).
	data := activityData(a, map[string]string{"note": "截止" + localTime(a.SignupDeadline), "status": "邀请"})
	invs := make([]*Invitation, 0, len(volunteerIDs))
	for _, id := range volunteerIDs {
		c, ok := byID[id]
		if !ok {
			return nil, guanjia.FieldError(guanjia.EINVALID, "volunteer_ids", "volunteer %d cannot be invited", id)
		}
		invs = append(invs, &Invitation{ActivityID: a.ID, UserID: c.UserID, InvitedBy: who.UserID, Status: InvitePending, CreatedAt: now,
			Messages: []guanjia.Message{messageOn(c.UserID, guanjia.ChannelInbox, guanjia.TplVolunteerInvitation, data),
				messageOn(c.UserID, guanjia.ChannelSubscribe, guanjia.TplVolunteerInvitation, data)}})
	}
	if err := s.Store.CreateInvitations(ctx, invs); err != nil {
		return nil, err
	}
	for _, inv := range invs {
		s.deliver(ctx, inv.NotificationIDs)
	}
	return s.ActivityInvitations(ctx, who, a.ID)
}

// ActivityInvitations lists an activity's invitations for its organisers;
// names stay masked until the volunteer accepts.
func (s *Matching) ActivityInvitations(ctx context.Context, who guanjia.Claims, activityID int64) ([]*Invitation, error) {
	a, actor, _, err := s.loadActivity(ctx, who, activityID)
	if err != nil {
		return nil, err
	}
	if actor == ActorSelf {
		return nil, guanjia.Errorf(guanjia.EFORBIDDEN, "only the activity's organisers see its invitations")
	}
	invs, err := s.Store.ListInvitations(ctx, InvitationFilter{ActivityID: a.ID, Limit: maxSearchCandidate})
	if err != nil {
		return nil, err
	}
	now := s.now()
	for _, inv := range invs {
		expire(inv, now)
		if inv.Status != InviteAccepted {
			inv.Name = MaskName(inv.Name, inv.VolunteerID)
		}
	}
	return invs, nil
}

// MyInvitations lists who's invitations, newest first, each with its
// activity (read in one query for the whole list). One to an activity
// cancelled since is expired: nothing is left to answer.
func (s *Matching) MyInvitations(ctx context.Context, who guanjia.Claims) ([]*Invitation, error) {
	invs, err := s.Store.ListInvitations(ctx, InvitationFilter{UserID: who.UserID, Limit: 200})
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, inv := range invs {
		if !slices.Contains(ids, inv.ActivityID) {
			ids = append(ids, inv.ActivityID)
		}
	}
	if len(ids) == 0 {
		return invs, nil
	}
	// Invitations are sent to published activities only, which stay
	// visible to everyone whatever becomes of them.
	list, err := s.Store.ListActivities(ctx, ActivityFilter{IDs: ids, Limit: len(ids)})
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]*guanjia.Activity, len(list))
	for _, a := range list {
		byID[a.ID] = a
	}
	now := s.now()
	for _, inv := range invs {
		expire(inv, now)
		inv.Activity = byID[inv.ActivityID]
		if inv.Status == InvitePending && inv.Activity != nil && inv.Activity.Status == guanjia.ActivityCancelled {
			inv.Status = InviteExpired
		}
	}
	return invs, nil
}

// expire shows a pending invitation past its time as expired, and says whether it did.
func expire(inv *Invitation, now time.Time) bool {
	if inv.Status == InvitePending && !now.Before(inv.ExpiresAt) {
		inv.Status = InviteExpired
		return true
	}
	return false
}

// Accept signs who up through the ordinary signup path (confirmed while
// places remain, waitlisted after) and records the invitation as accepted.
func (s *Matching) Accept(ctx context.Context, who guanjia.Claims, id int64) (*Invitation, *guanjia.Signup, error) {
	inv, err := s.pending(ctx, who, id)
	if err != nil {
		return nil, nil, err
	}
	// Someone who signed up on their own meanwhile accepts with that signup.
	su, err := s.Store.FindActiveSignup(ctx, inv.ActivityID, who.UserID)
	if guanjia.ErrorCode(err) == guanjia.ENOTFOUND {
		su, err = s.Signups.Signup(ctx, who, inv.ActivityID)
	}
	if guanjia.ErrorCode(err) == guanjia.EUNPROCESSABLE && guanjia.ErrorField(err) == "signup_deadline" {
		return nil, nil, guanjia.Errorf(guanjia.EUNPROCESSABLE, "the invitation expired at %s", localTime(inv.ExpiresAt))
	} else if err != nil {
		return nil, nil, err
	}
	inv.SignupID = &su.ID
	if err := s.decide(ctx, inv, InviteAccepted); err != nil {
		return nil, nil, err
	}
	return inv, su, nil
}

// Decline turns an invitation down.
func (s *Matching) Decline(ctx context.Context, who guanjia.Claims, id int64) (*Invitation, error) {
	inv, err := s.pending(ctx, who, id)
	if err != nil {
		return nil, err
	}
	return inv, s.decide(ctx, inv, InviteDeclined)
}

// pending loads who's own invitation while it may still be answered.
func (s *Matching) pending(ctx context.Context, who guanjia.Claims, id int64) (*Invitation, error) {
	inv, err := s.Store.FindInvitation(ctx, id)
	if err != nil || inv.UserID != who.UserID {
		return nil, guanjia.Errorf(guanjia.ENOTFOUND, "invitation %d not found", id)
	}
	if expire(inv, s.now()) {
		return nil, guanjia.Errorf(guanjia.EUNPROCESSABLE, "the invitation expired at %s", localTime(inv.ExpiresAt))
	}
	if inv.Status != InvitePending {
		return nil, guanjia.Errorf(guanjia.ECONFLICT, "the invitation is already %s", inv.Status)
	}
	return inv, nil
}

// decide moves a pending invitation on: accepted or declined.
func (s *Matching) decide(ctx context.Context, inv *Invitation, to string) error {
	now := s.now()
	inv.Status, inv.DecidedAt = to, &now
	return s.Store.SaveInvitation(ctx, inv, InvitePending)
}
