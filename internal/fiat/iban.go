package fiat

import "fmt"

// IBAN is an International Bank Account Number (ISO 13616) in electronic
// form: upper case, no spaces. Obtain one from ParseIBAN or MakeIBAN; a
// converted string is not validated.
type IBAN string

// ibanLengths maps each supported country to its IBAN length: the SEPA/EEA
// countries plus GB, CH, NO, IS, LI, MC, SM, AD, VA and GI.
var ibanLengths = map[string]int{
	"AD": 24, "AT": 20, "BE": 16, "BG": 22, "CH": 21, "CY": 28, "CZ": 24,
	"DE": 22, "DK": 18, "EE": 20, "ES": 24, "FI": 18, "FR": 27, "GB": 22,
	"GI": 23, "GR": 27, "HR": 21, "HU": 28, "IE": 22, "IS": 26, "IT": 27,
	"LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MT": 31, "NL": 18,
	"NO": 15, "PL": 28, "PT": 25, "RO": 24, "SE": 24, "SI": 19, "SK": 24,
	"SM": 27, "VA": 22,
}

// ParseIBAN validates s and returns it in electronic form. It accepts the
// print form (spaces anywhere, typically groups of four) and lower case;
// only spaces are stripped. It checks the character set, the country, the
// length for that country and the ISO 7064 MOD 97-10 check digits.
func ParseIBAN(s string) (IBAN, error) {
	e, err := electronic(s, ErrIBANCharacters)
	if err == nil {
		err = checkIBAN(e)
	}
	if err != nil {
		return "", fieldError("iban", s, err)
	}
	return IBAN(e), nil
}

// checkIBAN validates an upper-case alphanumeric string as an IBAN.
func checkIBAN(e string) error {
	if len(e) < 4 {
		return fmt.Errorf("%w: %d characters is too short", ErrIBANLength, len(e))
	}
	want, ok := ibanLengths[e[:2]]
	if !ok {
		return fmt.Errorf("%w: country %q", ErrIBANCountry, e[:2])
	}
	if !all(e[2:4], isDigit) {
		return fmt.Errorf("%w: check digits %q are not digits", ErrIBANCharacters, e[2:4])
	}
	if len(e) != want {
		return fmt.Errorf("%w: %d characters, %s IBANs have %d", ErrIBANLength, len(e), e[:2], want)
	}
	return verifyMod97(e, ErrIBANChecksum)
}

// MakeIBAN builds the IBAN for a domestic account: it computes the check
// digits for country (e.g. "DE") and bban (the basic bank account number,
// spaces and lower case allowed) and validates the result.
func MakeIBAN(country, bban string) (IBAN, error) {
	c, err := upperAlnum(country, ErrIBANCountry)
	if _, ok := ibanLengths[c]; err == nil && !ok {
		err = fmt.Errorf("%w: country %q", ErrIBANCountry, c)
	}
	if err != nil {
		return "", fieldError("country", country, err)
	}
	b, err := electronic(bban, ErrIBANCharacters)
	if err != nil {
		return "", fieldError("bban", bban, err)
	}
	return ParseIBAN(c + checkDigits(b, c) + b)
}

// String returns the electronic form, e.g. "GB82WEST12345698765432".
func (i IBAN) String() string { return string(i) }

// Print returns the print form in groups of four, e.g.
// "GB82 WEST 1234 5698 7654 32".
func (i IBAN) Print() string { return printForm(string(i)) }

// Country returns the ISO 3166-1 alpha-2 country code, e.g. "GB", or "" for
// the zero IBAN.
func (i IBAN) Country() string {
	if len(i) < 2 {
		return ""
	}
	return string(i[:2])
}
