// Package testenv gives tests a fresh database and Redis: embedded (SQLite,
// miniredis) by default, real PostgreSQL and Redis when
// GUANJIA_TEST_DATABASE_URL and GUANJIA_TEST_REDIS_URL are set.
package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"guanjia/store"
)

// Secret is the PII key used by tests.
const Secret = "test-secret"

// DatabaseURL returns a URL for a fresh, migrated-nothing database: a new
// PostgreSQL schema (dropped at cleanup) or a SQLite file in tb.TempDir().
func DatabaseURL(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv("GUANJIA_TEST_DATABASE_URL")
	if base == "" {
		return filepath.Join(tb.TempDir(), "guanjia.db")
	}
	schema := "t_" + randomHex(6)
	admin, err := gorm.Open(postgres.Open(base), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		tb.Fatalf("testenv: connect %s: %v", base, err)
	}
	if err := admin.Exec("CREATE SCHEMA " + schema).Error; err != nil {
		tb.Fatalf("testenv: create schema: %v", err)
	}
	tb.Cleanup(func() {
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		if db, err := admin.DB(); err == nil {
			db.Close()
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("testenv: parse %s: %v", base, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// MustOpenDB opens a fresh, migrated database.
func MustOpenDB(tb testing.TB) *store.DB {
	tb.Helper()
	db, err := store.Open(DatabaseURL(tb), Secret)
	if err != nil {
		tb.Fatalf("testenv: open database: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	if sqlDB, err := db.Gorm().DB(); err == nil && Postgres() {
		// Test packages run side by side, each with many databases: a small
		// pool each keeps them all under the server's max_connections.
		sqlDB.SetMaxOpenConns(16)
		sqlDB.SetMaxIdleConns(2)
	}
	if err := db.Migrate(context.Background()); err != nil {
		tb.Fatalf("testenv: migrate: %v", err)
	}
	return db
}

// Postgres reports whether tests run against real PostgreSQL.
func Postgres() bool { return os.Getenv("GUANJIA_TEST_DATABASE_URL") != "" }

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return strings.ToLower(hex.EncodeToString(b))
}
