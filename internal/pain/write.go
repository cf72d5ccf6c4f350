package pain

import (
	"encoding/xml"
	"fmt"
	"math/bits"
	"regexp"
	"strconv"
	"unicode/utf8"

	"github.com/chipmint/chipmint/internal/fiat"
	"github.com/chipmint/chipmint/internal/isoxml"
)

// namespaceWritten is the namespace of the version Write produces.
const namespaceWritten = namespacePrefix + "001.09"

// Maximum lengths, in characters, of the ISO 20022 text types Write uses.
const (
	max35  = 35  // Max35Text: identifiers
	max140 = 140 // Max140Text: names and unstructured remittance
)

// restrictedID is ISO 20022's restricted character set for identifiers, as the EPC and
// most banks apply it: Latin letters, digits and / - ? : ( ) . , ' + and space, not
// starting or ending with a slash and without a double slash.
var restrictedID = regexp.MustCompile(`^[A-Za-z0-9?:().,'+ -]([A-Za-z0-9/?:().,'+ -]*[A-Za-z0-9?:().,'+ -])?$`)

// notProvided is what a debtor agent without a BIC is written as (FinInstnId/Othr/Id),
// as the EPC's guidelines say.
const notProvided = "NOTPROVIDED"

// The w* types are a pain.001.001.09 document, their fields in the order of the schema.
// Optional groups are nil pointers: encoding/xml writes the parents of an empty
// "a>b,omitempty" field all the same.

type wDocument struct {
	XMLName xml.Name
	Msg     wMessage `xml:"CstmrCdtTrfInitn"`
}

type wMessage struct {
	MsgID    string       `xml:"GrpHdr>MsgId"`
	CreDtTm  string       `xml:"GrpHdr>CreDtTm"`
	NbOfTxs  string       `xml:"GrpHdr>NbOfTxs"`
	CtrlSum  string       `xml:"GrpHdr>CtrlSum"`
	InitgPty wName        `xml:"GrpHdr>InitgPty"`
	PmtInf   wPaymentInfo `xml:"PmtInf"`
}

type wName struct {
	Name string `xml:"Nm"`
}

type wPaymentInfo struct {
	PmtInfID    string         `xml:"PmtInfId"`
	PmtMtd      string         `xml:"PmtMtd"`
	NbOfTxs     string         `xml:"NbOfTxs"`
	CtrlSum     string         `xml:"CtrlSum"`
	ReqdExctnDt string         `xml:"ReqdExctnDt>Dt"`
	Dbtr        wName          `xml:"Dbtr"`
	DbtrAcct    wAccountID     `xml:"DbtrAcct>Id"`
	DbtrAgt     wAgent         `xml:"DbtrAgt>FinInstnId"`
	Txs         []wTransaction `xml:"CdtTrfTxInf"`
}

type wAccountID struct {
	IBAN  string  `xml:"IBAN,omitempty"`
	Other *wOther `xml:"Othr,omitempty"`
}

type wOther struct {
	ID     string   `xml:"Id"`
	Scheme *wScheme `xml:"SchmeNm,omitempty"`
	Issuer string   `xml:"Issr,omitempty"`
}

type wScheme struct {
	Code  string `xml:"Cd,omitempty"`
	Prtry string `xml:"Prtry,omitempty"`
}

type wAgent struct {
	BICFI string    `xml:"BICFI,omitempty"`
	Other *wAgentID `xml:"Othr,omitempty"`
}

type wAgentID struct {
	ID string `xml:"Id"`
}

type wTransaction struct {
	InstrID    string        `xml:"PmtId>InstrId,omitempty"`
	EndToEndID string        `xml:"PmtId>EndToEndId"`
	Amt        isoxml.Amount `xml:"Amt>InstdAmt"`
	CdtrAgt    *wAgent       `xml:"CdtrAgt>FinInstnId,omitempty"`
	Cdtr       wName         `xml:"Cdtr"`
	CdtrAcct   wAccountID    `xml:"CdtrAcct>Id"`
	RmtInf     *wRemittance  `xml:"RmtInf,omitempty"`
}

type wRemittance struct {
	Ustrd string       `xml:"Ustrd,omitempty"`
	Strd  *wCdtrRefInf `xml:"Strd>CdtrRefInf,omitempty"`
}

type wCdtrRefInf struct {
	Code   string `xml:"Tp>CdOrPrtry>Cd"`
	Issuer string `xml:"Tp>Issr"`
	Ref    string `xml:"Ref"`
}

// Write writes in as a pain.001.001.09 document with one payment information block
// (PmtInf) whose id is the message id, payment method TRF, and the number of
// transactions and control sum (the sum of all amounts, whatever their currencies) in
// both the group header and the block. A debtor without a BIC is written with the
// debtor agent NOTPROVIDED. Read returns in unchanged. A value that is invalid or would
// not survive that round trip is an *Error naming its element.
func Write(in Initiation) ([]byte, error) {
	const root = "Document/CstmrCdtTrfInitn"
	const pmtInf = root + "/PmtInf[1]"
	if err := checkID(root+"/GrpHdr/MsgId", in.MessageID, true); err != nil {
		return nil, err
	}
	if _, ok := isoxml.DateTime(in.CreatedAt); !ok {
		return nil, elementError(root+"/GrpHdr/CreDtTm", fmt.Errorf("%w: %.40q, want YYYY-MM-DDThh:mm:ss", ErrBadDate, in.CreatedAt))
	}
	if err := checkText(root+"/GrpHdr/InitgPty/Nm", in.InitiatingParty, max140, true); err != nil {
		return nil, err
	}
	if d, ok := isoxml.Date(in.ExecutionDate); !ok || d != in.ExecutionDate {
		return nil, elementError(pmtInf+"/ReqdExctnDt/Dt", fmt.Errorf("%w: %.40q, want YYYY-MM-DD", ErrBadDate, in.ExecutionDate))
	}
	if err := checkText(pmtInf+"/Dbtr/Nm", in.Debtor.Name, max140, true); err != nil {
		return nil, err
	}
	dbtrAcct, err := writeAccount(pmtInf+"/DbtrAcct/Id", in.Debtor.Account)
	if err != nil {
		return nil, err
	}
	dbtrAgt, err := writeAgent(pmtInf+"/DbtrAgt/FinInstnId/BICFI", in.Debtor.BIC)
	if err != nil {
		return nil, err
	}
	if len(in.Payments) == 0 {
		return nil, elementError(pmtInf+"/CdtTrfTxInf", fmt.Errorf("%w: an initiation needs at least one payment", ErrMissingElement))
	}
	txs, sum, err := writePayments(pmtInf, in.Payments)
	if err != nil {
		return nil, err
	}
	n := strconv.Itoa(len(in.Payments))
	doc := wDocument{
		XMLName: xml.Name{Space: namespaceWritten, Local: isoxml.Root},
		Msg: wMessage{
			MsgID: in.MessageID, CreDtTm: in.CreatedAt, NbOfTxs: n, CtrlSum: sum,
			InitgPty: wName{Name: in.InitiatingParty},
			PmtInf: wPaymentInfo{
				PmtInfID: in.MessageID, PmtMtd: "TRF", NbOfTxs: n, CtrlSum: sum,
				ReqdExctnDt: in.ExecutionDate, Dbtr: wName{Name: in.Debtor.Name},
				DbtrAcct: dbtrAcct, DbtrAgt: *dbtrAgt, Txs: txs,
			},
		},
	}
	b, err := isoxml.Marshal(&doc)
	if err != nil {
		return nil, fmt.Errorf("pain: write: %w", err)
	}
	return b, nil
}

// writePayments checks and builds the transactions and their control sum.
func writePayments(pmtInf string, payments []Payment) ([]wTransaction, string, error) {
	seen := make(map[string]int, len(payments))
	var total sum
	txs := make([]wTransaction, 0, len(payments))
	for i, p := range payments {
		path := fmt.Sprintf("%s/CdtTrfTxInf[%d]", pmtInf, i+1)
		tx, err := writePayment(path, p)
		if err != nil {
			return nil, "", err
		}
		if j, ok := seen[p.EndToEndID]; ok {
			return nil, "", elementError(path+"/PmtId/EndToEndId", fmt.Errorf("%w: %q is also payment %d's", ErrDuplicatePayment, p.EndToEndID, j+1))
		}
		seen[p.EndToEndID] = i
		c, _ := fiat.ParseCurrency(p.Currency) // writePayment checked it
		if !total.add(p.AmountMinor, c.MinorDigits()) {
			return nil, "", elementError(path+"/Amt/InstdAmt", fmt.Errorf("%w: the sum of the amounts overflows", ErrBadAmount))
		}
		txs = append(txs, tx)
	}
	return txs, total.String(), nil
}

// writePayment checks and builds one transaction.
func writePayment(path string, p Payment) (wTransaction, error) {
	if err := checkID(path+"/PmtId/InstrId", p.InstructionID, false); err != nil {
		return wTransaction{}, err
	}
	if err := checkID(path+"/PmtId/EndToEndId", p.EndToEndID, true); err != nil {
		return wTransaction{}, err
	}
	c, err := fiat.ParseCurrency(p.Currency)
	if err != nil {
		return wTransaction{}, elementError(path+"/Amt/InstdAmt/@Ccy", fmt.Errorf("%w: %w", ErrBadCurrency, err))
	}
	if p.AmountMinor == 0 {
		return wTransaction{}, elementError(path+"/Amt/InstdAmt", fmt.Errorf("%w: zero", ErrBadAmount))
	}
	agt, err := writeAgent(path+"/CdtrAgt/FinInstnId/BICFI", p.CreditorBIC)
	if err != nil {
		return wTransaction{}, err
	}
	if p.CreditorBIC == "" {
		agt = nil
	}
	if err := checkText(path+"/Cdtr/Nm", p.CreditorName, max140, true); err != nil {
		return wTransaction{}, err
	}
	acct, err := writeAccount(path+"/CdtrAcct/Id", p.CreditorAccount)
	if err != nil {
		return wTransaction{}, err
	}
	rmt, err := writeRemittance(path+"/RmtInf", p)
	if err != nil {
		return wTransaction{}, err
	}
	return wTransaction{
		InstrID: p.InstructionID, EndToEndID: p.EndToEndID,
		Amt:     isoxml.Amount{Ccy: c.Code(), Value: fiat.FormatAmount(p.AmountMinor, c)},
		CdtrAgt: agt, Cdtr: wName{Name: p.CreditorName}, CdtrAcct: acct, RmtInf: rmt,
	}, nil
}

// writeRemittance builds RmtInf: the unstructured text or the RF creditor reference,
// not both; nil when the payment has neither.
func writeRemittance(path string, p Payment) (*wRemittance, error) {
	switch {
	case p.Unstructured != "" && p.CreditorReference != "":
		return nil, elementError(path+"/Strd", fmt.Errorf("%w: a payment has unstructured remittance or a creditor reference, not both", ErrBadText))
	case p.CreditorReference != "":
		ref, err := fiat.ParseCreditorReference(p.CreditorReference)
		if err == nil && ref.String() != p.CreditorReference {
			err = fmt.Errorf("not in electronic form, want %s", ref)
		}
		if err != nil {
			return nil, elementError(path+"/Strd/CdtrRefInf/Ref", fmt.Errorf("%w: %w", ErrBadText, err))
		}
		return &wRemittance{Strd: &wCdtrRefInf{Code: "SCOR", Issuer: "ISO", Ref: p.CreditorReference}}, nil
	case p.Unstructured != "":
		if err := checkText(path+"/Ustrd", p.Unstructured, max140, true); err != nil {
			return nil, err
		}
		return &wRemittance{Ustrd: p.Unstructured}, nil
	}
	return nil, nil
}

// writeAccount checks and builds an account's identification: a valid IBAN in
// electronic form, or an other identification in the canonical form of
// fiat.ParseOtherAccount, never both.
func writeAccount(path string, a Account) (wAccountID, error) {
	if a.IBAN != "" {
		if a.Other != (fiat.OtherAccount{}) {
			return wAccountID{}, elementError(path+"/Othr", fmt.Errorf("%w: an account identified by IBAN has no other identification", ErrBadText))
		}
		iban, err := fiat.ParseIBAN(a.IBAN)
		if err == nil && iban.String() != a.IBAN {
			err = fmt.Errorf("not in electronic form, want %s", iban)
		}
		if err != nil {
			return wAccountID{}, elementError(path+"/IBAN", fmt.Errorf("%w: %w", ErrBadText, err))
		}
		return wAccountID{IBAN: a.IBAN}, nil
	}
	if a.Other == (fiat.OtherAccount{}) {
		return wAccountID{}, elementError(path+"/IBAN", ErrMissingElement)
	}
	o, err := fiat.ParseOtherAccount(a.Other.ID, a.Other.Scheme, a.Other.Issuer)
	if err == nil && o != a.Other {
		err = fmt.Errorf("not in canonical form, want %s", o)
	}
	if err != nil {
		return wAccountID{}, elementError(path+"/Othr", fmt.Errorf("%w: %w", ErrBadText, err))
	}
	w := &wOther{ID: o.ID, Issuer: o.Issuer, Scheme: &wScheme{Prtry: o.Scheme}}
	if isoxml.IsCode(o.Scheme) {
		w.Scheme = &wScheme{Code: o.Scheme}
	}
	return wAccountID{Other: w}, nil
}

// writeAgent builds a financial institution by its BIC, or NOTPROVIDED without one.
func writeAgent(path, bic string) (*wAgent, error) {
	if bic == "" {
		return &wAgent{Other: &wAgentID{ID: notProvided}}, nil
	}
	b, err := fiat.ParseBIC(bic)
	if err == nil && b.String() != bic {
		err = fmt.Errorf("not upper case, want %s", b)
	}
	if err != nil {
		return nil, elementError(path, fmt.Errorf("%w: %w", ErrBadText, err))
	}
	return &wAgent{BICFI: bic}, nil
}

// checkID checks an identifier: 1 to 35 characters of ISO 20022's restricted set.
func checkID(path, s string, required bool) error {
	if err := checkText(path, s, max35, required); err != nil || s == "" {
		return err
	}
	if !restrictedID.MatchString(s) {
		return elementError(path, fmt.Errorf("%w: %.40q has characters outside ISO 20022's restricted set (letters, digits, / - ? : ( ) . , ' + and space; no leading, trailing or double slash)", ErrBadText, s))
	}
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '/' && s[i+1] == '/' {
			return elementError(path, fmt.Errorf("%w: %.40q has a double slash", ErrBadText, s))
		}
	}
	return nil
}

// checkText checks a text value against its maximum length and against what Read would
// change: leading or trailing white space, which it trims, and characters that XML 1.0
// cannot carry, which encoding/xml would replace.
func checkText(path, s string, maxChars int, required bool) error {
	switch {
	case s == "":
		if required {
			return elementError(path, ErrMissingElement)
		}
		return nil
	case !utf8.ValidString(s):
		return elementError(path, fmt.Errorf("%w: invalid UTF-8", ErrBadText))
	case isoxml.Text(s) != s:
		return elementError(path, fmt.Errorf("%w: %.40q has leading or trailing white space", ErrBadText, s))
	case utf8.RuneCountInString(s) > maxChars:
		return elementError(path, fmt.Errorf("%w: %d characters, at most %d", ErrBadText, utf8.RuneCountInString(s), maxChars))
	}
	for _, r := range s {
		if !isoxml.IsChar(r) || r == '\t' || r == '\n' || r == '\r' {
			return elementError(path, fmt.Errorf("%w: character %U is not allowed", ErrBadText, r))
		}
	}
	return nil
}

// sumDigits is the scale of a control sum: the most minor digits a currency has.
const sumDigits = 3

// sum is a control sum: amounts of any currencies added up, scaled by 10^sumDigits.
type sum struct{ v uint64 }

// add adds minor units of a currency with digits minor digits, reporting false on
// overflow.
func (s *sum) add(minor uint64, digits int) bool {
	for range sumDigits - digits {
		hi, lo := bits.Mul64(minor, 10)
		if hi != 0 {
			return false
		}
		minor = lo
	}
	v, carry := bits.Add64(s.v, minor, 0)
	s.v = v
	return carry == 0
}

// String formats the sum with two fractional digits when its third is zero, as banks
// write control sums of two-digit currencies, else with three.
func (s sum) String() string {
	if s.v%10 == 0 {
		return fiat.FormatDecimal(s.v/10, sumDigits-1)
	}
	return fiat.FormatDecimal(s.v, sumDigits)
}
