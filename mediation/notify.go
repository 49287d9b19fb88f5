package mediation

import (
	"context"
	"strconv"
	"time"

	"guanjia"
)

// Who hears about a dispute: mediators, committees and the command center
// on their inbox (always there) and 企业微信; the citizen who filed it by
// subscribe message; the other parties, who have no account, by one SMS
// when a session is scheduled (sms.Sender reads their phone when it sends).

// clock formats an instant as the messages show it, in China Standard Time.
func clock(t time.Time) string { return t.In(guanjia.ChinaTime).Format("2006-01-02 15:04") }

// announce tells the live pages that d changed and whose inboxes msgs wrote to.
func (s *Service) announce(ctx context.Context, d *guanjia.Dispute, msgs []guanjia.Message) {
	if s.Live == nil {
		return
	}
	s.Live.DisputeChanged(ctx, d)
	s.Live.InboxChanged(ctx, guanjia.InboxRecipients(msgs))
}

// message addresses one notification about d. Data keys are those the
// channels render (wechat/templates.go); link opens the console's case page.
func message(to int64, channel, tpl string, d *guanjia.Dispute, data map[string]string) guanjia.Message {
	id := strconv.FormatInt(d.ID, 10) // a subscribe message opens the dispute by it
	m := map[string]string{"category": TypeName(d.Type), "address": d.Address, "complaint_no": d.Number, "id": id,
		"link": "/console/disputes/" + id}
	for k, v := range data {
		m[k] = v
	}
	return guanjia.Message{RecipientID: to, Channel: channel, Template: tpl, Data: m}
}

// staff addresses a staff member on the inbox and 企业微信.
func staff(to int64, tpl string, d *guanjia.Dispute, note string, now time.Time) []guanjia.Message {
	data := map[string]string{"note": note, "time": clock(now), "status": statusName(d.Status)}
	if d.DueAt != nil && tpl != guanjia.TplTaskAssigned { // the inbox reads a task's deadline as its sign-for time
		data["deadline"] = clock(*d.DueAt)
	}
	return []guanjia.Message{message(to, guanjia.ChannelInbox, tpl, d, data), message(to, guanjia.ChannelWeCom, tpl, d, data)}
}

// toRole addresses every active user of role (within unit when given).
func (s *Service) toRole(ctx context.Context, role guanjia.Role, unit, tpl string, d *guanjia.Dispute, note string, now time.Time) ([]guanjia.Message, error) {
	users, err := s.Store.ListUsersByRole(ctx, role, unit)
	if err != nil {
		return nil, err
	}
	var out []guanjia.Message
	for _, u := range users {
		if !u.Disabled() {
			out = append(out, staff(u.ID, tpl, d, note, now)...)
		}
	}
	return out, nil
}

// toCommittee addresses the committee's mediators (a department's staff for
// 行政调解), or the command center when no committee serves the dispute.
func (s *Service) toCommittee(ctx context.Context, c *guanjia.Committee, tpl string, d *guanjia.Dispute, note string) ([]guanjia.Message, error) {
	now := s.Now()
	if c == nil {
		return s.toRole(ctx, guanjia.RoleDispatcher, "", guanjia.TplManualQueue, d, note, now)
	}
	role := guanjia.RoleMediator
	if c.Kind == guanjia.CommitteeAdministrative {
		role = guanjia.RoleDepartment
	}
	return s.toRole(ctx, role, c.Code, tpl, d, note, now)
}

// toMediators addresses the assigned mediators, else the whole committee.
func (s *Service) toMediators(ctx context.Context, d *guanjia.Dispute, c *guanjia.Committee, tpl, note string, now time.Time) ([]guanjia.Message, error) {
	if len(d.MediatorIDs) == 0 {
		return s.toCommittee(ctx, c, tpl, d, note)
	}
	var out []guanjia.Message
	for _, id := range d.MediatorIDs {
		out = append(out, staff(id, tpl, d, note, now)...)
	}
	return out, nil
}

// escalation is the 督办: the mediators, the superior committee and the command center.
func (s *Service) escalation(ctx context.Context, d *guanjia.Dispute, up *guanjia.Committee, note string, now time.Time) ([]guanjia.Message, error) {
	var out []guanjia.Message
	for _, id := range d.MediatorIDs {
		out = append(out, staff(id, guanjia.TplEscalation, d, note, now)...)
	}
	if up != nil {
		more, err := s.toCommittee(ctx, up, guanjia.TplEscalation, d, note)
		if err != nil {
			return nil, err
		}
		out = append(out, more...)
	}
	more, err := s.toRole(ctx, guanjia.RoleDispatcher, "", guanjia.TplEscalation, d, note, now)
	return append(out, more...), err
}
