package volunteer

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"guanjia"
)

func TestCheckinToken(t *testing.T) {
	now := time.Date(2026, 11, 28, 1, 0, 0, 0, time.UTC)
	s := NewService(nil, nil, guanjia.NoContentCheck{}, ClockFunc(func() time.Time { return now }), "secret").Signups
	other := NewService(nil, nil, guanjia.NoContentCheck{}, ClockFunc(func() time.Time { return now }), "another secret").Signups
	issued := now.Unix()
	good := fmt.Sprintf("%d.%d.%s", 7, issued, s.tokenMAC(7, issued))
	tests := []struct {
		name  string
		token string
		act   int64
		at    time.Time
		code  string
		field string
	}{
		{"fresh", good, 7, now.Add(10 * time.Second), "", ""},
		{"at the end of its life", good, 7, now.Add(30 * time.Second), "", ""},
		{"expired", good, 7, now.Add(31 * time.Second), guanjia.EUNPROCESSABLE, "token"},
		{"from the future", good, 7, now.Add(-10 * time.Second), guanjia.EUNPROCESSABLE, "token"},
		{"another activity's", good, 8, now, guanjia.EINVALID, "token"},
		{"forged activity", strings.Replace(good, "7.", "8.", 1), 8, now, guanjia.EINVALID, "token"},
		{"forged time", fmt.Sprintf("%d.%d.%s", 7, issued+60, s.tokenMAC(7, issued)), 7, now.Add(60 * time.Second), guanjia.EINVALID, "token"},
		{"signed with another key", fmt.Sprintf("%d.%d.%s", 7, issued, other.tokenMAC(7, issued)), 7, now, guanjia.EINVALID, "token"},
		{"garbage", "hello", 7, now, guanjia.EINVALID, "token"},
		{"empty", "", 7, now, guanjia.EINVALID, "token"},
	}
	for _, tt := range tests {
		err := s.verifyToken(tt.token, tt.act, tt.at)
		if guanjia.ErrorCode(err) != tt.code || guanjia.ErrorField(err) != tt.field {
			t.Errorf("%s: err = %v, want code %q field %q", tt.name, err, tt.code, tt.field)
		}
	}
}
