package api

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"
	"golang.org/x/text/language"

	"guanjia"
	"guanjia/i18n"
)

// statusOf maps each error code to its HTTP status, in one place.
var statusOf = map[string]int{
	guanjia.EINVALID:       http.StatusBadRequest,
	guanjia.EUNAUTHORIZED:  http.StatusUnauthorized,
	guanjia.EFORBIDDEN:     http.StatusForbidden,
	guanjia.ENOTFOUND:      http.StatusNotFound,
	guanjia.ECONFLICT:      http.StatusConflict,
	guanjia.ETOOLARGE:      http.StatusRequestEntityTooLarge,
	guanjia.EUNSUPPORTED:   http.StatusUnsupportedMediaType,
	guanjia.EUNPROCESSABLE: http.StatusUnprocessableEntity,
	guanjia.ETOOMANY:       http.StatusTooManyRequests,
	guanjia.EINTERNAL:      http.StatusInternalServerError,
}

// codeOfStatus maps echo's own errors (unknown route, body too large) back to codes.
var codeOfStatus = map[int]string{
	http.StatusBadRequest:            guanjia.EINVALID,
	http.StatusUnauthorized:          guanjia.EUNAUTHORIZED,
	http.StatusForbidden:             guanjia.EFORBIDDEN,
	http.StatusNotFound:              guanjia.ENOTFOUND,
	http.StatusMethodNotAllowed:      guanjia.ENOTFOUND,
	http.StatusConflict:              guanjia.ECONFLICT,
	http.StatusRequestEntityTooLarge: guanjia.ETOOLARGE,
	http.StatusUnsupportedMediaType:  guanjia.EUNSUPPORTED,
	http.StatusUnprocessableEntity:   guanjia.EUNPROCESSABLE,
	http.StatusTooManyRequests:       guanjia.ETOOMANY,
}

type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field,omitempty"`
	} `json:"error"`
}

// errorHandler renders every error as {"error":{"code","message","field"}},
// the message in the caller's language (Chinese unless Accept-Language asks
// for English). Only internal errors are logged, and their text never
// reaches the caller.
func (s *Server) errorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	lang := langOf(c)
	var body errorBody
	status := http.StatusInternalServerError
	var ge *guanjia.Error
	var he *echo.HTTPError
	switch {
	case errors.As(err, &ge): // ours, possibly wrapped
		body.Error.Code, body.Error.Message, body.Error.Field = ge.Code, i18n.Message(ge, lang), ge.Field
		status = statusOf[ge.Code]
	case errors.As(err, &he): // echo's own: unknown route, wrong method, body too large
		status = he.Code
		body.Error.Code = codeOfStatus[he.Code]
		body.Error.Message = echoMessage(he, lang)
		if body.Error.Code == "" {
			status, body.Error.Code, body.Error.Message = http.StatusInternalServerError, guanjia.EINTERNAL, i18n.Message(err, lang)
		}
	default:
		body.Error.Code, body.Error.Message = guanjia.EINTERNAL, i18n.Message(err, lang)
	}
	if status >= 500 {
		s.log.Error("internal error", "err", err, "method", c.Request().Method, "path", c.Path(),
			"request_id", c.Response().Header().Get(echo.HeaderXRequestID))
	}
	c.Response().Header().Add(echo.HeaderVary, "Accept-Language")
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(status)
		return
	}
	_ = c.JSON(status, body)
}

// echoMessage says one of echo's own errors in lang: its message when the
// catalogue has it, else the Chinese of its status ("Not Found").
func echoMessage(he *echo.HTTPError, lang language.Tag) string {
	text := http.StatusText(he.Code)
	if msg, ok := he.Message.(string); ok {
		text = msg
	}
	if msg, ok := i18n.Lookup(lang, text); ok {
		return msg
	}
	return i18n.Text(lang, http.StatusText(he.Code))
}

// langOf is the language the caller reads: Chinese unless the request's
// Accept-Language prefers English.
func langOf(c echo.Context) language.Tag {
	return i18n.Match(c.Request().Header.Get("Accept-Language"))
}

// invalid is a shorthand for the common bad-input error.
func invalid(field, format string, args ...any) error {
	return guanjia.FieldError(guanjia.EINVALID, field, format, args...)
}
