package approval

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"guanjia"
)

// The push API's headers: the approval system signs timestamp + "." + body
// with HMAC-SHA256 under the shared secret.
const (
	HeaderTimestamp = "X-Guanjia-Timestamp" // Unix seconds
	HeaderSignature = "X-Guanjia-Signature" // "sha256=" and the hex digest
)

// PushWindow is how far a push's timestamp may be from our clock. Outside
// it a captured request is refused; inside it the API refuses a signature
// it has seen already.
const PushWindow = 5 * time.Minute

// Sign answers the signature header of body sent at timestamp (Unix seconds).
func Sign(secret, timestamp string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(timestamp))
	m.Write([]byte("."))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// VerifyPush checks a push's signature and freshness. Every refusal is
// EUNAUTHORIZED; the message says which check failed, for the sender's logs.
func VerifyPush(secret, timestamp, signature string, body []byte, now time.Time) error {
	if secret == "" {
		return guanjia.Errorf(guanjia.EUNAUTHORIZED, "the push API has no secret configured")
	}
	sec, err := strconv.ParseInt(strings.TrimSpace(timestamp), 10, 64)
	if err != nil {
		return guanjia.Errorf(guanjia.EUNAUTHORIZED, "missing or malformed %s header", HeaderTimestamp)
	}
	at := time.Unix(sec, 0)
	if d := now.Sub(at); d > PushWindow || d < -PushWindow {
		return guanjia.Errorf(guanjia.EUNAUTHORIZED, "the push timestamp is more than %d minutes from the server's clock", int(PushWindow.Minutes()))
	}
	want := Sign(secret, strings.TrimSpace(timestamp), body)
	if !hmac.Equal([]byte(want), []byte(strings.TrimSpace(signature))) { // constant time
		return guanjia.Errorf(guanjia.EUNAUTHORIZED, "bad push signature")
	}
	return nil
}
