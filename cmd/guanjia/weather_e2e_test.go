package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"guanjia"
	"guanjia/geo"
)

// TestWeatherCitizenSeesTrackAndGetsAlert is issue 14's 台风/积水 "done when":
// a citizen signed in with WeChat sees the typhoon track and the
// waterlogging points, saves 家 where wx.chooseLocation put it (GCJ-02) and,
// when the command center publishes an alert over it, receives it once on
// WeChat; a neighbour without a consent gets it in the inbox; one who lives
// outside gets nothing.
func TestWeatherCitizenSeesTrackAndGetsAlert(t *testing.T) {
	m := startMain(t)
	anon := &client{t: t, base: m.URL}
	wechatCitizen := func(code string) (*client, string) {
		a := anon.do("POST", "/api/v1/wechat/login", map[string]string{"code": code})
		if a.status != 200 {
			t.Fatalf("wechat login: %d %s", a.status, a.raw)
		}
		return &client{t: t, base: m.URL, token: a.str("token")}, a.str("openid")
	}
	ty := anon.must(200, "GET", "/api/v1/typhoons", nil)
	list := ty.body["typhoons"].([]any)
	if len(list) == 0 || list[0].(map[string]any)["name_zh"] != "摩羯" || len(list[0].(map[string]any)["observed"].([]any)) < 10 {
		t.Fatalf("typhoons: %s", ty.raw)
	}
	if wl := anon.must(200, "GET", "/api/v1/waterlogging", nil); len(wl.body["points"].([]any)) != 12 {
		t.Fatalf("waterlogging: %s", wl.raw)
	}

	subscribed, openid := wechatCitizen("weather-citizen-1")
	neighbour, _ := wechatCitizen("weather-citizen-2")
	faraway, _ := wechatCitizen("weather-citizen-3")
	at := func(lat, lng float64) map[string]any {
		gLat, gLng := geo.WGS84ToGCJ02(lat, lng)
		return map[string]any{"name": "家", "lat": gLat, "lng": gLng, "coord_system": "gcj02"}
	}
	subscribed.must(201, "POST", "/api/v1/me/places", at(20.0720, 110.3450)) // 海甸岛北, outside the demo alert
	neighbour.must(201, "POST", "/api/v1/me/places", at(20.0740, 110.3500))
	faraway.must(201, "POST", "/api/v1/me/places", at(19.9680, 110.5050)) // 江东新区
	subscribed.must(200, "POST", "/api/v1/wechat/subscriptions", map[string]any{"template_ids": []string{"demo-" + guanjia.TplWeatherAlert}})

	dispatcher := login(t, m, "dispatcher")
	alert := dispatcher.must(201, "POST", "/api/v1/alerts", map[string]any{"kind": "typhoon", "level": "red", "title": "台风红色预警",
		"body": "请立即回家，关好门窗", "valid_until": time.Now().Add(12 * time.Hour).Format(time.RFC3339),
		"area": map[string]any{"type": "Polygon", "coordinates": [][][]float64{{{110.33, 20.065}, {110.38, 20.065}, {110.38, 20.09}, {110.33, 20.09}, {110.33, 20.065}}}}})
	alertID := int64(alert.num("id"))
	if mine := subscribed.must(200, "GET", "/api/v1/me/alerts", nil); len(mine.body["alerts"].([]any)) != 1 {
		t.Errorf("my alerts: %s", mine.raw)
	}

	eventually(t, 20*time.Second, func() error {
		res, err := http.Get(m.URL + "/__fake/wechat/messages")
		if err != nil {
			return err
		}
		defer res.Body.Close()
		var msgs []struct {
			Kind, ToUser string
			ErrCode      int
			Data         map[string]string
		}
		json.NewDecoder(res.Body).Decode(&msgs)
		n := 0
		for _, msg := range msgs {
			if msg.Kind == "subscribe" && msg.ToUser == openid && msg.ErrCode == 0 {
				n++
			}
		}
		if n != 1 {
			return fmt.Errorf("the subscribed citizen's phone received %d messages: %+v", n, msgs)
		}
		return nil
	})
	ctx := context.Background()
	count := func(c *client) (inbox, subscribe int) {
		me := c.must(200, "GET", "/api/v1/me", nil)
		id := int64(me.num("id"))
		rows, err := m.DB.Notifications.ListNotifications(ctx, guanjia.NotificationFilter{RecipientID: &id})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if r.Template != guanjia.TplWeatherAlert || r.Data["id"] != fmt.Sprint(alertID) {
				continue
			}
			if r.Channel == guanjia.ChannelInbox {
				inbox++
			} else {
				subscribe++
			}
		}
		return inbox, subscribe
	}
	if i, s := count(subscribed); i != 0 || s != 1 {
		t.Errorf("subscribed citizen: %d inbox, %d subscribe messages; want the one subscribe message", i, s)
	}
	if i, s := count(neighbour); i != 1 || s != 0 {
		t.Errorf("neighbour without consent: %d inbox, %d subscribe; want one inbox message", i, s)
	}
	if i, s := count(faraway); i+s != 0 {
		t.Errorf("citizen outside the area got %d messages", i+s)
	}
}
