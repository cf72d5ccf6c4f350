package fiat

import (
	"errors"
	"fmt"
)

// Sentinel errors. Parsers wrap them, with detail, in a *FieldError.
var (
	// ErrIBANCharacters reports a character outside A-Z and 0-9 (after
	// spaces are removed and letters upper-cased), or non-digit check digits.
	ErrIBANCharacters = errors.New("fiat: iban contains illegal characters")
	// ErrIBANCountry reports a country code that is not in the IBAN table.
	ErrIBANCountry = errors.New("fiat: iban country not supported")
	// ErrIBANLength reports an IBAN whose length is wrong for its country.
	ErrIBANLength = errors.New("fiat: iban has the wrong length")
	// ErrIBANChecksum reports an IBAN whose check digits do not verify.
	ErrIBANChecksum = errors.New("fiat: iban checksum mismatch")

	// ErrBIC reports a malformed ISO 9362 business identifier code.
	ErrBIC = errors.New("fiat: invalid bic")

	// ErrCurrencyFormat reports a currency code that is not exactly three
	// upper-case ASCII letters.
	ErrCurrencyFormat = errors.New("fiat: currency code not in canonical form")
	// ErrCurrency reports an unknown ISO 4217 currency code or an
	// uninitialised Currency.
	ErrCurrency = errors.New("fiat: unknown currency")
	// ErrCurrencyNotTender reports an ISO 4217 code that is not currently
	// legal tender anywhere (e.g. XXX, XTS, XAU, DEM).
	ErrCurrencyNotTender = errors.New("fiat: currency is not legal tender")

	// ErrAmountSyntax reports an amount that is not a plain decimal number.
	ErrAmountSyntax = errors.New("fiat: malformed amount")
	// ErrAmountPrecision reports more fractional digits than the currency has.
	ErrAmountPrecision = errors.New("fiat: amount has too many fractional digits")
	// ErrAmountOverflow reports an amount whose minor units exceed uint64.
	ErrAmountOverflow = errors.New("fiat: amount overflows uint64 minor units")

	// ErrAccountID reports an account's other identification (or its issuer) that is
	// empty, too long or not printable ASCII.
	ErrAccountID = errors.New("fiat: invalid account identification")
	// ErrAccountScheme reports a missing account scheme, a code that is not on ISO
	// 20022's list, or a proprietary scheme name that is too long or not printable.
	ErrAccountScheme = errors.New("fiat: invalid account scheme")
	// ErrClearing reports a clearing system member id whose system is not on ISO
	// 20022's list or whose member id is not 1 to 35 letters and digits.
	ErrClearing = errors.New("fiat: invalid clearing system member id")

	// ErrReferenceFormat reports a malformed ISO 11649 creditor reference.
	ErrReferenceFormat = errors.New("fiat: malformed creditor reference")
	// ErrReferenceChecksum reports a creditor reference whose check digits
	// do not verify.
	ErrReferenceChecksum = errors.New("fiat: creditor reference checksum mismatch")
)

// maxValueLen bounds the input echoed in a FieldError, so that hostile input
// cannot bloat logs.
const maxValueLen = 64

// FieldError reports which field was rejected, the offending input and why.
type FieldError struct {
	Field string // e.g. "iban", "amount"
	Value string // the input, truncated to 64 bytes
	Err   error  // wraps one of the sentinel errors
}

// Error implements error.
func (e *FieldError) Error() string {
	return fmt.Sprintf("%v (%s %q)", e.Err, e.Field, e.Value)
}

// Unwrap returns the underlying error, for errors.Is and errors.As.
func (e *FieldError) Unwrap() error { return e.Err }

func fieldError(field, value string, err error) error {
	if len(value) > maxValueLen {
		value = value[:maxValueLen] + "..."
	}
	return &FieldError{Field: field, Value: value, Err: err}
}
