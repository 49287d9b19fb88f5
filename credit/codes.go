package credit

import "strings"

// creditCodeChars is the alphabet of 统一社会信用代码 (GB 32100-2015).
const creditCodeChars = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// CompleteCreditCode appends the GB 32100-2015 check character to the first
// 17 characters of a 统一社会信用代码 (for demo data and tests; validation is
// guanjia.ValidateCreditCode). It returns "" when first17 is not 17 characters
// of the alphabet.
func CompleteCreditCode(first17 string) string {
	if len(first17) != 17 {
		return ""
	}
	sum, weight := 0, 1
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(creditCodeChars, first17[i])
		if v < 0 {
			return ""
		}
		sum += v * weight
		weight = weight * 3 % 31
	}
	return first17 + string(creditCodeChars[(31-sum%31)%31])
}

// CompleteIDNumber appends the GB 11643 (ISO 7064 MOD 11-2) check character
// to the first 17 digits of a resident ID number; "" when they are not 17 digits.
func CompleteIDNumber(first17 string) string {
	if len(first17) != 17 {
		return ""
	}
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := 0; i < 17; i++ {
		c := first17[i]
		if c < '0' || c > '9' {
			return ""
		}
		sum += int(c-'0') * weights[i]
	}
	return first17 + string("10X98765432"[sum%11])
}
