package i18n

import "sort"

// Keys lists the catalogue's English, for tests.
func Keys() []string {
	out := make([]string, 0, len(messages))
	for k := range messages {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Verbs lists the verb of each argument of format.
func Verbs(format string) []rune {
	var out []rune
	for _, v := range verbs(format, 20) {
		if v != '?' {
			out = append(out, v)
		}
	}
	return out
}
