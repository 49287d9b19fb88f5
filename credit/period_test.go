package credit_test

import (
	"testing"
	"time"

	"guanjia"
	"guanjia/credit"
)

// periodCase is an entry of a type and severity decided on a day, and the
// day a period of it ends ("" = it has none).
type periodCase struct {
	name     string
	typ      string
	severity guanjia.CreditSeverity
	decided  string
	want     string
}

// checkPeriodEnds runs the cases through end, a period's last day of an entry.
func checkPeriodEnds(t *testing.T, end func(*guanjia.CreditEntry) (time.Time, bool), cases []periodCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := end(&guanjia.CreditEntry{Type: tc.typ, Severity: tc.severity, DecidedOn: civilDate(t, tc.decided)})
			switch {
			case tc.want == "" && ok:
				t.Errorf("got a period ending %s, want none", got.Format("2006-01-02"))
			case tc.want != "" && (!ok || !got.Equal(civilDate(t, tc.want))):
				t.Errorf("got %s (%v), want %s", got.Format("2006-01-02"), ok, tc.want)
			}
		})
	}
}

// The minimum publication periods of 《失信行为纠正后的信用信息修复管理办法（试行）》,
// worked through: the first day a repair may be applied for is the decision
// date that many months later, or that month's last day when it has no such day.
func TestRepairableFrom(t *testing.T) {
	checkPeriodEnds(t, credit.RepairableFrom, []periodCase{
		{"一般失信: 3 months", guanjia.CreditPenalty, guanjia.SeverityGeneral, "2026-01-05", "2026-04-05"},
		{"严重失信: 1 year", guanjia.CreditPenalty, guanjia.SeveritySerious, "2026-01-05", "2027-01-05"},
		{"no 30th in February", guanjia.CreditPenalty, guanjia.SeverityGeneral, "2025-11-30", "2026-02-28"},
		{"leap year", guanjia.CreditPenalty, guanjia.SeverityGeneral, "2023-11-30", "2024-02-29"},
		{"29 February, a year on", guanjia.CreditPenalty, guanjia.SeveritySerious, "2024-02-29", "2025-02-28"},
		{"across the year end", guanjia.CreditPenalty, guanjia.SeverityGeneral, "2026-10-31", "2027-01-31"},
		{"a penalty recorded before severities: 一般失信", guanjia.CreditPenalty, "", "2026-01-05", "2026-04-05"},
		{"a black list: the listing's own rules", guanjia.CreditBlackList, "", "2026-01-05", ""},
		{"a red list is not 失信", guanjia.CreditRedList, "", "2026-01-05", ""},
	})
}

// The maximum publication periods, worked through: the latest 公示截止期 is the
// decision date that many months later, counted as the minimum is.
func TestLatestPublicUntil(t *testing.T) {
	checkPeriodEnds(t, credit.LatestPublicUntil, []periodCase{
		{"一般失信: 1 year", guanjia.CreditPenalty, guanjia.SeverityGeneral, "2026-01-05", "2027-01-05"},
		{"严重失信: 3 years", guanjia.CreditPenalty, guanjia.SeveritySerious, "2026-01-05", "2029-01-05"},
		{"29 February, a year on", guanjia.CreditPenalty, guanjia.SeverityGeneral, "2024-02-29", "2025-02-28"},
		{"a penalty recorded before severities: 一般失信", guanjia.CreditPenalty, "", "2026-01-05", "2027-01-05"},
		{"a black list: the listing's own rules", guanjia.CreditBlackList, "", "2026-01-05", ""},
	})
}

// Every graded record type has a publication period for each severity.
func TestPublicationPeriodsCoverGradedTypes(t *testing.T) {
	have := map[string]map[guanjia.CreditSeverity]bool{}
	for _, p := range credit.PublicationPeriods() {
		if have[p.Type] == nil {
			have[p.Type] = map[guanjia.CreditSeverity]bool{}
		}
		have[p.Type][p.Severity] = true
		if p.MinMonths <= 0 || p.MaxMonths < p.MinMonths || p.Basis == "" {
			t.Errorf("%+v: a period needs its months, the longest no shorter than the shortest, and its basis", p)
		}
	}
	for _, rt := range credit.RecordTypes() {
		if !rt.Graded() {
			continue
		}
		for _, sev := range []guanjia.CreditSeverity{guanjia.SeverityGeneral, guanjia.SeveritySerious} {
			if !have[rt.Code][sev] {
				t.Errorf("%s %s has no publication period", rt.Code, sev)
			}
		}
	}
}

// civilDate reads a date as entries hold it: 00:00 UTC.
func civilDate(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
