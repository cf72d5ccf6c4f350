package txn

import (
	"errors"
	"fmt"
	"testing"
)

// goldenCodes is every result code with its number and name. Clients, indexers and
// audits key on these: a renumbered or renamed code breaks them, so this list changes
// only by appending.
var goldenCodes = []struct {
	number uint32
	name   string
}{
	{0, "ok"},
	{1, "malformed"},
	{2, "non_canonical"},
	{3, "unknown_type"},
	{4, "invalid_field"},
	{5, "bad_signature"},
	{6, "expired"},
	{7, "validity_too_long"},
	{8, "replayed"},
	{9, "not_issuer"},
	{10, "not_operator"},
	{11, "wrong_role"},
	{12, "wrong_operator"},
	{13, "unknown_operator"},
	{14, "operator_exists"},
	{15, "unknown_order"},
	{16, "order_exists"},
	{17, "order_not_awaiting_payment"},
	{18, "order_not_paid"},
	{19, "order_already_issued"},
	{20, "bank_reference_used"},
	{21, "buyer_mismatch"},
	{22, "currency_mismatch"},
	{23, "cap_exceeded"},
	{24, "quantity_mismatch"},
	{25, "insufficient_funds"},
	{26, "overflow"},
	{27, "bad_receipt_signature"},
	{28, "receipt_mismatch"},
	{29, "already_confirmed"},
	{30, "unknown_bank_reference"},
	{31, "already_reversed"},
	{32, "unknown_redemption"},
	{33, "redemption_not_requested"},
	{34, "payout_not_initiated"},
	{35, "already_paid_out"},
	{36, "redemption_not_returned"},
	{37, "outstanding_exceeded"},
	{38, "order_not_underpaid"},
	{39, "order_held"},
	{40, "order_not_held"},
	{41, "nothing_owed"},
	{42, "refund_mismatch"},
	{43, "already_refunded"},
	{44, "refund_reference_used"},
	{45, "redemption_exists"},
	{46, "amount_too_small"},
	{47, "weak_key"},
	{48, "account_taken"},
	{49, "too_many_open_orders"},
	{50, "no_hand_over"},
	{51, "needs_approval"},
	{52, "unknown_proposal"},
	{53, "proposal_exists"},
	{54, "proposal_not_pending"},
	{55, "already_approved"},
	{56, "paused"},
	{57, "not_paused"},
	{58, "frozen"},
	{59, "not_frozen"},
	{60, "operator_revoked"},
	{61, "issuer_exists"},
	{62, "unknown_issuer"},
	{63, "threshold_unreachable"},
	{71, "unknown_validator"},
	{72, "last_validator"},
	{73, "validator_power_too_high"},
	{74, "not_auditor"},
	{75, "already_attested"},
	{76, "auditor_exists"},
	{77, "unknown_auditor"},
	{78, "no_shortfall"},
	{79, "cover_exceeds_shortfall"},
}

func TestCodesGolden(t *testing.T) {
	codes := Codes()
	if len(codes) != len(goldenCodes) {
		t.Fatalf("Codes() has %d codes, golden list %d: append new codes to goldenCodes", len(codes), len(goldenCodes))
	}
	for i, g := range goldenCodes {
		t.Run(g.name, func(t *testing.T) {
			c := codes[i]
			if uint32(c) != g.number || c.String() != g.name {
				t.Fatalf("Codes()[%d] = %d %q, want %d %q", i, uint32(c), c.String(), g.number, g.name)
			}
		})
	}
}

func TestCodesNamedConstants(t *testing.T) {
	tests := []struct {
		name string
		code Code
		want uint32
	}{
		{name: "ok", code: OK, want: 0},
		{name: "malformed", code: Malformed, want: 1},
		{name: "non canonical", code: NonCanonical, want: 2},
		{name: "unknown type", code: UnknownType, want: 3},
		{name: "invalid field", code: InvalidField, want: 4},
		{name: "bad signature", code: BadSignature, want: 5},
		{name: "replayed", code: Replayed, want: 8},
		{name: "insufficient funds", code: InsufficientFunds, want: 25},
		{name: "receipt mismatch", code: ReceiptMismatch, want: 28},
		{name: "needs approval", code: NeedsApproval, want: 51},
		{name: "threshold unreachable", code: ThresholdUnreachable, want: 63},
		{name: "not auditor", code: NotAuditor, want: 74},
		{name: "already attested", code: AlreadyAttested, want: 75},
		{name: "auditor exists", code: AuditorExists, want: 76},
		{name: "unknown auditor", code: UnknownAuditor, want: 77},
		{name: "no shortfall", code: NoShortfall, want: 78},
		{name: "cover exceeds shortfall", code: CoverExceedsShortfall, want: 79},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if uint32(tt.code) != tt.want {
				t.Fatalf("%s = %d, want %d", tt.code, uint32(tt.code), tt.want)
			}
		})
	}
}

func TestCodesDistinctAndDescribed(t *testing.T) {
	names := make(map[string]Code)
	meanings := make(map[string]Code)
	codes := Codes()
	for i, c := range codes {
		if i > 0 && c <= codes[i-1] {
			t.Errorf("Codes()[%d] = %d after %d: not in increasing order", i, uint32(c), uint32(codes[i-1]))
		}
		name, meaning := c.String(), c.Meaning()
		if name == "" || name == fmt.Sprintf("code_%d", uint32(c)) {
			t.Errorf("code %d has no name: %q", uint32(c), name)
		}
		if meaning == "" || meaning == "unknown result code" {
			t.Errorf("code %d (%s) has no meaning: %q", uint32(c), name, meaning)
		}
		if prev, ok := names[name]; ok {
			t.Errorf("codes %d and %d are both named %q", uint32(prev), uint32(c), name)
		}
		if prev, ok := meanings[meaning]; ok {
			t.Errorf("codes %d and %d both mean %q", uint32(prev), uint32(c), meaning)
		}
		names[name], meanings[meaning] = c, c
	}
}

func TestCodeUnknown(t *testing.T) {
	tests := []struct {
		name        string
		code        Code
		wantName    string
		wantMeaning string
	}{
		{name: "not assigned", code: 64, wantName: "code_64", wantMeaning: "unknown result code"},
		{name: "after the last", code: Codes()[len(Codes())-1] + 1, wantName: fmt.Sprintf("code_%d", Codes()[len(Codes())-1]+1), wantMeaning: "unknown result code"},
		{name: "max", code: Code(1<<32 - 1), wantName: "code_4294967295", wantMeaning: "unknown result code"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.code.String(); got != tt.wantName {
				t.Errorf("String() = %q, want %q", got, tt.wantName)
			}
			if got := tt.code.Meaning(); got != tt.wantMeaning {
				t.Errorf("Meaning() = %q, want %q", got, tt.wantMeaning)
			}
		})
	}
}

func TestCodeOf(t *testing.T) {
	rejection := Errorf(Replayed, "nonce %d", 3)
	tests := []struct {
		name       string
		err        error
		wantCode   Code
		wantReason string
	}{
		{name: "nil", err: nil, wantCode: OK},
		{name: "rejection", err: rejection, wantCode: Replayed, wantReason: "nonce 3"},
		{name: "wrapped rejection", err: fmt.Errorf("check tx: %w", rejection), wantCode: Replayed, wantReason: "nonce 3"},
		{name: "twice wrapped rejection", err: fmt.Errorf("a: %w", fmt.Errorf("b: %w", Errorf(CapExceeded, "cap"))), wantCode: CapExceeded, wantReason: "cap"},
		{name: "joined rejection", err: errors.Join(errors.New("x"), Errorf(Expired, "late")), wantCode: Expired, wantReason: "late"},
		{name: "plain error", err: errors.New("x"), wantCode: Malformed, wantReason: "x"},
		{name: "rejection with code OK", err: &Error{Code: OK, Reason: "odd"}, wantCode: OK, wantReason: "odd"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CodeOf(tt.err); got != tt.wantCode {
				t.Fatalf("CodeOf(%v) = %v, want %v", tt.err, got, tt.wantCode)
			}
			if tt.err == nil {
				return
			}
			if got := ReasonOf(tt.err); got != tt.wantReason {
				t.Fatalf("ReasonOf(%v) = %q, want %q", tt.err, got, tt.wantReason)
			}
		})
	}
}

func TestErrorString(t *testing.T) {
	tests := []struct {
		name string
		err  *Error
		want string
	}{
		{name: "formatted", err: Errorf(InvalidField, "amount_minor: must be positive"), want: "invalid_field: amount_minor: must be positive"},
		{name: "with args", err: Errorf(Replayed, "nonce %d of %s", 4, "x"), want: "replayed: nonce 4 of x"},
		{name: "unknown code", err: &Error{Code: 99, Reason: "r"}, want: "code_99: r"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Fatalf("Error() = %q, want %q", got, tt.want)
			}
		})
	}
}
