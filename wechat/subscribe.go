package wechat

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/silenceper/wechat/v2/miniprogram/subscribe"

	"guanjia"
)

// SubscribeSender delivers guanjia.ChannelSubscribe messages as mini-program
// subscribe messages. Each message spends one of the user's consents for its
// template; without one it returns guanjia.ErrNoConsent and WeChat is not called.
type SubscribeSender struct{ c *Client }

var _ guanjia.Sender = (*SubscribeSender)(nil)

// SubscribeSender returns the sender for guanjia.ChannelSubscribe.
func (c *Client) SubscribeSender() *SubscribeSender { return &SubscribeSender{c: c} }

// Send returns nil when WeChat took the message, an error wrapping
// guanjia.ErrNoChannel when the user has no openid, guanjia.ErrNoConsent when
// the user has no consent (neither is retried), and any other error when it is
// worth retrying.
func (s *SubscribeSender) Send(ctx context.Context, to *guanjia.User, n *guanjia.Notification) error {
	c := s.c
	if to == nil || to.OpenID == "" {
		return fmt.Errorf("wechat: subscribe %s to a user without WeChat: %w", n.Template, guanjia.ErrNoChannel)
	}
	tplID := c.cfg.Templates[n.Template]
	if tplID == "" { // a configuration to fix, not a moment to wait out
		return guanjia.Errorf(guanjia.EUNPROCESSABLE, "no subscribe template id configured for %q", n.Template)
	}
	data, err := subscribeData(n)
	if err != nil {
		return guanjia.Errorf(guanjia.EUNPROCESSABLE, "%v", err)
	}
	ok, err := c.store.SpendConsent(ctx, to.ID, tplID)
	if err != nil {
		return fmt.Errorf("wechat: spend consent of user %d: %w", to.ID, err)
	} else if !ok {
		return fmt.Errorf("wechat: subscribe %s to user %d: %w", n.Template, to.ID, guanjia.ErrNoConsent)
	}
	msg := &subscribe.Message{
		ToUser:           to.OpenID,
		TemplateID:       tplID,
		Page:             c.subscribePage(n),
		Data:             make(map[string]*subscribe.DataItem, len(data)),
		MiniprogramState: c.cfg.MiniProgramState,
		Lang:             "zh_CN",
	}
	for k, v := range data {
		msg.Data[k] = &subscribe.DataItem{Value: v}
	}
	err = withFreshToken(ctx, c.miniTokens, func() error { return c.mini.GetSubscribe().Send(msg) })
	if err == nil {
		return nil
	}
	ae := callError("subscribe send", err)
	if ae.code == codeNoConsent {
		// WeChat knows better than our count: the user revoked it or it was
		// used elsewhere. Never retried.
		if err := c.store.ClearConsent(ctx, to.ID, tplID); err != nil {
			c.log.WarnContext(ctx, "clear consent", "user_id", to.ID, "template_id", tplID, "err", err)
		}
		return fmt.Errorf("wechat: subscribe %s to user %d: %w", n.Template, to.ID, guanjia.ErrNoConsent)
	}
	// WeChat did not take the message, so the consent is still the user's.
	// (If a timeout hid a delivery, the next send gets 43101 and clears it.)
	if err := c.store.RefundConsent(ctx, to.ID, tplID); err != nil {
		c.log.WarnContext(ctx, "refund consent", "user_id", to.ID, "template_id", tplID, "err", err)
	}
	if slices.Contains(codesRefusedForGood, ae.code) { // the same message would be refused again
		return guanjia.Errorf(guanjia.EUNPROCESSABLE, "WeChat refused the subscribe message: errcode %d: %s", ae.code, ae.msg)
	}
	return ae
}

// codesRefusedForGood are WeChat's answers to a subscribe message that no
// retry changes: a bad openid, template id, page or field value.
var codesRefusedForGood = []int64{40003, 40037, 41030, 47003}

// A tap on "allow" is told twice when WeChat's message push is configured:
// by the mini-program (RecordTap, through the API) and by WeChat
// (subscribe_msg_popup_event, on the callback). Each telling adds its side to
// a counter per user and template in Redis, kept for tapPairWindow: a telling
// that finds the other side's waiting is the same tap, and counts nothing.
// Without a push, or without Redis, every telling counts.
const tapPairWindow = 10 * time.Minute

// tapSide is who tells of a tap: the mini-program (+1) or WeChat's push (−1).
type tapSide int64

const (
	toldByMiniProgram tapSide = 1
	toldByPush        tapSide = -1
)

// RecordTap records the consents the mini-program says the user gave.
func (c *Client) RecordTap(ctx context.Context, userID int64, templateIDs []string) error {
	return c.recordTap(ctx, userID, templateIDs, toldByMiniProgram)
}

func (c *Client) recordTap(ctx context.Context, userID int64, templateIDs []string, side tapSide) error {
	var count []string
	for _, id := range templateIDs {
		if !c.toldAlready(ctx, userID, id, side) {
			count = append(count, id)
		}
	}
	return c.store.RecordConsents(ctx, userID, count)
}

// toldAlready says whether the other side told of this tap first.
func (c *Client) toldAlready(ctx context.Context, userID int64, templateID string, side tapSide) bool {
	key := fmt.Sprintf("guanjia:wechat:tap:%d:%s", userID, templateID)
	v, err := c.redis.IncrBy(ctx, key, int64(side)).Result()
	if err != nil {
		c.log.WarnContext(ctx, "pair a consent's tellings", "user_id", userID, "err", err)
		return false
	}
	c.redis.Expire(ctx, key, tapPairWindow)
	return int64(side)*v <= 0 // the counter moved toward zero: it held the other side's telling
}
