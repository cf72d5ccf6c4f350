package fiat

import (
	"fmt"
	"strings"
)

// upperAlnum returns s with ASCII letters upper-cased, or an error wrapping
// bad if s contains anything but ASCII letters and digits. Non-ASCII letters
// are rejected rather than case-mapped, so "ſ" never becomes "S".
func upperAlnum(s string, bad error) (string, error) {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case 'a' <= r && r <= 'z':
			b.WriteByte(byte(r - 'a' + 'A'))
		case 'A' <= r && r <= 'Z', '0' <= r && r <= '9':
			b.WriteByte(byte(r))
		default:
			return "", fmt.Errorf("%w: character %q", bad, r)
		}
	}
	return b.String(), nil
}

// electronic converts the print form (groups separated by spaces, any case)
// of an IBAN or creditor reference to the electronic form. Only the space
// character is stripped.
func electronic(s string, bad error) (string, error) {
	return upperAlnum(strings.ReplaceAll(s, " ", ""), bad)
}

// printForm splits an electronic form into space-separated groups of four.
func printForm(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i += 4 {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s[i:min(i+4, len(s))])
	}
	return b.String()
}

// all reports whether s is non-empty and every byte satisfies ok.
func all(s string, ok func(byte) bool) bool {
	for i := 0; i < len(s); i++ {
		if !ok(s[i]) {
			return false
		}
	}
	return len(s) > 0
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isUpper(c byte) bool { return 'A' <= c && c <= 'Z' }
