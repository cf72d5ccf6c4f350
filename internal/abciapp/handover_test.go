package abciapp

import (
	"testing"

	"github.com/chipmint/chipmint/internal/query"
	"github.com/chipmint/chipmint/internal/txn"
)

// acmeNew and issuerNew are the keys acme's and the issuer's roles are handed over to.
var (
	acmeNew   = newActor("acme-new", 21)
	issuerNew = newActor("issuer-new", 22)
)

// handOverRejections are the refusals of the two steps of a key's rotation.
func handOverRejections() []rejectionCase {
	return []rejectionCase{
		{"take over with nothing offered", txn.NoHandOver, func(h *harness) []byte {
			return h.sign(acmeNew, &txn.TakeOver{From: operatorA.addr})
		}},
		{"take over by another key than the one offered", txn.NoHandOver, func(h *harness) []byte {
			h.mustBlock(h.sign(operatorA, txn.NewHandOver(txn.RoleOperator, acmeNew.pub)))
			return h.sign(stranger, &txn.TakeOver{From: operatorA.addr})
		}},
		{"hand over to another operator's key", txn.OperatorExists, func(h *harness) []byte {
			h.mustBlock(h.sign(issuerA, registerMsg(operatorB, "bobco")))
			return h.sign(operatorA, txn.NewHandOver(txn.RoleOperator, operatorB.pub))
		}},
		{"hand over to an issuer's key", txn.WrongRole, func(h *harness) []byte {
			return h.sign(operatorA, txn.NewHandOver(txn.RoleOperator, issuerA.pub))
		}},
		{"operator role handed over by a stranger", txn.NotOperator, func(h *harness) []byte {
			return h.sign(stranger, txn.NewHandOver(txn.RoleOperator, acmeNew.pub))
		}},
		{"issuer role handed over by an operator", txn.WrongRole, func(h *harness) []byte {
			return h.sign(operatorA, txn.NewHandOver(txn.RoleIssuer, acmeNew.pub))
		}},
		{"hand over to a small-order key", txn.WeakKey, func(h *harness) []byte {
			return h.sign(operatorA, txn.NewHandOver(txn.RoleOperator, identityPoint))
		}},
		{"take over when the new key became an operator meanwhile", txn.OperatorExists, func(h *harness) []byte {
			h.mustBlock(h.sign(operatorA, txn.NewHandOver(txn.RoleOperator, operatorB.pub)))
			h.mustBlock(h.sign(issuerA, registerMsg(operatorB, "bobco")))
			return h.sign(operatorB, &txn.TakeOver{From: operatorA.addr})
		}},
		{"take over replayed", txn.Replayed, func(h *harness) []byte {
			h.mustBlock(h.sign(operatorA, txn.NewHandOver(txn.RoleOperator, acmeNew.pub)))
			tx := h.sign(acmeNew, &txn.TakeOver{From: operatorA.addr})
			h.mustBlock(tx)
			return tx
		}},
	}
}

// An operator's key is rotated in two steps; from the take-over on, the old key is
// refused, in a new transaction, in one it had in the mempool, and in a receipt it
// signed; the new key confirms.
func TestOperatorKeyRotated(t *testing.T) {
	h := newHarness(t)
	h.setupOperator()
	tx1, first := h.buy(alice, "acme", 10_000)
	tx2, second := h.buy(bob, "acme", 10_000)
	h.mustBlock(tx1, tx2)
	h.mustBlock(h.sign(operatorA, txn.NewHandOver(txn.RoleOperator, acmeNew.pub)))
	if op := h.operator("acme"); op.Address != operatorA.addr {
		t.Fatalf("an offer alone changed the operator's key: %+v", op)
	}
	// The take-over waits in the mempool: the old key's confirmation that comes after
	// it is refused there already, and in the block after it.
	takeOver := h.sign(acmeNew, &txn.TakeOver{From: operatorA.addr})
	if res := h.checkTx(takeOver); res.Code != uint32(txn.OK) {
		t.Fatalf("CheckTx of the take-over: %s", txn.Code(res.Code))
	}
	stale := h.sign(operatorA, confirmMsg(first, alice, 10_000, "UETR-1"))
	if res := h.checkTx(stale); txn.Code(res.Code) != txn.NotOperator {
		t.Fatalf("CheckTx of the old key's confirmation after the take-over: %s, want %s", txn.Code(res.Code), txn.NotOperator)
	}
	receipt := h.submitReceipt(bob, operatorA, receiptMsg(second, bob, 10_000, "UETR-2"))
	h.mustBlock(takeOver)
	if op := h.operator("acme"); op.Address != acmeNew.addr || string(op.PublicKey) != string(acmeNew.pub) {
		t.Fatalf("after the take-over the operator is %+v", op)
	}
	for name, tc := range map[string]struct {
		tx   []byte
		want txn.Code
	}{
		"the old key's confirmation":   {stale, txn.NotOperator},
		"a receipt the old key signed": {receipt, txn.BadReceiptSignature},
	} {
		if res := h.block(tc.tx); txn.Code(res[0].Code) != tc.want {
			t.Errorf("%s: %s (%s), want %s", name, txn.Code(res[0].Code), res[0].Log, tc.want)
		}
	}
	h.mustBlock(h.sign(acmeNew, confirmMsg(first, alice, 10_000, "UETR-1")))
	if o := h.order(first); o.Status != txn.StatusPaid {
		t.Fatalf("the new key's confirmation: order %s", o.Status)
	}
}

// An issuer's key is rotated the same way: the old key issues no more, the new one does.
func TestIssuerKeyRotated(t *testing.T) {
	h := newHarness(t)
	h.setupOperator()
	id := h.paidOrder("UETR-1")
	h.mustBlock(h.sign(issuerA, txn.NewHandOver(txn.RoleIssuer, issuerNew.pub)))
	h.mustBlock(h.sign(issuerNew, &txn.TakeOver{From: issuerA.addr}))
	if res := h.block(h.sign(issuerA, &txn.Issue{OrderID: id, Chips: 100_000_000})); txn.Code(res[0].Code) != txn.NotIssuer {
		t.Fatalf("the old issuer key issues: %s", txn.Code(res[0].Code))
	}
	h.mustBlock(h.sign(issuerNew, &txn.Issue{OrderID: id, Chips: 100_000_000}))
	var issuers query.Page[txn.Issuer]
	h.query(query.PathIssuers, "", &issuers)
	if len(issuers.Items) != 1 || issuers.Items[0].Address != issuerNew.addr || issuers.Items[0].ID != "issuer" {
		t.Fatalf("issuers after the rotation: %+v", issuers.Items)
	}
}
