package store

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/database"
	"github.com/pressly/goose/v3/lock"

	"guanjia/migrations"
)

// migrationLock is the PostgreSQL advisory lock that migrating holds, so that
// of several processes starting at once one migrates and the others wait.
// Releases before goose took the same key.
const migrationLock = 4747

// legacyVersions is where releases before goose recorded the migrations they
// had applied, by file name ("004_credit.sql"). The files kept their names.
const legacyVersions = "schema_migrations"

// Migrate applies the migrations of migrations/ that the database has not
// recorded yet, in order, each in its own transaction. goose keeps the record
// in goose_db_version.
func (s *DB) Migrate(ctx context.Context) error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	m, err := s.migrations()
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	if err := m.adoptLegacyVersions(ctx, sqlDB); err != nil {
		return fmt.Errorf("store: migrate: adopt %s: %w", legacyVersions, err)
	}
	p, err := m.provider(sqlDB)
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	return nil
}

// migrationSet is one dialect's migrations and goose's record of them.
type migrationSet struct {
	files    fs.FS
	versions versionTable
	postgres bool
}

func (s *DB) migrations() (migrationSet, error) {
	m := migrationSet{files: migrations.SQLite, postgres: s.Dialect == "postgres"}
	dialect, existsQuery := database.DialectSQLite3, sqliteTableExists
	if m.postgres {
		m.files, dialect, existsQuery = migrations.Postgres, database.DialectPostgres, postgresTableExists
	}
	st, err := database.NewStore(dialect, goose.DefaultTablename)
	m.versions = versionTable{Store: st, existsQuery: existsQuery}
	return m, err
}

func (m migrationSet) provider(db *sql.DB) (*goose.Provider, error) {
	opts := []goose.ProviderOption{goose.WithStore(m.versions), goose.WithDisableGlobalRegistry(true)}
	// Of several processes starting at once, one migrates and the others wait:
	// goose tries for the lock once a second, for ten minutes at most. SQLite
	// goes without, as the embedded default is one process (where several
	// share a file, `guanjia migrate` runs first).
	if m.postgres {
		locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(migrationLock), lock.WithLockTimeout(1, 600))
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	return goose.NewProvider(goose.DialectCustom, db, m.files, opts...)
}

// adoptLegacyVersions records in goose's table the migrations that an earlier
// release applied, the first time goose runs on its database, so that goose
// goes on with the newer ones.
func (m migrationSet) adoptLegacyVersions(ctx context.Context, db *sql.DB) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if m.postgres {
		// Released when the transaction ends: the process that waited then finds goose's table.
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", migrationLock); err != nil {
			return err
		}
	}
	if adopted, err := m.versions.TableExists(ctx, tx); err != nil || adopted {
		return err
	}
	if legacy, err := tableExists(ctx, tx, m.versions.existsQuery, legacyVersions); err != nil || !legacy {
		return err
	}
	names, err := legacyNames(ctx, tx)
	if err != nil {
		return err
	}
	// goose's table starts with version 0, as goose itself would have created it.
	if err := m.versions.CreateVersionTable(ctx, tx); err != nil {
		return err
	}
	if err := m.versions.Insert(ctx, tx, database.InsertRequest{Version: 0}); err != nil {
		return err
	}
	for _, name := range names {
		if _, err := fs.Stat(m.files, name); err != nil {
			return fmt.Errorf("%s lists %s, which is not among the migrations", legacyVersions, name)
		}
		v, err := goose.NumericComponent(name)
		if err != nil {
			return err
		}
		if err := m.versions.Insert(ctx, tx, database.InsertRequest{Version: v}); err != nil {
			return err
		}
	}
	return tx.Commit()
}

func legacyNames(ctx context.Context, tx *sql.Tx) ([]string, error) {
	rows, err := tx.QueryContext(ctx, "SELECT version FROM "+legacyVersions+" ORDER BY version")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		names = append(names, name)
	}
	return names, rows.Err()
}

const (
	sqliteTableExists   = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?"
	postgresTableExists = "SELECT COUNT(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename = $1"
)

func tableExists(ctx context.Context, q database.DBTxConn, existsQuery, table string) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, existsQuery, table).Scan(&n)
	return n > 0, err
}

// versionTable is goose's table of applied migrations. It says itself whether
// it exists: goose's SQLite store cannot, and goose's fallback, reading the
// row of version 0, meets a time that SQLite wrote in a form the driver is not
// set to read (sqliteTimeFormat).
type versionTable struct {
	database.Store
	existsQuery string
}

// TableExists is the optional method goose looks for on its store.
func (t versionTable) TableExists(ctx context.Context, q database.DBTxConn) (bool, error) {
	return tableExists(ctx, q, t.existsQuery, t.Tablename())
}
