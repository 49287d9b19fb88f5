package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
)

// --help prints the usage and exits 0 without reading settings or touching
// anything: no ./data, no database, no missing-secret error.
func TestHelpHasNoSideEffects(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	for _, args := range [][]string{{"--help"}, {"help"}, {"migrate", "--help"}, {"api", "-h"}, {"worker", "--help"}, {"seed", "demo", "--help"}} {
		var out bytes.Buffer
		if err := run(context.Background(), args, &out); err != nil {
			t.Errorf("%v: %v", args, err)
		}
		if !strings.Contains(out.String(), "usage: guanjia") {
			t.Errorf("%v printed %q", args, out.String())
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("--help left %v behind", entries)
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"version"}, &out); err != nil || !strings.HasPrefix(out.String(), "guanjia ") {
		t.Errorf("version: %q %v", out.String(), err)
	}
}

// Benchmarks are guanjia-bench's: the server's binary has none.
func TestNoBenchCommand(t *testing.T) {
	t.Chdir(t.TempDir())
	var out bytes.Buffer
	if err := run(context.Background(), []string{"bench", "intake"}, &out); err == nil || !strings.Contains(err.Error(), `unknown command "bench"`) {
		t.Errorf("guanjia bench: %v", err)
	}
	if err := run(context.Background(), []string{"--help"}, &out); err != nil || strings.Contains(out.String(), "bench") {
		t.Errorf("the usage mentions a benchmark: %v\n%s", err, out.String())
	}
}
