package fiat

import "fmt"

// BIC is an ISO 9362 business identifier code, upper case, 8 or 11
// characters. Obtain one from ParseBIC; a converted string is not validated.
type BIC string

// ParseBIC validates s and returns it upper-cased. A BIC is a four-letter
// institution code, a two-letter country code, a two-character alphanumeric
// location code and an optional three-character alphanumeric branch code.
func ParseBIC(s string) (BIC, error) {
	u, err := upperAlnum(s, ErrBIC)
	if err == nil {
		err = checkBIC(u)
	}
	if err != nil {
		return "", fieldError("bic", s, err)
	}
	return BIC(u), nil
}

// checkBIC validates an upper-case alphanumeric string as a BIC.
func checkBIC(u string) error {
	switch {
	case len(u) != 8 && len(u) != 11:
		return fmt.Errorf("%w: %d characters, want 8 or 11", ErrBIC, len(u))
	case !all(u[:4], isUpper):
		return fmt.Errorf("%w: institution code %q is not four letters", ErrBIC, u[:4])
	case !all(u[4:6], isUpper):
		return fmt.Errorf("%w: country code %q is not two letters", ErrBIC, u[4:6])
	}
	return nil
}

// String returns the BIC, e.g. "DEUTDEFF500".
func (b BIC) String() string { return string(b) }

// Country returns the two-letter country code, e.g. "DE", or "" for the zero
// BIC.
func (b BIC) Country() string {
	if len(b) < 6 {
		return ""
	}
	return string(b[4:6])
}
