package pain

import (
	"bytes"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/chipmint/chipmint/internal/fiat"
	"github.com/chipmint/chipmint/internal/golden"
	"github.com/chipmint/chipmint/internal/isoxml/isoxmltest"
)

// Write's output for the sample, byte for byte: the file an operator's bank receives.
func TestWriteGolden(t *testing.T) {
	out, err := Write(sample())
	if err != nil {
		t.Fatal(err)
	}
	golden.CheckHex(t, filepath.Join("testdata", "golden"), "write", out, "the pain.001 file an operator sends to its bank")
	for _, want := range []string{
		`<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.09">`,
		"<NbOfTxs>3</NbOfTxs>", "<CtrlSum>1628.45</CtrlSum>", "<InstdAmt Ccy=\"JPY\">1500</InstdAmt>",
		"<Cd>SCOR</Cd>", "<Issr>ISO</Issr>", "<Prtry>Zengin account</Prtry>", "<Dt>2026-03-03</Dt>",
	} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("output lacks %q\n%s", want, out)
		}
	}
}

// What Write writes, Read reads back unchanged, with and without the optional parts.
func TestWriteReadRoundTrip(t *testing.T) {
	minimal := Initiation{
		MessageID: "M", CreatedAt: "2026-03-02T09:30:00.123+01:00", InitiatingParty: "Op", ExecutionDate: "2026-03-02",
		Debtor:   Party{Name: "Op", Account: Account{Other: fiat.OtherAccount{ID: "250094239", Scheme: "BBAN"}}},
		Payments: []Payment{{EndToEndID: "E", AmountMinor: 1, Currency: "KWD", CreditorName: "C", CreditorAccount: Account{IBAN: "CH9300762011623852957"}}},
	}
	for name, in := range map[string]Initiation{"sample": sample(), "minimal": minimal} {
		t.Run(name, func(t *testing.T) {
			out, err := Write(in)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Read(out)
			if err != nil {
				t.Fatalf("Read: %v\n%s", err, out)
			}
			if !reflect.DeepEqual(*got, in) {
				t.Fatalf("read back\n got %+v\nwant %+v", *got, in)
			}
		})
	}
}

// Write refuses each bad value, naming its element.
func TestWriteErrors(t *testing.T) {
	const tx = "Document/CstmrCdtTrfInitn/PmtInf[1]/CdtTrfTxInf"
	for _, tt := range []struct {
		name     string
		edit     func(*Initiation)
		sentinel error
		element  string
	}{
		{"no payments", func(in *Initiation) { in.Payments = nil }, ErrMissingElement, "Document/CstmrCdtTrfInitn/PmtInf[1]/CdtTrfTxInf"},
		{"no message id", func(in *Initiation) { in.MessageID = "" }, ErrMissingElement, "Document/CstmrCdtTrfInitn/GrpHdr/MsgId"},
		{"bad creation time", func(in *Initiation) { in.CreatedAt = "2026-03-02 09:30" }, ErrBadDate, "Document/CstmrCdtTrfInitn/GrpHdr/CreDtTm"},
		{"bad execution date", func(in *Initiation) { in.ExecutionDate = "2026-02-30" }, ErrBadDate, "Document/CstmrCdtTrfInitn/PmtInf[1]/ReqdExctnDt/Dt"},
		{"debtor IBAN checksum", func(in *Initiation) { in.Debtor.Account.IBAN = "DE89370400440532013001" }, ErrBadText, "Document/CstmrCdtTrfInitn/PmtInf[1]/DbtrAcct/Id/IBAN"},
		{"debtor IBAN print form", func(in *Initiation) { in.Debtor.Account.IBAN = "DE89 3704 0044 0532 0130 00" }, ErrBadText, "Document/CstmrCdtTrfInitn/PmtInf[1]/DbtrAcct/Id/IBAN"},
		{"debtor BIC", func(in *Initiation) { in.Debtor.BIC = "COBA" }, ErrBadText, "Document/CstmrCdtTrfInitn/PmtInf[1]/DbtrAgt/FinInstnId/BICFI"},
		{"no debtor account", func(in *Initiation) { in.Debtor.Account = Account{} }, ErrMissingElement, "Document/CstmrCdtTrfInitn/PmtInf[1]/DbtrAcct/Id/IBAN"},
		{"end-to-end id too long", func(in *Initiation) { in.Payments[1].EndToEndID = strings.Repeat("A", 36) }, ErrBadText, tx + "[2]/PmtId/EndToEndId"},
		{"end-to-end id with an underscore", func(in *Initiation) { in.Payments[1].EndToEndID = "RDM_2" }, ErrBadText, tx + "[2]/PmtId/EndToEndId"},
		{"end-to-end id with an umlaut", func(in *Initiation) { in.Payments[1].EndToEndID = "RDMü" }, ErrBadText, tx + "[2]/PmtId/EndToEndId"},
		{"end-to-end id with a leading slash", func(in *Initiation) { in.Payments[1].EndToEndID = "/RDM" }, ErrBadText, tx + "[2]/PmtId/EndToEndId"},
		{"end-to-end id with a double slash", func(in *Initiation) { in.Payments[1].EndToEndID = "R//D" }, ErrBadText, tx + "[2]/PmtId/EndToEndId"},
		{"no end-to-end id", func(in *Initiation) { in.Payments[0].EndToEndID = "" }, ErrMissingElement, tx + "[1]/PmtId/EndToEndId"},
		{"duplicate end-to-end id", func(in *Initiation) { in.Payments[2].EndToEndID = "RDM-0001" }, ErrDuplicatePayment, tx + "[3]/PmtId/EndToEndId"},
		{"zero amount", func(in *Initiation) { in.Payments[1].AmountMinor = 0 }, ErrBadAmount, tx + "[2]/Amt/InstdAmt"},
		{"unknown currency", func(in *Initiation) { in.Payments[1].Currency = "EUX" }, ErrBadCurrency, tx + "[2]/Amt/InstdAmt/@Ccy"},
		{"currency not tender", func(in *Initiation) { in.Payments[1].Currency = "XAU" }, ErrBadCurrency, tx + "[2]/Amt/InstdAmt/@Ccy"},
		{"sum overflows", func(in *Initiation) {
			in.Payments[0].AmountMinor = math.MaxUint64 / 10
			in.Payments[1].AmountMinor = math.MaxUint64 / 10
		}, ErrBadAmount, tx + "[2]/Amt/InstdAmt"},
		{"amount overflows the sum's scale", func(in *Initiation) { in.Payments[2].AmountMinor = math.MaxUint64 / 100 }, ErrBadAmount, tx + "[3]/Amt/InstdAmt"},
		{"no creditor name", func(in *Initiation) { in.Payments[0].CreditorName = "" }, ErrMissingElement, tx + "[1]/Cdtr/Nm"},
		{"creditor other account without scheme", func(in *Initiation) { in.Payments[1].CreditorAccount.Other.Scheme = "" }, ErrBadText, tx + "[2]/CdtrAcct/Id/Othr"},
		{"creditor other account not canonical", func(in *Initiation) { in.Payments[1].CreditorAccount.Other.ID = "6222 0210" }, ErrBadText, tx + "[2]/CdtrAcct/Id/Othr"},
		{"creditor IBAN and other", func(in *Initiation) {
			in.Payments[0].CreditorAccount.Other = fiat.OtherAccount{ID: "1", Scheme: "BBAN"}
		}, ErrBadText, tx + "[1]/CdtrAcct/Id/Othr"},
		{"reference not RF", func(in *Initiation) { in.Payments[0].CreditorReference = "INV-42" }, ErrBadText, tx + "[1]/RmtInf/Strd/CdtrRefInf/Ref"},
		{"reference checksum", func(in *Initiation) { in.Payments[0].CreditorReference = "RF19539007547034" }, ErrBadText, tx + "[1]/RmtInf/Strd/CdtrRefInf/Ref"},
		{"reference and text", func(in *Initiation) { in.Payments[0].Unstructured = "x" }, ErrBadText, tx + "[1]/RmtInf/Strd"},
		{"remittance too long", func(in *Initiation) { in.Payments[1].Unstructured = strings.Repeat("x", 141) }, ErrBadText, tx + "[2]/RmtInf/Ustrd"},
		{"remittance with a newline", func(in *Initiation) { in.Payments[1].Unstructured = "a\nb" }, ErrBadText, tx + "[2]/RmtInf/Ustrd"},
		{"name with trailing space", func(in *Initiation) { in.Payments[1].CreditorName = "Zhang " }, ErrBadText, tx + "[2]/Cdtr/Nm"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := sample()
			tt.edit(&in)
			out, err := Write(in)
			if out != nil {
				t.Errorf("Write returned output with error %v", err)
			}
			wantError(t, err, tt.sentinel, tt.element)
		})
	}
}

// Write's output is valid against the official pain.001.001.09 schema.
func TestWriteValidatesAgainstSchema(t *testing.T) {
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		t.Skip("xmllint is not installed (Debian: libxml2-utils): cannot check Write's output against the pain.001.001.09 schema")
	}
	in := sample()
	out, err := Write(in)
	if err != nil {
		t.Fatal(err)
	}
	check := func(doc []byte) error {
		path := filepath.Join(t.TempDir(), "pain.xml")
		if err := os.WriteFile(path, doc, 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(xmllint, "--noout", "--nonet", "--schema", filepath.Join("testdata", "pain.001.001.09.xsd"), path)
		b, err := cmd.CombinedOutput()
		if err != nil {
			t.Logf("xmllint: %s", b)
		}
		return err
	}
	if err := check(out); err != nil {
		t.Fatalf("Write's output is not valid pain.001.001.09: %v", err)
	}
	// The check can fail: an element out of the schema's order is refused.
	if err := check(isoxmltest.Mutate(t, out, "<PmtMtd>TRF</PmtMtd>", "<PmtMtd>TRF</PmtMtd><PmtInfId>X</PmtInfId>")); err == nil {
		t.Fatal("xmllint accepted a document that breaks the schema")
	}
}
