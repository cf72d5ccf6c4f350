package fiat

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestFieldError(t *testing.T) {
	inner := fmt.Errorf("%w: detail", ErrBIC)
	long := strings.Repeat("A", maxValueLen+10)
	tests := []struct {
		name      string
		value     string
		wantValue string
		wantMsg   string
	}{
		{"short", "X-1", "X-1", `fiat: invalid bic: detail (bic "X-1")`},
		{"control characters quoted", "A\nB", "A\nB", `fiat: invalid bic: detail (bic "A\nB")`},
		{"exactly max", long[:maxValueLen], long[:maxValueLen], `fiat: invalid bic: detail (bic "` + long[:maxValueLen] + `")`},
		{"truncated", long, long[:maxValueLen] + "...", `fiat: invalid bic: detail (bic "` + long[:maxValueLen] + `...")`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := fieldError("bic", tt.value, inner)
			wantFieldError(t, err, "bic", tt.wantValue, ErrBIC)
			if got := err.Error(); got != tt.wantMsg {
				t.Errorf("Error() = %s, want %s", got, tt.wantMsg)
			}
			if got := errors.Unwrap(err); got != inner {
				t.Errorf("Unwrap() = %v, want %v", got, inner)
			}
		})
	}
}

func TestSentinelsPrefixedAndDistinct(t *testing.T) {
	all := []error{
		ErrIBANCharacters, ErrIBANCountry, ErrIBANLength, ErrIBANChecksum,
		ErrBIC, ErrCurrencyFormat, ErrCurrency, ErrCurrencyNotTender,
		ErrAmountSyntax, ErrAmountPrecision, ErrAmountOverflow,
		ErrReferenceFormat, ErrReferenceChecksum, ErrAccountID, ErrAccountScheme, ErrClearing,
	}
	seen := make(map[string]bool)
	for _, err := range all {
		msg := err.Error()
		if !strings.HasPrefix(msg, "fiat: ") || msg != strings.ToLower(msg) {
			t.Errorf("sentinel %q: want lower case with prefix \"fiat: \"", msg)
		}
		if seen[msg] {
			t.Errorf("duplicate sentinel message %q", msg)
		}
		seen[msg] = true
	}
}
