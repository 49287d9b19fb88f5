package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"guanjia/internal/testenv"
)

// TestBenchCreditSmall runs `guanjia-bench credit` at a small scale, so the
// benchmark keeps working; the full-scale run is by hand (see credit.go).
func TestBenchCreditSmall(t *testing.T) {
	pg := os.Getenv("GUANJIA_TEST_DATABASE_URL")
	var out bytes.Buffer
	if pg == "" {
		if err := benchCredit(context.Background(), env{}, nil, &out); err != nil || !strings.Contains(out.String(), "skipped") {
			t.Fatalf("without PostgreSQL the benchmark must skip: %v %q", err, out.String())
		}
		t.Skip("GUANJIA_TEST_DATABASE_URL is not set")
	}
	schema := "credit_bench_test"
	t.Cleanup(func() { dropTestSchema(t, pg, schema) })
	args := []string{"--subjects", "3000", "--records", "12000", "--lookups", "200", "--searches", "100", "--import-rows", "2000",
		"--schema", schema, "--fresh"}
	if err := benchCredit(context.Background(), env{DatabaseURL: pg, RedisURL: redisURL(t)}, args, &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	for _, want := range []string{"code lookup, service", "code lookup, raw SQL", "name search, service", "name search, raw SQL",
		"import, service", "import, raw COPY"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("no %q in\n%s", want, out.String())
		}
	}
	// A second run reuses the data set.
	out.Reset()
	if err := benchCredit(context.Background(), env{DatabaseURL: pg}, args[:len(args)-1], &out); err != nil || !strings.Contains(out.String(), "data set: reused") {
		t.Fatalf("second run: %v\n%s", err, out.String())
	}
	t.Log("\n" + out.String())
}

func dropTestSchema(t *testing.T, url, schema string) {
	if err := dropSchema(context.Background(), url, schema); err != nil {
		t.Log(err)
	}
}

// redisURL is a Redis database of the test's own for the cache figures, or
// "" without a real Redis (the benchmark then leaves them out).
func redisURL(t *testing.T) string {
	if os.Getenv("GUANJIA_TEST_REDIS_URL") == "" {
		return ""
	}
	return testenv.RedisURL(testenv.MustRedis(t))
}
