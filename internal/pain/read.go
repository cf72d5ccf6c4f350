package pain

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/chipmint/chipmint/internal/fiat"
	"github.com/chipmint/chipmint/internal/isoxml"
)

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

// xAmount is an amount with its currency, such as <InstdAmt Ccy="EUR">100.50</InstdAmt>.
type xAmount = isoxml.Amount

// Read reads a pain.001 customer credit transfer initiation of any version from .001.03
// to .001.12, in UTF-8 or in the character set its XML declaration names. Its payment
// information blocks must all name the same debtor account and execution date, and pay
// by credit transfer (TRF); their payments are returned in file order. The group's and
// each block's number of transactions and, when given, control sum must match the
// payments. A file that is malformed, larger than MaxInputBytes, or carries a value that
// cannot be trusted is refused as a whole with an *Error naming the element at fault.
func Read(b []byte) (*Initiation, error) {
	var x xDocument
	if _, err := format.Decode(b, &x); err != nil {
		return nil, err
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
	in := &Initiation{MessageID: isoxml.Text(h.MsgID), CreatedAt: isoxml.Text(h.CreDtTm), InitiatingParty: isoxml.Text(h.InitgPty)}
	if err := checkRead(path+"/MsgId", in.MessageID, max35, true); err != nil {
		return nil, err
	}
	if _, ok := isoxml.DateTime(in.CreatedAt); !ok {
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
	if m := isoxml.Text(x.PmtMtd); m != "TRF" {
		if m == "" {
			return elementError(path+"/PmtMtd", ErrMissingElement)
		}
		return elementError(path+"/PmtMtd", fmt.Errorf("%w: payment method %.10q, want TRF (credit transfer)", ErrUnsupported, m))
	}
	date, err := executionDate(path+"/ReqdExctnDt", x.ReqdExctnDt)
	if err != nil {
		return err
	}
	debtor := Party{Name: isoxml.Text(x.Dbtr), BIC: x.DbtrAgt.bic()}
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
		InstructionID: isoxml.Text(x.InstrID), EndToEndID: isoxml.Text(x.EndToEndID),
		CreditorName: isoxml.Text(x.Cdtr), CreditorBIC: x.CdtrAgt.bic(),
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
		if u = isoxml.Text(u); u != "" {
			lines = append(lines, u)
		}
	}
	p.Unstructured = strings.Join(lines, " ")
	for i, r := range x.Refs {
		if r = isoxml.Text(r); r == "" || p.CreditorReference != "" {
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
	code := isoxml.Text(x.Ccy)
	if code == "" {
		return 0, elementError(path+"/@Ccy", ErrMissingElement)
	}
	c, err := fiat.ParseCurrency(code)
	if err != nil {
		return 0, elementError(path+"/@Ccy", fmt.Errorf("%w: %w", ErrBadCurrency, err))
	}
	minor, err := fiat.ParseAmount(isoxml.Text(x.Value), c)
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
		iban := isoxml.Text(x.IBAN)
		if !ibanShape.MatchString(iban) {
			return Account{}, elementError(path+"/IBAN", fmt.Errorf("%w: %.40q is not an IBAN", ErrBadText, iban))
		}
		return Account{IBAN: strings.ToUpper(iban)}, nil
	}
	o := fiat.OtherAccount{ID: isoxml.Text(x.Other.ID), Scheme: isoxml.Text(x.Other.SchemeCode), Issuer: isoxml.Text(x.Other.Issuer)}
	if o.Scheme == "" {
		o.Scheme = isoxml.Text(x.Other.SchemePrtry)
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
	s, ok := isoxml.Text(x.Text), false
	var d string
	switch {
	case isoxml.Text(x.Dt) != "":
		path, s = path+"/Dt", isoxml.Text(x.Dt)
		d, ok = isoxml.Date(s)
	case isoxml.Text(x.DtTm) != "":
		path, s = path+"/DtTm", isoxml.Text(x.DtTm)
		d, ok = isoxml.DateTime(s)
	case s != "":
		d, ok = isoxml.Date(s)
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
		s := isoxml.Text(*nb)
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
	s := isoxml.Text(*ctrlSum)
	v, err := fiat.ParseDecimal(isoxml.TrimZeros(s, sumDigits), sumDigits)
	if err != nil || v != total.v {
		return elementError(path+"/CtrlSum", fmt.Errorf("%w: control sum %.40q, the amounts add up to %s", ErrControl, s, total))
	}
	return nil
}

// bic returns the agent's BIC (BICFI, or BIC up to .001.03), upper-cased, or "".
func (a xAgent) bic() string {
	if b := isoxml.Text(a.BICFI); b != "" {
		return strings.ToUpper(b)
	}
	return strings.ToUpper(isoxml.Text(a.BIC))
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
