package fiat

import "fmt"

// mod97 returns the ISO 7064 MOD 97-10 remainder of s, which must hold only
// A-Z and 0-9; each letter stands for the two digits 10 (A) to 35 (Z). The
// remainder is computed digit by digit, so s may be of any length.
func mod97(s string) int {
	r := 0
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' {
			r = (r*100 + int(c-'A'+10)) % 97
		} else {
			r = (r*10 + int(c-'0')) % 97
		}
	}
	return r
}

// checkDigits computes the two check digits for body under the given
// two-letter prefix (an IBAN country code or "RF"), as used by both
// ISO 13616 and ISO 11649. The result is always in 02..98.
func checkDigits(body, prefix string) string {
	return fmt.Sprintf("%02d", 98-mod97(body+prefix+"00"))
}

// verifyMod97 checks an electronic form whose characters 2..3 are digits:
// the check digits must lie in 02..98 and the rearranged string (first four
// characters moved to the end) must have remainder 1.
func verifyMod97(s string, bad error) error {
	if cd := s[2:4]; cd < "02" || cd > "98" {
		return fmt.Errorf("%w: check digits %s outside 02..98", bad, cd)
	}
	if r := mod97(s[4:] + s[:4]); r != 1 {
		return fmt.Errorf("%w: mod 97 is %d, want 1", bad, r)
	}
	return nil
}
