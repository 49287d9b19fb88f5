package guanjia

import (
	"strings"
	"unicode"
)

// MaskPhone shows a phone number the way Chinese services do: 138****5678.
func MaskPhone(p string) string {
	r := []rune(p)
	if len(r) < 7 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:3]) + strings.Repeat("*", len(r)-7) + string(r[len(r)-4:])
}

// MaskIDNumber shows a resident ID number as 4601**********123X.
func MaskIDNumber(id string) string {
	r := []rune(id)
	if len(r) < 8 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:4]) + strings.Repeat("*", len(r)-8) + string(r[len(r)-4:])
}

// ValidPhone reports whether s looks like a mainland mobile or landline number.
func ValidPhone(s string) bool {
	if len(s) < 7 || len(s) > 20 {
		return false
	}
	for i, c := range s {
		if !(c >= '0' && c <= '9' || c == '-' || (c == '+' && i == 0)) {
			return false
		}
	}
	return true
}

// MaskName shows a name as 张*明 (two characters: 张*); a Latin name keeps its first letter.
func MaskName(name string) string {
	r := []rune(strings.TrimSpace(name))
	switch {
	case len(r) == 0:
		return ""
	case len(r) <= 2:
		return string(r[0]) + "*"
	case !unicode.Is(unicode.Han, r[0]):
		return string(r[0]) + strings.Repeat("*", len(r)-1)
	}
	return string(r[0]) + strings.Repeat("*", len(r)-2) + string(r[len(r)-1])
}
