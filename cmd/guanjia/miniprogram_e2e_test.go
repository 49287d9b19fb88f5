package main

import (
	"testing"
)

// The mini-program asks consent with the template ids the server publishes
// and shows how many messages of each are still allowed (我的订阅).
func TestMiniProgramSubscriptions(t *testing.T) {
	m := startMain(t)
	anon := &client{t: t, base: m.URL}
	a := anon.do("POST", "/api/v1/wechat/login", map[string]string{"code": "subscriber.1"})
	if a.status != 200 {
		t.Fatalf("wechat login: %d %s", a.status, a.raw)
	}
	citizen := &client{t: t, base: m.URL, token: a.str("token")}
	left := func() map[string]float64 {
		t.Helper()
		res := citizen.do("GET", "/api/v1/wechat/subscriptions", nil)
		if res.status != 200 {
			t.Fatalf("subscriptions: %d %s", res.status, res.raw)
		}
		out := map[string]float64{}
		for _, s := range res.body["subscriptions"].([]any) {
			s := s.(map[string]any)
			if s["template_id"] != "demo-"+s["template"].(string) {
				t.Errorf("%v: the demo's template id is demo-<template>", s)
			}
			out[s["template"].(string)] = s["remaining"].(float64)
		}
		return out
	}
	before := left()
	for _, tpl := range subscribeTemplates {
		if n, ok := before[tpl]; !ok || n != 0 {
			t.Errorf("%s: published %v, remaining %v; want published with none left", tpl, ok, n)
		}
	}
	if len(before) != len(subscribeTemplates) {
		t.Errorf("published %v, want the %d subscribe templates only", before, len(subscribeTemplates))
	}
	tpl := "demo-complaint_update"
	if res := citizen.do("POST", "/api/v1/wechat/subscriptions", map[string]any{"template_ids": []string{tpl, tpl}}); res.status != 200 {
		t.Fatalf("consent: %d %s", res.status, res.raw)
	}
	if n := left()["complaint_update"]; n != 2 {
		t.Errorf("after two consents: %v left, want 2", n)
	}
}
