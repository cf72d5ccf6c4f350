// Package isoxmltest holds the test support that the tests of packages camt and pain
// share: their fixtures under testdata, the mutations of a fixture that each test of a
// refusal makes, the check of the error that names the element at fault, and the
// fuzzers' seeds.
//
// It is a test-support package: only tests import it.
package isoxmltest

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Fixture returns the bytes of testdata/name.
func Fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Mutate returns b with the first old replaced by new, failing t if old is absent, so
// that a mutation that no longer applies cannot pass unnoticed.
func Mutate(t testing.TB, b []byte, old, new string) []byte {
	t.Helper()
	s := string(b)
	if !strings.Contains(s, old) {
		t.Fatalf("mutate: %q not in input", old)
	}
	return []byte(strings.Replace(s, old, new, 1))
}

// WantError fails t unless err is an E, whose element is element, wrapping sentinel.
func WantError[E error](t testing.TB, err error, sentinel error, element string, elementOf func(E) string) {
	t.Helper()
	var e E
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not a %T", err, err, e)
	}
	if !errors.Is(err, sentinel) {
		t.Errorf("error %v does not wrap %v", err, sentinel)
	}
	if got := elementOf(e); got != element {
		t.Errorf("Element = %q, want %q (error %v)", got, element, err)
	}
}

// AddFiles adds the files testdata/*.xml to f's seed corpus.
func AddFiles(f *testing.F) {
	f.Helper()
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
}

// CheckFuzzError fails t unless err, returned with nothing else (returned is false),
// is an E naming an element and wrapping one of sentinels.
func CheckFuzzError[E error](t *testing.T, returned bool, err error, sentinels []error, elementOf func(E) string) {
	t.Helper()
	var e E
	if returned || !errors.As(err, &e) || elementOf(e) == "" {
		t.Fatalf("error %v (%T) with a document: %v; want no document and a %T naming an element", err, err, returned, e)
	}
	for _, s := range sentinels {
		if errors.Is(err, s) {
			return
		}
	}
	t.Fatalf("error %v wraps no sentinel", err)
}
