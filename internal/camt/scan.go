package camt

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"golang.org/x/text/encoding/ianaindex"
)

// MaxInputBytes is the largest file Parse accepts. A day's notifications for one
// account are a few hundred kilobytes; the bound keeps a hostile or broken file from
// exhausting memory.
const MaxInputBytes = 32 << 20

// maxDepth bounds element nesting. camt.052, camt.053 and camt.054 nest about 15 deep; the
// bound keeps a hostile file from growing the element stack without limit.
const maxDepth = 64

// namespacePrefix starts the namespace of every camt message; the message number
// and version follow it, as in "camt.054.001.08".
const namespacePrefix = "urn:iso:std:iso:20022:tech:xsd:"

// Versions accepted by Parse: .001.02 up to .001.13.
const (
	versionMin = 2
	versionMax = 13
)

// indexed holds the elements that repeat under one parent; paths name them with a
// 1-based index, such as Ntry[2].
var indexed = map[string]bool{
	"Ntfctn": true, "Stmt": true, "Rpt": true, "Bal": true, "Ntry": true,
	"NtryDtls": true, "TxDtls": true, "Ustrd": true, "Strd": true, "AddtlRmtInf": true,
	"Chrgs": true, "Rcrd": true,
}

// once holds the parent/child pairs that this package reads and that the schemas
// allow once: a second occurrence would be silently merged or overwritten by
// encoding/xml, so the scan rejects it instead.
var once = setOf(
	"Document/BkToCstmrDbtCdtNtfctn", "Document/BkToCstmrStmt", "Document/BkToCstmrAcctRpt",
	"BkToCstmrDbtCdtNtfctn/GrpHdr", "BkToCstmrStmt/GrpHdr", "BkToCstmrAcctRpt/GrpHdr",
	"GrpHdr/MsgId", "GrpHdr/CreDtTm",
	"Ntfctn/Id", "Ntfctn/CreDtTm", "Ntfctn/Acct", "Stmt/Id", "Stmt/CreDtTm", "Stmt/Acct",
	"Rpt/Id", "Rpt/CreDtTm", "Rpt/Acct",
	"Acct/Id", "Acct/Ccy", "Id/IBAN", "Id/Othr", "Othr/Id", "Othr/SchmeNm", "Othr/Issr",
	"SchmeNm/Cd", "SchmeNm/Prtry",
	"Bal/Tp", "Bal/Amt", "Bal/CdtDbtInd", "Bal/Dt", "Tp/CdOrPrtry", "CdOrPrtry/Cd",
	"CdOrPrtry/Prtry", "Dt/Dt", "Dt/DtTm",
	"Ntry/Amt", "Ntry/CdtDbtInd", "Ntry/RvslInd", "Ntry/Sts", "Ntry/BookgDt", "Ntry/ValDt",
	"Ntry/AcctSvcrRef", "Sts/Cd", "Sts/Prtry", "BookgDt/Dt", "BookgDt/DtTm", "ValDt/Dt",
	"ValDt/DtTm", "Ntry/BkTxCd", "BkTxCd/Domn", "BkTxCd/Prtry", "Domn/Cd", "Domn/Fmly",
	"Fmly/Cd", "Fmly/SubFmlyCd", "Prtry/Cd", "NtryDtls/Btch", "Btch/NbOfTxs",
	"Chrgs/Amt", "Chrgs/TtlChrgsAndTaxAmt", "Rcrd/Amt",
	"TxDtls/Refs", "TxDtls/Amt", "TxDtls/CdtDbtInd", "TxDtls/RvslInd", "TxDtls/AmtDtls",
	"TxDtls/BkTxCd", "TxDtls/RltdPties", "TxDtls/RmtInf", "TxDtls/RtrInf",
	"Refs/AcctSvcrRef", "Refs/EndToEndId", "Refs/UETR",
	"AmtDtls/InstdAmt", "AmtDtls/TxAmt", "AmtDtls/CntrValAmt", "InstdAmt/Amt", "TxAmt/Amt",
	"CntrValAmt/Amt", "InstdAmt/CcyXchg", "TxAmt/CcyXchg", "CntrValAmt/CcyXchg",
	"CcyXchg/SrcCcy", "CcyXchg/TrgtCcy",
	"RltdPties/Dbtr", "RltdPties/DbtrAcct", "RltdPties/Cdtr", "RltdPties/CdtrAcct",
	"Dbtr/Nm", "Dbtr/Pty", "Cdtr/Nm", "Cdtr/Pty", "Pty/Nm", "DbtrAcct/Id", "CdtrAcct/Id",
	"Strd/CdtrRefInf", "CdtrRefInf/Ref", "RtrInf/Rsn", "Rsn/Cd", "Rsn/Prtry",
)

func setOf(keys ...string) map[string]bool {
	m := make(map[string]bool, len(keys))
	for _, k := range keys {
		m[k] = true
	}
	return m
}

// frame is one open element during the scan.
type frame struct {
	local   string         // local name
	step    string         // path step: the local name, with an index if it repeats
	foreign bool           // inside a SplmtryData envelope, where any namespace may occur
	seen    map[string]int // how often each child name occurred so far
}

// scanner checks that a file is one well-formed camt document before it is decoded.
type scanner struct {
	stack     []frame
	namespace string
	rootDone  bool
}

// scan checks that b is exactly one well-formed XML document, without a document
// type declaration, whose root is a Document in a supported camt.052, camt.053 or
// camt.054 namespace. It returns the message ("camt.054") and version ("001.08").
func scan(b []byte) (message, version string, err error) {
	dec := newDecoder(b)
	var s scanner
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", "", parseError(s.path(), fmt.Errorf("%w: %v", ErrMalformed, err))
		}
		if err := s.token(tok); err != nil {
			return "", "", err
		}
	}
	if !s.rootDone {
		return "", "", parseError("Document", fmt.Errorf("%w: no root element", ErrMalformed))
	}
	message, version, _ = splitNamespace(s.namespace)
	return message, version, nil
}

// token checks one token and updates the element stack.
func (s *scanner) token(tok xml.Token) error {
	switch t := tok.(type) {
	case xml.StartElement:
		return s.start(t)
	case xml.EndElement:
		s.stack = s.stack[:len(s.stack)-1]
		s.rootDone = len(s.stack) == 0
	case xml.CharData:
		if len(s.stack) == 0 && len(bytes.Trim(t, " \t\r\n")) > 0 {
			return parseError("Document", fmt.Errorf("%w: text outside the root element", ErrMalformed))
		}
	case xml.Directive:
		return parseError("Document", fmt.Errorf("%w: <!%s>", ErrDoctype, firstWord(t)))
	}
	return nil
}

// start checks a start tag and pushes it on the stack.
func (s *scanner) start(t xml.StartElement) error {
	if s.rootDone {
		return parseError("Document", fmt.Errorf("%w: element <%s> after the root element", ErrMalformed, t.Name.Local))
	}
	if len(s.stack) == 0 {
		return s.root(t)
	}
	parent := &s.stack[len(s.stack)-1]
	f := frame{local: t.Name.Local, step: t.Name.Local, foreign: parent.foreign || parent.local == "Envlp"}
	if parent.seen == nil {
		parent.seen = make(map[string]int)
	}
	parent.seen[f.local]++
	n := parent.seen[f.local]
	if indexed[f.local] {
		f.step += "[" + strconv.Itoa(n) + "]"
	}
	s.stack = append(s.stack, f)
	switch {
	case len(s.stack) > maxDepth:
		return parseError(s.path(), fmt.Errorf("%w: elements nested deeper than %d", ErrMalformed, maxDepth))
	case !f.foreign && t.Name.Space != s.namespace:
		return parseError(s.path(), fmt.Errorf("%w: element in namespace %q, want %q", ErrNotCamt, t.Name.Space, s.namespace))
	case n > 1 && once[parent.local+"/"+f.local]:
		return parseError(s.path(), fmt.Errorf("%w: <%s> occurs %d times in <%s>", ErrDuplicateElement, f.local, n, parent.local))
	}
	return checkAttrs(s.path(), t.Attr)
}

// root checks the root element: a Document in a supported camt namespace.
func (s *scanner) root(t xml.StartElement) error {
	if t.Name.Local != "Document" {
		return parseError(t.Name.Local, fmt.Errorf("%w: root element <%s>, want <Document>", ErrNotCamt, t.Name.Local))
	}
	if _, _, err := splitNamespace(t.Name.Space); err != nil {
		return parseError("Document", err)
	}
	s.namespace = t.Name.Space
	s.stack = append(s.stack, frame{local: "Document", step: "Document"})
	return checkAttrs("Document", t.Attr)
}

// checkAttrs rejects a repeated attribute, which XML forbids but encoding/xml passes.
func checkAttrs(path string, attrs []xml.Attr) error {
	for i, a := range attrs {
		for _, b := range attrs[:i] {
			if a.Name == b.Name {
				return parseError(path+"/@"+a.Name.Local, fmt.Errorf("%w: attribute %s repeated", ErrMalformed, a.Name.Local))
			}
		}
	}
	return nil
}

// path returns the slash path of the innermost open element.
func (s *scanner) path() string {
	if len(s.stack) == 0 {
		return "Document"
	}
	steps := make([]string, len(s.stack))
	for i, f := range s.stack {
		steps[i] = f.step
	}
	return strings.Join(steps, "/")
}

// splitNamespace parses a camt.052, camt.053 or camt.054 namespace into its message and
// version, such as "camt.054" and "001.08".
func splitNamespace(ns string) (message, version string, err error) {
	rest, ok := strings.CutPrefix(ns, namespacePrefix)
	if !ok {
		return "", "", fmt.Errorf("%w: namespace %q is not an ISO 20022 namespace", ErrNotCamt, ns)
	}
	message, version, _ = strings.Cut(rest, ".001.")
	if message != MessageReport && message != MessageStatement && message != MessageNotification {
		return "", "", fmt.Errorf("%w: message %q, want camt.052, camt.053 or camt.054", ErrNotCamt, rest)
	}
	n, err := strconv.Atoi(version)
	if err != nil || len(version) != 2 || !isDigits(version) || n < versionMin || n > versionMax {
		return "", "", fmt.Errorf("%w: version %q of %s, want 001.%02d to 001.%02d", ErrNotCamt, rest, message, versionMin, versionMax)
	}
	return message, "001." + version, nil
}

// newDecoder returns an XML decoder of b that reads the character sets an XML
// declaration may name besides UTF-8, such as ISO-8859-1 or windows-1252, which banks
// still use.
func newDecoder(b []byte) *xml.Decoder {
	dec := xml.NewDecoder(bytes.NewReader(b))
	dec.CharsetReader = charsetReader
	return dec
}

// charsetReader converts input in the IANA character set label to UTF-8.
func charsetReader(label string, input io.Reader) (io.Reader, error) {
	e, err := ianaindex.IANA.Encoding(label)
	if err != nil || e == nil {
		return nil, fmt.Errorf("character set %.40q is not supported", label)
	}
	return e.NewDecoder().Reader(input), nil
}

// firstWord returns the keyword of a directive, such as "DOCTYPE", for the error.
func firstWord(d xml.Directive) string {
	f := strings.Fields(string(d))
	if len(f) == 0 {
		return ""
	}
	if len(f[0]) > 16 {
		return f[0][:16]
	}
	return f[0]
}

// isDigits reports whether s is non-empty and all ASCII digits.
func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
