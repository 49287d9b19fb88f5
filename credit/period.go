package credit

import (
	"time"

	"guanjia"
)

// MinimumPeriod is how long a 失信 record stays in public view before its
// subject may apply for 信用修复, counted from the decision (处罚决定日期).
type MinimumPeriod struct {
	Type     string
	Severity guanjia.CreditSeverity
	Months   int
	Basis    string
}

// minimumPeriods are the minimum publication periods of
// 《失信行为纠正后的信用信息修复管理办法（试行）》(国家发展改革委令2023年第58号):
// a 行政处罚 of 一般失信 at least 3 months, of 严重失信 at least 1 year. A
// record type or severity not listed here has no minimum: its deciding
// department judges the application on its merits. Change the rules here,
// nowhere else.
var minimumPeriods = []MinimumPeriod{
	{Type: guanjia.CreditPenalty, Severity: guanjia.SeverityGeneral, Months: 3, Basis: "涉及一般失信行为的行政处罚信息最短公示期三个月"},
	{Type: guanjia.CreditPenalty, Severity: guanjia.SeveritySerious, Months: 12, Basis: "涉及严重失信行为的行政处罚信息最短公示期一年"},
}

// MinimumPeriods lists the rules, for documentation and the API.
func MinimumPeriods() []MinimumPeriod { return append([]MinimumPeriod(nil), minimumPeriods...) }

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
	sev := severityOf(e)
	for _, p := range minimumPeriods {
		if p.Type == e.Type && p.Severity == sev {
			return guanjia.AddMonths(civilDay(e.DecidedOn), p.Months), true
		}
	}
	return time.Time{}, false
}

// civilDay drops the time of a date held at 00:00 UTC (as entries hold them).
func civilDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
