package dispatch

import (
	"context"

	"guanjia"
)

// message addresses one notification about c; Data keys are those the
// channels render (see wechat/templates.go): time, deadline, category, address,
// status, note.
func (s *Service) message(to int64, channel, tpl string, c *guanjia.Complaint, data map[string]string) guanjia.Message {
	d := map[string]string{"time": s.clock(s.Now())}
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

// toRole addresses a message to every user of a role (within a unit when given).
func (s *Service) toRole(ctx context.Context, role guanjia.Role, unit, tpl string, c *guanjia.Complaint, data map[string]string) []guanjia.Message {
	users, err := s.Store.ListUsersByRole(ctx, role, unit)
	if err != nil {
		s.Log.Error("list recipients", "role", role, "unit", unit, "err", err)
		return nil
	}
	out := make([]guanjia.Message, 0, len(users))
	for _, u := range users {
		out = append(out, s.message(u.ID, guanjia.ChannelWeCom, tpl, c, data))
	}
	return out
}

// toResponsible addresses the assignee, or the unit's leaders when there is none.
func (s *Service) toResponsible(ctx context.Context, c *guanjia.Complaint, tpl string, data map[string]string) []guanjia.Message {
	if c.AssigneeID != nil {
		return []guanjia.Message{s.message(*c.AssigneeID, guanjia.ChannelWeCom, tpl, c, data)}
	}
	if c.UnitCode != "" {
		return s.toRole(ctx, guanjia.RoleUnitAdmin, c.UnitCode, tpl, c, data)
	}
	return s.toRole(ctx, guanjia.RoleDispatcher, "", tpl, c, data)
}
