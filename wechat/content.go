package wechat

import (
	"context"
	"fmt"
	"strings"

	"github.com/silenceper/wechat/v2/miniprogram/security"

	"guanjia"
)

var _ guanjia.ContentChecker = (*Client)(nil)

// msgSecCheckMax is msg_sec_check's limit, in characters.
const msgSecCheckMax = 2500

// RiskyMessage is what a user is told when WeChat judges their text risky.
const RiskyMessage = "内容含有违规信息，请修改后再提交"

// CheckText screens text a citizen wrote (field names it in the error) with
// msg_sec_check v2. Staff have no openid and are not checked. When WeChat
// cannot be asked the text is allowed and a warning logged: a complaint must
// never be blocked by content security being down.
func (c *Client) CheckText(ctx context.Context, openid, field, text string) error {
	if openid == "" || strings.TrimSpace(text) == "" {
		return nil
	}
	for _, part := range chunks(text, msgSecCheckMax) {
		var res security.MsgCheckResponse
		err := withFreshToken(ctx, c.miniTokens, func() (err error) {
			res, err = c.mini.GetSecurity().MsgCheckContext(ctx, &security.MsgCheckRequest{
				OpenID: openid, Scene: security.MsgSceneForum, Content: part,
			})
			return err
		})
		switch {
		case errCode(err) == codeRiskyContent, err == nil && res.Result.Suggest == security.CheckSuggestRisky:
			c.log.InfoContext(ctx, "content check: risky text refused", "field", field, "label", res.Result.Label.String())
			return &guanjia.Error{Code: guanjia.EUNPROCESSABLE, Field: field, Message: RiskyMessage}
		case err != nil:
			c.log.WarnContext(ctx, "content check unavailable, text allowed", "field", field, "err", callError("msg_sec_check", err))
			return nil
		}
	}
	return nil
}

// chunks splits s into pieces of at most max characters.
func chunks(s string, max int) []string {
	r := []rune(s)
	var out []string
	for len(r) > max {
		out = append(out, string(r[:max]))
		r = r[max:]
	}
	return append(out, string(r))
}

// CheckImageAsync asks WeChat to check the photo at mediaURL (reachable from
// the internet). The verdict arrives later on the callback, which hides the
// photo when it is risky. Staff photos (no openid) are not checked.
func (c *Client) CheckImageAsync(ctx context.Context, openid, mediaURL, photoID string) error {
	if openid == "" {
		return nil
	}
	var traceID string
	err := withFreshToken(ctx, c.miniTokens, func() (err error) {
		traceID, err = c.mini.GetSecurity().MediaCheckAsyncContext(ctx, &security.MediaCheckAsyncRequest{
			MediaURL: mediaURL, MediaType: 2, OpenID: openid, Scene: uint8(security.MsgSceneForum),
		})
		return err
	})
	if err != nil {
		return callError("media_check_async", err)
	}
	if traceID == "" {
		return &apiError{op: "media_check_async", msg: "no trace_id in the answer"}
	}
	if err := c.store.CreateMediaCheck(ctx, traceID, photoID); err != nil {
		return fmt.Errorf("wechat: remember media check of photo %s: %w", photoID, err)
	}
	return nil
}
