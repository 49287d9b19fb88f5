package api

import (
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"guanjia/volunteer"
)

// 公益海口 精准匹配: volunteers' skills and areas, the team admins' search,
// and invitations to activities.

type skillJSON struct {
	Skill      string     `json:"skill"`
	Verified   bool       `json:"verified"`
	VerifiedAt *time.Time `json:"verified_at,omitempty"`
}

type matchProfileJSON struct {
	Skills       []skillJSON `json:"skills"`
	Availability string      `json:"availability"`
	Findable     bool        `json:"findable"` // opt-in: teams find the volunteer only when true
	Lat          *float64    `json:"lat"`      // WGS-84, whatever coord_system was sent
	Lng          *float64    `json:"lng"`
	RadiusM      float64     `json:"radius_m"`
}

// memberSkillsJSON is what a team admin reads of a member's profile: the
// skills, not where the member lives or whether they may be found.
type memberSkillsJSON struct {
	Skills []skillJSON `json:"skills"`
}

func toSkillsJSON(skills []volunteer.SkillEntry) []skillJSON {
	out := make([]skillJSON, len(skills))
	for i, e := range skills {
		out[i] = skillJSON{Skill: e.Skill, Verified: e.Verified(), VerifiedAt: e.VerifiedAt}
	}
	return out
}

func toMatchProfileJSON(p *volunteer.MatchProfile) matchProfileJSON {
	return matchProfileJSON{Skills: toSkillsJSON(p.Skills), Availability: p.Availability, Findable: p.Findable,
		Lat: p.Lat, Lng: p.Lng, RadiusM: p.RadiusM}
}

type skillsRequest struct {
	Skills       []string `json:"skills"`
	Availability string   `json:"availability"`
	Findable     bool     `json:"findable"`
	Lat          *float64 `json:"lat"` // the centre of the area served, in coord_system
	Lng          *float64 `json:"lng"`
	CoordSystem  string   `json:"coord_system"` // wgs84 (default) or gcj02; answered as WGS-84
	RadiusM      float64  `json:"radius_m"`
}

type skillCatalogue struct {
	Skills []volunteer.Skill `json:"skills"`
}

// handleSkillCatalogue lists the skills a volunteer may record.
func (h *volunteerHandlers) handleSkillCatalogue(c echo.Context) error {
	return c.JSON(http.StatusOK, skillCatalogue{Skills: volunteer.SkillCatalogue})
}

// handleMySkills answers the caller's skills, area and findability.
func (h *volunteerHandlers) handleMySkills(c echo.Context) error {
	p, err := h.volunteer.Matching.MySkills(c.Request().Context(), claimsOf(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toMatchProfileJSON(p))
}

// handleMySkillsSet replaces the caller's skills, area and findability.
func (h *volunteerHandlers) handleMySkillsSet(c echo.Context) error {
	var req skillsRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	p, err := h.volunteer.Matching.SetSkills(c.Request().Context(), claimsOf(c), volunteer.SkillsInput{Skills: req.Skills,
		Availability: req.Availability, Findable: req.Findable, Lat: req.Lat, Lng: req.Lng, CoordSystem: req.CoordSystem,
		RadiusM: req.RadiusM})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toMatchProfileJSON(p))
}

type verifySkillRequest struct {
	Skill    string `json:"skill"`
	Verified bool   `json:"verified"`
}

// handleSkillVerify lets a team admin mark a member's certified skill verified.
func (h *volunteerHandlers) handleSkillVerify(c echo.Context) error {
	id, user, err := pathIDUser(c)
	if err != nil {
		return err
	}
	var req verifySkillRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	p, err := h.volunteer.Matching.VerifySkill(c.Request().Context(), claimsOf(c), id, user, req.Skill, req.Verified)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, memberSkillsJSON{Skills: toSkillsJSON(p.Skills)})
}

type candidateJSON struct {
	VolunteerID  int64       `json:"volunteer_id"`
	Name         string      `json:"name"` // masked (陈**) until the volunteer accepts an invitation to the activity searched for
	Skills       []skillJSON `json:"skills"`
	Verified     bool        `json:"verified"` // holds the skill searched for, verified
	Availability string      `json:"availability"`
	DistanceM    float64     `json:"distance_m"` // to their area's centre, placed only to its cell of about 500 m
	Hours        float64     `json:"hours"`
	Completed    int         `json:"activities_completed"`
	NoShows      int         `json:"no_shows"`
	Score        float64     `json:"score"`
	Invitation   string      `json:"invitation,omitempty"` // the status of their invitation to the activity
}

type candidateList struct {
	Volunteers []candidateJSON `json:"volunteers"`
	Total      int             `json:"total"`
	Page       int             `json:"page"`
}

// handleVolunteerSearch ranks findable volunteers near a place for team admins.
func (h *volunteerHandlers) handleVolunteerSearch(c echo.Context) error {
	in := volunteer.SearchInput{Skill: c.QueryParam("skill")}
	var err error
	if in.Page, in.PerPage, err = paging(c, 20, volunteer.MaxSearchPage); err != nil {
		return err
	}
	act, err := queryInt(c, "activity", 0, 0, math.MaxInt32)
	if err != nil {
		return err
	}
	in.ActivityID = int64(act)
	radius, err := queryInt(c, "radius_m", 5000, 1, volunteer.MaxSearchRadiusM)
	if err != nil {
		return err
	}
	in.RadiusM = float64(radius)
	if c.QueryParam("lat") != "" || c.QueryParam("lng") != "" {
		var coords [2]float64
		for i, name := range []string{"lat", "lng"} {
			v, err := strconv.ParseFloat(c.QueryParam(name), 64)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				return invalid(name, "%s must be a number", name)
			}
			coords[i] = v
		}
		in.Lat, in.Lng = &coords[0], &coords[1]
	}
	res, err := h.volunteer.Matching.Search(c.Request().Context(), claimsOf(c), in)
	if err != nil {
		return err
	}
	out := mapJSON(res.Candidates, func(cd *volunteer.Candidate) candidateJSON {
		j := candidateJSON{VolunteerID: cd.VolunteerID, Name: volunteer.MaskName(cd.Name, cd.VolunteerID),
			Skills: toSkillsJSON(cd.Skills), Verified: cd.Verified, Availability: cd.Availability,
			DistanceM: cd.DistanceM, Hours: hours(cd.Minutes), Completed: cd.Completed, NoShows: cd.NoShows,
			Score: math.Round(cd.Score*1000) / 1000}
		if inv := res.Invited[cd.UserID]; inv != nil {
			j.Invitation = inv.Status
			if inv.Status == volunteer.InviteAccepted {
				j.Name = cd.Name
			}
		}
		return j
	})
	return c.JSON(http.StatusOK, candidateList{Volunteers: out, Total: res.Total, Page: in.Page})
}

type invitationJSON struct {
	ID          int64      `json:"id"`
	ActivityID  int64      `json:"activity_id"`
	VolunteerID int64      `json:"volunteer_id"`
	Name        string     `json:"name,omitempty"` // masked until accepted (organisers' list)
	Status      string     `json:"status"`         // pending, accepted, declined, expired
	ExpiresAt   time.Time  `json:"expires_at"`
	SignupID    *int64     `json:"signup_id,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	DecidedAt   *time.Time `json:"decided_at,omitempty"`
}

func toInvitationJSON(inv *volunteer.Invitation) invitationJSON {
	return invitationJSON{ID: inv.ID, ActivityID: inv.ActivityID, VolunteerID: inv.VolunteerID, Name: inv.Name,
		Status: inv.Status, ExpiresAt: inv.ExpiresAt, SignupID: inv.SignupID, CreatedAt: inv.CreatedAt, DecidedAt: inv.DecidedAt}
}

type invitationList struct {
	Invitations []invitationJSON `json:"invitations"`
}

type inviteRequest struct {
	VolunteerIDs []int64 `json:"volunteer_ids"`
}

type acceptJSON struct {
	Invitation invitationJSON `json:"invitation"`
	Signup     signupJSON     `json:"signup"` // confirmed, or waitlisted when the places are taken
}

// handleInvitationCreate invites chosen volunteers to an activity.
func (h *activityHandlers) handleInvitationCreate(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var req inviteRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	invs, err := h.volunteer.Matching.Invite(c.Request().Context(), claimsOf(c), id, req.VolunteerIDs)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, invitationList{Invitations: mapJSON(invs, toInvitationJSON)})
}

// handleInvitationList lists an activity's invitations for its organisers.
func (h *activityHandlers) handleInvitationList(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	invs, err := h.volunteer.Matching.ActivityInvitations(c.Request().Context(), claimsOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, invitationList{Invitations: mapJSON(invs, toInvitationJSON)})
}

// activitySummaryJSON is what an invitation invites to: enough for a list
// to show without reading each activity.
type activitySummaryJSON struct {
	ID             int64     `json:"id"`
	TeamID         int64     `json:"team_id"`
	Team           string    `json:"team"`
	Title          string    `json:"title"`
	Address        string    `json:"address"`
	StartAt        time.Time `json:"start_at"`
	EndAt          time.Time `json:"end_at"`
	SignupDeadline time.Time `json:"signup_deadline"`
	Status         string    `json:"status"`
}

// myInvitationJSON is an invitation as its volunteer reads it, with its activity.
type myInvitationJSON struct {
	invitationJSON
	Activity *activitySummaryJSON `json:"activity,omitempty"`
}

type myInvitationList struct {
	Invitations []myInvitationJSON `json:"invitations"`
}

func toMyInvitationJSON(inv *volunteer.Invitation) myInvitationJSON {
	out := myInvitationJSON{invitationJSON: toInvitationJSON(inv)}
	if a := inv.Activity; a != nil {
		out.Activity = &activitySummaryJSON{ID: a.ID, TeamID: a.TeamID, Team: a.TeamName, Title: a.Title, Address: a.Address,
			StartAt: a.StartAt, EndAt: a.EndAt, SignupDeadline: a.SignupDeadline, Status: string(a.Status)}
	}
	return out
}

// handleMyInvitations lists the caller's invitations, each with its activity.
func (h *activityHandlers) handleMyInvitations(c echo.Context) error {
	invs, err := h.volunteer.Matching.MyInvitations(c.Request().Context(), claimsOf(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, myInvitationList{Invitations: mapJSON(invs, toMyInvitationJSON)})
}

// handleInvitationAccept signs the caller up through the invitation.
func (h *activityHandlers) handleInvitationAccept(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	inv, su, err := h.volunteer.Matching.Accept(c.Request().Context(), claimsOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, acceptJSON{Invitation: toInvitationJSON(inv), Signup: toSignupJSON(su)})
}

// handleInvitationDecline turns the caller's invitation down.
func (h *activityHandlers) handleInvitationDecline(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	inv, err := h.volunteer.Matching.Decline(c.Request().Context(), claimsOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toInvitationJSON(inv))
}
