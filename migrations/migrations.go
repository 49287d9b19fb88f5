// Package migrations holds the numbered SQL files that define the schema.
// They are written for PostgreSQL and applied in order by store.Migrate.
package migrations

import "embed"

// FS holds NNN_name.sql files.
//
//go:embed *.sql
var FS embed.FS
