package store

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"guanjia/dispatch"
)

// ExecRaw runs a statement on the raw connection, as the credit import does,
// and translates its error the same way.
func ExecRaw(ctx context.Context, db *DB, query string) error {
	g := db.db.WithContext(ctx)
	_, err := g.Statement.ConnPool.ExecContext(ctx, query)
	return translateError(g, err)
}

// StatsPlan is the database's plan for StatsGroups' query of q, one line a
// step. On PostgreSQL it is planned as for a large table (no sequential or
// bitmap scan), as a test's few rows would not be.
func StatsPlan(ctx context.Context, db *DB, q dispatch.StatsQuery) (string, error) {
	_, query, args := db.Complaints.statsQuery(q)
	explain := "EXPLAIN QUERY PLAN "
	var plan []string
	err := db.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if db.Dialect == "postgres" {
			explain = "EXPLAIN "
			if err := tx.Exec("SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off").Error; err != nil {
				return err
			}
		}
		rows, err := tx.Raw(explain+query, args...).Rows()
		if err != nil {
			return err
		}
		defer rows.Close()
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				return err
			}
			plan = append(plan, fmt.Sprint(vals[len(vals)-1])) // the step's text is the last column
		}
		return rows.Err()
	})
	return strings.Join(plan, "\n"), err
}
