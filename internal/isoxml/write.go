package isoxml

import "encoding/xml"

// Marshal writes v as an indented XML document: the XML declaration, the document and
// a final newline.
func Marshal(v any) ([]byte, error) {
	b, err := xml.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(xml.Header)+len(b)+1)
	out = append(out, xml.Header...)
	out = append(out, b...)
	return append(out, '\n'), nil
}

// Amount is an amount with its currency, such as <Amt Ccy="EUR">100.50</Amt>, as read
// and as written.
type Amount struct {
	Ccy   string `xml:"Ccy,attr"`
	Value string `xml:",chardata"`
}
