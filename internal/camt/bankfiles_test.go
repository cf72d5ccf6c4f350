package camt

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/chipmint/chipmint/internal/fiat"
	"github.com/chipmint/chipmint/internal/isoxml/isoxmltest"
)

// parseOne parses a fixture that must parse, and returns its document and entries.
func parseOne(t *testing.T, name string) (*Document, []Entry) {
	t.Helper()
	d, err := Parse(isoxmltest.Fixture(t, name))
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return d, entries(d)
}

// A payment of the account owner's that came back (PostFinance, camt.054.001.04: CRDT,
// RvslInd false, PMNT/ICDT/RRTN, RtrInf AC01) carries the owner's references, which may
// be an order's: it is a return, and pays nothing.
func TestReturnedPayments(t *testing.T) {
	for _, tt := range []struct {
		file     string
		reversal bool
		amount   uint64
		ref      string
	}{
		{"postfinance-camt054-return.xml", false, 40000, "180327CH02P92DYD"},
		{"postfinance-camt054-return-rvsl.xml", true, 50000, "190520CH02ZZTJR1"},
	} {
		t.Run(tt.file, func(t *testing.T) {
			_, es := parseOne(t, tt.file)
			if len(es) != 1 {
				t.Fatalf("%d entries, want 1", len(es))
			}
			e := es[0]
			if e.Kind != KindReturn || e.PaysOrder() || e.CreditDebit != Credit || e.Reversal != tt.reversal ||
				e.Status != Booked || e.ReturnReason != "AC01" || e.AmountMinor != tt.amount || e.Currency != "CHF" ||
				e.Problem != "" || e.BankReference() != tt.ref || e.DebtorIBAN != "CH8709000000929471495" {
				t.Errorf("entry = %+v", e)
			}
		})
	}
}

// Each sign of a return or reversal, alone on an otherwise ordinary credit or debit.
func TestClassify(t *testing.T) {
	base := isoxmltest.Fixture(t, "chipmint-duplicate-delivery.xml")
	debit := func(b []byte) []byte {
		return []byte(strings.ReplaceAll(string(b), "<CdtDbtInd>CRDT</CdtDbtInd>", "<CdtDbtInd>DBIT</CdtDbtInd>"))
	}
	code := func(b []byte, family, sub string) []byte {
		return isoxmltest.Mutate(t, b, "<Cd>RCDT</Cd>\n              <SubFmlyCd>ESCT</SubFmlyCd>",
			"<Cd>"+family+"</Cd>\n              <SubFmlyCd>"+sub+"</SubFmlyCd>")
	}
	rvsl := func(b []byte) []byte { return isoxmltest.Mutate(t, b, "<Sts>", "<RvslInd>true</RvslInd><Sts>") }
	txRvsl := func(b []byte) []byte {
		return isoxmltest.Mutate(t, b, "</CdtDbtInd>\n            <RltdPties>", "</CdtDbtInd><RvslInd>1</RvslInd>\n            <RltdPties>")
	}
	prtry := func(b []byte, c string) []byte {
		return isoxmltest.Mutate(t, b, "</Domn>", "</Domn><Prtry><Cd>"+c+"</Cd></Prtry>")
	}
	rtrInf := func(b []byte) []byte {
		return isoxmltest.Mutate(t, b, "</RmtInf>", "</RmtInf><RtrInf><Rsn><Cd>AC04</Cd></Rsn></RtrInf>")
	}
	for _, tt := range []struct {
		name  string
		input []byte
		want  Kind
	}{
		{"credit", base, KindCredit},
		{"debit", debit(base), KindDebit},
		{"credit with return information", rtrInf(base), KindReturn},
		{"credit with return sub-family", code(base, "ICDT", "RRTN"), KindReturn},
		{"credit with returned item code", prtry(base, "NRTI+159"), KindReturn},
		{"credit with transfer code", prtry(base, "NTRF+166"), KindCredit},
		{"credit with RvslInd: reversal of a debit", rvsl(code(base, "ICDT", "ESCT")), KindReversalOfDebit},
		{"credit with RvslInd on a received transfer: written with the original direction", rvsl(base), KindReversalOfCredit},
		{"credit with a reversal sub-family", code(base, "RDDT", "PRDD"), KindReversalOfDebit},
		{"credit with RvslInd in TxDtls", txRvsl(code(base, "ICDT", "ESCT")), KindReversalOfDebit},
		{"debit with RvslInd: reversal of a credit", debit(rvsl(base)), KindReversalOfCredit},
		{"debit with RvslInd on an issued transfer: written with the original direction", debit(rvsl(code(base, "ICDT", "ESCT"))), KindReversalOfDebit},
		{"debit with RvslInd in TxDtls", debit(txRvsl(base)), KindReversalOfCredit},
		{"debit with a recall code", debit(code(base, "RCDT", "RPCR")), KindReversalOfCredit},
		{"debit with return information", debit(rtrInf(code(base, "ICDT", "ESCT"))), KindReversalOfCredit},
		{"debit returning an unpaid direct debit", debit(code(base, "IDDT", "UPDD")), KindReversalOfCredit},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Parse(tt.input)
			if err != nil {
				t.Fatal(err)
			}
			e := d.Notifications[0].Entries[0]
			if e.Kind != tt.want || e.PaysOrder() != (tt.want == KindCredit) {
				t.Errorf("Kind = %s, PaysOrder = %v; want %s", e.Kind, e.PaysOrder(), tt.want)
			}
		})
	}
}

// The same credit and its reversals in a PostFinance notification: the ISO way (DBIT,
// RvslInd true) and the original direction (CRDT, RvslInd true, family RCDT).
func TestReversalsBothWays(t *testing.T) {
	_, es := parseOne(t, "chipmint-pf-reversals.xml")
	want := []struct {
		kind Kind
		cd   CreditDebit
		ref  string
	}{
		{KindCredit, Credit, "074820002ZZ9J42U"},
		{KindReversalOfCredit, Debit, "074820002ZZ9R001"},
		{KindReversalOfCredit, Credit, "074820002ZZ9R002"},
	}
	if len(es) != len(want) {
		t.Fatalf("%d entries, want %d", len(es), len(want))
	}
	for i, w := range want {
		e := es[i]
		if e.Kind != w.kind || e.CreditDebit != w.cd || e.Reversal != (i > 0) || e.PaysOrder() != (i == 0) ||
			e.AmountMinor != 150000 || e.BankReference() != w.ref || e.Problem != "" {
			t.Errorf("entry %d = %+v", i+1, e)
		}
	}
}

// What a credit paid is what was booked on the account, in the account's currency.
func TestAmounts(t *testing.T) {
	t.Run("one transaction smaller than its entry", func(t *testing.T) {
		_, es := parseOne(t, "chipmint-pf-amounts.xml")
		e := es[0]
		if e.AmountMinor != 59405 || e.TransactionAmountMinor != 56405 || e.Currency != "CHF" || e.Problem != "" || !e.PaysOrder() {
			t.Errorf("entry = %+v", e)
		}
	})
	t.Run("a batch whose transactions exceed its entry", func(t *testing.T) {
		_, es := parseOne(t, "chipmint-pf-amounts.xml")
		want := n054 + "/Ntry[2]: its 2 transactions sum to 5.00 CHF, the entry books 4.50"
		for i, amount := range []uint64{150, 350} {
			e := es[1+i]
			if e.AmountMinor != amount || e.Problem != want || e.PaysOrder() {
				t.Errorf("transaction %d = %+v", i+1, e)
			}
		}
	})
	t.Run("a batch that sums to its entry", func(t *testing.T) {
		_, es := parseOne(t, "postfinance-camt054-batch.xml")
		for i, amount := range []uint64{150, 300} {
			e := es[i]
			if e.AmountMinor != amount || e.Problem != "" || e.Kind != KindCredit || !e.PaysOrder() {
				t.Errorf("transaction %d = %+v", i+1, e)
			}
		}
	})
	t.Run("one transaction larger than its entry", func(t *testing.T) {
		d, err := Parse(isoxmltest.Mutate(t, isoxmltest.Fixture(t, "chipmint-pf-amounts.xml"), `<Amt Ccy="CHF">564.05</Amt>`, `<Amt Ccy="CHF">624.05</Amt>`))
		if err != nil {
			t.Fatal(err)
		}
		e := d.Notifications[0].Entries[0]
		want := n054 + "/Ntry[1]/NtryDtls[1]/TxDtls[1]: the transaction states 624.05 CHF, more than the 594.05 its entry books"
		if e.AmountMinor != 59405 || e.TransactionAmountMinor != 62405 || e.Problem != want || e.PaysOrder() {
			t.Errorf("entry = %+v", e)
		}
	})
	t.Run("one transaction larger than its entry by its charges", func(t *testing.T) {
		d, err := Parse(isoxmltest.Mutate(t, isoxmltest.Mutate(t, isoxmltest.Fixture(t, "chipmint-pf-amounts.xml"), `<Amt Ccy="CHF">564.05</Amt>`, `<Amt Ccy="CHF">624.05</Amt>`),
			"<CdtDbtInd>CRDT</CdtDbtInd>\n\t\t\t\t\t</TxDtls>",
			`<CdtDbtInd>CRDT</CdtDbtInd><Chrgs><TtlChrgsAndTaxAmt Ccy="CHF">30.00</TtlChrgsAndTaxAmt>`+
				`<Rcrd><Amt Ccy="CHF">30.00</Amt><ChrgInclInd>true</ChrgInclInd></Rcrd></Chrgs></TxDtls>`))
		if err != nil {
			t.Fatal(err)
		}
		e := d.Notifications[0].Entries[0]
		if e.AmountMinor != 59405 || e.TransactionAmountMinor != 62405 || e.ChargesMinor != 3000 || e.ChargesCurrency != "CHF" ||
			e.Problem != "" || !e.PaysOrder() {
			t.Errorf("entry = %+v", e)
		}
	})
	t.Run("a transaction in another currency", func(t *testing.T) {
		_, es := parseOne(t, "chipmint-pf-foreign-currency.xml")
		e := es[0]
		if e.AmountMinor != 57921 || e.Currency != "CHF" || e.InstructedAmountMinor != 52239 || e.InstructedCurrency != "EUR" ||
			e.TransactionAmountMinor != 0 || e.Problem != "" || !e.PaysOrder() {
			t.Errorf("entry = %+v", e)
		}
	})
	t.Run("a transaction only in another currency, unreconciled", func(t *testing.T) {
		b := isoxmltest.Fixture(t, "chipmint-pf-foreign-currency.xml")
		b = isoxmltest.Mutate(t, b, "<TxAmt>\n\t\t\t\t\t\t\t\t<Amt Ccy=\"CHF\">579.21</Amt>\n\t\t\t\t\t\t\t</TxAmt>", "")
		b = isoxmltest.Mutate(t, b, "<TrgtCcy>CHF</TrgtCcy>", "<TrgtCcy>USD</TrgtCcy>")
		d, err := Parse(b)
		if err != nil {
			t.Fatal(err)
		}
		e := d.Notifications[0].Entries[0]
		want := n054 + "/Ntry[1]/NtryDtls[1]/TxDtls[1]: the transaction's amount in EUR cannot be reconciled with its entry's CHF"
		if e.AmountMinor != 57921 || e.InstructedCurrency != "EUR" || e.Problem != want || e.PaysOrder() {
			t.Errorf("entry = %+v", e)
		}
	})
	t.Run("an entry in another currency than its account", func(t *testing.T) {
		d, err := Parse(isoxmltest.Mutate(t, isoxmltest.Fixture(t, "chipmint-duplicate-delivery.xml"), "<Ccy>EUR</Ccy>", "<Ccy>CHF</Ccy>"))
		if err != nil {
			t.Fatal(err)
		}
		e := d.Notifications[0].Entries[0]
		if e.Problem != n054+"/Ntry[1]/Amt: the entry is in EUR, the account in CHF" || e.PaysOrder() {
			t.Errorf("entry = %+v", e)
		}
	})
	t.Run("a batch detailed in part", func(t *testing.T) {
		d, err := Parse(isoxmltest.Mutate(t, isoxmltest.Fixture(t, "postfinance-camt054-return.xml"), "<NbOfTxs>1</NbOfTxs>", "<NbOfTxs>2</NbOfTxs>"))
		if err != nil {
			t.Fatal(err)
		}
		e := d.Notifications[0].Entries[0]
		if e.Problem != n054+"/Ntry[1]/NtryDtls[1]/Btch/NbOfTxs: the batch has 2 transactions, 1 of them detailed" {
			t.Errorf("entry = %+v", e)
		}
	})
}

// The Finnish banks' statement sample: an international payment with its instructed
// amount in USD and charges, a priority payment with instructed amount and charges in
// EUR, and creditor accounts identified by BBAN.
func TestFinnishStatement(t *testing.T) {
	d, es := parseOne(t, "fi-camt053.001.02-sample.xml")
	s := d.Statements[0]
	if d.Message != MessageStatement || d.Version != "001.02" || s.Account != (Account{IBAN: "FI7433010001222090"}) ||
		s.Currency != "EUR" || s.From != "2009-10-29T02:00:00+02:00" || s.To != "2009-10-29T21:00:00+02:00" || len(s.Balances) != 4 || s.Balances[2] != (Balance{Type: "CLBD", AmountMinor: 2364483, Currency: "EUR", CreditDebit: Credit, Date: "2009-10-29"}) {
		t.Errorf("statement = %+v", s)
	}
	byRef := map[string]Entry{}
	for _, e := range es {
		byRef[e.EntryRef] = e
	}
	for _, tt := range []struct {
		ref                string
		amount, instructed uint64
		instructedCcy      string
		charges            uint64
	}{
		{"091029ACCTSTMTARCH06", 212000, 320000, "USD", 2000},
		{"091029ACCTSTMTARCH07", 545500, 550000, "EUR", 4500},
	} {
		e := byRef[tt.ref]
		if e.AmountMinor != tt.amount || e.Currency != "EUR" || e.InstructedAmountMinor != tt.instructed ||
			e.InstructedCurrency != tt.instructedCcy || e.ChargesMinor != tt.charges || e.ChargesCurrency != "EUR" ||
			e.Problem != "" || !e.PaysOrder() {
			t.Errorf("%s = %+v", tt.ref, e)
		}
	}
	// A debit of bank charges for two kinds of received payments, 100.00 EUR each.
	var charges []uint64
	for _, e := range es {
		if e.EntryRef == "091029ACCTSTMTARCH09" {
			charges = append(charges, e.AmountMinor)
			if e.Kind != KindDebit || e.Problem != "" {
				t.Errorf("charges debit = %+v", e)
			}
		}
	}
	if !reflect.DeepEqual(charges, []uint64{10000, 10000}) {
		t.Errorf("charges debits = %v", charges)
	}
}

func TestOtherAccount(t *testing.T) {
	d, es := parseOne(t, "chipmint-pf-othr-account.xml")
	n := d.Notifications[0]
	want := Account{Other: "250094239", Scheme: "BBAN", Issuer: "PostFinance"}
	if n.Account != want || n.Currency != "CHF" || len(es) != 1 || !es[0].PaysOrder() {
		t.Errorf("notification = %+v", n)
	}
	for _, tt := range []struct {
		a    Account
		want string
	}{
		{want, "250094239 (scheme BBAN, issuer PostFinance)"},
		{Account{Other: "1", Scheme: "BBAN"}, "1 (scheme BBAN)"},
		{Account{Other: "1", Issuer: "Bank"}, "1 (issuer Bank)"},
		{Account{Other: "1"}, "1"},
		{Account{IBAN: "CH2909000000250094239"}, "CH2909000000250094239"},
		{Account{IBAN: "ch29 0900 0000 2500 9423 9"}, "CH2909000000250094239"},
		{Account{Other: "6222 0210 0100 0000 001", Scheme: "bban"}, "6222021001000000001 (scheme BBAN)"},
		{Account{Other: "ab 12", Scheme: "Wallet"}, "ab12 (scheme Wallet)"},
	} {
		if got := tt.a.String(); got != tt.want {
			t.Errorf("%+v.String() = %q, want %q", tt.a, got, tt.want)
		}
	}
	d, err := Parse(isoxmltest.Mutate(t, isoxmltest.Fixture(t, "chipmint-pf-othr-account.xml"), "<Cd>BBAN</Cd>", "<Prtry>KONTO</Prtry>"))
	if err != nil || d.Notifications[0].Account.Scheme != "KONTO" {
		t.Errorf("proprietary scheme: %+v, %v", d, err)
	}
}

// Amounts with zeros beyond the currency's decimals are exact and read; any other
// digit there is refused, wherever the amount is.
func TestTrailingZeros(t *testing.T) {
	d, es := parseOne(t, "genkgo-camt053.v2.five-decimals.xml")
	s := d.Statements[0]
	if s.Balances[0].AmountMinor != 1815 || s.Balances[1].AmountMinor != 2705 || len(es) != 1 || es[0].AmountMinor != 885 ||
		es[0].Kind != KindCredit {
		t.Errorf("statement = %+v", s)
	}
	base := isoxmltest.Fixture(t, "genkgo-camt053.v2.five-decimals.xml")
	for _, tt := range []struct {
		name, old, new, element string
	}{
		{"entry", "<Amt Ccy=\"EUR\">8.850</Amt>", "<Amt Ccy=\"EUR\">8.855</Amt>", s053 + "/Ntry[1]/Amt"},
		{"balance", "<Amt Ccy=\"EUR\">18.150</Amt>", "<Amt Ccy=\"EUR\">18.151</Amt>", s053 + "/Bal[1]/Amt"},
		{"yen", "<Amt Ccy=\"EUR\">8.850</Amt>", "<Amt Ccy=\"JPY\">885.5</Amt>", s053 + "/Ntry[1]/Amt"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Parse(isoxmltest.Mutate(t, base, tt.old, tt.new))
			if d != nil {
				t.Errorf("Parse returned a document with %v", err)
			}
			wantParseError(t, err, ErrBadAmount, tt.element)
		})
	}
	for _, tt := range []struct {
		s, ccy string
		want   uint64
	}{{"885.000", "JPY", 885}, {"8.85000", "EUR", 885}, {"1.2340", "KWD", 1234}, {"7.", "EUR", 0}} {
		got, _, err := amount("Amt", &xAmount{Ccy: tt.ccy, Value: tt.s})
		if tt.s == "7." {
			if err == nil {
				t.Errorf("amount(%q) accepted a bare point", tt.s)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("amount(%q %s) = %d, %v; want %d", tt.s, tt.ccy, got, err, tt.want)
		}
	}
}

// A reference in a second Strd, in AddtlRmtInf or in the Ustrd lines is read.
func TestRemittance(t *testing.T) {
	_, es := parseOne(t, "chipmint-pf-remittance.xml")
	e := es[0]
	if e.CreditorReference != "210000000003139471430009017" ||
		!reflect.DeepEqual(e.References, []string{"210000000003139471430009017", "RF18539007547034"}) ||
		!reflect.DeepEqual(e.Unstructured, []string{"Rechnung 2019-0424"}) ||
		!reflect.DeepEqual(e.AdditionalRemittance, []string{"Bestellung RF71 2348 231", "Danke"}) {
		t.Errorf("remittance = %q, %q, %q, %q", e.CreditorReference, e.References, e.Unstructured, e.AdditionalRemittance)
	}
	if _, err := fiat.ParseCreditorReference(e.References[1]); err != nil {
		t.Errorf("second reference: %v", err)
	}
}

// camt.052 intraday reports: PostFinance's (.001.04, two debits and two balances) and
// the Finnish banks' sample (.001.02, a pending foreign credit without balances, then a
// booked SEPA credit).
func TestAccountReports(t *testing.T) {
	d, es := parseOne(t, "postfinance-camt052.001.04.xml")
	r := d.Reports[0]
	if d.Message != MessageReport || d.Version != "001.04" || d.MessageID != "20190424375204223062173" || len(d.Reports) != 1 ||
		r.Account.IBAN != "CH2909000000250094239" || len(r.Balances) != 2 ||
		r.Balances[1] != (Balance{Type: "ITBD", AmountMinor: 20759619, Currency: "CHF", CreditDebit: Credit, Date: "2019-04-24"}) {
		t.Errorf("report = %+v", r)
	}
	if len(es) != 2 || es[0].AmountMinor != 10300 || es[1].AmountMinor != 91300 || es[0].Kind != KindDebit ||
		es[1].BankReference() != "25-1120172999-2" {
		t.Errorf("entries = %+v", es)
	}

	d, es = parseOne(t, "fi-camt052.001.02-sample.xml")
	if d.Version != "001.02" || len(d.Reports) != 2 || len(d.Reports[0].Balances) != 0 || len(d.Reports[1].Balances) != 2 {
		t.Fatalf("document = %+v", d)
	}
	pending, booked := es[0], es[1]
	if pending.Status != Pending || pending.AmountMinor != 212000 || pending.InstructedAmountMinor != 320000 ||
		pending.InstructedCurrency != "USD" || pending.Problem != "" || pending.PaysOrder() || pending.BankReference() != "" {
		t.Errorf("pending = %+v", pending)
	}
	if booked.Status != Booked || booked.AmountMinor != 10000 || booked.CreditorReference != "RF98123456789012" ||
		booked.BankReference() != "091029ACCTSTMTARCH08" || !booked.PaysOrder() {
		t.Errorf("booked = %+v", booked)
	}
}

// A file in ISO-8859-1, as its declaration says, reads as the same text in UTF-8.
func TestLatin1(t *testing.T) {
	_, es := parseOne(t, "chipmint-pf-latin1.xml")
	if len(es) != 1 || !reflect.DeepEqual(es[0].Unstructured, []string{"Kontoübertrag"}) || es[0].Kind != KindReturn {
		t.Errorf("entries = %+v", es)
	}
	b := isoxmltest.Fixture(t, "chipmint-pf-latin1.xml")
	if !bytes.Contains(b, []byte("Konto\xfcbertrag")) {
		t.Errorf("the fixture is not in ISO-8859-1")
	}
	for _, label := range []string{"windows-1252", "latin1", "US-ASCII"} {
		if _, err := Parse(isoxmltest.Mutate(t, b, `encoding="ISO-8859-1"`, `encoding="`+label+`"`)); err != nil {
			t.Errorf("%s: %v", label, err)
		}
	}
}

// The same booking reported in a camt.054, a camt.053 and a camt.052 reads as the same
// entries, with the same bank references and amounts.
func TestSameBookingInEveryMessage(t *testing.T) {
	for _, file := range []string{"postfinance-camt054-return.xml", "fi-camt054.001.02-sample.xml", "chipmint-pf-amounts.xml"} {
		t.Run(file, func(t *testing.T) {
			b := isoxmltest.Fixture(t, file)
			d, err := Parse(b)
			if err != nil {
				t.Fatal(err)
			}
			want := d.Notifications[0].Entries
			for _, m := range []struct{ ns, root, report string }{
				{"camt.053.001.", "BkToCstmrStmt", "Stmt"},
				{"camt.052.001.", "BkToCstmrAcctRpt", "Rpt"},
			} {
				s := strings.ReplaceAll(string(b), "camt.054.001.", m.ns)
				s = strings.ReplaceAll(s, "BkToCstmrDbtCdtNtfctn>", m.root+">")
				s = strings.ReplaceAll(s, "Ntfctn>", m.report+">")
				other, err := Parse([]byte(s))
				if err != nil {
					t.Fatalf("%s: %v", m.root, err)
				}
				got := entries(other)
				if len(got) != len(want) {
					t.Fatalf("%s: %d entries, want %d", m.root, len(got), len(want))
				}
				for i := range want {
					w := want[i]
					// A problem names the element, whose path differs between messages.
					w.Problem = strings.ReplaceAll(w.Problem, "BkToCstmrDbtCdtNtfctn/Ntfctn", m.root+"/"+m.report)
					if !reflect.DeepEqual(got[i], w) || got[i].BankReference() != w.BankReference() || got[i].AmountMinor != w.AmountMinor {
						t.Errorf("%s entry %d\n got %+v\nwant %+v", m.root, i+1, got[i], w)
					}
				}
			}
		})
	}
}
