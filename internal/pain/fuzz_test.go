package pain

import (
	"reflect"
	"testing"

	"github.com/chipmint/chipmint/internal/isoxml/isoxmltest"
)

// FuzzRead checks that Read never panics, that it fails only with an *Error wrapping a
// sentinel and no document, that every payment it returns has an end-to-end id, a
// positive amount and a currency, and that an initiation it returns which Write accepts
// survives Write and Read unchanged.
func FuzzRead(f *testing.F) {
	isoxmltest.AddFiles(f)
	if out, err := Write(sample()); err == nil {
		f.Add(out)
	}
	sentinels := []error{ErrNotPain, ErrMalformed, ErrDoctype, ErrTooLarge, ErrMissingElement, ErrDuplicateElement,
		ErrBadAmount, ErrBadCurrency, ErrBadDate, ErrBadText, ErrDuplicatePayment, ErrControl, ErrUnsupported}
	f.Fuzz(func(t *testing.T, b []byte) {
		in, err := Read(b)
		if err != nil {
			isoxmltest.CheckFuzzError(t, in != nil, err, sentinels, func(e *Error) string { return e.Element })
			return
		}
		if len(in.Payments) == 0 {
			t.Fatal("Read accepted a file without payments")
		}
		for _, p := range in.Payments {
			if p.EndToEndID == "" || p.AmountMinor == 0 || p.Currency == "" {
				t.Fatalf("Read accepted a payment without end-to-end id, amount or currency: %+v", p)
			}
		}
		if out, err := Write(*in); err == nil {
			again, err := Read(out)
			if err != nil || !reflect.DeepEqual(again, in) {
				t.Fatalf("written and read again: %+v, %v; want %+v", again, err, in)
			}
		}
	})
}
