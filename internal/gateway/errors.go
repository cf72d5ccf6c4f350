package gateway

import "errors"

// ErrMode is a confirmation mode that does not exist.
var ErrMode = errors.New("gateway: unknown mode: want notice or receipt")

// ErrNotOperatorKey is a gateway key that is not its operator's: every confirmation it
// signed would be rejected.
var ErrNotOperatorKey = errors.New("gateway: the key is not the operator's")
