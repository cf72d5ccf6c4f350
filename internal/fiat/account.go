package fiat

import (
	"fmt"
	"strings"
)

// Lengths, in characters, of the ISO 20022 fields of an account without an IBAN.
const (
	otherIDCharsMax  = 34 // Othr/Id, Max34Text
	schemeCharsMax   = 35 // Othr/SchmeNm/Prtry, Max35Text
	issuerCharsMax   = 35 // Othr/Issr, Max35Text
	memberIDCharsMax = 35 // ClrSysMmbId/MmbId, Max35Text
	schemeCodeMax    = 4  // Othr/SchmeNm/Cd, ExternalAccountIdentification1Code
)

// accountSchemes are the codes of ISO 20022's ExternalAccountIdentification1Code list,
// the schemes of an account's other identification (Othr/SchmeNm/Cd). They are frozen
// here, maintained by hand like the currencies: which schemes an operator's account may
// name is consensus (docs/decisions/0020-accounts-without-iban.md). The identifiers of
// every one of them are letters and digits whose case does not matter.
var accountSchemes = map[string]bool{
	"AIIN": true, // issuer identification number
	"BBAN": true, // basic bank account number, a national account number
	"CUID": true, // CHIPS universal identifier
	"UPIC": true, // universal payment identification code
}

// clearingSystems are the codes of ISO 20022's ExternalClearingSystemIdentification1Code
// list (ClrSysMmbId/ClrSysId/Cd), frozen here for the same reason as accountSchemes.
var clearingSystems = map[string]bool{
	"ATBLZ": true, "AUBSB": true, "CACPA": true, "CHBCC": true, "CHSIC": true,
	"CNAPS": true, "DEBLZ": true, "ESNCC": true, "GBDSC": true, "GRBIC": true,
	"HKNCC": true, "IENCC": true, "INFSC": true, "ITNCC": true, "JPZGN": true,
	"NZNCC": true, "PLKNR": true, "PTNCC": true, "RUCBC": true, "SESBA": true,
	"SGIBG": true, "THCBC": true, "TWNCC": true, "USABA": true, "USPID": true,
	"ZANCC": true,
}

// OtherAccount identifies an account that has no IBAN, as ISO 20022's generic account
// identification (Acct/Id/Othr) does: an id (Id) under a scheme (SchmeNm), such as a
// national account number under BBAN, and optionally the issuer of the id (Issr).
type OtherAccount struct {
	ID     string
	Scheme string
	Issuer string
}

// ParseOtherAccount validates an account's other identification and returns it in
// canonical form, the one spelling the ledger keeps:
//   - scheme: a code of ISO 20022's list, in upper case (AIIN, BBAN, CUID, UPIC; any
//     scheme of one to four letters and digits is taken for a code), or else the name
//     of a proprietary scheme, up to 35 printable ASCII characters without leading or
//     trailing spaces;
//   - id: every space removed (print forms group digits with spaces), then 1 to 34
//     printable ASCII characters, upper-cased under a scheme code, whose identifiers
//     are case-insensitive; a proprietary scheme's identifier keeps its case;
//   - issuer: optional, 1 to 35 printable ASCII characters without leading or
//     trailing spaces.
func ParseOtherAccount(id, scheme, issuer string) (OtherAccount, error) {
	s := canonicalScheme(scheme)
	switch {
	case s == "":
		return OtherAccount{}, fieldError("scheme", scheme, fmt.Errorf("%w: missing", ErrAccountScheme))
	case isSchemeCode(s) && !accountSchemes[s]:
		return OtherAccount{}, fieldError("scheme", scheme, fmt.Errorf("%w: %q is not a code of ISO 20022's list (AIIN, BBAN, CUID, UPIC), and a proprietary scheme's name has 5 or more characters", ErrAccountScheme, s))
	case !isSchemeCode(s):
		if err := checkPrintable(s, schemeCharsMax, ErrAccountScheme); err != nil {
			return OtherAccount{}, fieldError("scheme", scheme, err)
		}
	}
	o := OtherAccount{ID: CanonicalOtherID(id, s), Scheme: s, Issuer: strings.Trim(issuer, " ")}
	if err := checkPrintable(o.ID, otherIDCharsMax, ErrAccountID); err != nil {
		return OtherAccount{}, fieldError("other_id", id, err)
	}
	if o.Issuer != "" {
		if err := checkPrintable(o.Issuer, issuerCharsMax, ErrAccountID); err != nil {
			return OtherAccount{}, fieldError("issuer", issuer, err)
		}
	}
	return o, nil
}

// CanonicalOtherID is the canonical spelling of an account's other identification id
// under scheme, without validating either: every space removed, and ASCII letters
// upper-cased when the scheme is a code. Both ParseOtherAccount and the accounts read
// from bank files (OtherAccount.String) spell an id this way, so that the ledger and a
// bank's camt file name one account alike.
func CanonicalOtherID(id, scheme string) string {
	id = strings.ReplaceAll(id, " ", "")
	if isSchemeCode(canonicalScheme(scheme)) {
		id = upperASCII(id)
	}
	return id
}

// String returns the account's canonical string, for people and as a key: the id in
// canonical form, then its scheme and issuer when given, such as
// "6222021001000000001 (scheme BBAN)" or "250094239 (scheme BBAN, issuer PostFinance)".
func (o OtherAccount) String() string {
	scheme, issuer := canonicalScheme(o.Scheme), strings.Trim(o.Issuer, " ")
	s := CanonicalOtherID(o.ID, scheme)
	switch {
	case scheme != "" && issuer != "":
		s += " (scheme " + scheme + ", issuer " + issuer + ")"
	case scheme != "":
		s += " (scheme " + scheme + ")"
	case issuer != "":
		s += " (issuer " + issuer + ")"
	}
	return s
}

// canonicalScheme trims a scheme and upper-cases it when it is a code.
func canonicalScheme(scheme string) string {
	s := strings.Trim(scheme, " ")
	if isSchemeCode(upperASCII(s)) {
		return upperASCII(s)
	}
	return s
}

// isSchemeCode reports whether s has the shape of a scheme code: one to four upper-case
// letters and digits. It is how ISO 20022 files tell SchmeNm/Cd from SchmeNm/Prtry here.
func isSchemeCode(s string) bool {
	return len(s) <= schemeCodeMax && all(s, func(c byte) bool { return isUpper(c) || isDigit(c) })
}

// ClearingMember identifies a bank in a national clearing system (ISO 20022
// ClrSysMmbId): the system's code, such as CNAPS (China's), and the bank's member id
// in it, such as 102100099996.
type ClearingMember struct {
	System string
	Member string
}

// ParseClearingMember reads a clearing system member id written SYSTEM:MEMBER, such as
// "CNAPS:102100099996", as MakeClearingMember does.
func ParseClearingMember(s string) (ClearingMember, error) {
	system, member, ok := strings.Cut(s, ":")
	if !ok {
		return ClearingMember{}, fieldError("clearing", s, fmt.Errorf("%w: want SYSTEM:MEMBER, e.g. CNAPS:102100099996", ErrClearing))
	}
	return MakeClearingMember(system, member)
}

// MakeClearingMember validates a clearing system's code and a member id and returns
// them in canonical form: the system one of the codes of ISO 20022's list (CNAPS,
// USABA, GBDSC, ...) in upper case; the member id with spaces and hyphens removed and
// letters upper-cased, then 1 to 35 letters and digits.
func MakeClearingMember(system, member string) (ClearingMember, error) {
	sys, err := upperAlnum(strings.Trim(system, " "), ErrClearing)
	if err == nil && !clearingSystems[sys] {
		err = fmt.Errorf("%w: %q is not a clearing system code of ISO 20022's list, such as CNAPS, USABA or GBDSC", ErrClearing, sys)
	}
	if err != nil {
		return ClearingMember{}, fieldError("clearing_system", system, err)
	}
	m, err := upperAlnum(strings.NewReplacer(" ", "", "-", "").Replace(member), ErrClearing)
	if err == nil && (m == "" || len(m) > memberIDCharsMax) {
		err = fmt.Errorf("%w: member id of %d characters, want 1 to %d", ErrClearing, len(m), memberIDCharsMax)
	}
	if err != nil {
		return ClearingMember{}, fieldError("clearing_member", member, err)
	}
	return ClearingMember{System: sys, Member: m}, nil
}

// String returns the member id as ParseClearingMember reads it, "CNAPS:102100099996".
func (c ClearingMember) String() string { return c.System + ":" + c.Member }

// checkPrintable requires 1 to charsMax printable ASCII characters without leading or
// trailing spaces: these values travel into the ledger, bank files and logs.
func checkPrintable(s string, charsMax int, bad error) error {
	switch {
	case s == "" || len(s) > charsMax:
		return fmt.Errorf("%w: %d characters, want 1 to %d", bad, len(s), charsMax)
	case s[0] == ' ' || s[len(s)-1] == ' ':
		return fmt.Errorf("%w: leading or trailing spaces", bad)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return fmt.Errorf("%w: character %q is not printable ASCII", bad, s[i])
		}
	}
	return nil
}

// upperASCII upper-cases the ASCII letters of s and leaves every other byte alone.
func upperASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}
