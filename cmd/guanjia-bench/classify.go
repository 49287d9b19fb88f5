package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"guanjia/classify"
	"guanjia/internal/demo"
)

// benchClassify measures the category suggester (智能分类) trained on the
// demo catalogue against the labelled evaluation set: accuracy and the
// latency of one suggestion. It needs neither database nor Redis.
func benchClassify(_ context.Context, _ env, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("classify", flag.ContinueOnError)
	fs.SetOutput(out)
	path := fs.String("eval", "classify/testdata/eval.tsv", "the labelled evaluation set (code<TAB>text a line)")
	misses := fs.Bool("misses", false, "list the texts whose category was not first")
	if err := fs.Parse(args); err != nil {
		return err
	}
	set, err := classify.LoadEvalSet(*path)
	if err != nil {
		return err
	}
	r := classify.Evaluate(classify.Train(demo.Categories(), nil), set)
	fmt.Fprintf(out, "classify  %d texts, %d categories\n", r.N, len(demo.Categories()))
	fmt.Fprintf(out, "  top-1 accuracy  %5.1f %%\n  top-3 accuracy  %5.1f %%\n", 100*r.Top1, 100*r.Top3)
	fmt.Fprintf(out, "  latency         p50 %v  p99 %v\n", r.P50, r.P99)
	if *misses {
		for _, m := range r.Misses {
			fmt.Fprintf(out, "  want %s got %s  %s\n", m.Want, m.Got, m.Text)
		}
	}
	return nil
}
