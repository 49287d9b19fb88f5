// Package store implements guanjia's stores with gorm on PostgreSQL
// (production) or pure-Go SQLite (the embedded default).
package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/ncruces/go-sqlite3/gormlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"guanjia"
)

// DB holds the connection. Each subsystem has its own store in a field, all
// sharing the one pool; their methods are safe for concurrent use.
type DB struct {
	*conn

	Users         *Users         // accounts, sessions and their audit trail
	Catalog       *Catalog       // categories, units and grids
	Complaints    *Complaints    // the complaint workflow: dispatch.Store
	Notifications *Notifications // the delivery log and the staff's inbox
	Notices       *Notices       // 温馨告知
	Volunteers    *Volunteers    // 公益海口: volunteer.Store
	Credit        *Credit        // 诚信海口: credit.Store
	Idempotency   *Idempotency   // answers to retried POSTs
	WeChat        *WeChat        // the WeChat adapter's tables: wechat.Store
	Open311       *Open311       // Open311 clients and the GeoReport queries
	Hotspots      *Hotspots      // 热点诉求: dispatch.HotspotStore
	POIs          *POIs          // 15分钟便民生活圈: poi.Store
	Approvals     *Approvals     // 行政审批查询: approval.Store
	Laws          *Laws          // 法律法规: law.Store
	Weather       *Weather       // 台风 / 气象 / 积水: typhoons, waterlogging, alerts, saved places
	Disputes      *Disputes      // 大调解: mediation.Store
}

// conn is what the stores share. Dialect and Now are set before the stores
// are used (tests move Now); a change is seen by every store.
type conn struct {
	db      *gorm.DB
	sealer  *sealer
	Dialect string // "postgres" or "sqlite"
	Now     func() time.Time
}

// transactNewKey runs fn in a transaction that reads a row by its unique key
// and inserts it when absent, and runs it once more when another transaction
// inserted the same key meanwhile: the second run finds that row.
func (c *conn) transactNewKey(ctx context.Context, fn func(tx *gorm.DB) error) error {
	err := c.db.WithContext(ctx).Transaction(fn)
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		err = c.db.WithContext(ctx).Transaction(fn)
	}
	return err
}

func newDB(gdb *gorm.DB, sl *sealer, dialect string) *DB {
	c := &conn{db: gdb, sealer: sl, Dialect: dialect, Now: func() time.Time { return time.Now().UTC() }}
	users, catalog := &Users{c}, &Catalog{conn: c}
	complaints := &Complaints{conn: c, users: users, catalog: catalog}
	return &DB{
		conn:          c,
		Users:         users,
		Catalog:       catalog,
		Complaints:    complaints,
		Notifications: &Notifications{c},
		Notices:       &Notices{c},
		Volunteers:    &Volunteers{conn: c, Teams: &Teams{c}, Activities: &Activities{c}, users: users},
		Credit:        &Credit{conn: c, users: users, catalog: catalog},
		Idempotency:   newIdempotency(c),
		WeChat:        &WeChat{c},
		Open311:       &Open311{conn: c, users: users, complaints: complaints},
		Hotspots:      &Hotspots{c},
		POIs:          &POIs{c},
		Approvals:     &Approvals{c},
		Laws:          &Laws{c},
		Weather:       &Weather{c},
		Disputes:      &Disputes{conn: c, users: users},
	}
}

// Open connects to dbURL: postgres://… for PostgreSQL, anything else is a
// SQLite file path. secret keys the encryption of personal data at rest.
func Open(dbURL, secret string) (*DB, error) {
	// Every write that must be atomic with others runs in an explicit
	// Transaction; a lone Create, Update or Delete is one statement, atomic
	// by itself, so gorm's wrapping of each in BEGIN … COMMIT would only add
	// two round trips (no row type has associations or hooks).
	cfg := &gorm.Config{Logger: logger.Discard, NowFunc: func() time.Time { return time.Now().UTC() }, TranslateError: true,
		SkipDefaultTransaction: true}
	var (
		gdb     *gorm.DB
		err     error
		dialect string
	)
	maxConns := 8 // SQLite: writers take turns anyway
	if strings.HasPrefix(dbURL, "postgres://") || strings.HasPrefix(dbURL, "postgresql://") {
		dialect = "postgres"
		if dbURL, maxConns, err = poolSize(dbURL); err != nil {
			return nil, err
		}
		gdb, err = gorm.Open(postgres.Open(dbURL), cfg)
	} else {
		dialect = "sqlite"
		gdb, err = gorm.Open(gormlite.Open(sqliteDSN(strings.TrimPrefix(dbURL, "sqlite://"))), cfg)
	}
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", dialect, err)
	}
	sqlDB, err := gdb.DB()
	if err != nil {
		return nil, fmt.Errorf("store: open: %w", err)
	}
	sqlDB.SetMaxOpenConns(maxConns)
	sqlDB.SetMaxIdleConns(maxConns)
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	return newDB(gdb, newSealer(secret), dialect), nil
}

// poolSize takes the pool_max_conns parameter (pgxpool's name for it) out of
// a PostgreSQL URL and answers the pool size: that, or 4 connections for
// each core this process runs on. A few busy connections per core keep
// PostgreSQL's cores busy; more only queue inside the server, where the
// backends contend for locks and the CPU (measured on 2 cores: 8 connections
// filed up to a quarter more complaints per second than 40 in four runs of
// five, at a lower p99).
func poolSize(dbURL string) (string, int, error) {
	u, err := url.Parse(dbURL)
	if err != nil {
		return "", 0, fmt.Errorf("store: DATABASE_URL: %w", err)
	}
	q := u.Query()
	n := 4 * runtime.GOMAXPROCS(0)
	if v := q.Get("pool_max_conns"); v != "" {
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			return "", 0, fmt.Errorf("store: DATABASE_URL: pool_max_conns=%q is not a positive number", v)
		}
		q.Del("pool_max_conns")
		u.RawQuery = q.Encode()
	}
	return u.String(), n, nil
}

// sqliteTimeFormat is how times are stored in SQLite: text that sorts in time
// order when every time is UTC, as the store writes them, and the form
// databases made by earlier releases hold.
const sqliteTimeFormat = "2006-01-02 15:04:05.999999999-07:00"

// sqliteDSN opens path with WAL, so readers run beside the writer, and
// IMMEDIATE transactions, which take the write lock up front so that two
// writers queue instead of deadlocking.
func sqliteDSN(path string) string {
	return "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)" +
		"&_pragma=synchronous(NORMAL)&_txlock=immediate&_timefmt=" + url.QueryEscape(sqliteTimeFormat)
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
