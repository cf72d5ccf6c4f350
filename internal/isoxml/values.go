package isoxml

import (
	"strings"
	"time"
)

// space is XML's white space.
const space = " \t\r\n"

// Text returns the value of an element without leading and trailing white space:
// amounts, codes and dates collapse it by definition (XML Schema), and a reference
// that a bank pads with a space must still match the one the payer typed.
func Text(s string) string { return strings.Trim(s, space) }

// IsChar reports whether r is a Char of XML 1.0.
func IsChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

// IsDigits reports whether s is non-empty and all ASCII digits.
func IsDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// TrimZeros drops the zeros of a decimal's fraction beyond digits, and the point when
// nothing is left after it: "8.850" is "8.85" for two digits, "100.00" is "100" for
// none. ISO 20022's decimal types allow such zeros; any other digit beyond digits is
// kept, for the amount's parser to refuse.
func TrimZeros(s string, digits int) string {
	whole, frac, ok := strings.Cut(s, ".")
	if !ok || len(frac) <= digits || strings.Trim(frac[digits:], "0") != "" {
		return s
	}
	if digits == 0 {
		return whole
	}
	return whole + "." + frac[:digits]
}

// Date checks an xs:date, YYYY-MM-DD with an optional time zone, and returns its
// YYYY-MM-DD part.
func Date(s string) (string, bool) {
	if len(s) < 10 || !digitsAt(s, 0, 4) || s[4] != '-' || !digitsAt(s, 5, 2) || s[7] != '-' || !digitsAt(s, 8, 2) {
		return "", false
	}
	if _, err := time.Parse(time.DateOnly, s[:10]); err != nil {
		return "", false
	}
	return s[:10], zone(s[10:])
}

// DateTime checks an xs:dateTime, YYYY-MM-DDThh:mm:ss with optional fractional
// seconds and time zone, and returns its YYYY-MM-DD part.
func DateTime(s string) (string, bool) {
	if len(s) < 19 || s[10] != 'T' || s[13] != ':' || s[16] != ':' || !digitsAt(s, 11, 2) || !digitsAt(s, 14, 2) || !digitsAt(s, 17, 2) {
		return "", false
	}
	if s[11:13] > "23" || s[14:16] > "59" || s[17:19] > "59" {
		return "", false
	}
	d, ok := Date(s[:10])
	if !ok {
		return "", false
	}
	rest := s[19:]
	if strings.HasPrefix(rest, ".") {
		n := 1
		for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
			n++
		}
		if n == 1 {
			return "", false
		}
		rest = rest[n:]
	}
	return d, zone(rest)
}

// zone checks an optional time zone suffix: "", "Z" or ±hh:mm.
func zone(z string) bool {
	switch {
	case z == "" || z == "Z":
		return true
	case len(z) != 6 || z[0] != '+' && z[0] != '-' || z[3] != ':' || !digitsAt(z, 1, 2) || !digitsAt(z, 4, 2):
		return false
	}
	return z[1:3] <= "14" && z[4:6] <= "59"
}

// digitsAt reports whether s[i:i+n] is n ASCII digits.
func digitsAt(s string, i, n int) bool {
	return i+n <= len(s) && IsDigits(s[i:i+n])
}

// IsCode reports whether s has the shape of an ISO 20022 external code as the writers
// write one (Cd) rather than as proprietary text (Prtry): one to four upper-case ASCII
// letters and digits.
func IsCode(s string) bool {
	if s == "" || len(s) > 4 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if (s[i] < 'A' || s[i] > 'Z') && (s[i] < '0' || s[i] > '9') {
			return false
		}
	}
	return true
}

// Set returns the set of keys, such as the local names or parent/child pairs of a
// Format.
func Set(keys ...string) map[string]bool {
	m := make(map[string]bool, len(keys))
	for _, k := range keys {
		m[k] = true
	}
	return m
}
