package gateway

import "errors"

// ErrMode is a confirmation mode that does not exist.
var ErrMode = errors.New("gateway: unknown mode: want notice or receipt")

// ErrReceiptNeedsIBAN is receipt mode for an operator whose account has no IBAN: a
// receipt names the operator's IBAN, so such an operator confirms by account notice.
var ErrReceiptNeedsIBAN = errors.New("gateway: receipt mode needs an account with an IBAN")

// ErrNotOperatorKey is a gateway key that is not its operator's: every confirmation it
// signed would be rejected.
var ErrNotOperatorKey = errors.New("gateway: the key is not the operator's")
