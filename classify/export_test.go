package classify

// SetHyper sets the hyperparameters for the leave-one-out search.
func SetHyper(a, uni float64) func() {
	oa, ou := alpha, unigramWeight
	alpha, unigramWeight = a, uni
	return func() { alpha, unigramWeight = oa, ou }
}
