package camt

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/chipmint/chipmint/internal/fiat"
	"github.com/chipmint/chipmint/internal/isoxml/isoxmltest"
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
			d, err := Parse(isoxmltest.Fixture(t, tt.file))
			if d != nil {
				t.Errorf("Parse returned a document with error %v", err)
			}
			wantParseError(t, err, tt.sentinel, tt.element)
		})
	}
	_, err := Parse(isoxmltest.Fixture(t, "chipmint-too-many-decimals.xml"))
	if !errors.Is(err, fiat.ErrAmountPrecision) {
		t.Errorf("too many decimals: %v does not wrap fiat.ErrAmountPrecision", err)
	}
}

// TestParseErrors mutates a valid notification, one fault per row.
func TestParseErrors(t *testing.T) {
	base := isoxmltest.Fixture(t, "chipmint-duplicate-delivery.xml")
	const amt = `<Amt Ccy="EUR">19.99</Amt>`
	stmt := isoxmltest.Fixture(t, "genkgo-camt053.v8.xml")
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
		{"root not Document", isoxmltest.Mutate(t, isoxmltest.Mutate(t, base, "<Document ", "<Doc "), "</Document>", "</Doc>"), ErrNotCamt, "Doc"},
		{"no namespace", isoxmltest.Mutate(t, base, ` xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"`, ""), ErrNotCamt, "Document"},
		{"pain.001", isoxmltest.Mutate(t, base, "camt.054.001.08", "pain.001.001.09"), ErrNotCamt, "Document"},
		{"version 01", isoxmltest.Mutate(t, base, "camt.054.001.08", "camt.054.001.01"), ErrNotCamt, "Document"},
		{"version 14", isoxmltest.Mutate(t, base, "camt.054.001.08", "camt.054.001.14"), ErrNotCamt, "Document"},
		{"version with sign", isoxmltest.Mutate(t, base, "camt.054.001.08", "camt.054.001.+8"), ErrNotCamt, "Document"},
		{"foreign namespace", isoxmltest.Mutate(t, base, "<Ntfctn>", `<Ntfctn xmlns="urn:example">`), ErrNotCamt, ntfctn},
		{"undeclared prefix", isoxmltest.Mutate(t, isoxmltest.Mutate(t, base, "<MsgId>", "<x:MsgId>"), "</MsgId>", "</x:MsgId>"), ErrNotCamt, "Document/BkToCstmrDbtCdtNtfctn/GrpHdr/MsgId"},
		{"statement body in a notification", isoxmltest.Mutate(t, stmt, "camt.053.001.08", "camt.054.001.08"), ErrMissingElement, "Document/BkToCstmrDbtCdtNtfctn"},
		{"entity", isoxmltest.Mutate(t, base, "<Ustrd>ORDER-1999", "<Ustrd>&xxe;"), ErrMalformed, txDtls + "/RmtInf/Ustrd[1]"},
		{"doctype after root", append(bytes.Clone(base), "<!DOCTYPE x>"...), ErrDoctype, "Document"},
		{"second root", append(bytes.Clone(base), "<Document/>"...), ErrMalformed, "Document"},
		{"text after root", append(bytes.Clone(base), "trailing"...), ErrMalformed, "Document"},
		{"unknown character set", isoxmltest.Mutate(t, base, `encoding="UTF-8"`, `encoding="X-CHIPMINT"`), ErrMalformed, "Document"},
		{"invalid utf-8", isoxmltest.Mutate(t, base, "Frank", "Fr\xffnk"), ErrMalformed, txDtls + "/RltdPties/Dbtr/Pty/Nm"},
		{"mismatched tag", isoxmltest.Mutate(t, base, "</CdtDbtInd>", "</CdtDbt>"), ErrMalformed, ntry + "/CdtDbtInd"},
		{"repeated attribute", isoxmltest.Mutate(t, base, `Ccy="EUR"`, `Ccy="EUR" Ccy="USD"`), ErrMalformed, ntry + "/Amt/@Ccy"},
		{"too deep", isoxmltest.Mutate(t, base, "<Ustrd>ORDER-1999</Ustrd>", strings.Repeat("<Envlp>", 60)+strings.Repeat("</Envlp>", 60)), ErrMalformed,
			txDtls + "/RmtInf" + strings.Repeat("/Envlp", 58)},
		{"missing group header", isoxmltest.Mutate(t, isoxmltest.Mutate(t, base, "<GrpHdr>", "<Hdr>"), "</GrpHdr>", "</Hdr>"), ErrMissingElement, "Document/BkToCstmrDbtCdtNtfctn/GrpHdr"},
		{"missing MsgId", isoxmltest.Mutate(t, base, "<MsgId>CHIPMINT-DUP-0001</MsgId>", ""), ErrMissingElement, "Document/BkToCstmrDbtCdtNtfctn/GrpHdr/MsgId"},
		{"blank MsgId", isoxmltest.Mutate(t, base, "CHIPMINT-DUP-0001</MsgId>", " </MsgId>"), ErrMissingElement, "Document/BkToCstmrDbtCdtNtfctn/GrpHdr/MsgId"},
		{"bad CreDtTm", isoxmltest.Mutate(t, base, "2026-03-06T10:00:00Z", "2026-03-06 10:00"), ErrBadDate, "Document/BkToCstmrDbtCdtNtfctn/GrpHdr/CreDtTm"},
		{"no notification", isoxmltest.Mutate(t, isoxmltest.Mutate(t, base, "<Ntfctn>", "<Rpt>"), "</Ntfctn>", "</Rpt>"), ErrMissingElement, "Document/BkToCstmrDbtCdtNtfctn/Ntfctn"},
		{"missing Ntfctn Id", isoxmltest.Mutate(t, base, "<Id>CHIPMINT-DUP-0001-N1</Id>", ""), ErrMissingElement, ntfctn + "/Id"},
		{"missing account", isoxmltest.Mutate(t, base, "<IBAN>DE89370400440532013000</IBAN>\n        </Id>", "</Id>"), ErrMissingElement, ntfctn + "/Acct/Id/IBAN"},
		{"bad account currency", isoxmltest.Mutate(t, base, "<Ccy>EUR</Ccy>", "<Ccy>EURO</Ccy>"), ErrBadCurrency, ntfctn + "/Acct/Ccy"},
		{"missing Amt", isoxmltest.Mutate(t, base, amt, ""), ErrMissingElement, ntry + "/Amt"},
		{"missing Ccy", isoxmltest.Mutate(t, base, amt, "<Amt>19.99</Amt>"), ErrMissingElement, ntry + "/Amt/@Ccy"},
		{"unknown currency", isoxmltest.Mutate(t, base, amt, `<Amt Ccy="XYZ">19.99</Amt>`), ErrBadCurrency, ntry + "/Amt/@Ccy"},
		{"lower-case currency", isoxmltest.Mutate(t, base, amt, `<Amt Ccy="eur">19.99</Amt>`), ErrBadCurrency, ntry + "/Amt/@Ccy"},
		{"negative amount", isoxmltest.Mutate(t, base, amt, `<Amt Ccy="EUR">-19.99</Amt>`), ErrBadAmount, ntry + "/Amt"},
		{"exponent", isoxmltest.Mutate(t, base, amt, `<Amt Ccy="EUR">1E3</Amt>`), ErrBadAmount, ntry + "/Amt"},
		{"comma", isoxmltest.Mutate(t, base, amt, `<Amt Ccy="EUR">19,99</Amt>`), ErrBadAmount, ntry + "/Amt"},
		{"empty amount", isoxmltest.Mutate(t, base, amt, `<Amt Ccy="EUR"></Amt>`), ErrBadAmount, ntry + "/Amt"},
		{"overflow", isoxmltest.Mutate(t, base, amt, `<Amt Ccy="EUR">999999999999999999999</Amt>`), ErrBadAmount, ntry + "/Amt"},
		{"decimals in JPY", isoxmltest.Mutate(t, base, amt, `<Amt Ccy="JPY">100.5</Amt>`), ErrBadAmount, ntry + "/Amt"},
		{"duplicate Amt", isoxmltest.Mutate(t, base, amt, amt+amt), ErrDuplicateElement, ntry + "/Amt"},
		{"missing CdtDbtInd", isoxmltest.Mutate(t, base, "<CdtDbtInd>CRDT</CdtDbtInd>", ""), ErrMissingElement, ntry + "/CdtDbtInd"},
		{"bad CdtDbtInd", isoxmltest.Mutate(t, base, "<CdtDbtInd>CRDT</CdtDbtInd>", "<CdtDbtInd>CREDIT</CdtDbtInd>"), ErrBadIndicator, ntry + "/CdtDbtInd"},
		{"bad tx CdtDbtInd", isoxmltest.Mutate(t, base, "            <CdtDbtInd>CRDT</CdtDbtInd>", "<CdtDbtInd>crdt</CdtDbtInd>"), ErrBadIndicator, txDtls + "/CdtDbtInd"},
		{"bad RvslInd", isoxmltest.Mutate(t, base, "<Sts>", "<RvslInd>yes</RvslInd><Sts>"), ErrBadIndicator, ntry + "/RvslInd"},
		{"missing Sts", isoxmltest.Mutate(t, base, "<Sts>\n          <Cd>BOOK</Cd>\n        </Sts>", ""), ErrMissingElement, ntry + "/Sts"},
		{"empty Sts/Cd", isoxmltest.Mutate(t, base, "<Cd>BOOK</Cd>", "<Cd></Cd>"), ErrMissingElement, ntry + "/Sts/Cd"},
		{"bad status", isoxmltest.Mutate(t, base, "<Cd>BOOK</Cd>", "<Cd>FUTR</Cd>"), ErrBadStatus, ntry + "/Sts/Cd"},
		{"bad status text", isoxmltest.Mutate(t, base, "<Sts>\n          <Cd>BOOK</Cd>\n        </Sts>", "<Sts>BOOKED</Sts>"), ErrBadStatus, ntry + "/Sts"},
		{"proprietary status", isoxmltest.Mutate(t, base, "<Cd>BOOK</Cd>", "<Prtry>BOOK</Prtry>"), ErrBadStatus, ntry + "/Sts/Prtry"},
		{"status text and code", isoxmltest.Mutate(t, base, "<Cd>BOOK</Cd>", "PDNG<Cd>BOOK</Cd>"), ErrBadStatus, ntry + "/Sts"},
		{"bad booking date", isoxmltest.Mutate(t, base, "<Dt>2026-03-06</Dt>", "<Dt>2026-02-30</Dt>"), ErrBadDate, ntry + "/BookgDt/Dt"},
		{"booking date-time", isoxmltest.Mutate(t, base, "<Dt>2026-03-06</Dt>", "<DtTm>2026-03-06</DtTm>"), ErrBadDate, ntry + "/BookgDt/DtTm"},
		{"empty booking date", isoxmltest.Mutate(t, base, "<Dt>2026-03-06</Dt>", ""), ErrMissingElement, ntry + "/BookgDt/Dt"},
		{"duplicate value date", isoxmltest.Mutate(t, base, "<ValDt>", "<ValDt><Dt>2026-03-07</Dt>"), ErrDuplicateElement, ntry + "/ValDt/Dt"},
		{"bad tx amount", isoxmltest.Mutate(t, base, `<Amt Ccy="EUR">19.99</Amt>
            <CdtDbtInd>`, `<Amt Ccy="EUR">19.999</Amt>
            <CdtDbtInd>`), ErrBadAmount, txDtls + "/Amt"},
		{"duplicate UETR", isoxmltest.Mutate(t, base, "</Refs>", "<UETR>x</UETR></Refs>"), ErrDuplicateElement, txDtls + "/Refs/UETR"},
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
	_, err := Parse(isoxmltest.Fixture(t, "chipmint-too-many-decimals.xml"))
	want := "camt: bad amount: fiat: amount has too many fractional digits: 3 fractional digits, at most 2 allowed (EUR) " +
		`(amount "19.995") (element ` + ntry + "/Amt)"
	if err == nil || err.Error() != want {
		t.Errorf("Error() =\n%v\nwant\n%s", err, want)
	}
}
