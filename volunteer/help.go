package volunteer

import (
	"context"
	"slices"
	"strings"
	"time"

	"guanjia"
)

// HelpInput is a citizen's request for help (求助).
type HelpInput struct {
	Title       string
	Description string
	Address     string
	Lat, Lng    *float64
	CoordSystem string
	NeededAt    time.Time
}

// CreateHelpRequest files a help request; an admin reviews it before teams see it.
func (s *HelpRequests) CreateHelpRequest(ctx context.Context, who guanjia.Claims, in HelpInput) (*guanjia.HelpRequest, error) {
	now := s.now()
	h := &guanjia.HelpRequest{RequesterID: who.UserID, Title: strings.TrimSpace(in.Title), Description: strings.TrimSpace(in.Description),
		Address: strings.TrimSpace(in.Address), CoordSystem: in.CoordSystem, NeededAt: in.NeededAt.UTC(),
		Status: guanjia.HelpSubmitted, CreatedAt: now, UpdatedAt: now}
	if err := h.Validate(); err != nil {
		return nil, err
	}
	if !h.NeededAt.After(now) {
		return nil, guanjia.FieldError(guanjia.EINVALID, "needed_at", "the time help is needed must be in the future")
	}
	lat, lng, err := toWGS84(in.CoordSystem, in.Lat, in.Lng)
	if err != nil {
		return nil, err
	}
	if h.CoordSystem == "" {
		h.CoordSystem = "wgs84"
	}
	h.Lat, h.Lng = lat, lng
	for field, text := range map[string]string{"title": h.Title, "description": h.Description} {
		if err := s.checkText(ctx, who, field, text); err != nil {
			return nil, err
		}
	}
	ev := event(SubjectHelp, 0, ActCreate, "", string(h.Status), actorID(who), "", now)
	if err := s.Store.CreateHelpRequest(ctx, h, ev); err != nil {
		return nil, err
	}
	return h, nil
}

// HelpExpired is how a request still waiting for review or a team is shown
// once the time help was needed has passed: decided when read, never stored.
const HelpExpired guanjia.HelpStatus = "expired"

// HelpWaiting are the statuses of a request waiting for review or a team.
var HelpWaiting = []guanjia.HelpStatus{guanjia.HelpSubmitted, guanjia.HelpPublished}

// helpLapsed reports whether h still waits although nobody can help any more.
func helpLapsed(h *guanjia.HelpRequest, now time.Time) bool {
	return slices.Contains(HelpWaiting, h.Status) && !now.Before(h.NeededAt)
}

// showLapsed shows the lapsed among list as HelpExpired.
func showLapsed(now time.Time, list ...*guanjia.HelpRequest) {
	for _, h := range list {
		if helpLapsed(h, now) {
			h.Status = HelpExpired
		}
	}
}

// HelpAction is a step on a help request: approve, refuse, claim, complete or cancel.
type HelpAction struct {
	Action string
	TeamID int64  // claim: the team taking it on
	Reason string // refuse (required), cancel, complete (what was done)
}

// ActHelpRequest takes a step on a help request. Claiming needs a certified
// team the caller administers; only that team completes it.
func (s *HelpRequests) ActHelpRequest(ctx context.Context, who guanjia.Claims, id int64, in HelpAction) (*guanjia.HelpRequest, error) {
	h, err := s.Store.FindHelpRequest(ctx, id)
	if err != nil {
		return nil, err
	}
	actor := ActorSelf
	switch {
	case who.Role == guanjia.RoleAdmin:
		actor = ActorAdmin
	case in.Action == ActClaim:
		actor, err = s.actorFor(ctx, who, in.TeamID)
	case in.Action == ActComplete && h.TeamID != nil:
		actor, err = s.actorFor(ctx, who, *h.TeamID)
	}
	if err != nil {
		return nil, err
	}
	if actor == ActorSelf && h.RequesterID != who.UserID {
		if !helpPublic(h.Status) {
			return nil, guanjia.Errorf(guanjia.ENOTFOUND, "help request %d not found", id)
		}
		return nil, guanjia.Errorf(guanjia.EFORBIDDEN, "you may not %s this help request", in.Action)
	}
	to, err := next(helpTransitions, "help request", h.Status, in.Action, actor)
	if err != nil {
		return nil, err
	}
	if in.Action == ActRefuse {
		if err := requireReason(in.Reason); err != nil {
			return nil, err
		}
	}
	now := s.now()
	if (in.Action == ActApprove || in.Action == ActClaim) && helpLapsed(h, now) {
		return nil, guanjia.FieldError(guanjia.EUNPROCESSABLE, "needed_at", "help was needed by %s; that time has passed", localTime(h.NeededAt))
	}
	if in.Action == ActClaim {
		t, err := s.Store.FindTeam(ctx, in.TeamID)
		if err != nil {
			return nil, guanjia.FieldError(guanjia.EINVALID, "team_id", "team %d not found", in.TeamID)
		}
		if t.Status != guanjia.TeamCertified {
			return nil, guanjia.FieldError(guanjia.EUNPROCESSABLE, "team_id", "only certified teams take on help requests")
		}
		h.TeamID = &t.ID
	}
	from := h.Status
	h.Status, h.UpdatedAt = to, now
	if in.Action == ActRefuse || in.Action == ActCancel {
		h.ReviewNote = strings.TrimSpace(in.Reason)
	}
	ev := event(SubjectHelp, id, in.Action, string(from), string(to), actorID(who), strings.TrimSpace(in.Reason), now)
	if err := s.Store.SaveHelpRequest(ctx, h, from, ev); err != nil {
		return nil, err
	}
	return h, nil
}

// GetHelpRequest returns a request to its requester, admins, and anyone once
// published, as shownTo says.
func (s *HelpRequests) GetHelpRequest(ctx context.Context, who guanjia.Claims, id int64) (*guanjia.HelpRequest, []*guanjia.VolunteerEvent, error) {
	h, err := s.Store.FindHelpRequest(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if !helpPublic(h.Status) && h.RequesterID != who.UserID && who.Role != guanjia.RoleAdmin {
		return nil, nil, guanjia.Errorf(guanjia.ENOTFOUND, "help request %d not found", id)
	}
	events, err := s.Store.ListVolunteerEvents(ctx, SubjectHelp, id)
	if err != nil {
		return nil, nil, err
	}
	showLapsed(s.now(), h)
	shown, err := s.shownTo(ctx, who, map[int64]bool{}, h)
	return shown, events, err
}

// shownTo is h as who may read it. Its requester, the platform's admins and
// the admins of the team that claimed it read all of it; anyone else reads
// what help is needed, when, and roughly where (the middle of the ~500 m
// cell of areaCell): the address and the point are often the home of
// someone who lives alone. teamAdmin remembers, by team, whether who is one
// of its admins, for a list.
func (s *HelpRequests) shownTo(ctx context.Context, who guanjia.Claims, teamAdmin map[int64]bool, h *guanjia.HelpRequest) (*guanjia.HelpRequest, error) {
	if who.Role == guanjia.RoleAdmin || h.RequesterID == who.UserID {
		return h, nil
	}
	if h.TeamID != nil {
		ok, seen := teamAdmin[*h.TeamID]
		if !seen {
			var err error
			if ok, err = s.isTeamAdmin(ctx, who, *h.TeamID); err != nil {
				return nil, err
			}
			teamAdmin[*h.TeamID] = ok
		}
		if ok {
			return h, nil
		}
	}
	shown := *h
	shown.RequesterID, shown.Address = 0, ""
	shown.Lat, shown.Lng = areaCell(h.Lat), areaCell(h.Lng)
	return &shown, nil
}

// HelpQuery selects help requests for a list.
type HelpQuery struct {
	Status []guanjia.HelpStatus // default: published
	Mine   bool
	TeamID int64
}

// ListHelpRequests lists the caller's own requests, a team's, or those in a
// status; requests not yet published are listed to admins only. Requests
// that lapsed waiting are listed to their requester only, as HelpExpired.
func (s *HelpRequests) ListHelpRequests(ctx context.Context, who guanjia.Claims, q HelpQuery) ([]*guanjia.HelpRequest, error) {
	now := s.now()
	f := HelpFilter{Status: q.Status, TeamID: q.TeamID, Limit: 200}
	if q.Mine {
		f.RequesterID = who.UserID
	} else {
		f.NotLapsedAt = &now
		if len(f.Status) == 0 {
			f.Status = []guanjia.HelpStatus{guanjia.HelpPublished}
		}
		for _, st := range f.Status {
			if (st == guanjia.HelpSubmitted || st == guanjia.HelpRefused || st == guanjia.HelpCancelled) && who.Role != guanjia.RoleAdmin {
				return nil, guanjia.FieldError(guanjia.EFORBIDDEN, "status", "help requests that are %s are listed to admins only", st)
			}
		}
	}
	list, err := s.Store.ListHelpRequests(ctx, f)
	if err != nil {
		return nil, err
	}
	showLapsed(now, list...)
	teamAdmin := map[int64]bool{}
	for i, h := range list {
		if list[i], err = s.shownTo(ctx, who, teamAdmin, h); err != nil {
			return nil, err
		}
	}
	return list, nil
}

// helpPublic reports whether a help request in status is shown to everyone.
func helpPublic(st guanjia.HelpStatus) bool {
	return st == guanjia.HelpPublished || st == guanjia.HelpClaimed || st == guanjia.HelpDone
}
