package fiat

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"golang.org/x/text/currency"
)

func TestParseCurrency(t *testing.T) {
	tests := []struct {
		code   string
		digits int
	}{
		{"EUR", 2},
		{"JPY", 0},
		{"KWD", 3},
		{"BHD", 3},
		{"CHF", 2},
		{"GBP", 2},
		{"USD", 2},
		{"SEK", 2},
		{"ISK", 0},
		{"XOF", 0},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			c, err := ParseCurrency(tt.code)
			if err != nil {
				t.Fatalf("ParseCurrency(%q): %v", tt.code, err)
			}
			if c.Code() != tt.code || c.String() != tt.code || c.MinorDigits() != tt.digits {
				t.Errorf("ParseCurrency(%q) = %s/%d, want %s/%d", tt.code, c.Code(), c.MinorDigits(), tt.code, tt.digits)
			}
		})
	}
}

func TestParseCurrencyErrors(t *testing.T) {
	tests := []struct {
		name, in string
		want     error
	}{
		{"lower case", "eur", ErrCurrencyFormat},
		{"mixed case", "Eur", ErrCurrencyFormat},
		{"two letters", "EU", ErrCurrencyFormat},
		{"four letters", "EURO", ErrCurrencyFormat},
		{"empty", "", ErrCurrencyFormat},
		{"digit", "E1R", ErrCurrencyFormat},
		{"numeric code", "978", ErrCurrencyFormat},
		{"space", "EUR ", ErrCurrencyFormat},
		{"full-width letter", "\uff25UR", ErrCurrencyFormat},
		{"unknown", "XYZ", ErrCurrency},
		{"unknown AAA", "AAA", ErrCurrency},
		{"no currency", "XXX", ErrCurrencyNotTender},
		{"testing", "XTS", ErrCurrencyNotTender},
		{"gold", "XAU", ErrCurrencyNotTender},
		{"special drawing right", "XDR", ErrCurrencyNotTender},
		{"withdrawn", "DEM", ErrCurrencyNotTender},
		{"fund code", "CLF", ErrCurrencyNotTender},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseCurrency(tt.in)
			if got != (Currency{}) {
				t.Errorf("ParseCurrency(%q) = %v, want zero", tt.in, got)
			}
			wantFieldError(t, err, "currency", tt.in, tt.want)
		})
	}
}

var update = flag.Bool("update", false, "rewrite golden files")

// currenciesGolden is the frozen currency tables as text, one known ISO 4217 code a
// line in code order, with its minor digits or "not_tender".
const currenciesGolden = "testdata/currencies.golden"

// forEachCode calls fn with every string of three upper-case letters, in order: all
// that passes ParseCurrency's syntax check.
func forEachCode(fn func(code string)) {
	for a := byte('A'); a <= 'Z'; a++ {
		for b := byte('A'); b <= 'Z'; b++ {
			for c := byte('A'); c <= 'Z'; c++ {
				fn(string([]byte{a, b, c}))
			}
		}
	}
}

// frozenText is the frozen tables in the golden file's format.
func frozenText() string {
	var sb strings.Builder
	forEachCode(func(code string) {
		if digits, ok := tenderDigits[code]; ok {
			fmt.Fprintf(&sb, "%s %d\n", code, digits)
		} else if notTender[code] {
			fmt.Fprintf(&sb, "%s not_tender\n", code)
		}
	})
	return sb.String()
}

// TestFrozenCurrencies holds the tables to the golden file, so that an edit of them is
// seen in review as the consensus change it is, and checks what the tables promise.
func TestFrozenCurrencies(t *testing.T) {
	got := frozenText()
	if *update {
		if err := os.WriteFile(currenciesGolden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(currenciesGolden)
	if err != nil {
		t.Fatalf("read golden file (create it with -update): %v", err)
	}
	if got != string(want) {
		t.Fatalf("the currency tables differ from %s: this is a consensus-breaking change (nodes would disagree on "+
			"which transactions are valid); if it is intended, rerun with -update and say so in the commit", currenciesGolden)
	}
	if len(tenderDigits) < 100 {
		t.Errorf("only %d tender currencies", len(tenderDigits))
	}
	for code, digits := range tenderDigits {
		if notTender[code] {
			t.Errorf("%s is both tender and not", code)
		}
		if digits < 0 || digits > 4 {
			t.Errorf("%s: %d minor digits", code, digits)
		}
	}
}

// TestParseCurrencyAcceptsExactlyTheFrozenList tries every code of the right syntax:
// the tender ones parse with their digits, the others known to ISO 4217 are refused as
// not tender, and the rest as unknown.
func TestParseCurrencyAcceptsExactlyTheFrozenList(t *testing.T) {
	accepted := 0
	forEachCode(func(code string) {
		c, err := ParseCurrency(code)
		digits, tender := tenderDigits[code]
		switch {
		case tender:
			accepted++
			if err != nil || c.Code() != code || c.MinorDigits() != digits {
				t.Errorf("ParseCurrency(%q) = %s/%d, %v; want %s/%d", code, c.Code(), c.MinorDigits(), err, code, digits)
			}
		case notTender[code]:
			if !errors.Is(err, ErrCurrencyNotTender) {
				t.Errorf("ParseCurrency(%q): error %v, want %v", code, err, ErrCurrencyNotTender)
			}
		default:
			if !errors.Is(err, ErrCurrency) {
				t.Errorf("ParseCurrency(%q): error %v, want %v", code, err, ErrCurrency)
			}
		}
	})
	if accepted != len(tenderDigits) {
		t.Errorf("ParseCurrency accepts %d codes, the table has %d", accepted, len(tenderDigits))
	}
}

// TestCurrencyDrift lists how the frozen tables differ from CLDR as the x/text in
// go.mod carries it: tender codes added or withdrawn, minor digits changed, codes
// known or forgotten, rounding increments that are not whole minor units. It never
// fails: whether chipmint follows such a change is a person's decision, and a
// consensus change (docs/decisions/0013-frozen-currency-list.md). Run it with -v to
// read the list.
func TestCurrencyDrift(t *testing.T) {
	cldr := make(map[string]bool)
	for q := currency.Query(); q.Next(); {
		cldr[q.Unit().String()] = true
	}
	drift := 0
	report := func(format string, args ...any) {
		drift++
		t.Logf(format, args...)
	}
	forEachCode(func(code string) {
		_, tender := tenderDigits[code]
		u, err := currency.ParseISO(code)
		known := err == nil
		switch {
		case known != (tender || notTender[code]):
			report("%s: known to CLDR %t, to the frozen tables %t", code, known, tender || notTender[code])
		case cldr[code] != tender:
			report("%s: legal tender in CLDR %t, in the frozen tables %t", code, cldr[code], tender)
		case tender:
			scale, inc := currency.Standard.Rounding(u)
			if scale != tenderDigits[code] {
				report("%s: %d minor digits in CLDR, %d in the frozen tables", code, scale, tenderDigits[code])
			}
			if inc != 1 {
				report("%s: CLDR rounds to %d minor units", code, inc)
			}
		}
	})
	t.Logf("CLDR %s (golang.org/x/text): %d differences from the frozen currency tables", currency.CLDRVersion, drift)
}

func TestCurrencyZeroValue(t *testing.T) {
	var c Currency
	if c.Code() != "" || c.String() != "" || c.MinorDigits() != 0 {
		t.Errorf("zero Currency: %q/%d, want empty/0", c.Code(), c.MinorDigits())
	}
}
