package credit

import (
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/width"

	"guanjia"
)

// Service runs public credit. Its methods check who is calling; the zero
// Claims is an anonymous visitor of the public site.
type Service struct {
	Store Store
	Cache Cache // hot lookups by code; nil = none
	Jobs  Jobs  // import jobs; nil = every valid batch is imported inline
	// Deliverer queues delivery of the messages a change writes to the
	// outbox in its transaction (expiry, imports, repairs, agents and their
	// decisions), so none is lost to a failure after it; nil tells nobody.
	Deliverer Deliverer
	// Blobs keeps uploaded 授权委托书; nil = agents cannot file one.
	Blobs guanjia.BlobStore
	Now   func() time.Time
	Log   *slog.Logger
	// MaxImportBytes bounds an upload.
	MaxImportBytes int64
	// InlineRows is the largest batch imported within the upload request;
	// larger ones go to the import job, whose progress can be watched.
	InlineRows int
	// CacheTTL bounds how stale a cached lookup can be if an invalidation is lost.
	CacheTTL time.Duration
	// MaxDocumentBytes bounds an uploaded 授权委托书.
	MaxDocumentBytes int64
}

// NewService returns a Service with the defaults of 诚信海口.
func NewService(st Store, cache Cache, jobs Jobs, deliverer Deliverer) *Service {
	return &Service{
		Store: st, Cache: cache, Jobs: jobs, Deliverer: deliverer,
		Now: func() time.Time { return time.Now().UTC() }, Log: slog.Default(),
		MaxImportBytes: 50 << 20, InlineRows: 2000, CacheTTL: 10 * time.Minute, MaxDocumentBytes: 10 << 20,
	}
}

// Today is the civil date in China now, at 00:00 UTC.
func (s *Service) Today() time.Time { return civilDate(s.Now()) }

// isStaff reports whether who is credit staff, who see entries that left
// public view (audit) and write the articles: an admin, or a department with
// a remit to publish credit information. Not every department account is:
// 审批, 便民信息 and the flood sensors' accounts are departments too.
func (s *Service) isStaff(ctx context.Context, who guanjia.Claims) (bool, error) {
	switch {
	case who.Role == guanjia.RoleAdmin:
		return true, nil
	case who.Role != guanjia.RoleDepartment || who.UnitCode == "":
		return false, nil
	}
	remit, err := s.Store.FindRemit(ctx, who.UnitCode)
	if guanjia.ErrorCode(err) == guanjia.ENOTFOUND {
		return false, nil
	} else if err != nil {
		return false, err
	}
	return len(remit.Types) > 0, nil
}

// requireDesk refuses department staff whose department has no remit (any
// more): it neither publishes nor decides, and its old entries' business
// goes to the administrators. Others pass: each caller rules on its role.
func (s *Service) requireDesk(ctx context.Context, who guanjia.Claims) error {
	if who.Role != guanjia.RoleDepartment {
		return nil
	}
	return s.requireStaff(ctx, who, guanjia.Errorf(guanjia.EFORBIDDEN, "your department publishes no credit information; an administrator handles it"))
}

// requireStaff refuses who with refused unless they are credit staff (isStaff).
func (s *Service) requireStaff(ctx context.Context, who guanjia.Claims, refused error) error {
	if staff, err := s.isStaff(ctx, who); err != nil {
		return err
	} else if !staff {
		return refused
	}
	return nil
}

// SubjectDetail is a subject with its list entries and records: for the
// public only what is in public view, for staff everything.
type SubjectDetail struct {
	Subject *guanjia.CreditSubject
	Black   []*guanjia.CreditEntry
	Red     []*guanjia.CreditEntry
	Records []*guanjia.CreditEntry
	Staff   bool
}

// MaxEntriesShown bounds the entries of one subject in an answer.
const MaxEntriesShown = 500

// Subject looks a subject up by 统一社会信用代码, by resident ID number or by
// its numeric ID (the link search results give for persons).
func (s *Service) Subject(ctx context.Context, who guanjia.Claims, key string) (*SubjectDetail, error) {
	key = NormalizeCode(key)
	staff, err := s.isStaff(ctx, who)
	if err != nil {
		return nil, err
	}
	// The public's code lookups go through the cache; a key that is also an
	// ID number goes through findSubject, which tries it as both.
	if !staff && guanjia.ValidateCreditCode(key) == nil && !s.isIDNumber(key) {
		sub, entries, err := s.publicByCode(ctx, key)
		if err != nil {
			return nil, err
		}
		return subjectDetail(sub, entries, false), nil
	}
	sub, byID, err := s.findSubject(ctx, key)
	if err != nil {
		return nil, err
	}
	f := EntryFilter{SubjectID: sub.ID, Limit: MaxEntriesShown}
	if !staff {
		today := s.Today()
		f.PublicOn = &today
	}
	entries, _, err := s.Store.ListEntries(ctx, f)
	if err != nil {
		return nil, err
	}
	if !staff {
		entries = withholdRed(entries)
	}
	d := subjectDetail(sub, entries, staff)
	if !staff && (KeyedByIDNumber(sub) || byID) && len(entries) == 0 {
		// Whatever an ID number keys or finds is public only while
		// something about it is published: an ID number is not a key to a
		// name.
		return nil, guanjia.Errorf(guanjia.ENOTFOUND, "no published credit information for this person")
	}
	return d, nil
}

// KeyedByIDNumber says whether sub is known by a person's ID number rather
// than a 统一社会信用代码: a 自然人, or an unregistered 个体工商户 keyed by its
// 经营者's. Such a subject is public only while something about it is
// published, and is shown without its address or 法定代表人 (the person's
// own). store.SearchSubjects applies the same rule in SQL.
func KeyedByIDNumber(sub *guanjia.CreditSubject) bool { return sub.CreditCode == "" }

// NormalizeCode is a typed 统一社会信用代码 or ID number as stored: trimmed,
// half-width (a phone's keyboard may give full-width letters and digits)
// and upper-case.
func NormalizeCode(key string) string {
	return strings.ToUpper(width.Fold.String(strings.TrimSpace(key)))
}

// SubjectKey is q, typed into the search, as the 统一社会信用代码 or ID
// number Search looks up exactly; ok is false when q is neither (Search
// takes it as part of a name).
func (s *Service) SubjectKey(q string) (key string, ok bool) {
	key = NormalizeCode(q)
	return key, guanjia.ValidateCreditCode(key) == nil || s.isIDNumber(key)
}

// findSubject finds the subject key names: a 统一社会信用代码, an ID number
// (byID) or a subject's numeric ID. About 3 in 100 ID numbers also pass the
// credit code's check: such a key is tried as both.
func (s *Service) findSubject(ctx context.Context, key string) (sub *guanjia.CreditSubject, byID bool, err error) {
	if guanjia.ValidateCreditCode(key) == nil {
		sub, err := s.Store.FindSubjectByCode(ctx, key)
		if err == nil || guanjia.ErrorCode(err) != guanjia.ENOTFOUND || !s.isIDNumber(key) {
			return sub, false, err
		}
	}
	switch {
	case s.isIDNumber(key):
		sub, err := s.Store.FindSubjectByIDNumber(ctx, key)
		return sub, true, err
	case len(key) > 0 && len(key) < 18 && strings.Trim(key, "0123456789") == "":
		id, err := strconv.ParseInt(key, 10, 64)
		if err != nil || id <= 0 {
			break
		}
		sub, err := s.Store.FindSubject(ctx, id)
		return sub, false, err
	}
	if len(key) == 18 {
		return nil, false, guanjia.FieldError(guanjia.EINVALID, "code", "not a valid 统一社会信用代码 or ID number: the check character is wrong")
	}
	return nil, false, guanjia.FieldError(guanjia.EINVALID, "code", "give an 18-character 统一社会信用代码")
}

func (s *Service) isIDNumber(key string) bool {
	return len(key) == 18 && guanjia.ValidateIDNumber(key, s.Now()) == nil
}

// subjectDetail sorts entries into lists and records, newest first.
func subjectDetail(sub *guanjia.CreditSubject, entries []*guanjia.CreditEntry, staff bool) *SubjectDetail {
	d := &SubjectDetail{Subject: sub, Staff: staff, Black: []*guanjia.CreditEntry{}, Red: []*guanjia.CreditEntry{}, Records: []*guanjia.CreditEntry{}}
	slices.SortStableFunc(entries, func(a, b *guanjia.CreditEntry) int {
		if c := b.DecidedOn.Compare(a.DecidedOn); c != 0 {
			return c
		}
		return int(b.ID - a.ID)
	})
	for _, e := range entries {
		switch e.Type {
		case guanjia.CreditBlackList:
			d.Black = append(d.Black, e)
		case guanjia.CreditRedList:
			d.Red = append(d.Red, e)
		default:
			d.Records = append(d.Records, e)
		}
	}
	return d
}

// cachedSubject is what the cache keeps per code: the subject (nil when no
// subject has the code) and its active entries. Publication periods are
// applied when it is read, so a cached answer never outlives them.
type cachedSubject struct {
	Subject *guanjia.CreditSubject `json:"s"`
	Entries []*guanjia.CreditEntry `json:"e"`
}

func subjectCacheKey(code string) string { return "credit:subject:" + code }

// publicByCode answers the public view of the subject with code, from the
// cache when it can. A code nobody has is ENOTFOUND (and cached as such).
func (s *Service) publicByCode(ctx context.Context, code string) (*guanjia.CreditSubject, []*guanjia.CreditEntry, error) {
	key := subjectCacheKey(code)
	var c cachedSubject
	var cached []byte
	var lease string
	if s.Cache != nil {
		var err error
		if cached, lease, err = s.Cache.GetOrLease(ctx, key); err != nil {
			s.Log.Warn("credit cache get", "err", err)
		}
	}
	if cached == nil || json.Unmarshal(cached, &c) != nil {
		c = cachedSubject{} // nothing of a value that did not decode
		sub, err := s.Store.FindSubjectByCode(ctx, code)
		switch {
		case guanjia.ErrorCode(err) == guanjia.ENOTFOUND:
		case err != nil:
			return nil, nil, err
		default:
			entries, _, err := s.Store.ListEntries(ctx, EntryFilter{SubjectID: sub.ID,
				Status: []guanjia.CreditStatus{guanjia.CreditActive}, Limit: MaxEntriesShown})
			if err != nil {
				return nil, nil, err
			}
			c = cachedSubject{Subject: sub, Entries: entries}
		}
		if lease != "" {
			if b, err := json.Marshal(c); err == nil {
				if err := s.Cache.Fill(ctx, key, lease, b, s.CacheTTL); err != nil {
					s.Log.Warn("credit cache fill", "err", err)
				}
			}
		}
	}
	if c.Subject == nil {
		return nil, nil, guanjia.Errorf(guanjia.ENOTFOUND, "no subject has 统一社会信用代码 %s", code)
	}
	today := s.Today()
	public := c.Entries[:0:0]
	for _, e := range c.Entries {
		if e.PublicOn(today) {
			public = append(public, e)
		}
	}
	return c.Subject, withholdRed(public), nil
}

// withholdRed applies to one subject's entries in public view the rule that
// 守信激励 and 失信惩戒 do not stand together: while the subject is on a black
// list, its red-list entries are withheld from the public (they come back
// when it leaves the black list, their own periods permitting). Staff see them.
func withholdRed(public []*guanjia.CreditEntry) []*guanjia.CreditEntry {
	if !slices.ContainsFunc(public, func(e *guanjia.CreditEntry) bool { return e.Type == guanjia.CreditBlackList }) {
		return public
	}
	return slices.DeleteFunc(slices.Clone(public), func(e *guanjia.CreditEntry) bool { return e.Type == guanjia.CreditRedList })
}

// invalidate drops the cached lookups of codes.
func (s *Service) invalidate(ctx context.Context, codes []string) {
	if s.Cache == nil || len(codes) == 0 {
		return
	}
	const chunk = 500
	for start := 0; start < len(codes); start += chunk {
		end := min(start+chunk, len(codes))
		keys := make([]string, 0, end-start)
		for _, c := range codes[start:end] {
			if c != "" {
				keys = append(keys, subjectCacheKey(c))
			}
		}
		if err := s.Cache.Delete(ctx, keys...); err != nil {
			// The TTL bounds how long the stale answer lives.
			s.Log.Error("credit cache invalidate", "keys", len(keys), "err", err)
		}
	}
}

// invalidateAfter runs write, a change of what codes' lookups answer, and
// then drops their cached lookups and leases: a lookup that read the
// database before write committed cannot cache what it read (see Cache).
func (s *Service) invalidateAfter(ctx context.Context, codes []string, write func() error) error {
	if err := write(); err != nil {
		return err
	}
	s.invalidate(ctx, codes)
	return nil
}

// subjectCodes is the code e's cached lookup is kept under, if any.
func subjectCodes(e *guanjia.CreditEntry) []string {
	if e.Subject == nil || e.Subject.CreditCode == "" {
		return nil
	}
	return []string{e.Subject.CreditCode}
}

// CheckCode answers a joint incentive and punishment (联合奖惩) check: the
// black and red list entries in public view of the subject with the
// 统一社会信用代码. A valid code nobody has is on no list.
func (s *Service) CheckCode(ctx context.Context, code string) (black, red []guanjia.CreditEntry, err error) {
	code = NormalizeCode(code)
	if err := guanjia.ValidateCreditCode(code); err != nil {
		return nil, nil, err
	}
	sub, entries, err := s.publicByCode(ctx, code)
	if guanjia.ErrorCode(err) == guanjia.ENOTFOUND {
		return []guanjia.CreditEntry{}, []guanjia.CreditEntry{}, nil
	} else if err != nil {
		return nil, nil, err
	}
	black, red = []guanjia.CreditEntry{}, []guanjia.CreditEntry{}
	for _, e := range entries {
		e.Subject = sub
		switch e.Type {
		case guanjia.CreditBlackList:
			black = append(black, *e)
		case guanjia.CreditRedList:
			red = append(red, *e)
		}
	}
	return black, red, nil
}

var _ guanjia.CreditChecker = (*Service)(nil)

// SearchResult is a page of subjects with the count of their list entries in public view.
type SearchResult struct {
	Subjects []*guanjia.CreditSubject
	Lists    map[int64]map[string]int // subject → record type (redlist, blacklist) → entries
	More     bool
}

// MaxSearchResults bounds the matches a name search pages through: a
// broader query is asked to be more specific.
const MaxSearchResults = 1000

// Search finds subjects by exact 统一社会信用代码, exact ID number, or part of the name.
func (s *Service) Search(ctx context.Context, who guanjia.Claims, q string, page, perPage int) (*SearchResult, error) {
	q = strings.TrimSpace(q)
	page, perPage = pageBounds(page, perPage, 20)
	res := &SearchResult{Subjects: []*guanjia.CreditSubject{}, Lists: map[int64]map[string]int{}}
	if key, ok := s.SubjectKey(q); ok {
		d, err := s.Subject(ctx, who, key)
		if guanjia.ErrorCode(err) == guanjia.ENOTFOUND {
			return res, nil
		} else if err != nil {
			return nil, err
		}
		if page == 1 {
			res.Subjects = append(res.Subjects, d.Subject)
			res.Lists[d.Subject.ID] = map[string]int{guanjia.CreditBlackList: countStatus(d.Black), guanjia.CreditRedList: countStatus(d.Red)}
		}
		return res, nil
	}
	switch n := utf8.RuneCountInString(q); {
	case n < 2:
		return nil, guanjia.FieldError(guanjia.EINVALID, "q", "type at least 2 characters of the name, or a whole 统一社会信用代码")
	case n > 100:
		return nil, guanjia.FieldError(guanjia.EINVALID, "q", "the search is longer than 100 characters")
	}
	if (page-1)*perPage >= MaxSearchResults {
		return nil, guanjia.FieldError(guanjia.EINVALID, "page", "only the first %d matches can be paged through: make the search more specific", MaxSearchResults)
	}
	today := s.Today()
	f := SubjectSearch{Name: q, Offset: (page - 1) * perPage, Limit: perPage}
	staff, err := s.isStaff(ctx, who)
	if err != nil {
		return nil, err
	} else if !staff {
		f.PublicOn = &today
	}
	subs, more, err := s.Store.SearchSubjects(ctx, f)
	if err != nil {
		return nil, err
	}
	res.Subjects, res.More = subs, more
	ids := make([]int64, len(subs))
	for i, sub := range subs {
		ids[i] = sub.ID
	}
	if len(ids) > 0 {
		if res.Lists, err = s.Store.CountLists(ctx, ids, today); err != nil {
			return nil, err
		}
		for _, n := range res.Lists {
			if !staff && n[guanjia.CreditBlackList] > 0 {
				n[guanjia.CreditRedList] = 0 // withheld: see withholdRed
			}
		}
	}
	return res, nil
}

func countStatus(entries []*guanjia.CreditEntry) int {
	n := 0
	for _, e := range entries {
		if e.Status == guanjia.CreditActive {
			n++
		}
	}
	return n
}

func pageBounds(page, perPage, def int) (int, int) {
	page = min(max(page, 1), guanjia.MaxPage) // bounds OFFSET = (page-1)·perPage

	if perPage < 1 {
		perPage = def
	}
	return page, min(perPage, 100)
}

// ListPage is a page of a red or black list.
type ListPage struct {
	Entries []*guanjia.CreditEntry
	Total   int
}

// List answers the current red or black list ("red" or "black"), newest
// decisions first, optionally one named list.
func (s *Service) List(ctx context.Context, kind, listName string, page, perPage int) (*ListPage, error) {
	var typ string
	switch kind {
	case "red", guanjia.CreditRedList:
		typ = guanjia.CreditRedList
	case "black", guanjia.CreditBlackList:
		typ = guanjia.CreditBlackList
	default:
		return nil, guanjia.Errorf(guanjia.ENOTFOUND, "no list %q: use red or black", kind)
	}
	page, perPage = pageBounds(page, perPage, 20)
	today := s.Today()
	entries, total, err := s.Store.ListEntries(ctx, EntryFilter{Types: []string{typ}, ListName: listName, PublicOn: &today,
		WithoutBlackListed: typ == guanjia.CreditRedList, // see withholdRed
		WithSubject:        true, Offset: (page - 1) * perPage, Limit: perPage, CountTotal: true})
	if err != nil {
		return nil, err
	}
	return &ListPage{Entries: entries, Total: total}, nil
}

// message is the outbox message telling userID, or none when the service
// tells nobody (no Deliverer) or there is nobody to tell.
func (s *Service) message(userID int64, channel, tpl string, data map[string]string) []guanjia.Message {
	if s.Deliverer == nil || userID == 0 {
		return nil
	}
	return []guanjia.Message{{RecipientID: userID, Channel: channel, Template: tpl, Data: data}}
}

// departmentMessages are the outbox messages telling every department user of unit.
func (s *Service) departmentMessages(ctx context.Context, unit, tpl string, data map[string]string) ([]guanjia.Message, error) {
	if s.Deliverer == nil || unit == "" {
		return nil, nil
	}
	users, err := s.Store.ListUsersByRole(ctx, guanjia.RoleDepartment, unit)
	if err != nil {
		return nil, err
	}
	var out []guanjia.Message
	for _, u := range users {
		out = append(out, s.message(u.ID, guanjia.ChannelWeCom, tpl, data)...)
	}
	return out, nil
}

// addressed gives each of to (messages built before a change) the data
// the change made: the id it got, the counts it found.
func addressed(to []guanjia.Message, data map[string]string) []guanjia.Message {
	out := make([]guanjia.Message, len(to))
	for i, m := range to {
		m.Data = data
		out[i] = m
	}
	return out
}

// deliver hands outbox messages written by a committed change to the
// queue; one that fails stays pending for the worker's re-queue.
func (s *Service) deliver(ctx context.Context, ids []int64) {
	if s.Deliverer == nil {
		return
	}
	for _, id := range ids {
		if err := s.Deliverer.Deliver(ctx, id); err != nil {
			s.Log.Warn("credit: queue a message; the re-queue will", "notification", id, "err", err)
		}
	}
}
