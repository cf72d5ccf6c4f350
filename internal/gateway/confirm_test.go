package gateway

import (
	"strings"
	"testing"

	"github.com/chipmint/chipmint/internal/camt"
	"github.com/chipmint/chipmint/internal/txn"
)

func TestOrderIDOf(t *testing.T) {
	const id = "031AE4EB3AE3C9739AD7"
	ref := txn.PaymentReference(id) // RF43031AE4EB3AE3C9739AD7
	tests := []struct {
		name         string
		creditorRef  string
		unstructured []string
		want         string // empty: no order
	}{
		{name: "creditor reference", creditorRef: ref, want: id},
		{name: "creditor reference in print form, lower case", creditorRef: "rf43 031a e4eb 3ae3 c973 9ad7", want: id},
		{name: "reference in the unstructured lines", unstructured: []string{"payment for chips", "ref " + ref + " thanks"}, want: id},
		{name: "print form in the unstructured lines", unstructured: []string{"RF43 031A E4EB 3AE3 C973 9AD7"}, want: id},
		{name: "creditor reference of something else, order's in the lines", creditorRef: "RF18539007547034", unstructured: []string{ref}, want: id},
		{name: "bare order id", creditorRef: id, unstructured: []string{id}},
		{name: "wrong check digits", creditorRef: "RF44031AE4EB3AE3C9739AD7", unstructured: []string{"RF44031AE4EB3AE3C9739AD7"}},
		{name: "reference of something else", creditorRef: "RF18539007547034"},
		{name: "nothing", unstructured: []string{"chips please"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := orderIDOf(camt.Entry{CreditorReference: tt.creditorRef, Unstructured: tt.unstructured})
			if got != tt.want || ok != (tt.want != "") {
				t.Fatalf("orderIDOf(%q, %s) = %q, %t; want %q", tt.creditorRef, strings.Join(tt.unstructured, "|"), got, ok, tt.want)
			}
		})
	}
}
