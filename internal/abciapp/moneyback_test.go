package abciapp

import (
	"bytes"
	"testing"

	"github.com/chipmint/chipmint/internal/query"
	"github.com/chipmint/chipmint/internal/txn"
)

// Helpers of the money going back: redemptions, refunds and the order's life cycle.

// aliceAccount is where alice's redemptions are paid, as the chain holds it: a salted
// commitment.
var aliceAccount = txn.AccountOpening{
	Salt: bytes.Repeat([]byte{9}, txn.SaltBytes), Account: txn.Account{IBAN: "GB82WEST12345698765432", Holder: "Alice", Currency: "EUR"},
}.Commitment()

// issuedOrder has alice buy and be issued amountMinor's worth of chips from acme.
func (h *harness) issuedOrder(amountMinor uint64, bankRef string) string {
	h.t.Helper()
	tx, id := h.buy(alice, "acme", amountMinor)
	h.mustBlock(tx)
	h.mustBlock(h.sign(operatorA, confirmMsg(id, alice, amountMinor, bankRef)))
	h.mustBlock(h.sign(issuerA, &txn.Issue{OrderID: id, Chips: amountMinor * 10_000}))
	return id
}

// redeem signs alice's redemption of chips through operator and returns it with the
// redemption's id.
func (h *harness) redeem(holder actor, operator string, chips uint64) ([]byte, string) {
	tx := h.sign(holder, &txn.Redeem{Operator: operator, AmountChips: chips, Currency: "EUR", Payee: aliceAccount})
	return tx, txn.RedemptionID(holder.addr, h.nonce)
}

// requested has alice, issued 100.00 EUR of chips, redeem 30 of them through acme.
func (h *harness) requested() string {
	h.t.Helper()
	h.issuedOrder(10_000, "UETR-IN")
	tx, id := h.redeem(alice, "acme", 30_000_000)
	h.mustBlock(tx)
	return id
}

// initiated is requested with its payout initiated.
func (h *harness) initiated() string {
	h.t.Helper()
	id := h.requested()
	h.mustBlock(h.sign(operatorA, &txn.PayoutInitiated{RedemptionID: id, PayoutReference: "PAIN-1"}))
	return id
}

// paidOut is initiated with its payout booked.
func (h *harness) paidOut() string {
	h.t.Helper()
	id := h.initiated()
	h.mustBlock(h.sign(operatorA, &txn.ConfirmPayout{RedemptionID: id, BankReference: "DEBIT-1"}))
	return id
}

func (h *harness) redemption(id string) txn.Redemption {
	h.t.Helper()
	var r txn.Redemption
	if code := h.query(query.PathRedemption, id, &r); code != query.OK {
		h.t.Fatalf("redemption %s: query code %d", id, code)
	}
	return r
}

func (h *harness) supply() txn.Supply {
	h.t.Helper()
	var s txn.Supply
	h.query(query.PathSupply, "", &s)
	return s
}

func (h *harness) operator(id string) txn.Operator {
	h.t.Helper()
	var op txn.Operator
	if code := h.query(query.PathOperator, id, &op); code != query.OK {
		h.t.Fatalf("operator %s: query code %d", id, code)
	}
	return op
}

// overpaid is an order of alice's for 7.00 EUR confirmed with 7,000.00 EUR received.
func (h *harness) overpaid(bankRef string) string {
	h.t.Helper()
	tx, id := h.buy(alice, "acme", 700)
	h.mustBlock(tx)
	h.mustBlock(h.sign(operatorA, confirmMsg(id, alice, 700_000, bankRef)))
	return id
}

// underpaid is an order of alice's for 100.00 EUR confirmed with 40.00 EUR received.
func (h *harness) underpaid(bankRef string) string {
	h.t.Helper()
	tx, id := h.buy(alice, "acme", 10_000)
	h.mustBlock(tx)
	h.mustBlock(h.sign(operatorA, confirmMsg(id, alice, 4_000, bankRef)))
	return id
}

func refundMsg(bankRef string, amountMinor uint64, refundRef string) *txn.RecordRefund {
	return &txn.RecordRefund{BankReference: bankRef, AmountMinor: amountMinor, Currency: "EUR", RefundReference: refundRef}
}

// moneyBackRejections are the refusals of the transactions that take money back out of
// the chain and complete an order's life: each new result code, and the roles, replays
// and repeats of each new type.
func moneyBackRejections() []rejectionCase {
	return []rejectionCase{
		{"redeem through an unknown operator", txn.UnknownOperator, func(h *harness) []byte {
			h.issuedOrder(10_000, "UETR-IN")
			tx, _ := h.redeem(alice, "nobody", 1_000_000)
			return tx
		}},
		{"redeem above the balance", txn.InsufficientFunds, func(h *harness) []byte {
			h.issuedOrder(10_000, "UETR-IN")
			tx, _ := h.redeem(alice, "acme", 100_000_001)
			return tx
		}},
		{"redeem with no chips", txn.InsufficientFunds, func(h *harness) []byte {
			tx, _ := h.redeem(bob, "acme", 1_000_000)
			return tx
		}},
		{"redeem above the operator's outstanding chips", txn.OutstandingExceeded, func(h *harness) []byte {
			h.issuedOrder(10_000, "UETR-IN")
			h.mustBlock(h.sign(issuerA, registerMsg(operatorB, "bobco")))
			tx, _ := h.redeem(alice, "bobco", 1_000_000)
			return tx
		}},
		{"redeem what is already in escrow", txn.OutstandingExceeded, func(h *harness) []byte {
			// Bob holds chips issued through bobco; acme's outstanding chips are
			// alice's, 60 of them in escrow.
			h.issuedOrder(10_000, "UETR-IN")
			h.mustBlock(h.sign(issuerA, registerMsg(operatorB, "bobco")))
			tx, id := h.buy(bob, "bobco", 10_000)
			h.mustBlock(tx)
			h.mustBlock(h.sign(operatorB, confirmMsg(id, bob, 10_000, "UETR-B")))
			h.mustBlock(h.sign(issuerA, &txn.Issue{OrderID: id, Chips: 100_000_000}))
			tx, _ = h.redeem(alice, "acme", 60_000_000)
			h.mustBlock(tx)
			tx, _ = h.redeem(bob, "acme", 40_000_001)
			return tx
		}},
		{"redeem into an account of another currency", txn.CurrencyMismatch, func(h *harness) []byte {
			h.issuedOrder(10_000, "UETR-IN")
			return h.sign(alice, &txn.Redeem{Operator: "acme", AmountChips: 1_000_000, Currency: "USD", Payee: aliceAccount})
		}},
		{"redeem less than a cent's worth", txn.AmountTooSmall, func(h *harness) []byte {
			h.issuedOrder(10_000, "UETR-IN")
			tx, _ := h.redeem(alice, "acme", 9_999)
			return tx
		}},
		{"redemption id reused after its nonce expired", txn.RedemptionExists, func(h *harness) []byte {
			h.issuedOrder(10_000, "UETR-IN")
			msg := &txn.Redeem{Operator: "acme", AmountChips: 1_000_000, Currency: "EUR", Payee: aliceAccount}
			h.mustBlock(mustSign(testChainID, msg, alice.priv, 4243, uint64(h.height+1)))
			h.mustBlock()
			h.mustBlock()
			return mustSign(testChainID, msg, alice.priv, 4243, uint64(h.height+5))
		}},
		{"redeem replayed", txn.Replayed, func(h *harness) []byte {
			h.issuedOrder(10_000, "UETR-IN")
			tx, _ := h.redeem(alice, "acme", 1_000_000)
			h.mustBlock(tx)
			return tx
		}},
		{"payout of an unknown redemption", txn.UnknownRedemption, func(h *harness) []byte {
			return h.sign(operatorA, &txn.PayoutInitiated{RedemptionID: "00000000000000000000", PayoutReference: "PAIN-1"})
		}},
		{"payout initiated by a stranger", txn.NotOperator, func(h *harness) []byte {
			id := h.requested()
			return h.sign(stranger, &txn.PayoutInitiated{RedemptionID: id, PayoutReference: "PAIN-1"})
		}},
		{"payout initiated by the issuer", txn.WrongRole, func(h *harness) []byte {
			id := h.requested()
			return h.sign(issuerA, &txn.PayoutInitiated{RedemptionID: id, PayoutReference: "PAIN-1"})
		}},
		{"payout initiated by another operator", txn.WrongOperator, func(h *harness) []byte {
			id := h.requested()
			h.mustBlock(h.sign(issuerA, registerMsg(operatorB, "bobco")))
			return h.sign(operatorB, &txn.PayoutInitiated{RedemptionID: id, PayoutReference: "PAIN-1"})
		}},
		{"payout initiated twice", txn.RedemptionNotRequested, func(h *harness) []byte {
			id := h.initiated()
			return h.sign(operatorA, &txn.PayoutInitiated{RedemptionID: id, PayoutReference: "PAIN-2"})
		}},
		{"payout initiated after a rejection", txn.RedemptionNotRequested, func(h *harness) []byte {
			id := h.requested()
			h.mustBlock(h.sign(operatorA, &txn.RejectRedemption{RedemptionID: id, Reason: "name mismatch"}))
			return h.sign(operatorA, &txn.PayoutInitiated{RedemptionID: id, PayoutReference: "PAIN-1"})
		}},
		{"payout initiated after the deadline", txn.RedemptionNotRequested, func(h *harness) []byte {
			id := h.requested()
			for range testRedemptionTTLBlocks + 1 {
				h.mustBlock()
			}
			return h.sign(operatorA, &txn.PayoutInitiated{RedemptionID: id, PayoutReference: "PAIN-1"})
		}},
		{"payout confirmed twice", txn.AlreadyPaidOut, func(h *harness) []byte {
			id := h.paidOut()
			return h.sign(operatorA, &txn.ConfirmPayout{RedemptionID: id, BankReference: "DEBIT-1"})
		}},
		{"payout confirmed again by another booking", txn.AlreadyPaidOut, func(h *harness) []byte {
			id := h.paidOut()
			return h.sign(operatorA, &txn.ConfirmPayout{RedemptionID: id, BankReference: "DEBIT-2"})
		}},
		{"payout confirmed by a booking that paid another redemption", txn.BankReferenceUsed, func(h *harness) []byte {
			h.paidOut()
			tx, id := h.redeem(alice, "acme", 10_000_000)
			h.mustBlock(tx)
			return h.sign(operatorA, &txn.ConfirmPayout{RedemptionID: id, BankReference: "debit-1"})
		}},
		{"payout confirmed after a rejection", txn.PayoutNotInitiated, func(h *harness) []byte {
			id := h.requested()
			h.mustBlock(h.sign(operatorA, &txn.RejectRedemption{RedemptionID: id, Reason: "name mismatch"}))
			return h.sign(operatorA, &txn.ConfirmPayout{RedemptionID: id, BankReference: "DEBIT-1"})
		}},
		{"payout confirmed by a stranger", txn.NotOperator, func(h *harness) []byte {
			id := h.initiated()
			return h.sign(stranger, &txn.ConfirmPayout{RedemptionID: id, BankReference: "DEBIT-1"})
		}},
		{"payout confirmation replayed", txn.Replayed, func(h *harness) []byte {
			id := h.initiated()
			tx := h.sign(operatorA, &txn.ConfirmPayout{RedemptionID: id, BankReference: "DEBIT-1"})
			h.mustBlock(tx)
			return tx
		}},
		{"payout confirmed again after it came back", txn.PayoutNotInitiated, func(h *harness) []byte {
			id := h.paidOut()
			h.mustBlock(h.sign(operatorA, &txn.ReturnPayout{RedemptionID: id, BankReference: "RET-1", Reason: "AC04"}))
			return h.sign(operatorA, &txn.ConfirmPayout{RedemptionID: id, BankReference: "DEBIT-1"})
		}},
		{"redeem chips whose worth buys back no chip", txn.AmountTooSmall, func(h *harness) []byte {
			// 3 base units for 10 minor units: 1 base unit is worth 3 minor units,
			// which buy back 0.9 base units.
			m := registerMsg(operatorB, "bobco")
			m.Rate = txn.Rate{Chips: 3, Minor: 10}
			h.mustBlock(h.sign(issuerA, m))
			tx, id := h.buy(alice, "bobco", 10)
			h.mustBlock(tx)
			h.mustBlock(h.sign(operatorB, confirmMsg(id, alice, 10, "UETR-B")))
			h.mustBlock(h.sign(issuerA, &txn.Issue{OrderID: id, Chips: 3}))
			tx, _ = h.redeem(alice, "bobco", 1)
			return tx
		}},
		{"rejection after the payout was initiated", txn.RedemptionNotRequested, func(h *harness) []byte {
			id := h.initiated()
			return h.sign(operatorA, &txn.RejectRedemption{RedemptionID: id, Reason: "too late"})
		}},
		{"rejection by the issuer", txn.WrongRole, func(h *harness) []byte {
			id := h.requested()
			return h.sign(issuerA, &txn.RejectRedemption{RedemptionID: id, Reason: "no"})
		}},
		{"return of a payout never initiated", txn.PayoutNotInitiated, func(h *harness) []byte {
			id := h.requested()
			return h.sign(operatorA, &txn.ReturnPayout{RedemptionID: id, BankReference: "RET-1", Reason: "AC04"})
		}},
		{"return recorded twice", txn.PayoutNotInitiated, func(h *harness) []byte {
			id := h.paidOut()
			h.mustBlock(h.sign(operatorA, &txn.ReturnPayout{RedemptionID: id, BankReference: "RET-1", Reason: "AC04"}))
			return h.sign(operatorA, &txn.ReturnPayout{RedemptionID: id, BankReference: "RET-1", Reason: "AC04"})
		}},
		{"restore of a redemption paid out", txn.RedemptionNotReturned, func(h *harness) []byte {
			id := h.paidOut()
			return h.sign(issuerA, &txn.RestoreRedemption{RedemptionID: id})
		}},
		{"restore by the operator", txn.WrongRole, func(h *harness) []byte {
			id := h.paidOut()
			h.mustBlock(h.sign(operatorA, &txn.ReturnPayout{RedemptionID: id, BankReference: "RET-1", Reason: "AC04"}))
			return h.sign(operatorA, &txn.RestoreRedemption{RedemptionID: id})
		}},
		{"restore of an unknown redemption", txn.UnknownRedemption, func(h *harness) []byte {
			return h.sign(issuerA, &txn.RestoreRedemption{RedemptionID: "00000000000000000000"})
		}},
		{"restore twice", txn.RedemptionNotReturned, func(h *harness) []byte {
			id := h.paidOut()
			h.mustBlock(h.sign(operatorA, &txn.ReturnPayout{RedemptionID: id, BankReference: "RET-1", Reason: "AC04"}))
			h.mustBlock(h.sign(issuerA, &txn.RestoreRedemption{RedemptionID: id}))
			return h.sign(issuerA, &txn.RestoreRedemption{RedemptionID: id})
		}},
		{"refund of a credit whose order owes nothing", txn.NothingOwed, func(h *harness) []byte {
			h.paidOrder("UETR-1")
			return h.sign(operatorA, refundMsg("UETR-1", 10_000, "REFUND-1"))
		}},
		{"refund of an underpaid order the buyer may still accept", txn.NothingOwed, func(h *harness) []byte {
			h.underpaid("UETR-1")
			return h.sign(operatorA, refundMsg("UETR-1", 4_000, "REFUND-1"))
		}},
		{"refund of another amount than the surplus", txn.RefundMismatch, func(h *harness) []byte {
			h.overpaid("UETR-1")
			return h.sign(operatorA, refundMsg("UETR-1", 700_000, "REFUND-1"))
		}},
		{"refund of the surplus in another currency", txn.CurrencyMismatch, func(h *harness) []byte {
			h.overpaid("UETR-1")
			m := refundMsg("UETR-1", 699_300, "REFUND-1")
			m.Currency = "USD"
			return h.sign(operatorA, m)
		}},
		{"surplus refunded twice", txn.AlreadyRefunded, func(h *harness) []byte {
			h.overpaid("UETR-1")
			h.mustBlock(h.sign(operatorA, refundMsg("UETR-1", 699_300, "REFUND-1")))
			return h.sign(operatorA, refundMsg("UETR-1", 699_300, "REFUND-2"))
		}},
		{"unmatched credit refunded twice", txn.AlreadyRefunded, func(h *harness) []byte {
			h.mustBlock(h.sign(operatorA, refundMsg("UETR-X", 5_000, "REFUND-1")))
			return h.sign(operatorA, refundMsg("uetr-x", 5_000, "REFUND-2"))
		}},
		{"refund reference used twice", txn.RefundReferenceUsed, func(h *harness) []byte {
			h.mustBlock(h.sign(operatorA, refundMsg("UETR-X", 5_000, "REFUND-1")))
			return h.sign(operatorA, refundMsg("UETR-Y", 5_000, "REFUND-1"))
		}},
		{"refund recorded by a stranger", txn.NotOperator, func(h *harness) []byte {
			return h.sign(stranger, refundMsg("UETR-X", 5_000, "REFUND-1"))
		}},
		{"confirmation by a credit refunded as unmatched", txn.BankReferenceUsed, func(h *harness) []byte {
			h.mustBlock(h.sign(operatorA, refundMsg("UETR-X", 10_000, "REFUND-1")))
			tx, id := h.buy(alice, "acme", 10_000)
			h.mustBlock(tx)
			return h.sign(operatorA, confirmMsg(id, alice, 10_000, "UETR-X"))
		}},
		{"partial accepted by another than the buyer", txn.BuyerMismatch, func(h *harness) []byte {
			id := h.underpaid("UETR-1")
			return h.sign(bob, &txn.AcceptPartial{OrderID: id})
		}},
		{"partial accepted on a paid order", txn.OrderNotUnderpaid, func(h *harness) []byte {
			id := h.paidOrder("UETR-1")
			return h.sign(alice, &txn.AcceptPartial{OrderID: id})
		}},
		{"partial accepted after the order expired", txn.OrderNotUnderpaid, func(h *harness) []byte {
			id := h.underpaid("UETR-1")
			for range testOrderTTLBlocks {
				h.mustBlock()
			}
			return h.sign(alice, &txn.AcceptPartial{OrderID: id})
		}},
		{"partial accepted of an unknown order", txn.UnknownOrder, func(h *harness) []byte {
			return h.sign(alice, &txn.AcceptPartial{OrderID: "00000000000000000000"})
		}},
		{"issue of an underpaid order", txn.OrderNotPaid, func(h *harness) []byte {
			id := h.underpaid("UETR-1")
			return h.sign(issuerA, &txn.Issue{OrderID: id, Chips: 100_000_000})
		}},
		{"cancel by another than the buyer", txn.BuyerMismatch, func(h *harness) []byte {
			tx, id := h.buy(alice, "acme", 10_000)
			h.mustBlock(tx)
			return h.sign(bob, &txn.CancelOrder{OrderID: id})
		}},
		{"cancel of a paid order", txn.OrderNotAwaitingPayment, func(h *harness) []byte {
			id := h.paidOrder("UETR-1")
			return h.sign(alice, &txn.CancelOrder{OrderID: id})
		}},
		{"cancel twice", txn.OrderNotAwaitingPayment, func(h *harness) []byte {
			tx, id := h.buy(alice, "acme", 10_000)
			h.mustBlock(tx)
			h.mustBlock(h.sign(alice, &txn.CancelOrder{OrderID: id}))
			return h.sign(alice, &txn.CancelOrder{OrderID: id})
		}},
		{"confirmation of a cancelled order", txn.OrderNotAwaitingPayment, func(h *harness) []byte {
			tx, id := h.buy(alice, "acme", 10_000)
			h.mustBlock(tx)
			h.mustBlock(h.sign(alice, &txn.CancelOrder{OrderID: id}))
			return h.sign(operatorA, confirmMsg(id, alice, 10_000, "UETR-1"))
		}},
		{"rejection twice", txn.RedemptionNotRequested, func(h *harness) []byte {
			id := h.requested()
			h.mustBlock(h.sign(operatorA, &txn.RejectRedemption{RedemptionID: id, Reason: "name mismatch"}))
			return h.sign(operatorA, &txn.RejectRedemption{RedemptionID: id, Reason: "name mismatch"})
		}},
		{"return recorded by a stranger", txn.NotOperator, func(h *harness) []byte {
			id := h.paidOut()
			return h.sign(stranger, &txn.ReturnPayout{RedemptionID: id, BankReference: "RET-1", Reason: "AC04"})
		}},
		{"refund recorded by the issuer", txn.WrongRole, func(h *harness) []byte {
			return h.sign(issuerA, refundMsg("UETR-X", 5_000, "REFUND-1"))
		}},
		{"partial accepted twice", txn.OrderNotUnderpaid, func(h *harness) []byte {
			id := h.underpaid("UETR-1")
			h.mustBlock(h.sign(alice, &txn.AcceptPartial{OrderID: id}))
			return h.sign(alice, &txn.AcceptPartial{OrderID: id})
		}},
		{"release twice", txn.OrderNotHeld, func(h *harness) []byte {
			id := h.paidOrder("UETR-1")
			h.mustBlock(h.sign(issuerA, &txn.HoldOrder{OrderID: id, Reason: "screening"}))
			h.mustBlock(h.sign(issuerA, &txn.ReleaseOrder{OrderID: id}))
			return h.sign(issuerA, &txn.ReleaseOrder{OrderID: id})
		}},
		{"payout initiation replayed", txn.Replayed, func(h *harness) []byte {
			id := h.requested()
			tx := h.sign(operatorA, &txn.PayoutInitiated{RedemptionID: id, PayoutReference: "PAIN-1"})
			h.mustBlock(tx)
			return tx
		}},
		{"refund record replayed", txn.Replayed, func(h *harness) []byte {
			tx := h.sign(operatorA, refundMsg("UETR-X", 5_000, "REFUND-1"))
			h.mustBlock(tx)
			return tx
		}},
		{"cancel replayed", txn.Replayed, func(h *harness) []byte {
			tx, id := h.buy(alice, "acme", 10_000)
			h.mustBlock(tx)
			tx = h.sign(alice, &txn.CancelOrder{OrderID: id})
			h.mustBlock(tx)
			return tx
		}},
		{"hold replayed", txn.Replayed, func(h *harness) []byte {
			id := h.paidOrder("UETR-1")
			tx := h.sign(issuerA, &txn.HoldOrder{OrderID: id, Reason: "screening"})
			h.mustBlock(tx)
			return tx
		}},
		{"hold by an operator", txn.WrongRole, func(h *harness) []byte {
			id := h.paidOrder("UETR-1")
			return h.sign(operatorA, &txn.HoldOrder{OrderID: id, Reason: "screening"})
		}},
		{"hold of an order awaiting payment", txn.OrderNotPaid, func(h *harness) []byte {
			tx, id := h.buy(alice, "acme", 10_000)
			h.mustBlock(tx)
			return h.sign(issuerA, &txn.HoldOrder{OrderID: id, Reason: "screening"})
		}},
		{"hold twice", txn.OrderHeld, func(h *harness) []byte {
			id := h.paidOrder("UETR-1")
			h.mustBlock(h.sign(issuerA, &txn.HoldOrder{OrderID: id, Reason: "screening"}))
			return h.sign(issuerA, &txn.HoldOrder{OrderID: id, Reason: "screening"})
		}},
		{"issue of a held order", txn.OrderHeld, func(h *harness) []byte {
			id := h.paidOrder("UETR-1")
			h.mustBlock(h.sign(issuerA, &txn.HoldOrder{OrderID: id, Reason: "screening"}))
			return h.sign(issuerA, &txn.Issue{OrderID: id, Chips: 100_000_000})
		}},
		{"release of an order not held", txn.OrderNotHeld, func(h *harness) []byte {
			id := h.paidOrder("UETR-1")
			return h.sign(issuerA, &txn.ReleaseOrder{OrderID: id})
		}},
		{"release by a stranger", txn.NotIssuer, func(h *harness) []byte {
			id := h.paidOrder("UETR-1")
			h.mustBlock(h.sign(issuerA, &txn.HoldOrder{OrderID: id, Reason: "screening"}))
			return h.sign(stranger, &txn.ReleaseOrder{OrderID: id})
		}},
	}
}

// The money back, block by block, with the invariants checked after every commit (the
// harness's app runs with CheckInvariants).

func TestRedemptionPaidOut(t *testing.T) {
	h := newHarness(t)
	h.setupOperator()
	h.issuedOrder(10_000, "UETR-IN")
	// 30.123456 chips are worth 30.12 EUR: 30.12 chips go to escrow, the rest stays.
	tx, id := h.redeem(alice, "acme", 30_123_456)
	h.mustBlock(tx)
	r := h.redemption(id)
	if r.Status != txn.RedemptionRequested || r.Chips != 30_120_000 || r.AmountMinor != 3_012 || !bytes.Equal(r.Payee, aliceAccount) {
		t.Fatalf("redemption = %+v", r)
	}
	if got := h.balance(alice); got != 100_000_000-30_120_000 {
		t.Fatalf("alice holds %d chips", got)
	}
	if s := h.supply(); s.TotalChips != 100_000_000 || s.EscrowChips != 30_120_000 || s.BurnedChips != 0 {
		t.Fatalf("supply after redeem = %+v: it falls only when the payout is booked", s)
	}
	var open query.Page[txn.Redemption]
	if h.query(query.PathOpenRedemptions+"acme", "", &open); len(open.Items) != 1 || open.Items[0].ID != id {
		t.Fatalf("open redemptions of acme = %+v", open)
	}
	h.mustBlock(h.sign(operatorA, &txn.PayoutInitiated{RedemptionID: id, PayoutReference: "PAIN-1"}))
	// The deadline passes: a redemption being paid out keeps its escrow.
	for range testRedemptionTTLBlocks + 1 {
		h.mustBlock()
	}
	if r := h.redemption(id); r.Status != txn.RedemptionPayoutInitiated {
		t.Fatalf("after the deadline, a payout initiated is %s", r.Status)
	}
	h.mustBlock(h.sign(operatorA, &txn.ConfirmPayout{RedemptionID: id, BankReference: "DEBIT-1"}))
	if r := h.redemption(id); r.Status != txn.RedemptionPaidOut || r.BankReference != "DEBIT-1" {
		t.Fatalf("redemption = %+v", r)
	}
	if s := h.supply(); s.TotalChips != 100_000_000-30_120_000 || s.EscrowChips != 0 || s.BurnedChips != 30_120_000 {
		t.Fatalf("supply after the payout = %+v", s)
	}
	if op := h.operator("acme"); op.OutstandingChips() != 100_000_000-30_120_000 || op.EscrowChips != 0 {
		t.Fatalf("operator after the payout = %+v", op)
	}
	if h.query(query.PathOpenRedemptions+"acme", "", &open); len(open.Items) != 0 {
		t.Fatalf("a paid-out redemption is still open: %+v", open)
	}
}

func TestRedemptionGivenBack(t *testing.T) {
	for _, tc := range []struct {
		name   string
		close  func(h *harness, id string)
		status txn.RedemptionStatus
	}{
		{"rejected", func(h *harness, id string) {
			h.mustBlock(h.sign(operatorA, &txn.RejectRedemption{RedemptionID: id, Reason: "name mismatch"}))
		}, txn.RedemptionRejected},
		{"deadline", func(h *harness, _ string) {
			for range testRedemptionTTLBlocks + 1 {
				h.mustBlock()
			}
		}, txn.RedemptionExpired},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.setupOperator()
			id := h.requested()
			tc.close(h, id)
			if r := h.redemption(id); r.Status != tc.status || r.Reason == "" {
				t.Fatalf("redemption = %+v, want %s with a reason", r, tc.status)
			}
			if got := h.balance(alice); got != 100_000_000 {
				t.Fatalf("alice holds %d chips, want all 100 back", got)
			}
			if s := h.supply(); s.TotalChips != 100_000_000 || s.EscrowChips != 0 {
				t.Fatalf("supply = %+v", s)
			}
		})
	}
}

func TestReturnedPayoutRestoredByAnIssuer(t *testing.T) {
	for _, tc := range []struct {
		name   string
		before func(h *harness) string
	}{
		{"returned before it was booked", (*harness).initiated},
		{"returned after it was booked", (*harness).paidOut},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.setupOperator()
			id := tc.before(h)
			h.mustBlock(h.sign(operatorA, &txn.ReturnPayout{RedemptionID: id, BankReference: "RET-1", Reason: "AC04 account closed"}))
			if got := h.balance(alice); got != 70_000_000 {
				t.Fatalf("alice holds %d chips before an issuer restores: the chips go back only with an issuer's approval", got)
			}
			h.mustBlock(h.sign(issuerA, &txn.RestoreRedemption{RedemptionID: id}))
			if got := h.balance(alice); got != 100_000_000 {
				t.Fatalf("alice holds %d chips after the restore", got)
			}
			r := h.redemption(id)
			if r.Status != txn.RedemptionRestored || r.ReturnReference != "RET-1" {
				t.Fatalf("redemption = %+v", r)
			}
			if s := h.supply(); s.TotalChips != 100_000_000 || s.EscrowChips != 0 {
				t.Fatalf("supply = %+v", s)
			}
		})
	}
}

func TestAmountRule(t *testing.T) {
	h := newHarness(t)
	h.setupOperator()
	// 7,000.00 EUR received on an order of 7.00: 7 chips, 6,993.00 owed back.
	id := h.overpaid("UETR-OVER")
	o := h.order(id)
	if o.Status != txn.StatusPaid || o.Chips != 7_000_000 || o.OwedMinor != 699_300 {
		t.Fatalf("overpaid order = %+v", o)
	}
	var owed query.Page[txn.Order]
	if h.query(query.PathOwedOrders+"acme", "", &owed); len(owed.Items) != 1 || owed.Items[0].ID != id {
		t.Fatalf("owed orders = %+v", owed)
	}
	h.mustBlock(h.sign(issuerA, &txn.Issue{OrderID: id, Chips: 7_000_000}))
	h.mustBlock(h.sign(operatorA, refundMsg("UETR-OVER", 699_300, "REFUND-1")))
	if o := h.order(id); o.RefundReference != "REFUND-1" || o.RefundedHeight == 0 {
		t.Fatalf("refunded order = %+v", o)
	}
	if h.query(query.PathOwedOrders+"acme", "", &owed); len(owed.Items) != 0 {
		t.Fatalf("a refunded order still owes: %+v", owed)
	}

	// 40.00 EUR received on an order of 100.00: underpaid until the buyer accepts.
	id = h.underpaid("UETR-UNDER")
	if o := h.order(id); o.Status != txn.StatusUnderpaid || o.Chips != 0 {
		t.Fatalf("underpaid order = %+v", o)
	}
	h.mustBlock(h.sign(alice, &txn.AcceptPartial{OrderID: id}))
	if o := h.order(id); o.Status != txn.StatusPaid || o.Chips != 40_000_000 || o.OwedMinor != 0 {
		t.Fatalf("accepted order = %+v", o)
	}
	h.mustBlock(h.sign(issuerA, &txn.Issue{OrderID: id, Chips: 40_000_000}))

	// An underpaid order left to expire owes all it received.
	id = h.underpaid("UETR-LATE")
	for range testOrderTTLBlocks {
		h.mustBlock()
	}
	if o := h.order(id); o.Status != txn.StatusExpired || o.OwedMinor != 4_000 {
		t.Fatalf("expired underpaid order = %+v", o)
	}
	h.mustBlock(h.sign(operatorA, refundMsg("UETR-LATE", 4_000, "REFUND-2")))
	if got := h.balance(alice); got != 47_000_000 {
		t.Fatalf("alice holds %d chips, want 7 + 40", got)
	}
}

func TestUnderpaidReceiptIsAccepted(t *testing.T) {
	h := newHarness(t)
	h.setupOperator()
	tx, id := h.buy(alice, "acme", 10_000)
	h.mustBlock(tx)
	// The buyer countersigns a receipt for 40.00 EUR and 40 chips: its acceptance.
	h.mustBlock(h.submitReceipt(alice, operatorA, receiptMsg(id, alice, 4_000, "UETR-1")))
	if o := h.order(id); o.Status != txn.StatusPaid || o.Chips != 40_000_000 {
		t.Fatalf("order = %+v", o)
	}
	// A receipt for more than was ordered gives the order's chips, not the payment's.
	tx, id = h.buy(alice, "acme", 10_000)
	h.mustBlock(tx)
	r := receiptMsg(id, alice, 12_000, "UETR-2")
	if got := h.block(h.submitReceipt(alice, operatorA, r)); txn.Code(got[0].Code) != txn.QuantityMismatch {
		t.Fatalf("receipt for 120 chips on an order of 100: %s", txn.Code(got[0].Code))
	}
	r.Chips = 100_000_000
	h.mustBlock(h.submitReceipt(alice, operatorA, r))
	if o := h.order(id); o.Chips != 100_000_000 || o.OwedMinor != 2_000 {
		t.Fatalf("order = %+v", o)
	}
}

func TestCancelledOrderRemovedAfterRetention(t *testing.T) {
	h := newHarness(t)
	h.setupOperator()
	msg := &txn.BuyRequest{Operator: "acme", BuyerID: "alice", AmountMinor: 10_000, Currency: "EUR"}
	h.mustBlock(mustSign(testChainID, msg, alice.priv, 777, uint64(h.height+1)))
	id := txn.OrderID(alice.addr, 777)
	h.mustBlock(h.sign(alice, &txn.CancelOrder{OrderID: id}))
	o := h.order(id)
	if o.Status != txn.StatusCancelled || o.RemoveHeight != o.ClosedHeight+testOrderRetentionBlocks {
		t.Fatalf("cancelled order = %+v", o)
	}
	// A late payment is refused, and refunded as a credit that confirmed no order.
	if got := h.block(h.sign(operatorA, confirmMsg(id, alice, 10_000, "UETR-LATE"))); txn.Code(got[0].Code) != txn.OrderNotAwaitingPayment {
		t.Fatalf("late payment: %s", txn.Code(got[0].Code))
	}
	h.mustBlock(h.sign(operatorA, refundMsg("UETR-LATE", 10_000, "REFUND-1")))
	var refund txn.Refund
	if code := h.query(query.PathRefund, "acme/UETR-LATE", &refund); code != query.OK || refund.AmountMinor != 10_000 {
		t.Fatalf("refund: code %d, %+v", code, refund)
	}
	for h.height < o.RemoveHeight {
		h.mustBlock()
	}
	if code := h.query(query.PathOrder, id, nil); code != query.NotFound {
		t.Fatalf("order after its retention: query code %d, want not found", code)
	}
	var removed query.RemovedOrder
	if code := h.query(query.PathRemovedOrder, id, &removed); code != query.OK || removed.Height != o.RemoveHeight {
		t.Fatalf("removed order: code %d, %+v", code, removed)
	}
	// The id is never created again, even with the nonce free once more.
	res := h.block(mustSign(testChainID, msg, alice.priv, 777, uint64(h.height+5)))
	if txn.Code(res[0].Code) != txn.OrderExists {
		t.Fatalf("order id reused after removal: %s (%s)", txn.Code(res[0].Code), res[0].Log)
	}
}

func TestHoldAndRelease(t *testing.T) {
	h := newHarness(t)
	h.setupOperator()
	id := h.paidOrder("UETR-1")
	h.mustBlock(h.sign(issuerA, &txn.HoldOrder{OrderID: id, Reason: "sanctions screening"}))
	var paid query.Page[txn.Order]
	if h.query(query.PathPaidOrders, "", &paid); len(paid.Items) != 0 {
		t.Fatalf("a held order is listed for the issuer: %+v", paid)
	}
	h.mustBlock(h.sign(issuerA, &txn.ReleaseOrder{OrderID: id}))
	if h.query(query.PathPaidOrders, "", &paid); len(paid.Items) != 1 {
		t.Fatalf("a released order is not listed for the issuer: %+v", paid)
	}
	h.mustBlock(h.sign(issuerA, &txn.Issue{OrderID: id, Chips: 100_000_000}))
	if o := h.order(id); o.Status != txn.StatusIssued || o.HoldReason != "" {
		t.Fatalf("order = %+v", o)
	}
}

func TestListsOfAnUnknownOperator(t *testing.T) {
	h := newHarness(t)
	h.setupOperator()
	for _, path := range []string{query.PathOpenRedemptions + "nobody", query.PathOwedOrders + "nobody", query.PathOwedOrders} {
		if code := h.query(path, "", nil); code != query.NotFound {
			t.Errorf("%s: query code %d, want not found", path, code)
		}
	}
}

func TestReversalOfAnOverpaidOrderOwesNothing(t *testing.T) {
	h := newHarness(t)
	h.setupOperator()
	id := h.overpaid("UETR-1")
	h.mustBlock(h.sign(operatorA, &txn.ReversePayment{BankReference: "UETR-1", Reason: "AC04"}))
	if o := h.order(id); o.Status != txn.StatusReversed || o.OwedMinor != 0 {
		t.Fatalf("reversed order = %+v", o)
	}
	var owed query.Page[txn.Order]
	if h.query(query.PathOwedOrders+"acme", "", &owed); len(owed.Items) != 0 {
		t.Fatalf("a reversed credit is still owed back: %+v", owed)
	}
}

func TestBankReferencesOfAnOperator(t *testing.T) {
	h := newHarness(t)
	h.setupOperator()
	redemption := h.paidOut()
	order := h.issuedOrder(5_000, "uetr-second")
	h.mustBlock(h.sign(operatorA, refundMsg("STRAY-1", 700, "REFUND-1")))
	list := func(kind query.ReferenceKind, data string) query.Page[query.Reference] {
		t.Helper()
		var p query.Page[query.Reference]
		if code := h.query(query.PathReferences+string(kind)+"/acme", data, &p); code != query.OK {
			t.Fatalf("%s: query code %d", kind, code)
		}
		return p
	}
	credits := list(query.RefCredit, "")
	if len(credits.Items) != 2 || credits.Items[0] != (query.Reference{Reference: "UETR-IN", Target: h.order(credits.Items[0].Target).ID}) ||
		credits.Items[1] != (query.Reference{Reference: "UETR-SECOND", Target: order}) || credits.Next != "" {
		t.Errorf("credits %+v", credits)
	}
	first := list(query.RefCredit, `{"limit": 1}`)
	if len(first.Items) != 1 || first.Next != "UETR-IN" {
		t.Errorf("first page %+v", first)
	}
	if rest := list(query.RefCredit, `{"after": "UETR-IN"}`); len(rest.Items) != 1 || rest.Items[0].Target != order {
		t.Errorf("page after UETR-IN %+v", rest)
	}
	if p := list(query.RefPayout, ""); len(p.Items) != 1 || p.Items[0] != (query.Reference{Reference: "DEBIT-1", Target: redemption}) {
		t.Errorf("payouts %+v", p)
	}
	if p := list(query.RefRefundedCredit, ""); len(p.Items) != 1 || p.Items[0] != (query.Reference{Reference: "STRAY-1", Target: "REFUND-1"}) {
		t.Errorf("refunded credits %+v", p)
	}
	for path, want := range map[string]uint32{
		query.PathReferences + "credit/nobody": query.NotFound,
		query.PathReferences + "debit/acme":    query.BadRequest,
		query.PathReferences + "credit":        query.BadRequest,
	} {
		if code := h.query(path, "", nil); code != want {
			t.Errorf("%s: query code %d, want %d", path, code, want)
		}
	}
}
