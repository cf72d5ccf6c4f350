package fiat_test

import (
	"errors"
	"fmt"

	"github.com/chipmint/chipmint/internal/fiat"
)

func ExampleParseIBAN() {
	iban, err := fiat.ParseIBAN("gb82 west 1234 5698 7654 32")
	fmt.Println(iban, iban.Print(), iban.Country(), err)

	_, err = fiat.ParseIBAN("DE88370400440532013000")
	fmt.Println(errors.Is(err, fiat.ErrIBANChecksum))
	// Output:
	// GB82WEST12345698765432 GB82 WEST 1234 5698 7654 32 GB <nil>
	// true
}

func ExampleMakeIBAN() {
	iban, err := fiat.MakeIBAN("DE", "370400440532013000")
	fmt.Println(iban, err)
	// Output: DE89370400440532013000 <nil>
}

func ExampleParseAmount() {
	eur, _ := fiat.ParseCurrency("EUR")
	minor, err := fiat.ParseAmount("123.45", eur)
	fmt.Println(minor, err, fiat.FormatAmount(minor, eur))

	_, err = fiat.ParseAmount("1.001", eur)
	fmt.Println(err)
	// Output:
	// 12345 <nil> 123.45
	// fiat: amount has too many fractional digits: 3 fractional digits, at most 2 allowed (EUR) (amount "1.001")
}

func ExampleNewCreditorReference() {
	ref, err := fiat.NewCreditorReference("539007547034")
	fmt.Println(ref, ref.Print(), err)
	// Output: RF18539007547034 RF18 5390 0754 7034 <nil>
}
