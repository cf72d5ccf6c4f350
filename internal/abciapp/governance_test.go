package abciapp

import (
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/chipmint/chipmint/internal/txn"
)

// Helpers of the issuers' threshold and controls (decision 0027).

// propose signs a's proposal of action and returns it with the proposal's id.
func (h *harness) propose(a actor, action txn.Msg) ([]byte, string) {
	tx := h.sign(a, txn.NewPropose(action))
	return tx, txn.ProposalID(a.addr, h.nonce)
}

func (h *harness) approve(a actor, id string) []byte {
	return h.sign(a, &txn.Approve{ProposalID: id})
}

// ok runs a block of tx, fails unless it is applied, and returns its result.
func (h *harness) ok(tx []byte) *abci.ExecTxResult {
	h.t.Helper()
	res := h.block(tx)[0]
	if txn.Code(res.Code) != txn.OK {
		h.t.Fatalf("height %d: %s: %s", h.height, txn.Code(res.Code), res.Log)
	}
	return res
}

// refused runs a block of tx and fails unless it is refused with want.
func (h *harness) refused(tx []byte, want txn.Code) {
	h.t.Helper()
	if res := h.block(tx)[0]; txn.Code(res.Code) != want {
		h.t.Fatalf("height %d: got %s (%s), want %s", h.height, txn.Code(res.Code), res.Log, want)
	}
}

// approved has issuerA propose action and issuerB approve it, which applies it; it
// returns the approval's result.
func (h *harness) approved(action txn.Msg) *abci.ExecTxResult {
	h.t.Helper()
	tx, id := h.propose(issuerA, action)
	h.ok(tx)
	return h.ok(h.approve(issuerB, id))
}

// governanceRejections are the refusals of the issuers' threshold and controls: each
// new result code, the roles of each new type, and replays.
func governanceRejections() []rejectionCase {
	board := func(h *harness) {
		h.mustBlock(h.sign(issuerA, &txn.AddIssuer{ID: "issuer-b", Address: issuerB.addr, PublicKey: issuerB.pub}))
		h.mustBlock(h.sign(issuerA, &txn.SetIssuerThreshold{Threshold: 2}))
	}
	return []rejectionCase{
		{"registration by one issuer of two", txn.NeedsApproval, func(h *harness) []byte {
			board(h)
			return h.sign(issuerA, registerMsg(operatorB, "bobco"))
		}},
		{"issue above the approval limit by one issuer of two", txn.NeedsApproval, func(h *harness) []byte {
			id := h.paidOrder("UETR-1")
			board(h)
			return h.sign(issuerB, &txn.Issue{OrderID: id, Chips: 100_000_000})
		}},
		{"unpause by one issuer of two", txn.NeedsApproval, func(h *harness) []byte {
			h.mustBlock(h.sign(issuerA, &txn.Pause{Operation: txn.OperationBuy, Reason: "incident"}))
			board(h)
			return h.sign(issuerA, &txn.Unpause{Operation: txn.OperationBuy})
		}},
		{"approval of an unknown proposal", txn.UnknownProposal, func(h *harness) []byte {
			return h.approve(issuerA, "00000000000000000000")
		}},
		{"proposal id reused after its nonce expired", txn.ProposalExists, func(h *harness) []byte {
			msg := txn.NewPropose(&txn.Unpause{Operation: txn.OperationBuy})
			h.mustBlock(h.sign(issuerA, &txn.Pause{Operation: txn.OperationBuy, Reason: "incident"}))
			h.mustBlock(mustSign(testChainID, msg, issuerA.priv, 4245, uint64(h.height+1)))
			h.mustBlock(h.sign(issuerA, &txn.Pause{Operation: txn.OperationBuy, Reason: "incident"}))
			h.mustBlock()
			return mustSign(testChainID, msg, issuerA.priv, 4245, uint64(h.height+5))
		}},
		{"approval of an executed proposal", txn.ProposalNotPending, func(h *harness) []byte {
			h.mustBlock(h.sign(issuerA, &txn.AddIssuer{ID: "issuer-b", Address: issuerB.addr, PublicKey: issuerB.pub}))
			tx, id := h.propose(issuerA, registerMsg(operatorB, "bobco"))
			h.mustBlock(tx)
			return h.approve(issuerB, id)
		}},
		{"approval of an expired proposal", txn.ProposalNotPending, func(h *harness) []byte {
			board(h)
			tx, id := h.propose(issuerA, registerMsg(operatorB, "bobco"))
			h.mustBlock(tx)
			for range testProposalTTLBlocks + 1 {
				h.mustBlock()
			}
			return h.approve(issuerB, id)
		}},
		{"approval by the proposer", txn.AlreadyApproved, func(h *harness) []byte {
			board(h)
			tx, id := h.propose(issuerA, registerMsg(operatorB, "bobco"))
			h.mustBlock(tx)
			return h.approve(issuerA, id)
		}},
		{"approval whose action its rules refuse", txn.OperatorExists, func(h *harness) []byte {
			board(h)
			tx, id := h.propose(issuerA, registerMsg(operatorB, "acme"))
			h.mustBlock(tx)
			return h.approve(issuerB, id)
		}},
		{"proposal whose action its rules refuse at once", txn.OperatorExists, func(h *harness) []byte {
			tx, _ := h.propose(issuerA, registerMsg(operatorB, "acme"))
			return tx
		}},
		{"proposal of a pause", txn.InvalidField, func(h *harness) []byte {
			return h.sign(issuerA, &txn.Propose{Action: txn.TypePause, Body: txn.EncodeRecord(txn.Pause{Operation: "buy", Reason: "x"})})
		}},
		{"proposal by a stranger", txn.NotIssuer, func(h *harness) []byte {
			tx, _ := h.propose(stranger, registerMsg(operatorB, "bobco"))
			return tx
		}},
		{"proposal by an operator", txn.WrongRole, func(h *harness) []byte {
			tx, _ := h.propose(operatorA, registerMsg(operatorB, "bobco"))
			return tx
		}},
		{"approval by a buyer", txn.NotIssuer, func(h *harness) []byte {
			board(h)
			tx, id := h.propose(issuerA, registerMsg(operatorB, "bobco"))
			h.mustBlock(tx)
			return h.approve(alice, id)
		}},
		{"approval by an operator", txn.WrongRole, func(h *harness) []byte {
			board(h)
			tx, id := h.propose(issuerA, registerMsg(operatorB, "bobco"))
			h.mustBlock(tx)
			return h.approve(operatorA, id)
		}},
		{"approval replayed", txn.Replayed, func(h *harness) []byte {
			h.mustBlock(h.sign(issuerA, &txn.AddIssuer{ID: "issuer-b", Address: issuerB.addr, PublicKey: issuerB.pub}))
			h.mustBlock(h.sign(issuerA, &txn.AddIssuer{ID: "issuer-c", Address: issuerC.addr, PublicKey: issuerC.pub}))
			h.mustBlock(h.sign(issuerA, &txn.SetIssuerThreshold{Threshold: 3}))
			tx, id := h.propose(issuerA, registerMsg(operatorB, "bobco"))
			h.mustBlock(tx)
			tx = h.approve(issuerB, id)
			h.mustBlock(tx)
			return tx
		}},
		{"transfer while transfers are paused", txn.Paused, func(h *harness) []byte {
			h.issuedOrder(10_000, "UETR-IN")
			h.mustBlock(h.sign(issuerA, &txn.Pause{Operation: txn.OperationTransfer, Reason: "incident"}))
			return h.sign(alice, &txn.Transfer{To: bob.addr, AmountChips: 1})
		}},
		{"pause twice", txn.Paused, func(h *harness) []byte {
			h.mustBlock(h.sign(issuerA, &txn.Pause{Operation: txn.OperationTransfer, Reason: "incident"}))
			return h.sign(issuerA, &txn.Pause{Operation: txn.OperationTransfer, Reason: "incident"})
		}},
		{"pause by an operator", txn.WrongRole, func(h *harness) []byte {
			return h.sign(operatorA, &txn.Pause{Operation: txn.OperationTransfer, Reason: "incident"})
		}},
		{"pause by a stranger", txn.NotIssuer, func(h *harness) []byte {
			return h.sign(stranger, &txn.Pause{Operation: txn.OperationTransfer, Reason: "incident"})
		}},
		{"unpause of an operation not paused", txn.NotPaused, func(h *harness) []byte {
			return h.sign(issuerA, &txn.Unpause{Operation: txn.OperationRedeem})
		}},
		{"transfer to a frozen account", txn.Frozen, func(h *harness) []byte {
			h.issuedOrder(10_000, "UETR-IN")
			h.mustBlock(h.sign(issuerA, &txn.Freeze{Address: bob.addr, Reason: "court order"}))
			return h.sign(alice, &txn.Transfer{To: bob.addr, AmountChips: 1})
		}},
		{"freeze twice", txn.Frozen, func(h *harness) []byte {
			h.mustBlock(h.sign(issuerA, &txn.Freeze{Address: bob.addr, Reason: "court order"}))
			return h.sign(issuerA, &txn.Freeze{Address: bob.addr, Reason: "court order"})
		}},
		{"freeze by a buyer", txn.NotIssuer, func(h *harness) []byte {
			return h.sign(alice, &txn.Freeze{Address: bob.addr, Reason: "court order"})
		}},
		{"freeze by an operator", txn.WrongRole, func(h *harness) []byte {
			return h.sign(operatorA, &txn.Freeze{Address: bob.addr, Reason: "court order"})
		}},
		{"freeze replayed", txn.Replayed, func(h *harness) []byte {
			tx := h.sign(issuerA, &txn.Freeze{Address: bob.addr, Reason: "court order"})
			h.mustBlock(tx)
			return tx
		}},
		{"unfreeze of an account not frozen", txn.NotFrozen, func(h *harness) []byte {
			return h.sign(issuerA, &txn.Unfreeze{Address: bob.addr})
		}},
		{"unfreeze by a stranger", txn.NotIssuer, func(h *harness) []byte {
			h.mustBlock(h.sign(issuerA, &txn.Freeze{Address: bob.addr, Reason: "court order"}))
			return h.sign(stranger, &txn.Unfreeze{Address: bob.addr})
		}},
		{"confirmation by a revoked operator", txn.OperatorRevoked, func(h *harness) []byte {
			tx, id := h.buy(alice, "acme", 10_000)
			h.mustBlock(tx)
			h.mustBlock(h.sign(issuerA, &txn.RevokeOperator{ID: "acme", Reason: "licence withdrawn"}))
			return h.sign(operatorA, confirmMsg(id, alice, 10_000, "UETR-1"))
		}},
		{"revoke twice", txn.OperatorRevoked, func(h *harness) []byte {
			h.mustBlock(h.sign(issuerA, &txn.RevokeOperator{ID: "acme", Reason: "licence withdrawn"}))
			return h.sign(issuerA, &txn.RevokeOperator{ID: "acme", Reason: "licence withdrawn"})
		}},
		{"revoke of an unknown operator", txn.UnknownOperator, func(h *harness) []byte {
			return h.sign(issuerA, &txn.RevokeOperator{ID: "nobody", Reason: "licence withdrawn"})
		}},
		{"revoke by the operator", txn.WrongRole, func(h *harness) []byte {
			return h.sign(operatorA, &txn.RevokeOperator{ID: "acme", Reason: "licence withdrawn"})
		}},
		{"update of an unknown operator", txn.UnknownOperator, func(h *harness) []byte {
			return h.sign(issuerA, updateMsg("nobody", 1_000_000_000))
		}},
		{"update to another currency", txn.CurrencyMismatch, func(h *harness) []byte {
			m := updateMsg("acme", 1_000_000_000)
			m.Account.Currency = "USD"
			return h.sign(issuerA, m)
		}},
		{"update of the cap below the outstanding chips", txn.CapExceeded, func(h *harness) []byte {
			h.issuedOrder(10_000, "UETR-IN")
			return h.sign(issuerA, updateMsg("acme", 99_999_999))
		}},
		{"update by a stranger", txn.NotIssuer, func(h *harness) []byte {
			return h.sign(stranger, updateMsg("acme", 1_000_000_000))
		}},
		{"issuer added twice", txn.IssuerExists, func(h *harness) []byte {
			return h.sign(issuerA, &txn.AddIssuer{ID: "issuer-b", Address: issuerA.addr, PublicKey: issuerA.pub})
		}},
		{"issuer added under a used id", txn.IssuerExists, func(h *harness) []byte {
			return h.sign(issuerA, &txn.AddIssuer{ID: "issuer", Address: issuerB.addr, PublicKey: issuerB.pub})
		}},
		{"issuer added with an operator's key", txn.WrongRole, func(h *harness) []byte {
			return h.sign(issuerA, &txn.AddIssuer{ID: "issuer-b", Address: operatorA.addr, PublicKey: operatorA.pub})
		}},
		{"removal of an unknown issuer", txn.UnknownIssuer, func(h *harness) []byte {
			return h.sign(issuerA, &txn.RemoveIssuer{Address: stranger.addr})
		}},
		{"removal of the last issuer", txn.ThresholdUnreachable, func(h *harness) []byte {
			return h.sign(issuerA, &txn.RemoveIssuer{Address: issuerA.addr})
		}},
		{"removal below the threshold", txn.ThresholdUnreachable, func(h *harness) []byte {
			board(h)
			tx, id := h.propose(issuerA, &txn.RemoveIssuer{Address: issuerB.addr})
			h.mustBlock(tx)
			return h.approve(issuerB, id)
		}},
		{"threshold above the issuers", txn.ThresholdUnreachable, func(h *harness) []byte {
			return h.sign(issuerA, &txn.SetIssuerThreshold{Threshold: 2})
		}},
		{"threshold set by an operator", txn.WrongRole, func(h *harness) []byte {
			return h.sign(operatorA, &txn.SetIssuerThreshold{Threshold: 1})
		}},
	}
}

func updateMsg(id string, capChips uint64) *txn.UpdateOperator {
	return &txn.UpdateOperator{
		ID:       id,
		Account:  txn.Account{IBAN: "DE89370400440532013000", BIC: "COBADEFFXXX", Holder: "Acme Payments GmbH", Currency: "EUR"},
		Rate:     txn.Rate{Chips: 1_000_000, Minor: 100},
		CapChips: capChips,
	}
}

// TestOneIssuerOfTwoCannotActAlone: with two of three issuers to approve, one
// signature cannot register an operator, issue above the approval limit, update or
// revoke an operator, unpause or unfreeze; a proposal waits for a second issuer, whose
// approval applies it, with its events.
func TestOneIssuerOfTwoCannotActAlone(t *testing.T) {
	tests := []struct {
		name   string
		setup  func(h *harness)
		action func(h *harness) txn.Msg
		event  [3]string
		holds  func(h *harness) bool
	}{
		{"register an operator", func(*harness) {}, func(*harness) txn.Msg { return registerMsg(operatorB, "bobco") },
			[3]string{"operator", "id", "bobco"}, func(h *harness) bool { return h.operator("bobco").Address == operatorB.addr }},
		{"issue above the limit", func(h *harness) { h.approved(registerMsg(operatorA, "acme")) },
			func(h *harness) txn.Msg { return &txn.Issue{OrderID: h.paidOrder("UETR-1"), Chips: 100_000_000} },
			[3]string{"order", "status", "issued"}, func(h *harness) bool { return h.balance(alice) == 100_000_000 }},
		{"update an operator", func(h *harness) { h.approved(registerMsg(operatorA, "acme")) },
			func(*harness) txn.Msg { return updateMsg("acme", 2_000_000_000) },
			[3]string{"operator", "action", "updated"}, func(h *harness) bool { return h.operator("acme").CapChips == 2_000_000_000 }},
		{"revoke an operator", func(h *harness) { h.approved(registerMsg(operatorA, "acme")) },
			func(*harness) txn.Msg { return &txn.RevokeOperator{ID: "acme", Reason: "licence withdrawn"} },
			[3]string{"operator", "action", "revoked"}, func(h *harness) bool { return h.operator("acme").RevokedHeight > 0 }},
		{"unpause", func(h *harness) { h.ok(h.sign(issuerC, &txn.Pause{Operation: txn.OperationBuy, Reason: "incident"})) },
			func(*harness) txn.Msg { return &txn.Unpause{Operation: txn.OperationBuy} },
			[3]string{"pause", "status", "unpaused"}, func(h *harness) bool {
				h.approved(registerMsg(operatorA, "acme"))
				tx, _ := h.buy(alice, "acme", 10_000)
				return txn.Code(h.block(tx)[0].Code) == txn.OK
			}},
		{"unfreeze", func(h *harness) { h.ok(h.sign(issuerC, &txn.Freeze{Address: bob.addr, Reason: "court order"})) },
			func(*harness) txn.Msg { return &txn.Unfreeze{Address: bob.addr} },
			[3]string{"freeze", "status", "unfrozen"}, func(h *harness) bool {
				h.approved(registerMsg(operatorA, "acme"))
				h.issuedByBoard(1_000, "UETR-2")
				return txn.Code(h.block(h.sign(alice, &txn.Transfer{To: bob.addr, AmountChips: 1}))[0].Code) == txn.OK
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newBoardHarness(t)
			tt.setup(h)
			action := tt.action(h)
			h.refused(h.sign(issuerA, action), txn.NeedsApproval)
			tx, id := h.propose(issuerA, action)
			if res := h.ok(tx); !hasEvent(res.Events, "proposal", "status", "pending") || !hasEvent(res.Events, "proposal", "approvals", "1") {
				t.Fatalf("proposal events = %v", res.Events)
			}
			h.refused(h.approve(issuerA, id), txn.AlreadyApproved)
			res := h.ok(h.approve(issuerC, id))
			if !hasEvent(res.Events, "proposal", "status", "executed") || !hasEvent(res.Events, tt.event[0], tt.event[1], tt.event[2]) {
				t.Fatalf("the approval reaching the threshold emits %v", res.Events)
			}
			if !tt.holds(h) {
				t.Fatal("the action's effect does not hold")
			}
			h.refused(h.approve(issuerB, id), txn.ProposalNotPending)
		})
	}
}

// issuedByBoard has alice buy and be issued amountMinor's worth of acme's chips, within
// the limit one issuer may issue alone.
func (h *harness) issuedByBoard(amountMinor uint64, bankRef string) {
	h.t.Helper()
	tx, id := h.buy(alice, "acme", amountMinor)
	h.mustBlock(tx)
	h.mustBlock(h.sign(operatorA, confirmMsg(id, alice, amountMinor, bankRef)))
	h.mustBlock(h.sign(issuerB, &txn.Issue{OrderID: id, Chips: amountMinor * 10_000}))
}

func TestIssueWithinTheLimitNeedsOneIssuer(t *testing.T) {
	h := newBoardHarness(t)
	h.approved(registerMsg(operatorA, "acme"))
	h.issuedByBoard(5_000, "UETR-1")
	if got := h.balance(alice); got != testIssueApprovalChips {
		t.Fatalf("alice holds %d chips", got)
	}
}

// TestHeldIssueWaits: an approval whose action is refused is refused with the action's
// code, and the proposal waits for another approval once the cause is gone.
func TestHeldIssueWaits(t *testing.T) {
	h := newBoardHarness(t)
	h.approved(registerMsg(operatorA, "acme"))
	id := h.paidOrder("UETR-1")
	h.ok(h.sign(issuerC, &txn.HoldOrder{OrderID: id, Reason: "screening"}))
	tx, pid := h.propose(issuerA, &txn.Issue{OrderID: id, Chips: 100_000_000})
	h.ok(tx)
	h.refused(h.approve(issuerB, pid), txn.OrderHeld)
	h.ok(h.sign(issuerC, &txn.ReleaseOrder{OrderID: id}))
	h.ok(h.approve(issuerB, pid))
	if o := h.order(id); o.Status != txn.StatusIssued {
		t.Fatalf("order = %+v", o)
	}
}

// TestRemovedIssuersApprovalLapses: an approval counts only while its issuer is one.
func TestRemovedIssuersApprovalLapses(t *testing.T) {
	h := newBoardHarness(t)
	tx, id := h.propose(issuerA, registerMsg(operatorA, "acme"))
	h.ok(tx)
	h.approved(&txn.AddIssuer{ID: "issuer-d", Address: stranger.addr, PublicKey: stranger.pub})
	tx, rid := h.propose(issuerB, &txn.RemoveIssuer{Address: issuerA.addr})
	h.ok(tx)
	if res := h.ok(h.approve(issuerC, rid)); !hasEvent(res.Events, "issuer", "action", "removed") {
		t.Fatalf("removal events = %v", res.Events)
	}
	// issuerA's approval lapsed: issuerB's is the only one that counts.
	if res := h.ok(h.approve(issuerB, id)); !hasEvent(res.Events, "proposal", "status", "pending") {
		t.Fatalf("a removed issuer's approval still counts: %v", res.Events)
	}
	h.refused(h.approve(issuerA, id), txn.NotIssuer)
	h.ok(h.approve(stranger, id))
	if op := h.operator("acme"); op.RegisteredBy != stranger.addr {
		t.Fatalf("operator registered by %s, want the issuer whose approval reached the threshold", op.RegisteredBy)
	}
}

func TestProposalExpires(t *testing.T) {
	h := newBoardHarness(t)
	tx, id := h.propose(issuerA, registerMsg(operatorA, "acme"))
	h.ok(tx)
	expired := false
	for range testProposalTTLBlocks + 1 {
		res := h.finalize()
		expired = expired || hasEvent(res.Events, "proposal", "id", id) && hasEvent(res.Events, "proposal", "status", "expired")
	}
	if !expired {
		t.Fatal("no block announced the proposal's expiry")
	}
	h.refused(h.approve(issuerB, id), txn.ProposalNotPending)
}

func TestIssuerSetChanges(t *testing.T) {
	h := newBoardHarness(t)
	if res := h.approved(&txn.SetIssuerThreshold{Threshold: 3}); !hasEvent(res.Events, "issuer_threshold", "threshold", "3") {
		t.Fatalf("threshold events = %v", res.Events)
	}
	tx, id := h.propose(issuerA, registerMsg(operatorA, "acme"))
	h.ok(tx)
	if res := h.ok(h.approve(issuerB, id)); !hasEvent(res.Events, "proposal", "approvals", "2") || !hasEvent(res.Events, "proposal", "status", "pending") {
		t.Fatalf("two approvals of three applied the action: %v", res.Events)
	}
	h.ok(h.approve(issuerC, id))
	tx, rid := h.propose(issuerA, &txn.RemoveIssuer{Address: issuerC.addr})
	h.ok(tx)
	h.ok(h.approve(issuerB, rid))
	h.refused(h.approve(issuerC, rid), txn.ThresholdUnreachable)
}

// TestControlsRefuseOtherRoles: every control is an issuer's; a stranger, an operator
// and a buyer are refused, each with its code.
func TestControlsRefuseOtherRoles(t *testing.T) {
	controls := []txn.Msg{
		&txn.Pause{Operation: txn.OperationIssue, Reason: "incident"},
		&txn.Unpause{Operation: txn.OperationIssue},
		&txn.Freeze{Address: bob.addr, Reason: "court order"},
		&txn.Unfreeze{Address: bob.addr},
		updateMsg("acme", 2_000_000_000),
		&txn.RevokeOperator{ID: "acme", Reason: "licence withdrawn"},
		&txn.AddIssuer{ID: "issuer-d", Address: bob.addr, PublicKey: bob.pub},
		&txn.RemoveIssuer{Address: issuerA.addr},
		&txn.SetIssuerThreshold{Threshold: 1},
		txn.NewPropose(&txn.SetIssuerThreshold{Threshold: 1}),
		&txn.Approve{ProposalID: "00000000000000000000"},
	}
	h := newBoardHarness(t)
	h.approved(registerMsg(operatorA, "acme"))
	h.issuedByBoard(1_000, "UETR-1")
	for _, m := range controls {
		for _, who := range []struct {
			signer actor
			want   txn.Code
		}{{stranger, txn.NotIssuer}, {operatorA, txn.WrongRole}, {alice, txn.NotIssuer}} {
			tx := h.sign(who.signer, m)
			if got := txn.Code(h.checkTx(tx).Code); got != who.want {
				t.Errorf("%s by %s: CheckTx %s, want %s", m.Type(), who.signer.name, got, who.want)
			}
		}
	}
}

// TestPause: one issuer pauses an operation, which every signer is then refused, and
// the issuers unpause it.
func TestPause(t *testing.T) {
	tests := []struct {
		operation string
		tx        func(h *harness) []byte
	}{
		{txn.OperationBuy, func(h *harness) []byte { tx, _ := h.buy(alice, "acme", 1_000); return tx }},
		{txn.OperationConfirm, func(h *harness) []byte {
			tx, id := h.buy(bob, "acme", 1_000)
			h.mustBlock(tx)
			return h.sign(operatorA, confirmMsg(id, bob, 1_000, id))
		}},
		{txn.OperationIssue, func(h *harness) []byte {
			tx, id := h.buy(bob, "acme", 1_000)
			h.mustBlock(tx)
			h.mustBlock(h.sign(operatorA, confirmMsg(id, bob, 1_000, id)))
			return h.sign(issuerA, &txn.Issue{OrderID: id, Chips: 10_000_000})
		}},
		{txn.OperationTransfer, func(h *harness) []byte { return h.sign(alice, &txn.Transfer{To: bob.addr, AmountChips: 1}) }},
		{txn.OperationRedeem, func(h *harness) []byte { tx, _ := h.redeem(alice, "acme", 1_000_000); return tx }},
	}
	for _, tt := range tests {
		t.Run(tt.operation, func(t *testing.T) {
			h := newBoardHarness(t)
			h.approved(registerMsg(operatorA, "acme"))
			h.issuedByBoard(1_000, "UETR-1")
			res := h.ok(h.sign(issuerB, &txn.Pause{Operation: tt.operation, Reason: "incident"}))
			if !hasEvent(res.Events, "pause", "operation", tt.operation) || !hasEvent(res.Events, "pause", "status", "paused") {
				t.Fatalf("pause events = %v", res.Events)
			}
			tx := tt.tx(h)
			if got := txn.Code(h.checkTx(tx).Code); got != txn.Paused {
				t.Fatalf("CheckTx of a paused %s: %s", tt.operation, got)
			}
			h.refused(tx, txn.Paused)
			h.approved(&txn.Unpause{Operation: tt.operation})
			h.ok(tt.tx(h))
		})
	}
}

// TestFreeze: a frozen account cannot send, receive, be issued chips or redeem, until
// the issuers unfreeze it.
func TestFreeze(t *testing.T) {
	h := newHarness(t)
	h.setupOperator()
	h.issuedOrder(10_000, "UETR-IN")
	res := h.ok(h.sign(issuerA, &txn.Freeze{Address: bob.addr, Reason: "court order"}))
	if !hasEvent(res.Events, "freeze", "address", bob.addr.String()) || !hasEvent(res.Events, "freeze", "status", "frozen") {
		t.Fatalf("freeze events = %v", res.Events)
	}
	h.refused(h.sign(alice, &txn.Transfer{To: bob.addr, AmountChips: 1}), txn.Frozen)
	tx, id := h.buy(bob, "acme", 1_000)
	h.mustBlock(tx)
	h.mustBlock(h.sign(operatorA, confirmMsg(id, bob, 1_000, "UETR-B")))
	h.refused(h.sign(issuerA, &txn.Issue{OrderID: id, Chips: 10_000_000}), txn.Frozen)
	h.ok(h.sign(issuerA, &txn.Unfreeze{Address: bob.addr}))
	h.ok(h.sign(issuerA, &txn.Issue{OrderID: id, Chips: 10_000_000}))

	h.ok(h.sign(issuerA, &txn.Freeze{Address: alice.addr, Reason: "court order"}))
	h.refused(h.sign(alice, &txn.Transfer{To: bob.addr, AmountChips: 1}), txn.Frozen)
	tx, _ = h.redeem(alice, "acme", 1_000_000)
	h.refused(tx, txn.Frozen)
	if got := h.balance(alice); got != 100_000_000 {
		t.Fatalf("alice holds %d chips", got)
	}
}

// TestRevokedOperator: a revoked operator takes no money in, and its holders still
// redeem through it.
func TestRevokedOperator(t *testing.T) {
	h := newBoardHarness(t)
	h.approved(registerMsg(operatorA, "acme"))
	h.issuedByBoard(2_000, "UETR-1")
	tx, waiting := h.buy(bob, "acme", 1_000)
	h.mustBlock(tx)
	h.approved(&txn.RevokeOperator{ID: "acme", Reason: "licence withdrawn"})
	h.refused(h.sign(operatorA, confirmMsg(waiting, bob, 1_000, "UETR-2")), txn.OperatorRevoked)
	tx, _ = h.buy(alice, "acme", 1_000)
	h.refused(tx, txn.OperatorRevoked)
	tx, rid := h.redeem(alice, "acme", 10_000_000)
	h.ok(tx)
	h.ok(h.sign(operatorA, &txn.PayoutInitiated{RedemptionID: rid, PayoutReference: "PAIN-1"}))
	h.ok(h.sign(operatorA, &txn.ConfirmPayout{RedemptionID: rid, BankReference: "DEBIT-1"}))
	if s := h.supply(); s.TotalChips != 10_000_000 || s.BurnedChips != 10_000_000 {
		t.Fatalf("supply = %+v", s)
	}
}

// TestUpdateOperator: the issuers change an operator's rate and cap; orders fixed at
// the old rate keep their chips, and the invariants, checked after every block, hold.
func TestUpdateOperator(t *testing.T) {
	h := newHarness(t)
	h.setupOperator()
	h.issuedOrder(10_000, "UETR-1")
	m := updateMsg("acme", 100_000_000)
	m.Rate = txn.Rate{Chips: 1_000_000, Minor: 200}
	res := h.ok(h.sign(issuerA, m))
	if !hasEvent(res.Events, "operator", "rate", "1000000/200") || !hasEvent(res.Events, "operator", "action", "updated") {
		t.Fatalf("update events = %v", res.Events)
	}
	op := h.operator("acme")
	if op.CapChips != 100_000_000 || len(op.PastRates) != 1 || op.PaymentAccount().IBAN != m.Account.IBAN {
		t.Fatalf("operator = %+v", op)
	}
	tx, _ := h.buy(alice, "acme", 200)
	h.refused(tx, txn.CapExceeded)
	h.ok(h.sign(issuerA, updateMsg("acme", 200_000_000)))
	tx, id := h.buy(alice, "acme", 200)
	h.ok(tx)
	h.ok(h.sign(operatorA, confirmMsg(id, alice, 200, "UETR-2")))
	if o := h.order(id); o.Chips != 2_000_000 {
		t.Fatalf("order at the rate restored = %+v", o)
	}
}

// With two of three issuers needed, an issuer's rotated key is refused: its approval no
// longer counts, and the new key's does. A validator is added the same way.
func TestRotatedIssuerKeyRefusedOnTheBoard(t *testing.T) {
	h := newBoardHarness(t)
	h.ok(h.sign(issuerB, txn.NewHandOver(txn.RoleIssuer, issuerNew.pub)))
	h.ok(h.sign(issuerNew, &txn.TakeOver{From: issuerB.addr}))
	action := &txn.SetValidator{PublicKey: validatorB.pub, Power: 10}
	h.refused(h.sign(issuerA, action), txn.NeedsApproval)
	tx, id := h.propose(issuerA, action)
	h.ok(tx)
	h.refused(h.sign(issuerB, &txn.Approve{ProposalID: id}), txn.NotIssuer)
	res := h.finalize(h.sign(issuerNew, &txn.Approve{ProposalID: id}))
	if txn.Code(res.TxResults[0].Code) != txn.OK || len(res.ValidatorUpdates) != 1 || res.ValidatorUpdates[0].Power != 10 {
		t.Fatalf("the new key's approval: %s (%s), validator updates %v", txn.Code(res.TxResults[0].Code), res.TxResults[0].Log, res.ValidatorUpdates)
	}
}
