package txn

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// Every 64-bit quantity of the API's JSON is a decimal string, as JavaScript cannot
// hold such numbers: a uint64 field added without ",string" fails here.
func TestJSONQuantitiesAreStrings(t *testing.T) {
	types := []any{
		Issuer{}, Operator{}, Order{}, Supply{}, Rate{}, BankAccount{}, Account{}, Party{},
		RegisterOperator{}, RegisterOperatorAccount{}, BuyRequest{}, ConfirmPayment{}, Receipt{}, SubmitReceipt{}, Issue{},
		Transfer{}, ReversePayment{}, ReceiptFile{}, OperatorReserves{}, ReservesAttestation{},
		CoverShortfall{}, Cover{},
	}
	for _, v := range types {
		rt := reflect.TypeOf(v)
		for i := range rt.NumField() {
			f := rt.Field(i)
			if f.Type.Kind() != reflect.Uint64 || !f.IsExported() {
				continue
			}
			if opts := strings.Split(f.Tag.Get("json"), ","); !slices.Contains(opts[1:], "string") {
				t.Errorf("%s.%s: a uint64 without \",string\" in its json tag", rt.Name(), f.Name)
			}
		}
	}
	b, err := json.Marshal(Order{AmountMinor: 1 << 60, Chips: 18_446_744_073_709_551_615})
	if err != nil || !strings.Contains(string(b), `"amount_minor":"1152921504606846976"`) || !strings.Contains(string(b), `"chips":"18446744073709551615"`) {
		t.Fatalf("order JSON: %s (%v)", b, err)
	}
}
