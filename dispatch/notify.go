package dispatch

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"guanjia"
)

// Who hears about a complaint, and on which channels:
//
//   - staff (crews, unit leaders, the command center) on their inbox, which
//     always exists, and on 企业微信; a missing WeCom account shows in the
//     delivery log as no_channel and the inbox still has the message;
//   - reporters who use the mini-program by subscribe message (act.tell);
//   - 12345 callers by SMS, addressed by the complaint (they are not users).

// addressBook addresses the messages of a workflow step: who hears about a
// complaint, on which channels. It reads the store for staff by role and a
// caller's last resolve note; it sends nothing (the change saves the messages).
type addressBook struct {
	store Store
	log   *slog.Logger
	now   func() time.Time
	cal   *Calendar
}

func (s *Service) addresses() addressBook {
	return addressBook{store: s.Store, log: s.Log, now: s.Now, cal: s.Calendar}
}

// message addresses one notification about c; Data keys are those the
// channels render (see wechat/templates.go): time, deadline, category, address,
// status, note.
func (b addressBook) message(to int64, channel, tpl string, c *guanjia.Complaint, data map[string]string) guanjia.Message {
	d := map[string]string{"time": b.cal.clock(b.now())}
	for k, v := range data {
		d[k] = v
	}
	m := guanjia.Message{RecipientID: to, Channel: channel, Template: tpl, Data: d}
	if c.ID != 0 {
		id := c.ID
		m.ComplaintID = &id
	}
	return m
}

// toStaff addresses one staff member on every staff channel: the inbox and 企业微信.
func (b addressBook) toStaff(to int64, tpl string, c *guanjia.Complaint, data map[string]string) []guanjia.Message {
	return []guanjia.Message{b.message(to, guanjia.ChannelInbox, tpl, c, data), b.message(to, guanjia.ChannelWeCom, tpl, c, data)}
}

// toRole addresses every user of a role (within a unit when given). A failed
// lookup is returned, never swallowed: a change saved with a message that
// reaches nobody would look delivered.
func (b addressBook) toRole(ctx context.Context, role guanjia.Role, unit, tpl string, c *guanjia.Complaint, data map[string]string) ([]guanjia.Message, error) {
	users, err := b.store.ListUsersByRole(ctx, role, unit)
	if err != nil {
		return nil, fmt.Errorf("dispatch: recipients of %s (%s %s): %w", tpl, role, unit, err)
	}
	var out []guanjia.Message
	for _, u := range users {
		out = append(out, b.toStaff(u.ID, tpl, c, data)...)
	}
	return out, nil
}

// toCommandCenter addresses the command center: its dispatchers, or the
// administrators when there is no dispatcher.
func (b addressBook) toCommandCenter(ctx context.Context, tpl string, c *guanjia.Complaint, data map[string]string) ([]guanjia.Message, error) {
	out, err := b.toRole(ctx, guanjia.RoleDispatcher, "", tpl, c, data)
	if err != nil || len(out) > 0 {
		return out, err
	}
	b.log.Warn("no dispatcher to tell: telling the administrators", "template", tpl, "complaint", c.ID)
	return b.toRole(ctx, guanjia.RoleAdmin, "", tpl, c, data)
}

// toUnitLeaders addresses a unit's leaders, or the command center when the
// unit has none: a task nobody can see is a task nobody does.
func (b addressBook) toUnitLeaders(ctx context.Context, unit, tpl string, c *guanjia.Complaint, data map[string]string) ([]guanjia.Message, error) {
	if unit != "" {
		out, err := b.toRole(ctx, guanjia.RoleUnitAdmin, unit, tpl, c, data)
		if err != nil || len(out) > 0 {
			return out, err
		}
	}
	return b.toCommandCenter(ctx, tpl, c, data)
}

// toResponsible addresses the assignee; or, for an order waiting for the
// desk to dispatch it (not dispatched yet, or given back: 退单), the command
// center; else the unit's leaders, or the command center when the unit has
// no leader either.
func (b addressBook) toResponsible(ctx context.Context, c *guanjia.Complaint, tpl string, data map[string]string) ([]guanjia.Message, error) {
	switch {
	case c.AssigneeID != nil:
		return b.toStaff(*c.AssigneeID, tpl, c, data), nil
	case c.Status == guanjia.StatusSubmitted || c.Status == guanjia.StatusReturned:
		return b.toCommandCenter(ctx, tpl, c, data)
	}
	return b.toUnitLeaders(ctx, c.UnitCode, tpl, c, data)
}

// withdrawn tells the crew member a task was dispatched to, signed for or
// not yet, that it went elsewhere (改派, 合并, the sign-for timer's own 改派,
// the unit's 退单): they may be on their way, and the task only vanishes
// from their list. It addresses nobody when the task stays theirs (next) or
// was not theirs.
func (b addressBook) withdrawn(c *guanjia.Complaint, next *int64, cat, note string) []guanjia.Message {
	held := slices.Contains(inProgress, c.Status) && c.AssigneeID != nil
	if !held || (next != nil && *next == *c.AssigneeID) {
		return nil
	}
	return b.toStaff(*c.AssigneeID, guanjia.TplTaskWithdrawn, c, map[string]string{"category": cat, "address": c.Address, "note": note})
}

// linkedReports answers c and the reports linked to it as duplicates (a
// me-too at intake, a merge at the desk), with those an order merged into c
// brought along, c first.
func (b addressBook) linkedReports(ctx context.Context, c *guanjia.Complaint) ([]*guanjia.Complaint, error) {
	all := []*guanjia.Complaint{c}
	for hop, joined := 0, all; hop < maxMergeChain && len(joined) > 0; hop++ {
		var next []*guanjia.Complaint
		for _, x := range joined {
			dups, err := b.store.ListDuplicates(ctx, x.ID)
			if err != nil {
				return nil, err
			}
			next = append(next, dups...)
		}
		all, joined = append(all, next...), next
	}
	return all, nil
}

// toSupervisors addresses a 督办: the unit's leaders and the command center
// always, and the assignee when there is one.
func (b addressBook) toSupervisors(ctx context.Context, c *guanjia.Complaint, tpl string, data map[string]string) ([]guanjia.Message, error) {
	var out []guanjia.Message
	if c.UnitCode != "" {
		leaders, err := b.toRole(ctx, guanjia.RoleUnitAdmin, c.UnitCode, tpl, c, data)
		if err != nil {
			return nil, err
		}
		out = append(out, leaders...)
	}
	center, err := b.toCommandCenter(ctx, tpl, c, data)
	if err != nil {
		return nil, err
	}
	out = append(out, center...)
	if c.AssigneeID != nil {
		out = append(out, b.toStaff(*c.AssigneeID, tpl, c, data)...)
	}
	return out, nil
}

// toCaller addresses an SMS to the caller of a 12345 work order. The caller
// is not a user: the message names the complaint, and the sender reads (and
// decrypts) the phone number from it at send time. A caller who opted out
// still gets a row, which the sender settles as no_consent, so the delivery
// log shows why nothing was sent.
func (b addressBook) toCaller(c *guanjia.Complaint, tpl string, data map[string]string) []guanjia.Message {
	if c.Source != guanjia.SourceHotline || c.CallerPhone == "" {
		return nil
	}
	return []guanjia.Message{b.message(0, guanjia.ChannelSMS, tpl, c, data)}
}

// callerClosed is the SMS a 12345 caller gets when the order is closed
// (结案): what was done (the last resolve note) and, added by the sender,
// the link to rate. The callers whose calls were linked to the order as
// duplicates (a me-too at intake, a merge at the desk) get it too, each
// under their own order's number, the one their 受理 SMS gave: a duplicate
// never reaches 办结 itself, and a caller has no account to follow the
// order by. Each message names the caller's own complaint, so that the
// sender reads that caller's phone and opt-out (toCaller). An order merged
// into this one brings its own duplicates along (joinedOrder).
func (b addressBook) callerClosed(ctx context.Context, c *guanjia.Complaint) ([]guanjia.Message, error) {
	calls, err := b.linkedReports(ctx, c)
	if err != nil {
		return nil, err
	}
	var callers []*guanjia.Complaint
	for _, x := range calls {
		if x.Source == guanjia.SourceHotline && x.CallerPhone != "" {
			callers = append(callers, x)
		}
	}
	if len(callers) == 0 {
		return nil, nil
	}
	events, err := b.store.ListEvents(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	note := ""
	for _, e := range events {
		if e.Action == guanjia.ActionResolve {
			note = e.Note
		}
	}
	if i := strings.Index(note, " [照片: "); i >= 0 {
		note = note[:i]
	}
	data := map[string]string{"note": clip(note, 60)}
	var out []guanjia.Message
	for _, x := range callers {
		out = append(out, b.toCaller(x, guanjia.TplCallerClosed, data)...)
	}
	return out, nil
}

// InboxText is the one line an inbox shows for a message about complaint id.
func InboxText(tpl string, id int64, d map[string]string) string {
	no := fmt.Sprintf("#%d", id)
	if id == 0 && d["complaint_no"] != "" { // not about a complaint: a dispute (大调解) names itself
		no = d["complaint_no"]
	}
	switch tpl {
	case guanjia.TplTaskAssigned:
		text := fmt.Sprintf("新任务 %s %s：%s", no, d["category"], firstNonEmpty(d["address"], "地点见工单"))
		if d["deadline"] != "" { // a dispute (大调解) has no sign-for deadline
			text += "，请于 " + d["deadline"] + " 前签收"
		}
		return clip(text, 120)
	case guanjia.TplReminder:
		text := fmt.Sprintf("催办 %s：%s", no, firstNonEmpty(d["note"], "请尽快处置"))
		if d["deadline"] != "" {
			text += "（时限 " + d["deadline"] + "）"
		}
		return clip(text, 120)
	case guanjia.TplEscalation:
		return clip(fmt.Sprintf("督办 %s：%s", no, firstNonEmpty(d["note"], "请尽快处置")), 120)
	case guanjia.TplHotspot:
		return clip(fmt.Sprintf("热点诉求：%s 网格 %s，%s 内 %s 件（为常态的 %s 倍）", d["category"], firstNonEmpty(d["grid"], "跨网格"), d["window"], d["count"], d["rise"]), 120)
	case guanjia.TplTaskWithdrawn:
		return clip(fmt.Sprintf("任务撤回 %s %s：%s", no, d["category"], d["note"]), 120)
	case guanjia.TplManualQueue:
		return clip(fmt.Sprintf("待派遣 %s：%s", no, firstNonEmpty(d["reason"], firstNonEmpty(d["note"], "需要人工派遣"))), 120)
	}
	return fmt.Sprintf("工单 %s 有新动态", no)
}

// clip shortens s to at most n characters.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// announceInbox tells the live pages of the recipients of inbox messages just saved.
func (s *Service) announceInbox(ctx context.Context, msgs []guanjia.Message) {
	if s.Live != nil {
		s.Live.InboxChanged(ctx, guanjia.InboxRecipients(msgs))
	}
}
