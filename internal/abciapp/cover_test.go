package abciapp

import (
	"math"
	"testing"

	"github.com/chipmint/chipmint/internal/query"
	"github.com/chipmint/chipmint/internal/txn"
)

// The operator's cover of its shortfall with its own money (decision 0039).

func coverMsg(bankRef string, amountMinor uint64) *txn.CoverShortfall {
	return &txn.CoverShortfall{BankReference: bankRef, AmountMinor: amountMinor, Currency: "EUR"}
}

// shortfall has alice be issued 100.00 EUR of chips from acme, paid by UETR-IN, and the
// bank reverse that payment: acme is short the 100 chips.
func (h *harness) shortfall() string {
	h.t.Helper()
	id := h.issuedOrder(10_000, "UETR-IN")
	h.mustBlock(h.sign(operatorA, &txn.ReversePayment{BankReference: "UETR-IN", Reason: "AC04"}))
	return id
}

func (h *harness) cover(operator, bankRef string) (txn.Cover, uint32) {
	h.t.Helper()
	var c txn.Cover
	code := h.query(query.PathCover, operator+"/"+bankRef, &c)
	return c, code
}

// coverRejections are the refusals of CoverShortfall, and of the confirmations and
// refunds of a credit that covered a shortfall.
func coverRejections() []rejectionCase {
	return []rejectionCase{
		{"cover by the issuer", txn.WrongRole, func(h *harness) []byte {
			h.shortfall()
			return h.sign(issuerA, coverMsg("OWN-1", 1_000))
		}},
		{"cover by an auditor", txn.WrongRole, func(h *harness) []byte {
			h.shortfall()
			return h.sign(auditorA, coverMsg("OWN-1", 1_000))
		}},
		{"cover by a buyer", txn.NotOperator, func(h *harness) []byte {
			h.shortfall()
			return h.sign(alice, coverMsg("OWN-1", 1_000))
		}},
		{"cover by a stranger", txn.NotOperator, func(h *harness) []byte {
			h.shortfall()
			return h.sign(stranger, coverMsg("OWN-1", 1_000))
		}},
		{"cover replayed", txn.Replayed, func(h *harness) []byte {
			h.shortfall()
			tx := h.sign(operatorA, coverMsg("OWN-1", 1_000))
			h.mustBlock(tx)
			return tx
		}},
		{"cover in another currency than the operator's", txn.CurrencyMismatch, func(h *harness) []byte {
			h.shortfall()
			m := coverMsg("OWN-1", 1_000)
			m.Currency = "USD"
			return h.sign(operatorA, m)
		}},
		{"cover of an amount whose chips overflow", txn.Overflow, func(h *harness) []byte {
			h.shortfall()
			return h.sign(operatorA, coverMsg("OWN-1", math.MaxUint64))
		}},
		{"cover with no shortfall", txn.NoShortfall, func(h *harness) []byte {
			h.issuedOrder(10_000, "UETR-IN")
			return h.sign(operatorA, coverMsg("OWN-1", 1_000))
		}},
		{"cover after the reversal of an order never issued", txn.NoShortfall, func(h *harness) []byte {
			h.paidOrder("UETR-1")
			h.mustBlock(h.sign(operatorA, &txn.ReversePayment{BankReference: "UETR-1", Reason: "AC04"}))
			return h.sign(operatorA, coverMsg("OWN-1", 1_000))
		}},
		{"cover once the whole shortfall is covered", txn.NoShortfall, func(h *harness) []byte {
			h.shortfall()
			h.mustBlock(h.sign(operatorA, coverMsg("OWN-1", 10_000)))
			return h.sign(operatorA, coverMsg("OWN-2", 1))
		}},
		{"cover above the shortfall", txn.CoverExceedsShortfall, func(h *harness) []byte {
			h.shortfall()
			return h.sign(operatorA, coverMsg("OWN-1", 10_001))
		}},
		{"cover above what is left of the shortfall", txn.CoverExceedsShortfall, func(h *harness) []byte {
			h.shortfall()
			h.mustBlock(h.sign(operatorA, coverMsg("OWN-1", 6_000)))
			return h.sign(operatorA, coverMsg("OWN-2", 4_001))
		}},
		{"cover by a credit that confirmed an order", txn.BankReferenceUsed, func(h *harness) []byte {
			h.shortfall()
			h.paidOrder("UETR-2")
			return h.sign(operatorA, coverMsg("uetr-2", 1_000))
		}},
		{"cover by the credit the bank reversed", txn.BankReferenceUsed, func(h *harness) []byte {
			h.shortfall()
			return h.sign(operatorA, coverMsg("UETR-IN", 10_000))
		}},
		{"cover by a credit refunded as unmatched", txn.BankReferenceUsed, func(h *harness) []byte {
			h.shortfall()
			h.mustBlock(h.sign(operatorA, refundMsg("STRAY-1", 1_000, "REFUND-1")))
			return h.sign(operatorA, coverMsg("stray-1", 1_000))
		}},
		{"cover by a credit that covered before", txn.BankReferenceUsed, func(h *harness) []byte {
			h.shortfall()
			h.mustBlock(h.sign(operatorA, coverMsg("OWN-1", 1_000)))
			return h.sign(operatorA, coverMsg("own-1", 1_000))
		}},
		{"confirmation by a credit that covered a shortfall", txn.BankReferenceUsed, func(h *harness) []byte {
			h.shortfall()
			h.mustBlock(h.sign(operatorA, coverMsg("OWN-1", 1_000)))
			tx, id := h.buy(alice, "acme", 1_000)
			h.mustBlock(tx)
			return h.sign(operatorA, confirmMsg(id, alice, 1_000, "own-1"))
		}},
		{"receipt of a credit that covered a shortfall", txn.BankReferenceUsed, func(h *harness) []byte {
			h.shortfall()
			h.mustBlock(h.sign(operatorA, coverMsg("OWN-1", 1_000)))
			tx, id := h.buy(bob, "acme", 1_000)
			h.mustBlock(tx)
			return h.submitReceipt(bob, operatorA, receiptMsg(id, bob, 1_000, "OWN-1"))
		}},
		{"refund of a credit that covered a shortfall", txn.BankReferenceUsed, func(h *harness) []byte {
			h.shortfall()
			h.mustBlock(h.sign(operatorA, coverMsg("OWN-1", 1_000)))
			return h.sign(operatorA, refundMsg("Own-1", 1_000, "REFUND-1"))
		}},
		{"reversal of a credit that covered a shortfall", txn.UnknownBankReference, func(h *harness) []byte {
			h.shortfall()
			h.mustBlock(h.sign(operatorA, coverMsg("OWN-1", 1_000)))
			return h.sign(operatorA, &txn.ReversePayment{BankReference: "OWN-1", Reason: "AC04"})
		}},
	}
}

// The operator backs its shortfall with its own money, in two covers: its shortfall
// falls and its covered chips rise by the chips each amount buys, the covers are
// recorded and listed, and the invariants hold after every block (the harness checks
// them at every commit). Nothing else moves: no chip is minted or burned.
func TestCoverShortfall(t *testing.T) {
	h := newHarness(t)
	h.setupOperator()
	h.shortfall()
	before, supply := h.operator("acme"), h.supply()
	if before.ShortfallChips != 100_000_000 || before.CoveredChips != 0 {
		t.Fatalf("after the reversal: %+v", before)
	}
	res := h.ok(h.sign(operatorA, coverMsg("own-1", 3_000)))
	for _, a := range [][2]string{{"operator", "acme"}, {"bank_reference", "own-1"}, {"amount_minor", "3000"}, {"currency", "EUR"}, {"chips", "30000000"}} {
		if !hasEvent(res.Events, "cover", a[0], a[1]) {
			t.Errorf("no cover event with %s = %s: %v", a[0], a[1], res.Events)
		}
	}
	if !hasEvent(res.Events, "msg", "type", "cover_shortfall") {
		t.Errorf("no msg event of type cover_shortfall: %v", res.Events)
	}
	coveredAt := h.height
	if op := h.operator("acme"); op.ShortfallChips != 70_000_000 || op.CoveredChips != 30_000_000 ||
		op.IssuedChips != before.IssuedChips || op.BurnedChips != before.BurnedChips {
		t.Fatalf("after the first cover: %+v", op)
	}
	c, code := h.cover("acme", "OWN-1")
	want := txn.Cover{Operator: "acme", BankReference: "own-1", AmountMinor: 3_000, Currency: "EUR", Chips: 30_000_000, Height: coveredAt}
	if code != query.OK || c != want {
		t.Fatalf("/cover: code %d, %+v; want %+v", code, c, want)
	}

	// The rest: 70.00 EUR.
	h.mustBlock(h.sign(operatorA, coverMsg("OWN-2", 7_000)))
	if op := h.operator("acme"); op.ShortfallChips != 0 || op.CoveredChips != 100_000_000 {
		t.Fatalf("after the second cover: %+v", op)
	}
	if s := h.supply(); s != supply {
		t.Fatalf("a cover changed the supply: %+v, before %+v", s, supply)
	}
	var refs query.Page[query.Reference]
	if code := h.query(query.PathReferences+string(query.RefCover)+"/acme", "", &refs); code != query.OK ||
		len(refs.Items) != 2 || refs.Items[0] != (query.Reference{Reference: "OWN-1", Target: "3000"}) ||
		refs.Items[1] != (query.Reference{Reference: "OWN-2", Target: "7000"}) {
		t.Fatalf("cover references: code %d, %+v", code, refs)
	}
	var credits query.Page[query.Reference]
	if h.query(query.PathReferences+string(query.RefCredit)+"/acme", "", &credits); len(credits.Items) != 1 || credits.Items[0].Reference != "UETR-IN" {
		t.Fatalf("a cover is listed among the credits that confirmed orders: %+v", credits)
	}

	// At the height before the first cover there was none; after it, the record.
	if res := h.queryAt(query.PathCover, "acme/OWN-1", coveredAt-1, nil); res.Code != query.NotFound {
		t.Errorf("/cover before it was recorded: code %d", res.Code)
	}
	var then txn.Cover
	if res := h.queryAt(query.PathCover, "acme/OWN-1", coveredAt, &then); res.Code != query.OK || then != want {
		t.Errorf("/cover at height %d: code %d, %+v", coveredAt, res.Code, then)
	}
	for data, wantCode := range map[string]uint32{"acme/OWN-3": query.NotFound, "bobco/OWN-1": query.NotFound, "acme": query.BadRequest} {
		if code := h.query(query.PathCover, data, nil); code != wantCode {
			t.Errorf("/cover %q: code %d, want %d", data, code, wantCode)
		}
	}
}

// A cover brings money in to back chips already out, not to mint any: a revoked
// operator still covers, a paused confirmation or issue does not stop it, and a frozen
// operator's address neither. The decision record 0039 says why.
func TestCoverByARevokedPausedAndFrozenOperator(t *testing.T) {
	h := newHarness(t)
	h.setupOperator()
	h.shortfall()
	h.mustBlock(
		h.sign(issuerA, &txn.Pause{Operation: txn.OperationConfirm, Reason: "incident"}),
		h.sign(issuerA, &txn.Pause{Operation: txn.OperationIssue, Reason: "incident"}),
		h.sign(issuerA, &txn.Freeze{Address: operatorA.addr, Reason: "court order"}),
	)
	h.mustBlock(h.sign(issuerA, &txn.RevokeOperator{ID: "acme", Reason: "licence withdrawn"}))
	h.mustBlock(h.sign(operatorA, coverMsg("OWN-1", 2_500)))
	if op := h.operator("acme"); op.RevokedHeight == 0 || op.ShortfallChips != 75_000_000 || op.CoveredChips != 25_000_000 {
		t.Fatalf("after a revoked, paused and frozen operator's cover: %+v", op)
	}
}

// A cover is the operator's: once its key is handed over, the old key covers no more and
// the new one does.
func TestCoverAfterTheOperatorKeyRotated(t *testing.T) {
	h := newHarness(t)
	h.setupOperator()
	h.shortfall()
	h.mustBlock(h.sign(operatorA, txn.NewHandOver(txn.RoleOperator, acmeNew.pub)))
	h.mustBlock(h.sign(acmeNew, &txn.TakeOver{From: operatorA.addr}))
	h.refused(h.sign(operatorA, coverMsg("OWN-1", 1_000)), txn.NotOperator)
	h.mustBlock(h.sign(acmeNew, coverMsg("OWN-1", 1_000)))
	if c, code := h.cover("acme", "OWN-1"); code != query.OK || c.Operator != "acme" || c.Chips != 10_000_000 {
		t.Fatalf("the new key's cover: code %d, %+v", code, c)
	}
	if op := h.operator("acme"); op.ShortfallChips != 90_000_000 || op.CoveredChips != 10_000_000 {
		t.Fatalf("after the new key's cover: %+v", op)
	}
}

// An amount that buys no chip at the operator's rate is refused by the ledger, as a buy
// request of one is: invalid_field, which the proposal checks leave to the block (the
// rejection table holds the stateless ones alone).
func TestCoverOfAnAmountThatBuysNoChip(t *testing.T) {
	h := newHarness(t)
	h.setupOperator()
	// 3 base units for 10 minor units: 1 minor unit buys 0.3 of one.
	m := registerMsg(operatorB, "bobco")
	m.Rate = txn.Rate{Chips: 3, Minor: 10}
	h.mustBlock(h.sign(issuerA, m))
	h.refused(h.sign(operatorB, coverMsg("OWN-1", 1)), txn.InvalidField)
}
