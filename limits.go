package guanjia

import (
	"unicode/utf8"
)

// Maxima of text fields, in characters (runes, so 50 means 50 汉字). The
// README's "Input limits" lists them per resource; the api refuses any other
// JSON text over MaxText.
const (
	MaxName          = 50   // a person's name: caller, user, legal representative
	MaxUsername      = 64   // a staff login name
	MinPassword      = 8    // characters
	MaxPasswordBytes = 72   // bytes: bcrypt ignores anything after the 72nd
	MaxNote          = 1000 // a note on a work order's state change
	MaxCode          = 64   // identifiers a client sends: category, unit, grid, team, status codes
	MaxText          = 2000 // any other text field (the api's default bound)
)

// MaxPhotosPerKind bounds a complaint's photos of each kind (the reporter's,
// the crew's before and after): as many as the mini-program's picker takes.
const MaxPhotosPerKind = 9

// MaxPage is the last page number any list answers: deeper paging is a
// search that should be narrowed, and bounds OFFSET arithmetic.
const MaxPage = 10000

// CheckText refuses text that is not valid UTF-8, that holds a NUL or another
// C0 control character (newline, carriage return and tab are allowed only
// when multiline), or that is longer than max characters (max 0: no
// length bound here). field names the input in the error.
func CheckText(field, s string, max int, multiline bool) error {
	if !utf8.ValidString(s) {
		return FieldError(EINVALID, field, "%s is not valid UTF-8 text", field)
	}
	n := 0
	for _, r := range s {
		n++
		if r < 0x20 || r == 0x7f {
			if multiline && (r == '\n' || r == '\r' || r == '\t') {
				continue
			}
			if r == '\n' || r == '\r' {
				return FieldError(EINVALID, field, "%s must be a single line", field)
			}
			return FieldError(EINVALID, field, "%s contains a control character", field)
		}
	}
	if max > 0 && n > max {
		return FieldError(EINVALID, field, "%s is longer than %d characters", field, max)
	}
	return nil
}

// CheckTexts runs CheckText over several single-line fields, in order.
func CheckTexts(fields ...TextField) error {
	for _, f := range fields {
		if err := CheckText(f.Name, f.Value, f.Max, f.Multiline); err != nil {
			return err
		}
	}
	return nil
}

// TextField is one input for CheckTexts.
type TextField struct {
	Name      string
	Value     string
	Max       int
	Multiline bool
}

// ValidatePassword checks a new password: at least MinPassword characters,
// at most MaxPasswordBytes bytes (bcrypt would silently ignore the rest), one
// line of text.
func ValidatePassword(p string) error {
	switch {
	case utf8.RuneCountInString(p) < MinPassword:
		return FieldError(EINVALID, "password", "password must have at least %d characters", MinPassword)
	case len(p) > MaxPasswordBytes:
		return FieldError(EINVALID, "password", "password is longer than %d bytes", MaxPasswordBytes)
	}
	return CheckText("password", p, 0, false)
}
