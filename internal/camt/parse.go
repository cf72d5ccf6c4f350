package camt

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
)

// Message names, as in Document.Message.
const (
	MessageNotification = "camt.054"
	MessageStatement    = "camt.053"
)

// byteOrderMark is U+FEFF encoded in UTF-8.
const byteOrderMark = "\xEF\xBB\xBF"

// notProvided is the EndToEndId that a bank writes when the payer gave none.
const notProvided = "NOTPROVIDED"

// Parse reads a camt.054 notification or camt.053 statement, of any version from
// .001.02 to .001.13. It returns the whole document or, if any part of b is malformed,
// truncated or carries a value that cannot be trusted, a *ParseError that names the
// element at fault and wraps one of the sentinel errors, and no document.
func Parse(b []byte) (*Document, error) {
	if len(b) > MaxInputBytes {
		return nil, parseError("Document", fmt.Errorf("%w: %d bytes, at most %d", ErrTooLarge, len(b), MaxInputBytes))
	}
	// A UTF-8 byte order mark, which Windows tools write, is not text outside the root.
	b = bytes.TrimPrefix(b, []byte(byteOrderMark))
	message, version, err := scan(b)
	if err != nil {
		return nil, err
	}
	var x xDocument
	if err := xml.NewDecoder(bytes.NewReader(b)).Decode(&x); err != nil {
		// scan accepted b, so this is not expected; report it rather than panic.
		return nil, parseError("Document", fmt.Errorf("%w: %v", ErrMalformed, err))
	}
	d := &Document{Message: message, Version: version}
	if message == MessageNotification {
		err = d.readMessage("Document/BkToCstmrDbtCdtNtfctn", "Ntfctn", x.Notification)
	} else {
		err = d.readMessage("Document/BkToCstmrStmt", "Stmt", x.Statement)
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

// readMessage reads the group header and the reports (Ntfctn or Stmt) of message m.
func (d *Document) readMessage(path, report string, m *xMessage) error {
	if m == nil {
		return parseError(path, fmt.Errorf("%w: a %s document needs it", ErrMissingElement, d.Message))
	}
	if m.GrpHdr == nil {
		return parseError(path+"/GrpHdr", ErrMissingElement)
	}
	d.MessageID = text(m.GrpHdr.MsgID)
	if d.MessageID == "" {
		return parseError(path+"/GrpHdr/MsgId", ErrMissingElement)
	}
	created, err := dateTime(path+"/GrpHdr/CreDtTm", m.GrpHdr.CreDtTm)
	if err != nil {
		return err
	}
	d.CreatedAt = created
	reports := m.Notifications
	if report == "Stmt" {
		reports = m.Statements
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

// readReport reads one notification or statement and appends it to d.
func (d *Document) readReport(path string, x *xReport) error {
	id := text(x.ID)
	if id == "" {
		return parseError(path+"/Id", ErrMissingElement)
	}
	created, err := dateTime(path+"/CreDtTm", x.CreDtTm)
	if err != nil {
		return err
	}
	iban, other, ccy, err := readAccount(path+"/Acct", x.Acct)
	if err != nil {
		return err
	}
	var balances []Balance
	if d.Message == MessageStatement {
		if balances, err = readBalances(path, x.Balances); err != nil {
			return err
		}
	}
	entries, err := readEntries(path, x.Entries)
	if err != nil {
		return err
	}
	if d.Message == MessageNotification {
		d.Notifications = append(d.Notifications, Notification{
			ID: id, CreatedAt: created, AccountIBAN: iban, AccountOtherID: other, Currency: ccy, Entries: entries,
		})
		return nil
	}
	d.Statements = append(d.Statements, Statement{
		ID: id, CreatedAt: created, AccountIBAN: iban, AccountOtherID: other, Currency: ccy,
		Balances: balances, Entries: entries,
	})
	return nil
}

// readAccount reads Acct: the IBAN or, failing that, the other identification, and
// the optional currency.
func readAccount(path string, x *xAccount) (iban, other, ccy string, err error) {
	if x == nil {
		return "", "", "", parseError(path, ErrMissingElement)
	}
	iban, other = text(x.IBAN), text(x.OtherID)
	if iban == "" && other == "" {
		return "", "", "", parseError(path+"/Id/IBAN", fmt.Errorf("%w: the account has neither Id/IBAN nor Id/Othr/Id", ErrMissingElement))
	}
	if iban != "" {
		other = ""
	}
	if ccy = text(x.Ccy); ccy != "" {
		if _, err := currency(path+"/Ccy", ccy); err != nil {
			return "", "", "", err
		}
	}
	return iban, other, ccy, nil
}

// readBalances reads the balances (Bal) of a statement.
func readBalances(path string, xs []xBalance) ([]Balance, error) {
	var out []Balance
	for i := range xs {
		p := fmt.Sprintf("%s/Bal[%d]", path, i+1)
		x := &xs[i]
		b := Balance{Type: text(x.Code)}
		if b.Type == "" {
			b.Type = text(x.Prtry)
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

// readEntries reads the entries (Ntry) of a report, flattening each entry into one
// Entry per transaction detail.
func readEntries(path string, xs []xEntry) ([]Entry, error) {
	var out []Entry
	for i := range xs {
		es, err := readEntry(fmt.Sprintf("%s/Ntry[%d]", path, i+1), &xs[i])
		if err != nil {
			return nil, err
		}
		out = append(out, es...)
	}
	return out, nil
}

// readEntry reads one entry (Ntry): one Entry per TxDtls, or one Entry from the
// entry alone when it has no transaction details.
func readEntry(path string, x *xEntry) ([]Entry, error) {
	e, err := readEntryFields(path, x)
	if err != nil {
		return nil, err
	}
	var out []Entry
	batch := 0
	for i := range x.Details {
		batch += len(x.Details[i].Transactions)
	}
	for i := range x.Details {
		for j := range x.Details[i].Transactions {
			p := fmt.Sprintf("%s/NtryDtls[%d]/TxDtls[%d]", path, i+1, j+1)
			tx := &x.Details[i].Transactions[j]
			t, err := readTransaction(p, e, tx)
			if err != nil {
				return nil, err
			}
			if batch > 1 && tx.Amt == nil && tx.TxAmt == nil {
				// One of several transactions without its own amount: its share of the
				// entry is unknown, and the entry's total would be counted once per
				// transaction. Zero says "unknown"; no caller may take it for money.
				t.AmountMinor = 0
			}
			out = append(out, t)
		}
	}
	if len(out) == 0 {
		out = append(out, e)
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
	e.EntryRef = text(x.AcctSvcrRef)
	return e, nil
}

// readTransaction reads one TxDtls into a copy of the entry-level fields e.
func readTransaction(path string, e Entry, x *xTransaction) (Entry, error) {
	var err error
	switch {
	case x.Amt != nil:
		e.AmountMinor, e.Currency, err = amount(path+"/Amt", x.Amt)
	case x.TxAmt != nil:
		e.AmountMinor, e.Currency, err = amount(path+"/AmtDtls/TxAmt/Amt", x.TxAmt)
	}
	if err != nil {
		return Entry{}, err
	}
	cd, err := creditDebit(path+"/CdtDbtInd", x.CdtDbtInd, false)
	if err != nil {
		return Entry{}, err
	}
	// A credit must be a credit at both levels: a transaction's own indicator can turn a
	// credit entry into a debit, never a debit entry into a credit that could be minted.
	if cd == Debit {
		e.CreditDebit = Debit
	}
	e.AcctSvcrRef = text(x.Refs.AcctSvcrRef)
	if e.EndToEndID = text(x.Refs.EndToEndID); e.EndToEndID == notProvided {
		e.EndToEndID = ""
	}
	e.UETR = text(x.Refs.UETR)
	e.DebtorName = x.Parties.Dbtr.name()
	e.DebtorIBAN = text(x.Parties.DbtrIBAN)
	e.CreditorName = x.Parties.Cdtr.name()
	e.CreditorIBAN = text(x.Parties.CdtrIBAN)
	for _, u := range x.Ustrd {
		if u = text(u); u != "" {
			e.Unstructured = append(e.Unstructured, u)
		}
	}
	for _, s := range x.Strd {
		if e.CreditorReference = text(s.Ref); e.CreditorReference != "" {
			break
		}
	}
	if e.ReturnReason = text(x.Return.Code); e.ReturnReason == "" {
		e.ReturnReason = text(x.Return.Prtry)
	}
	return e, nil
}

// name returns the party's name in whichever form the version carries it.
func (p xParty) name() string {
	if n := text(p.PtyName); n != "" {
		return n
	}
	return text(p.Name)
}
