package camt

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/chipmint/chipmint/internal/fiat"
)

const (
	ntfctn = "Document/BkToCstmrDbtCdtNtfctn/Ntfctn[1]"
	ntry   = ntfctn + "/Ntry[1]"
	txDtls = ntry + "/NtryDtls[1]/TxDtls[1]"
)

func TestParseErrorFixtures(t *testing.T) {
	tests := []struct {
		file     string
		sentinel error
		element  string
	}{
		{"chipmint-malformed.xml", ErrMalformed, ntry + "/Amt"},
		{"chipmint-truncated.xml", ErrMalformed, txDtls + "/Refs/EndToEndId"},
		{"chipmint-too-many-decimals.xml", ErrBadAmount, ntry + "/Amt"},
		{"chipmint-wrong-namespace.xml", ErrNotCamt, "Document"},
		{"chipmint-doctype.xml", ErrDoctype, "Document"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			d, err := Parse(fixture(t, tt.file))
			if d != nil {
				t.Errorf("Parse returned a document with error %v", err)
			}
			wantParseError(t, err, tt.sentinel, tt.element)
		})
	}
	_, err := Parse(fixture(t, "chipmint-too-many-decimals.xml"))
	if !errors.Is(err, fiat.ErrAmountPrecision) {
		t.Errorf("too many decimals: %v does not wrap fiat.ErrAmountPrecision", err)
	}
}

// TestParseErrors mutates a valid notification, one fault per row.
func TestParseErrors(t *testing.T) {
	base := fixture(t, "chipmint-duplicate-delivery.xml")
	const amt = `<Amt Ccy="EUR">19.99</Amt>`
	stmt := fixture(t, "genkgo-camt053.v8.xml")
	tests := []struct {
		name     string
		input    []byte
		sentinel error
		element  string
	}{
		{"empty", nil, ErrMalformed, "Document"},
		{"only a declaration", []byte(`<?xml version="1.0" encoding="UTF-8"?>`), ErrMalformed, "Document"},
		{"not xml", []byte("MsgId,Amount\n1,19.99\n"), ErrMalformed, "Document"},
		{"too large", make([]byte, MaxInputBytes+1), ErrTooLarge, "Document"},
		{"root not Document", mutate(t, mutate(t, base, "<Document ", "<Doc "), "</Document>", "</Doc>"), ErrNotCamt, "Doc"},
		{"no namespace", mutate(t, base, ` xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"`, ""), ErrNotCamt, "Document"},
		{"pain.001", mutate(t, base, "camt.054.001.08", "pain.001.001.09"), ErrNotCamt, "Document"},
		{"version 01", mutate(t, base, "camt.054.001.08", "camt.054.001.01"), ErrNotCamt, "Document"},
		{"version 14", mutate(t, base, "camt.054.001.08", "camt.054.001.14"), ErrNotCamt, "Document"},
		{"version with sign", mutate(t, base, "camt.054.001.08", "camt.054.001.+8"), ErrNotCamt, "Document"},
		{"foreign namespace", mutate(t, base, "<Ntfctn>", `<Ntfctn xmlns="urn:example">`), ErrNotCamt, ntfctn},
		{"undeclared prefix", mutate(t, mutate(t, base, "<MsgId>", "<x:MsgId>"), "</MsgId>", "</x:MsgId>"), ErrNotCamt, "Document/BkToCstmrDbtCdtNtfctn/GrpHdr/MsgId"},
		{"statement body in a notification", mutate(t, stmt, "camt.053.001.08", "camt.054.001.08"), ErrMissingElement, "Document/BkToCstmrDbtCdtNtfctn"},
		{"entity", mutate(t, base, "<Ustrd>ORDER-1999", "<Ustrd>&xxe;"), ErrMalformed, txDtls + "/RmtInf/Ustrd[1]"},
		{"doctype after root", append(bytes.Clone(base), "<!DOCTYPE x>"...), ErrDoctype, "Document"},
		{"second root", append(bytes.Clone(base), "<Document/>"...), ErrMalformed, "Document"},
		{"text after root", append(bytes.Clone(base), "trailing"...), ErrMalformed, "Document"},
		{"unknown character set", mutate(t, base, `encoding="UTF-8"`, `encoding="X-CHIPMINT"`), ErrMalformed, "Document"},
		{"invalid utf-8", mutate(t, base, "Frank", "Fr\xffnk"), ErrMalformed, txDtls + "/RltdPties/Dbtr/Pty/Nm"},
		{"mismatched tag", mutate(t, base, "</CdtDbtInd>", "</CdtDbt>"), ErrMalformed, ntry + "/CdtDbtInd"},
		{"repeated attribute", mutate(t, base, `Ccy="EUR"`, `Ccy="EUR" Ccy="USD"`), ErrMalformed, ntry + "/Amt/@Ccy"},
		{"too deep", mutate(t, base, "<Ustrd>ORDER-1999</Ustrd>", strings.Repeat("<Envlp>", 60)+strings.Repeat("</Envlp>", 60)), ErrMalformed,
			txDtls + "/RmtInf" + strings.Repeat("/Envlp", 58)},
		{"missing group header", mutate(t, mutate(t, base, "<GrpHdr>", "<Hdr>"), "</GrpHdr>", "</Hdr>"), ErrMissingElement, "Document/BkToCstmrDbtCdtNtfctn/GrpHdr"},
		{"missing MsgId", mutate(t, base, "<MsgId>CHIPMINT-DUP-0001</MsgId>", ""), ErrMissingElement, "Document/BkToCstmrDbtCdtNtfctn/GrpHdr/MsgId"},
		{"blank MsgId", mutate(t, base, "CHIPMINT-DUP-0001</MsgId>", " </MsgId>"), ErrMissingElement, "Document/BkToCstmrDbtCdtNtfctn/GrpHdr/MsgId"},
		{"bad CreDtTm", mutate(t, base, "2026-03-06T10:00:00Z", "2026-03-06 10:00"), ErrBadDate, "Document/BkToCstmrDbtCdtNtfctn/GrpHdr/CreDtTm"},
		{"no notification", mutate(t, mutate(t, base, "<Ntfctn>", "<Rpt>"), "</Ntfctn>", "</Rpt>"), ErrMissingElement, "Document/BkToCstmrDbtCdtNtfctn/Ntfctn"},
		{"missing Ntfctn Id", mutate(t, base, "<Id>CHIPMINT-DUP-0001-N1</Id>", ""), ErrMissingElement, ntfctn + "/Id"},
		{"missing account", mutate(t, base, "<IBAN>DE89370400440532013000</IBAN>\n        </Id>", "</Id>"), ErrMissingElement, ntfctn + "/Acct/Id/IBAN"},
		{"bad account currency", mutate(t, base, "<Ccy>EUR</Ccy>", "<Ccy>EURO</Ccy>"), ErrBadCurrency, ntfctn + "/Acct/Ccy"},
		{"missing Amt", mutate(t, base, amt, ""), ErrMissingElement, ntry + "/Amt"},
		{"missing Ccy", mutate(t, base, amt, "<Amt>19.99</Amt>"), ErrMissingElement, ntry + "/Amt/@Ccy"},
		{"unknown currency", mutate(t, base, amt, `<Amt Ccy="XYZ">19.99</Amt>`), ErrBadCurrency, ntry + "/Amt/@Ccy"},
		{"lower-case currency", mutate(t, base, amt, `<Amt Ccy="eur">19.99</Amt>`), ErrBadCurrency, ntry + "/Amt/@Ccy"},
		{"negative amount", mutate(t, base, amt, `<Amt Ccy="EUR">-19.99</Amt>`), ErrBadAmount, ntry + "/Amt"},
		{"exponent", mutate(t, base, amt, `<Amt Ccy="EUR">1E3</Amt>`), ErrBadAmount, ntry + "/Amt"},
		{"comma", mutate(t, base, amt, `<Amt Ccy="EUR">19,99</Amt>`), ErrBadAmount, ntry + "/Amt"},
		{"empty amount", mutate(t, base, amt, `<Amt Ccy="EUR"></Amt>`), ErrBadAmount, ntry + "/Amt"},
		{"overflow", mutate(t, base, amt, `<Amt Ccy="EUR">999999999999999999999</Amt>`), ErrBadAmount, ntry + "/Amt"},
		{"decimals in JPY", mutate(t, base, amt, `<Amt Ccy="JPY">100.5</Amt>`), ErrBadAmount, ntry + "/Amt"},
		{"duplicate Amt", mutate(t, base, amt, amt+amt), ErrDuplicateElement, ntry + "/Amt"},
		{"missing CdtDbtInd", mutate(t, base, "<CdtDbtInd>CRDT</CdtDbtInd>", ""), ErrMissingElement, ntry + "/CdtDbtInd"},
		{"bad CdtDbtInd", mutate(t, base, "<CdtDbtInd>CRDT</CdtDbtInd>", "<CdtDbtInd>CREDIT</CdtDbtInd>"), ErrBadIndicator, ntry + "/CdtDbtInd"},
		{"bad tx CdtDbtInd", mutate(t, base, "            <CdtDbtInd>CRDT</CdtDbtInd>", "<CdtDbtInd>crdt</CdtDbtInd>"), ErrBadIndicator, txDtls + "/CdtDbtInd"},
		{"bad RvslInd", mutate(t, base, "<Sts>", "<RvslInd>yes</RvslInd><Sts>"), ErrBadIndicator, ntry + "/RvslInd"},
		{"missing Sts", mutate(t, base, "<Sts>\n          <Cd>BOOK</Cd>\n        </Sts>", ""), ErrMissingElement, ntry + "/Sts"},
		{"empty Sts/Cd", mutate(t, base, "<Cd>BOOK</Cd>", "<Cd></Cd>"), ErrMissingElement, ntry + "/Sts/Cd"},
		{"bad status", mutate(t, base, "<Cd>BOOK</Cd>", "<Cd>FUTR</Cd>"), ErrBadStatus, ntry + "/Sts/Cd"},
		{"bad status text", mutate(t, base, "<Sts>\n          <Cd>BOOK</Cd>\n        </Sts>", "<Sts>BOOKED</Sts>"), ErrBadStatus, ntry + "/Sts"},
		{"proprietary status", mutate(t, base, "<Cd>BOOK</Cd>", "<Prtry>BOOK</Prtry>"), ErrBadStatus, ntry + "/Sts/Prtry"},
		{"status text and code", mutate(t, base, "<Cd>BOOK</Cd>", "PDNG<Cd>BOOK</Cd>"), ErrBadStatus, ntry + "/Sts"},
		{"bad booking date", mutate(t, base, "<Dt>2026-03-06</Dt>", "<Dt>2026-02-30</Dt>"), ErrBadDate, ntry + "/BookgDt/Dt"},
		{"booking date-time", mutate(t, base, "<Dt>2026-03-06</Dt>", "<DtTm>2026-03-06</DtTm>"), ErrBadDate, ntry + "/BookgDt/DtTm"},
		{"empty booking date", mutate(t, base, "<Dt>2026-03-06</Dt>", ""), ErrMissingElement, ntry + "/BookgDt/Dt"},
		{"duplicate value date", mutate(t, base, "<ValDt>", "<ValDt><Dt>2026-03-07</Dt>"), ErrDuplicateElement, ntry + "/ValDt/Dt"},
		{"bad tx amount", mutate(t, base, `<Amt Ccy="EUR">19.99</Amt>
            <CdtDbtInd>`, `<Amt Ccy="EUR">19.999</Amt>
            <CdtDbtInd>`), ErrBadAmount, txDtls + "/Amt"},
		{"duplicate UETR", mutate(t, base, "</Refs>", "<UETR>x</UETR></Refs>"), ErrDuplicateElement, txDtls + "/Refs/UETR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Parse(tt.input)
			if d != nil {
				t.Errorf("Parse returned a document with error %v", err)
			}
			wantParseError(t, err, tt.sentinel, tt.element)
		})
	}
}

func TestParseErrorMessage(t *testing.T) {
	_, err := Parse(fixture(t, "chipmint-too-many-decimals.xml"))
	want := "camt: bad amount: fiat: amount has too many fractional digits: 3 fractional digits, at most 2 allowed (EUR) " +
		`(amount "19.995") (element ` + ntry + "/Amt)"
	if err == nil || err.Error() != want {
		t.Errorf("Error() =\n%v\nwant\n%s", err, want)
	}
}
