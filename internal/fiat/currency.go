package fiat

import (
	"fmt"

	"golang.org/x/text/currency"
)

// Currency is an ISO 4217 currency that is legal tender somewhere, with the
// number of digits of its minor unit. The zero Currency is invalid; obtain
// one from ParseCurrency. Currency values are comparable with ==.
type Currency struct {
	code   string
	digits int
}

// tender holds the codes that CLDR (via golang.org/x/text) lists as current
// legal tender in at least one region. It excludes codes such as XXX (no
// currency), XTS (testing), XAU (gold), fund codes and withdrawn currencies.
var tender = tenderCodes()

func tenderCodes() map[string]bool {
	m := make(map[string]bool)
	for q := currency.Query(); q.Next(); {
		m[q.Unit().String()] = true
	}
	return m
}

// ParseCurrency parses a canonical ISO 4217 code: exactly three upper-case
// ASCII letters. Lower case is rejected rather than normalised, because the
// code is stored on the ledger. Codes that are not current legal tender
// (XXX, XTS, precious metals, withdrawn currencies) are rejected.
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
	u, err := currency.ParseISO(s)
	if err != nil {
		return Currency{}, ErrCurrency
	}
	if !tender[s] {
		return Currency{}, ErrCurrencyNotTender
	}
	scale, _ := currency.Standard.Rounding(u)
	return Currency{code: s, digits: scale}, nil
}

// Code returns the ISO 4217 code, e.g. "EUR".
func (c Currency) Code() string { return c.code }

// String returns the ISO 4217 code, e.g. "EUR".
func (c Currency) String() string { return c.code }

// MinorDigits returns the number of digits of the minor unit, i.e. the
// number of fractional digits of an amount: 2 for EUR, 0 for JPY, 3 for
// KWD. The value is CLDR's standard rounding scale, which matches ISO 4217
// for the currencies of the IBAN countries but differs for a few others
// (e.g. CLDR gives IQD 0 digits where ISO 4217 gives 3).
func (c Currency) MinorDigits() int { return c.digits }
