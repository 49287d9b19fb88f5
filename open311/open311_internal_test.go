package open311

import (
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"guanjia"
)

func TestUpdateStatus(t *testing.T) {
	for _, tc := range []struct {
		e    guanjia.Event
		want string
	}{
		{guanjia.Event{Action: guanjia.ActionCreate, To: guanjia.StatusSubmitted}, "OPEN"},
		{guanjia.Event{Action: guanjia.ActionDispatch, From: guanjia.StatusSubmitted, To: guanjia.StatusDispatched}, "ACTION_SCHEDULED"},
		{guanjia.Event{Action: guanjia.ActionAccept, From: guanjia.StatusDispatched, To: guanjia.StatusAccepted}, "IN_PROGRESS"},
		{guanjia.Event{Action: guanjia.ActionResolve, From: guanjia.StatusOnSite, To: guanjia.StatusResolved}, "FIXED"},
		{guanjia.Event{Action: guanjia.ActionClose, From: guanjia.StatusResolved, To: guanjia.StatusClosed}, "CLOSED"},
		{guanjia.Event{Action: guanjia.ActionCreate, To: guanjia.StatusDuplicate}, "DUPLICATE"},
		{guanjia.Event{Action: guanjia.ActionReject, From: guanjia.StatusSubmitted, To: guanjia.StatusRejected}, "NOT_COUNCILS_RESPONSIBILITY"},
		{guanjia.Event{Action: guanjia.ActionRemind, From: guanjia.StatusAccepted, To: guanjia.StatusAccepted}, ""}, // internal
	} {
		got, ok := updateStatus(&tc.e)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("%s → %s: %q %v, want %q", tc.e.Action, tc.e.To, got, ok, tc.want)
		}
	}
}

func TestXMLShapes(t *testing.T) {
	raw, err := xml.Marshal(NewList("errors", []Error{{Code: 400, Description: "x"}}))
	if err != nil || string(raw) != "<errors><error><code>400</code><description>x</description></error></errors>" {
		t.Fatalf("errors: %s %v", raw, err)
	}
	raw, _ = xml.Marshal(NewList("services", []ServiceRecord{{Code: "1101", Type: "realtime"}}))
	if !strings.HasPrefix(string(raw), "<services><service><service_code>1101</service_code>") {
		t.Fatalf("services: %s", raw)
	}
	raw, _ = xml.Marshal(Definition{Code: "1101", Attributes: []Attribute{}})
	if string(raw) != "<service_definition><service_code>1101</service_code><attributes></attributes></service_definition>" {
		t.Fatalf("definition: %s", raw)
	}
}

func TestJurisdictionAndDates(t *testing.T) {
	s := &Service{Jurisdiction: "haikou.gov.cn", now: func() time.Time { return time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC) }}
	if s.CheckJurisdiction("") != nil || s.CheckJurisdiction("haikou.gov.cn") != nil {
		t.Fatal("the configured jurisdiction, or none, is served")
	}
	if guanjia.ErrorCode(s.CheckJurisdiction("sanya.gov.cn")) != guanjia.ENOTFOUND {
		t.Fatal("another jurisdiction is 404")
	}
	from, to, err := s.window("", "")
	if err != nil || to.Sub(from) != DefaultWindow {
		t.Fatalf("default window: %v %v %v", from, to, err)
	}
	if _, _, err := s.window("yesterday", ""); guanjia.ErrorCode(err) != guanjia.EINVALID {
		t.Fatalf("bad start_date: %v", err)
	}
	if got := datetime(time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)); got != "2026-05-01T08:00:00+08:00" {
		t.Fatalf("datetime: %s", got)
	}
}
