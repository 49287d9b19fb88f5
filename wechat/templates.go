package wechat

import (
	"fmt"
	"html"
	"strconv"
	"strings"
	"unicode/utf8"

	"guanjia"
	"guanjia/approval"
)

// This file is the one place where a notification's Data (filled by dispatch
// and volunteer) becomes what WeChat shows. Keys of n.Data used here:
//
//	complaint_no  工单编号 (defaults to the complaint id)
//	status        a short status word: 已受理, 已到场, 已办结, 已结案, 已取消, 已改期
//	time          when it happened, "2006-01-02 15:04"
//	deadline      处置时限, "2006-01-02 15:04"
//	category      category name, e.g. 井盖破损
//	address       where
//	activity      volunteer activity title
//	start         activity start, "2006-01-02 15:04"
//	place         activity place
//	hours         hours credited, e.g. "2.5"
//	note          free text

// keyword is one field of a subscribe template: WeChat's keyword name
// (its prefix is the value type and sets the length limit) and the Data key.
type keyword struct{ name, data string }

// subscribeKeywords lists, per guanjia template, the keywords of the subscribe
// template chosen for it in the mini-program console. Changing a template in
// the console means changing its line here.
var subscribeKeywords = map[string][]keyword{
	guanjia.TplComplaintUpdate: {
		{"character_string1", "complaint_no"}, {"phrase2", "status"}, {"time3", "time"}, {"thing4", "note"},
	},
	guanjia.TplSignupConfirmed: {
		{"thing1", "activity"}, {"time2", "start"}, {"thing3", "place"}, {"thing4", "note"},
	},
	guanjia.TplActivityReminder: {
		{"thing1", "activity"}, {"time2", "start"}, {"thing3", "place"},
	},
	guanjia.TplHoursCredited: {
		{"thing1", "activity"}, {"number2", "hours"}, {"time3", "time"},
	},
	guanjia.TplActivityChanged: {
		{"thing1", "activity"}, {"phrase2", "status"}, {"time3", "start"}, {"thing4", "note"},
	},
	guanjia.TplVolunteerInvitation: {
		{"thing1", "activity"}, {"time2", "start"}, {"thing3", "place"}, {"thing4", "note"},
	},
	approval.TplApprovalUpdate: { // 审批进度通知: 受理编号, status, time, 事项名称
		{"character_string1", "id"}, {"phrase2", "status"}, {"time3", "time"}, {"thing4", "matter"},
	},
	guanjia.TplWeatherAlert: { // 气象预警: title, 橙色预警, valid until, what to do (package weather)
		{"thing1", "title"}, {"phrase2", "level"}, {"time3", "time"}, {"thing4", "note"},
	},
	guanjia.TplDisputeUpdate: { // 调解进度通知: 案件编号 (complaint_no holds it), status, time, note (package mediation)
		{"character_string1", "complaint_no"}, {"phrase2", "status"}, {"time3", "time"}, {"thing4", "note"},
	},
	guanjia.TplDisputeSession: { // 调解会提醒: what, when, where
		{"thing1", "activity"}, {"time2", "start"}, {"thing3", "place"},
	},
	// Package credit sends no time; its status is a word (已通过, 未通过…).
	guanjia.TplCreditRepairDecided: { // 信用修复结果: 申请编号, result, 说明
		{"character_string1", "repair"}, {"phrase2", "status"}, {"thing3", "note"},
	},
	guanjia.TplCreditAgentDecided: { // 授权委托审核结果: 委托编号, result, 说明
		{"character_string1", "representative"}, {"phrase2", "status"}, {"thing3", "note"},
	},
}

// keywordLimits are WeChat's length limits per keyword type, in characters;
// a longer value fails the whole send with 47003.
var keywordLimits = map[string]int{
	"thing": 20, "character_string": 32, "phrase": 5, "number": 32, "letter": 32,
	"symbol": 5, "time": 64, "date": 64, "amount": 32, "phone_number": 17, "car_number": 8, "name": 10,
}

// subscribeData fills the template's keywords from n.Data.
func subscribeData(n *guanjia.Notification) (map[string]string, error) {
	kws, ok := subscribeKeywords[n.Template]
	if !ok {
		return nil, fmt.Errorf("wechat: template %q is not a subscribe message", n.Template)
	}
	out := make(map[string]string, len(kws))
	for _, kw := range kws {
		v := strings.TrimSpace(n.Data[kw.data])
		if v == "" && kw.data == "complaint_no" && n.ComplaintID != nil {
			v = strconv.FormatInt(*n.ComplaintID, 10)
		}
		if v == "" {
			v = "-"
		}
		typ := keywordType(kw.name)
		out[kw.name] = truncateRunes(v, keywordLimits[typ], typ == "thing")
	}
	return out, nil
}

// keywordType is "thing" for "thing4", "character_string" for "character_string1".
func keywordType(name string) string { return strings.TrimRight(name, "0123456789") }

// subscribePage is the page a tap on the message opens, with the item's id.
func (c *Client) subscribePage(n *guanjia.Notification) string {
	page := c.cfg.Pages[n.Template]
	if page == "" {
		return ""
	}
	id := n.Data["id"]
	if n.ComplaintID != nil {
		id = strconv.FormatInt(*n.ComplaintID, 10)
	}
	if id != "" {
		page += "?id=" + id
	}
	return page
}

// wecomTitles are the card titles of the crew and leader templates.
var wecomTitles = map[string]string{
	guanjia.TplTaskAssigned:  "新任务",
	guanjia.TplTaskWithdrawn: "任务撤回",
	guanjia.TplReminder:      "催办：即将超时",
	guanjia.TplEscalation:    "督办：已超时",
	guanjia.TplManualQueue:   "待人工派遣",
}

// wecomCard is a WeCom textcard: title, description (WeCom's small HTML
// subset: gray, normal and highlight divs) and the button's link.
type wecomCard struct{ title, description, url string }

// WeCom's limits, in bytes.
const (
	wecomTitleMax       = 128
	wecomDescriptionMax = 512
	wecomTextMax        = 2048
)

// wecomMessage builds the card for n; link is empty when n has no complaint.
func (c *Client) wecomMessage(n *guanjia.Notification) wecomCard {
	title := wecomTitles[n.Template]
	if title == "" {
		title = "通知"
	}
	if cat := n.Data["category"]; cat != "" {
		title += "：" + cat
	}
	var b strings.Builder
	line := func(class, text string) {
		if text != "" {
			fmt.Fprintf(&b, `<div class="%s">%s</div>`, class, html.EscapeString(text))
		}
	}
	if n.ComplaintID != nil {
		line("gray", "工单 "+strconv.FormatInt(*n.ComplaintID, 10))
	}
	line("normal", n.Data["address"])
	if d := n.Data["deadline"]; d != "" {
		line("highlight", "处置时限 "+d)
	}
	line("normal", n.Data["status"])
	line("normal", n.Data["note"])
	card := wecomCard{title: truncateBytes(title, wecomTitleMax), description: b.String()}
	if len(card.description) > wecomDescriptionMax {
		// Cut plain text rather than break the markup.
		card.description = truncateBytes(plainCard(n), wecomDescriptionMax)
	}
	if n.ComplaintID != nil && c.cfg.ConsoleURL != "" { // WeCom takes absolute links only: without one, a text message
		card.url = fmt.Sprintf("%s/crew?complaint=%d", strings.TrimRight(c.cfg.ConsoleURL, "/"), *n.ComplaintID)
	}
	return card
}

// plainCard is the card's content as plain lines, for text messages.
func plainCard(n *guanjia.Notification) string {
	var lines []string
	for _, k := range []string{"category", "address", "deadline", "status", "note"} {
		if v := n.Data[k]; v != "" {
			if k == "deadline" {
				v = "处置时限 " + v
			}
			lines = append(lines, v)
		}
	}
	return strings.Join(lines, "\n")
}

// truncateRunes cuts s to max characters, ending with … when ellipsis is
// set (only free text takes it: phrase and number values must stay words and digits).
func truncateRunes(s string, max int, ellipsis bool) string {
	if max <= 0 || utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	if ellipsis && max > 1 {
		return string(r[:max-1]) + "…"
	}
	return string(r[:max])
}

// truncateBytes cuts s to at most max bytes on a rune boundary.
func truncateBytes(s string, max int) string {
	if len(s) <= max {
		return s
	}
	s = s[:max]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}

// SubscribeTemplates maps each subscribe message a citizen or volunteer may
// consent to (guanjia.Tpl…) to the template id configured for it: what the
// mini-program passes to wx.requestSubscribeMessage.
func (c *Client) SubscribeTemplates() map[string]string {
	out := make(map[string]string, len(subscribeKeywords))
	for tpl := range subscribeKeywords {
		if id := c.cfg.Templates[tpl]; id != "" {
			out[tpl] = id
		}
	}
	return out
}
