package fake

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// This file builds message pushes the way WeChat sends them to the app's
// callback. It implements WeChat's signature and AES scheme on its own
// rather than through the SDK, so tests check the app against the
// documented format, not against the SDK's reading of it.

// MediaCheckEvent is the wxa_media_check push for a media_check_async job.
func MediaCheckEvent(appID, openid, traceID string, risky bool) map[string]any {
	suggest, label := "pass", 100
	if risky {
		suggest, label = "risky", 20002
	}
	return map[string]any{
		"ToUserName": "gh_fake000000", "FromUserName": openid, "CreateTime": time.Now().Unix(),
		"MsgType": "event", "Event": "wxa_media_check", "appid": appID, "trace_id": traceID, "version": 2,
		"detail":  []map[string]any{{"strategy": "content_model", "errcode": 0, "suggest": suggest, "label": label, "prob": 90}},
		"errcode": 0, "errmsg": "ok",
		"result": map[string]any{"suggest": suggest, "label": label},
	}
}

// SubscribePopupEvent is the subscribe_msg_popup_event push after the user
// answered wx.requestSubscribeMessage: accepted and rejected template ids.
// CreateTime is a string here, as in WeChat's own example of this event.
func SubscribePopupEvent(openid string, accepted, rejected []string) map[string]any {
	var list []map[string]any
	for _, id := range accepted {
		list = append(list, map[string]any{"TemplateId": id, "SubscribeStatusString": "accept", "PopupScene": "0"})
	}
	for _, id := range rejected {
		list = append(list, map[string]any{"TemplateId": id, "SubscribeStatusString": "reject", "PopupScene": "0"})
	}
	ev := map[string]any{
		"ToUserName": "gh_fake000000", "FromUserName": openid, "CreateTime": strconv.FormatInt(time.Now().Unix(), 10),
		"MsgType": "event", "Event": "subscribe_msg_popup_event",
	}
	if len(list) == 1 {
		ev["List"] = list[0] // WeChat sends a lone item as an object
	} else {
		ev["List"] = list
	}
	return ev
}

// NewCallbackRequest builds the signed POST WeChat makes to target with
// event as JSON: in safe mode (msg_signature, AES) when aesKey is set, in
// plain mode (signature only) otherwise.
func NewCallbackRequest(target, token, aesKey, appID string, event any) (*http.Request, error) {
	plain, err := json.Marshal(event)
	if err != nil {
		return nil, err
	}
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	nonce := strconv.FormatInt(time.Now().UnixNano()%1e9, 10)
	q := url.Values{"timestamp": {ts}, "nonce": {nonce}, "signature": {Signature(token, ts, nonce)}}
	if ev, ok := event.(map[string]any); ok {
		if openid, ok := ev["FromUserName"].(string); ok {
			q.Set("openid", openid)
		}
	}
	body := plain
	if aesKey != "" {
		enc, err := Encrypt(aesKey, appID, plain)
		if err != nil {
			return nil, err
		}
		q.Set("encrypt_type", "aes")
		q.Set("msg_signature", Signature(token, ts, nonce, enc))
		body, _ = json.Marshal(map[string]string{"ToUserName": "gh_fake000000", "Encrypt": enc})
	}
	sep := "?"
	if strings.Contains(target, "?") {
		sep = "&"
	}
	req, err := http.NewRequest(http.MethodPost, target+sep+q.Encode(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	return req, nil
}

// Signature is WeChat's push signature: sha1 of the sorted, joined parts.
func Signature(parts ...string) string {
	p := append([]string(nil), parts...)
	sort.Strings(p)
	sum := sha1.Sum([]byte(strings.Join(p, "")))
	return hex.EncodeToString(sum[:])
}

// Encrypt is WeChat's message encryption: AES-256-CBC with the decoded
// EncodingAESKey (IV its first 16 bytes) over random(16) ‖ length(4, big
// endian) ‖ message ‖ appid, PKCS#7-padded to 32 bytes, in base64.
func Encrypt(encodingAESKey, appID string, msg []byte) (string, error) {
	key, err := base64.StdEncoding.DecodeString(encodingAESKey + "=")
	if err != nil || len(key) != 32 {
		return "", fmt.Errorf("fake wechat: EncodingAESKey must be 43 base64 characters")
	}
	var buf bytes.Buffer
	random := make([]byte, 16)
	rand.Read(random)
	buf.Write(random)
	binary.Write(&buf, binary.BigEndian, uint32(len(msg)))
	buf.Write(msg)
	buf.WriteString(appID)
	pad := 32 - buf.Len()%32
	buf.Write(bytes.Repeat([]byte{byte(pad)}, pad))
	block, err := aes.NewCipher(key)
	if err != nil {
		return "", err
	}
	out := buf.Bytes()
	cipher.NewCBCEncrypter(block, key[:16]).CryptBlocks(out, out)
	return base64.StdEncoding.EncodeToString(out), nil
}
