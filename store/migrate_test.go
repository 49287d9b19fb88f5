package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pressly/goose/v3"

	"guanjia/internal/testenv"
	"guanjia/migrations"
	"guanjia/store"
)

// migrationFiles returns the dialect's migration file names, in order.
func migrationFiles(t *testing.T, db *store.DB) (fs.FS, []string) {
	t.Helper()
	files := migrations.SQLite
	if db.Dialect == "postgres" {
		files = migrations.Postgres
	}
	names, err := fs.Glob(files, "*.sql")
	if err != nil || len(names) == 0 {
		t.Fatalf("migration files: %v %v", names, err)
	}
	return files, names
}

// latestVersion is the number of the last migration (both directories have
// the same names: TestMigrationsHaveOneNumbering).
func latestVersion(t *testing.T) int64 {
	t.Helper()
	names, err := fs.Glob(migrations.SQLite, "*.sql")
	if err != nil || len(names) == 0 {
		t.Fatalf("migration files: %v %v", names, err)
	}
	v, err := goose.NumericComponent(names[len(names)-1])
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// Each migration has one number and is written for both dialects.
func TestMigrationsHaveOneNumbering(t *testing.T) {
	pg, err := fs.Glob(migrations.Postgres, "*.sql")
	if err != nil {
		t.Fatal(err)
	}
	lite, err := fs.Glob(migrations.SQLite, "*.sql")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(pg, lite) {
		t.Errorf("postgres/ has %v\nsqlite/ has %v", pg, lite)
	}
	for i, name := range lite {
		if v, err := goose.NumericComponent(name); err != nil || v != int64(i+1) {
			t.Errorf("%s: version %d (%v), want %d", name, v, err, i+1)
		}
	}
}

func openUnmigrated(t *testing.T, url string) *store.DB {
	t.Helper()
	db, err := store.Open(url, testenv.Secret)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func rawDB(t *testing.T, db *store.DB) *sql.DB {
	t.Helper()
	sqlDB, err := db.Gorm().DB()
	if err != nil {
		t.Fatal(err)
	}
	return sqlDB
}

// migrateLikeEarlierReleases builds the schema as releases before goose did:
// the files up to and including upTo applied in order, and their names listed
// in schema_migrations.
func migrateLikeEarlierReleases(t *testing.T, db *store.DB, upTo int64) {
	t.Helper()
	ctx, sqlDB := context.Background(), rawDB(t, db)
	timestamp := "DATETIME"
	if db.Dialect == "postgres" {
		timestamp = "TIMESTAMPTZ"
	}
	if _, err := sqlDB.ExecContext(ctx, "CREATE TABLE schema_migrations (version TEXT PRIMARY KEY, applied_at "+timestamp+" NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	files, names := migrationFiles(t, db)
	for _, name := range names {
		if v, _ := goose.NumericComponent(name); v > upTo {
			break
		}
		body, err := fs.ReadFile(files, name)
		if err != nil {
			t.Fatal(err)
		}
		// Both drivers run every statement of a text sent without arguments.
		// A release applied a migration forward: its Down part is not run.
		up, _, _ := strings.Cut(string(body), "-- +goose Down")
		if _, err := sqlDB.ExecContext(ctx, up); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := sqlDB.ExecContext(ctx, "INSERT INTO schema_migrations (version, applied_at) VALUES ('"+name+"', '2025-03-01 08:00:00+00:00')"); err != nil {
			t.Fatal(err)
		}
	}
}

// legacyRows are written as the earlier SQLite driver wrote them: times as
// text "2006-01-02 15:04:05.999999999-07:00" (PostgreSQL parses the same text).
const legacyRows = `
INSERT INTO units (code, name, department) VALUES ('hk-sz', '海口市市政管理局', 'municipal');
INSERT INTO users (username, role, name, created_at) VALUES ('legacy', 'citizen', '王小明', '2025-03-01 07:59:00+00:00');
INSERT INTO categories (code, name, kind, major, department, accept_within_s, arrive_within_s, resolve_within_s, updated_at)
    VALUES ('road', '道路破损', 'event', 'municipal', 'municipal', 3600, 1800, 86400, '2025-03-01 07:00:00+00:00');
INSERT INTO complaints (category, description, lat, lng, coord_system, source, reporter_id, status, accept_by, created_at, updated_at)
    SELECT 'road', '龙华路人行道砖松动', 20.03, 110.33, 'wgs84', 'miniprogram', id, 'pending', '2025-03-01 09:00:00.25+00:00',
        '2025-03-01 08:00:00.25+00:00', '2025-03-01 08:00:00.25+00:00' FROM users WHERE username = 'legacy';
INSERT INTO complaints (category, description, lat, lng, coord_system, source, reporter_id, status, created_at, updated_at)
    SELECT 'road', '井盖缺失', 20.04, 110.34, 'wgs84', 'hotline', id, 'pending',
        '2025-03-01 08:00:01+00:00', '2025-03-01 08:00:01+00:00' FROM users WHERE username = 'legacy';
INSERT INTO credit_subjects (subject_key, kind, credit_code, name, created_at, updated_at)
    VALUES ('91350100M000100Y43', 'legal', '91350100M000100Y43', '海口某某餐饮有限公司', '2025-03-01 08:00:00+00:00', '2025-03-01 08:00:00+00:00');
INSERT INTO credit_entries (type, subject_id, document_no, authority, department, decided_on, public_until, status, created_at, updated_at)
    SELECT 'penalty', id, '海市监罚〔2025〕1号', '海口市市场监督管理局', 'hk-sz', '2025-02-28 00:00:00+00:00',
        '2025-05-28 00:00:00+00:00', 'active', '2025-03-01 08:00:00+00:00', '2025-03-01 08:00:00+00:00'
    FROM credit_subjects WHERE subject_key = '91350100M000100Y43';
`

func gooseRows(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	if err := rawDB(t, db).QueryRow("SELECT COUNT(*) FROM goose_db_version").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A database that an earlier release made and migrated goes on with goose:
// the migrations it had are recorded, not run again, the newer ones run, and
// its rows read back as they were written.
func TestMigrateAdoptsEarlierReleases(t *testing.T) {
	latest := latestVersion(t)
	for _, upTo := range []int64{8, latest} {
		t.Run(fmt.Sprintf("applied up to %d", upTo), func(t *testing.T) {
			ctx := context.Background()
			db := openUnmigrated(t, testenv.DatabaseURL(t))
			migrateLikeEarlierReleases(t, db, upTo)
			if _, err := rawDB(t, db).ExecContext(ctx, legacyRows); err != nil {
				t.Fatal(err)
			}

			if err := db.Migrate(ctx); err != nil {
				t.Fatalf("migrate: %v", err)
			}
			if v, err := store.SchemaVersion(ctx, db); err != nil || v != latest {
				t.Fatalf("schema version %d (%v), want %d", v, err, latest)
			}
			rows := gooseRows(t, db)
			if err := db.Migrate(ctx); err != nil {
				t.Fatalf("second migrate: %v", err)
			}
			if again := gooseRows(t, db); again != rows {
				t.Errorf("a second migrate recorded %d more versions", again-rows)
			}

			var c struct {
				Description string
				AcceptBy    *time.Time
				CreatedAt   time.Time
			}
			if err := db.Gorm().Raw("SELECT description, accept_by, created_at FROM complaints ORDER BY id LIMIT 1").Scan(&c).Error; err != nil {
				t.Fatal(err)
			}
			at := time.Date(2025, 3, 1, 8, 0, 0, 250_000_000, time.UTC)
			if c.Description != "龙华路人行道砖松动" || !c.CreatedAt.Equal(at) || c.AcceptBy == nil || !c.AcceptBy.Equal(at.Add(time.Hour)) {
				t.Errorf("complaint read back as %+v (accept by %v)", c, c.AcceptBy)
			}
			// Times the store writes now compare with the ones written before.
			for _, tc := range []struct {
				before time.Time
				want   int
			}{{at, 0}, {at.Add(time.Millisecond), 1}, {at.Add(750 * time.Millisecond), 1}, {at.Add(751 * time.Millisecond), 2}} {
				var n int
				if err := db.Gorm().Raw("SELECT COUNT(*) FROM complaints WHERE created_at < ?", tc.before).Scan(&n).Error; err != nil || n != tc.want {
					t.Errorf("complaints before %v: %d (%v), want %d", tc.before, n, err, tc.want)
				}
			}
			if upTo < 9 {
				// 009 grades the penalties published before it as general.
				var severity string
				if err := db.Gorm().Raw("SELECT severity FROM credit_entries").Scan(&severity).Error; err != nil || severity != "general" {
					t.Errorf("penalty severity %q (%v), want general", severity, err)
				}
			}
		})
	}
}

// 030: the catalogue's skills a volunteer named at 实名认证 become skills
// organisers search by; other words stay on the certification only.
func TestMigrateMakesCertifiedSkillsSearchable(t *testing.T) {
	ctx := context.Background()
	db := openUnmigrated(t, testenv.DatabaseURL(t))
	migrateLikeEarlierReleases(t, db, 29)
	if _, err := rawDB(t, db).ExecContext(ctx, `
INSERT INTO users (username, role, name, created_at) VALUES ('vol', 'citizen', '李海南', '2025-03-01 07:59:00+00:00');
INSERT INTO volunteers (user_id, name, id_number_enc, id_number_hash, skills, certified_at)
    SELECT id, '李海南', 'x', 'h', '["急救","吹笛子","摄影"]', '2025-03-01 08:00:00+00:00' FROM users WHERE username = 'vol';`); err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	var skills []string
	if err := db.Gorm().Raw("SELECT skill FROM volunteer_skills ORDER BY skill").Scan(&skills).Error; err != nil ||
		!slices.Equal(skills, []string{"急救", "摄影"}) {
		t.Errorf("searchable skills %v (%v), want 急救 and 摄影", skills, err)
	}
}

// A schema_migrations that names a file this release does not have is not
// guessed at.
func TestMigrateRefusesUnknownEarlierVersion(t *testing.T) {
	db := openUnmigrated(t, testenv.DatabaseURL(t))
	migrateLikeEarlierReleases(t, db, 1)
	if _, err := rawDB(t, db).Exec("INSERT INTO schema_migrations (version, applied_at) VALUES ('002_elsewhere.sql', '2025-03-01 08:00:00+00:00')"); err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(context.Background()); err == nil || !strings.Contains(err.Error(), "002_elsewhere.sql") {
		t.Fatalf("migrate: %v, want an error naming 002_elsewhere.sql", err)
	}
}

// Several processes may start at once on one PostgreSQL database: one
// migrates while the others wait, and all of them then see the schema.
func TestMigrateConcurrently(t *testing.T) {
	if !testenv.Postgres() {
		t.Skip("SQLite is the single process of the embedded default")
	}
	url := testenv.DatabaseURL(t)
	var (
		wg   sync.WaitGroup
		errs = make([]error, 4)
		dbs  = make([]*store.DB, len(errs))
	)
	for i := range dbs {
		dbs[i] = openUnmigrated(t, url)
	}
	for i, db := range dbs {
		wg.Go(func() { errs[i] = db.Migrate(context.Background()) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("process %d: %v", i, err)
		}
	}
	if v, err := store.SchemaVersion(context.Background(), dbs[0]); err != nil || v != latestVersion(t) {
		t.Errorf("schema version %d (%v)", v, err)
	}
	if n := gooseRows(t, dbs[0]); n != int(latestVersion(t))+1 {
		t.Errorf("goose recorded %d rows, want each version once and version 0", n)
	}
}

// The two directories of migrations/ give one schema: the same tables, with
// the same columns in the same order, equally nullable and of corresponding
// types, and the same indexes but for PostgreSQL's name search.
func TestMigrationsGiveOneSchema(t *testing.T) {
	if !testenv.Postgres() {
		t.Skip("compares with PostgreSQL")
	}
	pg := testenv.MustOpenDB(t)
	lite := openUnmigrated(t, filepath.Join(t.TempDir(), "guanjia.db"))
	if err := lite.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	sqliteType := map[string][]string{
		"bigint":                   {"BIGINT", "INTEGER"}, // INTEGER: the key SQLite numbers itself
		"integer":                  {"INTEGER"},
		"text":                     {"TEXT"},
		"boolean":                  {"BOOLEAN"},
		"double precision":         {"REAL"},
		"timestamp with time zone": {"DATETIME"},
		"bytea":                    {"BLOB"},
		"jsonb":                    {"TEXT"},
	}
	pgColumns := columns(t, pg, `SELECT table_name, column_name, data_type, is_nullable = 'NO', false
		FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`)
	liteColumns := columns(t, lite, `SELECT m.name, p.name, p.type, p."notnull", p.pk > 0
		FROM sqlite_master m JOIN pragma_table_info(m.name) p
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, p.cid`)
	for table, want := range pgColumns {
		if table == "goose_db_version" {
			continue // goose's own, in each dialect's spelling
		}
		got := liteColumns[table]
		if len(got) != len(want) {
			t.Errorf("%s: SQLite has %d columns, PostgreSQL %d", table, len(got), len(want))
			continue
		}
		for i, w := range want {
			g := got[i]
			if g.name != w.name || !slices.Contains(sqliteType[w.typ], g.typ) || g.notNull != w.notNull {
				t.Errorf("%s column %d: SQLite %+v, PostgreSQL %+v", table, i+1, g, w)
			}
		}
	}
	// SQLite's full-text (FTS5) tables, and the shadow tables each keeps,
	// stand for PostgreSQL's trigram indexes.
	virtual := queryNames(t, lite, `SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'`)
	fullText := func(table string) bool {
		return slices.ContainsFunc(virtual, func(v string) bool { return table == v || strings.HasPrefix(table, v+"_") })
	}
	for table := range liteColumns {
		if _, ok := pgColumns[table]; !ok && !fullText(table) {
			t.Errorf("SQLite has %s, PostgreSQL does not", table)
		}
	}

	pgIndexes := queryNames(t, pg, `SELECT indexname FROM pg_indexes i WHERE schemaname = current_schema()
		AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname) ORDER BY indexname`)
	liteIndexes := queryNames(t, lite, `SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name`)
	postgresOnly := []string{"credit_subjects_name_bigram_idx", "credit_subjects_name_trgm_idx",
		"laws_title_trgm_idx", "law_articles_text_trgm_idx", "law_articles_text_bigram_idx"} // SQLite: the law_fts table
	for _, name := range pgIndexes {
		if !slices.Contains(liteIndexes, name) && !slices.Contains(postgresOnly, name) {
			t.Errorf("index %s is missing on SQLite", name)
		}
	}
	for _, name := range liteIndexes {
		if !slices.Contains(pgIndexes, name) {
			t.Errorf("index %s is missing on PostgreSQL", name)
		}
	}
}

type column struct {
	name, typ string
	notNull   bool
}

// columns answers table → columns; a key column counts as not null.
func columns(t *testing.T, db *store.DB, query string) map[string][]column {
	t.Helper()
	rows, err := rawDB(t, db).Query(query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string][]column{}
	for rows.Next() {
		var table string
		var c column
		var key bool
		if err := rows.Scan(&table, &c.name, &c.typ, &c.notNull, &key); err != nil {
			t.Fatal(err)
		}
		c.notNull = c.notNull || key
		out[table] = append(out[table], c)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func queryNames(t *testing.T, db *store.DB, query string) []string {
	t.Helper()
	rows, err := rawDB(t, db).Query(query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		out = append(out, name)
	}
	return out
}
