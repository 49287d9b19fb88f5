package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"guanjia"
	"guanjia/volunteer"
)

type teamJSON struct {
	ID           int64      `json:"id"`
	Name         string     `json:"name"`
	Organisation string     `json:"organisation"`
	CreditCode   string     `json:"credit_code,omitempty"`
	ContactName  string     `json:"contact_name"`
	ContactPhone string     `json:"contact_phone"` // masked
	District     string     `json:"district"`
	Address      string     `json:"address,omitempty"`
	Lat          float64    `json:"lat"`
	Lng          float64    `json:"lng"`
	Status       string     `json:"status"`
	ReviewNote   string     `json:"review_note,omitempty"`
	Members      int        `json:"members"`
	CreatedAt    time.Time  `json:"created_at"`
	CertifiedAt  *time.Time `json:"certified_at,omitempty"`
	DistanceM    *float64   `json:"distance_m,omitempty"`
	BlackLists   []string   `json:"black_lists,omitempty"` // 联合惩戒: 失信 lists the organisation is on
	MyRole       string     `json:"my_role,omitempty"`     // the caller's role (admin, member) in their own teams (?mine=true)
	Applicant    string     `json:"applicant,omitempty"`   // the applicant's certified name, in the review queue (?status=pending, admins)
}

func toTeamJSON(t *guanjia.Team) teamJSON {
	return teamJSON{ID: t.ID, Name: t.Name, Organisation: t.Organisation, CreditCode: t.CreditCode, BlackLists: t.BlackLists, ContactName: t.ContactName,
		ContactPhone: guanjia.MaskPhone(t.ContactPhone), District: t.District, Address: t.Address, Lat: t.Lat, Lng: t.Lng,
		Status: string(t.Status), ReviewNote: t.ReviewNote, Members: t.Members, CreatedAt: t.CreatedAt, CertifiedAt: t.CertifiedAt,
		Applicant: t.Applicant}
}

type teamRequest struct {
	Name         string   `json:"name"`
	Organisation string   `json:"organisation"`
	CreditCode   string   `json:"credit_code"`
	ContactName  string   `json:"contact_name"`
	ContactPhone string   `json:"contact_phone"`
	District     string   `json:"district"`
	Address      string   `json:"address"`
	Lat          *float64 `json:"lat"`
	Lng          *float64 `json:"lng"`
	CoordSystem  string   `json:"coord_system"`
}

// handleTeamCreate files a team's application; the caller becomes its admin.
func (h *volunteerHandlers) handleTeamCreate(c echo.Context) error {
	var req teamRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	t, err := h.volunteer.Teams.ApplyTeam(c.Request().Context(), claimsOf(c), volunteer.TeamInput{Name: req.Name,
		Organisation: req.Organisation, CreditCode: req.CreditCode, ContactName: req.ContactName, ContactPhone: req.ContactPhone,
		District: req.District, Address: req.Address, Lat: req.Lat, Lng: req.Lng, CoordSystem: req.CoordSystem})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toTeamJSON(t))
}

// handleTeamList lists certified teams (?near=lat,lng&radius=, ?mine=true, ?status= for admins).
func (h *volunteerHandlers) handleTeamList(c echo.Context) error {
	near, err := nearQuery(c)
	if err != nil {
		return err
	}
	hits, err := h.volunteer.Teams.ListTeams(c.Request().Context(), claimsOf(c), volunteer.TeamQuery{
		Status: guanjia.TeamStatus(c.QueryParam("status")), Mine: c.QueryParam("mine") == "true", Near: near})
	if err != nil {
		return err
	}
	out := mapJSON(hits, func(hit volunteer.TeamHit) teamJSON {
		t := toTeamJSON(hit.Team)
		t.DistanceM, t.MyRole = hit.DistanceM, hit.MyRole
		return t
	})
	return c.JSON(http.StatusOK, map[string]any{"teams": out})
}

// handleTeamGet answers one team.
func (h *volunteerHandlers) handleTeamGet(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	t, err := h.volunteer.Teams.GetTeam(c.Request().Context(), claimsOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toTeamJSON(t))
}

// reviewRequest is an admin's decision: {"approve":true} or {"approve":false,"reason":"…"}.
type reviewRequest struct {
	Approve *bool  `json:"approve"`
	Reason  string `json:"reason"`
}

func bindReview(c echo.Context) (reviewRequest, error) {
	var req reviewRequest
	if err := bind(c, &req); err != nil {
		return req, err
	}
	if req.Approve == nil {
		return req, invalid("approve", "approve is true or false")
	}
	return req, nil
}

// handleTeamReview certifies or refuses a team (admins).
func (h *volunteerHandlers) handleTeamReview(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	req, err := bindReview(c)
	if err != nil {
		return err
	}
	t, err := h.volunteer.Teams.ReviewTeam(c.Request().Context(), claimsOf(c), id, *req.Approve, req.Reason)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toTeamJSON(t))
}

type memberJSON struct {
	TeamID   int64       `json:"team_id"`
	UserID   int64       `json:"user_id"`
	Name     string      `json:"name,omitempty"`
	Role     string      `json:"role"`
	JoinedAt time.Time   `json:"joined_at"`
	Skills   []skillJSON `json:"skills,omitempty"` // in the members list: what the member recorded, for verifying certificates
}

func toMemberJSON(m *guanjia.TeamMember) memberJSON {
	return memberJSON{TeamID: m.TeamID, UserID: m.UserID, Name: m.Name, Role: m.Role, JoinedAt: m.JoinedAt}
}

// handleTeamJoin makes the caller a member of a certified team.
func (h *volunteerHandlers) handleTeamJoin(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	m, err := h.volunteer.Teams.JoinTeam(c.Request().Context(), claimsOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toMemberJSON(m))
}

// handleTeamMembers lists a team's members with their skills (its admins).
func (h *volunteerHandlers) handleTeamMembers(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	list, err := h.volunteer.Teams.ListTeamMembers(c.Request().Context(), claimsOf(c), id)
	if err != nil {
		return err
	}
	out := mapJSON(list.Members, func(m *guanjia.TeamMember) memberJSON {
		j := toMemberJSON(m)
		j.Skills = toSkillsJSON(list.Skills[m.UserID])
		return j
	})
	return c.JSON(http.StatusOK, map[string]any{"members": out})
}

type teamAdminRequest struct {
	UserID int64 `json:"user_id"`
}

// handleTeamAdminAdd gives a member the team's admin role (its admins).
func (h *volunteerHandlers) handleTeamAdminAdd(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var req teamAdminRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	m, err := h.volunteer.Teams.MakeTeamAdmin(c.Request().Context(), claimsOf(c), id, req.UserID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toMemberJSON(m))
}

// pathIDUser parses the :id and :user path parameters (a team's or an
// activity's member).
func pathIDUser(c echo.Context) (id, user int64, err error) {
	if id, err = pathID(c); err != nil {
		return 0, 0, err
	}
	user, err = strconv.ParseInt(c.Param("user"), 10, 64)
	if err != nil || user <= 0 {
		return 0, 0, guanjia.Errorf(guanjia.ENOTFOUND, "no such user %q", c.Param("user"))
	}
	return id, user, nil
}

// handleTeamAdminRemove takes a member's admin role away, or the caller
// steps down (its admins; not the last one).
func (h *volunteerHandlers) handleTeamAdminRemove(c echo.Context) error {
	id, user, err := pathIDUser(c)
	if err != nil {
		return err
	}
	m, err := h.volunteer.Teams.RemoveTeamAdmin(c.Request().Context(), claimsOf(c), id, user)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toMemberJSON(m))
}

// handleTeamMemberRemove takes a member off the team: the caller leaves
// (:user is their own id) or its admins remove them.
func (h *volunteerHandlers) handleTeamMemberRemove(c echo.Context) error {
	id, user, err := pathIDUser(c)
	if err != nil {
		return err
	}
	if err := h.volunteer.Teams.RemoveTeamMember(c.Request().Context(), claimsOf(c), id, user); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// handleTeamHours answers a team's ledger and totals (its admins).
func (h *volunteerHandlers) handleTeamHours(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	sum, err := h.volunteer.Hours.TeamHours(c.Request().Context(), claimsOf(c), id)
	if err != nil {
		return err
	}
	out := hoursSummaryJSON(sum)
	out["team_id"] = id
	return c.JSON(http.StatusOK, out)
}
