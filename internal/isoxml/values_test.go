package isoxml

import "testing"

func TestDate(t *testing.T) {
	for _, tt := range []struct {
		in, want string
		ok       bool
	}{
		{"2026-11-28", "2026-11-28", true},
		{"2026-11-28Z", "2026-11-28", true},
		{"2026-11-28+01:00", "2026-11-28", true},
		{"2026-11-28-14:00", "2026-11-28", true},
		{"2024-02-29", "2024-02-29", true},
		{"2026-02-29", "", false},
		{"2026-13-01", "", false},
		{"2026-11-28+15:00", "2026-11-28", false},
		{"2026-11-28+01:60", "2026-11-28", false},
		{"2026-11-28 ", "2026-11-28", false},
		{"26-11-28", "", false},
		{"2026/11/28", "", false},
		{"", "", false},
	} {
		got, ok := Date(tt.in)
		if ok != tt.ok || ok && got != tt.want {
			t.Errorf("Date(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestDateTime(t *testing.T) {
	for _, tt := range []struct {
		in string
		ok bool
	}{
		{"2026-11-28T10:15:00", true},
		{"2026-11-28T10:15:00Z", true},
		{"2026-11-28T10:15:00.123456+01:00", true},
		{"2026-11-28T23:59:59", true},
		{"2026-11-28T24:00:00", false},
		{"2026-11-28T10:60:00", false},
		{"2026-11-28T10:15:00.", false},
		{"2026-11-28 10:15:00", false},
		{"2026-11-31T10:15:00", false},
		{"2026-11-28T10:15", false},
	} {
		if _, ok := DateTime(tt.in); ok != tt.ok {
			t.Errorf("DateTime(%q) ok = %v, want %v", tt.in, ok, tt.ok)
		}
	}
}

func TestTrimZeros(t *testing.T) {
	for _, tt := range []struct {
		in     string
		digits int
		want   string
	}{
		{"8.850", 2, "8.85"},
		{"100.00", 0, "100"},
		{"8.851", 2, "8.851"},
		{"8.85", 2, "8.85"},
		{"8", 2, "8"},
		{"1.5000", 3, "1.500"},
	} {
		if got := TrimZeros(tt.in, tt.digits); got != tt.want {
			t.Errorf("TrimZeros(%q, %d) = %q, want %q", tt.in, tt.digits, got, tt.want)
		}
	}
}

func TestCodesAndChars(t *testing.T) {
	for s, want := range map[string]bool{"AC04": true, "RRTN": true, "A": true, "ac04": false, "AC045": false, "": false, "A-1": false} {
		if got := IsCode(s); got != want {
			t.Errorf("IsCode(%q) = %v, want %v", s, got, want)
		}
	}
	for r, want := range map[rune]bool{'a': true, '\t': true, 0x01: false, 0xFFFE: false, 0x10000: true, 0xD800: false} {
		if got := IsChar(r); got != want {
			t.Errorf("IsChar(%U) = %v, want %v", r, got, want)
		}
	}
	if IsDigits("") || IsDigits("12a") || !IsDigits("0123") {
		t.Error("IsDigits is wrong on the empty string, a letter or digits")
	}
	if Text(" \tRF18 539\r\n") != "RF18 539" {
		t.Error("Text does not trim XML white space")
	}
}
