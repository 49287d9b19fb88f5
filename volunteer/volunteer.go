package volunteer

import (
	"context"
	"strings"
	"unicode/utf8"

	"guanjia"
)

// CertifyInput is what a citizen supplies to become a volunteer.
type CertifyInput struct {
	Name         string
	IDNumber     string
	Phone        string
	Skills       []string
	Availability string
}

// Certify makes who a real-name volunteer: the ID number must pass the
// GB 11643 check and hold a plausible birth date, and may be certified on
// one account only. The skills given, from the catalogue, are recorded as
// the ones organisers search by (SetSkills changes them later).
func (s *Volunteers) Certify(ctx context.Context, who guanjia.Claims, in CertifyInput) (*guanjia.Volunteer, error) {
	now := s.now()
	in.Name = strings.TrimSpace(in.Name)
	in.IDNumber = strings.ToUpper(strings.TrimSpace(in.IDNumber))
	switch n := utf8.RuneCountInString(in.Name); {
	case n < 2:
		return nil, guanjia.FieldError(guanjia.EINVALID, "name", "the name as on the ID card is required")
	case n > 30:
		return nil, guanjia.FieldError(guanjia.EINVALID, "name", "name is longer than 30 characters")
	}
	if err := guanjia.ValidateIDNumber(in.IDNumber, now); err != nil {
		return nil, err
	}
	if !guanjia.ValidPhone(in.Phone) {
		return nil, guanjia.FieldError(guanjia.EINVALID, "phone", "a phone number is required")
	}
	skills, err := catalogueSkills(in.Skills)
	if err != nil {
		return nil, err
	}
	if utf8.RuneCountInString(in.Availability) > 200 {
		return nil, guanjia.FieldError(guanjia.EINVALID, "availability", "availability is longer than 200 characters")
	}
	if _, err := s.Store.FindVolunteer(ctx, who.UserID); err == nil {
		return nil, guanjia.Errorf(guanjia.ECONFLICT, "you are already a certified volunteer")
	} else if guanjia.ErrorCode(err) != guanjia.ENOTFOUND {
		return nil, err
	}
	v := &guanjia.Volunteer{UserID: who.UserID, Name: in.Name, IDNumber: in.IDNumber, Phone: in.Phone,
		Skills: skills, Availability: in.Availability, CertifiedAt: now}
	if err := s.Store.CreateVolunteer(ctx, v); err != nil {
		return nil, err
	}
	return v, nil
}

// Me returns who's certification, ENOTFOUND when there is none.
func (s *Volunteers) Me(ctx context.Context, who guanjia.Claims) (*guanjia.Volunteer, error) {
	return s.Store.FindVolunteer(ctx, who.UserID)
}
