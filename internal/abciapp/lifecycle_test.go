package abciapp

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"strings"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/chipmint/chipmint/internal/ledger"
	"github.com/chipmint/chipmint/internal/merkle"
	"github.com/chipmint/chipmint/internal/query"
	"github.com/chipmint/chipmint/internal/store"
	"github.com/chipmint/chipmint/internal/txn"
)

func TestLifecycleBothVariants(t *testing.T) {
	h := newHarness(t)
	h.setupOperator()

	// Variant A: buy, account notice, issue.
	buyA, orderA := h.buy(alice, "acme", 10_000)
	h.mustBlock(buyA)
	if o := h.order(orderA); o.Status != txn.StatusAwaitingPayment || o.PaymentReference != txn.PaymentReference(orderA) {
		t.Fatalf("after buy: %+v", o)
	}
	h.mustBlock(h.sign(operatorA, confirmMsg(orderA, alice, 10_000, "UETR-A")))
	if o := h.order(orderA); o.Status != txn.StatusPaid || o.Chips != 100_000_000 || o.ConfirmedBy != txn.ConfirmedByNotice {
		t.Fatalf("after confirm: %+v", o)
	}
	h.mustBlock(h.sign(issuerA, &txn.Issue{OrderID: orderA, Chips: 100_000_000}))

	// Variant B: buy, receipt countersigned by the buyer, issue.
	buyB, orderB := h.buy(bob, "acme", 25_000)
	h.mustBlock(buyB)
	h.mustBlock(h.submitReceipt(bob, operatorA, receiptMsg(orderB, bob, 25_000, "UETR-B")))
	if o := h.order(orderB); o.Status != txn.StatusPaid || testPayer.Check(o.PayerCommitment) != nil || o.ConfirmedBy != txn.ConfirmedByReceipt {
		t.Fatalf("after receipt: %+v", o)
	}
	res := h.block(h.sign(issuerA, &txn.Issue{OrderID: orderB, Chips: 250_000_000}))
	if !hasEvent(res[0].Events, "order", "id", orderB) || !hasEvent(res[0].Events, "order", "status", string(txn.StatusIssued)) {
		t.Errorf("issue events %v lack the order's id and status", res[0].Events)
	}

	h.mustBlock(h.sign(alice, &txn.Transfer{To: bob.addr, AmountChips: 30_000_000}))
	if a, b := h.balance(alice), h.balance(bob); a != 70_000_000 || b != 280_000_000 {
		t.Fatalf("balances alice %d bob %d", a, b)
	}
	var s txn.Supply
	h.query(query.PathSupply, "", &s)
	if s != (txn.Supply{TotalChips: 350_000_000, IssuedChips: 350_000_000}) {
		t.Fatalf("supply %+v", s)
	}
	var op txn.Operator
	h.query(query.PathOperator, "acme", &op)
	if op.IssuedChips != 350_000_000 {
		t.Fatalf("operator issued %d", op.IssuedChips)
	}
	if inv := h.app.Invariants(); !inv.OK || inv.Height != h.height {
		t.Fatalf("invariants: %+v", inv)
	}
}

// An operator registered with an account without an IBAN is paid in its currency by
// account notice, and its record answers the account as registered.
func TestLifecycleAccountWithoutIBAN(t *testing.T) {
	h := newHarness(t)
	h.setupOperator()
	reg := registerAccountMsg(operatorB, "bobco")
	res := h.block(h.sign(issuerA, reg))
	if res[0].Code != 0 || !hasEvent(res[0].Events, "operator", "account", "6222021001000000001 (scheme BBAN)") ||
		!hasEvent(res[0].Events, "msg", "type", "register_operator_account") {
		t.Fatalf("registration: code %d events %v", res[0].Code, res[0].Events)
	}
	var op txn.Operator
	h.query(query.PathOperator, "bobco", &op)
	if op.ReceivingAccount == nil || *op.ReceivingAccount != reg.Account || op.Account != (txn.BankAccount{}) {
		t.Fatalf("operator record %+v", op)
	}
	buy, id := h.buyIn(alice, "bobco", "CNY", 68_800)
	h.mustBlock(buy)
	confirm := confirmMsg(id, alice, 68_800, "CNAPS-20260101-0001")
	confirm.Currency = "CNY"
	h.mustBlock(h.sign(operatorB, confirm))
	h.mustBlock(h.sign(issuerA, &txn.Issue{OrderID: id, Chips: 688_000_000}))
	if o := h.order(id); o.Status != txn.StatusIssued || o.Currency != "CNY" {
		t.Fatalf("order %+v", o)
	}
	if b := h.balance(alice); b != 688_000_000 {
		t.Fatalf("balance %d", b)
	}
	if inv := h.app.Invariants(); !inv.OK {
		t.Fatalf("invariants: %+v", inv)
	}
}

func hasEvent(events []abci.Event, typ, key, value string) bool {
	for _, e := range events {
		for _, a := range e.Attributes {
			if e.Type == typ && a.Key == key && a.Value == value {
				return true
			}
		}
	}
	return false
}

func TestQueryErrors(t *testing.T) {
	h := newHarness(t)
	tests := []struct {
		name, path, data string
		want             uint32
	}{
		{"unknown path", "/nope", "", query.BadRequest},
		{"missing order", query.PathOrder, "00000000000000000000", query.NotFound},
		{"missing operator", query.PathOperator, "acme", query.NotFound},
		{"bad address", query.PathBalance, "chip1nothing", query.BadRequest},
		{"issuers", query.PathIssuers, "", query.OK},
		{"empty operator list", query.PathOperators, "", query.OK},
		{"the invariants, which read the whole state", query.PathInvariants, "", query.OperatorOnly},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := h.query(tc.path, tc.data, nil); got != tc.want {
				t.Fatalf("code %d, want %d", got, tc.want)
			}
		})
	}
}

func TestRestartKeepsHeightAndAppHash(t *testing.T) {
	h := newHarness(t)
	h.setupOperator()
	h.paidOrder("UETR-1")
	before, err := h.app.Info(context.Background(), &abci.RequestInfo{})
	if err != nil {
		t.Fatal(err)
	}
	h.restart()
	after, err := h.app.Info(context.Background(), &abci.RequestInfo{})
	if err != nil {
		t.Fatal(err)
	}
	if after.LastBlockHeight != before.LastBlockHeight || after.LastBlockHeight != h.height {
		t.Fatalf("height %d after restart, %d before", after.LastBlockHeight, before.LastBlockHeight)
	}
	if !bytes.Equal(after.LastBlockAppHash, before.LastBlockAppHash) || len(after.LastBlockAppHash) == 0 {
		t.Fatalf("app hash %X after restart, %X before", after.LastBlockAppHash, before.LastBlockAppHash)
	}
	// The restarted app goes on from where it was.
	tx, _ := h.buy(bob, "acme", 5_000)
	h.mustBlock(tx)
}

// CometBFT runs InitChain at every start while the last committed height is 0. The
// application writes the genesis state only over an empty state, or finds it already
// there (a node restarted before its first block); any other state is refused, naming
// the fix, rather than have a chain start on entries no block wrote.
func TestInitChainRefusesAStateItDidNotWrite(t *testing.T) {
	forged := store.Change{Key: append([]byte("acct/"), stranger.addr[:]...), Value: binary.BigEndian.AppendUint64(nil, 1_000_000)}
	tests := []struct {
		name string
		// prepare leaves the database as a start finds it, h.app opened on it.
		prepare func(h *harness)
		refused bool
	}{
		{"an empty state", func(h *harness) { h.open() }, false},
		{"this genesis's state, after a restart before the first block", func(h *harness) {
			h.open()
			if _, err := h.initChain(); err != nil {
				t.Fatal(err)
			}
			h.restart()
		}, false},
		{"entries an unfinished restore left", func(h *harness) {
			h.open()
			if err := h.db.Commit(h.db.Prepare(0, nil, []store.Change{forged})); err != nil {
				t.Fatal(err)
			}
			h.restart()
		}, true},
		{"this genesis's state at another height", func(h *harness) {
			h.open()
			if _, err := h.initChain(); err != nil {
				t.Fatal(err)
			}
			if err := h.db.Commit(h.db.Prepare(7, h.db.Meta().AppHash, nil)); err != nil {
				t.Fatal(err)
			}
			h.restart()
		}, true},
		{"part of this genesis's state", func(h *harness) {
			h.open()
			if _, err := h.initChain(); err != nil {
				t.Fatal(err)
			}
			if err := h.db.Commit(h.db.Prepare(0, nil, []store.Change{{Key: []byte("supply"), Deleted: true}})); err != nil {
				t.Fatal(err)
			}
			h.restart()
		}, true},
		{"this genesis's state and an entry more", func(h *harness) {
			h.open()
			if _, err := h.initChain(); err != nil {
				t.Fatal(err)
			}
			if err := h.db.Commit(h.db.Prepare(0, nil, []store.Change{forged})); err != nil {
				t.Fatal(err)
			}
			h.restart()
		}, true},
	}
	genesisHash := newHarness(t).app.lastCommitted().AppHash
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := &harness{t: t, dir: t.TempDir(), genesis: oneIssuerGenesis()}
			tc.prepare(h)
			t.Cleanup(h.close)
			res, err := h.initChain()
			if tc.refused {
				if err == nil || !strings.Contains(err.Error(), "docs/operations.md") {
					t.Fatalf("InitChain over a state it did not write: %v; want a refusal naming the fix", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("InitChain: %v", err)
			}
			if !bytes.Equal(res.AppHash, genesisHash) {
				t.Fatalf("genesis app hash %X, want %X", res.AppHash, genesisHash)
			}
			h.setupOperator()
		})
	}
}

func TestGenesisWithoutIssuersIsRefused(t *testing.T) {
	h := &harness{t: t, dir: t.TempDir(), genesis: oneIssuerGenesis()}
	h.open()
	defer h.close()
	tests := []struct{ name, appState string }{
		{"no issuers", `{"issuers":[]}`},
		{"no app state", ``},
		{"unknown field", `{"issuers":[],"mint_everything":true}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := h.app.InitChain(context.Background(), &abci.RequestInitChain{ChainId: testChainID, AppStateBytes: []byte(tc.appState), InitialHeight: 1})
			if err == nil {
				t.Fatal("InitChain accepted a genesis that can never mint")
			}
		})
	}
	_, err := h.app.InitChain(context.Background(), &abci.RequestInitChain{ChainId: "another-chain", AppStateBytes: []byte(`{"issuers":[]}`), InitialHeight: 1})
	if err == nil {
		t.Fatal("InitChain accepted another chain's genesis")
	}
}

// A proposal holding a transaction that does not decode, or whose signature does not
// verify, is rejected whole, and PrepareProposal never proposes one: a byzantine
// proposer cannot fill blocks with transactions nobody signed.
func TestProposalWithTxFailingItsChecksIsRejected(t *testing.T) {
	for _, tc := range rejectionCases() {
		if tc.want > txn.BadSignature {
			continue // a rule of the state, judged in the block
		}
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.setupOperator()
			bad := tc.setup(h)
			good, _ := h.buy(alice, "acme", 10_000)
			other, _ := h.buy(bob, "acme", 10_000)
			if got := h.processProposal(good, bad, other); got != abci.ResponseProcessProposal_REJECT {
				t.Fatalf("ProcessProposal: %v, want REJECT", got)
			}
			prep, err := h.app.PrepareProposal(context.Background(), &abci.RequestPrepareProposal{MaxTxBytes: 1 << 20, Txs: [][]byte{bad, good, other}})
			if err != nil {
				t.Fatal(err)
			}
			if len(prep.Txs) != 2 || !bytes.Equal(prep.Txs[0], good) || !bytes.Equal(prep.Txs[1], other) {
				t.Fatalf("PrepareProposal kept %d txs, want only the two good ones", len(prep.Txs))
			}
			if got := h.processProposal(prep.Txs...); got != abci.ResponseProcessProposal_ACCEPT {
				t.Fatalf("ProcessProposal of what PrepareProposal proposed: %v", got)
			}
		})
	}
}

// Transactions this node never saw in CheckTx are verified by ProcessProposal, which
// accepts them, and FinalizeBlock then finds them verified.
func TestProposalOfUnseenTxsIsVerifiedAndAccepted(t *testing.T) {
	h := newHarness(t)
	h.setupOperator()
	a, _ := h.buy(alice, "acme", 10_000)
	b, _ := h.buy(bob, "acme", 20_000)
	for _, tx := range [][]byte{a, b} {
		if _, ok := h.app.verified.get(sha256.Sum256(tx)); ok {
			t.Fatal("a transaction nobody checked is in the verified cache")
		}
	}
	if got := h.processProposal(a, b); got != abci.ResponseProcessProposal_ACCEPT {
		t.Fatalf("ProcessProposal: %v, want ACCEPT", got)
	}
	for _, tx := range [][]byte{a, b} {
		if _, ok := h.app.verified.get(sha256.Sum256(tx)); !ok {
			t.Fatal("ProcessProposal accepted a transaction without verifying it")
		}
	}
	for i, r := range h.finalize(a, b).TxResults {
		if r.Code != uint32(txn.OK) {
			t.Fatalf("tx %d: %s", i, r.Log)
		}
	}
}

func TestPrepareProposalRespectsMaxTxBytes(t *testing.T) {
	h := newHarness(t)
	h.setupOperator()
	a, _ := h.buy(alice, "acme", 10_000)
	b, _ := h.buy(bob, "acme", 10_000)
	prep, err := h.app.PrepareProposal(context.Background(), &abci.RequestPrepareProposal{MaxTxBytes: int64(len(a) + len(b) - 1), Txs: [][]byte{a, b}})
	if err != nil {
		t.Fatal(err)
	}
	if len(prep.Txs) != 1 {
		t.Fatalf("kept %d txs over the byte limit", len(prep.Txs))
	}
}

// The mempool state sees transactions admitted before: a second spend of the same
// chips waits in no mempool.
func TestCheckTxSeesEarlierMempoolTxs(t *testing.T) {
	h := newHarness(t)
	h.setupOperator()
	id := h.paidOrder("UETR-1")
	h.mustBlock(h.sign(issuerA, &txn.Issue{OrderID: id, Chips: 100_000_000}))
	first := h.sign(alice, &txn.Transfer{To: bob.addr, AmountChips: 60_000_000})
	second := h.sign(alice, &txn.Transfer{To: bob.addr, AmountChips: 60_000_000})
	if c := txn.Code(h.checkTx(first).Code); c != txn.OK {
		t.Fatalf("first transfer: %s", c)
	}
	if c := txn.Code(h.checkTx(second).Code); c != txn.InsufficientFunds {
		t.Fatalf("second transfer: %s, want %s", c, txn.InsufficientFunds)
	}
	// After the block, the mempool state starts again from what was committed.
	h.mustBlock(first)
	recheck, err := h.app.CheckTx(context.Background(), &abci.RequestCheckTx{Tx: second, Type: abci.CheckTxType_Recheck})
	if err != nil || txn.Code(recheck.Code) != txn.InsufficientFunds {
		t.Fatalf("recheck: %v %v", recheck.GetCode(), err)
	}
}

// An order not paid in time expires; a payment arriving after that is refused, and
// leaves the order expired.
func TestUnpaidOrderExpires(t *testing.T) {
	h := newHarness(t)
	h.setupOperator()
	buy, id := h.buy(alice, "acme", 10_000)
	h.mustBlock(buy)
	o := h.order(id)
	if o.ExpiresHeight != o.CreatedHeight+testOrderTTLBlocks {
		t.Fatalf("order expires at %d, created at %d", o.ExpiresHeight, o.CreatedHeight)
	}
	var expiredAt int64
	var late []byte
	for h.height <= o.ExpiresHeight {
		if h.height == o.ExpiresHeight {
			// The next block expires the order: the mempool already refuses its payment.
			late = h.sign(operatorA, confirmMsg(id, alice, 10_000, "UETR-late"))
			if c := txn.Code(h.checkTx(late).Code); c != txn.OrderNotAwaitingPayment {
				t.Fatalf("payment for the block that expires the order: %s", c)
			}
		}
		if st := h.order(id).Status; st != txn.StatusAwaitingPayment {
			t.Fatalf("order %s at height %d, before its expiry %d", st, h.height, o.ExpiresHeight)
		}
		res := h.finalize()
		if hasEvent(res.Events, "order", "status", string(txn.StatusExpired)) {
			expiredAt = h.height
		}
	}
	if got := h.order(id).Status; got != txn.StatusExpired || expiredAt != o.ExpiresHeight+1 {
		t.Fatalf("order %s, expiry event at %d; want expired at %d", got, expiredAt, o.ExpiresHeight+1)
	}
	if c := txn.Code(h.checkTx(late).Code); c != txn.OrderNotAwaitingPayment {
		t.Fatalf("late payment: %s", c)
	}
}

// A reversed payment: a paid order is never issued; an issued order's chips stay in
// circulation and count as the operator's shortfall. The invariants hold after every
// block (the harness checks them), and the reversal is an event of the order.
func TestReversedPayments(t *testing.T) {
	h := newHarness(t)
	h.setupOperator()
	paid := h.paidOrder("UETR-PAID")
	issued := h.paidOrder("UETR-ISSUED")
	h.mustBlock(h.sign(issuerA, &txn.Issue{OrderID: issued, Chips: 100_000_000}))

	res := h.block(
		h.sign(operatorA, &txn.ReversePayment{BankReference: "UETR-PAID", Reason: "AC04 account closed"}),
		h.sign(operatorA, &txn.ReversePayment{BankReference: "uetr-issued", Reason: "MD06 refund requested by the payer"}),
	)
	for i, r := range res {
		if r.Code != uint32(txn.OK) {
			t.Fatalf("reversal %d: %s", i, r.Log)
		}
		if !hasOrderEvent(r, "reversed") {
			t.Errorf("reversal %d emitted no order event with status reversed: %v", i, r.Events)
		}
	}
	p, is := h.order(paid), h.order(issued)
	if p.Status != txn.StatusReversed || p.IssuedHeight != 0 || p.ReversedHeight != h.height || p.ReversalReason != "AC04 account closed" {
		t.Fatalf("paid order after its reversal: %+v", p)
	}
	if is.Status != txn.StatusReversed || is.IssuedHeight == 0 || is.ReversedHeight != h.height {
		t.Fatalf("issued order after its reversal: %+v", is)
	}
	var op txn.Operator
	h.query(query.PathOperator, "acme", &op)
	if op.ShortfallChips != 100_000_000 || op.IssuedChips != 100_000_000 {
		t.Fatalf("operator after the reversals: issued %d, shortfall %d", op.IssuedChips, op.ShortfallChips)
	}
	var s txn.Supply
	h.query(query.PathSupply, "", &s)
	if s.TotalChips != 100_000_000 || h.balance(alice) != 100_000_000 {
		t.Fatalf("supply %d and alice %d: a reversal burns nothing", s.TotalChips, h.balance(alice))
	}
}

func hasOrderEvent(r *abci.ExecTxResult, status string) bool {
	for _, ev := range r.Events {
		for _, a := range ev.Attributes {
			if ev.Type == "order" && a.Key == "status" && a.Value == status {
				return true
			}
		}
	}
	return false
}

// Every app hash commits to the whole state after the block: the digest and the tree
// kept from block to block, from the blocks' changes alone, are the digest of every
// entry and the tree of every proven entry read afresh. A checkpoint only marks a
// snapshot's height.
func TestAppHashCommitsToTheWholeState(t *testing.T) {
	h := newHarness(t)
	s := newScenario(21)
	ctx := context.Background()
	for height := int64(1); height <= 3*testCheckpointInterval; height++ {
		h.height++
		res, err := h.app.FinalizeBlock(ctx, &abci.RequestFinalizeBlock{Txs: s.block(height), Height: height, Time: blockTime(height)})
		if err != nil {
			t.Fatal(err)
		}
		p := h.app.pending
		if _, err := h.app.Commit(ctx, &abci.RequestCommit{}); err != nil {
			t.Fatal(err)
		}
		if (p.checkpoint != nil) != (height%testCheckpointInterval == 0) {
			t.Fatalf("height %d: checkpoint %v", height, p.checkpoint != nil)
		}
		var proven []merkle.Change
		h.db.Scan(nil, func(k, v []byte) bool {
			if ledger.Proven(k) {
				proven = append(proven, merkle.Change{Key: k, Value: v})
			}
			return true
		})
		want := merkle.Commitment{Chained: p.Commitment.Chained, Digest: store.StateDigest(h.db), Root: merkle.Build(proven).Root}
		if !bytes.Equal(res.AppHash, want.AppHash()) {
			t.Fatalf("height %d: app hash %X, want %X from the whole state", height, res.AppHash, want.AppHash())
		}
	}
}

// A transaction the chain refuses in a block still names its type and signer, whose
// signature verified, so that the signer finds it in the node's index; it emits nothing
// else.
func TestRefusedTransactionNamesItsSigner(t *testing.T) {
	h := newHarness(t)
	res := h.block(h.sign(alice, &txn.Transfer{To: bob.addr, AmountChips: 1}))
	if len(res) != 1 || res[0].Code != uint32(txn.InsufficientFunds) {
		t.Fatalf("a transfer from an empty account: %+v", res)
	}
	if !hasEvent(res[0].Events, "msg", "signer", alice.addr.String()) || !hasEvent(res[0].Events, "msg", "type", "transfer") || len(res[0].Events) != 1 {
		t.Fatalf("the refused transfer's events: %v, want its msg event alone", res[0].Events)
	}
}
