package guanjia_test

import (
	"strings"
	"testing"
	"time"

	"guanjia"
)

// The on-site deadline (arrive_within_s) is required of a point-to-point
// category only: 城市管家's half hour applies to no other.
func TestCategoryArriveWithinOnlyForPointToPoint(t *testing.T) {
	base := func(p2p bool, arrive time.Duration) *guanjia.Category {
		return &guanjia.Category{Code: "1101", Name: "暴露垃圾", Department: guanjia.DeptSanitation, PointToPoint: p2p,
			AcceptWithin: 5 * time.Minute, ArriveWithin: arrive, ResolveWithin: 2 * time.Hour, ResolveMode: guanjia.NaturalTime}
	}
	for _, tt := range []struct {
		name   string
		c      *guanjia.Category
		field  string // "" when valid
		format string
	}{
		{"point-to-point, 30 min", base(true, 30*time.Minute), "", ""},
		{"point-to-point, none", base(true, 0), "arrive_within_s", "must be positive"},
		{"point-to-point, negative", base(true, -time.Minute), "arrive_within_s", "must be positive"},
		{"to a unit, none", base(false, 0), "", ""},
		{"to a unit, 2 h kept for later", base(false, 2*time.Hour), "", ""},
		{"to a unit, negative", base(false, -time.Minute), "arrive_within_s", "must not be negative"},
	} {
		err := tt.c.Validate()
		if tt.field == "" {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
			continue
		}
		if guanjia.ErrorCode(err) != guanjia.EINVALID || guanjia.ErrorField(err) != tt.field || guanjia.ErrorMessage(err) != tt.format {
			t.Errorf("%s: %v, want %q on %s", tt.name, err, tt.format, tt.field)
		}
	}
}

// A new category's code goes into URLs: 1 to 32 of [0-9A-Za-z_-].
func TestCheckNewCategoryCode(t *testing.T) {
	for _, code := range []string{"0101", "1101", "9", "A-1_b", strings.Repeat("x", guanjia.MaxCategoryCode)} {
		if err := guanjia.CheckNewCategoryCode(code); err != nil {
			t.Errorf("%q: %v", code, err)
		}
	}
	for _, code := range []string{"", strings.Repeat("x", guanjia.MaxCategoryCode+1), "11 01", "11/01", "11?x", "11.01", "a%20b",
		"井盖", "１１０１", "1101\x00", "1101\n", "../x"} {
		if err := guanjia.CheckNewCategoryCode(code); guanjia.ErrorCode(err) != guanjia.EINVALID || guanjia.ErrorField(err) != "code" {
			t.Errorf("%q: %v, want EINVALID on code", code, err)
		}
	}
}

// A retired category refuses new reports on the field that chose it.
func TestCategoryCheckOffered(t *testing.T) {
	c := &guanjia.Category{Code: "1101", Name: "暴露垃圾"}
	if err := c.CheckOffered("category"); err != nil {
		t.Errorf("an active category: %v", err)
	}
	c.Retired = true
	err := c.CheckOffered("service_code")
	if guanjia.ErrorCode(err) != guanjia.EINVALID || guanjia.ErrorField(err) != "service_code" || !strings.Contains(err.Error(), "1101") {
		t.Errorf("a retired category: %v", err)
	}
}
