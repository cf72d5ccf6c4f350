package fiat

import "fmt"

// CreditorReference is an ISO 11649 structured creditor reference ("RF"
// reference) in electronic form: upper case, no spaces, e.g.
// "RF18539007547034". Obtain one from NewCreditorReference or
// ParseCreditorReference; a converted string is not validated.
type CreditorReference string

// maxReferenceBody is the longest reference that follows "RF" and the two
// check digits (25 characters in all).
const maxReferenceBody = 21

// NewCreditorReference computes the check digits for ref, 1 to 21 ASCII
// letters and digits (lower case is upper-cased), and returns the creditor
// reference "RF" + check digits + ref.
func NewCreditorReference(ref string) (CreditorReference, error) {
	r, err := upperAlnum(ref, ErrReferenceFormat)
	if err == nil && (len(r) == 0 || len(r) > maxReferenceBody) {
		err = fmt.Errorf("%w: %d characters, want 1 to %d", ErrReferenceFormat, len(r), maxReferenceBody)
	}
	if err != nil {
		return "", fieldError("reference", ref, err)
	}
	return CreditorReference("RF" + checkDigits(r, "RF") + r), nil
}

// ParseCreditorReference validates s and returns it in electronic form. It
// accepts the print form (spaces anywhere, typically groups of four) and
// lower case; only spaces are stripped.
func ParseCreditorReference(s string) (CreditorReference, error) {
	e, err := electronic(s, ErrReferenceFormat)
	if err == nil {
		err = checkReference(e)
	}
	if err != nil {
		return "", fieldError("reference", s, err)
	}
	return CreditorReference(e), nil
}

// checkReference validates an upper-case alphanumeric string as a creditor
// reference.
func checkReference(e string) error {
	switch {
	case len(e) < 5 || len(e) > 4+maxReferenceBody:
		return fmt.Errorf("%w: %d characters, want 5 to %d", ErrReferenceFormat, len(e), 4+maxReferenceBody)
	case e[:2] != "RF":
		return fmt.Errorf("%w: prefix %q, want \"RF\"", ErrReferenceFormat, e[:2])
	case !all(e[2:4], isDigit):
		return fmt.Errorf("%w: check digits %q are not digits", ErrReferenceFormat, e[2:4])
	}
	return verifyMod97(e, ErrReferenceChecksum)
}

// String returns the electronic form, e.g. "RF18539007547034".
func (r CreditorReference) String() string { return string(r) }

// Print returns the print form in groups of four, e.g.
// "RF18 5390 0754 7034".
func (r CreditorReference) Print() string { return printForm(string(r)) }
