package pain

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

// MaxInputBytes is the largest file Read accepts: some ten thousand payments. The bound
// keeps a hostile or broken file from exhausting memory.
const MaxInputBytes = 8 << 20

// maxDepth bounds element nesting. pain.001 nests about 12 deep; the bound keeps a
// hostile file from growing the element stack without limit.
const maxDepth = 64

// namespacePrefix starts the namespace of every pain.001 version; the version follows
// it, as in "001.09".
const namespacePrefix = "urn:iso:std:iso:20022:tech:xsd:pain.001."

// Versions accepted by Read: .001.03 up to .001.12.
const (
	versionMin = 3
	versionMax = 12
)

// indexed holds the elements that repeat under one parent; paths name them with a
// 1-based index, such as CdtTrfTxInf[2].
var indexed = map[string]bool{
	"PmtInf": true, "CdtTrfTxInf": true, "Ustrd": true, "Strd": true,
}

// once holds the parent/child pairs that Read reads and that the schemas allow once: a
// second occurrence would be silently merged or overwritten by encoding/xml, so the
// scan refuses it instead.
var once = setOf(
	"Document/CstmrCdtTrfInitn", "CstmrCdtTrfInitn/GrpHdr",
	"GrpHdr/MsgId", "GrpHdr/CreDtTm", "GrpHdr/NbOfTxs", "GrpHdr/CtrlSum", "GrpHdr/InitgPty",
	"InitgPty/Nm", "PmtInf/PmtMtd", "PmtInf/NbOfTxs", "PmtInf/CtrlSum", "PmtInf/ReqdExctnDt",
	"ReqdExctnDt/Dt", "ReqdExctnDt/DtTm", "PmtInf/Dbtr", "Dbtr/Nm", "PmtInf/DbtrAcct",
	"PmtInf/DbtrAgt", "DbtrAcct/Id", "CdtrAcct/Id", "Id/IBAN", "Id/Othr", "Othr/Id",
	"Othr/SchmeNm", "Othr/Issr", "SchmeNm/Cd", "SchmeNm/Prtry", "DbtrAgt/FinInstnId",
	"CdtrAgt/FinInstnId", "FinInstnId/BIC", "FinInstnId/BICFI",
	"CdtTrfTxInf/PmtId", "PmtId/InstrId", "PmtId/EndToEndId", "CdtTrfTxInf/Amt",
	"Amt/InstdAmt", "Amt/EqvtAmt", "CdtTrfTxInf/CdtrAgt", "CdtTrfTxInf/Cdtr", "Cdtr/Nm",
	"CdtTrfTxInf/CdtrAcct", "CdtTrfTxInf/RmtInf", "Strd/CdtrRefInf", "CdtrRefInf/Ref",
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

// scanner checks that a file is one well-formed pain.001 document before it is decoded.
type scanner struct {
	stack     []frame
	namespace string
	rootDone  bool
}

// scan checks that b is exactly one well-formed XML document, without a document type
// declaration, whose root is a Document in a supported pain.001 namespace, and returns
// its version, such as "001.09".
func scan(b []byte) (string, error) {
	dec := newDecoder(b)
	var s scanner
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", elementError(s.path(), fmt.Errorf("%w: %v", ErrMalformed, err))
		}
		if err := s.token(tok); err != nil {
			return "", err
		}
	}
	if !s.rootDone {
		return "", elementError("Document", fmt.Errorf("%w: no root element", ErrMalformed))
	}
	return strings.TrimPrefix(s.namespace, namespacePrefix), nil
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
			return elementError("Document", fmt.Errorf("%w: text outside the root element", ErrMalformed))
		}
	case xml.Directive:
		return elementError("Document", fmt.Errorf("%w: <!%s>", ErrDoctype, firstWord(t)))
	}
	return nil
}

// start checks a start tag and pushes it on the stack.
func (s *scanner) start(t xml.StartElement) error {
	if s.rootDone {
		return elementError("Document", fmt.Errorf("%w: element <%s> after the root element", ErrMalformed, t.Name.Local))
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
		return elementError(s.path(), fmt.Errorf("%w: elements nested deeper than %d", ErrMalformed, maxDepth))
	case !f.foreign && t.Name.Space != s.namespace:
		return elementError(s.path(), fmt.Errorf("%w: element in namespace %q, want %q", ErrNotPain, t.Name.Space, s.namespace))
	case !f.foreign && n > 1 && once[parent.local+"/"+f.local]:
		return elementError(s.path(), fmt.Errorf("%w: <%s> occurs %d times in <%s>", ErrDuplicateElement, f.local, n, parent.local))
	}
	return checkAttrs(s.path(), t.Attr)
}

// root checks the root element: a Document in a supported pain.001 namespace.
func (s *scanner) root(t xml.StartElement) error {
	if t.Name.Local != "Document" {
		return elementError(t.Name.Local, fmt.Errorf("%w: root element <%s>, want <Document>", ErrNotPain, t.Name.Local))
	}
	if err := checkNamespace(t.Name.Space); err != nil {
		return elementError("Document", err)
	}
	s.namespace = t.Name.Space
	s.stack = append(s.stack, frame{local: "Document", step: "Document"})
	return checkAttrs("Document", t.Attr)
}

// checkNamespace accepts the namespaces of pain.001.001.03 to pain.001.001.12.
func checkNamespace(ns string) error {
	v, ok := strings.CutPrefix(ns, namespacePrefix+"001.")
	n, err := strconv.Atoi(v)
	if !ok || err != nil || len(v) != 2 || v[0] < '0' || v[0] > '9' || n < versionMin || n > versionMax {
		return fmt.Errorf("%w: namespace %q, want %s001.%02d to %s001.%02d", ErrNotPain, ns,
			namespacePrefix, versionMin, namespacePrefix, versionMax)
	}
	return nil
}

// checkAttrs rejects a repeated attribute, which XML forbids but encoding/xml passes.
func checkAttrs(path string, attrs []xml.Attr) error {
	for i, a := range attrs {
		for _, b := range attrs[:i] {
			if a.Name == b.Name {
				return elementError(path+"/@"+a.Name.Local, fmt.Errorf("%w: attribute %s repeated", ErrMalformed, a.Name.Local))
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

// newDecoder returns an XML decoder of b that reads the character sets an XML
// declaration may name besides UTF-8, such as ISO-8859-1, which banks' customers still
// use.
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
