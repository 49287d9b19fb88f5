package store

import (
	"reflect"
	"testing"
)

func TestSplitStatementsPostgresOnly(t *testing.T) {
	sql := `-- a comment
CREATE TABLE a (id INTEGER);
-- postgres-only
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;
CREATE INDEX a_idx ON a (id);
-- postgres-only
CREATE INDEX a_trgm_idx ON a
    USING gin (name public.gin_trgm_ops);
CREATE TABLE b (
    id INTEGER -- postgres-only in a trailing comment marks nothing
);
-- postgres-only
SELECT 1`
	both := []string{"CREATE TABLE a (id INTEGER)", "CREATE INDEX a_idx ON a (id)",
		"CREATE TABLE b (\n    id INTEGER -- postgres-only in a trailing comment marks nothing\n)"}
	if got := splitStatements(sql, "sqlite"); !reflect.DeepEqual(got, both) {
		t.Errorf("sqlite:\n got %q\nwant %q", got, both)
	}
	pg := []string{"CREATE TABLE a (id INTEGER)", "CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public",
		"CREATE INDEX a_idx ON a (id)", "CREATE INDEX a_trgm_idx ON a\n    USING gin (name public.gin_trgm_ops)", both[2], "SELECT 1"}
	if got := splitStatements(sql, "postgres"); !reflect.DeepEqual(got, pg) {
		t.Errorf("postgres:\n got %q\nwant %q", got, pg)
	}
}
