package issuer

import "errors"

// ErrNotIssuer is a service key that is not one of the chain's issuers.
var ErrNotIssuer = errors.New("issuer: the key is not an issuer's")
