package fiat

import (
	"math"
	"testing"
)

func mustCurrency(t testing.TB, code string) Currency {
	t.Helper()
	c, err := ParseCurrency(code)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestParseAmount(t *testing.T) {
	tests := []struct {
		in, code string
		want     uint64
	}{
		{"123.45", "EUR", 12345},
		{"0.5", "EUR", 50},
		{"100", "EUR", 10000},
		{"5", "EUR", 500},
		{"0", "EUR", 0},
		{"0.00", "EUR", 0},
		{"0.01", "EUR", 1},
		{"007.50", "EUR", 750},
		{"100", "JPY", 100},
		{"0", "JPY", 0},
		{"1.234", "KWD", 1234},
		{"0.001", "KWD", 1},
		{"1.2", "BHD", 1200},
		{"184467440737095516.15", "EUR", math.MaxUint64},
		{"18446744073709551615", "JPY", math.MaxUint64},
		{"18446744073709551.615", "KWD", math.MaxUint64},
		{"00000000000000000000000000001", "JPY", 1},
	}
	for _, tt := range tests {
		t.Run(tt.code+" "+tt.in, func(t *testing.T) {
			got, err := ParseAmount(tt.in, mustCurrency(t, tt.code))
			if err != nil {
				t.Fatalf("ParseAmount(%q, %s): %v", tt.in, tt.code, err)
			}
			if got != tt.want {
				t.Errorf("ParseAmount(%q, %s) = %d, want %d", tt.in, tt.code, got, tt.want)
			}
		})
	}
}

func TestParseAmountErrors(t *testing.T) {
	tests := []struct {
		in, code string
		want     error
	}{
		{"1,000.00", "EUR", ErrAmountSyntax},
		{"1 000.00", "EUR", ErrAmountSyntax},
		{"1_000", "EUR", ErrAmountSyntax},
		{"1'000", "EUR", ErrAmountSyntax},
		{"1,5", "EUR", ErrAmountSyntax},
		{"-1", "EUR", ErrAmountSyntax},
		{"+1", "EUR", ErrAmountSyntax},
		{"-0", "EUR", ErrAmountSyntax},
		{"1e3", "EUR", ErrAmountSyntax},
		{"1E3", "EUR", ErrAmountSyntax},
		{"1.5e1", "EUR", ErrAmountSyntax},
		{"0x10", "EUR", ErrAmountSyntax},
		{" 1", "EUR", ErrAmountSyntax},
		{"1 ", "EUR", ErrAmountSyntax},
		{"1\n", "EUR", ErrAmountSyntax},
		{"", "EUR", ErrAmountSyntax},
		{".", "EUR", ErrAmountSyntax},
		{"1.", "EUR", ErrAmountSyntax},
		{".5", "EUR", ErrAmountSyntax},
		{"1..0", "EUR", ErrAmountSyntax},
		{"1.2.3", "EUR", ErrAmountSyntax},
		{"NaN", "EUR", ErrAmountSyntax},
		{"Inf", "EUR", ErrAmountSyntax},
		{"EUR 1", "EUR", ErrAmountSyntax},
		{"1€", "EUR", ErrAmountSyntax},
		{"\u0661", "EUR", ErrAmountSyntax},
		{"\uff11", "EUR", ErrAmountSyntax},
		{"1.\xff", "EUR", ErrAmountSyntax},
		{"1.001", "EUR", ErrAmountPrecision},
		{"1.000", "EUR", ErrAmountPrecision},
		{"0.005", "EUR", ErrAmountPrecision},
		{"100.5", "JPY", ErrAmountPrecision},
		{"100.0", "JPY", ErrAmountPrecision},
		{"1.2345", "KWD", ErrAmountPrecision},
		{"184467440737095516.16", "EUR", ErrAmountOverflow},
		{"184467440737095517", "EUR", ErrAmountOverflow},
		{"18446744073709551616", "JPY", ErrAmountOverflow},
		{"18446744073709551.616", "KWD", ErrAmountOverflow},
		{"99999999999999999999999999", "JPY", ErrAmountOverflow},
		{"100000000000000000000", "JPY", ErrAmountOverflow},
	}
	for _, tt := range tests {
		t.Run(tt.code+" "+tt.in, func(t *testing.T) {
			got, err := ParseAmount(tt.in, mustCurrency(t, tt.code))
			if got != 0 {
				t.Errorf("ParseAmount(%q) = %d, want 0", tt.in, got)
			}
			wantFieldError(t, err, "amount", tt.in, tt.want)
		})
	}
}

func TestParseAmountZeroCurrency(t *testing.T) {
	got, err := ParseAmount("1.00", Currency{})
	if got != 0 {
		t.Errorf("ParseAmount = %d, want 0", got)
	}
	wantFieldError(t, err, "currency", "", ErrCurrency)
}

func TestFormatAmount(t *testing.T) {
	tests := []struct {
		minor uint64
		code  string
		want  string
	}{
		{12345, "EUR", "123.45"},
		{100, "EUR", "1.00"},
		{5, "EUR", "0.05"},
		{50, "EUR", "0.50"},
		{0, "EUR", "0.00"},
		{100, "JPY", "100"},
		{0, "JPY", "0"},
		{1, "KWD", "0.001"},
		{1234, "KWD", "1.234"},
		{math.MaxUint64, "EUR", "184467440737095516.15"},
		{math.MaxUint64, "JPY", "18446744073709551615"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := FormatAmount(tt.minor, mustCurrency(t, tt.code)); got != tt.want {
				t.Errorf("FormatAmount(%d, %s) = %q, want %q", tt.minor, tt.code, got, tt.want)
			}
		})
	}
}

func TestAmountRoundTrip(t *testing.T) {
	canonical := map[string][]string{
		"EUR": {"123.45", "1.00", "0.05", "0.00", "184467440737095516.15"},
		"JPY": {"100", "0", "18446744073709551615"},
		"KWD": {"1.234", "0.001", "0.000"},
	}
	for code, ins := range canonical {
		c := mustCurrency(t, code)
		for _, in := range ins {
			v, err := ParseAmount(in, c)
			if got := FormatAmount(v, c); err != nil || got != in {
				t.Errorf("FormatAmount(ParseAmount(%q, %s)) = %q, %v", in, code, got, err)
			}
		}
	}
	edges := []uint64{0, 1, 9, 10, 99, 100, 101, 999, 1000, math.MaxUint32, math.MaxUint64 - 1, math.MaxUint64}
	for _, code := range []string{"EUR", "JPY", "KWD"} {
		c := mustCurrency(t, code)
		for _, v := range edges {
			got, err := ParseAmount(FormatAmount(v, c), c)
			if err != nil || got != v {
				t.Errorf("ParseAmount(FormatAmount(%d, %s)) = %d, %v", v, code, got, err)
			}
		}
	}
}
