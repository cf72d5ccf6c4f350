package camt

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/chipmint/chipmint/internal/isoxml/isoxmltest"
)

// Paths of the first report of each message, for the problems entries carry.
const (
	n054 = "Document/BkToCstmrDbtCdtNtfctn/Ntfctn[1]"
	s053 = "Document/BkToCstmrStmt/Stmt[1]"
	r052 = "Document/BkToCstmrAcctRpt/Rpt[1]"
)

// The expected values below were read from the fixtures by eye, not produced by Parse.
func TestParseFixtures(t *testing.T) {
	tests := []struct {
		file     string
		message  string
		version  string
		msgID    string
		reports  int // notifications or statements
		amounts  []uint64
		first    Entry
		checkDoc func(t *testing.T, d *Document)
	}{
		{
			file: "genkgo-camt054.v2.xml", message: "camt.054", version: "001.02", msgID: "AAAASESS-FP-ACCR001", reports: 1,
			// One entry of 200000 SEK with three TxDtls that carry no amount: their
			// shares are unknown, so each says zero rather than the whole entry thrice.
			amounts: []uint64{0, 0, 0},
			first: Entry{
				AmountMinor: 0, Currency: "SEK", CreditDebit: Debit, Kind: KindDebit, Status: Booked,
				Problem: n054 + "/Ntry[1]/NtryDtls[1]/TxDtls[1]: no amount in SEK, the entry's currency: its share of the entry is unknown; " +
					n054 + "/Ntry[1]: the amounts of its 3 transactions do not sum to the 200000.00 SEK the entry books",
				BookingDate: "2007-10-18", ValueDate: "2007-10-18", EntryRef: "AAAASESS-FP-ACCR001",
				EndToEndID: "MUELL/FINP/RA12345", DebtorName: "MUELLER",
				CreditorReference: "ISR ref number V1", References: []string{"ISR ref number V1"},
				Unstructured:         []string{"Unstructured Remittance Information V1"},
				AdditionalRemittance: []string{"Additional Remittance Information V1"},
			},
			checkDoc: func(t *testing.T, d *Document) {
				n := d.Notifications[0]
				if n.ID != "AAAASESS-FP-ACCR001" || n.Account != (Account{Other: "CH2801234000123456789"}) || n.Currency != "" ||
					n.Account.String() != "CH2801234000123456789" {
					t.Errorf("notification = %+v", n)
				}
				if d.CreatedAt != "2007-10-18T12:30:00+01:00" {
					t.Errorf("CreatedAt = %q", d.CreatedAt)
				}
				third := n.Entries[2]
				if want := []string{"Unstructured Remittance Information V3 block 1", "Unstructured Remittance Information V3 block 2"}; !reflect.DeepEqual(third.Unstructured, want) {
					t.Errorf("third Unstructured = %q, want %q", third.Unstructured, want)
				}
				// The third transaction has two Strd blocks, each with its reference and
				// its additional remittance line.
				if third.CreditorReference != "Ref number V3 block 1" ||
					!reflect.DeepEqual(third.References, []string{"Ref number V3 block 1", "Ref number V3 block 2"}) ||
					!reflect.DeepEqual(third.AdditionalRemittance, []string{
						"Additional Remittance Information V3 block 1", "Additional Remittance Information V3 block 2"}) {
					t.Errorf("third remittance = %q, %q, %q", third.CreditorReference, third.References, third.AdditionalRemittance)
				}
			},
		},
		{
			file: "genkgo-camt054.v8.xml", message: "camt.054", version: "001.08", msgID: "AAAASESS-FP-ACCR001", reports: 1,
			// The entry is 200000 SEK DBIT, a batch said to be of two; its three
			// transactions say CHF credits. A debit entry stays a debit, nothing in it can
			// be taken for money received, and an amount in CHF is never booked on a SEK
			// entry: it is the instructed amount.
			amounts: []uint64{0, 0, 0},
			first: Entry{
				AmountMinor: 0, Currency: "SEK", CreditDebit: Debit, Kind: KindDebit, Status: Booked,
				Problem: n054 + "/Ntry[1]/NtryDtls[1]/Btch/NbOfTxs: the batch has 2 transactions, 3 of them detailed; " +
					n054 + "/Ntry[1]/NtryDtls[1]/TxDtls[1]/CdtDbtInd: the transaction says CRDT, its entry DBIT; " +
					n054 + "/Ntry[1]/NtryDtls[1]/TxDtls[1]: no amount in SEK, the entry's currency: its share of the entry is unknown; " +
					n054 + "/Ntry[1]: the amounts of its 3 transactions do not sum to the 200000.00 SEK the entry books",
				InstructedAmountMinor: 310, InstructedCurrency: "CHF",
				BookingDate: "2007-10-18", ValueDate: "2007-10-18", EntryRef: "ACSR160617103200001",
				EndToEndID: "UXC06170000006PI00001EE00001",
				DebtorName: "UNIFITS GmbH", DebtorIBAN: "CH2801234000123456789",
				CreditorName: "Example Creditor 3 - V1", CreditorIBAN: "CH4112345003131313131",
				CreditorReference: "ISR ref number V1", References: []string{"ISR ref number V1"},
				Unstructured:         []string{"Unstructured Remittance Information V1"},
				AdditionalRemittance: []string{"Additional Remittance Information V1"},
			},
			checkDoc: func(t *testing.T, d *Document) {
				if got := d.Notifications[0].Account.IBAN; got != "CH2801234000123456789" {
					t.Errorf("Account.IBAN = %q", got)
				}
			},
		},
		{
			file: "genkgo-camt053.v8.xml", message: "camt.053", version: "001.08", msgID: "CAMT053RIB000000000001", reports: 1,
			// An entry of 8.85 EUR whose one transaction says SEK 0 with no exchange: the
			// entry's amount is what was booked, and the SEK is a problem.
			amounts: []uint64{885},
			first: Entry{
				AmountMinor: 885, Currency: "EUR", CreditDebit: Credit, Kind: KindCredit, Status: Booked,
				Problem:            s053 + "/Ntry[1]/NtryDtls[1]/TxDtls[1]: the transaction's amount in SEK cannot be reconciled with its entry's EUR",
				InstructedCurrency: "SEK",
				BookingDate:        "2014-12-31", ValueDate: "2015-01-02", EntryRef: "AAAASESS-FP-CN_98765/01",
				EndToEndID: "MUELL/FINP/RA12345",
				DebtorName: "NAME NAME", DebtorIBAN: "NL56AGDH9619008421",
				CreditorName: "Company Name", CreditorIBAN: "NL56AGDH9619008421",
				CreditorReference: "4654654654654654", References: []string{"4654654654654654"},
			},
			checkDoc: func(t *testing.T, d *Document) {
				s := d.Statements[0]
				if s.ID != "253EURNL26VAYB8060476890" || s.Account != (Account{Other: "NL26VAYB8060476890"}) || s.CreatedAt != "2015-03-10T18:43:50+00:00" {
					t.Errorf("statement = %+v", s)
				}
				want := []Balance{
					{Type: "OPBD", AmountMinor: 1815, Currency: "EUR", CreditDebit: Credit, Date: "2014-12-30"},
					{Type: "CLBD", AmountMinor: 2700, Currency: "SEK", CreditDebit: Debit, Date: "2014-12-30"},
					{Type: "OPAV", AmountMinor: 3500, Currency: "CHF", CreditDebit: Credit, Date: "2014-12-30"},
					{Type: "CLAV", AmountMinor: 2700, Currency: "JPY", CreditDebit: Debit, Date: "2014-12-31"},
				}
				if !reflect.DeepEqual(s.Balances, want) {
					t.Errorf("Balances = %+v, want %+v", s.Balances, want)
				}
			},
		},
		{
			file: "fi-camt054.001.02-sample.xml", message: "camt.054", version: "001.02", msgID: "BANKFILEID219073", reports: 1,
			// Six entries of 2000.00, 500.00, 3000.00, 4230.05, 1000.00 and 100.00 EUR,
			// split into their transactions.
			amounts: []uint64{190000, 10000, 40000, 10000, 250000, 50000, 200002, 100001, 123002, 50000, 50000, 4000, 6000},
			// The first transaction has two Strd blocks, a payment (3900) and a credit
			// note (12344).
			first: Entry{
				AmountMinor: 190000, Currency: "EUR", CreditDebit: Credit, Kind: KindCredit, Status: Booked,
				BookingDate: "2009-10-29", ValueDate: "2009-10-29", EntryRef: "091029ACCTSTMTARCH04",
				AcctSvcrRef: "D091029N987654321S001", DebtorName: "PAYERS NAME1",
				CreditorReference: "3900", References: []string{"3900", "12344"},
			},
			checkDoc: checkFinnish,
		},
		{
			file: "chipmint-batch.xml", message: "camt.054", version: "001.06", msgID: "CHIPMINT-BATCH-0001", reports: 2,
			amounts: []uint64{10050, 20000, 5000, 1234, 100, 100000},
			first: Entry{
				AmountMinor: 10050, Currency: "EUR", CreditDebit: Credit, Kind: KindCredit, Status: Booked,
				BookingDate: "2026-03-02", ValueDate: "2026-03-02", EntryRef: "BATCH-E1",
				AcctSvcrRef: "TX-1", EndToEndID: "ORDER-1",
				DebtorName: "Alice Example", DebtorIBAN: "GB82WEST12345698765432",
				CreditorReference: "RF18539007547034", References: []string{"RF18539007547034"},
			},
			checkDoc: checkBatch,
		},
		{
			file: "chipmint-reversal.xml", message: "camt.054", version: "001.04", msgID: "CHIPMINT-RVSL-0001", reports: 1,
			amounts: []uint64{2500, 2500},
			first: Entry{
				AmountMinor: 2500, Currency: "EUR", CreditDebit: Credit, Kind: KindCredit, Status: Booked,
				BookingDate: "2026-03-04", ValueDate: "2026-03-04", EntryRef: "RVSL-E1",
				AcctSvcrRef: "TX-77", EndToEndID: "ORDER-77",
				DebtorName: "Dave Example", DebtorIBAN: "FR1420041010050500013M02606", Unstructured: []string{"ORDER-77"},
			},
			checkDoc: func(t *testing.T, d *Document) {
				r := d.Notifications[0].Entries[1]
				if !r.Reversal || r.CreditDebit != Debit || r.Kind != KindReversalOfCredit || r.PaysOrder() ||
					r.Status != Booked || r.ReturnReason != "FRAD" ||
					r.EndToEndID != "ORDER-77" || r.BankReference() != "TX-77-R" {
					t.Errorf("reversal = %+v", r)
				}
			},
		},
		{
			file: "chipmint-pending-booked.xml", message: "camt.054", version: "001.10", msgID: "CHIPMINT-PDNG-0001", reports: 1,
			amounts: []uint64{4200, 4200},
			first: Entry{
				AmountMinor: 4200, Currency: "EUR", CreditDebit: Credit, Kind: KindCredit, Status: Pending,
				ValueDate: "2026-03-05", EntryRef: "PDNG-E1",
				EndToEndID: "ORDER-42", UETR: "8a562c67-ca16-48ba-b074-65581be6f001",
				DebtorName: "Erin Example", DebtorIBAN: "BE68539007547034",
				CreditorReference: "RF712348231", References: []string{"RF712348231"},
			},
			checkDoc: func(t *testing.T, d *Document) {
				p, b := d.Notifications[0].Entries[0], d.Notifications[0].Entries[1]
				if b.Status != Booked || b.BookingDate != "2026-03-05" || b.AcctSvcrRef != "TX-42" || b.EntryRef != "BOOK-E2" ||
					p.PaysOrder() || !b.PaysOrder() {
					t.Errorf("booked = %+v", b)
				}
				// The same payment: the bank reference must not change when it is booked.
				if p.BankReference() != b.BankReference() {
					t.Errorf("BankReference pending %q, booked %q", p.BankReference(), b.BankReference())
				}
				if d.CreatedAt != "2026-03-05T12:00:00.123+01:00" || d.Notifications[0].Account.IBAN != "NL91ABNA0417164300" {
					t.Errorf("document = %+v", d)
				}
			},
		},
		{
			file: "chipmint-duplicate-delivery.xml", message: "camt.054", version: "001.08", msgID: "CHIPMINT-DUP-0001", reports: 1,
			amounts: []uint64{1999},
			first: Entry{
				AmountMinor: 1999, Currency: "EUR", CreditDebit: Credit, Kind: KindCredit, Status: Booked,
				BookingDate: "2026-03-06", ValueDate: "2026-03-06", EntryRef: "DUP-E1",
				AcctSvcrRef: "TX-1999", EndToEndID: "ORDER-1999", UETR: "5b2c6f0e-1d3a-4e8b-9c7d-2f4a6b8c0d1e",
				DebtorName: "Frank Example", DebtorIBAN: "GB82WEST12345698765432",
				CreditorName: "Chipmint Issuer", CreditorIBAN: "DE89370400440532013000",
				Unstructured: []string{"ORDER-1999"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			d, err := Parse(isoxmltest.Fixture(t, tt.file))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if d.Message != tt.message || d.Version != tt.version || d.MessageID != tt.msgID {
				t.Errorf("Message, Version, MessageID = %q, %q, %q; want %q, %q, %q",
					d.Message, d.Version, d.MessageID, tt.message, tt.version, tt.msgID)
			}
			if got := len(d.Notifications) + len(d.Statements); got != tt.reports {
				t.Errorf("%d notifications and statements, want %d", got, tt.reports)
			}
			es := entries(d)
			var amounts []uint64
			for _, e := range es {
				amounts = append(amounts, e.AmountMinor)
			}
			if !reflect.DeepEqual(amounts, tt.amounts) {
				t.Errorf("amounts = %v, want %v", amounts, tt.amounts)
			}
			if len(es) > 0 && !reflect.DeepEqual(es[0], tt.first) {
				t.Errorf("first entry\n got %+v\nwant %+v", es[0], tt.first)
			}
			if tt.checkDoc != nil {
				tt.checkDoc(t, d)
			}
		})
	}
}

// checkFinnish checks the Finnish sample beyond its first entry: the sums per entry,
// the padded RF reference, the international payments and the reversed returns.
func checkFinnish(t *testing.T, d *Document) {
	n := d.Notifications[0]
	if n.ID != "BANKFILEID00001NTR00001" || n.Account.IBAN != "FI7433010001222090" || n.Currency != "EUR" {
		t.Errorf("notification = %+v", n)
	}
	sums := map[string]uint64{}
	for _, e := range n.Entries {
		sums[e.EntryRef] += e.AmountMinor
	}
	want := map[string]uint64{
		"091029ACCTSTMTARCH04": 200000, "091029ACCTSTMTARCH21": 50000, "091029ACCTSTMTARCH05": 300000,
		"091029ACCTSTMTARCH03": 423005, "091029NTFCTNXBCT010101": 100000, "091029ACCTSTMTERR01": 10000,
	}
	if !reflect.DeepEqual(sums, want) {
		t.Errorf("sums per entry = %v, want %v", sums, want)
	}
	sct := n.Entries[4]
	if sct.CreditorReference != "RF7812345" || sct.EndToEndID != "EndToEndIdAT-41-001" || sct.DebtorName != "AT-02 DEBTOR NAME 01" {
		t.Errorf("SCT entry = %+v", sct)
	}
	// Two international payments in one debit entry of 1000.00 EUR: 500.00 EUR each,
	// instructed as USD 750.00 and JPY 79255.00 (exact in yen), with 20.00 EUR charges.
	for i, want := range []struct {
		amount, instructed uint64
		ccy, ustrd         string
	}{{50000, 75000, "USD", "INVOICE US20291092"}, {50000, 79255, "JPY", "INVOICE JP1920190"}} {
		x := n.Entries[9+i]
		if x.CreditDebit != Debit || x.Kind != KindDebit || x.AmountMinor != want.amount || x.Currency != "EUR" ||
			x.InstructedAmountMinor != want.instructed || x.InstructedCurrency != want.ccy ||
			x.ChargesMinor != 2000 || x.ChargesCurrency != "EUR" || x.TransactionAmountMinor != 0 || x.Problem != "" ||
			x.ValueDate != "" || x.BookingDate != "2009-10-30" ||
			x.CreditorName != "CREDITOR" || !reflect.DeepEqual(x.Unstructured, []string{want.ustrd}) {
			t.Errorf("international payment %d = %+v", i+1, x)
		}
	}
	for i, want := range []struct {
		ref, reason, debtor string
		amount              uint64
	}{
		{"D091029N987654321S288", "AC01", "PAYERS NAME3", 4000},
		{"D091029N987654321S289", "CUST", "PAYERS NAME4", 6000},
	} {
		// A credit with RvslInd and return information: a return, never a payment.
		e := n.Entries[11+i]
		if !e.Reversal || e.Status != Info || e.CreditDebit != Credit || e.Kind != KindReturn || e.PaysOrder() ||
			e.EntryRef != "091029ACCTSTMTERR01" ||
			e.AcctSvcrRef != want.ref || e.ReturnReason != want.reason || e.DebtorName != want.debtor || e.AmountMinor != want.amount {
			t.Errorf("return %d = %+v", i+1, e)
		}
	}
}

// checkBatch checks the batch fixture beyond its first entry.
func checkBatch(t *testing.T, d *Document) {
	n1, n2 := d.Notifications[0], d.Notifications[1]
	want := []Entry{
		{AmountMinor: 20000, Currency: "EUR", CreditDebit: Credit, Kind: KindCredit, Status: Booked, BookingDate: "2026-03-02", ValueDate: "2026-03-02",
			EntryRef: "BATCH-E1", AcctSvcrRef: "TX-2", DebtorName: "Bob Example", Unstructured: []string{"chips for bob", "second line"}},
		{AmountMinor: 5000, Currency: "EUR", CreditDebit: Credit, Kind: KindCredit, Status: Booked, BookingDate: "2026-03-02", ValueDate: "2026-03-02",
			EntryRef: "BATCH-E1", AcctSvcrRef: "TX-3", UETR: "3f2504e0-4f89-41d3-9a0c-0305e82c3301", DebtorName: "Carol Example"},
		{AmountMinor: 1234, Currency: "EUR", CreditDebit: Debit, Kind: KindDebit, Status: Booked, BookingDate: "2026-03-02", EntryRef: "FEE-E2"},
		{AmountMinor: 100, Currency: "EUR", CreditDebit: Credit, Kind: KindCredit, Status: Pending, ValueDate: "2026-03-03", EntryRef: "PEND-E3",
			EndToEndID: "ORDER-4", Unstructured: []string{"ORDER-4"}},
	}
	if !reflect.DeepEqual(n1.Entries[1:], want) {
		t.Errorf("entries 2-5\n got %+v\nwant %+v", n1.Entries[1:], want)
	}
	if n2.ID != "CHIPMINT-BATCH-0001-N2" || n2.CreatedAt != "" || n2.Account.IBAN != "GB82WEST12345698765432" || n2.Currency != "GBP" ||
		len(n2.Entries) != 1 || n2.Entries[0].Currency != "GBP" || n2.Entries[0].EntryRef != "GBP-E1" {
		t.Errorf("second notification = %+v", n2)
	}
}

// A duplicate delivery is the same bytes twice: both parses must agree entry for entry,
// so that the gateway sees the same bank references and confirms nothing twice.
func TestParseDuplicateDelivery(t *testing.T) {
	b := isoxmltest.Fixture(t, "chipmint-duplicate-delivery.xml")
	first, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	second, err := Parse(bytes.Clone(b))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(first, second) {
		t.Fatalf("two parses of the same bytes differ:\n%+v\n%+v", first, second)
	}
	if got := second.Notifications[0].Entries[0].BankReference(); got != "5b2c6f0e-1d3a-4e8b-9c7d-2f4a6b8c0d1e" {
		t.Errorf("BankReference = %q", got)
	}
}

func TestBankReference(t *testing.T) {
	tests := []struct {
		name  string
		entry Entry
		want  string
	}{
		{"UETR first", Entry{UETR: "u", AcctSvcrRef: "a", EntryRef: "e"}, "u"},
		{"then transaction ref", Entry{AcctSvcrRef: "a", EntryRef: "e"}, "a"},
		{"then entry ref", Entry{EntryRef: "e"}, "e"},
		{"none", Entry{EndToEndID: "not a bank reference"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.entry.BankReference(); got != tt.want {
				t.Errorf("BankReference() = %q, want %q", got, tt.want)
			}
		})
	}
}

// Cutting a valid file anywhere before the end of its root element must fail, and
// must never panic or return part of the document.
func TestParseTruncated(t *testing.T) {
	for _, name := range validFixtures {
		t.Run(name, func(t *testing.T) {
			b := isoxmltest.Fixture(t, name)
			end := bytes.LastIndex(b, []byte("Document>")) + len("Document>")
			for n := 0; n < end; n += 97 {
				if d, err := Parse(b[:n]); err == nil || d != nil {
					t.Fatalf("Parse(first %d of %d bytes) = %v, %v; want an error and no document", n, len(b), d, err)
				}
			}
			if _, err := Parse(b[:end-1]); err == nil {
				t.Fatalf("Parse without the last '>' succeeded")
			}
		})
	}
}

func TestParseByteOrderMark(t *testing.T) {
	b := isoxmltest.Fixture(t, "chipmint-duplicate-delivery.xml")
	want, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Parse(append([]byte("\xEF\xBB\xBF"), b...))
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("Parse with a byte order mark = %+v, %v", got, err)
	}
}

func TestParseReader(t *testing.T) {
	b := isoxmltest.Fixture(t, "chipmint-duplicate-delivery.xml")
	d, err := ParseReader(bytes.NewReader(b))
	if err != nil || len(entries(d)) != 1 {
		t.Fatalf("ParseReader = %v, %v", d, err)
	}
	big := append(bytes.Repeat([]byte(" "), MaxInputBytes), b...)
	_, err = ParseReader(bytes.NewReader(big))
	wantParseError(t, err, ErrTooLarge, "Document")
}
