package volunteer

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"math/big"
	"sort"
	"strings"

	"guanjia"
)

// IssueCertificate issues who a 志愿服务记录证明 from a team they served
// with: their record with that team as it stands today, with a number and a
// verification code. It is free and may be issued again at any time (民政部令第67号).
func (s *Hours) IssueCertificate(ctx context.Context, who guanjia.Claims, teamID int64) (*guanjia.Certificate, error) {
	v, err := s.requireVolunteer(ctx, who)
	if err != nil {
		return nil, err
	}
	t, err := s.Store.FindTeam(ctx, teamID)
	if guanjia.ErrorCode(err) == guanjia.ENOTFOUND {
		return nil, guanjia.FieldError(guanjia.EINVALID, "team_id", "team %d not found", teamID)
	} else if err != nil {
		return nil, err
	}
	f := HoursFilter{UserID: who.UserID, TeamID: teamID}
	entries, err := s.Store.ListHours(ctx, f)
	if err != nil {
		return nil, err
	}
	totals, err := s.Store.SumHours(ctx, f)
	if err != nil {
		return nil, err
	}
	if totals.TotalMinutes() <= 0 {
		return nil, guanjia.FieldError(guanjia.EUNPROCESSABLE, "team_id", "you have no service hours recorded with %s", t.Name)
	}
	lines, err := s.certificateLines(ctx, entries)
	if err != nil {
		return nil, err
	}
	now := s.now()
	c := &guanjia.Certificate{UserID: who.UserID, TeamID: t.ID, TeamName: t.Name, Name: v.Name,
		MaskedIDNumber: guanjia.MaskIDNumber(v.IDNumber), VolunteerNumber: v.Number(), Lines: lines, Totals: totals, IssuedAt: now}
	for attempt := 0; ; attempt++ {
		c.Number = "HKZS" + now.In(guanjia.ChinaTime).Format("20060102") + randomString(6, "0123456789")
		c.Code = randomString(8, "ABCDEFGHJKLMNPQRSTUVWXYZ23456789")
		err := s.Store.CreateCertificate(ctx, c)
		if err == nil {
			return c, nil
		}
		if guanjia.ErrorCode(err) != guanjia.ECONFLICT || attempt == 5 {
			return nil, err
		}
	}
}

// certificateLines groups ledger entries (with their corrections) by
// activity; 荣誉时长 entries without an activity stand on their own lines.
func (s *Hours) certificateLines(ctx context.Context, entries []*guanjia.HoursEntry) ([]guanjia.CertificateLine, error) {
	type key struct {
		activity int64
		kind     string
		entry    int64
	}
	sums := map[key]*guanjia.CertificateLine{}
	var order []key
	byID := map[int64]*guanjia.HoursEntry{}
	for _, e := range entries {
		byID[e.ID] = e
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].ID < entries[j].ID })
	for _, e := range entries {
		root := e
		if e.CorrectsID != nil && byID[*e.CorrectsID] != nil {
			root = byID[*e.CorrectsID]
		}
		k := key{kind: root.Kind}
		if root.ActivityID != nil {
			k.activity = *root.ActivityID
		} else {
			k.entry = root.ID
		}
		if sums[k] == nil {
			line := &guanjia.CertificateLine{Date: root.CreatedAt.In(guanjia.ChinaTime).Format("2006-01-02"), Kind: root.Kind}
			if root.ActivityID != nil {
				a, err := s.Store.FindActivity(ctx, *root.ActivityID)
				if err != nil {
					return nil, err
				}
				line.Activity, line.Date = a.Title, a.StartAt.In(guanjia.ChinaTime).Format("2006-01-02")
			} else {
				line.Activity = root.Reason
			}
			sums[k] = line
			order = append(order, k)
		}
		sums[k].Minutes += e.Minutes
	}
	out := make([]guanjia.CertificateLine, 0, len(order))
	for _, k := range order {
		if sums[k].Minutes > 0 {
			out = append(out, *sums[k])
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Date < out[j].Date })
	return out, nil
}

// VerifyCertificate confirms a certificate to anyone holding its number and
// verification code. Without the code only its existence, date and issuing
// team are confirmed; a wrong code is not found.
func (s *Hours) VerifyCertificate(ctx context.Context, number, code string) (*guanjia.Certificate, bool, error) {
	c, err := s.Store.FindCertificate(ctx, strings.ToUpper(strings.TrimSpace(number)))
	if err != nil {
		return nil, false, err
	}
	code = strings.ToUpper(strings.TrimSpace(code))
	if code == "" {
		return &guanjia.Certificate{Number: c.Number, TeamID: c.TeamID, TeamName: c.TeamName, IssuedAt: c.IssuedAt}, false, nil
	}
	if subtle.ConstantTimeCompare([]byte(code), []byte(c.Code)) != 1 {
		return nil, false, guanjia.Errorf(guanjia.ENOTFOUND, "no certificate %s with this verification code", c.Number)
	}
	return c, true, nil
}

// Certificate returns an issued certificate to its holder or a platform admin.
func (s *Hours) Certificate(ctx context.Context, who guanjia.Claims, number string) (*guanjia.Certificate, error) {
	c, err := s.Store.FindCertificate(ctx, strings.ToUpper(strings.TrimSpace(number)))
	if err != nil {
		return nil, err
	}
	if c.UserID != who.UserID && who.Role != guanjia.RoleAdmin {
		return nil, guanjia.Errorf(guanjia.ENOTFOUND, "certificate %s not found", number)
	}
	return c, nil
}

// CertificatePDF renders an issued certificate for its holder.
func (s *Hours) CertificatePDF(ctx context.Context, who guanjia.Claims, number string) ([]byte, error) {
	c, err := s.Certificate(ctx, who, number)
	if err != nil {
		return nil, err
	}
	return RenderCertificate(c, s.Config.PublicURL)
}

func randomString(n int, alphabet string) string {
	b := make([]byte, n)
	max := big.NewInt(int64(len(alphabet)))
	for i := range b {
		v, err := rand.Int(rand.Reader, max)
		if err != nil {
			panic(err) // crypto/rand does not fail on supported platforms
		}
		b[i] = alphabet[v.Int64()]
	}
	return string(b)
}
