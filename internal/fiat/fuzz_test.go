package fiat

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// wantOneOf fails t unless err is a *FieldError wrapping one of sentinels.
func wantOneOf(t *testing.T, err error, sentinels ...error) {
	t.Helper()
	var fe *FieldError
	if !errors.As(err, &fe) {
		t.Fatalf("error %v is not a *FieldError", err)
	}
	for _, s := range sentinels {
		if errors.Is(err, s) {
			return
		}
	}
	t.Fatalf("error %v wraps none of %v", err, sentinels)
}

func FuzzParseIBAN(f *testing.F) {
	for _, s := range []string{
		"GB82WEST12345698765432", "de89 3704 0044 0532 0130 00", "DE88370400440532013000",
		"XX89370400440532013000", "DE89-3704", "", "DE00370400440000000042", "MT84MALT011000012345MTLCAST001S",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		iban, err := ParseIBAN(s)
		if err != nil {
			wantOneOf(t, err, ErrIBANCharacters, ErrIBANCountry, ErrIBANLength, ErrIBANChecksum)
			return
		}
		if len(iban) != ibanLengths[iban.Country()] {
			t.Fatalf("ParseIBAN(%q) = %q: wrong length", s, iban)
		}
		if back, err := ParseIBAN(iban.Print()); err != nil || back != iban {
			t.Fatalf("ParseIBAN(Print() %q) = %q, %v; want %q", iban.Print(), back, err, iban)
		}
		if made, err := MakeIBAN(iban.Country(), string(iban[4:])); err != nil || made != iban {
			t.Fatalf("MakeIBAN from %q = %q, %v", iban, made, err)
		}
	})
}

// plainEUR is an independent statement of the accepted amount syntax.
var plainEUR = regexp.MustCompile(`^([0-9]+)(?:\.([0-9]{1,2}))?$`)

// eurOracle parses s with strconv, or reports false if s is not plainEUR
// syntax or overflows.
func eurOracle(s string) (uint64, bool) {
	m := plainEUR.FindStringSubmatch(s)
	if m == nil {
		return 0, false
	}
	v, err := strconv.ParseUint(m[1]+m[2]+strings.Repeat("0", 2-len(m[2])), 10, 64)
	if err != nil {
		return 0, false
	}
	return v, true
}

func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{
		"123.45", "0.5", "0", "1,000.00", "-1", "1.", ".5", "1.001", "184467440737095516.15", "184467440737095516.16",
	} {
		f.Add(s)
	}
	eur := mustCurrency(f, "EUR")
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseAmount(s, eur)
		want, ok := eurOracle(s)
		if (err == nil) != ok || v != want {
			t.Fatalf("ParseAmount(%q) = %d, %v; oracle says %d, %t", s, v, err, want, ok)
		}
		if err != nil {
			wantOneOf(t, err, ErrAmountSyntax, ErrAmountPrecision, ErrAmountOverflow)
			return
		}
		if back, err := ParseAmount(FormatAmount(v, eur), eur); err != nil || back != v {
			t.Fatalf("ParseAmount(FormatAmount(%d)) = %d, %v", v, back, err)
		}
	})
}

func FuzzParseCreditorReference(f *testing.F) {
	for _, s := range []string{
		"RF18539007547034", "RF18 5390 0754 7034", "rf18539007547034", "RF19539007547034",
		"RF71 4580 0000 0000 1234 5678 9", "RF0054", "RF", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ref, err := ParseCreditorReference(s)
		if err != nil {
			wantOneOf(t, err, ErrReferenceFormat, ErrReferenceChecksum)
			return
		}
		if back, err := ParseCreditorReference(ref.Print()); err != nil || back != ref {
			t.Fatalf("ParseCreditorReference(Print() %q) = %q, %v; want %q", ref.Print(), back, err, ref)
		}
		if made, err := NewCreditorReference(string(ref[4:])); err != nil || made != ref {
			t.Fatalf("NewCreditorReference from %q = %q, %v", ref, made, err)
		}
	})
}
