package store

import "context"

// ExecRaw runs a statement on the raw connection, as the credit import does,
// and translates its error the same way.
func ExecRaw(ctx context.Context, db *DB, query string) error {
	g := db.db.WithContext(ctx)
	_, err := g.Statement.ConnPool.ExecContext(ctx, query)
	return translateError(g, err)
}
