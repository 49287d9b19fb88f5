// Package migrations holds the numbered SQL files that define the schema,
// one directory per dialect. postgres/ and sqlite/ hold the same migrations
// under the same names, each spelled the way its database wants it:
//
//	PostgreSQL               SQLite
//	BIGSERIAL PRIMARY KEY    INTEGER PRIMARY KEY AUTOINCREMENT
//	TIMESTAMPTZ              DATETIME (the driver reads these columns as times)
//	DOUBLE PRECISION         REAL
//	JSONB                    TEXT
//	BYTEA                    BLOB
//
// PostgreSQL alone also indexes names for search (004). store.Migrate applies
// them with goose; store's tests check that both directories give one schema.
// A new migration is NNN_what.sql in both directories, starting with
// "-- +goose Up".
package migrations

import (
	"embed"
	"io/fs"
)

//go:embed postgres/*.sql sqlite/*.sql
var files embed.FS

// Postgres and SQLite hold each dialect's NNN_what.sql files at their root.
var (
	Postgres = sub("postgres")
	SQLite   = sub("sqlite")
)

func sub(dir string) fs.FS {
	f, err := fs.Sub(files, dir)
	if err != nil {
		panic(err) // dir is one of the embedded directories
	}
	return f
}
