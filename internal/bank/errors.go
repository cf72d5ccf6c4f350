package bank

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/chipmint/chipmint/internal/fiat"
)

// Sentinel errors. Bank methods wrap them, with detail, in a *FieldError that names the
// request field at fault; Client gives them back from the HTTP status and message.
var (
	// ErrInvalid reports a malformed request: a bad IBAN, currency, amount, holder,
	// reference or reason code, a self transfer, the reversal or return of a reversal or
	// return, an unparsable body.
	ErrInvalid = errors.New("bank: invalid request")
	// ErrUnknownAccount reports an IBAN or account id that has no account at this bank.
	ErrUnknownAccount = errors.New("bank: unknown account")
	// ErrUnknownTransfer reports a transfer id or UETR that names no booking of this bank.
	ErrUnknownTransfer = errors.New("bank: unknown transfer")
	// ErrAccountExists reports an attempt to open an account under an IBAN or other
	// identification already open.
	ErrAccountExists = errors.New("bank: account already exists")
	// ErrInsufficientFunds reports a transfer larger than the payer's balance, or a
	// reversal or return larger than the payee's (the sandbox grants no overdraft).
	ErrInsufficientFunds = errors.New("bank: insufficient funds")
	// ErrCurrencyMismatch reports a transfer whose currency is not that of both accounts.
	ErrCurrencyMismatch = errors.New("bank: currency mismatch")
	// ErrIdempotencyConflict reports an idempotency key used before with another request.
	ErrIdempotencyConflict = errors.New("bank: idempotency key already used for a different request")
	// ErrAlreadyReversed reports a reversal or return of a transfer that was reversed.
	ErrAlreadyReversed = errors.New("bank: transfer already reversed")
	// ErrAlreadyReturned reports a reversal or return of a transfer that was returned.
	ErrAlreadyReturned = errors.New("bank: transfer already returned")
)

// valueLenMax bounds the input echoed in a FieldError, so that hostile input cannot
// bloat logs and responses.
const valueLenMax = 64

// FieldError reports which request field was rejected, the offending input and why.
type FieldError struct {
	Field string // the JSON name of the field, e.g. "from_iban", "amount_minor"
	Value string // the input, truncated to 64 bytes
	Err   error  // wraps one of the sentinel errors
}

// Error implements error.
func (e *FieldError) Error() string {
	switch {
	case e.Field == "":
		return e.Err.Error()
	case e.Value == "":
		return fmt.Sprintf("%v (%s)", e.Err, e.Field)
	}
	return fmt.Sprintf("%v (%s %q)", e.Err, e.Field, e.Value)
}

// Unwrap returns the underlying error, for errors.Is and errors.As.
func (e *FieldError) Unwrap() error { return e.Err }

// fieldError wraps err, which wraps a sentinel, with the field and value at fault.
func fieldError(field, value string, err error) error {
	if len(value) > valueLenMax {
		value = value[:valueLenMax] + "..."
	}
	return &FieldError{Field: field, Value: value, Err: err}
}

// invalid reports a malformed field for the reason a parser gave. A *fiat.FieldError is
// unwrapped so that the field is named only once, by its name in this API.
func invalid(field, value string, reason error) error {
	var fe *fiat.FieldError
	if errors.As(reason, &fe) {
		reason = fe.Err
	}
	return fieldError(field, value, fmt.Errorf("%w: %w", ErrInvalid, reason))
}

// invalidFiat reports a field that package fiat refused, by the name fiat gives it,
// which is its name in this API.
func invalidFiat(err error) error {
	var fe *fiat.FieldError
	if errors.As(err, &fe) {
		return fieldError(fe.Field, fe.Value, fmt.Errorf("%w: %w", ErrInvalid, fe.Err))
	}
	return fieldError("", "", fmt.Errorf("%w: %w", ErrInvalid, err))
}

// invalidf reports a malformed field with a reason of our own.
func invalidf(field, value, format string, args ...any) error {
	return fieldError(field, value, fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...)))
}

// statusOf maps an error to its HTTP status; anything not a sentinel is a server fault.
func statusOf(err error) int {
	switch {
	case errors.Is(err, ErrInvalid):
		return http.StatusBadRequest
	case errors.Is(err, ErrUnknownAccount), errors.Is(err, ErrUnknownTransfer):
		return http.StatusNotFound
	case errors.Is(err, ErrAccountExists), errors.Is(err, ErrIdempotencyConflict),
		errors.Is(err, ErrAlreadyReversed), errors.Is(err, ErrAlreadyReturned):
		return http.StatusConflict
	case errors.Is(err, ErrInsufficientFunds), errors.Is(err, ErrCurrencyMismatch):
		return http.StatusUnprocessableEntity
	}
	return http.StatusInternalServerError
}

// sentinels lists every sentinel with the status it travels under, for APIError.Unwrap.
var sentinels = []struct {
	err    error
	status int
}{
	{ErrInvalid, http.StatusBadRequest},
	{ErrInvalid, http.StatusRequestEntityTooLarge},
	{ErrUnknownAccount, http.StatusNotFound},
	{ErrUnknownTransfer, http.StatusNotFound},
	{ErrAccountExists, http.StatusConflict},
	{ErrIdempotencyConflict, http.StatusConflict},
	{ErrAlreadyReversed, http.StatusConflict},
	{ErrAlreadyReturned, http.StatusConflict},
	{ErrInsufficientFunds, http.StatusUnprocessableEntity},
	{ErrCurrencyMismatch, http.StatusUnprocessableEntity},
}
