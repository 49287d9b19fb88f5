package guanjia_test

import (
	"strings"
	"testing"
	"time"

	"guanjia"
	"guanjia/credit"
)

// FuzzValidateIDNumber: never a panic; a number that passes has 17 digits
// and the right check character, and changing any one of its first 17
// digits makes it fail (MOD 11-2 catches every single-digit error); any 17
// digits completed with their check character pass the checksum.
func FuzzValidateIDNumber(f *testing.F) {
	for _, s := range []string{"11010519491231002X", "11010519491231002x", "110105194912310021", "46010619880808123" + "0",
		credit.CompleteIDNumber("46010619880808123"), "", "X", "11010519491231002", "110105194912310020X",
		"1101051949123100２X", "ıııııııııııııııııı", "11010520261231002X"} {
		f.Add(s)
	}
	today := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		err := guanjia.ValidateIDNumber(s, today)
		if err == nil {
			id := strings.ToUpper(s)
			if len(id) != 18 || credit.CompleteIDNumber(id[:17]) != id {
				t.Fatalf("%q passed but its check character is not %q", s, credit.CompleteIDNumber(id[:17]))
			}
			for i := range 17 {
				for d := byte('0'); d <= '9'; d++ {
					if d == id[i] {
						continue
					}
					changed := id[:i] + string(d) + id[i+1:]
					if guanjia.ValidateIDNumber(changed, today) == nil {
						t.Fatalf("%q passed with digit %d changed (%q)", s, i+1, changed)
					}
				}
			}
		} else if guanjia.ErrorCode(err) != guanjia.EINVALID || guanjia.ErrorField(err) != "id_number" {
			t.Fatalf("%q: %v, want an invalid id_number", s, err)
		}
		// Any 17 digits made from the input, completed, pass the checksum.
		digits := []byte(strings.Repeat("0", 17))
		for i := 0; i < len(s) && i < 17; i++ {
			digits[i] = '0' + s[i]%10
		}
		full := credit.CompleteIDNumber(string(digits))
		if err := guanjia.ValidateIDNumber(full, today); err != nil && guanjia.ErrorMessage(err) != "ID number has an impossible birth date" {
			t.Fatalf("%q, completed, fails: %v", full, err)
		}
	})
}

// FuzzValidateCreditCode: the same for 统一社会信用代码 (GB 32100-2015),
// whose MOD 31 check catches every change of one character.
func FuzzValidateCreditCode(f *testing.F) {
	for _, s := range []string{"91350100M000100Y43", "91350100m000100y43", "91350100M000100Y44", "", "91350100M000100Y4",
		"91350100M000100Y43X", "9135010OM000100Y43", "91350100M000100YI3", "00000000000000000" + "0", "統一社會信用代碼"} {
		f.Add(s)
	}
	const alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	f.Fuzz(func(t *testing.T, s string) {
		err := guanjia.ValidateCreditCode(s)
		if err == nil {
			code := strings.ToUpper(s)
			if len(code) != 18 || credit.CompleteCreditCode(code[:17]) != code {
				t.Fatalf("%q passed but its check character is not that of %q", s, credit.CompleteCreditCode(code[:17]))
			}
			for i := range 17 {
				for _, c := range []byte(alphabet) {
					if c == code[i] {
						continue
					}
					changed := code[:i] + string(c) + code[i+1:]
					if guanjia.ValidateCreditCode(changed) == nil {
						t.Fatalf("%q passed with character %d changed (%q)", s, i+1, changed)
					}
				}
			}
		} else if guanjia.ErrorCode(err) != guanjia.EINVALID || guanjia.ErrorField(err) != "credit_code" {
			t.Fatalf("%q: %v, want an invalid credit_code", s, err)
		}
		first := []byte(strings.Repeat("0", 17))
		for i := 0; i < len(s) && i < 17; i++ {
			first[i] = alphabet[int(s[i])%len(alphabet)]
		}
		if full := credit.CompleteCreditCode(string(first)); guanjia.ValidateCreditCode(full) != nil {
			t.Fatalf("%q, completed, fails: %v", full, guanjia.ValidateCreditCode(full))
		}
	})
}
