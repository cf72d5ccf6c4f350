package fiat

import (
	"errors"
	"testing"
)

// wantFieldError fails t unless err is a *FieldError for field and value
// that wraps sentinel.
func wantFieldError(t *testing.T, err error, field, value string, sentinel error) {
	t.Helper()
	if !errors.Is(err, sentinel) {
		t.Fatalf("error = %v, want %v", err, sentinel)
	}
	var fe *FieldError
	if !errors.As(err, &fe) {
		t.Fatalf("error %v is not a *FieldError", err)
	}
	if fe.Field != field || fe.Value != value {
		t.Fatalf("FieldError{Field: %q, Value: %q}, want {%q, %q}", fe.Field, fe.Value, field, value)
	}
}
