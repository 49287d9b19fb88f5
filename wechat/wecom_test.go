package wechat_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"guanjia"
)

func newCrew(t *testing.T, e *env, wecomUserID string) *guanjia.User {
	t.Helper()
	u := &guanjia.User{Username: "crew-" + wecomUserID, Role: guanjia.RoleCrew, UnitCode: "HK-SZ-01", WeComUserID: wecomUserID}
	must(t, e.db.Users.CreateUser(context.Background(), u))
	return u
}

func crewTask(to *guanjia.User, complaintID int64) *guanjia.Notification {
	return &guanjia.Notification{Message: guanjia.Message{
		RecipientID: to.ID, Channel: guanjia.ChannelWeCom, Template: guanjia.TplTaskAssigned, ComplaintID: &complaintID,
		Data: map[string]string{"category": "井盖破损", "address": "龙华区滨海大道 88 号", "deadline": "2026-11-27 18:00"},
	}}
}

func httpContentType(b []byte) string { return http.DetectContentType(b) }

func TestWeComTaskCard(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	crew := newCrew(t, e, "zhangsan")

	must(t, e.c.WeComSender().Send(ctx, crew, crewTask(crew, 42)))
	msgs := e.fake.Messages()
	length(t, msgs, 1)
	m := msgs[0]
	eq(t, "wecom", m.Kind)
	eq(t, 0, m.ErrCode, "the fake accepted it: %s", m.Body)
	eq(t, "zhangsan", m.ToUser)
	eq(t, "1000002", m.AgentID)
	eq(t, "textcard", m.MsgType)
	eq(t, "新任务：井盖破损", m.Title)
	contains(t, m.Description, "处置时限 2026-11-27 18:00")
	contains(t, m.Description, "龙华区滨海大道 88 号")
	eq(t, consoleURL+"/crew?complaint=42", m.URL)
}

func TestWeComTextWithoutComplaint(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	lead := newCrew(t, e, "wangwu")
	n := &guanjia.Notification{Message: guanjia.Message{RecipientID: lead.ID, Channel: guanjia.ChannelWeCom,
		Template: guanjia.TplManualQueue, Data: map[string]string{"note": "3 件工单无法自动派遣"}}}

	must(t, e.c.WeComSender().Send(ctx, lead, n))
	m := e.fake.Messages()[0]
	eq(t, "text", m.MsgType)
	contains(t, m.Content, "待人工派遣")
	contains(t, m.Content, "3 件工单无法自动派遣")
}

func TestWeComUnreachableRecipient(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()

	noAccount := &guanjia.User{ID: 99, Role: guanjia.RoleCrew}
	err := e.c.WeComSender().Send(ctx, noAccount, crewTask(noAccount, 1))
	eq(t, guanjia.ECONFLICT, guanjia.ErrorCode(err), "never retried")
	if !errors.Is(err, guanjia.ErrNoChannel) {
		t.Errorf("a user without a 企业微信 account: %v, want no channel", err)
	}
	empty(t, e.fake.Requests())

	stranger := newCrew(t, e, "unknown-zhao")
	err = e.c.WeComSender().Send(ctx, stranger, crewTask(stranger, 1))
	eq(t, guanjia.ECONFLICT, guanjia.ErrorCode(err), "81013 is not worth retrying")
}

// Without a public URL (GUANJIA_PUBLIC_URL) a task goes as a text message:
// WeCom refuses a card whose link is not absolute.
func TestWeComTaskWithoutPublicURLIsText(t *testing.T) {
	e := newEnv(t)
	e.cfg.ConsoleURL = ""
	c := e.newClient()
	crew := newCrew(t, e, "lisi")
	must(t, c.WeComSender().Send(context.Background(), crew, crewTask(crew, 43)))
	m := e.fake.Messages()[0]
	eq(t, "text", m.MsgType)
	contains(t, m.Content, "龙华区滨海大道 88 号")
}
