package classify

import (
	"bufio"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"guanjia"
)

// LoadEvalSet reads a labelled evaluation set: one "code<TAB>text" a line,
// blank lines and lines starting with # left out.
func LoadEvalSet(path string) ([]guanjia.CategorizedText, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []guanjia.CategorizedText
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		code, text, ok := strings.Cut(line, "\t")
		if !ok {
			return nil, fmt.Errorf("%s:%d: want code<TAB>text", path, n)
		}
		out = append(out, guanjia.CategorizedText{Category: code, Text: text})
	}
	return out, sc.Err()
}

// Result is how a model did on an evaluation set.
type Result struct {
	N          int
	Top1, Top3 float64 // share of texts whose category is first / among the three suggested
	P50, P99   time.Duration
	Misses     []Miss // texts whose category was not first
}

// Miss is a text the model did not put first.
type Miss struct {
	Want, Got string
	Text      string
}

// Evaluate runs m over set and measures accuracy and the latency of one
// suggestion.
func Evaluate(m *Model, set []guanjia.CategorizedText) Result {
	r := Result{N: len(set)}
	if len(set) == 0 {
		return r
	}
	took := make([]time.Duration, len(set))
	var top1, top3 int
	for i, t := range set {
		start := time.Now()
		got := m.Suggest(t.Text, SuggestCount)
		took[i] = time.Since(start)
		for rank, s := range got {
			if s.Code == t.Category {
				top3++
				if rank == 0 {
					top1++
				}
			}
		}
		if len(got) > 0 && got[0].Code != t.Category {
			r.Misses = append(r.Misses, Miss{Want: t.Category, Got: got[0].Code, Text: t.Text})
		}
	}
	slices.Sort(took)
	r.Top1, r.Top3 = float64(top1)/float64(len(set)), float64(top3)/float64(len(set))
	r.P50, r.P99 = took[len(took)/2], took[min(len(took)-1, len(took)*99/100)]
	return r
}
