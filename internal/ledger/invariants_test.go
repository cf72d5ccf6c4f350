package ledger

import (
	"bytes"
	"crypto/ed25519"
	"encoding/binary"
	"errors"
	"fmt"
	"testing"

	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/query"
	"github.com/chipmint/chipmint/internal/store"
	"github.com/chipmint/chipmint/internal/txn"
)

const chainID = "ledger-test"

type emptyReader struct{}

func (emptyReader) Get([]byte) ([]byte, bool)                             { return nil, false }
func (emptyReader) Scan([]byte, func(key, value []byte) bool)             {}
func (emptyReader) ScanFrom([]byte, []byte, func(key, value []byte) bool) {}

func key(seed byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
}

func pub(k ed25519.PrivateKey) ed25519.PublicKey { return k.Public().(ed25519.PublicKey) }

// issuedState is a ledger with one operator and one order of 100.00 EUR issued to
// the buyer, built by applying signed transactions.
func issuedState(t *testing.T) (*store.Overlay, string, crypto.Address) {
	t.Helper()
	issuer, operator, buyer := key(1), key(2), key(3)
	kv := store.NewOverlay(emptyReader{})
	g := Genesis{Issuers: []txn.Issuer{{ID: "issuer", Address: crypto.AddressOf(pub(issuer)), PublicKey: pub(issuer)}}}
	if err := InitGenesis(kv, g); err != nil {
		t.Fatal(err)
	}
	b := Block{ChainID: chainID, Height: 1}
	apply := func(signer ed25519.PrivateKey, nonce uint64, msg txn.Msg) {
		t.Helper()
		raw, err := txn.Sign(chainID, msg, signer, nonce, 5)
		if err != nil {
			t.Fatal(err)
		}
		tx, err := txn.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		if res := Apply(kv, b, tx); res.Code != txn.OK {
			t.Fatalf("%s: %s %s", msg.Type(), res.Code, res.Log)
		}
	}
	apply(issuer, 1, &txn.RegisterOperator{
		ID: "acme", Address: crypto.AddressOf(pub(operator)), PublicKey: pub(operator),
		Account:  txn.BankAccount{IBAN: "DE89370400440532013000", BIC: "COBADEFFXXX", Holder: "Acme", Currency: "EUR"},
		Rate:     txn.Rate{Chips: 1_000_000, Minor: 100},
		CapChips: 1_000_000_000,
	})
	buyerAddr := crypto.AddressOf(pub(buyer))
	apply(buyer, 7, &txn.BuyRequest{Operator: "acme", BuyerID: "b", AmountMinor: 10_000, Currency: "EUR"})
	id := txn.OrderID(buyerAddr, 7)
	apply(operator, 1, &txn.ConfirmPayment{OrderID: id, Buyer: txn.PartyOf("b", pub(buyer)), AmountMinor: 10_000, Currency: "EUR", BankReference: "R1"})
	apply(issuer, 2, &txn.Issue{OrderID: id, Chips: 100_000_000})
	if err := CheckInvariants(kv); err != nil {
		t.Fatalf("a valid state fails the check: %v", err)
	}
	return kv, id, buyerAddr
}

// pendingProposal is a proposal of a threshold of 1 by proposer, pending.
func pendingProposal(proposer crypto.Address) txn.Proposal {
	return txn.Proposal{
		ID: "FFFFFFFFFFFFFFFFFFFF", Proposer: proposer, Action: txn.TypeSetIssuerThreshold,
		Body: txn.EncodeRecord(txn.SetIssuerThreshold{Threshold: 1}), Approvals: []crypto.Address{proposer},
		Status: txn.ProposalPending, CreatedHeight: 1, ExpiresHeight: 10,
	}
}

// attest writes what an auditor's AttestReserves of acme at height 3 writes: the
// auditor, of key 6, the attestation and its entry in the digest index.
func attest(kv *store.Overlay) txn.ReservesAttestation {
	p := pub(key(6))
	au := txn.Auditor{ID: "auditor", Address: crypto.AddressOf(p), PublicKey: p}
	putRecord(kv, auditorKey(au.Address), au)
	a := txn.ReservesAttestation{
		Operator: "acme", Currency: "EUR", BalanceMinor: 10_000, LiabilitiesMinor: 10_000, OutstandingChips: 100_000_000, Backed: true,
		ReportDigest: bytes.Repeat([]byte{1}, 32), ReportHeight: 2, StatementEnd: "2026-03-31T22:00:00Z", Auditor: au.Address, Height: 3,
	}
	putRecord(kv, reservesKey(a.Operator, a.Height), a)
	kv.Set(reservesDigestKey(a.ReportDigest, a.Operator), binary.BigEndian.AppendUint64(nil, uint64(a.Height)))
	return a
}

func TestCheckInvariantsOfAttestations(t *testing.T) {
	kv, _, _ := issuedState(t)
	a := attest(kv)
	if err := CheckInvariants(kv); err != nil {
		t.Fatalf("an auditor and its attestation fail the check: %v", err)
	}
	if got := ReservesByDigest(kv, a.ReportDigest); len(got) != 1 || got[0].Operator != "acme" || got[0].Height != 3 {
		t.Fatalf("ReservesByDigest = %+v", got)
	}
	if got := ReservesByDigest(kv, a.ReportDigest[:31]); got != nil {
		t.Fatalf("ReservesByDigest of a digest of 31 bytes = %+v, want none", got)
	}
}

// applyOrPanic applies a transaction signed by signer at height 2, which must pass.
func applyOrPanic(kv *store.Overlay, signer ed25519.PrivateKey, nonce uint64, msg txn.Msg) {
	raw, err := txn.Sign(chainID, msg, signer, nonce, 5)
	if err != nil {
		panic(err)
	}
	tx, err := txn.Parse(raw)
	if err != nil {
		panic(err)
	}
	if res := Apply(kv, Block{ChainID: chainID, Height: 2}, tx); res.Code != txn.OK {
		panic(fmt.Sprintf("%s: %s %s", msg.Type(), res.Code, res.Log))
	}
}

// cover has the bank reverse the payment of issuedState's order, whose 100 chips become
// acme's shortfall, and acme cover 30.00 EUR of it with its own money, credited as
// OWN-1: 30 chips move from its shortfall to its covered chips.
func cover(kv *store.Overlay) txn.Cover {
	applyOrPanic(kv, key(2), 2, &txn.ReversePayment{BankReference: "R1", Reason: "AC04"})
	applyOrPanic(kv, key(2), 3, &txn.CoverShortfall{BankReference: "own-1", AmountMinor: 3_000, Currency: "EUR"})
	c, _ := GetCover(kv, "acme", "OWN-1")
	return c
}

func TestCheckInvariantsOfCovers(t *testing.T) {
	kv, _, _ := issuedState(t)
	c := cover(kv)
	if err := CheckInvariants(kv); err != nil {
		t.Fatalf("a cover fails the check: %v", err)
	}
	want := txn.Cover{Operator: "acme", BankReference: "own-1", AmountMinor: 3_000, Currency: "EUR", Chips: 30_000_000, Height: 2}
	if c != want {
		t.Fatalf("cover = %+v, want %+v", c, want)
	}
	if op, _ := GetOperator(kv, "acme"); op.ShortfallChips != 70_000_000 || op.CoveredChips != 30_000_000 {
		t.Fatalf("operator short %d, covered %d", op.ShortfallChips, op.CoveredChips)
	}
	refs, more, err := References(kv, query.RefCover, "acme", "", 10)
	if err != nil || more || len(refs) != 1 || refs[0] != (query.Reference{Reference: "OWN-1", Target: "3000"}) {
		t.Fatalf("References(cover) = %+v, %v, %v", refs, more, err)
	}
	if !Proven(coverKey("acme", "OWN-1")) {
		t.Fatal("a cover is not in the state tree")
	}
}

func TestCheckInvariantsCatchesBrokenStates(t *testing.T) {
	tests := []struct {
		name    string
		corrupt func(kv *store.Overlay, orderID string, buyer crypto.Address)
	}{
		{"doubled mint: a balance without supply", func(kv *store.Overlay, _ string, buyer crypto.Address) {
			setBalance(kv, buyer, 2*Balance(kv, buyer))
		}},
		{"supply that is not issued minus burned", func(kv *store.Overlay, _ string, _ crypto.Address) {
			s := GetSupply(kv)
			s.IssuedChips++
			putRecord(kv, []byte(keySupply), s)
		}},
		{"issued quantity that is not the rate of the amount", func(kv *store.Overlay, id string, buyer crypto.Address) {
			o, _ := GetOrder(kv, id)
			o.Chips++
			putRecord(kv, orderKey(id), o)
		}},
		{"operator's issued chips that its orders do not explain", func(kv *store.Overlay, _ string, _ crypto.Address) {
			op, _ := GetOperator(kv, "acme")
			op.IssuedChips += 5
			putRecord(kv, operatorKey("acme"), op)
		}},
		{"outstanding over the cap", func(kv *store.Overlay, _ string, _ crypto.Address) {
			op, _ := GetOperator(kv, "acme")
			op.CapChips = 1
			putRecord(kv, operatorKey("acme"), op)
		}},
		{"a bank reference that confirms a second order", func(kv *store.Overlay, id string, _ crypto.Address) {
			o, _ := GetOrder(kv, id)
			o.ID = "FFFFFFFFFFFFFFFFFFFF"
			putRecord(kv, orderKey(o.ID), o)
		}},
		{"a paid order without its bank reference", func(kv *store.Overlay, id string, _ crypto.Address) {
			o, _ := GetOrder(kv, id)
			kv.Delete(bankRefKey(o.Operator, o.BankReference))
		}},
		{"an issued order left in the paid index", func(kv *store.Overlay, id string, _ crypto.Address) {
			kv.Set(paidKey(id), nil)
		}},
		{"a paid order left in the expiry index", func(kv *store.Overlay, id string, _ crypto.Address) {
			o, _ := GetOrder(kv, id)
			kv.Set(orderExpiryKey(o.ExpiresHeight, id), nil)
		}},
		{"an awaiting order carrying a payment", func(kv *store.Overlay, id string, _ crypto.Address) {
			o, _ := GetOrder(kv, id)
			o.Status = txn.StatusAwaitingPayment
			putRecord(kv, orderKey(id), o)
		}},
		{"a threshold above the issuers", func(kv *store.Overlay, _ string, _ crypto.Address) {
			p := GetParams(kv)
			p.IssuerThreshold = 2
			putRecord(kv, []byte(keyParams), p)
		}},
		{"a rate changed with no trace of the old one", func(kv *store.Overlay, _ string, _ crypto.Address) {
			op, _ := GetOperator(kv, "acme")
			op.Rate.Minor = 110
			putRecord(kv, operatorKey("acme"), op)
		}},
		{"a pending proposal missing from the expiry index", func(kv *store.Overlay, _ string, buyer crypto.Address) {
			putRecord(kv, proposalKey("FFFFFFFFFFFFFFFFFFFF"), pendingProposal(buyer))
		}},
		{"a proposal approved twice by one issuer", func(kv *store.Overlay, _ string, buyer crypto.Address) {
			p := pendingProposal(buyer)
			p.Approvals = append(p.Approvals, buyer)
			putRecord(kv, proposalKey(p.ID), p)
			kv.Set(proposalExpiryKey(p.ExpiresHeight, p.ID), nil)
		}},
		{"an executed proposal left in the expiry index", func(kv *store.Overlay, _ string, buyer crypto.Address) {
			p := pendingProposal(buyer)
			p.Status, p.ClosedHeight = txn.ProposalExecuted, 2
			putRecord(kv, proposalKey(p.ID), p)
			kv.Set(proposalExpiryKey(p.ExpiresHeight, p.ID), nil)
		}},
		{"a proposal of a transfer", func(kv *store.Overlay, _ string, buyer crypto.Address) {
			p := pendingProposal(buyer)
			p.Action, p.Body = txn.TypeTransfer, txn.EncodeRecord(txn.Transfer{To: buyer, AmountChips: 1})
			putRecord(kv, proposalKey(p.ID), p)
			kv.Set(proposalExpiryKey(p.ExpiresHeight, p.ID), nil)
		}},
		{"a pause of an operation nobody may pause", func(kv *store.Overlay, _ string, buyer crypto.Address) {
			putRecord(kv, pausedKey("refund"), txn.PausedOperation{Operation: "refund", Reason: "x", By: buyer, Height: 1})
		}},
		{"a frozen account under another address", func(kv *store.Overlay, _ string, buyer crypto.Address) {
			putRecord(kv, frozenKey(crypto.Address{1}), txn.FrozenAccount{Address: buyer, Reason: "x", By: buyer, Height: 1})
		}},
		{"escrow that no redemption holds", func(kv *store.Overlay, _ string, buyer crypto.Address) {
			s := GetSupply(kv)
			s.EscrowChips = 1
			putRecord(kv, []byte(keySupply), s)
			setBalance(kv, buyer, Balance(kv, buyer)-1)
		}},
		{"paid chips that no paid order explains", func(kv *store.Overlay, _ string, _ crypto.Address) {
			op, _ := GetOperator(kv, "acme")
			op.PaidChips = 5
			putRecord(kv, operatorKey("acme"), op)
		}},
		{"a count of open orders no order makes", func(kv *store.Overlay, _ string, buyer crypto.Address) {
			setCounter(kv, openByBuyerKey(buyer), 1)
		}},
		{"an operator's account registered to nobody", func(kv *store.Overlay, _ string, _ crypto.Address) {
			op, _ := GetOperator(kv, "acme")
			kv.Delete(operatorAccountKey(op.PaymentAccount()))
		}},
		{"a key handed over that still names the operator", func(kv *store.Overlay, _ string, buyer crypto.Address) {
			kv.Set(operatorByKey(buyer), []byte("acme"))
		}},
		{"a validator without power", func(kv *store.Overlay, _ string, _ crypto.Address) {
			kv.Set(validatorKey(pub(key(9))), make([]byte, 8))
		}},
		{"a payout reference that paid no redemption", func(kv *store.Overlay, _ string, _ crypto.Address) {
			kv.Set(payoutRefKey("acme", "DEBIT-1"), []byte("FFFFFFFFFFFFFFFFFFFF"))
		}},
		{"a tombstone beside its order", func(kv *store.Overlay, id string, _ crypto.Address) {
			kv.Set(tombstoneKey(id), make([]byte, 8))
		}},
		{"an auditor whose key is an issuer's", func(kv *store.Overlay, _ string, _ crypto.Address) {
			p := pub(key(1))
			putRecord(kv, auditorKey(crypto.AddressOf(p)), txn.Auditor{ID: "auditor", Address: crypto.AddressOf(p), PublicKey: p})
		}},
		{"an auditor under another address", func(kv *store.Overlay, _ string, buyer crypto.Address) {
			p := pub(key(6))
			putRecord(kv, auditorKey(buyer), txn.Auditor{ID: "auditor", Address: crypto.AddressOf(p), PublicKey: p})
		}},
		{"an attestation missing from the digest index", func(kv *store.Overlay, _ string, _ crypto.Address) {
			a := attest(kv)
			kv.Delete(reservesDigestKey(a.ReportDigest, a.Operator))
		}},
		{"a digest index entry at another height", func(kv *store.Overlay, _ string, _ crypto.Address) {
			a := attest(kv)
			kv.Set(reservesDigestKey(a.ReportDigest, a.Operator), binary.BigEndian.AppendUint64(nil, 4))
		}},
		{"an overdrawn operator attested backed", func(kv *store.Overlay, _ string, _ crypto.Address) {
			a := attest(kv)
			a.BalanceMinor = -1
			putRecord(kv, reservesKey(a.Operator, a.Height), a)
		}},
		{"an attestation in another currency than its operator's", func(kv *store.Overlay, _ string, _ crypto.Address) {
			a := attest(kv)
			a.Currency = "USD"
			putRecord(kv, reservesKey(a.Operator, a.Height), a)
		}},
		{"covered chips no reversed order explains", func(kv *store.Overlay, _ string, _ crypto.Address) {
			op, _ := GetOperator(kv, "acme")
			op.CoveredChips = 5
			putRecord(kv, operatorKey("acme"), op)
		}},
		{"a shortfall lowered with no cover", func(kv *store.Overlay, _ string, _ crypto.Address) {
			cover(kv)
			op, _ := GetOperator(kv, "acme")
			op.ShortfallChips--
			putRecord(kv, operatorKey("acme"), op)
		}},
		{"a cover its operator does not count", func(kv *store.Overlay, _ string, _ crypto.Address) {
			c := cover(kv)
			kv.Delete(coverKey(c.Operator, c.BankReference))
		}},
		{"a cover under another reference", func(kv *store.Overlay, _ string, _ crypto.Address) {
			c := cover(kv)
			putRecord(kv, coverKey(c.Operator, "OWN-2"), c)
			kv.Delete(coverKey(c.Operator, c.BankReference))
		}},
		{"a cover of a credit that confirmed an order", func(kv *store.Overlay, _ string, _ crypto.Address) {
			c := cover(kv)
			kv.Delete(coverKey(c.Operator, c.BankReference))
			c.BankReference = "R1"
			putRecord(kv, coverKey(c.Operator, c.BankReference), c)
		}},
		{"a cover of chips its amount does not buy", func(kv *store.Overlay, _ string, _ crypto.Address) {
			c := cover(kv)
			c.Chips++
			putRecord(kv, coverKey(c.Operator, c.BankReference), c)
			op, _ := GetOperator(kv, "acme")
			op.ShortfallChips, op.CoveredChips = op.ShortfallChips-1, op.CoveredChips+1
			putRecord(kv, operatorKey("acme"), op)
		}},
		{"a cover in another currency than its operator's", func(kv *store.Overlay, _ string, _ crypto.Address) {
			c := cover(kv)
			c.Currency = "USD"
			putRecord(kv, coverKey(c.Operator, c.BankReference), c)
		}},
		{"a surplus owed back and not listed", func(kv *store.Overlay, id string, _ crypto.Address) {
			o, _ := GetOrder(kv, id)
			o.ReceivedMinor, o.OwedMinor = o.ReceivedMinor+500, 500
			putRecord(kv, orderKey(id), o)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			kv, id, buyer := issuedState(t)
			tc.corrupt(kv, id, buyer)
			if err := CheckInvariants(kv); !errors.Is(err, ErrInvariant) {
				t.Fatalf("CheckInvariants = %v, want %v", err, ErrInvariant)
			}
		})
	}
}

func TestBeginBlockForgetsExpiredNonces(t *testing.T) {
	kv, _, _ := issuedState(t)
	countNonces := func() int {
		n := 0
		kv.Scan([]byte(prefixNonce), func(_, _ []byte) bool { n++; return true })
		return n
	}
	if got := countNonces(); got != 4 {
		t.Fatalf("%d nonces spent, want 4", got)
	}
	BeginBlock(kv, Block{Height: 5})
	if got := countNonces(); got != 4 {
		t.Fatalf("at height 5, valid_until 5 is still live: %d nonces, want 4", got)
	}
	BeginBlock(kv, Block{Height: 6})
	if got := countNonces(); got != 0 {
		t.Fatalf("at height 6 every nonce has expired: %d left", got)
	}
	leftover := 0
	kv.Scan([]byte(prefixNonceExpiry), func(_, _ []byte) bool { leftover++; return true })
	if leftover != 0 {
		t.Fatalf("%d expiry entries left", leftover)
	}
}
