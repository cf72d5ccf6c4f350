package abciapp

import (
	"bytes"
	"context"
	"crypto/sha256"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/chipmint/chipmint/internal/txn"
)

// dependentPair is alice paying bob, then bob paying it on to stranger: bob holds
// nothing before the first.
func (h *harness) dependentPair(chips uint64) (first, second []byte) {
	return h.sign(alice, &txn.Transfer{To: bob.addr, AmountChips: chips}),
		h.sign(bob, &txn.Transfer{To: stranger.addr, AmountChips: chips})
}

func (h *harness) prepare(maxTxBytes int64, txs ...[]byte) [][]byte {
	h.t.Helper()
	res, err := h.app.PrepareProposal(context.Background(), &abci.RequestPrepareProposal{MaxTxBytes: maxTxBytes, Txs: txs, Height: h.height + 1})
	if err != nil {
		h.t.Fatal(err)
	}
	return res.Txs
}

func (h *harness) mustAdmit(txs ...[]byte) {
	h.t.Helper()
	for i, tx := range txs {
		if res := h.checkTx(tx); res.Code != uint32(txn.OK) {
			h.t.Fatalf("CheckTx %d: %s %s", i, txn.Code(res.Code), res.Log)
		}
	}
}

func sameTxs(a, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

// What CheckTx admitted is proposed in the order it was admitted, whatever order the
// request lists transactions in, and runs in that order.
func TestProposalKeepsTheAdmissionOrder(t *testing.T) {
	h := newHarness(t)
	h.fundAlice()
	first, second := h.dependentPair(1_000)
	h.mustAdmit(first, second)
	if got := h.prepare(1<<20, second, first); !sameTxs(got, [][]byte{first, second}) {
		t.Fatalf("proposal of %d transactions, not the two in their admission order", len(got))
	}
	for i, r := range h.block(second, first) {
		if r.Code != uint32(txn.OK) {
			t.Fatalf("tx %d: %s", i, r.Log)
		}
	}
	if h.balance(stranger) != 1_000 {
		t.Fatalf("stranger holds %d", h.balance(stranger))
	}
	if got := h.prepare(1 << 20); len(got) != 0 {
		t.Fatalf("%d transactions still proposed after their block", len(got))
	}
}

// A proposal too small for the whole mempool takes its oldest transactions, and never
// a later one without those before it.
func TestProposalTakesTheOldestFirst(t *testing.T) {
	h := newHarness(t)
	h.fundAlice()
	first, second := h.dependentPair(1_000)
	third := h.sign(alice, &txn.Transfer{To: stranger.addr, AmountChips: 1}) // smaller than second
	h.mustAdmit(first, second, third)
	limit := protoSize(len(first)) + protoSize(len(second)) - 1
	if got := h.prepare(limit); !sameTxs(got, [][]byte{first}) {
		t.Fatalf("proposal under %d bytes: %d transactions, want the oldest alone", limit, len(got))
	}
	h.finalize(first)
	if got := h.prepare(1<<20, []byte("junk")); !sameTxs(got, [][]byte{second, third}) {
		t.Fatalf("next proposal: %d transactions, want the two left in order", len(got))
	}
}

// A block proposed by another validator, without the mempool's transactions, leaves
// them to run again on the new state. One that no longer applies, and the one that
// needed it, stay in the mempool: they are proposed, and their block refuses them,
// which is the reason their clients see. Nothing admitted leaves but in a block.
func TestWhatNoLongerAppliesIsRefusedInItsBlock(t *testing.T) {
	h := newHarness(t)
	h.fundAlice()
	h.nonce++
	short := mustSign(testChainID, &txn.Transfer{To: bob.addr, AmountChips: 1_000}, alice.priv, h.nonce, uint64(h.height+1))
	onward := h.sign(bob, &txn.Transfer{To: stranger.addr, AmountChips: 1_000})
	h.mustAdmit(short, onward)
	h.finalize() // another proposer's block, at the last height short is valid for
	if got := h.prepare(1 << 20); !sameTxs(got, [][]byte{short, onward}) {
		t.Fatalf("proposal of %d transactions, want both, in order", len(got))
	}
	res := h.block()
	if len(res) != 2 || txn.Code(res[0].Code) != txn.Expired || txn.Code(res[1].Code) != txn.InsufficientFunds {
		t.Fatalf("block results %v, want expired then insufficient_funds", res)
	}
	if got := h.prepare(1 << 20); len(got) != 0 {
		t.Fatalf("%d transactions still proposed after their block", len(got))
	}
	// The onward transfer's nonce was spent in its block: the mempool state knew it.
	if c := txn.Code(h.checkTx(onward).Code); c != txn.Replayed {
		t.Fatalf("the refused transfer sent again: %s, want %s", c, txn.Replayed)
	}
}

// The mempool state after a block is the new committed state with the transactions
// left run again in order: a spend admitted on top of one that another block then
// made impossible is refused in its block, and what it would have spent is free.
func TestMempoolRunsAgainAfterABlock(t *testing.T) {
	h := newHarness(t)
	h.fundAlice()
	all := h.sign(alice, &txn.Transfer{To: bob.addr, AmountChips: 100_000_000})
	h.mustAdmit(all)
	if c := txn.Code(h.checkTx(h.sign(alice, &txn.Transfer{To: stranger.addr, AmountChips: 1})).Code); c != txn.InsufficientFunds {
		t.Fatalf("a second spend of alice's chips: %s", c)
	}
	// Another proposer's block spends half of alice's chips first.
	other := h.sign(alice, &txn.Transfer{To: stranger.addr, AmountChips: 50_000_000})
	h.finalize(other)
	half := h.sign(alice, &txn.Transfer{To: stranger.addr, AmountChips: 50_000_000})
	h.mustAdmit(half)
	res := h.block()
	if len(res) != 2 || txn.Code(res[0].Code) != txn.InsufficientFunds || txn.Code(res[1].Code) != txn.OK {
		t.Fatalf("block results %v, want insufficient_funds then ok", res)
	}
}

func TestMempoolFullAsksToRetry(t *testing.T) {
	h := newHarness(t)
	h.fundAlice()
	h.app.mempool.maxTxs = 2
	a, b, c := h.sign(alice, &txn.Transfer{To: bob.addr, AmountChips: 1}),
		h.sign(alice, &txn.Transfer{To: bob.addr, AmountChips: 1}),
		h.sign(alice, &txn.Transfer{To: bob.addr, AmountChips: 1})
	h.mustAdmit(a, b)
	res := h.checkTx(c)
	if res.Code != abci.CodeTypeRetry || res.Codespace != mempoolCodespace {
		t.Fatalf("CheckTx on a full mempool: code %d codespace %q: %s", res.Code, res.Codespace, res.Log)
	}
	h.mustBlock()
	h.mustAdmit(c)
}

// The check_tx RPC is a dry run: CheckTxOnly answers as CheckTx would and keeps
// nothing.
func TestCheckTxOnlyKeepsNothing(t *testing.T) {
	h := newHarness(t)
	h.fundAlice()
	tx := h.sign(alice, &txn.Transfer{To: bob.addr, AmountChips: 100_000_000})
	for range 2 {
		res, err := h.app.CheckTxOnly(context.Background(), &abci.RequestCheckTx{Tx: tx})
		if err != nil || res.Code != uint32(txn.OK) {
			t.Fatalf("CheckTxOnly: %v %s", err, res.GetLog())
		}
	}
	if got := h.prepare(1 << 20); len(got) != 0 {
		t.Fatalf("a dry run put %d transactions in the mempool", len(got))
	}
	h.mustAdmit(tx)
	res, err := h.app.CheckTxOnly(context.Background(), &abci.RequestCheckTx{Tx: h.sign(alice, &txn.Transfer{To: bob.addr, AmountChips: 1})})
	if err != nil || txn.Code(res.Code) != txn.InsufficientFunds {
		t.Fatalf("CheckTxOnly on top of the mempool: %v %v", txn.Code(res.GetCode()), err)
	}
}

// The same bytes admitted twice are one transaction of the mempool, admitted both
// times; a peer's transaction joins the mempool as a client's does, and a refused one
// is answered "retry later", so that CometBFT forgets it.
func TestMempoolAdmitsOnceAndTakesPeersTransactions(t *testing.T) {
	h := newHarness(t)
	h.fundAlice()
	first, second := h.dependentPair(1_000)
	h.mustAdmit(first, first)
	ctx := context.Background()
	res, err := h.app.InsertTx(ctx, &abci.RequestInsertTx{Tx: second})
	if err != nil || res.Code != abci.CodeTypeOK {
		t.Fatalf("InsertTx: %v %v", res.GetCode(), err)
	}
	for _, bad := range [][]byte{[]byte("junk"), h.sign(bob, &txn.Transfer{To: stranger.addr, AmountChips: 1})} {
		res, err := h.app.InsertTx(ctx, &abci.RequestInsertTx{Tx: bad})
		if err != nil || res.Code != abci.CodeTypeRetry {
			t.Fatalf("InsertTx of a refused transaction: %v %v", res.GetCode(), err)
		}
	}
	if got := h.prepare(1 << 20); !sameTxs(got, [][]byte{first, second}) {
		t.Fatalf("proposal of %d transactions, want the two admitted", len(got))
	}
}

// ReapTxs hands each transaction out once, oldest first, for CometBFT to send to the
// peers.
func TestReapTxsHandsOutEachOnce(t *testing.T) {
	h := newHarness(t)
	h.fundAlice()
	reap := func() [][]byte {
		t.Helper()
		res, err := h.app.ReapTxs(context.Background(), &abci.RequestReapTxs{})
		if err != nil {
			t.Fatal(err)
		}
		return res.Txs
	}
	first, second := h.dependentPair(1_000)
	h.mustAdmit(first, second)
	if got := reap(); !sameTxs(got, [][]byte{first, second}) {
		t.Fatalf("first reap: %d transactions", len(got))
	}
	third := h.sign(alice, &txn.Transfer{To: stranger.addr, AmountChips: 1})
	h.mustAdmit(third)
	if got := reap(); !sameTxs(got, [][]byte{third}) {
		t.Fatalf("second reap: %d transactions, want the new one", len(got))
	}
	h.mustBlock(first)
	fourth := h.sign(alice, &txn.Transfer{To: stranger.addr, AmountChips: 1})
	h.mustAdmit(fourth)
	if got := reap(); !sameTxs(got, [][]byte{fourth}) {
		t.Fatalf("reap after a block: %d transactions, want the new one", len(got))
	}
	if _, ok := h.app.mempool.byHash[sha256.Sum256(first)]; ok {
		t.Fatal("a committed transaction is still in the mempool")
	}
}
