package pain

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chipmint/chipmint/internal/fiat"
)

// fixture returns the bytes of testdata/name.
func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// mutate returns b with the first old replaced by new, failing t if old is absent, so
// that a mutation that no longer applies cannot pass unnoticed.
func mutate(t testing.TB, b []byte, old, new string) []byte {
	t.Helper()
	s := string(b)
	if !strings.Contains(s, old) {
		t.Fatalf("mutate: %q not in input", old)
	}
	return []byte(strings.Replace(s, old, new, 1))
}

// wantError fails t unless err is an *Error for element wrapping sentinel.
func wantError(t testing.TB, err error, sentinel error, element string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *Error", err, err)
	}
	if !errors.Is(err, sentinel) {
		t.Errorf("error %v does not wrap %v", err, sentinel)
	}
	if e.Element != element {
		t.Errorf("Element = %q, want %q (error %v)", e.Element, element, err)
	}
}

// sample is an initiation with every kind of account and remittance Write supports.
func sample() Initiation {
	return Initiation{
		MessageID: "CHIPMINT-RDM-20260302-0001", CreatedAt: "2026-03-02T09:30:00Z",
		InitiatingParty: "Acme Payments GmbH", ExecutionDate: "2026-03-03",
		Debtor: Party{Name: "Acme Payments GmbH", Account: Account{IBAN: "DE89370400440532013000"}, BIC: "COBADEFFXXX"},
		Payments: []Payment{
			{
				InstructionID: "RDM-1", EndToEndID: "RDM-0001", AmountMinor: 12345, Currency: "EUR",
				CreditorName: "Jane Doe", CreditorAccount: Account{IBAN: "GB82WEST12345698765432"}, CreditorBIC: "WESTGB22",
				CreditorReference: "RF18539007547034",
			},
			{
				EndToEndID: "RDM-0002", AmountMinor: 500, Currency: "EUR",
				CreditorName: "Zhang Wei", CreditorAccount: Account{Other: fiat.OtherAccount{ID: "6222021001000000001", Scheme: "BBAN", Issuer: "ICBC"}},
				Unstructured: "Redemption of chips, order 42",
			},
			{
				EndToEndID: "RDM-0003", AmountMinor: 1500, Currency: "JPY",
				CreditorName: "Yamada Taro", CreditorAccount: Account{Other: fiat.OtherAccount{ID: "1234567", Scheme: "Zengin account"}},
			},
		},
	}
}
