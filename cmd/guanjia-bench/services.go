package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strings"
	"text/tabwriter"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"
)

// flushFlag declares --flush-redis-db on fs: a benchmark that empties its
// Redis database runs only when told which one, and that one only.
func flushFlag(fs *flag.FlagSet) *int {
	return fs.Int("flush-redis-db", -1, "the number of the Redis database of REDIS_URL, which the benchmark empties (required)")
}

// flushableRedis answers the options of REDIS_URL when flushDB names its
// database: flushing is never a default and never reaches a database that
// was not named on the command line.
func flushableRedis(redisURL string, flushDB int) (*redis.Options, error) {
	if redisURL == "" {
		return nil, errors.New("set REDIS_URL to a Redis database the benchmark may empty")
	}
	opt, err := redis.ParseURL(redisURL)
	if err != nil {
		return nil, fmt.Errorf("REDIS_URL: %w", err)
	}
	switch {
	case flushDB < 0:
		return nil, fmt.Errorf("this benchmark empties the Redis database it uses: confirm with --flush-redis-db %d (the database of REDIS_URL)", opt.DB)
	case flushDB != opt.DB:
		return nil, fmt.Errorf("--flush-redis-db %d is not the database of REDIS_URL (%d): nothing was flushed", flushDB, opt.DB)
	}
	return opt, nil
}

// flushRedis empties the Redis database of opt, which flushableRedis checked.
func flushRedis(ctx context.Context, opt *redis.Options) error {
	rc := redis.NewClient(opt)
	defer rc.Close()
	return rc.FlushDB(ctx).Err()
}

// needPostgres refuses a DATABASE_URL that is not PostgreSQL.
func needPostgres(databaseURL string) error {
	if !strings.HasPrefix(databaseURL, "postgres") {
		return errors.New("set DATABASE_URL to a PostgreSQL database")
	}
	return nil
}

// inSchema creates schema if it is missing and answers databaseURL with its
// search_path set to it, so that everything the benchmark writes stays there.
func inSchema(ctx context.Context, databaseURL, schema string) (string, error) {
	admin, err := pgxpool.New(ctx, databaseURL)
	if err != nil {
		return "", err
	}
	defer admin.Close()
	if _, err := admin.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+pgx.Identifier{schema}.Sanitize()); err != nil {
		return "", err
	}
	u, err := url.Parse(databaseURL)
	if err != nil {
		return "", err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// dropSchema removes schema and everything in it.
func dropSchema(ctx context.Context, databaseURL, schema string) error {
	admin, err := pgxpool.New(ctx, databaseURL)
	if err != nil {
		return err
	}
	defer admin.Close()
	_, err = admin.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE")
	return err
}

// verdict is one row of a benchmark's closing table: a figure beside the
// baseline measured in the same run, and whether it meets its target.
type verdict struct {
	figure, measured, baseline, ratio, target string
	met                                       bool
}

// printVerdicts writes the closing table, one row per figure:
// measured | baseline | ratio | target | met/not met.
func printVerdicts(out io.Writer, rows []verdict) {
	w := tabwriter.NewWriter(out, 0, 0, 1, ' ', 0)
	fmt.Fprintln(w, "\nfigure\t| measured\t| baseline (same run)\t| ratio\t| target\t| verdict")
	for _, r := range rows {
		met := "not met"
		if r.met {
			met = "met"
		}
		fmt.Fprintf(w, "%s\t| %s\t| %s\t| %s\t| %s\t| %s\n", r.figure, r.measured, or(r.baseline, "—"), or(r.ratio, "—"), r.target, met)
	}
	w.Flush()
}

func or(s, otherwise string) string {
	if s == "" {
		return otherwise
	}
	return s
}

// ratio formats a/b with two decimals.
func ratio(a, b float64) string {
	if b == 0 {
		return ""
	}
	return fmt.Sprintf("%.2f", a/b)
}
