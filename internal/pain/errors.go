package pain

import (
	"errors"
	"fmt"
)

// Sentinel errors. Read and Write wrap them, with detail, in an *Error that names the
// element at fault.
var (
	// ErrNotPain reports a root element that is not a Document in a pain.001 namespace
	// of a supported version, or an element in a foreign namespace.
	ErrNotPain = errors.New("pain: not a pain.001 document")
	// ErrMalformed reports input that is not well-formed XML: truncated, invalid UTF-8,
	// a declared character set that is unknown, content after the root element, a
	// repeated attribute or nesting that is too deep.
	ErrMalformed = errors.New("pain: malformed xml")
	// ErrDoctype reports a document type declaration (<!DOCTYPE ...>) or any other
	// markup declaration; ISO 20022 messages never carry one.
	ErrDoctype = errors.New("pain: document type declarations are not allowed")
	// ErrTooLarge reports input longer than MaxInputBytes.
	ErrTooLarge = errors.New("pain: input too large")
	// ErrMissingElement reports a required element or attribute that is absent or empty.
	ErrMissingElement = errors.New("pain: missing element")
	// ErrDuplicateElement reports an element that this package reads and that may occur
	// once, occurring more than once under the same parent.
	ErrDuplicateElement = errors.New("pain: duplicate element")
	// ErrBadAmount reports an amount that is zero, not a plain unsigned decimal, has
	// more fractional digits than its currency, or overflows, alone or in a sum.
	ErrBadAmount = errors.New("pain: bad amount")
	// ErrBadCurrency reports a currency code that is not current ISO 4217 legal tender.
	ErrBadCurrency = errors.New("pain: bad currency")
	// ErrBadDate reports a date that is not YYYY-MM-DD or a date-time that is not an ISO
	// 8601 date-time.
	ErrBadDate = errors.New("pain: bad date")
	// ErrBadText reports a text value that is too long, has leading or trailing white
	// space, characters XML cannot carry or, for an identifier, characters outside ISO
	// 20022's restricted set; or a bad IBAN, BIC, account or creditor reference.
	ErrBadText = errors.New("pain: bad text value")
	// ErrDuplicatePayment reports two payments of one file with the same end-to-end id.
	ErrDuplicatePayment = errors.New("pain: duplicate end-to-end id")
	// ErrControl reports a number of transactions (NbOfTxs) or a control sum (CtrlSum)
	// that does not match the payments of the file or of its payment information block.
	ErrControl = errors.New("pain: control total does not match the payments")
	// ErrUnsupported reports what chipmint does not read: a payment method other than a
	// credit transfer (TRF), an amount given as an equivalent in another currency
	// (EqvtAmt), or payment information blocks that differ in debtor account or
	// requested execution date.
	ErrUnsupported = errors.New("pain: unsupported content")
)

// Error reports which element of a pain.001 document is at fault and why.
type Error struct {
	// Element is the slash path of the element at fault from the root, with 1-based
	// indexes on repeating elements, e.g.
	// "Document/CstmrCdtTrfInitn/PmtInf[1]/CdtTrfTxInf[2]/Amt/InstdAmt"; an attribute
	// is named as ".../InstdAmt/@Ccy". Faults of the file as a whole name "Document".
	Element string
	// Err wraps one of the sentinel errors.
	Err error
}

// Error implements error.
func (e *Error) Error() string {
	return fmt.Sprintf("%v (element %s)", e.Err, e.Element)
}

// Unwrap returns the underlying error, for errors.Is and errors.As.
func (e *Error) Unwrap() error { return e.Err }

// elementError builds an *Error for element path with err, which wraps a sentinel.
func elementError(path string, err error) *Error {
	return &Error{Element: path, Err: err}
}
