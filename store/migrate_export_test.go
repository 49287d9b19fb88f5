package store

import "context"

// SchemaVersion is the latest migration goose has recorded as applied.
func SchemaVersion(ctx context.Context, db *DB) (int64, error) {
	sqlDB, err := db.db.DB()
	if err != nil {
		return 0, err
	}
	m, err := db.migrations()
	if err != nil {
		return 0, err
	}
	p, err := m.provider(sqlDB)
	if err != nil {
		return 0, err
	}
	return p.GetDBVersion(ctx)
}
