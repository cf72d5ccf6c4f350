package camt

import (
	"fmt"
	"strings"
	"time"

	"github.com/chipmint/chipmint/internal/fiat"
)

// xmlSpace is XML's white space. Values are trimmed of it: amounts, codes and dates
// collapse it by definition (XML Schema), and a reference that a bank pads with a
// space (the Finnish sample has "RF7812345 ") must still match the one the payer typed.
const xmlSpace = " \t\r\n"

// text returns the value of an element without leading and trailing white space.
func text(s string) string { return strings.Trim(s, xmlSpace) }

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
	code = text(x.Ccy)
	if code == "" {
		return 0, "", parseError(path+"/@Ccy", ErrMissingElement)
	}
	c, err := currency(path+"/@Ccy", code)
	if err != nil {
		return 0, "", err
	}
	minor, err = fiat.ParseAmount(trimZeros(text(x.Value), c.MinorDigits()), c)
	if err != nil {
		return 0, "", parseError(path, fmt.Errorf("%w: %w", ErrBadAmount, err))
	}
	return minor, code, nil
}

// trimZeros drops the zeros of a decimal's fraction beyond the currency's digits, and
// the point when nothing is left after it: "8.850" is "8.85" for two digits, "100.00" is
// "100" for none. Any other digit beyond them is kept, for fiat to refuse.
func trimZeros(s string, digits int) string {
	whole, frac, ok := strings.Cut(s, ".")
	if !ok || len(frac) <= digits || strings.Trim(frac[digits:], "0") != "" {
		return s
	}
	if digits == 0 {
		return whole
	}
	return whole + "." + frac[:digits]
}

// creditDebit parses a CdtDbtInd. An absent or empty optional one is "".
func creditDebit(path, s string, required bool) (CreditDebit, error) {
	switch s = text(s); CreditDebit(s) {
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
	switch s := text(*p); s {
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
	case x.Code != nil && text(x.Text) != "":
		return "", parseError(path, fmt.Errorf("%w: both text and <Cd>", ErrBadStatus))
	case x.Code != nil:
		path, code = path+"/Cd", text(*x.Code)
	case x.Prtry != nil:
		return "", parseError(path+"/Prtry", fmt.Errorf("%w: proprietary status %.40q", ErrBadStatus, text(*x.Prtry)))
	default:
		code = text(x.Text)
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
	if s := text(x.Dt); s != "" {
		if d, ok := isoDate(s); ok {
			return d, nil
		}
		return "", parseError(path+"/Dt", fmt.Errorf("%w: %.40q, want YYYY-MM-DD", ErrBadDate, s))
	}
	if s := text(x.DtTm); s != "" {
		if d, ok := isoDateTime(s); ok {
			return d, nil
		}
		return "", parseError(path+"/DtTm", fmt.Errorf("%w: %.40q, want YYYY-MM-DDThh:mm:ss", ErrBadDate, s))
	}
	return "", parseError(path+"/Dt", ErrMissingElement)
}

// dateTime checks an optional ISO 8601 date-time and returns it as given.
func dateTime(path, s string) (string, error) {
	if s = text(s); s == "" {
		return "", nil
	}
	if _, ok := isoDateTime(s); !ok {
		return "", parseError(path, fmt.Errorf("%w: %.40q, want YYYY-MM-DDThh:mm:ss", ErrBadDate, s))
	}
	return s, nil
}

// isoDate checks an xs:date, YYYY-MM-DD with an optional time zone, and returns
// its YYYY-MM-DD part.
func isoDate(s string) (string, bool) {
	if len(s) < 10 || !digitsAt(s, 0, 4) || s[4] != '-' || !digitsAt(s, 5, 2) || s[7] != '-' || !digitsAt(s, 8, 2) {
		return "", false
	}
	if _, err := time.Parse(time.DateOnly, s[:10]); err != nil {
		return "", false
	}
	return s[:10], zone(s[10:])
}

// isoDateTime checks an xs:dateTime, YYYY-MM-DDThh:mm:ss with optional fractional
// seconds and time zone, and returns its YYYY-MM-DD part.
func isoDateTime(s string) (string, bool) {
	if len(s) < 19 || s[10] != 'T' || s[13] != ':' || s[16] != ':' || !digitsAt(s, 11, 2) || !digitsAt(s, 14, 2) || !digitsAt(s, 17, 2) {
		return "", false
	}
	if s[11:13] > "23" || s[14:16] > "59" || s[17:19] > "59" {
		return "", false
	}
	d, ok := isoDate(s[:10])
	if !ok {
		return "", false
	}
	rest := s[19:]
	if strings.HasPrefix(rest, ".") {
		n := 1
		for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
			n++
		}
		if n == 1 {
			return "", false
		}
		rest = rest[n:]
	}
	return d, zone(rest)
}

// zone checks an optional time zone suffix: "", "Z" or ±hh:mm.
func zone(z string) bool {
	switch {
	case z == "" || z == "Z":
		return true
	case len(z) != 6 || z[0] != '+' && z[0] != '-' || z[3] != ':' || !digitsAt(z, 1, 2) || !digitsAt(z, 4, 2):
		return false
	}
	return z[1:3] <= "14" && z[4:6] <= "59"
}

// digitsAt reports whether s[i:i+n] is n ASCII digits.
func digitsAt(s string, i, n int) bool {
	return i+n <= len(s) && isDigits(s[i:i+n])
}
