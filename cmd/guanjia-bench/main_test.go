package main

import (
	"bytes"
	"context"
	"os"
	"strconv"
	"strings"
	"testing"

	"guanjia/internal/testenv"
)

// A benchmark that empties Redis runs only when told which database, and
// only the one REDIS_URL names: never by default, never another.
func TestFlushNeedsTheDatabaseNamed(t *testing.T) {
	for _, tc := range []struct {
		url   string
		flush int
		ok    bool
	}{
		{"redis://127.0.0.1:6379/14", 14, true},
		{"redis://127.0.0.1:6379/14", -1, false}, // no --flush-redis-db
		{"redis://127.0.0.1:6379/14", 0, false},  // another database
		{"redis://127.0.0.1:6379", 0, true},
		{"redis://127.0.0.1:6379", 15, false},
		{"", 0, false},
	} {
		_, err := flushableRedis(tc.url, tc.flush)
		if (err == nil) != tc.ok {
			t.Errorf("REDIS_URL %q --flush-redis-db %d: %v, want ok %v", tc.url, tc.flush, err, tc.ok)
		}
	}
	// The benchmarks refuse before they connect to anything.
	e := env{DatabaseURL: "postgres://nobody@127.0.0.1:1/none", RedisURL: "redis://127.0.0.1:1/3"}
	for _, name := range []string{"intake", "signup"} {
		err := run(context.Background(), []string{name}, &bytes.Buffer{}, func(k string) string {
			return map[string]string{"DATABASE_URL": e.DatabaseURL, "REDIS_URL": e.RedisURL}[k]
		})
		if err == nil || !strings.Contains(err.Error(), "--flush-redis-db 3") {
			t.Errorf("%s without --flush-redis-db: %v", name, err)
		}
	}
}

func TestUsage(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), nil, &out, os.Getenv); err != nil || !strings.Contains(out.String(), "intake|credit|signup") {
		t.Errorf("no arguments: %v %q", err, out.String())
	}
	if err := run(context.Background(), []string{"nonsense"}, &out, os.Getenv); err == nil {
		t.Error("an unknown benchmark ran")
	}
}

// benchEnv is PostgreSQL and a Redis database of the test's own, or a skip.
func benchEnv(t *testing.T) (env, string) {
	pg := os.Getenv("GUANJIA_TEST_DATABASE_URL")
	if pg == "" || os.Getenv("GUANJIA_TEST_REDIS_URL") == "" {
		t.Skip("set GUANJIA_TEST_DATABASE_URL and GUANJIA_TEST_REDIS_URL: the benchmark runs on PostgreSQL and Redis")
	}
	opt := testenv.MustRedis(t)
	return env{DatabaseURL: pg, RedisURL: testenv.RedisURL(opt)}, strconv.Itoa(opt.DB)
}

// TestBenchIntakeSmall runs `guanjia-bench intake` at a small scale, so the
// benchmark keeps working.
func TestBenchIntakeSmall(t *testing.T) {
	e, db := benchEnv(t)
	var out bytes.Buffer
	args := []string{"--n", "200", "--clients", "4", "--pending", "500", "--timers", "20", "--flush-redis-db", db}
	if err := benchIntake(context.Background(), e, args, &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	for _, want := range []string{"intake   (HTTP API", "baseline (pgx INSERT", "http floor (GET", "dispatch (created", "timer lateness"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("no %q in\n%s", want, out.String())
		}
	}
	t.Log("\n" + out.String())
}

// TestBenchSignupSmall runs `guanjia-bench signup` with a small crowd.
func TestBenchSignupSmall(t *testing.T) {
	e, db := benchEnv(t)
	var out bytes.Buffer
	args := []string{"--people", "300", "--capacity", "20", "--flush-redis-db", db}
	if err := benchSignup(context.Background(), e, args, &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "20 confirmed, 280 waitlisted in order") {
		t.Errorf("flash crowd:\n%s", out.String())
	}
	t.Log("\n" + out.String())
}
