package wechat

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"

	"github.com/silenceper/wechat/v2/util"
)

// WeChat errcodes this adapter acts on.
const (
	codeSystemBusy        = -1
	codeInvalidCredential = 40001 // access token invalid (mini-program)
	codeInvalidToken      = 40014 // access token invalid (WeCom)
	codeTokenExpired      = 42001
	codeInvalidCode       = 40029
	codeCodeUsed          = 40163
	codeHighRiskUser      = 40226
	codeNoConsent         = 43101 // the user has no subscribe consent left: never retry
	codeRiskyContent      = 87014 // msg_sec_check v1 answer for risky text
	codeWeComNoRecipient  = 81013 // user, party and tag all invalid
)

// apiError is a failed WeChat call. Its message is scrubbed of secrets and
// tokens (the SDK puts whole URLs into its errors), and it does not unwrap to
// the SDK's error so nothing downstream can print the original.
type apiError struct {
	op   string
	code int64 // WeChat errcode; 0 when the call failed below WeChat (network, HTTP status)
	msg  string
}

func (e *apiError) Error() string {
	if e.code != 0 {
		return fmt.Sprintf("wechat: %s: errcode %d: %s", e.op, e.code, e.msg)
	}
	return fmt.Sprintf("wechat: %s: %s", e.op, e.msg)
}

// callError turns an SDK error into an *apiError.
func callError(op string, err error) *apiError {
	if err == nil {
		return nil
	}
	var ae *apiError
	if errors.As(err, &ae) {
		return &apiError{op: op, code: ae.code, msg: ae.msg}
	}
	code := errCode(err)
	msg := redact(err.Error())
	var ce *util.CommonError
	if errors.As(err, &ce) {
		msg = redact(ce.ErrMsg)
	}
	return &apiError{op: op, code: code, msg: msg}
}

var errcodeInText = regexp.MustCompile(`errcode\s*=\s*(-?\d+)`)

// errCode finds WeChat's errcode in an SDK error: a *util.CommonError, or the
// "errcode=N" text the SDK formats for calls that do not return one
// (Code2Session, tokens, wxacode).
func errCode(err error) int64 {
	var ae *apiError
	var ce *util.CommonError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ae):
		return ae.code
	case errors.As(err, &ce):
		return ce.ErrCode
	}
	if m := errcodeInText.FindStringSubmatch(err.Error()); m != nil {
		n, _ := strconv.ParseInt(m[1], 10, 64)
		return n
	}
	return 0
}

var secretsInURL = regexp.MustCompile(`((?:secret|corpsecret|access_token|js_code|code)=)[^&\s"']+`)

// redact hides the credentials and one-time codes the SDK writes into request URLs.
func redact(s string) string { return secretsInURL.ReplaceAllString(s, "${1}REDACTED") }

// staleToken reports an access token WeChat no longer accepts: another
// replica or process refreshed it, or the secret was reset.
func staleToken(err error) bool {
	switch errCode(err) {
	case codeInvalidCredential, codeInvalidToken, codeTokenExpired:
		return true
	}
	return false
}

// withFreshToken runs call and, when WeChat rejects the cached access token,
// drops it from the shared cache and runs call once more with a new one.
func withFreshToken(ctx context.Context, tokens *tokenCache, call func() error) error {
	err := call()
	if !staleToken(err) {
		return err
	}
	tokens.forget(ctx)
	return call()
}
