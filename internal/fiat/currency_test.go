package fiat

import (
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

// TestRoundingData pins down the x/text behaviour the package relies on:
// Standard.Rounding's scale is the number of fractional digits, and its
// increment is 1 for every tender currency, so minor units are exact.
func TestRoundingData(t *testing.T) {
	for _, tt := range []struct {
		code  string
		scale int
	}{{"JPY", 0}, {"KWD", 3}, {"EUR", 2}} {
		scale, inc := currency.Standard.Rounding(currency.MustParseISO(tt.code))
		if scale != tt.scale || inc != 1 {
			t.Errorf("Rounding(%s) = %d, %d; want %d, 1", tt.code, scale, inc, tt.scale)
		}
	}
	if len(tender) < 100 {
		t.Fatalf("only %d tender currencies", len(tender))
	}
	for code := range tender {
		c, err := ParseCurrency(code)
		if err != nil {
			t.Errorf("ParseCurrency(%q): %v", code, err)
			continue
		}
		if _, inc := currency.Standard.Rounding(currency.MustParseISO(code)); inc != 1 {
			t.Errorf("%s: rounding increment %d, want 1", code, inc)
		}
		if d := c.MinorDigits(); d < 0 || d > 4 {
			t.Errorf("%s: %d minor digits", code, d)
		}
	}
}

func TestCurrencyZeroValue(t *testing.T) {
	var c Currency
	if c.Code() != "" || c.String() != "" || c.MinorDigits() != 0 {
		t.Errorf("zero Currency: %q/%d, want empty/0", c.Code(), c.MinorDigits())
	}
}
