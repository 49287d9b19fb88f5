package main

import (
	"context"

	"guanjia"
	"guanjia/weather"
)

// alertConsents answers whether a citizen has a subscribe consent left for
// the alert message: the WeChat template id configured for it, counted in
// the consent table.
type alertConsents struct {
	templateID string
	consents   interface {
		ListConsents(ctx context.Context, userID int64) (map[string]int, error)
	}
}

func (c alertConsents) HasAlertConsent(ctx context.Context, userID int64) (bool, error) {
	counts, err := c.consents.ListConsents(ctx, userID)
	if err != nil {
		return false, err
	}
	return counts[c.templateID] > 0, nil
}

// weatherService wires 台风 / 气象 / 积水: alerts fan out through the worker,
// by subscribe message to citizens with a consent left, else to their inbox.
func (m *Main) weatherService() *weather.Service {
	svc := weather.NewService(m.DB.Weather, m.DB.Catalog, m.Now)
	svc.Scheduler, svc.Deliverer, svc.Log = m.Scheduler, m.Scheduler, m.Log
	if m.WeChat != nil {
		if id := m.WeChat.SubscribeTemplates()[guanjia.TplWeatherAlert]; id != "" {
			svc.Consents = alertConsents{templateID: id, consents: m.DB.WeChat}
		}
	}
	return svc
}
