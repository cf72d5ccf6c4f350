package camt

import (
	"fmt"
	"regexp"
	"unicode/utf8"

	"github.com/chipmint/chipmint/internal/isoxml"
)

// Maximum lengths, in characters, of the ISO 20022 text types the writers use.
const (
	max34  = 34  // Max34Text: Othr/Id of an account
	max35  = 35  // Max35Text: identifiers and references
	max140 = 140 // Max140Text: names and unstructured remittance lines
)

// Patterns of the schemas' IBAN2007Identifier and UUIDv4Identifier.
var (
	ibanPattern = regexp.MustCompile(`^[A-Z]{2}[0-9]{2}[a-zA-Z0-9]{1,30}$`)
	uetrPattern = regexp.MustCompile(`^[a-f0-9]{8}-[a-f0-9]{4}-4[a-f0-9]{3}-[89ab][a-f0-9]{3}-[a-f0-9]{12}$`)
)

// checkEntry checks the fields of e that the writers copy verbatim.
func checkEntry(path string, e Entry) error {
	tx := path + "/NtryDtls/TxDtls"
	if err := checkCreditDebit(path+"/CdtDbtInd", e.CreditDebit); err != nil {
		return err
	}
	switch e.Status {
	case Booked, Pending, Info:
	default:
		return writeError(path+"/Sts/Cd", fmt.Errorf("%w: %.40q, want BOOK, PDNG or INFO", ErrBadStatus, e.Status))
	}
	for _, c := range []struct {
		path, value string
		max         int
	}{
		{path + "/AcctSvcrRef", e.EntryRef, max35},
		{tx + "/Refs/AcctSvcrRef", e.AcctSvcrRef, max35},
		{tx + "/Refs/EndToEndId", e.EndToEndID, max35},
		{tx + "/RltdPties/Dbtr/Pty/Nm", e.DebtorName, max140},
		{tx + "/RltdPties/Cdtr/Pty/Nm", e.CreditorName, max140},
		{tx + "/RmtInf/Strd/CdtrRefInf/Ref", e.CreditorReference, max35},
		{tx + "/RtrInf/Rsn", e.ReturnReason, max35},
	} {
		if err := checkText(c.path, c.value, c.max, false); err != nil {
			return err
		}
	}
	for i, u := range e.Unstructured {
		if err := checkText(fmt.Sprintf("%s/RmtInf/Ustrd[%d]", tx, i+1), u, max140, true); err != nil {
			return err
		}
	}
	if err := checkRemittance(tx+"/RmtInf", e); err != nil {
		return err
	}
	return checkEntryFormats(path, e)
}

// checkRemittance checks the references and additional remittance lines of e.
func checkRemittance(path string, e Entry) error {
	if len(e.References) > 0 && e.CreditorReference != e.References[0] {
		return writeError(path+"/Strd[1]/CdtrRefInf/Ref", fmt.Errorf("%w: CreditorReference %.40q is not the first of References", ErrBadText, e.CreditorReference))
	}
	for i, r := range e.References {
		if err := checkText(fmt.Sprintf("%s/Strd[%d]/CdtrRefInf/Ref", path, i+1), r, max35, true); err != nil {
			return err
		}
	}
	for i, a := range e.AdditionalRemittance {
		if err := checkText(fmt.Sprintf("%s/Strd/AddtlRmtInf[%d]", path, i+1), a, max140, true); err != nil {
			return err
		}
	}
	return nil
}

// checkDerived checks the fields of e that Parse derives: they must be what Parse would
// derive from the entry as written, or, for Kind, empty.
func checkDerived(path string, e Entry) error {
	tx := path + "/NtryDtls/TxDtls"
	switch {
	case e.Problem != "":
		return writeError(path, fmt.Errorf("%w: an entry with a problem (%.60q) cannot be written", ErrBadText, e.Problem))
	case e.Kind != "" && e.Kind != writtenKind(e):
		return writeError(path+"/BkTxCd", fmt.Errorf("%w: kind %q, but a %s entry with reversal %v and return reason %q is a %s",
			ErrBadIndicator, e.Kind, e.CreditDebit, e.Reversal, e.ReturnReason, writtenKind(e)))
	case e.InstructedCurrency == "" && e.InstructedAmountMinor != 0:
		return writeError(tx+"/AmtDtls/InstdAmt/Amt/@Ccy", ErrMissingElement)
	case e.ChargesCurrency == "" && e.ChargesMinor != 0:
		return writeError(tx+"/Chrgs/TtlChrgsAndTaxAmt/@Ccy", ErrMissingElement)
	case e.TransactionAmountMinor == 0:
		return nil
	case e.TransactionAmountMinor == e.AmountMinor ||
		e.TransactionAmountMinor > e.AmountMinor && !(e.ChargesCurrency == e.Currency && e.TransactionAmountMinor-e.AmountMinor == e.ChargesMinor):
		return writeError(tx+"/Amt", fmt.Errorf("%w: transaction amount %d, entry amount %d and charges %d %s do not agree",
			ErrBadAmount, e.TransactionAmountMinor, e.AmountMinor, e.ChargesMinor, e.ChargesCurrency))
	}
	return nil
}

// checkEntryFormats checks the dates, the parties' accounts and the UETR of e.
func checkEntryFormats(path string, e Entry) error {
	tx := path + "/NtryDtls/TxDtls"
	if err := checkDate(path+"/BookgDt/Dt", e.BookingDate, false); err != nil {
		return err
	}
	if err := checkDate(path+"/ValDt/Dt", e.ValueDate, false); err != nil {
		return err
	}
	if e.UETR != "" && !uetrPattern.MatchString(e.UETR) {
		return writeError(tx+"/Refs/UETR", fmt.Errorf("%w: %.40q is not a lower-case UUID version 4", ErrBadText, e.UETR))
	}
	for _, p := range []struct {
		path  string
		iban  string
		other *Account
	}{
		{tx + "/RltdPties/DbtrAcct/Id", e.DebtorIBAN, e.DebtorOther},
		{tx + "/RltdPties/CdtrAcct/Id", e.CreditorIBAN, e.CreditorOther},
	} {
		switch {
		case p.other != nil && (p.iban != "" || p.other.IBAN != ""):
			return writeError(p.path+"/Othr", fmt.Errorf("%w: an account identified by IBAN has no other identification", ErrBadText))
		case p.other != nil:
			if _, err := writeAccount(p.path, *p.other); err != nil {
				return err
			}
		case p.iban != "":
			if err := checkIBAN(p.path+"/IBAN", p.iban); err != nil {
				return err
			}
		}
	}
	return nil
}

func checkCreditDebit(path string, cd CreditDebit) error {
	if cd != Credit && cd != Debit {
		return writeError(path, fmt.Errorf("%w: credit/debit indicator %.40q, want CRDT or DBIT", ErrBadIndicator, cd))
	}
	return nil
}

// checkIBAN checks the shape the schema requires, not the check digits: the sandbox
// bank may write test accounts, and Parse does not verify them either.
func checkIBAN(path, iban string) error {
	if !ibanPattern.MatchString(iban) {
		return writeError(path, fmt.Errorf("%w: %.40q is not an IBAN", ErrBadText, iban))
	}
	return nil
}

// checkDate checks a date the writers write as Dt: exactly YYYY-MM-DD.
func checkDate(path, s string, required bool) error {
	if s == "" {
		if required {
			return writeError(path, ErrMissingElement)
		}
		return nil
	}
	if d, ok := isoxml.Date(s); !ok || d != s {
		return writeError(path, fmt.Errorf("%w: %.40q, want YYYY-MM-DD", ErrBadDate, s))
	}
	return nil
}

// checkDateTime checks an ISO 8601 date-time that the writers copy verbatim.
func checkDateTime(path, s string, required bool) error {
	if s == "" {
		if required {
			return writeError(path, ErrMissingElement)
		}
		return nil
	}
	if _, ok := isoxml.DateTime(s); !ok {
		return writeError(path, fmt.Errorf("%w: %.40q, want YYYY-MM-DDThh:mm:ss", ErrBadDate, s))
	}
	return nil
}

// checkText checks a text value against its maximum length and against what Parse
// would change: leading or trailing white space, which it trims, and characters that
// XML 1.0 cannot carry, which encoding/xml would replace.
func checkText(path, s string, maxChars int, required bool) error {
	switch {
	case s == "":
		if required {
			return writeError(path, ErrMissingElement)
		}
		return nil
	case !utf8.ValidString(s):
		return writeError(path, fmt.Errorf("%w: invalid UTF-8", ErrBadText))
	case isoxml.Text(s) != s:
		return writeError(path, fmt.Errorf("%w: %.40q has leading or trailing white space", ErrBadText, s))
	case utf8.RuneCountInString(s) > maxChars:
		return writeError(path, fmt.Errorf("%w: %d characters, at most %d", ErrBadText, utf8.RuneCountInString(s), maxChars))
	}
	for _, r := range s {
		if !isoxml.IsChar(r) {
			return writeError(path, fmt.Errorf("%w: character %U is not allowed in XML", ErrBadText, r))
		}
	}
	return nil
}
