package abciapp

import (
	"maps"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/chipmint/chipmint/internal/txn"
)

// rejectionCase prepares a state and returns a transaction that must be rejected with
// want, in CheckTx and again in FinalizeBlock, leaving the state unchanged.
type rejectionCase struct {
	name  string
	want  txn.Code
	setup func(h *harness) []byte
}

func rejectionCases() []rejectionCase {
	return append(slices.Concat(moneyBackRejections(), authorityRejections(), handOverRejections(), validatorRejections(), governanceRejections(), reservesRejections(), coverRejections()), []rejectionCase{
		{"garbage bytes", txn.Malformed, func(h *harness) []byte { return []byte("not a transaction") }},
		{"non-canonical encoding of a valid tx", txn.NonCanonical, func(h *harness) []byte {
			tx, _ := h.buy(alice, "acme", 10_000)
			// The envelope's type, 2, written as a one-byte-extended integer: same value,
			// not the shortest form.
			return append([]byte{tx[0], 0x18, tx[1]}, tx[2:]...)
		}},
		{"unknown message type", txn.UnknownType, func(h *harness) []byte {
			tx, _ := h.buy(alice, "acme", 10_000)
			// Type 31, one past the last.
			return append([]byte{tx[0], 0x18, 0xfe}, tx[2:]...)
		}},
		{"invalid IBAN", txn.InvalidField, func(h *harness) []byte {
			m := registerMsg(operatorB, "bobco")
			m.Account.IBAN = "DE88370400440532013000"
			return h.sign(issuerA, m)
		}},
		{"missing signature", txn.InvalidField, func(h *harness) []byte {
			tx, _ := h.buy(alice, "acme", 10_000)
			return stripSignature(h.t, tx)
		}},
		{"forged signature", txn.BadSignature, func(h *harness) []byte {
			tx, _ := h.buy(alice, "acme", 10_000)
			tx[len(tx)-1] ^= 0x01
			return tx
		}},
		{"signed for another chain", txn.BadSignature, func(h *harness) []byte {
			h.nonce++
			return mustSign("other-chain", &txn.BuyRequest{Operator: "acme", BuyerID: "alice", AmountMinor: 10_000, Currency: "EUR"}, alice.priv, h.nonce, uint64(h.height+10))
		}},
		{"expired", txn.Expired, func(h *harness) []byte {
			return mustSign(testChainID, &txn.Transfer{To: bob.addr, AmountChips: 1}, alice.priv, 77, uint64(h.height))
		}},
		{"valid_until too far ahead", txn.ValidityTooLong, func(h *harness) []byte {
			return mustSign(testChainID, &txn.Transfer{To: bob.addr, AmountChips: 1}, alice.priv, 78, uint64(h.height)+txn.ValidityBlocksMax+2)
		}},
		{"buy request replayed", txn.Replayed, func(h *harness) []byte {
			tx, _ := h.buy(alice, "acme", 10_000)
			h.mustBlock(tx)
			return tx
		}},
		{"operator registered by a non-issuer", txn.NotIssuer, func(h *harness) []byte {
			return h.sign(stranger, registerMsg(operatorB, "bobco"))
		}},
		{"issue signed by an operator", txn.WrongRole, func(h *harness) []byte {
			id := h.paidOrder("UETR-1")
			return h.sign(operatorA, &txn.Issue{OrderID: id, Chips: 100_000_000})
		}},
		{"confirmation signed by an unregistered key", txn.NotOperator, func(h *harness) []byte {
			tx, id := h.buy(alice, "acme", 10_000)
			h.mustBlock(tx)
			return h.sign(stranger, confirmMsg(id, alice, 10_000, "UETR-1"))
		}},
		{"confirmation signed by the issuer", txn.WrongRole, func(h *harness) []byte {
			tx, id := h.buy(alice, "acme", 10_000)
			h.mustBlock(tx)
			return h.sign(issuerA, confirmMsg(id, alice, 10_000, "UETR-1"))
		}},
		{"confirmation by another operator", txn.WrongOperator, func(h *harness) []byte {
			h.mustBlock(h.sign(issuerA, registerMsg(operatorB, "bobco")))
			tx, id := h.buy(alice, "acme", 10_000)
			h.mustBlock(tx)
			return h.sign(operatorB, confirmMsg(id, alice, 10_000, "UETR-1"))
		}},
		{"buy from an unknown operator", txn.UnknownOperator, func(h *harness) []byte {
			tx, _ := h.buy(alice, "nobody", 10_000)
			return tx
		}},
		{"operator registered twice", txn.OperatorExists, func(h *harness) []byte {
			return h.sign(issuerA, registerMsg(operatorB, "acme"))
		}},
		{"confirmation of an unknown order", txn.UnknownOrder, func(h *harness) []byte {
			return h.sign(operatorA, confirmMsg("00000000000000000000", alice, 10_000, "UETR-1"))
		}},
		{"order id reused after its nonce expired", txn.OrderExists, func(h *harness) []byte {
			msg := &txn.BuyRequest{Operator: "acme", BuyerID: "alice", AmountMinor: 10_000, Currency: "EUR"}
			h.mustBlock(mustSign(testChainID, msg, alice.priv, 4242, uint64(h.height+1)))
			h.mustBlock()
			h.mustBlock()
			return mustSign(testChainID, msg, alice.priv, 4242, uint64(h.height+5))
		}},
		{"confirmation of a paid order", txn.OrderNotAwaitingPayment, func(h *harness) []byte {
			id := h.paidOrder("UETR-1")
			return h.sign(operatorA, confirmMsg(id, alice, 10_000, "UETR-2"))
		}},
		{"issue before payment", txn.OrderNotPaid, func(h *harness) []byte {
			tx, id := h.buy(alice, "acme", 10_000)
			h.mustBlock(tx)
			return h.sign(issuerA, &txn.Issue{OrderID: id, Chips: 100_000_000})
		}},
		{"second issue of the same order", txn.OrderAlreadyIssued, func(h *harness) []byte {
			id := h.paidOrder("UETR-1")
			h.mustBlock(h.sign(issuerA, &txn.Issue{OrderID: id, Chips: 100_000_000}))
			return h.sign(issuerA, &txn.Issue{OrderID: id, Chips: 100_000_000})
		}},
		{"second order confirmed with a used bank reference", txn.BankReferenceUsed, func(h *harness) []byte {
			h.paidOrder("UETR-1")
			tx, id := h.buy(alice, "acme", 10_000)
			h.mustBlock(tx)
			return h.sign(operatorA, confirmMsg(id, alice, 10_000, "Uetr-1"))
		}},
		{"the same payment confirmed again", txn.AlreadyConfirmed, func(h *harness) []byte {
			id := h.paidOrder("UETR-1")
			return h.sign(operatorA, confirmMsg(id, alice, 10_000, "uetr-1"))
		}},
		{"the same bank reference again with another amount", txn.BankReferenceUsed, func(h *harness) []byte {
			id := h.paidOrder("UETR-1")
			return h.sign(operatorA, confirmMsg(id, alice, 10_001, "UETR-1"))
		}},
		{"confirmation naming another buyer", txn.BuyerMismatch, func(h *harness) []byte {
			tx, id := h.buy(alice, "acme", 10_000)
			h.mustBlock(tx)
			return h.sign(operatorA, confirmMsg(id, bob, 10_000, "UETR-1"))
		}},
		{"buy in another currency", txn.CurrencyMismatch, func(h *harness) []byte {
			return h.sign(alice, &txn.BuyRequest{Operator: "acme", BuyerID: "alice", AmountMinor: 10_000, Currency: "USD"})
		}},
		{"amount over the operator's cap", txn.CapExceeded, func(h *harness) []byte {
			tx, _ := h.buy(alice, "acme", 100_001) // 1,000.01 chips; the cap is 1,000
			return tx
		}},
		{"issue of the wrong quantity", txn.QuantityMismatch, func(h *harness) []byte {
			id := h.paidOrder("UETR-1")
			return h.sign(issuerA, &txn.Issue{OrderID: id, Chips: 100_000_001})
		}},
		{"transfer of more than the balance", txn.InsufficientFunds, func(h *harness) []byte {
			id := h.paidOrder("UETR-1")
			h.mustBlock(h.sign(issuerA, &txn.Issue{OrderID: id, Chips: 100_000_000}))
			return h.sign(alice, &txn.Transfer{To: bob.addr, AmountChips: 100_000_001})
		}},
		{"amount that would overflow", txn.Overflow, func(h *harness) []byte {
			tx, _ := h.buy(alice, "acme", math.MaxUint64)
			return tx
		}},
		{"receipt not signed by the operator", txn.BadReceiptSignature, func(h *harness) []byte {
			tx, id := h.buy(bob, "acme", 10_000)
			h.mustBlock(tx)
			return h.submitReceipt(bob, bob, receiptMsg(id, bob, 10_000, "UETR-1"))
		}},
		{"receipt naming another account", txn.ReceiptMismatch, func(h *harness) []byte {
			tx, id := h.buy(bob, "acme", 10_000)
			h.mustBlock(tx)
			r := receiptMsg(id, bob, 10_000, "UETR-1")
			r.OperatorIBAN = "GB82WEST12345698765432"
			return h.submitReceipt(bob, operatorA, r)
		}},
		{"reversal signed by a stranger", txn.NotOperator, func(h *harness) []byte {
			h.paidOrder("UETR-1")
			return h.sign(stranger, &txn.ReversePayment{BankReference: "UETR-1", Reason: "AC04"})
		}},
		{"reversal signed by the issuer", txn.WrongRole, func(h *harness) []byte {
			h.paidOrder("UETR-1")
			return h.sign(issuerA, &txn.ReversePayment{BankReference: "UETR-1", Reason: "AC04"})
		}},
		{"reversal of a reference that confirmed nothing", txn.UnknownBankReference, func(h *harness) []byte {
			h.paidOrder("UETR-1")
			return h.sign(operatorA, &txn.ReversePayment{BankReference: "UETR-2", Reason: "AC04"})
		}},
		{"reversal of another operator's reference", txn.UnknownBankReference, func(h *harness) []byte {
			h.paidOrder("UETR-1")
			h.mustBlock(h.sign(issuerA, registerMsg(operatorB, "bobco")))
			return h.sign(operatorB, &txn.ReversePayment{BankReference: "UETR-1", Reason: "AC04"})
		}},
		{"reversal of an order awaiting payment's reference", txn.UnknownBankReference, func(h *harness) []byte {
			tx, _ := h.buy(alice, "acme", 10_000)
			h.mustBlock(tx)
			return h.sign(operatorA, &txn.ReversePayment{BankReference: "UETR-1", Reason: "AC04"})
		}},
		{"the same reversal twice", txn.AlreadyReversed, func(h *harness) []byte {
			h.paidOrder("UETR-1")
			h.mustBlock(h.sign(operatorA, &txn.ReversePayment{BankReference: "UETR-1", Reason: "AC04"}))
			return h.sign(operatorA, &txn.ReversePayment{BankReference: "uetr-1", Reason: "AC04"})
		}},
		{"issue of an order whose payment was reversed", txn.OrderNotPaid, func(h *harness) []byte {
			id := h.paidOrder("UETR-1")
			h.mustBlock(h.sign(operatorA, &txn.ReversePayment{BankReference: "UETR-1", Reason: "AC04"}))
			return h.sign(issuerA, &txn.Issue{OrderID: id, Chips: 100_000_000})
		}},
		{"a reversed payment confirmed again", txn.BankReferenceUsed, func(h *harness) []byte {
			h.paidOrder("UETR-1")
			h.mustBlock(h.sign(operatorA, &txn.ReversePayment{BankReference: "UETR-1", Reason: "AC04"}))
			tx, id := h.buy(alice, "acme", 10_000)
			h.mustBlock(tx)
			return h.sign(operatorA, confirmMsg(id, alice, 10_000, "UETR-1"))
		}},
		{"account registration signed by a non-issuer", txn.NotIssuer, func(h *harness) []byte {
			return h.sign(stranger, registerAccountMsg(operatorB, "bobco"))
		}},
		{"account registration signed by an operator", txn.WrongRole, func(h *harness) []byte {
			return h.sign(operatorA, registerAccountMsg(operatorB, "bobco"))
		}},
		{"account registration of an issuer's key", txn.WrongRole, func(h *harness) []byte {
			return h.sign(issuerA, registerAccountMsg(issuerA, "bobco"))
		}},
		{"account registration replayed", txn.Replayed, func(h *harness) []byte {
			tx := h.sign(issuerA, registerAccountMsg(operatorB, "bobco"))
			h.mustBlock(tx)
			return tx
		}},
		{"account registration of a registered id", txn.OperatorExists, func(h *harness) []byte {
			return h.sign(issuerA, registerAccountMsg(operatorB, "acme"))
		}},
		{"account registration of a registered key", txn.OperatorExists, func(h *harness) []byte {
			return h.sign(issuerA, registerAccountMsg(operatorA, "bobco"))
		}},
		{"account registration with an empty account", txn.InvalidField, func(h *harness) []byte {
			m := registerAccountMsg(operatorB, "bobco")
			m.Account = txn.Account{}
			return h.sign(issuerA, m)
		}},
		{"account registration with an IBAN and another identification", txn.InvalidField, func(h *harness) []byte {
			m := registerAccountMsg(operatorB, "bobco")
			m.Account.IBAN = "DE89370400440532013000"
			return h.sign(issuerA, m)
		}},
		{"account registration with a bad IBAN", txn.InvalidField, func(h *harness) []byte {
			m := registerAccountMsg(operatorB, "bobco")
			m.Account = txn.Account{IBAN: "DE88370400440532013000", Holder: "Bobco", Currency: "EUR"}
			return h.sign(issuerA, m)
		}},
		{"account registration with an unknown scheme", txn.InvalidField, func(h *harness) []byte {
			m := registerAccountMsg(operatorB, "bobco")
			m.Account.Scheme = "CNAP"
			return h.sign(issuerA, m)
		}},
		{"account registration without a scheme", txn.InvalidField, func(h *harness) []byte {
			m := registerAccountMsg(operatorB, "bobco")
			m.Account.Scheme = ""
			return h.sign(issuerA, m)
		}},
		{"account registration with an id not in canonical form", txn.InvalidField, func(h *harness) []byte {
			m := registerAccountMsg(operatorB, "bobco")
			m.Account.OtherID = "6222 0210 0100 0000 001"
			return h.sign(issuerA, m)
		}},
		{"account registration with an over-long id", txn.InvalidField, func(h *harness) []byte {
			m := registerAccountMsg(operatorB, "bobco")
			m.Account.OtherID = strings.Repeat("1", 35)
			return h.sign(issuerA, m)
		}},
		{"account registration with an over-long issuer", txn.InvalidField, func(h *harness) []byte {
			m := registerAccountMsg(operatorB, "bobco")
			m.Account.Issuer = strings.Repeat("I", 36)
			return h.sign(issuerA, m)
		}},
		{"account registration with an over-long holder", txn.InvalidField, func(h *harness) []byte {
			m := registerAccountMsg(operatorB, "bobco")
			m.Account.Holder = strings.Repeat("H", 141)
			return h.sign(issuerA, m)
		}},
		{"account registration with an unknown clearing system", txn.InvalidField, func(h *harness) []byte {
			m := registerAccountMsg(operatorB, "bobco")
			m.Account.ClearingSystem = "CNAPX"
			return h.sign(issuerA, m)
		}},
		{"account registration in a currency that is not tender", txn.InvalidField, func(h *harness) []byte {
			m := registerAccountMsg(operatorB, "bobco")
			m.Account.Currency = "XTS"
			return h.sign(issuerA, m)
		}},
		{"buy from an account operator in another currency", txn.CurrencyMismatch, func(h *harness) []byte {
			h.mustBlock(h.sign(issuerA, registerAccountMsg(operatorB, "bobco")))
			tx, _ := h.buyIn(alice, "bobco", "EUR", 10_000)
			return tx
		}},
		{"receipt for an operator without an IBAN", txn.ReceiptMismatch, func(h *harness) []byte {
			h.mustBlock(h.sign(issuerA, registerAccountMsg(operatorB, "bobco")))
			tx, id := h.buyIn(bob, "bobco", "CNY", 10_000)
			h.mustBlock(tx)
			r := receiptMsg(id, bob, 10_000, "UETR-1")
			r.OperatorID, r.OperatorAddress, r.Currency = "bobco", operatorB.addr, "CNY"
			return h.submitReceipt(bob, operatorB, r)
		}},
		{"reversal replayed", txn.Replayed, func(h *harness) []byte {
			h.paidOrder("UETR-1")
			tx := h.sign(operatorA, &txn.ReversePayment{BankReference: "UETR-1", Reason: "AC04"})
			h.mustBlock(tx)
			return tx
		}},
	}...)
}

func TestRejections(t *testing.T) {
	for _, tc := range rejectionCases() {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.setupOperator()
			tx := tc.setup(h)
			before := stateWithoutNonces(h.db)
			if got := txn.Code(h.checkTx(tx).Code); got != tc.want {
				t.Fatalf("CheckTx: got %s, want %s", got, tc.want)
			}
			res := h.finalize(tx)
			if got := txn.Code(res.TxResults[0].Code); got != tc.want {
				t.Fatalf("FinalizeBlock: got %s (%s), want %s", got, res.TxResults[0].Log, tc.want)
			}
			if res.TxResults[0].Log == "" {
				t.Error("a rejection must say why")
			}
			if after := stateWithoutNonces(h.db); !maps.Equal(before, after) {
				t.Errorf("state changed by a rejected transaction")
			}
		})
	}
}

// Every result code but OK has at least one case above.
func TestRejectionsCoverEveryCode(t *testing.T) {
	covered := make(map[txn.Code]bool)
	for _, tc := range rejectionCases() {
		covered[tc.want] = true
	}
	for _, c := range txn.Codes() {
		if c != txn.OK && !covered[c] {
			t.Errorf("no rejection case for code %d %s", c, c)
		}
	}
}
