// Package store implements guanjia's stores with gorm on PostgreSQL
// (production) or pure-Go SQLite (the embedded default).
package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"guanjia"
	"guanjia/migrations"
)

// DB is the database behind every store. Its methods are safe for concurrent use.
type DB struct {
	db      *gorm.DB
	sealer  *sealer
	Dialect string // "postgres" or "sqlite"
	Now     func() time.Time
}

// Open connects to url: postgres://… for PostgreSQL, anything else is a
// SQLite file path. secret keys the encryption of personal data at rest.
func Open(url, secret string) (*DB, error) {
	cfg := &gorm.Config{Logger: logger.Discard, NowFunc: func() time.Time { return time.Now().UTC() }}
	var (
		gdb     *gorm.DB
		err     error
		dialect string
	)
	if strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://") {
		dialect = "postgres"
		gdb, err = gorm.Open(postgres.Open(url), cfg)
	} else {
		dialect = "sqlite"
		path := strings.TrimPrefix(url, "sqlite://")
		// WAL lets readers run beside the writer; IMMEDIATE transactions take the
		// write lock up front so two writers queue instead of deadlocking.
		dsn := "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate"
		gdb, err = gorm.Open(sqlite.Open(dsn), cfg)
	}
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", dialect, err)
	}
	sqlDB, err := gdb.DB()
	if err != nil {
		return nil, fmt.Errorf("store: open: %w", err)
	}
	if dialect == "postgres" {
		sqlDB.SetMaxOpenConns(40)
		sqlDB.SetMaxIdleConns(40)
	} else {
		sqlDB.SetMaxOpenConns(8)
	}
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	return &DB{db: gdb, sealer: newSealer(secret), Dialect: dialect, Now: func() time.Time { return time.Now().UTC() }}, nil
}

// Close closes the connection pool.
func (s *DB) Close() error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// Ping checks that the database answers (readiness).
func (s *DB) Ping(ctx context.Context) error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.PingContext(ctx)
}

// Gorm exposes the connection for packages that keep their own tables in the same database.
func (s *DB) Gorm() *gorm.DB { return s.db }

// Tx runs fn in one transaction; fn's DB shares it.
func (s *DB) Tx(ctx context.Context, fn func(tx *DB) error) error {
	return s.db.WithContext(ctx).Transaction(func(g *gorm.DB) error {
		return fn(&DB{db: g, sealer: s.sealer, Dialect: s.Dialect, Now: s.Now})
	})
}

// sqliteTypes rewrites the PostgreSQL spellings used in migrations/ for SQLite.
var sqliteTypes = strings.NewReplacer(
	"BIGSERIAL PRIMARY KEY", "INTEGER PRIMARY KEY AUTOINCREMENT",
	"TIMESTAMPTZ", "DATETIME",
	"DOUBLE PRECISION", "REAL",
	"JSONB", "TEXT",
	"BYTEA", "BLOB",
)

// Migrate applies the numbered files of migrations/ that are not applied yet,
// each in its own transaction, and records them in schema_migrations.
func (s *DB) Migrate(ctx context.Context) error {
	if err := s.db.WithContext(ctx).Exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
		version TEXT PRIMARY KEY, applied_at ` + s.timestampType() + ` NOT NULL)`).Error; err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	names, err := fs.Glob(migrations.FS, "*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		if err := s.applyMigration(ctx, name); err != nil {
			return fmt.Errorf("store: migrate %s: %w", name, err)
		}
	}
	return nil
}

func (s *DB) timestampType() string {
	if s.Dialect == "sqlite" {
		return "DATETIME"
	}
	return "TIMESTAMPTZ"
}

func (s *DB) applyMigration(ctx context.Context, name string) error {
	body, err := fs.ReadFile(migrations.FS, name)
	if err != nil {
		return err
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if s.Dialect == "postgres" {
			// Several API processes may start at once: one migrates, the others wait.
			if err := tx.Exec("SELECT pg_advisory_xact_lock(4747)").Error; err != nil {
				return err
			}
		}
		var n int64
		if err := tx.Raw("SELECT COUNT(*) FROM schema_migrations WHERE version = ?", name).Scan(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		sql := string(body)
		if s.Dialect == "sqlite" {
			sql = sqliteTypes.Replace(sql)
		}
		for _, stmt := range splitStatements(sql, s.Dialect) {
			if err := tx.Exec(stmt).Error; err != nil {
				return fmt.Errorf("%w\n%s", err, stmt)
			}
		}
		return tx.Exec("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)", name, time.Now().UTC()).Error
	})
}

// postgresOnly is a comment line that marks the next statement as one for
// PostgreSQL only (an extension, a trigram index): other dialects skip it.
const postgresOnly = "-- postgres-only"

// splitStatements splits a migration at semicolons that end a line; -- comments
// are dropped, and so are statements marked postgresOnly unless dialect is postgres.
func splitStatements(sql, dialect string) []string {
	var out []string
	var cur strings.Builder
	skip := false
	for _, line := range strings.Split(sql, "\n") {
		trimmed := strings.TrimSpace(line)
		if trimmed == postgresOnly && cur.Len() == 0 {
			skip = dialect != "postgres"
			continue
		}
		if strings.HasPrefix(trimmed, "--") || trimmed == "" {
			continue
		}
		cur.WriteString(line)
		cur.WriteString("\n")
		if strings.HasSuffix(trimmed, ";") {
			if !skip {
				out = append(out, strings.TrimSuffix(strings.TrimSpace(cur.String()), ";"))
			}
			cur.Reset()
			skip = false
		}
	}
	if s := strings.TrimSpace(cur.String()); s != "" && !skip {
		out = append(out, s)
	}
	return out
}

// mapRows converts database rows to domain values.
func mapRows[R, T any](rows []R, convert func(*R) T) []T {
	out := make([]T, len(rows))
	for i := range rows {
		out[i] = convert(&rows[i])
	}
	return out
}

// decodeJSON reads a JSON column that the store itself wrote. A value that
// does not decode is a bug or a hand edit: it is logged, and the field is
// left empty rather than failing every read of the row.
func decodeJSON(table string, id any, raw string, dst any) {
	if raw == "" {
		return
	}
	if err := json.Unmarshal([]byte(raw), dst); err != nil {
		slog.Error("store: undecodable JSON column", "table", table, "id", id, "err", err)
	}
}

// notFound turns gorm's not-found into guanjia's ENOTFOUND.
func notFound(err error, what string, key any) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return guanjia.Errorf(guanjia.ENOTFOUND, "%s %v not found", what, key)
	}
	return fmt.Errorf("store: find %s %v: %w", what, key, err)
}

// isUniqueViolation reports a duplicate key on either backend.
func isUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	msg := err.Error()
	return strings.Contains(msg, "UNIQUE constraint failed") || strings.Contains(msg, "SQLSTATE 23505") ||
		strings.Contains(msg, "duplicate key value")
}
