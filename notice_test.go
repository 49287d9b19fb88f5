package guanjia_test

import (
	"slices"
	"testing"
	"time"

	"guanjia"
)

func TestNoticeValidate(t *testing.T) {
	from := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	ok := func() guanjia.Notice {
		return guanjia.Notice{Kind: guanjia.NoticeHoliday, Title: "国庆假期办理时间", Body: "12345热线24小时服务",
			ValidFrom: from, ValidUntil: from.AddDate(0, 0, 8)}
	}
	long := func(n int) string { return string(slices.Repeat([]rune{'告'}, n)) }
	tests := []struct {
		name, field string
		edit        func(n *guanjia.Notice)
	}{
		{"valid", "", func(*guanjia.Notice) {}},
		{"unknown kind", "kind", func(n *guanjia.Notice) { n.Kind = "earthquake" }},
		{"blank title", "title", func(n *guanjia.Notice) { n.Title = "  " }},
		{"60-character title", "", func(n *guanjia.Notice) { n.Title = long(60) }},
		{"61-character title", "title", func(n *guanjia.Notice) { n.Title = long(61) }},
		{"no body", "body", func(n *guanjia.Notice) { n.Body = "" }},
		{"no start", "valid_from", func(n *guanjia.Notice) { n.ValidFrom = time.Time{} }},
		{"ends when it starts", "valid_until", func(n *guanjia.Notice) { n.ValidUntil = n.ValidFrom }},
		{"exactly 90 days", "", func(n *guanjia.Notice) { n.ValidUntil = n.ValidFrom.Add(guanjia.MaxNoticeWindow) }},
		{"over 90 days", "valid_until", func(n *guanjia.Notice) { n.ValidUntil = n.ValidFrom.Add(guanjia.MaxNoticeWindow + time.Second) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := ok()
			tt.edit(&n)
			err := n.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if guanjia.ErrorCode(err) != guanjia.EINVALID || guanjia.ErrorField(err) != tt.field {
				t.Fatalf("Validate: %v, want %s on %s", err, guanjia.EINVALID, tt.field)
			}
		})
	}
}
