package camt

import (
	"fmt"

	"github.com/chipmint/chipmint/internal/fiat"
	"github.com/chipmint/chipmint/internal/isoxml"
)

// currency parses an ISO 4217 code found at path.
func currency(path, code string) (fiat.Currency, error) {
	c, err := fiat.ParseCurrency(code)
	if err != nil {
		return fiat.Currency{}, parseError(path, fmt.Errorf("%w: %w", ErrBadCurrency, err))
	}
	return c, nil
}

// amount parses an amount element and its Ccy attribute into minor units. A bank may
// write fewer fractional digits than the currency has ("100.5" EUR is 10050), and more
// when the extra ones are zeros, which ISO 20022's decimal type allows ("8.850" EUR is
// 885); an amount that is not exact in the currency's minor unit ("8.855" EUR) is
// refused, and so is a sign: the direction is CdtDbtInd's.
func amount(path string, x *xAmount) (minor uint64, code string, err error) {
	if x == nil {
		return 0, "", parseError(path, ErrMissingElement)
	}
	code = isoxml.Text(x.Ccy)
	if code == "" {
		return 0, "", parseError(path+"/@Ccy", ErrMissingElement)
	}
	c, err := currency(path+"/@Ccy", code)
	if err != nil {
		return 0, "", err
	}
	minor, err = fiat.ParseAmount(isoxml.TrimZeros(isoxml.Text(x.Value), c.MinorDigits()), c)
	if err != nil {
		return 0, "", parseError(path, fmt.Errorf("%w: %w", ErrBadAmount, err))
	}
	return minor, code, nil
}

// creditDebit parses a CdtDbtInd. An absent or empty optional one is "".
func creditDebit(path, s string, required bool) (CreditDebit, error) {
	switch s = isoxml.Text(s); CreditDebit(s) {
	case Credit, Debit:
		return CreditDebit(s), nil
	case "":
		if required {
			return "", parseError(path, ErrMissingElement)
		}
		return "", nil
	}
	return "", parseError(path, fmt.Errorf("%w: credit/debit indicator %.40q, want CRDT or DBIT", ErrBadIndicator, s))
}

// reversal parses an optional RvslInd, an xs:boolean.
func reversal(path string, p *string) (bool, error) {
	if p == nil {
		return false, nil
	}
	switch s := isoxml.Text(*p); s {
	case "true", "1":
		return true, nil
	case "false", "0":
		return false, nil
	default:
		return false, parseError(path, fmt.Errorf("%w: reversal indicator %.40q, want true or false", ErrBadIndicator, s))
	}
}

// status parses Sts, a code as text (up to .001.06) or in Sts/Cd (from .001.07).
func status(path string, x *xStatus) (Status, error) {
	if x == nil {
		return "", parseError(path, ErrMissingElement)
	}
	var code string
	switch {
	case x.Code != nil && isoxml.Text(x.Text) != "":
		return "", parseError(path, fmt.Errorf("%w: both text and <Cd>", ErrBadStatus))
	case x.Code != nil:
		path, code = path+"/Cd", isoxml.Text(*x.Code)
	case x.Prtry != nil:
		return "", parseError(path+"/Prtry", fmt.Errorf("%w: proprietary status %.40q", ErrBadStatus, isoxml.Text(*x.Prtry)))
	default:
		code = isoxml.Text(x.Text)
	}
	switch Status(code) {
	case Booked, Pending, Info:
		return Status(code), nil
	case "":
		return "", parseError(path, ErrMissingElement)
	}
	return "", parseError(path, fmt.Errorf("%w: %.40q, want BOOK, PDNG or INFO", ErrBadStatus, code))
}

// date reads an optional date element given as Dt or DtTm and returns its date,
// YYYY-MM-DD; the time of a DtTm is dropped.
func date(path string, x *xDate) (string, error) {
	if x == nil {
		return "", nil
	}
	if s := isoxml.Text(x.Dt); s != "" {
		if d, ok := isoxml.Date(s); ok {
			return d, nil
		}
		return "", parseError(path+"/Dt", fmt.Errorf("%w: %.40q, want YYYY-MM-DD", ErrBadDate, s))
	}
	if s := isoxml.Text(x.DtTm); s != "" {
		if d, ok := isoxml.DateTime(s); ok {
			return d, nil
		}
		return "", parseError(path+"/DtTm", fmt.Errorf("%w: %.40q, want YYYY-MM-DDThh:mm:ss", ErrBadDate, s))
	}
	return "", parseError(path+"/Dt", ErrMissingElement)
}

// dateTime checks an optional ISO 8601 date-time and returns it as given.
func dateTime(path, s string) (string, error) {
	if s = isoxml.Text(s); s == "" {
		return "", nil
	}
	if _, ok := isoxml.DateTime(s); !ok {
		return "", parseError(path, fmt.Errorf("%w: %.40q, want YYYY-MM-DDThh:mm:ss", ErrBadDate, s))
	}
	return s, nil
}
