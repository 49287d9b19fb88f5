package guanjia

import (
	"strings"
	"time"
)

// ValidateIDNumber checks an 18-character 居民身份证号 (GB 11643-1999): the
// ISO 7064 MOD 11-2 check character and a plausible birth date, given today.
func ValidateIDNumber(id string, today time.Time) error {
	id = strings.ToUpper(id)
	if len(id) != 18 {
		return FieldError(EINVALID, "id_number", "ID number must have 18 characters")
	}
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := 0; i < 17; i++ {
		c := id[i]
		if c < '0' || c > '9' {
			return FieldError(EINVALID, "id_number", "ID number must be 17 digits and a check character")
		}
		sum += int(c-'0') * weights[i]
	}
	if "10X98765432"[sum%11] != id[17] {
		return FieldError(EINVALID, "id_number", "ID number check character is wrong")
	}
	birth, err := time.Parse("20060102", id[6:14])
	if err != nil || birth.After(today) || birth.Year() < today.Year()-130 {
		return FieldError(EINVALID, "id_number", "ID number has an impossible birth date")
	}
	return nil
}

// creditCodeChars is the alphabet of 统一社会信用代码: digits and letters without I, O, Z, S, V.
const creditCodeChars = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// ValidateCreditCode checks an 18-character 统一社会信用代码 (GB 32100-2015):
// weights 3^(i-1) mod 31, check = 31 − (Σ mod 31), where 31 is written 0.
func ValidateCreditCode(code string) error {
	code = strings.ToUpper(code)
	if len(code) != 18 {
		return FieldError(EINVALID, "credit_code", "统一社会信用代码 must have 18 characters")
	}
	sum, weight := 0, 1
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(creditCodeChars, code[i])
		if v < 0 {
			return FieldError(EINVALID, "credit_code", "统一社会信用代码 has an invalid character %q", code[i])
		}
		sum += v * weight
		weight = weight * 3 % 31
	}
	check := (31 - sum%31) % 31
	if creditCodeChars[check] != code[17] {
		return FieldError(EINVALID, "credit_code", "统一社会信用代码 check character is wrong")
	}
	return nil
}
