package fiat

import (
	"fmt"
	"math/bits"
	"strconv"
	"strings"
)

// ParseAmount parses a plain decimal amount of currency c and returns it in
// minor units: "123.45" EUR is 12345, "5" EUR is 500, "100" JPY is 100.
//
// The syntax is strict: one or more digits, optionally followed by a point
// and one or more digits, and at most c.MinorDigits() of them. Signs,
// exponents, thousands separators, spaces and a bare leading or trailing
// point are rejected. Zero is accepted; callers decide whether it is valid.
func ParseAmount(s string, c Currency) (uint64, error) {
	if c.code == "" {
		return 0, fieldError("currency", "", fmt.Errorf("%w: zero Currency", ErrCurrency))
	}
	v, err := parseScaled(s, c.digits)
	if err != nil {
		return 0, fieldError("amount", s, fmt.Errorf("%w (%s)", err, c.code))
	}
	return v, nil
}

// ParseDecimal parses a plain decimal with at most digits fractional digits into an
// integer scaled by 10^digits, with the syntax of ParseAmount. Chips, which have their
// own fixed decimals rather than a currency, are parsed with it.
func ParseDecimal(s string, digits int) (uint64, error) {
	v, err := parseScaled(s, digits)
	if err != nil {
		return 0, fieldError("amount", s, err)
	}
	return v, nil
}

func parseScaled(s string, digits int) (uint64, error) {
	whole, frac, point := strings.Cut(s, ".")
	if !all(whole, isDigit) || point && !all(frac, isDigit) {
		return 0, fmt.Errorf("%w: want digits with an optional point and fraction, e.g. \"123.45\"", ErrAmountSyntax)
	}
	if len(frac) > digits {
		return 0, fmt.Errorf("%w: %d fractional digits, at most %d allowed", ErrAmountPrecision, len(frac), digits)
	}
	v, ok := decimal(whole + frac + strings.Repeat("0", digits-len(frac)))
	if !ok {
		return 0, ErrAmountOverflow
	}
	return v, nil
}

// decimal converts a string of ASCII digits to a uint64, reporting false on
// overflow.
func decimal(digits string) (uint64, bool) {
	var v uint64
	for i := 0; i < len(digits); i++ {
		hi, lo := bits.Mul64(v, 10)
		sum, carry := bits.Add64(lo, uint64(digits[i]-'0'), 0)
		if hi != 0 || carry != 0 {
			return 0, false
		}
		v = sum
	}
	return v, true
}

// FormatAmount formats minor units of currency c as a plain decimal with
// exactly c.MinorDigits() fractional digits: 12345 EUR is "123.45", 5 EUR
// is "0.05", 100 JPY is "100". ParseAmount accepts every result.
func FormatAmount(minor uint64, c Currency) string { return FormatDecimal(minor, c.digits) }

// FormatDecimal formats v scaled by 10^digits with exactly digits fractional digits.
func FormatDecimal(v uint64, digits int) string {
	s := strconv.FormatUint(v, 10)
	if digits == 0 {
		return s
	}
	if len(s) <= digits {
		s = strings.Repeat("0", digits-len(s)+1) + s
	}
	return s[:len(s)-digits] + "." + s[len(s)-digits:]
}
