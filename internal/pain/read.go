package pain

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/chipmint/chipmint/internal/fiat"
)

// byteOrderMark is U+FEFF encoded in UTF-8, which Windows tools write before a file.
const byteOrderMark = "\xEF\xBB\xBF"

// xmlSpace is XML's white space, trimmed from every value read.
const xmlSpace = " \t\r\n"

// ibanShape is the schemas' IBAN2007Identifier. Read checks an IBAN's shape only, not its
// check digits: that the account exists is the bank's business, and sample files carry
// made-up ones.
var ibanShape = regexp.MustCompile(`^[A-Z]{2}[0-9]{2}[a-zA-Z0-9]{1,30}$`)

// The x* types mirror the parts of pain.001 (.001.03 to .001.12) that Read reads. Tags
// carry no namespace, so they match every version; scan has already checked that every
// element is in the document's namespace. Where versions differ (BIC or BICFI,
// ReqdExctnDt as a date or as Dt/DtTm) each form gets a field.

type xDocument struct {
	Msg *xMessage `xml:"CstmrCdtTrfInitn"`
}

type xMessage struct {
	GrpHdr *xGroupHeader  `xml:"GrpHdr"`
	PmtInf []xPaymentInfo `xml:"PmtInf"`
}

type xGroupHeader struct {
	MsgID    string  `xml:"MsgId"`
	CreDtTm  string  `xml:"CreDtTm"`
	NbOfTxs  string  `xml:"NbOfTxs"`
	CtrlSum  *string `xml:"CtrlSum"`
	InitgPty string  `xml:"InitgPty>Nm"`
}

type xPaymentInfo struct {
	PmtMtd      string         `xml:"PmtMtd"`
	NbOfTxs     *string        `xml:"NbOfTxs"`
	CtrlSum     *string        `xml:"CtrlSum"`
	ReqdExctnDt *xDate         `xml:"ReqdExctnDt"`
	Dbtr        string         `xml:"Dbtr>Nm"`
	DbtrAcct    *xAccount      `xml:"DbtrAcct>Id"`
	DbtrAgt     xAgent         `xml:"DbtrAgt>FinInstnId"`
	Txs         []xTransaction `xml:"CdtTrfTxInf"`
}

// xDate is ReqdExctnDt: a date as text up to .001.07, Dt or DtTm from .001.08.
type xDate struct {
	Text string `xml:",chardata"`
	Dt   string `xml:"Dt"`
	DtTm string `xml:"DtTm"`
}

type xAccount struct {
	IBAN  string  `xml:"IBAN"`
	Other *xOther `xml:"Othr"`
}

type xOther struct {
	ID          string `xml:"Id"`
	SchemeCode  string `xml:"SchmeNm>Cd"`
	SchemePrtry string `xml:"SchmeNm>Prtry"`
	Issuer      string `xml:"Issr"`
}

// xAgent is a FinInstnId: BIC up to .001.03, BICFI from .001.04.
type xAgent struct {
	BIC   string `xml:"BIC"`
	BICFI string `xml:"BICFI"`
}

type xTransaction struct {
	InstrID    string    `xml:"PmtId>InstrId"`
	EndToEndID string    `xml:"PmtId>EndToEndId"`
	InstdAmt   *xAmount  `xml:"Amt>InstdAmt"`
	EqvtAmt    *struct{} `xml:"Amt>EqvtAmt"`
	CdtrAgt    xAgent    `xml:"CdtrAgt>FinInstnId"`
	Cdtr       string    `xml:"Cdtr>Nm"`
	CdtrAcct   *xAccount `xml:"CdtrAcct>Id"`
	Ustrd      []string  `xml:"RmtInf>Ustrd"`
	Refs       []string  `xml:"RmtInf>Strd>CdtrRefInf>Ref"`
}

type xAmount struct {
	Ccy   string `xml:"Ccy,attr"`
	Value string `xml:",chardata"`
}

// Read reads a pain.001 customer credit transfer initiation of any version from .001.03
// to .001.12, in UTF-8 or in the character set its XML declaration names. Its payment
// information blocks must all name the same debtor account and execution date, and pay
// by credit transfer (TRF); their payments are returned in file order. The group's and
// each block's number of transactions and, when given, control sum must match the
// payments. A file that is malformed, larger than MaxInputBytes, or carries a value that
// cannot be trusted is refused as a whole with an *Error naming the element at fault.
func Read(b []byte) (*Initiation, error) {
	if len(b) > MaxInputBytes {
		return nil, elementError("Document", fmt.Errorf("%w: %d bytes, at most %d", ErrTooLarge, len(b), MaxInputBytes))
	}
	b = bytes.TrimPrefix(b, []byte(byteOrderMark))
	if _, err := scan(b); err != nil {
		return nil, err
	}
	var x xDocument
	if err := newDecoder(b).Decode(&x); err != nil {
		// scan accepted b, so this is not expected; report it rather than panic.
		return nil, elementError("Document", fmt.Errorf("%w: %v", ErrMalformed, err))
	}
	const root = "Document/CstmrCdtTrfInitn"
	if x.Msg == nil {
		return nil, elementError(root, ErrMissingElement)
	}
	if x.Msg.GrpHdr == nil {
		return nil, elementError(root+"/GrpHdr", ErrMissingElement)
	}
	in, err := readHeader(root+"/GrpHdr", x.Msg.GrpHdr)
	if err != nil {
		return nil, err
	}
	if len(x.Msg.PmtInf) == 0 {
		return nil, elementError(root+"/PmtInf", ErrMissingElement)
	}
	var total sum
	for i := range x.Msg.PmtInf {
		if err := in.readPaymentInfo(fmt.Sprintf("%s/PmtInf[%d]", root, i+1), &x.Msg.PmtInf[i], &total); err != nil {
			return nil, err
		}
	}
	if err := checkControl(root+"/GrpHdr", &x.Msg.GrpHdr.NbOfTxs, x.Msg.GrpHdr.CtrlSum, len(in.Payments), total); err != nil {
		return nil, err
	}
	return in, nil
}

// readHeader reads the group header.
func readHeader(path string, h *xGroupHeader) (*Initiation, error) {
	in := &Initiation{MessageID: text(h.MsgID), CreatedAt: text(h.CreDtTm), InitiatingParty: text(h.InitgPty)}
	if err := checkRead(path+"/MsgId", in.MessageID, max35, true); err != nil {
		return nil, err
	}
	if _, ok := isoDateTime(in.CreatedAt); !ok {
		return nil, elementError(path+"/CreDtTm", fmt.Errorf("%w: %.40q, want YYYY-MM-DDThh:mm:ss", ErrBadDate, in.CreatedAt))
	}
	if err := checkRead(path+"/InitgPty/Nm", in.InitiatingParty, max140, false); err != nil {
		return nil, err
	}
	return in, nil
}

// readPaymentInfo reads one payment information block into in, adding its amounts to
// total: the first block gives the debtor and execution date, which the others must
// repeat.
func (in *Initiation) readPaymentInfo(path string, x *xPaymentInfo, total *sum) error {
	if m := text(x.PmtMtd); m != "TRF" {
		if m == "" {
			return elementError(path+"/PmtMtd", ErrMissingElement)
		}
		return elementError(path+"/PmtMtd", fmt.Errorf("%w: payment method %.10q, want TRF (credit transfer)", ErrUnsupported, m))
	}
	date, err := executionDate(path+"/ReqdExctnDt", x.ReqdExctnDt)
	if err != nil {
		return err
	}
	debtor := Party{Name: text(x.Dbtr), BIC: x.DbtrAgt.bic()}
	if err := checkRead(path+"/Dbtr/Nm", debtor.Name, max140, false); err != nil {
		return err
	}
	if debtor.Account, err = readAccount(path+"/DbtrAcct/Id", x.DbtrAcct); err != nil {
		return err
	}
	if len(in.Payments) == 0 {
		in.ExecutionDate, in.Debtor = date, debtor
	} else if debtor.Account.String() != in.Debtor.Account.String() || date != in.ExecutionDate {
		return elementError(path, fmt.Errorf("%w: debtor account %s on %s, but the first block's is %s on %s; chipmint reads one debtor account and execution date per file",
			ErrUnsupported, debtor.Account, date, in.Debtor.Account, in.ExecutionDate))
	}
	if len(x.Txs) == 0 {
		return elementError(path+"/CdtTrfTxInf", ErrMissingElement)
	}
	var block sum
	for i := range x.Txs {
		txPath := fmt.Sprintf("%s/CdtTrfTxInf[%d]", path, i+1)
		p, digits, err := readPayment(txPath, &x.Txs[i])
		if err != nil {
			return err
		}
		for j, q := range in.Payments {
			if q.EndToEndID == p.EndToEndID {
				return elementError(txPath+"/PmtId/EndToEndId", fmt.Errorf("%w: %q is also payment %d's", ErrDuplicatePayment, p.EndToEndID, j+1))
			}
		}
		if !block.add(p.AmountMinor, digits) || !total.add(p.AmountMinor, digits) {
			return elementError(txPath+"/Amt/InstdAmt", fmt.Errorf("%w: the sum of the amounts overflows", ErrBadAmount))
		}
		in.Payments = append(in.Payments, p)
	}
	return checkControl(path, x.NbOfTxs, x.CtrlSum, len(x.Txs), block)
}

// readPayment reads one transaction and returns it with its currency's minor digits.
func readPayment(path string, x *xTransaction) (Payment, int, error) {
	p := Payment{
		InstructionID: text(x.InstrID), EndToEndID: text(x.EndToEndID),
		CreditorName: text(x.Cdtr), CreditorBIC: x.CdtrAgt.bic(),
	}
	if err := checkRead(path+"/PmtId/InstrId", p.InstructionID, max35, false); err != nil {
		return Payment{}, 0, err
	}
	if err := checkRead(path+"/PmtId/EndToEndId", p.EndToEndID, max35, true); err != nil {
		return Payment{}, 0, err
	}
	if x.EqvtAmt != nil {
		return Payment{}, 0, elementError(path+"/Amt/EqvtAmt", fmt.Errorf("%w: an amount given as an equivalent in another currency", ErrUnsupported))
	}
	digits, err := readAmount(path+"/Amt/InstdAmt", x.InstdAmt, &p)
	if err != nil {
		return Payment{}, 0, err
	}
	if err := checkRead(path+"/Cdtr/Nm", p.CreditorName, max140, false); err != nil {
		return Payment{}, 0, err
	}
	if p.CreditorAccount, err = readAccount(path+"/CdtrAcct/Id", x.CdtrAcct); err != nil {
		return Payment{}, 0, err
	}
	lines := make([]string, 0, len(x.Ustrd))
	for _, u := range x.Ustrd {
		if u = text(u); u != "" {
			lines = append(lines, u)
		}
	}
	p.Unstructured = strings.Join(lines, " ")
	for i, r := range x.Refs {
		if r = text(r); r == "" || p.CreditorReference != "" {
			continue
		} else if err := checkRead(fmt.Sprintf("%s/RmtInf/Strd[%d]/CdtrRefInf/Ref", path, i+1), r, max35, false); err != nil {
			return Payment{}, 0, err
		}
		p.CreditorReference = r
		if rf, err := fiat.ParseCreditorReference(r); err == nil {
			p.CreditorReference = rf.String()
		}
	}
	return p, digits, nil
}

// readAmount reads InstdAmt into p and returns its currency's minor digits. The amount
// must be positive and have no more fractional digits than its currency.
func readAmount(path string, x *xAmount, p *Payment) (int, error) {
	if x == nil {
		return 0, elementError(path, ErrMissingElement)
	}
	code := text(x.Ccy)
	if code == "" {
		return 0, elementError(path+"/@Ccy", ErrMissingElement)
	}
	c, err := fiat.ParseCurrency(code)
	if err != nil {
		return 0, elementError(path+"/@Ccy", fmt.Errorf("%w: %w", ErrBadCurrency, err))
	}
	minor, err := fiat.ParseAmount(text(x.Value), c)
	if err == nil && minor == 0 {
		err = fmt.Errorf("zero")
	}
	if err != nil {
		return 0, elementError(path, fmt.Errorf("%w: %w", ErrBadAmount, err))
	}
	p.AmountMinor, p.Currency = minor, code
	return c.MinorDigits(), nil
}

// readAccount reads an account's identification: an IBAN of the schemas' shape, in
// electronic form, or an other identification, never both.
func readAccount(path string, x *xAccount) (Account, error) {
	switch {
	case x == nil || x.IBAN == "" && x.Other == nil:
		return Account{}, elementError(path+"/IBAN", ErrMissingElement)
	case x.Other == nil:
		iban := text(x.IBAN)
		if !ibanShape.MatchString(iban) {
			return Account{}, elementError(path+"/IBAN", fmt.Errorf("%w: %.40q is not an IBAN", ErrBadText, iban))
		}
		return Account{IBAN: strings.ToUpper(iban)}, nil
	}
	o := fiat.OtherAccount{ID: text(x.Other.ID), Scheme: text(x.Other.SchemeCode), Issuer: text(x.Other.Issuer)}
	if o.Scheme == "" {
		o.Scheme = text(x.Other.SchemePrtry)
	}
	if err := checkRead(path+"/Othr/Id", o.ID, 34, true); err != nil {
		return Account{}, err
	}
	for _, f := range []struct{ path, value string }{{path + "/Othr/SchmeNm", o.Scheme}, {path + "/Othr/Issr", o.Issuer}} {
		if err := checkRead(f.path, f.value, max35, false); err != nil {
			return Account{}, err
		}
	}
	return Account{Other: o}, nil
}

// executionDate reads ReqdExctnDt, a date (up to .001.07) or Dt or DtTm (from .001.08),
// and returns its date.
func executionDate(path string, x *xDate) (string, error) {
	if x == nil {
		return "", elementError(path, ErrMissingElement)
	}
	s, ok := text(x.Text), false
	var d string
	switch {
	case text(x.Dt) != "":
		path, s = path+"/Dt", text(x.Dt)
		d, ok = isoDate(s)
	case text(x.DtTm) != "":
		path, s = path+"/DtTm", text(x.DtTm)
		d, ok = isoDateTime(s)
	case s != "":
		d, ok = isoDate(s)
	default:
		return "", elementError(path, ErrMissingElement)
	}
	if !ok {
		return "", elementError(path, fmt.Errorf("%w: %.40q, want YYYY-MM-DD", ErrBadDate, s))
	}
	return d, nil
}

// checkControl checks a number of transactions (required in the group header, which
// passes a non-nil nb) and an optional control sum against n payments and their sum.
func checkControl(path string, nb, ctrlSum *string, n int, total sum) error {
	if nb != nil {
		s := text(*nb)
		if s == "" {
			return elementError(path+"/NbOfTxs", ErrMissingElement)
		}
		if v, err := strconv.ParseUint(s, 10, 64); err != nil || v != uint64(n) {
			return elementError(path+"/NbOfTxs", fmt.Errorf("%w: %.20q transactions, the file has %d", ErrControl, s, n))
		}
	}
	if ctrlSum == nil {
		return nil
	}
	s := text(*ctrlSum)
	v, err := fiat.ParseDecimal(trimZeros(s, sumDigits), sumDigits)
	if err != nil || v != total.v {
		return elementError(path+"/CtrlSum", fmt.Errorf("%w: control sum %.40q, the amounts add up to %s", ErrControl, s, total))
	}
	return nil
}

// trimZeros drops the zeros of a decimal's fraction beyond digits: a control sum may be
// written with more fractional digits than any currency has.
func trimZeros(s string, digits int) string {
	whole, frac, ok := strings.Cut(s, ".")
	if !ok || len(frac) <= digits || strings.Trim(frac[digits:], "0") != "" {
		return s
	}
	return whole + "." + frac[:digits]
}

// bic returns the agent's BIC (BICFI, or BIC up to .001.03), upper-cased, or "".
func (a xAgent) bic() string {
	if b := text(a.BICFI); b != "" {
		return strings.ToUpper(b)
	}
	return strings.ToUpper(text(a.BIC))
}

// checkRead checks a value read: present when required, at most maxChars characters.
func checkRead(path, s string, maxChars int, required bool) error {
	switch {
	case s == "" && required:
		return elementError(path, ErrMissingElement)
	case len([]rune(s)) > maxChars:
		return elementError(path, fmt.Errorf("%w: %d characters, at most %d", ErrBadText, len([]rune(s)), maxChars))
	}
	return nil
}

// text returns the value of an element without leading and trailing white space.
func text(s string) string { return strings.Trim(s, xmlSpace) }

// isSchemeCode reports whether a scheme is written as a code (SchmeNm/Cd): one to four
// upper-case letters and digits, as package fiat reads it.
func isSchemeCode(s string) bool {
	if s == "" || len(s) > 4 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if (s[i] < 'A' || s[i] > 'Z') && (s[i] < '0' || s[i] > '9') {
			return false
		}
	}
	return true
}

// isoDate checks an xs:date, YYYY-MM-DD with an optional time zone, and returns its
// YYYY-MM-DD part.
func isoDate(s string) (string, bool) {
	if len(s) < 10 {
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
	if len(s) < 19 || s[10] != 'T' {
		return "", false
	}
	if _, err := time.Parse("15:04:05", s[11:19]); err != nil {
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
	if z == "" || z == "Z" {
		return true
	}
	if len(z) != 6 || z[0] != '+' && z[0] != '-' || z[3] != ':' {
		return false
	}
	h, err1 := strconv.Atoi(z[1:3])
	m, err2 := strconv.Atoi(z[4:6])
	return err1 == nil && err2 == nil && isDigits(z[1:3]) && isDigits(z[4:6]) && h <= 14 && m <= 59
}

// isDigits reports whether s is non-empty and all ASCII digits.
func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
