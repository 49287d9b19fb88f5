package guanjia_test

import (
	"testing"
	"time"

	"guanjia"
)

func TestValidateIDNumber(t *testing.T) {
	today := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		id string
		ok bool
	}{
		{"11010519491231002X", true}, // GB 11643 worked example
		{"460100199001011230", true},
		{"440524188001010014", false}, // GB 11643 example: checksum right, but born 1880
		{"11010519491231002x", true},  // lower-case check character
		{"110105194912310021", false}, // wrong check character
		{"11010519491331002X", false}, // month 13
		{"1101051949123100", false},   // too short
		{"110105209912310010", false}, // checksum right, born in 2099
		{"A1010519491231002X", false},
	}
	for _, tt := range tests {
		err := guanjia.ValidateIDNumber(tt.id, today)
		if (err == nil) != tt.ok {
			t.Errorf("ValidateIDNumber(%q) = %v, want ok=%v", tt.id, err, tt.ok)
		}
		if err != nil && guanjia.ErrorCode(err) != guanjia.EINVALID {
			t.Errorf("ValidateIDNumber(%q) code = %s", tt.id, guanjia.ErrorCode(err))
		}
	}
}

func TestValidateCreditCode(t *testing.T) {
	tests := []struct {
		code string
		ok   bool
	}{
		{"91350100M000100Y43", true}, // GB 32100-2015 worked example
		{"91110000802100433B", true}, // a published code (Bank of China)
		{"91350100M000100Y44", false},
		{"91350100M000100Y4", false},
		{"91350100I000100Y43", false}, // I is not in the alphabet
	}
	for _, tt := range tests {
		err := guanjia.ValidateCreditCode(tt.code)
		if (err == nil) != tt.ok {
			t.Errorf("ValidateCreditCode(%q) = %v, want ok=%v", tt.code, err, tt.ok)
		}
	}
}

func TestMask(t *testing.T) {
	if got := guanjia.MaskPhone("13812345678"); got != "138****5678" {
		t.Errorf("MaskPhone = %q", got)
	}
	if got := guanjia.MaskIDNumber("46010019900101123X"); got != "4601**********123X" {
		t.Errorf("MaskIDNumber = %q", got)
	}
}
