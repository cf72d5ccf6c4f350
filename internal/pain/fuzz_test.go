package pain

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// FuzzRead checks that Read never panics, that it fails only with an *Error wrapping a
// sentinel and no document, that every payment it returns has an end-to-end id, a
// positive amount and a currency, and that an initiation it returns which Write accepts
// survives Write and Read unchanged.
func FuzzRead(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.xml"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	if out, err := Write(sample()); err == nil {
		f.Add(out)
	}
	sentinels := []error{ErrNotPain, ErrMalformed, ErrDoctype, ErrTooLarge, ErrMissingElement, ErrDuplicateElement,
		ErrBadAmount, ErrBadCurrency, ErrBadDate, ErrBadText, ErrDuplicatePayment, ErrControl, ErrUnsupported}
	f.Fuzz(func(t *testing.T, b []byte) {
		in, err := Read(b)
		if err != nil {
			var e *Error
			if in != nil || !errors.As(err, &e) || e.Element == "" {
				t.Fatalf("Read = %v, %v (%T); want no document and an *Error naming an element", in, err, err)
			}
			for _, s := range sentinels {
				if errors.Is(err, s) {
					return
				}
			}
			t.Fatalf("error %v wraps no sentinel", err)
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
