package classify_test

import (
	"os"
	"testing"

	"guanjia"
	"guanjia/classify"
	"guanjia/internal/demo"
)

// TestLeaveOneOut picks hyperparameters without the evaluation set: each
// catalogue example (not the one-word keywords) is classified by a model
// trained without it. Run with GUANJIA_CLASSIFY_LOO=1.
func TestLeaveOneOut(t *testing.T) {
	if os.Getenv("GUANJIA_CLASSIFY_LOO") == "" {
		t.Skip("set GUANJIA_CLASSIFY_LOO=1 to search the hyperparameters")
	}
	for _, a := range []float64{0.1, 0.3, 1, 2} {
		for _, u := range []float64{0.5, 1, 1.5, 2} {
			restore := classify.SetHyper(a, u)
			var n, hit, hit3 int
			cats := demo.Categories()
			for _, c := range cats {
				for i, e := range c.Examples {
					if len([]rune(e)) < 6 {
						continue
					}
					held := c.Examples
					c.Examples = append(append([]string{}, held[:i]...), held[i+1:]...)
					got := classify.Train(cats, []guanjia.CategorizedText{}).Suggest(e, 3)
					c.Examples = held
					n++
					for r, s := range got {
						if s.Code == c.Code {
							hit3++
							if r == 0 {
								hit++
							}
						}
					}
				}
			}
			restore()
			t.Logf("alpha=%.2f uni=%.2f loo top1=%.3f top3=%.3f", a, u, float64(hit)/float64(n), float64(hit3)/float64(n))
		}
	}
}
