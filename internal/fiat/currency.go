package fiat

import "fmt"

// Currency is an ISO 4217 currency that is legal tender somewhere, with the
// number of digits of its minor unit. The zero Currency is invalid; obtain
// one from ParseCurrency. Currency values are comparable with ==.
type Currency struct {
	code   string
	digits int
}

// ParseCurrency parses a canonical ISO 4217 code: exactly three upper-case
// ASCII letters. Lower case is rejected rather than normalised, because the
// code is stored on the ledger. Codes that are not current legal tender
// (XXX, XTS, precious metals, withdrawn currencies) are rejected. The codes
// and their minor digits are the frozen tables of currencies.go.
func ParseCurrency(s string) (Currency, error) {
	c, err := lookupCurrency(s)
	if err != nil {
		return Currency{}, fieldError("currency", s, err)
	}
	return c, nil
}

func lookupCurrency(s string) (Currency, error) {
	if len(s) != 3 || !all(s, isUpper) {
		return Currency{}, fmt.Errorf("%w: want three upper-case letters A-Z, e.g. \"EUR\"", ErrCurrencyFormat)
	}
	if digits, ok := tenderDigits[s]; ok {
		return Currency{code: s, digits: digits}, nil
	}
	if notTender[s] {
		return Currency{}, ErrCurrencyNotTender
	}
	return Currency{}, ErrCurrency
}

// Code returns the ISO 4217 code, e.g. "EUR".
func (c Currency) Code() string { return c.code }

// String returns the ISO 4217 code, e.g. "EUR".
func (c Currency) String() string { return c.code }

// MinorDigits returns the number of digits of the minor unit, i.e. the
// number of fractional digits of an amount: 2 for EUR, 0 for JPY, 3 for
// KWD. The value is CLDR 32's standard rounding scale, frozen in
// currencies.go, which matches ISO 4217 for the currencies of the IBAN
// countries but differs for a few others (e.g. CLDR gives IQD 0 digits where
// ISO 4217 gives 3).
func (c Currency) MinorDigits() int { return c.digits }

// MinorDigitsByCode returns the frozen table of currencies.go: every code ParseCurrency
// accepts, with the number of digits of its minor unit. The map is the caller's.
func MinorDigitsByCode() map[string]int {
	table := make(map[string]int, len(tenderDigits))
	for code, digits := range tenderDigits {
		table[code] = digits
	}
	return table
}
