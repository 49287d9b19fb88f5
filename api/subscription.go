package api

import (
	"net/http"
	"sort"

	"github.com/labstack/echo/v4"
)

type subscriptionJSON struct {
	Template   string `json:"template"`    // guanjia's name, e.g. complaint_update
	TemplateID string `json:"template_id"` // what wx.requestSubscribeMessage takes
	Remaining  int    `json:"remaining"`   // messages of it the caller has consented to and not yet received
}

// handleWeChatSubscriptionList answers the subscribe messages the
// mini-program may ask consent for, with the caller's consents left: the
// report form asks before submitting, 我的 shows them.
func (h *wechatHandlers) handleWeChatSubscriptionList(c echo.Context) error {
	mp, err := h.miniProgram()
	if err != nil {
		return err
	}
	left, err := mp.ListConsents(c.Request().Context(), claimsOf(c).UserID)
	if err != nil {
		return err
	}
	out := []subscriptionJSON{}
	for tpl, id := range mp.SubscribeTemplates() {
		out = append(out, subscriptionJSON{Template: tpl, TemplateID: id, Remaining: left[id]})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Template < out[j].Template })
	return c.JSON(http.StatusOK, map[string]any{"subscriptions": out})
}
