package abciapp

import (
	"crypto/ed25519"
	"encoding/hex"
	"testing"

	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/query"
	"github.com/chipmint/chipmint/internal/txn"
)

// identityPoint is the Ed25519 public key of the curve's identity, a point of small
// order: a signature by "its owner" can be made by anybody.
var identityPoint = func() ed25519.PublicKey {
	b, _ := hex.DecodeString("0100000000000000000000000000000000000000000000000000000000000000")
	return b
}()

// authorityRejections are the refusals of keys nobody can be held to, of an account two
// operators would share, and of orders beyond the chain's bounds.
func authorityRejections() []rejectionCase {
	return []rejectionCase{
		{"operator registered with a small-order key", txn.WeakKey, func(h *harness) []byte {
			m := registerMsg(operatorB, "bobco")
			m.PublicKey, m.Address = identityPoint, crypto.AddressOf(identityPoint)
			return h.sign(issuerA, m)
		}},
		{"confirmation for a buyer of small-order key", txn.WeakKey, func(h *harness) []byte {
			tx, id := h.buy(alice, "acme", 10_000)
			h.mustBlock(tx)
			m := confirmMsg(id, alice, 10_000, "UETR-1")
			m.Buyer = txn.PartyOf("alice", identityPoint)
			return h.sign(operatorA, m)
		}},
		{"transaction signed by a small-order key", txn.WeakKey, func(h *harness) []byte {
			// The signature of the identity's "owner": R = identity, s = 0 verifies
			// under cofactored rules for any message. Parsing refuses the key first.
			var tx txn.Tx
			raw, _ := h.buy(alice, "acme", 10_000)
			if err := txn.DecodeRecord(raw, &tx); err != nil {
				h.t.Fatal(err)
			}
			tx.Signer = identityPoint
			tx.Signature = append(append([]byte(nil), identityPoint...), make([]byte, 32)...)
			return txn.EncodeRecord(tx)
		}},
		{"operator registered with another operator's account", txn.AccountTaken, func(h *harness) []byte {
			m := registerMsg(operatorB, "bobco")
			m.Account.IBAN = ibanOf(operatorA)
			return h.sign(issuerA, m)
		}},
		{"operator registered with another's account, written without an IBAN form", txn.AccountTaken, func(h *harness) []byte {
			h.mustBlock(h.sign(issuerA, registerAccountMsg(operatorB, "bobco")))
			m := registerAccountMsg(stranger, "third")
			return h.sign(issuerA, m)
		}},
		{"buy request beyond the buyer's open orders", txn.TooManyOpenOrders, func(h *harness) []byte {
			var buys [][]byte
			for range testOpenOrdersPerBuyer {
				tx, _ := h.buy(alice, "acme", 100)
				buys = append(buys, tx)
			}
			h.mustBlock(buys...)
			tx, _ := h.buy(alice, "acme", 100)
			return tx
		}},
		{"buy request beyond the operator's open orders", txn.TooManyOpenOrders, func(h *harness) []byte {
			var buys [][]byte
			for i := range testOpenOrdersPerOperator {
				tx, _ := h.buy(nthOperator(1000+i), "acme", 100)
				buys = append(buys, tx)
			}
			h.mustBlock(buys...)
			tx, _ := h.buy(alice, "acme", 100)
			return tx
		}},
		{"confirmation beyond the cap counted with paid orders", txn.CapExceeded, func(h *harness) []byte {
			// acme's cap is 1,000 chips: both orders fit it while open; once 600 are
			// paid, 500 more cannot be.
			tx1, first := h.buy(alice, "acme", 60_000)
			tx2, second := h.buy(bob, "acme", 50_000)
			h.mustBlock(tx1, tx2)
			h.mustBlock(h.sign(operatorA, confirmMsg(first, alice, 60_000, "UETR-1")))
			return h.sign(operatorA, confirmMsg(second, bob, 50_000, "UETR-2"))
		}},
	}
}

// Fresh keys cost nothing: a crowd of them opens orders for more than the operator's
// cap, but open orders commit nothing, a real buyer still buys, pays and is issued, and
// the payments beyond the cap are refused (and refunded), never minted.
func TestFreshKeysNeitherOverCommitTheCapNorBlockABuyer(t *testing.T) {
	h := newHarness(t)
	h.setupOperator()
	var buys [][]byte
	var ids []string
	var crowd []actor
	for i := range 150 {
		a := nthOperator(2000 + i)
		tx, id := h.buy(a, "acme", 10_000) // 100 chips each: 15,000 against a cap of 1,000
		buys, ids, crowd = append(buys, tx), append(ids, id), append(crowd, a)
	}
	h.mustBlock(buys...)
	tx, id := h.buy(alice, "acme", 20_000)
	h.mustBlock(tx)
	h.mustBlock(h.sign(operatorA, confirmMsg(id, alice, 20_000, "UETR-ALICE")))
	h.mustBlock(h.sign(issuerA, &txn.Issue{OrderID: id, Chips: 200_000_000}))
	// The crowd pays: only what fits the cap is confirmed.
	var confirms [][]byte
	for i, oid := range ids {
		confirms = append(confirms, h.sign(operatorA, confirmMsg(oid, crowd[i], 10_000, "UETR-"+oid)))
	}
	confirmed := 0
	for i, res := range h.block(confirms...) {
		switch txn.Code(res.Code) {
		case txn.OK:
			confirmed++
		case txn.CapExceeded:
		default:
			t.Fatalf("confirmation %d: %s: %s", i, txn.Code(res.Code), res.Log)
		}
	}
	op := h.operator("acme")
	if confirmed != 8 || op.OutstandingChips()+op.PaidChips != 1_000_000_000 {
		t.Fatalf("%d confirmed, operator %+v: want 8 more paid, the cap of 1,000 chips reached and not passed", confirmed, op)
	}
	var open query.Page[txn.Order]
	h.query(query.PathPaidOrders, "", &open)
	if len(open.Items) != 8 {
		t.Fatalf("%d paid orders listed for the issuer, want 8", len(open.Items))
	}
}
