package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
)

// TestBenchDashboardSmall runs `guanjia-bench stats` at a small scale, so the
// benchmark keeps working; the full-scale run is by hand (see dashboard.go).
func TestBenchDashboardSmall(t *testing.T) {
	pg := os.Getenv("GUANJIA_TEST_DATABASE_URL")
	var out bytes.Buffer
	if pg == "" {
		if err := benchDashboard(context.Background(), env{}, nil, &out); err != nil || !strings.Contains(out.String(), "skipped") {
			t.Fatalf("without PostgreSQL the benchmark must skip: %v %q", err, out.String())
		}
		t.Skip("GUANJIA_TEST_DATABASE_URL is not set")
	}
	schema := "stats_bench_test"
	t.Cleanup(func() { dropTestSchema(t, pg, schema) })
	args := []string{"--complaints", "3000", "--open", "100", "--citizens", "500", "--samples", "5", "--schema", schema, "--fresh"}
	if err := benchDashboard(context.Background(), env{DatabaseURL: pg}, args, &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	for _, want := range []string{"30-day stats, service", "live queue, page 1 of 100 open, service", "my complaints, citizen's page 1, service",
		"baseline: raw SQL count", "baseline: raw SQL select of the same page", "baseline: raw SQL select of their rows", "≤ 200ms:", "load average"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("no %q in\n%s", want, out.String())
		}
	}
	// A second run reuses the data set.
	out.Reset()
	if err := benchDashboard(context.Background(), env{DatabaseURL: pg}, args[:len(args)-1], &out); err != nil || !strings.Contains(out.String(), "data set: reused") {
		t.Fatalf("second run: %v\n%s", err, out.String())
	}
	t.Log("\n" + out.String())
}
