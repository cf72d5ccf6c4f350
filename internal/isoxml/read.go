package isoxml

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

// Root is the root element of every ISO 20022 message, and the element that errors
// about a document as a whole name.
const Root = "Document"

// NamespacePrefix starts the namespace of every ISO 20022 message; the message name
// and version follow it, as in "camt.054.001.08".
const NamespacePrefix = "urn:iso:std:iso:20022:tech:xsd:"

// byteOrderMark is U+FEFF encoded in UTF-8, which Windows tools write before a file.
const byteOrderMark = "\xEF\xBB\xBF"

// maxDepth bounds element nesting. ISO 20022 messages nest some 15 deep; the bound
// keeps a hostile file from growing the element stack without limit.
const maxDepth = 64

// Format describes the documents of one message for Decode.
type Format struct {
	// MaxBytes is the largest document accepted.
	MaxBytes int
	// Namespace checks the root element's namespace, returning an error that wraps
	// Errors.NotMessage when it is not one of a supported message and version.
	Namespace func(ns string) error
	// Indexed holds the local names of the elements that repeat under one parent;
	// paths name them with a 1-based index, such as Ntry[2].
	Indexed map[string]bool
	// Once holds the "parent/child" pairs of local names that the package reads and
	// the schemas allow once: a second occurrence would be silently merged or
	// overwritten by encoding/xml, so Decode refuses it instead.
	Once map[string]bool
	// OnceInEnvelopes applies Once inside supplementary data envelopes (Envlp) too,
	// where elements of any namespace and shape may occur.
	OnceInEnvelopes bool
	// Errors are the package's sentinel errors and error type.
	Errors Errors
}

// Errors are the sentinel errors that a package wraps in its own error type, and
// that type's constructor.
type Errors struct {
	// NotMessage reports a root that is not a Document of the message, or an element
	// in a foreign namespace.
	NotMessage error
	// Malformed reports input that is not one well-formed XML document.
	Malformed error
	// Doctype reports a document type or other markup declaration.
	Doctype error
	// TooLarge reports input longer than MaxBytes.
	TooLarge error
	// DuplicateElement reports a second occurrence of an element allowed once.
	DuplicateElement error
	// At returns the package's error for the element at path, wrapping err.
	At func(path string, err error) error
}

// Decode checks that b, less a leading UTF-8 byte order mark, is exactly one
// well-formed XML document of f, at most f.MaxBytes long, without a document type
// declaration, and decodes it into v. It returns the root element's namespace. Every
// error is one that f.Errors.At made.
func (f *Format) Decode(b []byte, v any) (namespace string, err error) {
	if len(b) > f.MaxBytes {
		return "", f.Errors.At(Root, fmt.Errorf("%w: %d bytes, at most %d", f.Errors.TooLarge, len(b), f.MaxBytes))
	}
	// A byte order mark, which Windows tools write, is not text outside the root.
	b = bytes.TrimPrefix(b, []byte(byteOrderMark))
	if namespace, err = f.scan(b); err != nil {
		return "", err
	}
	if err := newDecoder(b).Decode(v); err != nil {
		// scan accepted b, so this is not expected; report it rather than panic.
		return "", f.Errors.At(Root, fmt.Errorf("%w: %v", f.Errors.Malformed, err))
	}
	return namespace, nil
}

// frame is one open element during the scan.
type frame struct {
	local   string         // local name
	step    string         // path step: the local name, with an index if it repeats
	foreign bool           // inside a SplmtryData envelope, where any namespace may occur
	seen    map[string]int // how often each child name occurred so far
}

// scanner checks that a document is one well-formed document of its format before it
// is decoded.
type scanner struct {
	*Format
	stack     []frame
	namespace string
	rootDone  bool
}

// scan checks that b is exactly one well-formed XML document, without a document type
// declaration, whose root is a Document in a namespace of f, and returns the namespace.
func (f *Format) scan(b []byte) (string, error) {
	dec := newDecoder(b)
	s := scanner{Format: f}
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", f.Errors.At(s.path(), fmt.Errorf("%w: %v", f.Errors.Malformed, err))
		}
		if err := s.token(tok); err != nil {
			return "", err
		}
	}
	if !s.rootDone {
		return "", f.Errors.At(Root, fmt.Errorf("%w: no root element", f.Errors.Malformed))
	}
	return s.namespace, nil
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
		if len(s.stack) == 0 && len(bytes.Trim(t, space)) > 0 {
			return s.Errors.At(Root, fmt.Errorf("%w: text outside the root element", s.Errors.Malformed))
		}
	case xml.Directive:
		return s.Errors.At(Root, fmt.Errorf("%w: <!%s>", s.Errors.Doctype, firstWord(t)))
	}
	return nil
}

// start checks a start tag and pushes it on the stack.
func (s *scanner) start(t xml.StartElement) error {
	if s.rootDone {
		return s.Errors.At(Root, fmt.Errorf("%w: element <%s> after the root element", s.Errors.Malformed, t.Name.Local))
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
	if s.Indexed[f.local] {
		f.step += "[" + strconv.Itoa(n) + "]"
	}
	s.stack = append(s.stack, f)
	switch {
	case len(s.stack) > maxDepth:
		return s.Errors.At(s.path(), fmt.Errorf("%w: elements nested deeper than %d", s.Errors.Malformed, maxDepth))
	case !f.foreign && t.Name.Space != s.namespace:
		return s.Errors.At(s.path(), fmt.Errorf("%w: element in namespace %q, want %q", s.Errors.NotMessage, t.Name.Space, s.namespace))
	case (!f.foreign || s.OnceInEnvelopes) && n > 1 && s.Once[parent.local+"/"+f.local]:
		return s.Errors.At(s.path(), fmt.Errorf("%w: <%s> occurs %d times in <%s>", s.Errors.DuplicateElement, f.local, n, parent.local))
	}
	return s.checkAttrs(s.path(), t.Attr)
}

// root checks the root element: a Document in a namespace of the format.
func (s *scanner) root(t xml.StartElement) error {
	if t.Name.Local != Root {
		return s.Errors.At(t.Name.Local, fmt.Errorf("%w: root element <%s>, want <%s>", s.Errors.NotMessage, t.Name.Local, Root))
	}
	if err := s.Namespace(t.Name.Space); err != nil {
		return s.Errors.At(Root, err)
	}
	s.namespace = t.Name.Space
	s.stack = append(s.stack, frame{local: Root, step: Root})
	return s.checkAttrs(Root, t.Attr)
}

// checkAttrs rejects a repeated attribute, which XML forbids but encoding/xml passes.
func (s *scanner) checkAttrs(path string, attrs []xml.Attr) error {
	for i, a := range attrs {
		for _, b := range attrs[:i] {
			if a.Name == b.Name {
				return s.Errors.At(path+"/@"+a.Name.Local, fmt.Errorf("%w: attribute %s repeated", s.Errors.Malformed, a.Name.Local))
			}
		}
	}
	return nil
}

// path returns the slash path of the innermost open element.
func (s *scanner) path() string {
	if len(s.stack) == 0 {
		return Root
	}
	steps := make([]string, len(s.stack))
	for i, f := range s.stack {
		steps[i] = f.step
	}
	return strings.Join(steps, "/")
}

// newDecoder returns an XML decoder of b that reads the character sets an XML
// declaration may name besides UTF-8, such as ISO-8859-1 or windows-1252, which banks
// and their customers still use.
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
