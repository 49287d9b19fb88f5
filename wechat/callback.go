package wechat

import (
	"bytes"
	"context"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/silenceper/wechat/v2/miniprogram/message"
	"github.com/silenceper/wechat/v2/miniprogram/security"
	"github.com/silenceper/wechat/v2/util"

	"guanjia"
)

const (
	callbackMaxBody = 1 << 20
	// A push whose timestamp is further than this from our clock is refused.
	// Within it, each signed (timestamp, nonce) is good for one body only
	// (the replay cache), and a body seen within twice this window is
	// answered without acting again (WeChat redelivers when it gets no
	// answer in 5 s).
	callbackWindow = 5 * time.Minute
)

// CallbackHandler serves the mini-program's message push at GET and POST
// /wechat/callback (mount it there with plain net/http). GET answers
// WeChat's URL check with echostr; POST verifies the signature (msg_signature
// and AES decryption in safe mode, signature in plain mode — refused unless
// Config.AllowPlain) and handles wxa_media_check (a risky photo is hidden
// with hidePhoto) and the subscribe events (consents recorded or cleared).
// A bad signature, a timestamp outside ±5 minutes, or a signed timestamp
// and nonce replayed with another body is 403, and nothing is recorded.
func (c *Client) CallbackHandler(hidePhoto func(ctx context.Context, photoID string) error) http.Handler {
	return &callbackHandler{c: c, hidePhoto: hidePhoto, now: time.Now}
}

type callbackHandler struct {
	c         *Client
	hidePhoto func(ctx context.Context, photoID string) error
	now       func() time.Time
}

func (h *callbackHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		h.verifyURL(w, r)
	case http.MethodPost:
		h.receive(w, r)
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

// verifyURL answers the check WeChat makes when the push URL is configured.
func (h *callbackHandler) verifyURL(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if !h.signed(q.Get("signature"), q.Get("timestamp"), q.Get("nonce")) {
		http.Error(w, "bad signature", http.StatusForbidden)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, q.Get("echostr"))
}

// signed checks WeChat's sha1 signature over the token and parts.
func (h *callbackHandler) signed(signature string, parts ...string) bool {
	token := h.c.cfg.Token
	if token == "" || signature == "" {
		return false
	}
	want := util.Signature(append(parts, token)...)
	return subtle.ConstantTimeCompare([]byte(want), []byte(signature)) == 1
}

func (h *callbackHandler) receive(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	ts, nonce := q.Get("timestamp"), q.Get("nonce")
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, callbackMaxBody))
	if err != nil {
		http.Error(w, "unreadable body", http.StatusBadRequest)
		return
	}
	var plain []byte
	if q.Get("encrypt_type") == "aes" {
		var env message.DataReceived
		if err := decodeEither(body, &env); err != nil || env.Encrypt == "" {
			http.Error(w, "no Encrypt", http.StatusBadRequest)
			return
		}
		if !h.signed(q.Get("msg_signature"), ts, nonce, env.Encrypt) || h.c.cfg.EncodingAESKey == "" {
			h.refuse(w, r, "bad msg_signature")
			return
		}
		if _, plain, err = util.DecryptMsg(h.c.cfg.AppID, env.Encrypt, h.c.cfg.EncodingAESKey); err != nil {
			h.refuse(w, r, "undecryptable message")
			return
		}
	} else {
		if !h.c.cfg.AllowPlain {
			h.refuse(w, r, "plain mode not allowed")
			return
		}
		if !h.signed(q.Get("signature"), ts, nonce) {
			h.refuse(w, r, "bad signature")
			return
		}
		plain = body
	}
	if !h.fresh(ts) {
		h.refuse(w, r, "stale timestamp")
		return
	}
	// In plain mode the signature covers the timestamp and nonce, not the
	// body: a captured push could carry any body. So a signed (timestamp,
	// nonce) is good for the body it first came with only.
	bodySum := sha1Hex(plain)
	switch once, err := h.firstUse(ctx, ts, nonce, bodySum); {
	case err != nil && q.Get("encrypt_type") != "aes":
		h.c.log.ErrorContext(ctx, "callback replay cache unavailable", "err", err)
		http.Error(w, "try again", http.StatusServiceUnavailable) // WeChat pushes again
		return
	case err != nil: // safe mode signs the body itself: the body check below suffices
		h.c.log.WarnContext(ctx, "callback replay cache unavailable", "err", err)
	case !once:
		h.refuse(w, r, "replayed nonce")
		return
	}

	seen := "guanjia:wechat:callback:" + bodySum
	first, err := h.c.redis.SetNX(ctx, seen, 1, 2*callbackWindow).Result()
	if err != nil {
		first = true // better to act twice than to lose a verdict
		h.c.log.WarnContext(ctx, "callback dedup unavailable", "err", err)
	}
	if first {
		if err := h.handle(ctx, plain); err != nil {
			h.c.redis.Del(context.WithoutCancel(ctx), seen)
			h.c.log.ErrorContext(ctx, "callback", "err", err)
			// WeChat redelivers a push that is not answered with success.
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, "success")
}

// firstUse records that the signed (timestamp, nonce) came with the body
// whose sha1 is bodySum, and says whether that is the only body it came
// with: a redelivery of the same body is fine, another body is a replay.
func (h *callbackHandler) firstUse(ctx context.Context, ts, nonce, bodySum string) (bool, error) {
	key := "guanjia:wechat:callback:nonce:" + ts + ":" + nonce
	set, err := h.c.redis.SetNX(ctx, key, bodySum, 2*callbackWindow+time.Minute).Result()
	if err != nil || set {
		return set, err
	}
	prev, err := h.c.redis.Get(ctx, key).Result()
	if err != nil {
		return false, err
	}
	return prev == bodySum, nil
}

func (h *callbackHandler) refuse(w http.ResponseWriter, r *http.Request, why string) {
	h.c.log.WarnContext(r.Context(), "callback refused", "reason", why, "remote", r.RemoteAddr)
	http.Error(w, "forbidden", http.StatusForbidden)
}

func (h *callbackHandler) fresh(ts string) bool {
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return false
	}
	d := h.now().Sub(time.Unix(sec, 0))
	return d < callbackWindow && d > -callbackWindow
}

// pushHead and mediaCheckPush read the parts of a push this adapter uses.
// The SDK's CommonPushData is not used: its CreateTime is an int64, and
// WeChat sends it as a string in subscribe events.
type pushHead struct {
	MsgType      string            `json:"MsgType" xml:"MsgType"`
	Event        message.EventType `json:"Event" xml:"Event"`
	FromUserName string            `json:"FromUserName" xml:"FromUserName"`
}

type mediaCheckPush struct {
	TraceID string                        `json:"trace_id" xml:"trace_id"`
	Result  message.MediaCheckAsyncResult `json:"result" xml:"result"`
}

// handle acts on one verified, decrypted push. An error makes WeChat retry.
func (h *callbackHandler) handle(ctx context.Context, plain []byte) error {
	var head pushHead
	if err := decodeEither(plain, &head); err != nil {
		return fmt.Errorf("wechat: callback: %w", err)
	}
	switch head.Event {
	case message.EventTypeWxaMediaCheck:
		var ev mediaCheckPush
		if err := decodeEither(plain, &ev); err != nil {
			return fmt.Errorf("wechat: callback media check: %w", err)
		}
		return h.mediaChecked(ctx, &ev)
	case message.EventSubscribePopup, message.EventSubscribeMsgChange:
		items, err := subscribeItems(plain)
		if err != nil {
			return fmt.Errorf("wechat: callback %s: %w", head.Event, err)
		}
		return h.subscribeChanged(ctx, head.FromUserName, head.Event, items)
	}
	return nil // other pushes are not ours to handle
}

func (h *callbackHandler) mediaChecked(ctx context.Context, ev *mediaCheckPush) error {
	photoID, err := h.c.store.FinishMediaCheck(ctx, ev.TraceID, string(ev.Result.Suggest))
	if guanjia.ErrorCode(err) == guanjia.ENOTFOUND {
		// The verdict can beat us to storing the trace id; WeChat will push again.
		return fmt.Errorf("wechat: media check %s: unknown trace id", ev.TraceID)
	} else if err != nil {
		return err
	}
	if ev.Result.Suggest != security.CheckSuggestRisky {
		return nil
	}
	h.c.log.InfoContext(ctx, "photo judged risky, hiding it", "photo_id", photoID, "label", ev.Result.Label.String())
	if err := h.hidePhoto(ctx, photoID); err != nil {
		return fmt.Errorf("wechat: hide photo %s: %w", photoID, err)
	}
	return nil
}

// subscribeChanged records the consents a user gave in the subscribe popup,
// and drops what is left of those they turned off in settings.
func (h *callbackHandler) subscribeChanged(ctx context.Context, openid string, event message.EventType, items []subscribeItem) error {
	u, err := h.c.users.FindUserByOpenID(ctx, openid)
	if guanjia.ErrorCode(err) == guanjia.ENOTFOUND {
		h.c.log.WarnContext(ctx, "subscribe event for an unknown user")
		return nil
	} else if err != nil {
		return err
	}
	var accepted []string
	for _, it := range items {
		switch {
		case it.Status == "accept" && event == message.EventSubscribePopup:
			accepted = append(accepted, it.TemplateID)
		case it.Status == "reject" && event == message.EventSubscribeMsgChange:
			if err := h.c.store.ClearConsent(ctx, u.ID, it.TemplateID); err != nil {
				return err
			}
		}
	}
	if len(accepted) == 0 {
		return nil
	}
	return h.c.recordTap(ctx, u.ID, accepted, toldByPush)
}

type subscribeItem struct {
	TemplateID string `json:"TemplateId" xml:"TemplateId"`
	Status     string `json:"SubscribeStatusString" xml:"SubscribeStatusString"`
}

// subscribeItems reads the List of a subscribe event: in JSON one item is an
// object and several an array; in XML it sits under SubscribeMsgPopupEvent
// or SubscribeMsgChangeEvent.
func subscribeItems(plain []byte) ([]subscribeItem, error) {
	if isJSON(plain) {
		var ev struct{ List json.RawMessage }
		if err := json.Unmarshal(plain, &ev); err != nil {
			return nil, err
		}
		raw := bytes.TrimSpace(ev.List)
		if len(raw) == 0 {
			return nil, nil
		}
		if raw[0] == '{' {
			var one subscribeItem
			err := json.Unmarshal(raw, &one)
			return []subscribeItem{one}, err
		}
		var many []subscribeItem
		err := json.Unmarshal(raw, &many)
		return many, err
	}
	var ev struct {
		Popup  []subscribeItem `xml:"SubscribeMsgPopupEvent>List"`
		Change []subscribeItem `xml:"SubscribeMsgChangeEvent>List"`
	}
	if err := xml.Unmarshal(plain, &ev); err != nil {
		return nil, err
	}
	return append(ev.Popup, ev.Change...), nil
}

// decodeEither decodes a push in JSON or XML, whichever it is.
func decodeEither(data []byte, v any) error {
	if isJSON(data) {
		return json.Unmarshal(data, v)
	}
	return xml.Unmarshal(data, v)
}

func isJSON(data []byte) bool {
	data = bytes.TrimSpace(data)
	return len(data) > 0 && data[0] == '{'
}

func sha1Hex(b []byte) string {
	sum := sha1.Sum(b)
	return hex.EncodeToString(sum[:])
}
