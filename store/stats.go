package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"guanjia"
	"guanjia/dispatch"
)

// StatsGroups sums the KPI counts of dispatch/kpi.go in SQL, by day, unit,
// district and category, in one pass over the complaints received: their
// 回访 answers are counted on their rows (ratingCounts). The groups are few
// (a unit works in few districts and categories), whatever the number of
// complaints; every column counted is in complaints_stats_idx
// (migrations/*/021_stats_covering.sql), so the pass reads that index only.
func (s *Complaints) StatsGroups(ctx context.Context, q dispatch.StatsQuery) ([]dispatch.StatsGroup, error) {
	counts, query, args := s.statsQuery(q)
	db := s.db.WithContext(ctx)
	var out []dispatch.StatsGroup
	var err error
	if s.Dialect == "postgres" {
		err = db.Transaction(func(tx *gorm.DB) error {
			// A month is tens of thousands of rows in a few thousand groups:
			// room to hash them rather than sort them on disk.
			if err := tx.Exec("SET LOCAL work_mem = '32MB'").Error; err != nil {
				return err
			}
			out, err = sumGroups(tx, counts, query, args)
			return err
		})
	} else { // SQLite's transactions take the write lock: a read needs none
		out, err = sumGroups(db, counts, query, args)
	}
	if err != nil {
		return nil, fmt.Errorf("store: stats: %w", err)
	}
	return out, nil
}

// statsQuery is StatsGroups' one grouped query: a row per group, its key
// (day, unit, district, category) then the counts.
func (s *Complaints) statsQuery(q dispatch.StatsQuery) ([]statsCount, string, []any) {
	_, offset := q.From.In(q.Location).Zone()
	where := "c.created_at >= ? AND c.created_at < ? AND " + receivedSQL
	args := []any{q.From, q.To}
	if q.UnitCode != "" {
		where += " AND c.unit_code = ?"
		args = append(args, q.UnitCode)
	}
	counts := s.complaintCounts(q.Now)
	var sums []string
	for _, k := range counts {
		sums = append(sums, "SUM("+k.sql+")")
	}
	for _, k := range ratingCounts {
		counts = append(counts, statsCount{k.field, ""})
		sums = append(sums, "SUM(c."+k.column+")")
	}
	// Grouped by the date itself, which is cheaper than by its spelling.
	day, spelled := s.localDate("c.created_at", offset)
	query := "SELECT " + spelled + ", c.unit_code, c.district, c.category, " + strings.Join(sums, ", ") +
		" FROM complaints c WHERE " + where + " GROUP BY " + day + ", 2, 3, 4"
	return counts, query, args
}

// sumGroups reads the grouped query's rows into StatsGroups.
func sumGroups(tx *gorm.DB, counts []statsCount, query string, args []any) ([]dispatch.StatsGroup, error) {
	rows, err := tx.Raw(query, args...).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []dispatch.StatsGroup{}
	var g dispatch.StatsGroup
	sums := make([]int64, len(counts))
	dest := []any{&g.Day, &g.UnitCode, &g.District, &g.Category}
	for i := range sums {
		dest = append(dest, &sums[i])
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		g.Stats = guanjia.Stats{}
		for i, k := range counts {
			*k.field(&g.Stats) = int(sums[i])
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// localDate is the date of a time column offset seconds east of UTC, and
// that date spelled YYYY-MM-DD.
func (s *Complaints) localDate(column string, offset int) (day, spelled string) {
	if s.Dialect == "postgres" {
		day = fmt.Sprintf("((%s AT TIME ZONE 'UTC') + interval '%d seconds')::date", column, offset)
		return day, "to_char(" + day + ", 'YYYY-MM-DD')"
	}
	day = fmt.Sprintf("date(%s, '%+d seconds')", column, offset)
	return day, day
}

// statsCount is one count of guanjia.Stats (dispatch/kpi.go defines each)
// and the SQL summed for it.
type statsCount struct {
	field func(*guanjia.Stats) *int
	sql   string
}

// receivedSQL selects the complaints that are received work: me-too
// duplicates are not (their original is).
var receivedSQL = fmt.Sprintf("c.status <> '%s'", guanjia.StatusDuplicate)

// complaintCounts are the counts of dispatch/kpi.go over a received
// complaint c, as of now (whether an arrival is settled).
func (s *Complaints) complaintCounts(now time.Time) []statsCount {
	// at spells a time so that times compare as instants: SQLite keeps a time
	// as text with the offset it was written with, so there they compare as
	// Julian days (to the millisecond).
	at := func(column string) string {
		if s.Dialect == "postgres" {
			return column
		}
		return "julianday(" + column + ")"
	}
	nowSQL := "'" + now.UTC().Format("2006-01-02 15:04:05.999999999Z07:00") + "'"
	if s.Dialect == "postgres" {
		nowSQL += "::timestamptz"
	} else {
		nowSQL = at(nowSQL)
	}
	closed := fmt.Sprintf("c.status = '%s'", guanjia.StatusClosed)
	arrivable := fmt.Sprintf("c.arrive_by IS NOT NULL AND c.status <> '%s'", guanjia.StatusRejected)
	// An order resolved within an extension granted after its deadline had
	// passed is still overdue (dispatch's extend keeps the flag): not on time.
	resolvedInTime := at("c.resolved_at") + " <= " + at("c.resolve_by") + " AND NOT c.overdue"
	return []statsCount{
		{func(st *guanjia.Stats) *int { return &st.Received }, "1"},
		{func(st *guanjia.Stats) *int { return &st.Handled }, sqlCount("c.resolved_at IS NOT NULL")},
		{func(st *guanjia.Stats) *int { return &st.HandledOnTime }, sqlCount(resolvedInTime)},
		{func(st *guanjia.Stats) *int { return &st.Closed }, sqlCount(closed)},
		{func(st *guanjia.Stats) *int { return &st.ClosedOnTime }, sqlCount(closed + " AND " + resolvedInTime)},
		{func(st *guanjia.Stats) *int { return &st.AcceptDue },
			sqlCount("c.attempt > 0 AND (c.accepted_at IS NOT NULL OR c.missed_accepts > 0)")},
		{func(st *guanjia.Stats) *int { return &st.AcceptedOnTime },
			sqlCount("c.attempt > 0 AND c.accepted_at IS NOT NULL AND c.missed_accepts = 0")},
		{func(st *guanjia.Stats) *int { return &st.ArriveDue },
			sqlCount(arrivable + " AND (c.arrived_at IS NOT NULL OR " + at("c.arrive_by") + " <= " + nowSQL + ")")},
		{func(st *guanjia.Stats) *int { return &st.ArrivedOnTime },
			sqlCount(arrivable + " AND " + at("c.arrived_at") + " <= " + at("c.arrive_by"))},
		{func(st *guanjia.Stats) *int { return &st.EverHandled }, sqlCount("c.resolved_at IS NOT NULL OR c.reopen_count > 0")},
		{func(st *guanjia.Stats) *int { return &st.Reworked }, sqlCount("c.reopen_count > 0")},
		{func(st *guanjia.Stats) *int { return &st.MissedDeadlines }, "c.missed_deadlines"},
		{func(st *guanjia.Stats) *int { return &st.ManualEscalations }, "c.manual_escalations"},
	}
}

// sqlCount counts the rows where cond holds (NULL, as a missing time, does not).
func sqlCount(cond string) string { return "CASE WHEN " + cond + " THEN 1 ELSE 0 END" }

// openComplaintsSQL selects the complaints not yet ended (guanjia.Status.Open),
// spelled as the predicate of the partial index complaints_open_idx
// (migrations/*/018_stats.sql) so that the live queue reads that index only.
var openComplaintsSQL = fmt.Sprintf("status NOT IN ('%s', '%s', '%s')", guanjia.StatusClosed, guanjia.StatusRejected, guanjia.StatusDuplicate)

// ratingCounts are the counts of dispatch/kpi.go over the 回访 answers r of
// a complaint. Each complaint's row keeps their sums in column, so that the
// statistics read no answers: refreshRatingCounts rewrites them in the
// transaction that records an answer; 018_stats.sql filled them once.
var ratingCounts = []struct {
	column string
	field  func(*guanjia.Stats) *int
	sql    string
}{
	{"kpi_ratings", func(st *guanjia.Stats) *int { return &st.Ratings }, "1"},
	{"kpi_satisfied", func(st *guanjia.Stats) *int { return &st.Satisfied }, sqlCount(fmt.Sprintf("r.score >= %d", guanjia.RatingFair))},
	{"kpi_solved_answers", func(st *guanjia.Stats) *int { return &st.SolvedAnswers }, sqlCount("r.solved IS NOT NULL")},
	{"kpi_solved", func(st *guanjia.Stats) *int { return &st.Solved }, sqlCount("r.solved = TRUE")},
}

// refreshRatingCountsSQL recounts one complaint's ratingCounts columns.
var refreshRatingCountsSQL = func() string {
	set := make([]string, len(ratingCounts))
	for i, k := range ratingCounts {
		set[i] = fmt.Sprintf("%s = (SELECT COALESCE(SUM(%s), 0) FROM complaint_ratings r WHERE r.complaint_id = complaints.id)",
			k.column, k.sql)
	}
	return "UPDATE complaints SET " + strings.Join(set, ", ") + " WHERE id = ?"
}()

// refreshRatingCounts recounts the 回访 answers of complaint id on its row.
func refreshRatingCounts(tx *gorm.DB, id int64) error {
	if err := tx.Exec(refreshRatingCountsSQL, id).Error; err != nil {
		return fmt.Errorf("store: count the ratings of complaint %d: %w", id, err)
	}
	return nil
}
