package store

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"guanjia"
	"guanjia/dispatch"
)

// StatsGroups sums the KPI counts of dispatch/kpi.go in SQL, by day, unit,
// district and category, in one pass over the complaints received: their
// 回访 answers are counted on their rows (ratingCountColumns). The groups are
// few (a unit works in few districts and categories), whatever the number
// of complaints.
func (s *Complaints) StatsGroups(ctx context.Context, q dispatch.StatsQuery) ([]dispatch.StatsGroup, error) {
	_, offset := q.From.In(q.Location).Zone()
	where := "c.created_at >= ? AND c.created_at < ? AND " + dispatch.ReceivedSQL
	args := []any{q.From, q.To}
	if q.UnitCode != "" {
		where += " AND c.unit_code = ?"
		args = append(args, q.UnitCode)
	}
	var sums []string
	for _, k := range dispatch.ComplaintCounts {
		sums = append(sums, "SUM("+s.kpiSQL(k.SQL, q.Now)+")")
	}
	for _, column := range ratingCountColumns {
		sums = append(sums, "SUM(c."+column+")")
	}
	query := "SELECT " + s.localDay("c.created_at", offset) + ", c.unit_code, c.district, c.category, " + strings.Join(sums, ", ") +
		" FROM complaints c WHERE " + where + " GROUP BY 1, 2, 3, 4"
	groups := map[[4]string]*dispatch.StatsGroup{}
	if err := s.sumGroups(ctx, groups, append(slices.Clone(dispatch.ComplaintCounts), dispatch.RatingCounts...), query, args); err != nil {
		return nil, err
	}
	out := make([]dispatch.StatsGroup, 0, len(groups))
	for _, g := range groups {
		out = append(out, *g)
	}
	return out, nil
}

// sumGroups runs one grouped query and adds its sums to groups.
func (s *Complaints) sumGroups(ctx context.Context, groups map[[4]string]*dispatch.StatsGroup, counts []dispatch.KPICount, query string, args []any) error {
	rows, err := s.db.WithContext(ctx).Raw(query, args...).Rows()
	if err != nil {
		return fmt.Errorf("store: stats: %w", err)
	}
	defer rows.Close()
	var key [4]string
	sums := make([]int64, len(counts))
	dest := []any{&key[0], &key[1], &key[2], &key[3]}
	for i := range sums {
		dest = append(dest, &sums[i])
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("store: stats: %w", err)
		}
		g := groups[key]
		if g == nil {
			g = &dispatch.StatsGroup{Day: key[0], UnitCode: key[1], District: key[2], Category: key[3]}
			groups[key] = g
		}
		for i, k := range counts {
			*k.Field(&g.Stats) += int(sums[i])
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: stats: %w", err)
	}
	return nil
}

// localDay is the date (YYYY-MM-DD) of a time column offset seconds east of UTC.
func (s *Complaints) localDay(column string, offset int) string {
	if s.Dialect == "postgres" {
		return fmt.Sprintf("to_char((%s AT TIME ZONE 'UTC') + interval '%d seconds', 'YYYY-MM-DD')", column, offset)
	}
	return fmt.Sprintf("date(%s, '%+d seconds')", column, offset)
}

var kpiTime = regexp.MustCompile(`\{([a-z_.]+)\}`)

// kpiSQL spells the times of a KPI count ({column}, {now}) so that they
// compare as instants: SQLite keeps a time as text with the offset it was
// written with, so there they compare as Julian days (to the millisecond).
func (s *Complaints) kpiSQL(expr string, now time.Time) string {
	literal := "'" + now.UTC().Format("2006-01-02 15:04:05.999999999Z07:00") + "'"
	return kpiTime.ReplaceAllStringFunc(expr, func(m string) string {
		v := m[1 : len(m)-1]
		if v == "now" {
			v = literal
			if s.Dialect == "postgres" {
				return v + "::timestamptz"
			}
		}
		if s.Dialect == "postgres" {
			return v
		}
		return "julianday(" + v + ")"
	})
}

// openComplaintsSQL selects the complaints not yet ended (guanjia.Status.Open),
// spelled as the predicate of the partial index complaints_open_idx
// (migrations/*/018_stats.sql) so that the live queue reads that index only.
var openComplaintsSQL = fmt.Sprintf("status NOT IN ('%s', '%s', '%s')", guanjia.StatusClosed, guanjia.StatusRejected, guanjia.StatusDuplicate)

// ratingCountColumns keep, on each complaint's row, the sums of
// dispatch.RatingCounts over its 回访 answers, in that order, so that the
// statistics read no answers. refreshRatingCounts rewrites them in the
// transaction that records an answer; 018_stats.sql filled them once.
var ratingCountColumns = []string{"kpi_ratings", "kpi_satisfied", "kpi_solved_answers", "kpi_solved"}

// refreshRatingCountsSQL recounts one complaint's ratingCountColumns.
var refreshRatingCountsSQL = func() string {
	if len(ratingCountColumns) != len(dispatch.RatingCounts) {
		panic("store: ratingCountColumns do not match dispatch.RatingCounts")
	}
	set := make([]string, len(ratingCountColumns))
	for i, k := range dispatch.RatingCounts {
		set[i] = fmt.Sprintf("%s = (SELECT COALESCE(SUM(%s), 0) FROM complaint_ratings r WHERE r.complaint_id = complaints.id)",
			ratingCountColumns[i], k.SQL)
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
