// Package classify suggests the category of a complaint from its description
// (智能分类): a multinomial naive Bayes over the character uni- and bi-grams of
// the text, trained in-process from the catalogue (names and the example
// sentences staff edit) and from closed complaints with the category they were
// finally handled under. It is small enough to explain: a suggestion's score
// is the model's probability, and the grams that carried it are plain text.
package classify

import (
	"math"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"guanjia"
)

// Weights of the training material: a catalogue line is worth several
// confirmed orders, so the seed still counts once orders pile up.
const (
	nameWeight    = 4
	exampleWeight = 2
	orderWeight   = 1
)

// Hyperparameters, chosen by leave-one-out over the catalogue's examples.
var (
	// alpha is the additive smoothing of gram counts.
	alpha = 1.0
	// unigramWeight scales single characters against pairs: a pair (井盖,
	// 停电) says much more about a category than one character does.
	unigramWeight = 1.0
)

// Suggestion is one likely category with the model's probability for it.
type Suggestion struct {
	Code  string
	Name  string
	Score float64
}

type class struct {
	code, name string
	counts     map[string]float64
	total      float64
}

// Model is a trained classifier; it is read-only once built, so any number
// of requests may share it.
type Model struct {
	classes []*class
	vocab   map[string]struct{}
}

// Train builds a model over the categories; texts labelled with a category
// not in cats are ignored (the catalogue may have lost it since). A retired
// category takes no new reports, so it is left out: never suggested, and
// its orders teach nothing.
func Train(cats []*guanjia.Category, confirmed []guanjia.CategorizedText) *Model {
	m := &Model{vocab: map[string]struct{}{}}
	byCode := map[string]*class{}
	for _, c := range cats {
		if c.Retired {
			continue
		}
		cl := &class{code: c.Code, name: c.Name, counts: map[string]float64{}}
		byCode[c.Code] = cl
		m.classes = append(m.classes, cl)
		m.add(cl, c.Name, nameWeight)
		for _, e := range c.Examples {
			m.add(cl, e, exampleWeight)
		}
	}
	for _, t := range confirmed {
		if cl := byCode[t.Category]; cl != nil {
			m.add(cl, t.Text, orderWeight)
		}
	}
	return m
}

func (m *Model) add(cl *class, text string, w float64) {
	for _, g := range Grams(text) {
		gw := w
		if utf8.RuneCountInString(g) == 1 {
			gw *= unigramWeight
		}
		cl.counts[g] += gw
		cl.total += gw
		m.vocab[g] = struct{}{}
	}
}

// Suggest answers the n most likely categories of text, best first. The
// classes are equally likely a priori: a category that is reported often
// must not drown out a rare but urgent one such as 燃气泄漏.
func (m *Model) Suggest(text string, n int) []Suggestion {
	if len(m.classes) == 0 {
		return nil
	}
	grams := Grams(text)
	v := float64(len(m.vocab))
	logp := make([]float64, len(m.classes))
	for i, cl := range m.classes {
		denom := math.Log(cl.total + alpha*v)
		for _, g := range grams {
			if _, known := m.vocab[g]; !known {
				continue // a gram no class has seen says nothing
			}
			lp := math.Log(cl.counts[g]+alpha) - denom
			if utf8.RuneCountInString(g) == 1 {
				lp *= unigramWeight
			}
			logp[i] += lp
		}
	}
	best := math.Inf(-1)
	for _, l := range logp {
		best = max(best, l)
	}
	var sum float64
	out := make([]Suggestion, len(m.classes))
	for i, cl := range m.classes {
		p := math.Exp(logp[i] - best)
		sum += p
		out[i] = Suggestion{Code: cl.code, Name: cl.name, Score: p}
	}
	for i := range out {
		out[i].Score /= sum
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].Score > out[b].Score })
	return out[:min(n, len(out))]
}

// Grams answers the features of text: every Han character and every pair of
// adjacent Han characters, and each run of letters or digits as one word.
// Punctuation and spaces break runs, so grams never span two phrases.
func Grams(text string) []string {
	var grams []string
	var prev rune
	var word strings.Builder
	flush := func() {
		if word.Len() > 0 {
			grams = append(grams, strings.ToLower(word.String()))
			word.Reset()
		}
	}
	for _, r := range text {
		switch {
		case unicode.Is(unicode.Han, r):
			flush()
			grams = append(grams, string(r))
			if prev != 0 {
				grams = append(grams, string([]rune{prev, r}))
			}
			prev = r
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			word.WriteRune(r)
			prev = 0
		default:
			flush()
			prev = 0
		}
	}
	flush()
	return grams
}
