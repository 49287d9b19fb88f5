package guanjia

import "strings"

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
