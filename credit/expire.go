package credit

import (
	"context"
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
func (s *Service) ExpireDue(ctx context.Context) (int, error) {
	today := s.Today()
	perDept := map[string]map[string]int{} // department → type name → count
	total := 0
	for {
		expired, err := s.Store.ExpireDue(ctx, today, s.Now(), expireChunk)
		if err != nil {
			return total, err
		}
		codes := make([]string, 0, len(expired))
		for _, e := range expired {
			if e.Subject != nil && e.Subject.CreditCode != "" {
				codes = append(codes, e.Subject.CreditCode)
			}
			if perDept[e.Department] == nil {
				perDept[e.Department] = map[string]int{}
			}
			perDept[e.Department][TypeName(e.Type)]++
		}
		s.invalidate(ctx, codes)
		total += len(expired)
		if len(expired) < expireChunk {
			break
		}
	}
	for dept, byType := range perDept {
		names := make([]string, 0, len(byType))
		n := 0
		for name, c := range byType {
			names = append(names, name+" "+strconv.Itoa(c))
			n += c
		}
		sort.Strings(names)
		s.notifyDepartment(ctx, dept, guanjia.TplCreditExpired, map[string]string{
			"count": strconv.Itoa(n), "detail": strings.Join(names, ", "), "date": today.Format("2006-01-02")})
	}
	if total > 0 {
		s.Log.Info("credit entries expired", "count", total, "date", today.Format("2006-01-02"))
	}
	return total, nil
}

// Sweep is the periodic task of public credit: it expires entries whose
// period ended and queues again any import whose job Redis lost.
func (s *Service) Sweep(ctx context.Context) error {
	if _, err := s.ExpireDue(ctx); err != nil {
		return err
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
