package law

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"guanjia"
)

// Service is the library: editors keep it, anyone reads and searches it.
type Service struct {
	Store Store
	Now   func() time.Time
}

// NewService builds the service.
func NewService(st Store, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{Store: st, Now: now}
}

// canEdit: department staff and administrators keep the library, a
// department the laws it added.
func canEdit(who guanjia.Claims) error {
	if who.Role != guanjia.RoleAdmin && (who.Role != guanjia.RoleDepartment || who.UnitCode == "") {
		return guanjia.Errorf(guanjia.EFORBIDDEN, "only department staff and administrators edit laws")
	}
	return nil
}

// canChange checks that who may change law id: an administrator any, a
// department's staff the laws their department keeps.
func (s *Service) canChange(ctx context.Context, who guanjia.Claims, id int64) error {
	if err := canEdit(who); err != nil || who.Role == guanjia.RoleAdmin {
		return err
	}
	l, err := s.Store.FindLaw(ctx, id)
	if err != nil {
		return err
	}
	if l.Department != who.UnitCode {
		return guanjia.Errorf(guanjia.EFORBIDDEN, "law %d is kept by another department or the administrators", id)
	}
	return nil
}

// Create adds a law with its articles.
func (s *Service) Create(ctx context.Context, who guanjia.Claims, l *Law) error {
	if err := canEdit(who); err != nil {
		return err
	}
	if l.Status == "" {
		l.Status = StatusInForce
	}
	if err := l.Validate(); err != nil {
		return err
	}
	now := s.stamp()
	l.CreatedAt, l.UpdatedAt, l.CreatedBy, l.UpdatedBy = now, now, &who.UserID, &who.UserID
	l.Department = ""
	if who.Role == guanjia.RoleDepartment {
		l.Department = who.UnitCode
	}
	return s.Store.CreateLaw(ctx, l)
}

// Update replaces a law's fields and articles, if nobody changed the law
// since the editor read it at seen (its UpdatedAt); else ECONFLICT. An empty
// status keeps the law's: only SetStatus or an explicit status changes it.
func (s *Service) Update(ctx context.Context, who guanjia.Claims, l *Law, seen time.Time) error {
	if err := s.canChange(ctx, who, l.ID); err != nil {
		return err
	}
	if err := l.Validate(); err != nil {
		return err
	}
	l.UpdatedAt, l.UpdatedBy = s.stamp(), &who.UserID
	return s.Store.UpdateLaw(ctx, l, seen)
}

// stamp is now as the database keeps it (guanjia.SaveStamp), so the
// UpdatedAt an editor is answered is the one a later save must send back.
func (s *Service) stamp() time.Time { return guanjia.SaveStamp(s.Now(), time.Time{}) }

// SetStatus marks a law 现行有效, 已修订 or 已废止 and answers it without its
// articles, which the status does not change.
func (s *Service) SetStatus(ctx context.Context, who guanjia.Claims, id int64, st LawStatus) (*Law, error) {
	if err := s.canChange(ctx, who, id); err != nil {
		return nil, err
	}
	if _, ok := statusLabels[st]; !ok {
		return nil, guanjia.FieldError(guanjia.EINVALID, "status", "status must be in_force, amended or repealed")
	}
	return s.Store.SetLawStatus(ctx, id, st, who.UserID, s.stamp())
}

// Get answers a law with its articles.
func (s *Service) Get(ctx context.Context, id int64) (*Law, error) { return s.Store.FindLaw(ctx, id) }

// List answers laws, the newest first.
func (s *Service) List(ctx context.Context, f Filter) ([]*Law, int, error) {
	if f.Status != "" {
		if _, ok := statusLabels[f.Status]; !ok {
			return nil, 0, guanjia.FieldError(guanjia.EINVALID, "status", "status must be in_force, amended or repealed")
		}
	}
	return s.Store.ListLaws(ctx, f)
}

// MaxResults is the most laws a search answers.
const MaxResults = 20

// Hit is a search result as shown: the law, and each matching article with
// a snippet around the match.
type Hit struct {
	Law        *Law
	TitleMatch bool
	Articles   []ArticleHit
	More       int // matching articles left out
}

// ArticleHit is one matching article.
type ArticleHit struct {
	Article Article
	Snippet string
}

// shownArticles is how many matching articles of a law a search shows.
const shownArticles = 3

// Search finds laws by words of their title or text: all of them, where
// there are several (民间 纠纷).
func (s *Service) Search(ctx context.Context, q string) ([]Hit, error) {
	q = strings.Join(strings.Fields(q), " ")
	switch n := utf8.RuneCountInString(q); {
	case n == 0:
		return nil, guanjia.FieldError(guanjia.EINVALID, "q", "q is required")
	case n > MaxQuery:
		return nil, guanjia.FieldError(guanjia.EINVALID, "q", "q is longer than %d characters", MaxQuery)
	}
	matches, err := s.Store.SearchLaws(ctx, q, MaxResults)
	if err != nil {
		return nil, err
	}
	hits := make([]Hit, len(matches))
	for i, m := range matches {
		hits[i] = Hit{Law: m.Law, TitleMatch: m.TitleMatch}
		for j, a := range m.Articles {
			if j == shownArticles {
				hits[i].More = len(m.Articles) - shownArticles
				break
			}
			hits[i].Articles = append(hits[i].Articles, ArticleHit{Article: a, Snippet: Snippet(a.Text, strings.Fields(q)[0], 60)})
		}
	}
	return hits, nil
}

// Snippet cuts text to about width characters around the first place q
// occurs (case-insensitively), with … where it was cut.
func Snippet(text, q string, width int) string {
	r := []rune(text)
	if len(r) <= width {
		return text
	}
	at := strings.Index(strings.ToLower(text), strings.ToLower(q))
	start := 0
	if at >= 0 && at <= len(text) { // lower-casing may change a string's length

		pos := utf8.RuneCountInString(text[:at])
		start = max(0, pos-width/3)
	}
	end := min(len(r), start+width)
	start = max(0, end-width)
	out := string(r[start:end])
	if start > 0 {
		out = "…" + out
	}
	if end < len(r) {
		out += "…"
	}
	return out
}
