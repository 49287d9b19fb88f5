package credit

import (
	"context"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"guanjia"
)

// Only the subject applies for its 信用修复: its 法定代表人 (经营者, or a
// person themself), an agent holding a 授权委托书 the department accepted,
// or the publishing department's staff on its behalf. A citizen's account
// gains a standing here.

// Failed 法定代表人 checks are throttled: an ID number has too few unknown
// digits (birth date and sequence) to leave guessing unbounded.
const (
	maxFailedBindings = 5
	bindingWindow     = 24 * time.Hour
)

// LegalRepClaim is what a 法定代表人 gives to bind their account to a subject.
type LegalRepClaim struct {
	Name     string
	IDNumber string
}

// BindLegalRep binds the caller's account to the subject with key (统一社会信用代码
// or subject ID) as its 法定代表人 when the name and ID number match the
// registered ones. A mismatch is EFORBIDDEN and kept as a failed attempt;
// created is false when the account was bound already.
func (s *Service) BindLegalRep(ctx context.Context, who guanjia.Claims, key string, in LegalRepClaim) (r *Representative, created bool, err error) {
	if who.Role != guanjia.RoleCitizen || who.UserID == 0 {
		return nil, false, guanjia.Errorf(guanjia.EFORBIDDEN, "only a citizen's own account is bound to a subject")
	}
	name, err := representativeName(in.Name)
	if err != nil {
		return nil, false, err
	}
	id := strings.ToUpper(strings.TrimSpace(in.IDNumber))
	if id == "" {
		return nil, false, guanjia.FieldError(guanjia.EINVALID, "id_number", "give the 法定代表人's ID number")
	}
	if err := guanjia.ValidateIDNumber(id, s.Now()); err != nil {
		return nil, false, err
	}
	sub, _, err := s.findSubject(ctx, strings.ToUpper(strings.TrimSpace(key)))
	if err != nil {
		return nil, false, err
	}
	if bound, err := boundLegalRep(ctx, s.Store, sub, who.UserID); err != nil || bound != nil {
		return bound, false, err
	}
	now := s.Now()
	if err := checkBindingAttempts(ctx, s.Store, who.UserID, now); err != nil {
		return nil, false, err
	}
	r, refusal, err := judgeLegalRep(ctx, s.Store, sub, who.UserID, name, id, now)
	if err != nil {
		return nil, false, err
	}
	_, err = s.Store.CreateRepresentative(ctx, r, nil)
	switch {
	case guanjia.ErrorCode(err) == guanjia.ECONFLICT && r.Status == RepresentativeAccepted:
		// Bound by a request running at the same time.
		if bound, err := boundLegalRep(ctx, s.Store, sub, who.UserID); err == nil && bound != nil {
			return bound, false, nil
		}
		return nil, false, guanjia.Errorf(guanjia.ECONFLICT, "you already stand for this subject")
	case err != nil:
		return nil, false, err
	case refusal != nil:
		return nil, false, refusal
	}
	return r, true, nil
}

// boundLegalRep returns the user's accepted standing as the subject's 法定代表人, or nil.
func boundLegalRep(ctx context.Context, st Store, sub *guanjia.CreditSubject, userID int64) (*Representative, error) {
	bound, _, err := st.ListRepresentatives(ctx, RepresentativeFilter{SubjectID: sub.ID, UserID: userID, Basis: AsLegalRep,
		Status: []RepresentativeStatus{RepresentativeAccepted}, Limit: 1})
	if err != nil || len(bound) == 0 || !holds(bound[0], sub) {
		return nil, err
	}
	return bound[0], nil
}

// registeredRep is the name a 法定代表人 binding is judged against: the
// registered 法定代表人, or a person's own name.
func registeredRep(sub *guanjia.CreditSubject) string {
	if sub.Kind == guanjia.SubjectPerson {
		return sub.Name
	}
	return sub.LegalRep
}

// holds says whether r still stands for sub: a 法定代表人's binding lasts
// while they are the registered one (a later record may name another).
func holds(r *Representative, sub *guanjia.CreditSubject) bool {
	want := registeredRep(sub)
	return r.Basis != AsLegalRep || want == "" || plainName(want) == plainName(r.Name)
}

// checkBindingAttempts is ETOOMANY while the user has maxFailedBindings
// failed attempts within bindingWindow, saying when to try again.
func checkBindingAttempts(ctx context.Context, st Store, userID int64, now time.Time) error {
	failed, _, err := st.ListRepresentatives(ctx, RepresentativeFilter{UserID: userID, Basis: AsLegalRep,
		Status: []RepresentativeStatus{RepresentativeRefused}, Since: now.Add(-bindingWindow), Limit: maxFailedBindings})
	if err != nil {
		return err
	}
	if len(failed) >= maxFailedBindings {
		retry := failed[maxFailedBindings-1].CreatedAt.Add(bindingWindow).In(guanjia.ChinaTime)
		return guanjia.Errorf(guanjia.ETOOMANY, "too many failed attempts: try again after %s", retry.Format("2006-01-02 15:04"))
	}
	return nil
}

// judgeLegalRep compares a claim with the subject's registered 法定代表人
// and the account's real-name certification. It returns the standing to
// record, accepted or refused, and for a refusal the error the caller gets.
func judgeLegalRep(ctx context.Context, st Store, sub *guanjia.CreditSubject, userID int64, name, id string, now time.Time) (r *Representative, refusal, err error) {
	registered, idMatches, err := st.MatchSubjectIDNumber(ctx, sub.ID, id)
	if err != nil {
		return nil, nil, err
	}
	if !registered {
		return nil, nil, guanjia.Errorf(guanjia.EUNPROCESSABLE,
			"no 法定代表人 ID number is registered for this subject: file a 授权委托书 with the department that published the entry")
	}
	certified, sameAsCertified, err := st.MatchRealName(ctx, userID, id)
	if err != nil {
		return nil, nil, err
	}
	want := registeredRep(sub)
	r = &Representative{SubjectID: sub.ID, Subject: sub, UserID: userID, Basis: AsLegalRep, Name: name, CreatedAt: now, DecidedAt: &now}
	switch {
	case certified && !sameAsCertified:
		r.Status, r.DecisionNote = RepresentativeRefused, "证件号码与账号的实名认证不一致"
		refusal = guanjia.FieldError(guanjia.EFORBIDDEN, "id_number", "the ID number is not the one of your account's real-name certification")
	case !idMatches || (want != "" && plainName(want) != plainName(name)):
		r.Status, r.DecisionNote = RepresentativeRefused, "姓名或证件号码与登记的法定代表人不一致"
		refusal = guanjia.Errorf(guanjia.EFORBIDDEN, "the name or ID number does not match the registered 法定代表人 of this subject")
	default:
		r.Status = RepresentativeAccepted
	}
	return r, refusal, nil
}

// representativeName checks the name a representative gives.
func representativeName(name string) (string, error) {
	name = strings.TrimSpace(name)
	switch n := utf8.RuneCountInString(name); {
	case n == 0:
		return "", guanjia.FieldError(guanjia.EINVALID, "name", "give your name as on your ID card")
	case n > 50:
		return "", guanjia.FieldError(guanjia.EINVALID, "name", "the name is longer than 50 characters")
	}
	return name, nil
}

// plainName compares names as written on ID cards: spaces (half or full
// width, as forms and spreadsheets add them) and the middle dot's variants do not count.
func plainName(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r):
			return -1
		case r == '•' || r == '・' || r == '．' || r == '.':
			return '·'
		}
		return r
	}, s)
}

// documentTypes are the formats a 授权委托书 is accepted in, by sniffed type.
var documentTypes = map[string]bool{"application/pdf": true, "image/jpeg": true, "image/png": true}

// PowerOfAttorney is an agent's 授权委托书 for the repair of an entry.
type PowerOfAttorney struct {
	EntryID     int64
	Name        string // the agent's (受托人's) name
	ContentType string // sniffed by the caller
	Size        int64
	Body        io.Reader
}

// FilePowerOfAttorney keeps an agent's 授权委托书 for the subject of an entry.
// It is pending until the department that published the entry accepts it;
// then the agent applies for the repair of that department's entries of the subject.
func (s *Service) FilePowerOfAttorney(ctx context.Context, who guanjia.Claims, in PowerOfAttorney) (*Representative, error) {
	if who.Role != guanjia.RoleCitizen || who.UserID == 0 {
		return nil, guanjia.Errorf(guanjia.EFORBIDDEN, "only a citizen's own account files a 授权委托书")
	}
	if s.Blobs == nil {
		return nil, guanjia.Errorf(guanjia.EUNSUPPORTED, "document storage is not configured")
	}
	name, err := representativeName(in.Name)
	if err != nil {
		return nil, err
	}
	if !documentTypes[in.ContentType] {
		return nil, guanjia.FieldError(guanjia.EUNSUPPORTED, "file", "the 授权委托书 must be a PDF, JPEG or PNG file")
	}
	if in.Size > s.MaxDocumentBytes {
		return nil, guanjia.FieldError(guanjia.ETOOLARGE, "file", "the file is larger than %d MB", s.MaxDocumentBytes>>20)
	}
	e, err := s.publicEntry(ctx, who, in.EntryID)
	if err != nil {
		return nil, err
	}
	if rt, err := LookupType(e.Type); err != nil || !rt.Negative {
		return nil, guanjia.FieldError(guanjia.EUNPROCESSABLE, "entry_id", "only 失信 information can be repaired, not a %s", TypeName(e.Type))
	}
	live, _, err := s.Store.ListRepresentatives(ctx, RepresentativeFilter{SubjectID: e.SubjectID, UserID: who.UserID,
		Status: []RepresentativeStatus{RepresentativePending, RepresentativeAccepted}})
	if err != nil {
		return nil, err
	}
	for _, r := range live {
		switch {
		case r.Covers(e):
			return nil, guanjia.Errorf(guanjia.ECONFLICT, "you already stand for this subject")
		case r.Status == RepresentativePending && r.Department == e.Department:
			return nil, guanjia.Errorf(guanjia.ECONFLICT, "your 授权委托书 for this subject is awaiting the department's review")
		}
	}
	entryID := e.ID
	r := &Representative{SubjectID: e.SubjectID, Subject: e.Subject, UserID: who.UserID, Basis: AsAgent, Name: name,
		Department: e.Department, EntryID: &entryID, DocumentType: in.ContentType, Status: RepresentativePending, CreatedAt: s.Now()}
	// The department hears of it from the filing's transaction.
	dept, err := s.departmentMessages(ctx, e.Department, guanjia.TplCreditAgentFiled, nil)
	if err != nil {
		return nil, err
	}
	notices := func(r *Representative) ([]guanjia.Message, error) {
		return addressed(dept, map[string]string{"representative": strconv.FormatInt(r.ID, 10), "entry": strconv.FormatInt(e.ID, 10),
			"type": TypeName(e.Type)}), nil
	}
	// The size is bounded here too: the caller's Size is what it was told.
	body := &countingReader{r: io.LimitReader(in.Body, s.MaxDocumentBytes+1)}
	var queued []int64
	err = guanjia.SaveBlob(ctx, s.Blobs, "poa", body, func(key string) error {
		if body.n > s.MaxDocumentBytes {
			return guanjia.FieldError(guanjia.ETOOLARGE, "file", "the file is larger than %d MB", s.MaxDocumentBytes>>20)
		}
		r.DocumentKey, r.DocumentSize = key, body.n
		var err error
		queued, err = s.Store.CreateRepresentative(ctx, r, notices)
		return err
	})
	if guanjia.ErrorCode(err) == guanjia.ECONFLICT {
		return nil, guanjia.Errorf(guanjia.ECONFLICT, "your 授权委托书 for this subject is awaiting the department's review")
	} else if err != nil {
		return nil, err
	}
	s.deliver(ctx, queued)
	return r, nil
}

// countingReader says how many bytes were read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// DecideRepresentative accepts or refuses a pending 授权委托书. Only the
// department it was filed with (or an admin) decides; a refusal says why.
func (s *Service) DecideRepresentative(ctx context.Context, who guanjia.Claims, id int64, accept bool, note string) (*Representative, error) {
	note = strings.TrimSpace(note)
	r, err := s.Store.FindRepresentative(ctx, id)
	if err != nil {
		return nil, err
	}
	switch who.Role {
	case guanjia.RoleAdmin:
	case guanjia.RoleDepartment:
		if !who.InUnit(r.Department) {
			return nil, guanjia.Errorf(guanjia.EFORBIDDEN, "only the department the 授权委托书 was filed with reviews it")
		}
		if err := s.requireDesk(ctx, who); err != nil {
			return nil, err
		}
	default:
		return nil, guanjia.Errorf(guanjia.EFORBIDDEN, "only the department the 授权委托书 was filed with reviews it")
	}
	to := RepresentativeRefused
	if accept {
		to = RepresentativeAccepted
	}
	if r.Status != representativeDecisions[to].from {
		return nil, guanjia.Errorf(guanjia.ECONFLICT, "the application was already %s", r.Status)
	}
	if !accept && note == "" {
		return nil, guanjia.FieldError(guanjia.EINVALID, "note", "say why the 授权委托书 is refused")
	}
	if utf8.RuneCountInString(note) > 2000 {
		return nil, guanjia.FieldError(guanjia.EINVALID, "note", "the note is longer than 2000 characters")
	}
	now := s.Now()
	actor := who.UserID
	r.Status, r.DecidedBy, r.DecidedAt, r.DecisionNote = to, &actor, &now, note
	// The agent hears of the decision from its transaction: never left untold.
	queued, err := s.Store.DecideRepresentative(ctx, r, s.message(r.UserID, guanjia.ChannelSubscribe, guanjia.TplCreditAgentDecided,
		map[string]string{"representative": strconv.FormatInt(r.ID, 10), "status": r.Status.Word(), "note": note}))
	if err != nil {
		return nil, err
	}
	s.deliver(ctx, queued)
	return r, nil
}

// mayReview reports whether who, credit staff or not (isStaff), sees r: its
// user, an admin, the department a 授权委托书 was filed with, and any credit
// staff for an accepted 法定代表人 (a repair application names the standing
// it was filed under).
func mayReview(who guanjia.Claims, staff bool, r *Representative) bool {
	switch {
	case who.Role == guanjia.RoleAdmin, who.UserID != 0 && who.UserID == r.UserID:
		return true
	case !staff:
		return false
	case r.Department != "":
		return who.InUnit(r.Department)
	}
	return r.Status == RepresentativeAccepted
}

// Representative answers one standing to its user, the department it was filed with, or an admin.
func (s *Service) Representative(ctx context.Context, who guanjia.Claims, id int64) (*Representative, error) {
	r, err := s.Store.FindRepresentative(ctx, id)
	if err != nil {
		return nil, err
	}
	staff, err := s.isStaff(ctx, who)
	if err != nil {
		return nil, err
	}
	if !mayReview(who, staff, r) {
		return nil, guanjia.Errorf(guanjia.ENOTFOUND, "representative %d not found", id)
	}
	return r, nil
}

// Representatives answers a page of standings, newest first, and how many
// there are: a department's 授权委托书 to review, an admin's all, a
// citizen's own (failed attempts included).
func (s *Service) Representatives(ctx context.Context, who guanjia.Claims, status RepresentativeStatus, page, perPage int) ([]*Representative, int, error) {
	page, perPage = pageBounds(page, perPage, 50)
	f := RepresentativeFilter{Offset: (page - 1) * perPage, Limit: perPage, CountTotal: true}
	if status != "" {
		f.Status = []RepresentativeStatus{status}
	}
	switch who.Role {
	case guanjia.RoleAdmin:
	case guanjia.RoleDepartment:
		var err error
		if f.Department, err = publisher(who, ""); err != nil {
			return nil, 0, err
		}
		if err := s.requireDesk(ctx, who); err != nil {
			return nil, 0, err
		}
	default:
		if who.UserID == 0 {
			return nil, 0, guanjia.Errorf(guanjia.EUNAUTHORIZED, "sign in to see your applications")
		}
		f.UserID = who.UserID
	}
	return s.Store.ListRepresentatives(ctx, f)
}

// OpenPowerOfAttorney returns the uploaded 授权委托书 of a standing, to whoever may review it.
func (s *Service) OpenPowerOfAttorney(ctx context.Context, who guanjia.Claims, id int64) (*Representative, io.ReadCloser, error) {
	r, err := s.Representative(ctx, who, id)
	if err != nil {
		return nil, nil, err
	}
	if r.DocumentKey == "" || s.Blobs == nil {
		return nil, nil, guanjia.Errorf(guanjia.ENOTFOUND, "representative %d has no 授权委托书", id)
	}
	body, err := s.Blobs.Open(ctx, r.DocumentKey)
	if err != nil {
		return nil, nil, err
	}
	return r, body, nil
}

// standing says how who may apply for the repair of e: as the publishing
// department's staff (or an admin), or under an accepted standing for its
// subject. Anyone else is EFORBIDDEN.
func (s *Service) standing(ctx context.Context, who guanjia.Claims, e *guanjia.CreditEntry) (Basis, *int64, error) {
	switch who.Role {
	case guanjia.RoleAdmin:
		return AsAdmin, nil, nil
	case guanjia.RoleDepartment:
		if !who.InUnit(e.Department) {
			return "", nil, guanjia.Errorf(guanjia.EFORBIDDEN, "only the department that published the entry applies on the subject's behalf")
		}
		return AsDepartment, nil, nil
	}
	if who.UserID == 0 {
		return "", nil, guanjia.Errorf(guanjia.EUNAUTHORIZED, "sign in to apply")
	}
	reps, _, err := s.Store.ListRepresentatives(ctx, RepresentativeFilter{SubjectID: e.SubjectID, UserID: who.UserID,
		Status: []RepresentativeStatus{RepresentativeAccepted, RepresentativePending}})
	if err != nil {
		return "", nil, err
	}
	sub, err := s.Store.FindSubject(ctx, e.SubjectID)
	if err != nil {
		return "", nil, err
	}
	pending := false
	for _, r := range reps {
		if r.Covers(e) && holds(r, sub) {
			id := r.ID
			return r.Basis, &id, nil
		}
		pending = pending || (r.Status == RepresentativePending && r.Department == e.Department)
	}
	if pending {
		return "", nil, guanjia.Errorf(guanjia.EFORBIDDEN, "your 授权委托书 is awaiting the department's review")
	}
	return "", nil, guanjia.Errorf(guanjia.EFORBIDDEN,
		"only the subject's 法定代表人, an agent with an accepted 授权委托书 or the publishing department applies for its repair")
}
