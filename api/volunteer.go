package api

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"guanjia"
	"guanjia/volunteer"
)

// 公益海口: real-name certification, hours, certificates and the platform's
// figures; teams (team.go) and help requests (helprequest.go).

// volunteerHandlers serve volunteers, teams and help requests.
type volunteerHandlers struct {
	volunteer *volunteer.Service
}

type volunteerJSON struct {
	ID           int64     `json:"id"`
	Number       string    `json:"number"` // volunteer number
	UserID       int64     `json:"user_id"`
	Name         string    `json:"name"`
	IDNumber     string    `json:"id_number"` // masked
	Phone        string    `json:"phone"`     // masked
	Skills       []string  `json:"skills"`
	Availability string    `json:"availability,omitempty"`
	CertifiedAt  time.Time `json:"certified_at"`
	NoShows      int       `json:"no_shows"`
}

func toVolunteerJSON(v *guanjia.Volunteer) volunteerJSON {
	skills := v.Skills
	if skills == nil {
		skills = []string{}
	}
	return volunteerJSON{ID: v.ID, Number: v.Number(), UserID: v.UserID, Name: v.Name,
		IDNumber: guanjia.MaskIDNumber(v.IDNumber), Phone: guanjia.MaskPhone(v.Phone), Skills: skills,
		Availability: v.Availability, CertifiedAt: v.CertifiedAt, NoShows: v.NoShows}
}

type certifyRequest struct {
	Name         string   `json:"name"`
	IDNumber     string   `json:"id_number"`
	Phone        string   `json:"phone"`
	Skills       []string `json:"skills"`
	Availability string   `json:"availability"`
}

// handleVolunteerCertify makes the caller a real-name volunteer.
func (h *volunteerHandlers) handleVolunteerCertify(c echo.Context) error {
	var req certifyRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	v, err := h.volunteer.Volunteers.Certify(c.Request().Context(), claimsOf(c), volunteer.CertifyInput{Name: req.Name,
		IDNumber: req.IDNumber, Phone: req.Phone, Skills: req.Skills, Availability: req.Availability})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toVolunteerJSON(v))
}

// handleVolunteerMe answers the caller's certification (404 when there is none).
func (h *volunteerHandlers) handleVolunteerMe(c echo.Context) error {
	v, err := h.volunteer.Volunteers.Me(c.Request().Context(), claimsOf(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toVolunteerJSON(v))
}

// hours renders minutes as hours with two decimals at most.
func hours(minutes int) float64 { return math.Round(float64(minutes)/60*100) / 100 }

// minutesOf turns hours from a request into whole minutes.
func minutesOf(h float64) int { return int(math.Round(h * 60)) }

type hoursEntryJSON struct {
	ID         int64     `json:"id"`
	UserID     int64     `json:"user_id"`
	TeamID     int64     `json:"team_id"`
	ActivityID *int64    `json:"activity_id,omitempty"`
	SignupID   *int64    `json:"signup_id,omitempty"`
	Kind       string    `json:"kind"`   // credit (信用时长) or honor (荣誉时长)
	Source     string    `json:"source"` // checkin, manual, auto_checkout, entry, correction
	Hours      float64   `json:"hours"`
	Minutes    int       `json:"minutes"`
	Reason     string    `json:"reason,omitempty"`
	CorrectsID *int64    `json:"corrects_id,omitempty"`
	EnteredBy  *int64    `json:"entered_by,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
}

func toHoursEntryJSON(e *guanjia.HoursEntry) hoursEntryJSON {
	return hoursEntryJSON{ID: e.ID, UserID: e.UserID, TeamID: e.TeamID, ActivityID: e.ActivityID, SignupID: e.SignupID,
		Kind: e.Kind, Source: e.Source, Hours: hours(e.Minutes), Minutes: e.Minutes, Reason: e.Reason,
		CorrectsID: e.CorrectsID, EnteredBy: e.EnteredBy, CreatedAt: e.CreatedAt}
}

func hoursSummaryJSON(sum *volunteer.HoursSummary) map[string]any {
	entries := mapJSON(sum.Entries, toHoursEntryJSON)
	return map[string]any{
		"total_hours": hours(sum.Totals.TotalMinutes()), "credit_hours": hours(sum.Totals.CreditMinutes),
		"honor_hours": hours(sum.Totals.HonorMinutes), "month_hours": hours(sum.Month.TotalMinutes()),
		"entries": entries,
	}
}

// handleVolunteerHours answers the caller's ledger and totals.
func (h *volunteerHandlers) handleVolunteerHours(c echo.Context) error {
	sum, err := h.volunteer.Hours.MyHours(c.Request().Context(), claimsOf(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, hoursSummaryJSON(sum))
}

type honorRequest struct {
	TeamID     int64    `json:"team_id"`
	UserID     int64    `json:"user_id"`
	ActivityID int64    `json:"activity_id"`
	Hours      *float64 `json:"hours"`
	Reason     string   `json:"reason"`
}

// handleHoursCreate enters 荣誉时长 for a team member (team admins).
func (h *volunteerHandlers) handleHoursCreate(c echo.Context) error {
	var req honorRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	if req.Hours == nil {
		return invalid("hours", "hours are required")
	}
	e, err := h.volunteer.Hours.AddHonorHours(c.Request().Context(), claimsOf(c), volunteer.HonorInput{TeamID: req.TeamID,
		UserID: req.UserID, ActivityID: req.ActivityID, Minutes: minutesOf(*req.Hours), Reason: req.Reason})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toHoursEntryJSON(e))
}

type correctionRequest struct {
	Hours  *float64 `json:"hours"` // signed: the change, not the new total
	Reason string   `json:"reason"`
}

// handleHoursCorrect appends a correction of a ledger entry (team admins).
func (h *volunteerHandlers) handleHoursCorrect(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var req correctionRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	if req.Hours == nil {
		return invalid("hours", "hours (the change, + or −) are required")
	}
	e, err := h.volunteer.Hours.CorrectHours(c.Request().Context(), claimsOf(c), id, minutesOf(*req.Hours), req.Reason)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toHoursEntryJSON(e))
}

type certificateLineJSON struct {
	Date     string  `json:"date"`
	Activity string  `json:"activity"`
	Kind     string  `json:"kind"`
	Hours    float64 `json:"hours"`
}

type certificateJSON struct {
	Number          string                `json:"number"`
	Valid           bool                  `json:"valid"`
	Code            string                `json:"code,omitempty"` // to the holder only
	TeamID          int64                 `json:"team_id"`
	Team            string                `json:"team"`
	IssuedAt        time.Time             `json:"issued_at"`
	Name            string                `json:"name,omitempty"`
	IDNumber        string                `json:"id_number,omitempty"` // masked
	VolunteerNumber string                `json:"volunteer_number,omitempty"`
	TotalHours      *float64              `json:"total_hours,omitempty"`
	CreditHours     *float64              `json:"credit_hours,omitempty"`
	HonorHours      *float64              `json:"honor_hours,omitempty"`
	Lines           []certificateLineJSON `json:"lines,omitempty"`
	PDF             string                `json:"pdf,omitempty"`
}

func toCertificateJSON(c *guanjia.Certificate, full bool) certificateJSON {
	out := certificateJSON{Number: c.Number, Valid: true, TeamID: c.TeamID, Team: c.TeamName, IssuedAt: c.IssuedAt}
	if !full {
		return out
	}
	total, credit, honor := hours(c.Totals.TotalMinutes()), hours(c.Totals.CreditMinutes), hours(c.Totals.HonorMinutes)
	out.Name, out.IDNumber, out.VolunteerNumber = c.Name, c.MaskedIDNumber, c.VolunteerNumber
	out.TotalHours, out.CreditHours, out.HonorHours = &total, &credit, &honor
	out.Lines = mapJSON(c.Lines, func(l guanjia.CertificateLine) certificateLineJSON {
		return certificateLineJSON{Date: l.Date, Activity: l.Activity, Kind: l.Kind, Hours: hours(l.Minutes)}
	})
	return out
}

type certificateRequest struct {
	TeamID int64 `json:"team_id"`
}

// handleCertificateCreate issues the caller a certificate of their service with a team.
func (h *volunteerHandlers) handleCertificateCreate(c echo.Context) error {
	var req certificateRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	cert, err := h.volunteer.Hours.IssueCertificate(c.Request().Context(), claimsOf(c), req.TeamID)
	if err != nil {
		return err
	}
	out := toCertificateJSON(cert, true)
	out.Code, out.PDF = cert.Code, "/api/v1/volunteer/certificates/"+cert.Number+"/pdf"
	return c.JSON(http.StatusCreated, out)
}

// handleCertificateVerify is public: with ?code= it confirms the whole
// certificate (masked), without it only that the number was issued.
func (h *volunteerHandlers) handleCertificateVerify(c echo.Context) error {
	cert, full, err := h.volunteer.Hours.VerifyCertificate(c.Request().Context(), c.Param("number"), c.QueryParam("code"))
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, toCertificateJSON(cert, full))
}

// handleCertificatePDF streams the certificate PDF to its holder.
func (h *volunteerHandlers) handleCertificatePDF(c echo.Context) error {
	pdf, err := h.volunteer.Hours.CertificatePDF(c.Request().Context(), claimsOf(c), c.Param("number"))
	if err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", `inline; filename="`+strings.ToUpper(c.Param("number"))+`.pdf"`)
	return c.Blob(http.StatusOK, "application/pdf", pdf)
}

// handleVolunteerStats answers the platform's headline figures.
func (h *volunteerHandlers) handleVolunteerStats(c echo.Context) error {
	st, err := h.volunteer.Stats(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{
		"teams": st.Teams, "volunteers": st.Volunteers, "activities": st.Activities,
		"activities_upcoming": st.ActivitiesUpcoming, "total_hours": hours(st.TotalMinutes),
		"month_hours": hours(st.MonthMinutes), "help_requests_done": st.HelpRequestsDone,
		"help_requests_open": st.HelpRequestsOpen,
	})
}

// nearQuery parses ?near=lat,lng&radius=m&coord_system=; nil when near is absent.
func nearQuery(c echo.Context) (*volunteer.Near, error) {
	v := c.QueryParam("near")
	if v == "" {
		return nil, nil
	}
	parts := strings.Split(v, ",")
	if len(parts) != 2 {
		return nil, invalid("near", "near is lat,lng")
	}
	lat, err1 := strconv.ParseFloat(strings.TrimSpace(parts[0]), 64)
	lng, err2 := strconv.ParseFloat(strings.TrimSpace(parts[1]), 64)
	if err1 != nil || err2 != nil {
		return nil, invalid("near", "near is lat,lng in degrees")
	}
	n := &volunteer.Near{Lat: lat, Lng: lng, CoordSystem: c.QueryParam("coord_system")}
	if r := c.QueryParam("radius"); r != "" {
		if n.RadiusM, err1 = strconv.ParseFloat(r, 64); err1 != nil || !(n.RadiusM > 0) { // negated: NaN too
			return nil, invalid("radius", "radius is a positive number of metres")
		}
	}
	return n, nil
}

// queryID parses an optional id query parameter.
func queryID(c echo.Context, name string) (int64, error) {
	v := c.QueryParam(name)
	if v == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, invalid(name, "%s must be an id", name)
	}
	return id, nil
}
