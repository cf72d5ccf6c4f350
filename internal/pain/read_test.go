package pain

import (
	"bytes"
	"strings"
	"testing"

	"github.com/chipmint/chipmint/internal/fiat"
	"github.com/chipmint/chipmint/internal/isoxml/isoxmltest"
)

// Real pain.001.001.03 files of banks and standards bodies (testdata/README.md), read
// into the values they carry.
func TestReadBankFiles(t *testing.T) {
	for _, tt := range []struct {
		file, msgID, date, debtor string
		payments                  int
		first                     Payment
	}{
		{"dk-pain.001.001.03.xml", "Message-ID-4711", "2010-11-25", "DE87200500001234567890", 2, Payment{
			EndToEndID: "OriginatorID1234", AmountMinor: 654314, Currency: "EUR", CreditorName: "Creditor Name",
			CreditorAccount: Account{IBAN: "DE21500500009876543210"}, CreditorBIC: "SPUEDE2UXXX",
			Unstructured: "Unstructured Remittance Information",
		}},
		{"lt-pain.001.001.03-sepa.xml", "MSGID0001", "2017-08-23", "LT007180000000000000", 1, Payment{
			InstructionID: "InstrId00001", EndToEndID: "EndToEndId0001", AmountMinor: 9999, Currency: "EUR",
			CreditorName: "IMONE Z", CreditorAccount: Account{IBAN: "LT007400000000000000"}, CreditorBIC: "SMPOLT22",
			Unstructured: "Apmokama saskaita-faktura Nr. 1",
		}},
		{"lt-pain.001.001.03-usd.xml", "MSGID0002", "2015-09-28", "LT007180000000000000", 1, Payment{
			EndToEndID: "EndToEndId0002", AmountMinor: 11111, Currency: "USD", CreditorName: "COMPANY Z",
			CreditorAccount: Account{Other: otherID("1234567890")}, CreditorBIC: "BKTRUS33", Unstructured: "Payment details",
		}},
		{"lt-pain.001.001.03-rub.xml", "MSGID0003", "2015-09-28", "LT007180000000000000", 1, Payment{
			InstructionID: "Payment-1", EndToEndID: "EndToEndId0003", AmountMinor: 100000, Currency: "RUB",
			CreditorName: "COMPANY Z", CreditorAccount: Account{Other: otherID("1234567890")},
			Unstructured: "PREPAYMENT RUB 1000,00",
		}},
	} {
		t.Run(tt.file, func(t *testing.T) {
			in, err := Read(isoxmltest.Fixture(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if in.MessageID != tt.msgID || in.ExecutionDate != tt.date || in.Debtor.Account.String() != tt.debtor || len(in.Payments) != tt.payments {
				t.Fatalf("read %s on %s from %s with %d payments, want %s on %s from %s with %d",
					in.MessageID, in.ExecutionDate, in.Debtor.Account, len(in.Payments), tt.msgID, tt.date, tt.debtor, tt.payments)
			}
			if in.Payments[0] != tt.first {
				t.Fatalf("first payment\n got %+v\nwant %+v", in.Payments[0], tt.first)
			}
		})
	}
	in, err := Read(isoxmltest.Fixture(t, "dk-pain.001.001.03.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if p := in.Payments[1]; p.EndToEndID != "OriginatorID1235" || p.AmountMinor != 11272 || p.CreditorAccount.IBAN != "DE21500500001234567897" {
		t.Fatalf("second payment %+v", p)
	}
	if in.Debtor.Name != "Debtor Name" || in.Debtor.BIC != "BANKDEFFXXX" || in.InitiatingParty != "Initiator Name" || in.CreatedAt != "2010-11-11T09:30:47.000Z" {
		t.Fatalf("header %+v", in)
	}
}

func otherID(id string) fiat.OtherAccount { return fiat.OtherAccount{ID: id} }

// PostFinance's sample of the Swiss variant (pain.001.001.03.ch.02) has a namespace of
// its own, and Read refuses it by name.
func TestReadSwissNamespaceRefused(t *testing.T) {
	_, err := Read(isoxmltest.Fixture(t, "postfinance-pain.001.001.03.ch.02.xml"))
	wantError(t, err, ErrNotPain, "Document")
	if !strings.Contains(err.Error(), "http://www.six-interbank-clearing.com/de/pain.001.001.03.ch.02.xsd") {
		t.Fatalf("error %v does not name the namespace", err)
	}
}

// Read refuses each fault of a real file, naming its element; the bad amount, count and
// sum are a bank's real file with one value changed.
func TestReadErrors(t *testing.T) {
	base := isoxmltest.Fixture(t, "dk-pain.001.001.03.xml")
	lt := isoxmltest.Fixture(t, "lt-pain.001.001.03-sepa.xml")
	const pmt = "Document/CstmrCdtTrfInitn/PmtInf[1]"
	for _, tt := range []struct {
		name     string
		input    []byte
		sentinel error
		element  string
	}{
		{"pain.001.001.02", isoxmltest.Mutate(t, base, "pain.001.001.03\"", "pain.001.001.02\""), ErrNotPain, "Document"},
		{"pain.008", isoxmltest.Mutate(t, base, "pain.001.001.03\"", "pain.008.001.03\""), ErrNotPain, "Document"},
		{"no namespace", isoxmltest.Mutate(t, base, `xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"`, ""), ErrNotPain, "Document"},
		{"foreign element", isoxmltest.Mutate(t, base, "<ChrgBr>", `<ChrgBr xmlns="urn:x">`), ErrNotPain, pmt + "/ChrgBr"},
		{"doctype", isoxmltest.Mutate(t, base, "<Document", "<!DOCTYPE Document [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n<Document"), ErrDoctype, "Document"},
		{"truncated", base[:bytes.Index(base, []byte("OriginatorID1234"))+5], ErrMalformed, pmt + "/CdtTrfTxInf[1]/PmtId/EndToEndId"},
		{"too large", append(bytes.Repeat([]byte(" "), MaxInputBytes), base...), ErrTooLarge, "Document"},
		{"three decimals in EUR", isoxmltest.Mutate(t, base, ">6543.14<", ">6543.140<"), ErrBadAmount, pmt + "/CdtTrfTxInf[1]/Amt/InstdAmt"},
		{"decimals in JPY", isoxmltest.Mutate(t, base, `Ccy="EUR">6543.14<`, `Ccy="JPY">6543.14<`), ErrBadAmount, pmt + "/CdtTrfTxInf[1]/Amt/InstdAmt"},
		{"zero amount", isoxmltest.Mutate(t, base, ">112.72<", ">0.00<"), ErrBadAmount, pmt + "/CdtTrfTxInf[2]/Amt/InstdAmt"},
		{"negative amount", isoxmltest.Mutate(t, base, ">112.72<", ">-112.72<"), ErrBadAmount, pmt + "/CdtTrfTxInf[2]/Amt/InstdAmt"},
		{"unknown currency", isoxmltest.Mutate(t, base, `Ccy="EUR">112.72`, `Ccy="EUX">112.72`), ErrBadCurrency, pmt + "/CdtTrfTxInf[2]/Amt/InstdAmt/@Ccy"},
		{"group count", isoxmltest.Mutate(t, base, "<NbOfTxs>2</NbOfTxs>\n      <InitgPty>", "<NbOfTxs>3</NbOfTxs>\n      <InitgPty>"), ErrControl, "Document/CstmrCdtTrfInitn/GrpHdr/NbOfTxs"},
		{"block count", isoxmltest.Mutate(t, base, "<NbOfTxs>2</NbOfTxs>\n      <CtrlSum>", "<NbOfTxs>1</NbOfTxs>\n      <CtrlSum>"), ErrControl, pmt + "/NbOfTxs"},
		{"block sum", isoxmltest.Mutate(t, base, "<CtrlSum>6655.86</CtrlSum>", "<CtrlSum>6655.87</CtrlSum>"), ErrControl, pmt + "/CtrlSum"},
		{"group sum", isoxmltest.Mutate(t, lt, "<CtrlSum>99.99</CtrlSum>", "<CtrlSum>99.98</CtrlSum>"), ErrControl, "Document/CstmrCdtTrfInitn/GrpHdr/CtrlSum"},
		{"duplicate end-to-end id", isoxmltest.Mutate(t, base, "OriginatorID1235", "OriginatorID1234"), ErrDuplicatePayment, pmt + "/CdtTrfTxInf[2]/PmtId/EndToEndId"},
		{"end-to-end id too long", isoxmltest.Mutate(t, base, "OriginatorID1235", strings.Repeat("E", 36)), ErrBadText, pmt + "/CdtTrfTxInf[2]/PmtId/EndToEndId"},
		{"no end-to-end id", isoxmltest.Mutate(t, base, "<EndToEndId>OriginatorID1235</EndToEndId>", ""), ErrMissingElement, pmt + "/CdtTrfTxInf[2]/PmtId/EndToEndId"},
		{"two amounts", isoxmltest.Mutate(t, base, `<InstdAmt Ccy="EUR">112.72</InstdAmt>`, `<InstdAmt Ccy="EUR">112.72</InstdAmt><InstdAmt Ccy="EUR">1.00</InstdAmt>`), ErrDuplicateElement, pmt + "/CdtTrfTxInf[2]/Amt/InstdAmt"},
		{"cheque", isoxmltest.Mutate(t, base, "<PmtMtd>TRF</PmtMtd>", "<PmtMtd>CHK</PmtMtd>"), ErrUnsupported, pmt + "/PmtMtd"},
		{"no creditor account", isoxmltest.Mutate(t, base, "<IBAN>DE21500500001234567897</IBAN>", ""), ErrMissingElement, pmt + "/CdtTrfTxInf[2]/CdtrAcct/Id/IBAN"},
		{"bad IBAN", isoxmltest.Mutate(t, base, "<IBAN>DE21500500001234567897</IBAN>", "<IBAN>1234</IBAN>"), ErrBadText, pmt + "/CdtTrfTxInf[2]/CdtrAcct/Id/IBAN"},
		{"bad execution date", isoxmltest.Mutate(t, base, "2010-11-25", "2010-11-31"), ErrBadDate, pmt + "/ReqdExctnDt"},
		{"no group header", isoxmltest.Mutate(t, isoxmltest.Mutate(t, base, "<GrpHdr>", "<X>"), "</GrpHdr>", "</X>"), ErrMissingElement, "Document/CstmrCdtTrfInitn/GrpHdr"},
		{"second block of another debtor", isoxmltest.Mutate(t, base, "    </PmtInf>", `    </PmtInf><PmtInf><PmtInfId>2</PmtInfId><PmtMtd>TRF</PmtMtd><ReqdExctnDt>2010-11-25</ReqdExctnDt><Dbtr><Nm>X</Nm></Dbtr><DbtrAcct><Id><IBAN>DE89370400440532013000</IBAN></Id></DbtrAcct><DbtrAgt><FinInstnId/></DbtrAgt><CdtTrfTxInf><PmtId><EndToEndId>E3</EndToEndId></PmtId><Amt><InstdAmt Ccy="EUR">1.00</InstdAmt></Amt><Cdtr><Nm>Y</Nm></Cdtr><CdtrAcct><Id><IBAN>DE89370400440532013000</IBAN></Id></CdtrAcct></CdtTrfTxInf></PmtInf>`), ErrUnsupported, "Document/CstmrCdtTrfInitn/PmtInf[2]"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in, err := Read(tt.input)
			if in != nil {
				t.Errorf("Read returned a document with error %v", err)
			}
			wantError(t, err, tt.sentinel, tt.element)
		})
	}
}

// A second payment information block of the same debtor and date is read, its payments
// after the first block's, and the group's count and sum cover both.
func TestReadTwoBlocks(t *testing.T) {
	base := isoxmltest.Fixture(t, "dk-pain.001.001.03.xml")
	two := isoxmltest.Mutate(t, base, "    </PmtInf>", `    </PmtInf><PmtInf><PmtInfId>2</PmtInfId><PmtMtd>TRF</PmtMtd><NbOfTxs>1</NbOfTxs><CtrlSum>1</CtrlSum><ReqdExctnDt>2010-11-25</ReqdExctnDt><Dbtr><Nm>Debtor Name</Nm></Dbtr><DbtrAcct><Id><IBAN>DE87200500001234567890</IBAN></Id></DbtrAcct><DbtrAgt><FinInstnId/></DbtrAgt><CdtTrfTxInf><PmtId><EndToEndId>E3</EndToEndId></PmtId><Amt><InstdAmt Ccy="EUR">1</InstdAmt></Amt><Cdtr><Nm>Y</Nm></Cdtr><CdtrAcct><Id><IBAN>DE89370400440532013000</IBAN></Id></CdtrAcct></CdtTrfTxInf></PmtInf>`)
	two = isoxmltest.Mutate(t, two, "<NbOfTxs>2</NbOfTxs>\n      <InitgPty>", "<NbOfTxs>3</NbOfTxs><CtrlSum>6656.860</CtrlSum>\n      <InitgPty>")
	in, err := Read(two)
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Payments) != 3 || in.Payments[2].EndToEndID != "E3" || in.Payments[2].AmountMinor != 100 {
		t.Fatalf("payments %+v", in.Payments)
	}
}
