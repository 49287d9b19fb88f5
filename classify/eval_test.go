package classify_test

import (
	"testing"

	"guanjia/classify"
	"guanjia/internal/demo"
)

// The suggester trained on the demo catalogue alone keeps its accuracy on
// the labelled evaluation set (measured: top-1 87.0 %, top-3 98.6 %, 216
// texts); a change that loses more than the margin fails here.
func TestEvaluationSetAccuracy(t *testing.T) {
	set, err := classify.LoadEvalSet("testdata/eval.tsv")
	if err != nil {
		t.Fatal(err)
	}
	if len(set) < 200 {
		t.Fatalf("the evaluation set holds %d texts, want at least 200", len(set))
	}
	r := classify.Evaluate(classify.Train(demo.Categories(), nil), set)
	t.Logf("n=%d top-1 %.3f top-3 %.3f p50 %v p99 %v", r.N, r.Top1, r.Top3, r.P50, r.P99)
	if r.Top1 < 0.85 || r.Top3 < 0.97 {
		for _, m := range r.Misses {
			t.Logf("want %s got %s: %s", m.Want, m.Got, m.Text)
		}
		t.Errorf("top-1 %.3f (want ≥ 0.85), top-3 %.3f (want ≥ 0.97)", r.Top1, r.Top3)
	}
}
