package txn

import (
	"math"
	"strings"
	"testing"

	"github.com/chipmint/chipmint/internal/fiat"
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

func TestRateChipsFor(t *testing.T) {
	tests := []struct {
		name        string
		rate        Rate
		amountMinor uint64
		wantChips   uint64
		wantCode    Code
	}{
		{name: "exact", rate: Rate{Chips: 1_000_000, Minor: 100}, amountMinor: 12_345, wantChips: 123_450_000},
		{name: "rounds down", rate: Rate{Chips: 2, Minor: 3}, amountMinor: 10, wantChips: 6},
		{name: "one base unit", rate: Rate{Chips: 1, Minor: 100}, amountMinor: 100, wantChips: 1},
		{name: "max", rate: Rate{Chips: 1, Minor: 1}, amountMinor: math.MaxUint64, wantChips: math.MaxUint64},
		{name: "below one chip unit buys nothing", rate: Rate{Chips: 1, Minor: 100}, amountMinor: 99, wantCode: InvalidField},
		{name: "zero amount buys nothing", rate: Rate{Chips: 7, Minor: 3}, amountMinor: 0, wantCode: InvalidField},
		{name: "zero chips rate buys nothing", rate: Rate{Chips: 0, Minor: 3}, amountMinor: 10, wantCode: InvalidField},
		{name: "overflow", rate: Rate{Chips: 2, Minor: 1}, amountMinor: math.MaxUint64, wantCode: Overflow},
		{name: "minor zero", rate: Rate{Chips: 1, Minor: 0}, amountMinor: 10, wantCode: Overflow},
		{name: "minor zero and amount zero", rate: Rate{Chips: 1, Minor: 0}, amountMinor: 0, wantCode: Overflow},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			chips, err := tt.rate.ChipsFor(tt.amountMinor)
			if CodeOf(err) != tt.wantCode || chips != tt.wantChips {
				t.Fatalf("Rate%+v.ChipsFor(%d) = %d, %v; want %d, code %s", tt.rate, tt.amountMinor, chips, err, tt.wantChips, tt.wantCode)
			}
		})
	}
}

func TestParseRate(t *testing.T) {
	cur := func(code string) fiat.Currency {
		c, err := fiat.ParseCurrency(code)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	tests := []struct {
		name     string
		in       string
		currency string
		want     Rate
		wantErr  bool
	}{
		{name: "one chip per euro", in: "1", currency: "EUR", want: Rate{Chips: 1_000_000, Minor: 100}},
		{name: "half a chip per euro", in: "0.5", currency: "EUR", want: Rate{Chips: 500_000, Minor: 100}},
		{name: "one base unit per euro", in: "0.000001", currency: "EUR", want: Rate{Chips: 1, Minor: 100}},
		{name: "yen has no minor unit", in: "1", currency: "JPY", want: Rate{Chips: 1_000_000, Minor: 1}},
		{name: "dinar has three digits", in: "2.25", currency: "KWD", want: Rate{Chips: 2_250_000, Minor: 1000}},
		{name: "large", in: "1000000", currency: "EUR", want: Rate{Chips: 1_000_000_000_000, Minor: 100}},

		{name: "zero", in: "0", currency: "EUR", wantErr: true},
		{name: "zero with decimals", in: "0.000000", currency: "EUR", wantErr: true},
		{name: "empty", in: "", currency: "EUR", wantErr: true},
		{name: "negative", in: "-1", currency: "EUR", wantErr: true},
		{name: "too many decimals", in: "1.0000001", currency: "EUR", wantErr: true},
		{name: "comma", in: "1,5", currency: "EUR", wantErr: true},
		{name: "trailing point", in: "2.", currency: "EUR", wantErr: true},
		{name: "space", in: " 1", currency: "EUR", wantErr: true},
		{name: "exponent", in: "1e3", currency: "EUR", wantErr: true},
		{name: "a ratio", in: "1000000/100", currency: "EUR", wantErr: true},
		{name: "overflow", in: "18446744073709.551616", currency: "EUR", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseRate(tt.in, cur(tt.currency))
			if tt.wantErr {
				if err == nil || got != (Rate{}) {
					t.Fatalf("ParseRate(%q, %s) = %+v, %v; want an error", tt.in, tt.currency, got, err)
				}
				if !strings.Contains(err.Error(), "chips per "+tt.currency) {
					t.Fatalf("ParseRate(%q, %s) error %q does not say what a rate is", tt.in, tt.currency, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseRate(%q, %s) = %+v, %v; want %+v", tt.in, tt.currency, got, err, tt.want)
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
		{name: "reverse payment", typ: TypeReversePayment, want: "reverse_payment"},
		{name: "register operator account", typ: TypeRegisterOperatorAccount, want: "register_operator_account"},
		{name: "redeem", typ: TypeRedeem, want: "redeem"},
		{name: "release order", typ: TypeReleaseOrder, want: "release_order"},
		{name: "propose", typ: TypePropose, want: "propose"},
		{name: "set issuer threshold", typ: TypeSetIssuerThreshold, want: "set_issuer_threshold"},
		{name: "attest reserves", typ: TypeAttestReserves, want: "attest_reserves"},
		{name: "cover shortfall", typ: TypeCoverShortfall, want: "cover_shortfall"},
		{name: "thirty-eight", typ: 38, want: "unknown"},
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
		{name: "reverse payment", msg: ReversePayment{}, want: 7},
		{name: "register operator account", msg: RegisterOperatorAccount{}, want: 8},
		{name: "redeem", msg: Redeem{}, want: 9},
		{name: "payout initiated", msg: PayoutInitiated{}, want: 10},
		{name: "confirm payout", msg: ConfirmPayout{}, want: 11},
		{name: "reject redemption", msg: RejectRedemption{}, want: 12},
		{name: "return payout", msg: ReturnPayout{}, want: 13},
		{name: "restore redemption", msg: RestoreRedemption{}, want: 14},
		{name: "record refund", msg: RecordRefund{}, want: 15},
		{name: "accept partial", msg: AcceptPartial{}, want: 16},
		{name: "cancel order", msg: CancelOrder{}, want: 17},
		{name: "hold order", msg: HoldOrder{}, want: 18},
		{name: "release order", msg: ReleaseOrder{}, want: 19},
		{name: "hand over", msg: HandOver{}, want: 31},
		{name: "take over", msg: TakeOver{}, want: 32},
		{name: "set validator", msg: SetValidator{}, want: 33},
		{name: "propose", msg: Propose{}, want: 20},
		{name: "approve", msg: Approve{}, want: 21},
		{name: "pause", msg: Pause{}, want: 22},
		{name: "unpause", msg: Unpause{}, want: 23},
		{name: "freeze", msg: Freeze{}, want: 24},
		{name: "unfreeze", msg: Unfreeze{}, want: 25},
		{name: "update operator", msg: UpdateOperator{}, want: 26},
		{name: "revoke operator", msg: RevokeOperator{}, want: 27},
		{name: "add issuer", msg: AddIssuer{}, want: 28},
		{name: "remove issuer", msg: RemoveIssuer{}, want: 29},
		{name: "set issuer threshold", msg: SetIssuerThreshold{}, want: 30},
		{name: "add auditor", msg: AddAuditor{}, want: 34},
		{name: "remove auditor", msg: RemoveAuditor{}, want: 35},
		{name: "attest reserves", msg: AttestReserves{}, want: 36},
		{name: "cover shortfall", msg: CoverShortfall{}, want: 37},
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
