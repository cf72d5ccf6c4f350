package pain

import (
	"testing"

	"github.com/chipmint/chipmint/internal/fiat"
	"github.com/chipmint/chipmint/internal/isoxml/isoxmltest"
)

// wantError fails t unless err is an *Error for element wrapping sentinel.
func wantError(t testing.TB, err error, sentinel error, element string) {
	t.Helper()
	isoxmltest.WantError(t, err, sentinel, element, func(e *Error) string { return e.Element })
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
