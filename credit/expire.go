package credit

import (
	"context"
	"errors"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"guanjia"
)

// expireChunk is how many entries one expiry transaction moves.
const expireChunk = 500

// ExpireDue takes every entry whose publication period has ended out of
// public view (status expired, with its event), drops the cached lookups of
// their subjects and tells each publishing department how many of its
// entries left. It returns how many expired. Running it again is harmless.
//
// Each chunk's notices are written in the chunk's transaction: were they
// sent after it, a failure or a crash in between would leave a department
// never told, since the next run finds nothing left to expire.
func (s *Service) ExpireDue(ctx context.Context) (int, error) {
	today := s.Today()
	staff := map[string][]guanjia.Message{} // department → its users, as messages without data, for this run
	notices := func(expired []*guanjia.CreditEntry) ([]guanjia.Message, error) {
		return s.expiryNotices(ctx, today, expired, staff)
	}
	total := 0
	for {
		expired, queued, err := s.Store.ExpireDue(ctx, today, s.Now(), expireChunk, notices)
		if err != nil {
			return total, err
		}
		codes := make([]string, 0, len(expired))
		for _, e := range expired {
			if e.Subject != nil && e.Subject.CreditCode != "" {
				codes = append(codes, e.Subject.CreditCode)
			}
		}
		s.invalidate(ctx, codes)
		s.deliver(ctx, queued)
		total += len(expired)
		if len(expired) < expireChunk {
			break
		}
	}
	if total > 0 {
		s.Log.Info("credit entries expired", "count", total, "date", today.Format("2006-01-02"))
	}
	return total, nil
}

// expiryNotices tells each department how many of its entries in expired
// left public view on today, by type. staff caches the departments' users.
func (s *Service) expiryNotices(ctx context.Context, today time.Time, expired []*guanjia.CreditEntry,
	staff map[string][]guanjia.Message) ([]guanjia.Message, error) {
	perDept := map[string]map[string]int{} // department → type name → count
	for _, e := range expired {
		if perDept[e.Department] == nil {
			perDept[e.Department] = map[string]int{}
		}
		perDept[e.Department][TypeName(e.Type)]++
	}
	var out []guanjia.Message
	for _, dept := range slices.Sorted(maps.Keys(perDept)) {
		to, ok := staff[dept]
		if !ok {
			var err error
			if to, err = s.departmentMessages(ctx, dept, guanjia.TplCreditExpired, nil); err != nil {
				return nil, err
			}
			staff[dept] = to
		}
		names := make([]string, 0, len(perDept[dept]))
		n := 0
		for name, c := range perDept[dept] {
			names = append(names, name+" "+strconv.Itoa(c))
			n += c
		}
		sort.Strings(names)
		data := map[string]string{"count": strconv.Itoa(n), "detail": strings.Join(names, ", "), "date": today.Format("2006-01-02")}
		out = append(out, addressed(to, data)...)
	}
	return out, nil
}

// ImportTimeout bounds how long an import may run (the import job's
// timeout). A batch left running without its file longer than this was
// imported within a request whose process died: nothing will finish it.
const ImportTimeout = time.Hour

// Sweep is the periodic task of public credit: it expires entries whose
// period ended, queues again any import whose job Redis lost (queued, or
// running with its file kept: an import is all-or-nothing, so running it
// again is safe), and marks failed, telling the uploader, an import left
// running without its file for longer than ImportTimeout.
func (s *Service) Sweep(ctx context.Context) error {
	if _, err := s.ExpireDue(ctx); err != nil {
		return err
	}
	abandoned, err := s.Store.AbandonedBatches(ctx, s.Now().Add(-ImportTimeout))
	if err != nil {
		return err
	}
	for _, id := range abandoned {
		s.FailImport(ctx, id, errAbandoned)
	}
	if s.Jobs == nil {
		return nil
	}
	stale, err := s.Store.StaleBatches(ctx, s.Now().Add(-2*time.Minute))
	if err != nil {
		return err
	}
	for _, id := range stale {
		if err := s.Jobs.EnqueueImport(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// errAbandoned is why a batch imported within a request that never ended failed.
var errAbandoned = errors.New("the import stopped before it finished (the server restarted)")
