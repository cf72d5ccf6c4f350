package txn

import (
	"math"
	"testing"
)

func TestRateApply(t *testing.T) {
	tests := []struct {
		name        string
		rate        Rate
		amountMinor uint64
		wantChips   uint64
		wantOK      bool
	}{
		{name: "exact", rate: Rate{Chips: 1_000_000, Minor: 100}, amountMinor: 12_345, wantChips: 123_450_000, wantOK: true},
		{name: "one to one", rate: Rate{Chips: 1, Minor: 1}, amountMinor: 42, wantChips: 42, wantOK: true},
		{name: "rounds down a third", rate: Rate{Chips: 1, Minor: 3}, amountMinor: 10, wantChips: 3, wantOK: true},
		{name: "rounds down two thirds", rate: Rate{Chips: 2, Minor: 3}, amountMinor: 10, wantChips: 6, wantOK: true},
		{name: "below one chip unit", rate: Rate{Chips: 1, Minor: 100}, amountMinor: 99, wantChips: 0, wantOK: true},
		{name: "zero amount", rate: Rate{Chips: 7, Minor: 3}, amountMinor: 0, wantChips: 0, wantOK: true},
		{name: "zero chips rate", rate: Rate{Chips: 0, Minor: 3}, amountMinor: 10, wantChips: 0, wantOK: true},
		{name: "max amount one to one", rate: Rate{Chips: 1, Minor: 1}, amountMinor: math.MaxUint64, wantChips: math.MaxUint64, wantOK: true},
		{name: "overflow doubling max", rate: Rate{Chips: 2, Minor: 1}, amountMinor: math.MaxUint64, wantOK: false},
		{name: "overflow by one", rate: Rate{Chips: 1 << 32, Minor: 1}, amountMinor: 1 << 32, wantOK: false},
		{name: "fits just below overflow", rate: Rate{Chips: 1 << 32, Minor: 1}, amountMinor: 1<<32 - 1, wantChips: 1<<64 - 1<<32, wantOK: true},
		{name: "128-bit intermediate halved", rate: Rate{Chips: 2, Minor: 4}, amountMinor: math.MaxUint64, wantChips: math.MaxUint64 / 2, wantOK: true},
		{name: "128-bit intermediate max over max", rate: Rate{Chips: math.MaxUint64, Minor: math.MaxUint64}, amountMinor: math.MaxUint64, wantChips: math.MaxUint64, wantOK: true},
		{name: "128-bit intermediate three halves overflow", rate: Rate{Chips: 3, Minor: 2}, amountMinor: math.MaxUint64, wantOK: false},
		{name: "128-bit intermediate large", rate: Rate{Chips: 1_000_000, Minor: 1_000_000}, amountMinor: math.MaxUint64 - 1, wantChips: math.MaxUint64 - 1, wantOK: true},
		{name: "minor zero", rate: Rate{Chips: 1, Minor: 0}, amountMinor: 10, wantOK: false},
		{name: "minor zero and amount zero", rate: Rate{Chips: 1, Minor: 0}, amountMinor: 0, wantOK: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			chips, ok := tt.rate.Apply(tt.amountMinor)
			if ok != tt.wantOK || chips != tt.wantChips {
				t.Fatalf("Rate%+v.Apply(%d) = %d, %v, want %d, %v", tt.rate, tt.amountMinor, chips, ok, tt.wantChips, tt.wantOK)
			}
		})
	}
}

func TestTypeString(t *testing.T) {
	tests := []struct {
		name string
		typ  Type
		want string
	}{
		{name: "register operator", typ: TypeRegisterOperator, want: "register_operator"},
		{name: "buy request", typ: TypeBuyRequest, want: "buy_request"},
		{name: "confirm payment", typ: TypeConfirmPayment, want: "confirm_payment"},
		{name: "submit receipt", typ: TypeSubmitReceipt, want: "submit_receipt"},
		{name: "issue", typ: TypeIssue, want: "issue"},
		{name: "transfer", typ: TypeTransfer, want: "transfer"},
		{name: "zero", typ: 0, want: "unknown"},
		{name: "seven", typ: 7, want: "unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.typ.String(); got != tt.want {
				t.Fatalf("Type(%d).String() = %q, want %q", uint8(tt.typ), got, tt.want)
			}
		})
	}
}

func TestTypeNumbers(t *testing.T) {
	// The numbers are on the wire: renumbering a type breaks every stored transaction.
	tests := []struct {
		name string
		msg  Msg
		want Type
	}{
		{name: "register operator", msg: RegisterOperator{}, want: 1},
		{name: "buy request", msg: BuyRequest{}, want: 2},
		{name: "confirm payment", msg: ConfirmPayment{}, want: 3},
		{name: "submit receipt", msg: SubmitReceipt{}, want: 4},
		{name: "issue", msg: Issue{}, want: 5},
		{name: "transfer", msg: Transfer{}, want: 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.msg.Type(); got != tt.want {
				t.Fatalf("Type() = %d, want %d", got, tt.want)
			}
			m, ok := newMsg(tt.want)
			if !ok || m.Type() != tt.want {
				t.Fatalf("newMsg(%d) = %T, %v", tt.want, m, ok)
			}
		})
	}
}
