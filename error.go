package guanjia

import (
	"errors"
	"fmt"
	"time"
)

// Error codes. The api package maps each to one HTTP status.
const (
	EINVALID       = "invalid"           // bad input: 400
	EUNAUTHORIZED  = "unauthorized"      // no or bad credentials: 401
	EFORBIDDEN     = "forbidden"         // authenticated but not allowed: 403
	ENOTFOUND      = "not_found"         // 404
	ECONFLICT      = "conflict"          // illegal state transition or duplicate: 409
	ETOOLARGE      = "too_large"         // upload over the limit: 413
	EUNSUPPORTED   = "unsupported"       // media type not accepted: 415
	EUNPROCESSABLE = "unprocessable"     // well-formed but refused by a rule: 422
	ETOOMANY       = "too_many_requests" // throttled (password guessing): 429 with Retry-After
	EINTERNAL      = "internal"          // everything else: 500, never shown to the caller
)

// Error is the one error type of guanjia. Core code returns it for every
// failure a caller should see; anything else is treated as EINTERNAL.
//
// Message is in English. Format and Args are kept so that the i18n package
// can say the same in the caller's language: Format is the key of the
// message catalogue (Chinese by default).
type Error struct {
	Code    string
	Message string
	Field   string // the input field at fault, when there is one
	Format  string // Message's format string, the catalogue key; empty when Message is the key itself
	Args    []any  // Message's arguments
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("guanjia: %s: %s (%s)", e.Code, e.Message, e.Field)
	}
	return fmt.Sprintf("guanjia: %s: %s", e.Code, e.Message)
}

// Errorf builds an *Error with a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Format: format, Args: args}
}

// FieldError builds an *Error that names the offending input field.
func FieldError(code, field, format string, args ...any) *Error {
	return &Error{Code: code, Field: field, Message: fmt.Sprintf(format, args...), Format: format, Args: args}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL otherwise.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the human message of err in English; internal details
// are hidden. Callers who answer people use the i18n package instead.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// ErrorField returns the field named by err, if any.
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

// StaleVersion is the ECONFLICT of a save refused because the record was
// saved by someone else since it was read.
func StaleVersion(format string, args ...any) *Error {
	return FieldError(ECONFLICT, "version", format, args...)
}

// SaveStamp is the UpdatedAt of a save at now over one stamped last (zero
// for a new record), for records whose UpdatedAt is the version an editor
// sends back: now as the database keeps it (PostgreSQL: microseconds), so
// the stamp answered is the one stored, and after last, so two saves in one
// microsecond never share one.
func SaveStamp(now, last time.Time) time.Time {
	now = now.UTC().Truncate(time.Microsecond)
	if !now.After(last) {
		return last.UTC().Add(time.Microsecond)
	}
	return now
}

// UntilSettled runs step — read a record, decide, save — again while its
// save is refused as stale (StaleVersion): each run decides anew on what
// was saved meanwhile (a timer, a colleague), as if the request had come a
// moment later. Every other outcome is step's answer. Only for steps whose
// caller named no version: one that did must reload and see.
func UntilSettled[T any](step func() (T, error)) (T, error) {
	for try := 1; ; try++ {
		out, err := step()
		if ErrorCode(err) != ECONFLICT || ErrorField(err) != "version" || try == 5 {
			return out, err
		}
	}
}
