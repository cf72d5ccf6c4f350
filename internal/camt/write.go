package camt

import (
	"encoding/xml"
	"fmt"

	"github.com/chipmint/chipmint/internal/fiat"
	"github.com/chipmint/chipmint/internal/isoxml"
)

// The namespaces of the versions the writers produce.
const (
	namespaceNotification = isoxml.NamespacePrefix + "camt.054.001.08"
	namespaceStatement    = isoxml.NamespacePrefix + "camt.053.001.08"
)

// The w* types are camt.054.001.08 and camt.053.001.08 documents, their fields in
// the order of the schemas. encoding/xml writes adjacent fields that share a parent
// path (Domn>Cd, Domn>Fmly>Cd) into one parent element. It writes the parents of an
// empty "a>b,omitempty" field all the same, so optional groups are nil pointers
// instead.

type wDocument struct {
	XMLName      xml.Name
	Notification *wMessage `xml:"BkToCstmrDbtCdtNtfctn,omitempty"`
	Statement    *wMessage `xml:"BkToCstmrStmt,omitempty"`
}

type wMessage struct {
	MsgID        string   `xml:"GrpHdr>MsgId"`
	CreDtTm      string   `xml:"GrpHdr>CreDtTm"`
	Notification *wReport `xml:"Ntfctn,omitempty"`
	Statement    *wReport `xml:"Stmt,omitempty"`
}

type wReport struct {
	ID       string     `xml:"Id"`
	CreDtTm  string     `xml:"CreDtTm,omitempty"`
	FrToDt   *wPeriod   `xml:"FrToDt,omitempty"`
	Acct     wAccount   `xml:"Acct"`
	Balances []wBalance `xml:"Bal"`
	Entries  []wEntry   `xml:"Ntry"`
}

type wPeriod struct {
	From string `xml:"FrDtTm"`
	To   string `xml:"ToDtTm"`
}

type wAccount struct {
	ID  wAccountID `xml:"Id"`
	Ccy string     `xml:"Ccy,omitempty"`
}

type wAccountID struct {
	IBAN  string  `xml:"IBAN,omitempty"`
	Other *wOther `xml:"Othr,omitempty"`
}

type wOther struct {
	ID     string     `xml:"Id"`
	Scheme *wCodeText `xml:"SchmeNm,omitempty"`
	Issuer string     `xml:"Issr,omitempty"`
}

type wBalance struct {
	Type      wCodeText     `xml:"Tp>CdOrPrtry"`
	Amt       isoxml.Amount `xml:"Amt"`
	CdtDbtInd string        `xml:"CdtDbtInd"`
	Dt        string        `xml:"Dt>Dt"`
}

type wCodeText struct {
	Code  string `xml:"Cd,omitempty"`
	Prtry string `xml:"Prtry,omitempty"`
}

type wEntry struct {
	Amt         isoxml.Amount `xml:"Amt"`
	CdtDbtInd   string        `xml:"CdtDbtInd"`
	RvslInd     string        `xml:"RvslInd,omitempty"`
	Sts         string        `xml:"Sts>Cd"`
	BookgDt     *wDate        `xml:"BookgDt,omitempty"`
	ValDt       *wDate        `xml:"ValDt,omitempty"`
	AcctSvcrRef string        `xml:"AcctSvcrRef,omitempty"`
	Domain      string        `xml:"BkTxCd>Domn>Cd"`
	Family      string        `xml:"BkTxCd>Domn>Fmly>Cd"`
	SubFamily   string        `xml:"BkTxCd>Domn>Fmly>SubFmlyCd"`
	Transaction wTransaction  `xml:"NtryDtls>TxDtls"`
}

type wDate struct {
	Dt string `xml:"Dt"`
}

type wTransaction struct {
	Refs      *wRefs         `xml:"Refs,omitempty"`
	Amt       isoxml.Amount  `xml:"Amt"`
	CdtDbtInd string         `xml:"CdtDbtInd"`
	InstdAmt  *isoxml.Amount `xml:"AmtDtls>InstdAmt>Amt,omitempty"`
	Chrgs     *isoxml.Amount `xml:"Chrgs>TtlChrgsAndTaxAmt,omitempty"`
	Parties   *wParties      `xml:"RltdPties,omitempty"`
	RmtInf    *wRmtInf       `xml:"RmtInf,omitempty"`
	Return    *wCodeText     `xml:"RtrInf>Rsn,omitempty"`
}

type wRefs struct {
	AcctSvcrRef string `xml:"AcctSvcrRef,omitempty"`
	EndToEndID  string `xml:"EndToEndId,omitempty"`
	UETR        string `xml:"UETR,omitempty"`
}

type wParties struct {
	Debtor          *wParty     `xml:"Dbtr,omitempty"`
	DebtorAccount   *wAccountID `xml:"DbtrAcct>Id,omitempty"`
	Creditor        *wParty     `xml:"Cdtr,omitempty"`
	CreditorAccount *wAccountID `xml:"CdtrAcct>Id,omitempty"`
}

type wParty struct {
	Name string `xml:"Pty>Nm"`
}

type wRmtInf struct {
	Ustrd []string `xml:"Ustrd"`
	Strd  []wStrd  `xml:"Strd"`
}

type wStrd struct {
	CdtrRefInf *wCdtrRefInf `xml:"CdtrRefInf,omitempty"`
	Addtl      []string     `xml:"AddtlRmtInf"`
}

type wCdtrRefInf struct {
	Code   string `xml:"Tp>CdOrPrtry>Cd"`
	Issuer string `xml:"Tp>Issr,omitempty"`
	Ref    string `xml:"Ref"`
}

// maxAddtlRmtInf is how many AddtlRmtInf lines one Strd holds.
const maxAddtlRmtInf = 3

// WriteNotification writes n as a camt.054.001.08 document with message id msgID
// and creation date-time createdAt (ISO 8601, such as "2026-03-01T10:00:00Z"). Each
// Entry becomes one Ntry with one TxDtls, with the bank transaction code PMNT, the
// family RCDT or ICDT (the payment it is, reverses or returns was received or issued)
// and the sub-family RPCR for a reversal, RRTN for a return (a ReturnReason without the
// reversal indicator) and ESCT otherwise. Parse returns n's entries unchanged, except
// that Parse fills in what it derives: Kind, and References from a
// CreditorReference given alone; it reads an EndToEndID of "NOTPROVIDED" as none, and
// an entry in a currency other than n's with a Problem. A value that would be invalid or
// would not survive that round trip is an error, and so is a Problem, which only Parse
// sets.
func WriteNotification(msgID, createdAt string, n Notification) ([]byte, error) {
	r, err := writeReport("Document/BkToCstmrDbtCdtNtfctn/Ntfctn", n.ID, n.CreatedAt, n.Account, n.Currency, n.Entries)
	if err != nil {
		return nil, err
	}
	m, err := writeMessage("Document/BkToCstmrDbtCdtNtfctn", msgID, createdAt)
	if err != nil {
		return nil, err
	}
	m.Notification = r
	return marshal(&wDocument{XMLName: xml.Name{Space: namespaceNotification, Local: isoxml.Root}, Notification: m})
}

// WriteStatement writes s as a camt.053.001.08 document, as WriteNotification does a
// notification. A statement needs at least one balance.
func WriteStatement(msgID, createdAt string, s Statement) ([]byte, error) {
	path := "Document/BkToCstmrStmt/Stmt"
	r, err := writeReport(path, s.ID, s.CreatedAt, s.Account, s.Currency, s.Entries)
	if err != nil {
		return nil, err
	}
	if len(s.Balances) == 0 {
		return nil, writeError(path+"/Bal", fmt.Errorf("%w: a statement needs at least one balance", ErrMissingElement))
	}
	if s.From != "" || s.To != "" {
		if err := checkDateTime(path+"/FrToDt/FrDtTm", s.From, true); err != nil {
			return nil, err
		}
		if err := checkDateTime(path+"/FrToDt/ToDtTm", s.To, true); err != nil {
			return nil, err
		}
		r.FrToDt = &wPeriod{From: s.From, To: s.To}
	}
	for i, b := range s.Balances {
		wb, err := writeBalance(fmt.Sprintf("%s/Bal[%d]", path, i+1), b)
		if err != nil {
			return nil, err
		}
		r.Balances = append(r.Balances, wb)
	}
	m, err := writeMessage("Document/BkToCstmrStmt", msgID, createdAt)
	if err != nil {
		return nil, err
	}
	m.Statement = r
	return marshal(&wDocument{XMLName: xml.Name{Space: namespaceStatement, Local: isoxml.Root}, Statement: m})
}

// marshal writes d as a document.
func marshal(d *wDocument) ([]byte, error) {
	b, err := isoxml.Marshal(d)
	if err != nil {
		return nil, fmt.Errorf("camt: write: %w", err)
	}
	return b, nil
}

// writeMessage checks and builds the group header.
func writeMessage(path, msgID, createdAt string) (*wMessage, error) {
	if err := checkText(path+"/GrpHdr/MsgId", msgID, max35, true); err != nil {
		return nil, err
	}
	if err := checkDateTime(path+"/GrpHdr/CreDtTm", createdAt, true); err != nil {
		return nil, err
	}
	return &wMessage{MsgID: msgID, CreDtTm: createdAt}, nil
}

// writeReport checks and builds a notification or statement without its balances.
func writeReport(path, id, createdAt string, acct Account, ccy string, entries []Entry) (*wReport, error) {
	if err := checkText(path+"/Id", id, max35, true); err != nil {
		return nil, err
	}
	if err := checkDateTime(path+"/CreDtTm", createdAt, false); err != nil {
		return nil, err
	}
	acctID, err := writeAccount(path+"/Acct/Id", acct)
	if err != nil {
		return nil, err
	}
	r := &wReport{ID: id, CreDtTm: createdAt, Acct: wAccount{ID: acctID, Ccy: ccy}}
	if ccy != "" {
		if _, err := writeCurrency(path+"/Acct/Ccy", ccy); err != nil {
			return nil, err
		}
	}
	for i, e := range entries {
		we, err := writeEntry(fmt.Sprintf("%s/Ntry[%d]", path, i+1), e)
		if err != nil {
			return nil, err
		}
		r.Entries = append(r.Entries, we)
	}
	return r, nil
}

// writeAccount checks and builds an account's identification: its IBAN, or its other
// identification with scheme and issuer, never both.
func writeAccount(path string, a Account) (wAccountID, error) {
	if a.IBAN != "" {
		if a.Other != "" || a.Scheme != "" || a.Issuer != "" {
			return wAccountID{}, writeError(path+"/Othr", fmt.Errorf("%w: an account identified by IBAN has no other identification", ErrBadText))
		}
		return wAccountID{IBAN: a.IBAN}, checkIBAN(path+"/IBAN", a.IBAN)
	}
	if a.Other == "" {
		return wAccountID{}, writeError(path+"/IBAN", ErrMissingElement)
	}
	for _, c := range []struct {
		path, value string
		max         int
	}{
		{path + "/Othr/Id", a.Other, max34},
		{path + "/Othr/SchmeNm", a.Scheme, max35},
		{path + "/Othr/Issr", a.Issuer, max35},
	} {
		if err := checkText(c.path, c.value, c.max, false); err != nil {
			return wAccountID{}, err
		}
	}
	o := &wOther{ID: a.Other, Issuer: a.Issuer}
	if a.Scheme != "" {
		sc := codeOrText(a.Scheme)
		o.Scheme = &sc
	}
	return wAccountID{Other: o}, nil
}

// writeBalance checks and builds one balance.
func writeBalance(path string, b Balance) (wBalance, error) {
	amt, err := writeAmount(path+"/Amt", b.AmountMinor, b.Currency)
	if err != nil {
		return wBalance{}, err
	}
	if err := checkText(path+"/Tp/CdOrPrtry", b.Type, max35, true); err != nil {
		return wBalance{}, err
	}
	if err := checkCreditDebit(path+"/CdtDbtInd", b.CreditDebit); err != nil {
		return wBalance{}, err
	}
	if err := checkDate(path+"/Dt/Dt", b.Date, true); err != nil {
		return wBalance{}, err
	}
	return wBalance{Type: codeOrText(b.Type), Amt: amt, CdtDbtInd: string(b.CreditDebit), Dt: b.Date}, nil
}

// writeEntry checks and builds one Ntry with its single TxDtls.
func writeEntry(path string, e Entry) (wEntry, error) {
	if err := checkEntry(path, e); err != nil {
		return wEntry{}, err
	}
	amt, err := writeAmount(path+"/Amt", e.AmountMinor, e.Currency)
	if err != nil {
		return wEntry{}, err
	}
	if err := checkDerived(path, e); err != nil {
		return wEntry{}, err
	}
	w := wEntry{
		Amt: amt, CdtDbtInd: string(e.CreditDebit), Sts: string(e.Status),
		BookgDt: optionalDate(e.BookingDate), ValDt: optionalDate(e.ValueDate), AcctSvcrRef: e.EntryRef,
		Domain: "PMNT", Family: writtenFamily(e), SubFamily: writtenSubFamily(e),
		Transaction: wTransaction{Amt: amt, CdtDbtInd: string(e.CreditDebit)},
	}
	if e.Reversal {
		w.RvslInd = "true"
	}
	tx := &w.Transaction
	if e.TransactionAmountMinor != 0 {
		if tx.Amt, err = writeAmount(path+"/NtryDtls/TxDtls/Amt", e.TransactionAmountMinor, e.Currency); err != nil {
			return wEntry{}, err
		}
	}
	if e.InstructedCurrency != "" {
		a, err := writeAmount(path+"/NtryDtls/TxDtls/AmtDtls/InstdAmt/Amt", e.InstructedAmountMinor, e.InstructedCurrency)
		if err != nil {
			return wEntry{}, err
		}
		tx.InstdAmt = &a
	}
	if e.ChargesCurrency != "" {
		a, err := writeAmount(path+"/NtryDtls/TxDtls/Chrgs/TtlChrgsAndTaxAmt", e.ChargesMinor, e.ChargesCurrency)
		if err != nil {
			return wEntry{}, err
		}
		tx.Chrgs = &a
	}
	if e.AcctSvcrRef != "" || e.EndToEndID != "" || e.UETR != "" {
		tx.Refs = &wRefs{AcctSvcrRef: e.AcctSvcrRef, EndToEndID: e.EndToEndID, UETR: e.UETR}
	}
	tx.Parties = writeParties(e)
	tx.RmtInf = writeRemittance(e)
	if e.ReturnReason != "" {
		rsn := codeOrText(e.ReturnReason)
		tx.Return = &rsn
	}
	return w, nil
}

// writtenFamily is the bank transaction family written for e: RCDT (a received credit
// transfer) when the payment e is, or reverses or returns, was a credit, ICDT (an issued
// one) when it was a debit, so that Parse reads e as the kind it is.
func writtenFamily(e Entry) string {
	if (e.CreditDebit == Credit) != (e.Reversal || e.ReturnReason != "") {
		return "RCDT"
	}
	return "ICDT"
}

// Bank transaction sub-families the writers use (ISO 20022 ExternalBankTransaction
// SubFamily1Code): a SEPA credit transfer, a reversal due to a payment return and a
// reversal due to a payment cancellation request.
const (
	subFamilyTransfer = "ESCT"
	subFamilyReturn   = "RRTN"
	subFamilyReversal = "RPCR"
)

// writtenSubFamily is the bank transaction sub-family written for e: RPCR for a
// reversal (the reversal indicator), RRTN for a return (a return reason without it, as
// PostFinance writes the owner's own transfer coming back), ESCT for anything else.
func writtenSubFamily(e Entry) string {
	switch {
	case e.Reversal:
		return subFamilyReversal
	case e.ReturnReason != "":
		return subFamilyReturn
	}
	return subFamilyTransfer
}

// writtenKind is the kind Parse reads for e as written.
func writtenKind(e Entry) Kind {
	sub := writtenSubFamily(e)
	return classify(e.CreditDebit, signals{
		flagged:      e.Reversal,
		returned:     e.ReturnReason != "" || returnSubFamilies[sub],
		reversalCode: reversalSubFamilies[sub],
		family:       writtenFamily(e),
	})
}

// writeRemittance builds RmtInf: the unstructured lines, one Strd per reference, and
// the additional remittance lines in Strd of their own; nil when e has none.
func writeRemittance(e Entry) *wRmtInf {
	refs := e.References
	if len(refs) == 0 && e.CreditorReference != "" {
		refs = []string{e.CreditorReference}
	}
	if len(e.Unstructured) == 0 && len(refs) == 0 && len(e.AdditionalRemittance) == 0 {
		return nil
	}
	r := &wRmtInf{Ustrd: e.Unstructured}
	for _, ref := range refs {
		c := &wCdtrRefInf{Code: "SCOR", Ref: ref}
		if rf, err := fiat.ParseCreditorReference(ref); err == nil && string(rf) == ref {
			c.Issuer = "ISO" // an ISO 11649 reference; any other is the creditor's own
		}
		r.Strd = append(r.Strd, wStrd{CdtrRefInf: c})
	}
	for lines := e.AdditionalRemittance; len(lines) > 0; {
		n := min(len(lines), maxAddtlRmtInf)
		r.Strd = append(r.Strd, wStrd{Addtl: lines[:n]})
		lines = lines[n:]
	}
	return r
}

// writeParties builds RltdPties, or nil when e names no party.
func writeParties(e Entry) *wParties {
	debtor, creditor := e.DebtorAccount(), e.CreditorAccount()
	if e.DebtorName == "" && debtor == (Account{}) && e.CreditorName == "" && creditor == (Account{}) {
		return nil
	}
	p := &wParties{DebtorAccount: partyAccountID(debtor), CreditorAccount: partyAccountID(creditor)}
	if e.DebtorName != "" {
		p.Debtor = &wParty{Name: e.DebtorName}
	}
	if e.CreditorName != "" {
		p.Creditor = &wParty{Name: e.CreditorName}
	}
	return p
}

// partyAccountID is a party's account identification as checkEntryFormats let it
// through, or nil when the entry gives none.
func partyAccountID(a Account) *wAccountID {
	if a == (Account{}) {
		return nil
	}
	id, _ := writeAccount("", a)
	return &id
}

func optionalDate(d string) *wDate {
	if d == "" {
		return nil
	}
	return &wDate{Dt: d}
}

// writeAmount formats minor units of the currency code as an amount element.
func writeAmount(path string, minor uint64, code string) (isoxml.Amount, error) {
	c, err := writeCurrency(path+"/@Ccy", code)
	if err != nil {
		return isoxml.Amount{}, err
	}
	return isoxml.Amount{Ccy: code, Value: fiat.FormatAmount(minor, c)}, nil
}

func writeCurrency(path, code string) (fiat.Currency, error) {
	if code == "" {
		return fiat.Currency{}, writeError(path, ErrMissingElement)
	}
	c, err := fiat.ParseCurrency(code)
	if err != nil {
		return fiat.Currency{}, writeError(path, fmt.Errorf("%w: %w", ErrBadCurrency, err))
	}
	return c, nil
}

// codeOrText writes a value as a code (Cd) when it has the shape of an ISO 20022
// external code of four characters, else as proprietary text (Prtry); Parse reads
// either back to the same value.
func codeOrText(s string) wCodeText {
	if isoxml.IsCode(s) {
		return wCodeText{Code: s}
	}
	return wCodeText{Prtry: s}
}

func writeError(path string, err error) error {
	return fmt.Errorf("%w (element %s)", err, path)
}
