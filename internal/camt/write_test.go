package camt

import (
	"bytes"
	"encoding/xml"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// sampleEntries covers every Entry field, a reversal, a return, a pending entry, a
// debit, a currency without minor units and text that needs escaping. The last two
// leave Kind and References for Parse to fill in.
func sampleEntries() []Entry {
	return []Entry{
		{
			AmountMinor: 12345, Currency: "EUR", CreditDebit: Credit, Kind: KindCredit, Status: Booked,
			TransactionAmountMinor: 12495, InstructedAmountMinor: 14000, InstructedCurrency: "USD",
			ChargesMinor: 150, ChargesCurrency: "EUR",
			BookingDate: "2026-03-01", ValueDate: "2026-03-02", EntryRef: "SBX-E1",
			AcctSvcrRef: "SBX-T1", EndToEndID: "ORDER-1", UETR: "0f1e2d3c-4b5a-4978-8a9b-0c1d2e3f4a5b",
			DebtorName: "Jane <&> \"Doe\"", DebtorIBAN: "GB82WEST12345698765432",
			CreditorName: "Chipmint Issuer", CreditorIBAN: "DE89370400440532013000",
			CreditorReference: "RF18539007547034", References: []string{"RF18539007547034", "INV-1"},
			Unstructured:         []string{"chips for order 1", "line\ttwo\r\nthree"},
			AdditionalRemittance: []string{"order RF18 5390 0754 7034", "second", "third", "fourth"},
		},
		{
			AmountMinor: 12345, Currency: "EUR", CreditDebit: Debit, Reversal: true, Kind: KindReversalOfCredit, Status: Booked,
			BookingDate: "2026-03-03", EntryRef: "SBX-E2", AcctSvcrRef: "SBX-T1R", EndToEndID: "ORDER-1",
			DebtorName: "Jane Doe", DebtorIBAN: "GB82WEST12345698765432", ReturnReason: "FRAD",
		},
		{
			AmountMinor: 5, Currency: "EUR", CreditDebit: Credit, Status: Pending, ValueDate: "2026-03-04",
			CreditorReference: "INV 2026/17", ReturnReason: "returned by the sandbox bank",
		},
		{AmountMinor: 1000, Currency: "JPY", CreditDebit: Credit, Status: Info, EntryRef: "SBX-E4"},
	}
}

func sampleNotification() Notification {
	return Notification{
		ID: "SBX-N1", CreatedAt: "2026-03-04T10:00:00Z", Account: Account{IBAN: "DE89370400440532013000"},
		Currency: "EUR", Entries: sampleEntries(),
	}
}

// parsedEntries are sampleEntries as Parse reads them back from a report on an account
// in currency ccy ("" when not given) at path: with the kinds and references it fills in
// and the problem of an entry in another currency than the account's.
func parsedEntries(path, ccy string) []Entry {
	es := sampleEntries()
	es[2].Kind, es[2].References = KindReturn, []string{"INV 2026/17"}
	es[3].Kind = KindCredit
	if ccy != "" {
		es[3].Problem = path + "/Ntry[4]/Amt: the entry is in JPY, the account in " + ccy
	}
	return es
}

func sampleStatement() Statement {
	return Statement{
		ID: "SBX-S1", CreatedAt: "2026-03-04T23:59:59.5+01:00", From: "2026-03-01T00:00:00+01:00", To: "2026-03-04T23:59:59.5+01:00", Account: Account{Other: "SANDBOX-0001", Scheme: "BBAN", Issuer: "Chipmint sandbox"},
		Balances: []Balance{
			{Type: "OPBD", AmountMinor: 0, Currency: "EUR", CreditDebit: Credit, Date: "2026-03-01"},
			{Type: "CLBD", AmountMinor: 123450, Currency: "EUR", CreditDebit: Debit, Date: "2026-03-04"},
			{Type: "sandbox closing", AmountMinor: 7, Currency: "KWD", CreditDebit: Credit, Date: "2026-03-04"},
		},
		Entries: sampleEntries(),
	}
}

func TestWriteRoundTrip(t *testing.T) {
	t.Run("notification", func(t *testing.T) {
		n := sampleNotification()
		b, err := WriteNotification("SBX-M1", "2026-03-04T10:00:01+01:00", n)
		if err != nil {
			t.Fatal(err)
		}
		d, err := Parse(b)
		if err != nil {
			t.Fatalf("Parse(WriteNotification(...)): %v\n%s", err, b)
		}
		n.Entries = parsedEntries("Document/BkToCstmrDbtCdtNtfctn/Ntfctn[1]", "EUR")
		want := &Document{Message: "camt.054", Version: "001.08", MessageID: "SBX-M1", CreatedAt: "2026-03-04T10:00:01+01:00",
			Notifications: []Notification{n}}
		if !reflect.DeepEqual(d, want) {
			t.Errorf("round trip\n got %+v\nwant %+v", d, want)
		}
		golden(t, "notification.xml", b)
	})
	t.Run("statement", func(t *testing.T) {
		s := sampleStatement()
		b, err := WriteStatement("SBX-M2", "2026-03-05T00:00:00Z", s)
		if err != nil {
			t.Fatal(err)
		}
		d, err := Parse(b)
		if err != nil {
			t.Fatalf("Parse(WriteStatement(...)): %v\n%s", err, b)
		}
		s.Entries = parsedEntries("Document/BkToCstmrStmt/Stmt[1]", "")
		want := &Document{Message: "camt.053", Version: "001.08", MessageID: "SBX-M2", CreatedAt: "2026-03-05T00:00:00Z",
			Statements: []Statement{s}}
		if !reflect.DeepEqual(d, want) {
			t.Errorf("round trip\n got %+v\nwant %+v", d, want)
		}
		golden(t, "statement.xml", b)
	})
	t.Run("accounts without IBAN", func(t *testing.T) {
		n := Notification{
			ID: "SBX-N2", CreatedAt: "2026-03-04T10:00:00Z", Currency: "CNY",
			Account: Account{Other: "6222021001000000001", Scheme: "BBAN"},
			Entries: []Entry{{
				AmountMinor: 68800, Currency: "CNY", CreditDebit: Credit, Kind: KindCredit, Status: Booked,
				BookingDate: "2026-03-04", ValueDate: "2026-03-04", EntryRef: "SBX-E5", AcctSvcrRef: "SBX-T5",
				DebtorName: "Li Lei", DebtorOther: &Account{Other: "6222021001000000002", Scheme: "BBAN", Issuer: "ICBC"},
				CreditorName: "Acme Trading", CreditorOther: &Account{Other: "6222021001000000001", Scheme: "BBAN"},
				CreditorReference: "RF18539007547034", References: []string{"RF18539007547034"},
			}},
		}
		b, err := WriteNotification("SBX-M3", "2026-03-04T10:00:01Z", n)
		if err != nil {
			t.Fatal(err)
		}
		d, err := Parse(b)
		if err != nil {
			t.Fatalf("Parse(WriteNotification(...)): %v\n%s", err, b)
		}
		if !reflect.DeepEqual(d.Notifications, []Notification{n}) {
			t.Errorf("round trip\n got %+v\nwant %+v", d.Notifications, []Notification{n})
		}
		if e := d.Notifications[0].Entries[0]; e.DebtorAccount().String() != "6222021001000000002 (scheme BBAN, issuer ICBC)" {
			t.Errorf("debtor account %q", e.DebtorAccount())
		}
		golden(t, "notification-other.xml", b)
	})
	t.Run("no entries", func(t *testing.T) {
		n := Notification{ID: "SBX-N0", Account: Account{IBAN: "DE89370400440532013000"}}
		b, err := WriteNotification("SBX-M0", "2026-03-04T10:00:00Z", n)
		if err != nil {
			t.Fatal(err)
		}
		d, err := Parse(b)
		if err != nil || len(d.Notifications) != 1 || !reflect.DeepEqual(d.Notifications[0], n) {
			t.Fatalf("Parse = %+v, %v", d, err)
		}
	})
}

// golden compares b with testdata/golden/name, or rewrites it with -update.
func golden(t *testing.T, name string, b []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, want) {
		t.Errorf("output differs from %s (run with -update if the change is intended):\n%s", path, b)
	}
}

// TestWriteOrder checks the declaration, the namespace and that the elements of Ntry
// and TxDtls come in the order of the camt.054.001.08 schema.
func TestWriteOrder(t *testing.T) {
	b, err := WriteNotification("SBX-M1", "2026-03-04T10:00:00Z", sampleNotification())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte(`<?xml version="1.0" encoding="UTF-8"?>`+"\n"+
		`<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08">`)) {
		t.Errorf("output starts %q", b[:min(len(b), 120)])
	}
	want := map[string][]string{
		"GrpHdr":     {"MsgId", "CreDtTm"},
		"Ntfctn":     {"Id", "CreDtTm", "Acct", "Ntry", "Ntry", "Ntry", "Ntry"},
		"Ntry":       {"Amt", "CdtDbtInd", "Sts", "BookgDt", "ValDt", "AcctSvcrRef", "BkTxCd", "NtryDtls"},
		"TxDtls":     {"Refs", "Amt", "CdtDbtInd", "AmtDtls", "Chrgs", "RltdPties", "RmtInf"},
		"Refs":       {"AcctSvcrRef", "EndToEndId", "UETR"},
		"AmtDtls":    {"InstdAmt"},
		"Chrgs":      {"TtlChrgsAndTaxAmt"},
		"RltdPties":  {"Dbtr", "DbtrAcct", "Cdtr", "CdtrAcct"},
		"RmtInf":     {"Ustrd", "Ustrd", "Strd", "Strd", "Strd", "Strd"},
		"Strd":       {"CdtrRefInf"},
		"CdtrRefInf": {"Tp", "Ref"},
		"Tp":         {"CdOrPrtry", "Issr"},
		"BkTxCd":     {"Domn"},
		"Domn":       {"Cd", "Fmly"},
		"Fmly":       {"Cd", "SubFmlyCd"},
	}
	got := firstChildren(t, b)
	for parent, children := range want {
		if !reflect.DeepEqual(got[parent], children) {
			t.Errorf("children of the first <%s> = %v, want %v", parent, got[parent], children)
		}
	}
	second := string(b[bytes.Index(b, []byte("SBX-E1")):])
	if !strings.Contains(second, "<CdtDbtInd>DBIT</CdtDbtInd>\n        <RvslInd>true</RvslInd>\n        <Sts>") ||
		!strings.Contains(second, "<Cd>RCDT</Cd>") || !strings.Contains(second, "<RtrInf>\n              <Rsn>\n                <Cd>FRAD</Cd>") {
		t.Errorf("the reversal is not written as expected:\n%s", second)
	}
}

// TestWriteBankTransactionCodes checks the bank transaction code written for each
// direction, reversal indicator and return reason, and that Parse reads each entry back
// as the kind it is: a reversal and a return each as seen by the payee and the payer.
func TestWriteBankTransactionCodes(t *testing.T) {
	tests := []struct {
		name     string
		cd       CreditDebit
		reversal bool
		reason   string
		code     string
		kind     Kind
	}{
		{"credit", Credit, false, "", "RCDT/ESCT", KindCredit},
		{"debit", Debit, false, "", "ICDT/ESCT", KindDebit},
		{"credit reversed, the payee's debit", Debit, true, "AC04", "RCDT/RPCR", KindReversalOfCredit},
		{"credit reversed, the payer's credit", Credit, true, "AC04", "ICDT/RPCR", KindReturn},
		{"payment returned, the payee's debit", Debit, false, "AC01", "RCDT/RRTN", KindReversalOfCredit},
		{"payment returned, the payer's credit", Credit, false, "AC01", "ICDT/RRTN", KindReturn},
		{"debit with the reversal indicator alone", Debit, true, "", "RCDT/RPCR", KindReversalOfCredit},
		{"credit with the reversal indicator alone", Credit, true, "", "ICDT/RPCR", KindReversalOfDebit},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := Entry{AmountMinor: 100, Currency: "EUR", CreditDebit: tc.cd, Reversal: tc.reversal, ReturnReason: tc.reason,
				Kind: tc.kind, Status: Booked, UETR: "0f1e2d3c-4b5a-4978-8a9b-0c1d2e3f4a5b"}
			b, err := WriteNotification("M", "2026-03-04T10:00:00Z", Notification{ID: "N", Account: Account{IBAN: "DE89370400440532013000"}, Entries: []Entry{e}})
			if err != nil {
				t.Fatal(err)
			}
			family, sub, _ := strings.Cut(tc.code, "/")
			if !bytes.Contains(b, []byte("<Cd>PMNT</Cd>\n            <Fmly>\n              <Cd>"+family+"</Cd>\n              <SubFmlyCd>"+sub+"</SubFmlyCd>")) {
				t.Errorf("not written with PMNT/%s:\n%s", tc.code, b)
			}
			d, err := Parse(b)
			if err != nil {
				t.Fatal(err)
			}
			if got := d.Notifications[0].Entries[0]; !reflect.DeepEqual(got, e) {
				t.Errorf("read back %+v, want %+v", got, e)
			}
		})
	}
}

// firstChildren maps each element name to the names of the children of its first
// occurrence.
func firstChildren(t *testing.T, b []byte) map[string][]string {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(b))
	out := map[string][]string{}
	done := map[string]bool{}
	var stack []string
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			if n := len(stack); n > 0 && !done[stack[n-1]] {
				out[stack[n-1]] = append(out[stack[n-1]], tk.Name.Local)
			}
			stack = append(stack, tk.Name.Local)
		case xml.EndElement:
			done[stack[len(stack)-1]] = true
			stack = stack[:len(stack)-1]
		}
	}
	return out
}

func TestWriteErrors(t *testing.T) {
	const ntryPath = "Document/BkToCstmrDbtCdtNtfctn/Ntfctn/Ntry[1]"
	tx := ntryPath + "/NtryDtls/TxDtls"
	entry := func(f func(e *Entry)) Notification {
		n := sampleNotification()
		f(&n.Entries[0])
		return n
	}
	notification := func(f func(n *Notification)) Notification {
		n := sampleNotification()
		f(&n)
		return n
	}
	tests := []struct {
		name      string
		msgID     string
		createdAt string
		n         Notification
		sentinel  error
		element   string
	}{
		{"no message id", "", "2026-03-04T10:00:00Z", sampleNotification(), ErrMissingElement, "Document/BkToCstmrDbtCdtNtfctn/GrpHdr/MsgId"},
		{"long message id", strings.Repeat("M", 36), "2026-03-04T10:00:00Z", sampleNotification(), ErrBadText, "Document/BkToCstmrDbtCdtNtfctn/GrpHdr/MsgId"},
		{"no creation time", "M", "", sampleNotification(), ErrMissingElement, "Document/BkToCstmrDbtCdtNtfctn/GrpHdr/CreDtTm"},
		{"date as creation time", "M", "2026-03-04", sampleNotification(), ErrBadDate, "Document/BkToCstmrDbtCdtNtfctn/GrpHdr/CreDtTm"},
		{"no notification id", "M", "2026-03-04T10:00:00Z", notification(func(n *Notification) { n.ID = "" }), ErrMissingElement, "Document/BkToCstmrDbtCdtNtfctn/Ntfctn/Id"},
		{"no account", "M", "2026-03-04T10:00:00Z", notification(func(n *Notification) { n.Account.IBAN = "" }), ErrMissingElement, "Document/BkToCstmrDbtCdtNtfctn/Ntfctn/Acct/Id/IBAN"},
		{"bad account", "M", "2026-03-04T10:00:00Z", notification(func(n *Notification) { n.Account.IBAN = "de89 3704" }), ErrBadText, "Document/BkToCstmrDbtCdtNtfctn/Ntfctn/Acct/Id/IBAN"},
		{"bad account currency", "M", "2026-03-04T10:00:00Z", notification(func(n *Notification) { n.Currency = "XXX" }), ErrBadCurrency, "Document/BkToCstmrDbtCdtNtfctn/Ntfctn/Acct/Ccy"},
		{"no currency", "M", "2026-03-04T10:00:00Z", entry(func(e *Entry) { e.Currency = "" }), ErrMissingElement, ntryPath + "/Amt/@Ccy"},
		{"bad currency", "M", "2026-03-04T10:00:00Z", entry(func(e *Entry) { e.Currency = "eur" }), ErrBadCurrency, ntryPath + "/Amt/@Ccy"},
		{"bad indicator", "M", "2026-03-04T10:00:00Z", entry(func(e *Entry) { e.CreditDebit = "" }), ErrBadIndicator, ntryPath + "/CdtDbtInd"},
		{"bad status", "M", "2026-03-04T10:00:00Z", entry(func(e *Entry) { e.Status = "RJCT" }), ErrBadStatus, ntryPath + "/Sts/Cd"},
		{"bad booking date", "M", "2026-03-04T10:00:00Z", entry(func(e *Entry) { e.BookingDate = "2026-03-01T10:00:00Z" }), ErrBadDate, ntryPath + "/BookgDt/Dt"},
		{"bad value date", "M", "2026-03-04T10:00:00Z", entry(func(e *Entry) { e.ValueDate = "01.03.2026" }), ErrBadDate, ntryPath + "/ValDt/Dt"},
		{"long end-to-end id", "M", "2026-03-04T10:00:00Z", entry(func(e *Entry) { e.EndToEndID = strings.Repeat("é", 36) }), ErrBadText, tx + "/Refs/EndToEndId"},
		{"padded reference", "M", "2026-03-04T10:00:00Z", entry(func(e *Entry) { e.AcctSvcrRef = "T1 " }), ErrBadText, tx + "/Refs/AcctSvcrRef"},
		{"control character", "M", "2026-03-04T10:00:00Z", entry(func(e *Entry) { e.DebtorName = "Jane\x00Doe" }), ErrBadText, tx + "/RltdPties/Dbtr/Pty/Nm"},
		{"invalid utf-8", "M", "2026-03-04T10:00:00Z", entry(func(e *Entry) { e.CreditorName = "\xff" }), ErrBadText, tx + "/RltdPties/Cdtr/Pty/Nm"},
		{"upper-case UETR", "M", "2026-03-04T10:00:00Z", entry(func(e *Entry) { e.UETR = strings.ToUpper(e.UETR) }), ErrBadText, tx + "/Refs/UETR"},
		{"bad debtor IBAN", "M", "2026-03-04T10:00:00Z", entry(func(e *Entry) { e.DebtorIBAN = "GB82 WEST" }), ErrBadText, tx + "/RltdPties/DbtrAcct/Id/IBAN"},
		{"empty remittance line", "M", "2026-03-04T10:00:00Z", entry(func(e *Entry) { e.Unstructured = []string{"a", ""} }), ErrMissingElement, tx + "/RmtInf/Ustrd[2]"},
		{"long remittance line", "M", "2026-03-04T10:00:00Z", entry(func(e *Entry) { e.Unstructured = []string{strings.Repeat("x", 141)} }), ErrBadText, tx + "/RmtInf/Ustrd[1]"},
		{"IBAN and other id", "M", "2026-03-04T10:00:00Z", notification(func(n *Notification) { n.Account.Other = "1" }), ErrBadText, "Document/BkToCstmrDbtCdtNtfctn/Ntfctn/Acct/Id/Othr"},
		{"long scheme", "M", "2026-03-04T10:00:00Z", notification(func(n *Notification) { n.Account = Account{Other: "1", Scheme: strings.Repeat("S", 36)} }), ErrBadText, "Document/BkToCstmrDbtCdtNtfctn/Ntfctn/Acct/Id/Othr/SchmeNm"},
		{"debtor IBAN and other id", "M", "2026-03-04T10:00:00Z", entry(func(e *Entry) { e.DebtorOther = &Account{Other: "1", Scheme: "BBAN"} }), ErrBadText, tx + "/RltdPties/DbtrAcct/Id/Othr"},
		{"long creditor other id", "M", "2026-03-04T10:00:00Z", entry(func(e *Entry) {
			e.CreditorIBAN, e.CreditorOther = "", &Account{Other: strings.Repeat("1", 35), Scheme: "BBAN"}
		}), ErrBadText, tx + "/RltdPties/CdtrAcct/Id/Othr/Id"},
		{"problem", "M", "2026-03-04T10:00:00Z", entry(func(e *Entry) { e.Problem = "p" }), ErrBadText, ntryPath},
		{"kind of another entry", "M", "2026-03-04T10:00:00Z", entry(func(e *Entry) { e.Kind = KindReturn }), ErrBadIndicator, ntryPath + "/BkTxCd"},
		{"instructed amount without currency", "M", "2026-03-04T10:00:00Z", entry(func(e *Entry) { e.InstructedCurrency = "" }), ErrMissingElement, tx + "/AmtDtls/InstdAmt/Amt/@Ccy"},
		{"charges without currency", "M", "2026-03-04T10:00:00Z", entry(func(e *Entry) { e.ChargesCurrency = "" }), ErrMissingElement, tx + "/Chrgs/TtlChrgsAndTaxAmt/@Ccy"},
		{"transaction amount beyond charges", "M", "2026-03-04T10:00:00Z", entry(func(e *Entry) { e.TransactionAmountMinor++ }), ErrBadAmount, tx + "/Amt"},
		{"transaction amount as entry", "M", "2026-03-04T10:00:00Z", entry(func(e *Entry) { e.TransactionAmountMinor = e.AmountMinor }), ErrBadAmount, tx + "/Amt"},
		{"creditor reference not the first", "M", "2026-03-04T10:00:00Z", entry(func(e *Entry) { e.CreditorReference = "INV-1" }), ErrBadText, tx + "/RmtInf/Strd[1]/CdtrRefInf/Ref"},
		{"long reference", "M", "2026-03-04T10:00:00Z", entry(func(e *Entry) { e.References[1] = strings.Repeat("R", 36) }), ErrBadText, tx + "/RmtInf/Strd[2]/CdtrRefInf/Ref"},
		{"empty additional remittance", "M", "2026-03-04T10:00:00Z", entry(func(e *Entry) { e.AdditionalRemittance[3] = "" }), ErrMissingElement, tx + "/RmtInf/Strd/AddtlRmtInf[4]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := WriteNotification(tt.msgID, tt.createdAt, tt.n)
			if b != nil || !errors.Is(err, tt.sentinel) {
				t.Fatalf("WriteNotification = %d bytes, %v; want an error wrapping %v", len(b), err, tt.sentinel)
			}
			if !strings.Contains(err.Error(), "(element "+tt.element+")") {
				t.Errorf("error %q does not name element %s", err, tt.element)
			}
		})
	}
}

func TestWriteStatementErrors(t *testing.T) {
	s := sampleStatement()
	s.Balances = nil
	if _, err := WriteStatement("M", "2026-03-04T10:00:00Z", s); !errors.Is(err, ErrMissingElement) {
		t.Errorf("no balances: %v", err)
	}
	s = sampleStatement()
	s.Balances[1].Date = ""
	if _, err := WriteStatement("M", "2026-03-04T10:00:00Z", s); !errors.Is(err, ErrMissingElement) ||
		!strings.Contains(err.Error(), "Document/BkToCstmrStmt/Stmt/Bal[2]/Dt/Dt") {
		t.Errorf("balance without date: %v", err)
	}
	s = sampleStatement()
	s.To = ""
	if _, err := WriteStatement("M", "2026-03-04T10:00:00Z", s); !errors.Is(err, ErrMissingElement) ||
		!strings.Contains(err.Error(), "Document/BkToCstmrStmt/Stmt/FrToDt/ToDtTm") {
		t.Errorf("period without its end: %v", err)
	}
	s = sampleStatement()
	s.From = "2026-03-01"
	if _, err := WriteStatement("M", "2026-03-04T10:00:00Z", s); !errors.Is(err, ErrBadDate) {
		t.Errorf("period starting on a date, not a date-time: %v", err)
	}
	s = sampleStatement()
	s.Balances[0].CreditDebit = "CR"
	if _, err := WriteStatement("M", "2026-03-04T10:00:00Z", s); !errors.Is(err, ErrBadIndicator) {
		t.Errorf("balance with bad indicator: %v", err)
	}
}
