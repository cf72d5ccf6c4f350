//go:build !pkcs11 || !cgo

package hsm

import (
	"errors"
	"testing"
)

func TestWithoutTheTagNothingOpens(t *testing.T) {
	u := URI{Module: "/usr/lib/softhsm/libsofthsm2.so", Token: "chipmint", Label: "acme"}
	if _, err := Open(u, "5678"); !errors.Is(err, ErrNotBuilt) {
		t.Fatalf("Open: %v, want %v", err, ErrNotBuilt)
	}
	if _, err := Generate(u, "5678"); !errors.Is(err, ErrNotBuilt) {
		t.Fatalf("Generate: %v, want %v", err, ErrNotBuilt)
	}
}
