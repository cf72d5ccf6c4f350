package fiat

import (
	"strings"
	"testing"
)

func TestNewCreditorReference(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"539007547034", "RF18539007547034"},
		{"458000000000123456789", "RF06458000000000123456789"},
		{"54", "RF9854"},
		{"abc123", "RF47ABC123"},
		{"0", "RF040"},
		{"Z", "RF29Z"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := NewCreditorReference(tt.in)
			if err != nil {
				t.Fatalf("NewCreditorReference(%q): %v", tt.in, err)
			}
			if got != CreditorReference(tt.want) {
				t.Errorf("NewCreditorReference(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if back, err := ParseCreditorReference(got.Print()); err != nil || back != got {
				t.Errorf("ParseCreditorReference(%q) = %q, %v", got.Print(), back, err)
			}
		})
	}
}

func TestNewCreditorReferenceErrors(t *testing.T) {
	tests := []struct {
		name, in string
	}{
		{"empty", ""},
		{"22 characters", strings.Repeat("1", 22)},
		{"space", "5390 0754 7034"},
		{"dash", "5390-0754"},
		{"non-ASCII", "539007547034\u00e9"},
		{"invalid utf-8", "5390\xff"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NewCreditorReference(tt.in)
			if got != "" {
				t.Errorf("NewCreditorReference(%q) = %q, want empty", tt.in, got)
			}
			wantFieldError(t, err, "reference", tt.in, ErrReferenceFormat)
		})
	}
}

func TestNewCreditorReferenceMaxLength(t *testing.T) {
	ref := strings.Repeat("Z", maxReferenceBody)
	got, err := NewCreditorReference(ref)
	if err != nil || len(got) != 25 || !strings.HasSuffix(string(got), ref) {
		t.Errorf("NewCreditorReference(%q) = %q, %v", ref, got, err)
	}
}

func TestParseCreditorReference(t *testing.T) {
	tests := []struct {
		in, want, print string
	}{
		{"RF18539007547034", "RF18539007547034", "RF18 5390 0754 7034"},
		{"RF18 5390 0754 7034", "RF18539007547034", "RF18 5390 0754 7034"},
		{"rf18 5390 0754 7034", "RF18539007547034", "RF18 5390 0754 7034"},
		{"RF06 4580 0000 0000 1234 5678 9", "RF06458000000000123456789", "RF06 4580 0000 0000 1234 5678 9"},
		{"RF9854", "RF9854", "RF98 54"},
		{"RF040", "RF040", "RF04 0"},
		{"rf47abc123", "RF47ABC123", "RF47 ABC1 23"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseCreditorReference(tt.in)
			if err != nil {
				t.Fatalf("ParseCreditorReference(%q): %v", tt.in, err)
			}
			if got != CreditorReference(tt.want) || got.String() != tt.want {
				t.Errorf("ParseCreditorReference(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if p := got.Print(); p != tt.print {
				t.Errorf("Print() = %q, want %q", p, tt.print)
			}
		})
	}
}

func TestParseCreditorReferenceErrors(t *testing.T) {
	tests := []struct {
		name, in string
		want     error
	}{
		{"bad checksum", "RF19539007547034", ErrReferenceChecksum},
		{"RF71 example does not verify (RF06 does)", "RF71 4580 0000 0000 1234 5678 9", ErrReferenceChecksum},
		{"check digits 00 pass mod 97 but are out of range", "RF0054", ErrReferenceChecksum},
		{"check digits 01 pass mod 97 but are out of range", "RF0154", ErrReferenceChecksum},
		{"check digits 99", "RF99539007547034", ErrReferenceChecksum},
		{"transposed", "RF18539007547043", ErrReferenceChecksum},
		{"empty", "", ErrReferenceFormat},
		{"prefix only", "RF", ErrReferenceFormat},
		{"no reference", "RF18", ErrReferenceFormat},
		{"26 characters", "RF00" + strings.Repeat("1", 22), ErrReferenceFormat},
		{"wrong prefix", "XX18539007547034", ErrReferenceFormat},
		{"IBAN is not a reference", "BE68539007547034", ErrReferenceFormat},
		{"letter check digits", "RFAB539007547034", ErrReferenceFormat},
		{"dash", "RF18-5390-0754-7034", ErrReferenceFormat},
		{"tab", "RF18\t539007547034", ErrReferenceFormat},
		{"non-ASCII", "RF18539007547034\u00e9", ErrReferenceFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseCreditorReference(tt.in)
			if got != "" {
				t.Errorf("ParseCreditorReference(%q) = %q, want empty", tt.in, got)
			}
			wantFieldError(t, err, "reference", tt.in, tt.want)
		})
	}
}
