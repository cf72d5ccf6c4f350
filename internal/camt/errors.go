package camt

import (
	"errors"
	"fmt"
)

// Sentinel errors. Parse wraps them, with detail, in a *ParseError that names the
// element at fault; the writers wrap them with the element path in the message.
var (
	// ErrNotCamt reports a root element that is not a Document in a camt.052,
	// camt.053 or camt.054 namespace of a supported version, or an element in a foreign
	// namespace.
	ErrNotCamt = errors.New("camt: not a camt.052, camt.053 or camt.054 document")
	// ErrMalformed reports input that is not well-formed XML: truncated, invalid
	// UTF-8, a declared character set that is unknown, content after the root element,
	// a repeated attribute or nesting that is too deep.
	ErrMalformed = errors.New("camt: malformed xml")
	// ErrDoctype reports a document type declaration (<!DOCTYPE ...>) or any other
	// markup declaration; ISO 20022 messages never carry one.
	ErrDoctype = errors.New("camt: document type declarations are not allowed")
	// ErrTooLarge reports input longer than MaxInputBytes.
	ErrTooLarge = errors.New("camt: input too large")
	// ErrMissingElement reports a required element or attribute that is absent or
	// empty.
	ErrMissingElement = errors.New("camt: missing element")
	// ErrDuplicateElement reports an element that this package reads and that may
	// occur once, occurring more than once under the same parent.
	ErrDuplicateElement = errors.New("camt: duplicate element")
	// ErrBadAmount reports an amount that is not a plain unsigned decimal exact in its
	// currency's minor unit: more fractional digits than the currency has are allowed
	// only when the extra ones are zeros.
	ErrBadAmount = errors.New("camt: bad amount")
	// ErrBadCurrency reports a currency code that is not current ISO 4217 legal tender.
	ErrBadCurrency = errors.New("camt: bad currency")
	// ErrBadIndicator reports a credit/debit indicator other than CRDT or DBIT, or a
	// reversal indicator that is not an xs:boolean.
	ErrBadIndicator = errors.New("camt: bad indicator")
	// ErrBadStatus reports an entry status other than BOOK, PDNG or INFO.
	ErrBadStatus = errors.New("camt: bad entry status")
	// ErrBadDate reports a date that is not an ISO 8601 date (YYYY-MM-DD) or a
	// date-time that is not an ISO 8601 date-time.
	ErrBadDate = errors.New("camt: bad date")
	// ErrBadText reports, to the writers, a value that would not survive a round
	// trip: too long for its element, leading or trailing white space, or characters
	// that XML 1.0 cannot carry.
	ErrBadText = errors.New("camt: bad text value")
)

// ParseError reports which element of a bank file is at fault and why.
type ParseError struct {
	// Element is the slash path of the element at fault from the root, with 1-based
	// indexes on repeating elements, e.g.
	// "Document/BkToCstmrDbtCdtNtfctn/Ntfctn[1]/Ntry[2]/Amt"; an attribute is named
	// as ".../Amt/@Ccy". Faults of the file as a whole name "Document".
	Element string
	// Err wraps one of the sentinel errors.
	Err error
}

// Error implements error.
func (e *ParseError) Error() string {
	return fmt.Sprintf("%v (element %s)", e.Err, e.Element)
}

// Unwrap returns the underlying error, for errors.Is and errors.As.
func (e *ParseError) Unwrap() error { return e.Err }

// parseError builds a *ParseError for element path with err, which wraps a sentinel.
func parseError(path string, err error) *ParseError {
	return &ParseError{Element: path, Err: err}
}
