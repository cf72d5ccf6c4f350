package camt

import (
	"fmt"
	"io"

	"github.com/chipmint/chipmint/internal/isoxml"
)

// Message names, as in Document.Message.
const (
	MessageNotification = "camt.054"
	MessageStatement    = "camt.053"
	MessageReport       = "camt.052"
)

// notProvided is the EndToEndId that a bank writes when the payer gave none.
const notProvided = "NOTPROVIDED"

// Parse reads a camt.054 notification, camt.053 statement or camt.052 account report,
// of any version from .001.02 to .001.13, in UTF-8 or in the character set its XML
// declaration names. It returns the whole document or, if any part of b is malformed,
// truncated or carries a value that cannot be trusted, a *ParseError that names the
// element at fault and wraps one of the sentinel errors, and no document.
func Parse(b []byte) (*Document, error) {
	var x xDocument
	ns, err := format.Decode(b, &x)
	if err != nil {
		return nil, err
	}
	message, version, _ := splitNamespace(ns) // format.Decode checked it
	d := &Document{Message: message, Version: version}
	switch message {
	case MessageNotification:
		err = d.readMessage("Document/BkToCstmrDbtCdtNtfctn", "Ntfctn", x.Notification)
	case MessageStatement:
		err = d.readMessage("Document/BkToCstmrStmt", "Stmt", x.Statement)
	default:
		err = d.readMessage("Document/BkToCstmrAcctRpt", "Rpt", x.Report)
	}
	if err != nil {
		return nil, err
	}
	return d, nil
}

// ParseReader reads r to its end, at most MaxInputBytes, and parses it with Parse. An
// error reading r is wrapped as it is, not as a *ParseError. A caller that must keep a
// rejected file, as the gateway must, reads the bytes itself and calls Parse.
func ParseReader(r io.Reader) (*Document, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxInputBytes+1))
	if err != nil {
		return nil, fmt.Errorf("camt: read: %w", err)
	}
	return Parse(b)
}

// readMessage reads the group header and the reports (Ntfctn, Stmt or Rpt) of message m.
func (d *Document) readMessage(path, report string, m *xMessage) error {
	if m == nil {
		return parseError(path, fmt.Errorf("%w: a %s document needs it", ErrMissingElement, d.Message))
	}
	if m.GrpHdr == nil {
		return parseError(path+"/GrpHdr", ErrMissingElement)
	}
	d.MessageID = isoxml.Text(m.GrpHdr.MsgID)
	if d.MessageID == "" {
		return parseError(path+"/GrpHdr/MsgId", ErrMissingElement)
	}
	created, err := dateTime(path+"/GrpHdr/CreDtTm", m.GrpHdr.CreDtTm)
	if err != nil {
		return err
	}
	d.CreatedAt = created
	reports := m.Notifications
	switch report {
	case "Stmt":
		reports = m.Statements
	case "Rpt":
		reports = m.Reports
	}
	if len(reports) == 0 {
		return parseError(path+"/"+report, ErrMissingElement)
	}
	for i := range reports {
		if err := d.readReport(fmt.Sprintf("%s/%s[%d]", path, report, i+1), &reports[i]); err != nil {
			return err
		}
	}
	return nil
}

// readReport reads one notification, statement or report and appends it to d.
func (d *Document) readReport(path string, x *xReport) error {
	id := isoxml.Text(x.ID)
	if id == "" {
		return parseError(path+"/Id", ErrMissingElement)
	}
	created, err := dateTime(path+"/CreDtTm", x.CreDtTm)
	if err != nil {
		return err
	}
	acct, ccy, err := readAccount(path+"/Acct", x.Acct)
	if err != nil {
		return err
	}
	var from, to string
	if x.FrToDt != nil {
		if from, err = dateTime(path+"/FrToDt/FrDtTm", x.FrToDt.From); err != nil {
			return err
		}
		if to, err = dateTime(path+"/FrToDt/ToDtTm", x.FrToDt.To); err != nil {
			return err
		}
	}
	var balances []Balance
	if d.Message != MessageNotification {
		if balances, err = readBalances(path, x.Balances); err != nil {
			return err
		}
	}
	entries, err := readEntries(path, ccy, x.Entries)
	if err != nil {
		return err
	}
	switch d.Message {
	case MessageNotification:
		d.Notifications = append(d.Notifications, Notification{
			ID: id, CreatedAt: created, Account: acct, Currency: ccy, Entries: entries,
		})
	case MessageStatement:
		d.Statements = append(d.Statements, Statement{
			ID: id, CreatedAt: created, From: from, To: to, Account: acct, Currency: ccy, Balances: balances, Entries: entries,
		})
	default:
		d.Reports = append(d.Reports, Statement{
			ID: id, CreatedAt: created, From: from, To: to, Account: acct, Currency: ccy, Balances: balances, Entries: entries,
		})
	}
	return nil
}

// readAccount reads Acct: the IBAN or, failing that, the other identification with its
// scheme and issuer, and the optional currency.
func readAccount(path string, x *xAccount) (a Account, ccy string, err error) {
	if x == nil {
		return Account{}, "", parseError(path, ErrMissingElement)
	}
	if a.IBAN = isoxml.Text(x.IBAN); a.IBAN == "" {
		if o := x.Other.account(); o != nil {
			a = *o
		}
	}
	if a.IBAN == "" && a.Other == "" {
		return Account{}, "", parseError(path+"/Id/IBAN", fmt.Errorf("%w: the account has neither Id/IBAN nor Id/Othr/Id", ErrMissingElement))
	}
	if ccy = isoxml.Text(x.Ccy); ccy != "" {
		if _, err := currency(path+"/Ccy", ccy); err != nil {
			return Account{}, "", err
		}
	}
	return a, ccy, nil
}

// account is the account of an other identification (Othr), or nil when there is none
// or it has no id: its scheme is the code, failing that the proprietary name.
func (x *xOther) account() *Account {
	if x == nil || isoxml.Text(x.ID) == "" {
		return nil
	}
	a := &Account{Other: isoxml.Text(x.ID), Issuer: isoxml.Text(x.Issuer)}
	if a.Scheme = isoxml.Text(x.SchemeCode); a.Scheme == "" {
		a.Scheme = isoxml.Text(x.SchemePrtry)
	}
	return a
}

// readBalances reads the balances (Bal) of a statement or report.
func readBalances(path string, xs []xBalance) ([]Balance, error) {
	var out []Balance
	for i := range xs {
		p := fmt.Sprintf("%s/Bal[%d]", path, i+1)
		x := &xs[i]
		b := Balance{Type: isoxml.Text(x.Code)}
		if b.Type == "" {
			b.Type = isoxml.Text(x.Prtry)
		}
		if b.Type == "" {
			return nil, parseError(p+"/Tp/CdOrPrtry/Cd", ErrMissingElement)
		}
		var err error
		if b.AmountMinor, b.Currency, err = amount(p+"/Amt", x.Amt); err != nil {
			return nil, err
		}
		if b.CreditDebit, err = creditDebit(p+"/CdtDbtInd", x.CdtDbtInd, true); err != nil {
			return nil, err
		}
		if x.Dt == nil {
			return nil, parseError(p+"/Dt", ErrMissingElement)
		}
		if b.Date, err = date(p+"/Dt", x.Dt); err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

// readEntries reads the entries (Ntry) of a report on an account in currency ccy ("" when
// the report does not say), flattening each entry into one Entry per transaction detail.
func readEntries(path, ccy string, xs []xEntry) ([]Entry, error) {
	var out []Entry
	for i := range xs {
		es, err := readEntry(fmt.Sprintf("%s/Ntry[%d]", path, i+1), ccy, &xs[i])
		if err != nil {
			return nil, err
		}
		out = append(out, es...)
	}
	return out, nil
}

// readEntry reads one entry (Ntry): one Entry per TxDtls, or one Entry from the entry
// alone when it has no transaction details. It gives each its amount (see allocate),
// its kind and the problems of the entry as a whole.
func readEntry(path, accountCcy string, x *xEntry) ([]Entry, error) {
	e, err := readEntryFields(path, x)
	if err != nil {
		return nil, err
	}
	var problems problems
	if accountCcy != "" && e.Currency != accountCcy {
		problems.addf("%s/Amt: the entry is in %s, the account in %s", path, e.Currency, accountCcy)
	}
	var txs []transaction
	for i := range x.Details {
		d := &x.Details[i]
		p := fmt.Sprintf("%s/NtryDtls[%d]", path, i+1)
		problems.batchCount(p+"/Btch/NbOfTxs", d.NbOfTxs, len(d.Transactions))
		for j := range d.Transactions {
			t, err := readTransaction(fmt.Sprintf("%s/TxDtls[%d]", p, j+1), e, &d.Transactions[j])
			if err != nil {
				return nil, err
			}
			txs = append(txs, t)
		}
	}
	if len(txs) == 0 {
		txs = []transaction{{Entry: e, path: path}}
	}
	if len(txs) == 1 && txs[0].ChargesCurrency == "" {
		// Charges of an entry of one transaction are that transaction's.
		if err := txs[0].readCharges(path, x.Chrgs); err != nil {
			return nil, err
		}
	}
	allocate(path, e.AmountMinor, txs)
	out := make([]Entry, len(txs))
	for i := range txs {
		t := &txs[i]
		// The transaction's own codes come first; the entry's fill in what they lack.
		t.signals.add(x.BkTxCd)
		t.signals.flagged = t.signals.flagged || e.Reversal
		t.Reversal = t.signals.flagged
		t.Kind = classify(t.CreditDebit, t.signals)
		t.Problem = problems.with(t.Problem)
		out[i] = t.Entry
	}
	return out, nil
}

// readEntryFields reads the entry-level fields that every Entry of the entry shares.
func readEntryFields(path string, x *xEntry) (Entry, error) {
	var e Entry
	var err error
	if e.AmountMinor, e.Currency, err = amount(path+"/Amt", x.Amt); err != nil {
		return Entry{}, err
	}
	if e.CreditDebit, err = creditDebit(path+"/CdtDbtInd", x.CdtDbtInd, true); err != nil {
		return Entry{}, err
	}
	if e.Reversal, err = reversal(path+"/RvslInd", x.RvslInd); err != nil {
		return Entry{}, err
	}
	if e.Status, err = status(path+"/Sts", x.Sts); err != nil {
		return Entry{}, err
	}
	if e.BookingDate, err = date(path+"/BookgDt", x.BookgDt); err != nil {
		return Entry{}, err
	}
	if e.ValueDate, err = date(path+"/ValDt", x.ValDt); err != nil {
		return Entry{}, err
	}
	e.EntryRef = isoxml.Text(x.AcctSvcrRef)
	return e, nil
}

// transaction is an Entry being read from one TxDtls, with what its amounts and codes
// say before the entry as a whole is known.
type transaction struct {
	Entry
	path    string // of the TxDtls, or of the Ntry when it has none
	amounts transactionAmounts
	signals signals
}

// readTransaction reads one TxDtls into a copy of the entry-level fields e.
func readTransaction(path string, e Entry, x *xTransaction) (transaction, error) {
	t := transaction{Entry: e, path: path}
	var err error
	if t.amounts, err = t.readAmounts(path, x); err != nil {
		return transaction{}, err
	}
	cd, err := creditDebit(path+"/CdtDbtInd", x.CdtDbtInd, false)
	if err != nil {
		return transaction{}, err
	}
	// A credit must be a credit at both levels: a transaction's own indicator can turn a
	// credit entry into a debit, never a debit entry into a credit that could be minted.
	if cd != "" && cd != e.CreditDebit {
		t.addProblem(fmt.Sprintf("%s/CdtDbtInd: the transaction says %s, its entry %s", path, cd, e.CreditDebit))
		t.CreditDebit = Debit
	}
	if t.signals.flagged, err = reversal(path+"/RvslInd", x.RvslInd); err != nil {
		return transaction{}, err
	}
	t.signals.add(x.BkTxCd)
	t.signals.returned = t.signals.returned || x.Return != nil
	if x.Return != nil {
		if t.ReturnReason = isoxml.Text(x.Return.Code); t.ReturnReason == "" {
			t.ReturnReason = isoxml.Text(x.Return.Prtry)
		}
	}
	if err := t.readCharges(path, x.Chrgs); err != nil {
		return transaction{}, err
	}
	t.AcctSvcrRef = isoxml.Text(x.Refs.AcctSvcrRef)
	if t.EndToEndID = isoxml.Text(x.Refs.EndToEndID); t.EndToEndID == notProvided {
		t.EndToEndID = ""
	}
	t.UETR = isoxml.Text(x.Refs.UETR)
	t.DebtorName = x.Parties.Dbtr.name()
	if t.DebtorIBAN = isoxml.Text(x.Parties.DbtrIBAN); t.DebtorIBAN == "" {
		t.DebtorOther = x.Parties.DbtrOther.account()
	}
	t.CreditorName = x.Parties.Cdtr.name()
	if t.CreditorIBAN = isoxml.Text(x.Parties.CdtrIBAN); t.CreditorIBAN == "" {
		t.CreditorOther = x.Parties.CdtrOther.account()
	}
	t.Unstructured = texts(x.Ustrd)
	for _, s := range x.Strd {
		if ref := isoxml.Text(s.Ref); ref != "" {
			t.References = append(t.References, ref)
		}
		t.AdditionalRemittance = append(t.AdditionalRemittance, texts(s.Addtl)...)
	}
	if len(t.References) > 0 {
		t.CreditorReference = t.References[0]
	}
	return t, nil
}

// texts returns the non-empty values of xs, trimmed, in order.
func texts(xs []string) []string {
	var out []string
	for _, s := range xs {
		if s = isoxml.Text(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// name returns the party's name in whichever form the version carries it.
func (p xParty) name() string {
	if n := isoxml.Text(p.PtyName); n != "" {
		return n
	}
	return isoxml.Text(p.Name)
}
