// Command guanjia-bench measures guanjia against PostgreSQL and Redis, each
// figure beside a baseline measured in the same run. It is a separate
// binary: the server never carries benchmarks.
//
//	guanjia-bench intake --flush-redis-db 14   complaint intake, dispatch latency, SLA timer lateness
//	guanjia-bench credit                       诚信海口 lookups, name search and import
//	guanjia-bench signup --flush-redis-db 14   公益海口's flash crowd
//	guanjia-bench classify                     智能分类: accuracy and latency on the evaluation set
//
// DATABASE_URL names the PostgreSQL database (each benchmark works in a
// schema of its own) and REDIS_URL the Redis database.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"sort"
	"strings"
	"syscall"
)

const usage = `usage: guanjia-bench intake|credit|signup|classify [flags]

  intake   complaints filed through the HTTP API beside raw INSERT + enqueue, dispatch
           latency, and SLA timer lateness with many pending timers
  credit   诚信海口: code lookup and name search (p50/p99), import rows/s, beside raw SQL
  signup   公益海口's flash crowd: volunteers sign up at the same instant for few places
  classify 智能分类: top-1/top-3 accuracy and p50/p99 latency on the labelled evaluation
           set (run from the repository root; needs neither database nor Redis)

DATABASE_URL is a PostgreSQL database (each benchmark works in a schema of its own),
REDIS_URL a Redis database. intake and signup empty that Redis database first: they run
only with --flush-redis-db N, N being the database number in REDIS_URL.
Every command takes --help.
`

// env is what the benchmarks read from the environment.
type env struct {
	DatabaseURL string
	RedisURL    string
}

// benchmarks are the commands, by name.
var benchmarks = map[string]func(ctx context.Context, e env, args []string, out io.Writer) error{
	"intake":   benchIntake,
	"credit":   benchCredit,
	"signup":   benchSignup,
	"classify": benchClassify,
	"stats":    benchDashboard, // dashboard.go: 30-day KPIs, live queue, my complaints at a city's scale
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "guanjia-bench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer, getenv func(string) string) error {
	if len(args) == 0 || args[0] == "help" || slices.Contains([]string{"-h", "-help", "--help"}, args[0]) {
		fmt.Fprint(out, usage)
		return nil
	}
	bench := benchmarks[args[0]]
	if bench == nil {
		names := make([]string, 0, len(benchmarks))
		for n := range benchmarks {
			names = append(names, n)
		}
		sort.Strings(names)
		return fmt.Errorf("unknown benchmark %q: use %s", args[0], strings.Join(names, ", "))
	}
	return bench(ctx, env{DatabaseURL: getenv("DATABASE_URL"), RedisURL: getenv("REDIS_URL")}, args[1:], out)
}
