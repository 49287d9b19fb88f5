package wechat

import (
	"context"
	"errors"
	"fmt"

	"github.com/silenceper/wechat/v2/work/message"

	"guanjia"
)

// WeComSender delivers guanjia.ChannelWeCom messages as 企业微信 application
// messages: a textcard linking to the crew page of the complaint, or plain
// text when there is no complaint.
type WeComSender struct{ c *Client }

var _ guanjia.Sender = (*WeComSender)(nil)

// WeComSender returns the sender for guanjia.ChannelWeCom.
func (c *Client) WeComSender() *WeComSender { return &WeComSender{c: c} }

// textCardRequest is WeCom's textcard message; the SDK has the common part
// and a generic Send but no textcard type.
type textCardRequest struct {
	*message.SendRequestCommon
	TextCard textCard `json:"textcard"`
}

type textCard struct {
	Title       string `json:"title"`
	Description string `json:"description"`
	URL         string `json:"url"`
	BtnTxt      string `json:"btntxt,omitempty"`
}

var errWeComOff = errors.New("wechat: 企业微信 is not configured")

// Send returns nil when WeCom took the message. A recipient without a
// 企业微信 account is guanjia.ErrNoChannel, one WeCom does not know an
// ECONFLICT *guanjia.Error (neither is retried); other errors are worth retrying.
func (s *WeComSender) Send(ctx context.Context, to *guanjia.User, n *guanjia.Notification) error {
	c := s.c
	if c.work == nil {
		return errWeComOff
	}
	if to == nil || to.WeComUserID == "" {
		return fmt.Errorf("wechat: %s to a user without a 企业微信 account: %w", n.Template, guanjia.ErrNoChannel)
	}
	card := c.wecomMessage(n)
	common := &message.SendRequestCommon{ToUser: to.WeComUserID, AgentID: c.cfg.WeComAgentID}
	var res *message.SendResponse
	err := withFreshToken(ctx, c.workTokens, func() (err error) {
		msgs := c.work.GetMessage()
		if card.url == "" {
			res, err = msgs.SendText(message.SendTextRequest{
				SendRequestCommon: common,
				Text:              message.TextField{Content: truncateBytes(card.title+"\n"+plainCard(n), wecomTextMax)},
			})
			return err
		}
		common.MsgType = "textcard"
		res, err = msgs.Send("MessageSendTextCard", textCardRequest{
			SendRequestCommon: common,
			TextCard:          textCard{Title: card.title, Description: card.description, URL: card.url, BtnTxt: "查看"},
		})
		return err
	})
	if err != nil {
		ae := callError("wecom message send", err)
		if ae.code == codeWeComNoRecipient {
			return guanjia.Errorf(guanjia.ECONFLICT, "企业微信 does not know user %d (%s)", to.ID, to.WeComUserID)
		}
		return ae
	}
	// WeCom answers 0 and lists the recipients it could not reach.
	if res.InvalidUser != "" || res.UnlicensedUser != "" {
		return guanjia.Errorf(guanjia.ECONFLICT, "企业微信 cannot reach user %d (%s)", to.ID, to.WeComUserID)
	}
	return nil
}
