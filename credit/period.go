package credit

import (
	"time"

	"guanjia"
)

// PublicationPeriod is how long a 失信 record is published, counted from the
// decision (作出行政处罚决定之日): at least MinMonths before its subject may
// apply for 信用修复, at most MaxMonths.
type PublicationPeriod struct {
	Type      string
	Severity  guanjia.CreditSeverity
	MinMonths int
	MaxMonths int
	Basis     string
}

// publicationPeriods are those of
// 《失信行为纠正后的信用信息修复管理办法（试行）》(国家发展改革委令2023年第58号):
// a 行政处罚 of 一般失信 from 3 months to 1 year, of 严重失信 from 1 to 3
// years. A record type or severity not listed here has no bounds: its
// deciding department judges a repair on its merits and sets the period.
// Change the rules here, nowhere else.
var publicationPeriods = []PublicationPeriod{
	{Type: guanjia.CreditPenalty, Severity: guanjia.SeverityGeneral, MinMonths: 3, MaxMonths: 12,
		Basis: "涉及一般失信行为的行政处罚信息最短公示期三个月，最长公示期一年"},
	{Type: guanjia.CreditPenalty, Severity: guanjia.SeveritySerious, MinMonths: 12, MaxMonths: 36,
		Basis: "涉及严重失信行为的行政处罚信息最短公示期一年，最长公示期三年"},
}

// PublicationPeriods lists the rules, for documentation and the API.
func PublicationPeriods() []PublicationPeriod {
	return append([]PublicationPeriod(nil), publicationPeriods...)
}

// periodOf is the rule for e, if one applies.
func periodOf(e *guanjia.CreditEntry) (PublicationPeriod, bool) {
	sev := severityOf(e)
	for _, p := range publicationPeriods {
		if p.Type == e.Type && p.Severity == sev {
			return p, true
		}
	}
	return PublicationPeriod{}, false
}

// severityOf is e's severity; a graded record without one (written before
// severities were recorded) is 一般失信, the documented default.
func severityOf(e *guanjia.CreditEntry) guanjia.CreditSeverity {
	if e.Severity == "" {
		if rt, err := LookupType(e.Type); err == nil && rt.Graded() {
			return guanjia.SeverityGeneral
		}
	}
	return e.Severity
}

// RepairableFrom is the first day the subject of e may apply for its
// 信用修复: the decision date plus the minimum period, the same day of the
// month that many months later (the month's last day when it has no such
// day: 11-30 + 3 months = 02-28). ok is false when no minimum applies.
func RepairableFrom(e *guanjia.CreditEntry) (day time.Time, ok bool) {
	p, ok := periodOf(e)
	if !ok {
		return time.Time{}, false
	}
	return guanjia.AddMonths(civilDay(e.DecidedOn), p.MinMonths), true
}

// LatestPublicUntil is the latest 公示截止期 e may have: the decision date
// plus the maximum period, counted as RepairableFrom counts. ok is false when
// no maximum applies.
func LatestPublicUntil(e *guanjia.CreditEntry) (day time.Time, ok bool) {
	p, ok := periodOf(e)
	if !ok {
		return time.Time{}, false
	}
	return guanjia.AddMonths(civilDay(e.DecidedOn), p.MaxMonths), true
}

// civilDay drops the time of a date held at 00:00 UTC (as entries hold them).
func civilDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
