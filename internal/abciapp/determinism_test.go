package abciapp

import (
	"bytes"
	"context"
	"encoding/hex"
	"flag"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/chipmint/chipmint/internal/txn"
)

var update = flag.Bool("update", false, "rewrite golden files")

// scenario generates blocks of valid and invalid transactions from a seed: buys,
// confirmations (some reusing bank references), receipts, issues (some of the wrong
// quantity), transfers (some too large) and garbage. The same seed gives the same blocks.
type scenario struct {
	rng    *rand.Rand
	nonce  uint64
	orders []scenarioOrder
}

type scenarioOrder struct {
	id     string
	buyer  actor
	amount uint64
}

func newScenario(seed uint64) *scenario {
	return &scenario{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

func (s *scenario) sign(a actor, msg txn.Msg, height int64) []byte {
	s.nonce++
	return txn.Sign(testChainID, msg, a.priv, s.nonce, uint64(height+5))
}

// block returns the transactions of the block at height.
func (s *scenario) block(height int64) [][]byte {
	if height == 1 {
		return [][]byte{s.sign(issuerA, registerMsg(operatorA, "acme"), height)}
	}
	n := s.rng.IntN(6)
	txs := make([][]byte, 0, n)
	for range n {
		txs = append(txs, s.tx(height))
	}
	return txs
}

func (s *scenario) tx(height int64) []byte {
	buyers := []actor{alice, bob, stranger}
	switch k := s.rng.IntN(10); {
	case k < 3 || len(s.orders) == 0:
		b := buyers[s.rng.IntN(len(buyers))]
		amount := uint64(1 + s.rng.IntN(20_000))
		tx := s.sign(b, &txn.BuyRequest{Operator: "acme", BuyerID: b.name, AmountMinor: amount, Currency: "EUR"}, height)
		s.orders = append(s.orders, scenarioOrder{id: txn.OrderID(b.addr, s.nonce), buyer: b, amount: amount})
		return tx
	case k < 5:
		o := s.orders[s.rng.IntN(len(s.orders))]
		ref := "REF-" + string(rune('A'+s.rng.IntN(20)))
		return s.sign(operatorA, confirmMsg(o.id, o.buyer, o.amount, ref), height)
	case k < 6:
		o := s.orders[s.rng.IntN(len(s.orders))]
		r := receiptMsg(o.id, o.buyer, o.amount, "RCPT-"+string(rune('A'+s.rng.IntN(20))))
		sig := txn.SignReceipt(testChainID, r, operatorA.priv)
		return s.sign(o.buyer, &txn.SubmitReceipt{Receipt: r, OperatorSignature: sig}, height)
	case k < 8:
		o := s.orders[s.rng.IntN(len(s.orders))]
		chips := o.amount * 10_000
		if s.rng.IntN(8) == 0 {
			chips++
		}
		return s.sign(issuerA, &txn.Issue{OrderID: o.id, Chips: chips}, height)
	case k < 9:
		from, to := buyers[s.rng.IntN(2)], buyers[1+s.rng.IntN(2)]
		return s.sign(from, &txn.Transfer{To: to.addr, AmountChips: uint64(1 + s.rng.IntN(50_000_000))}, height)
	}
	return []byte{0x86, 0x02}
}

type blockOutcome struct {
	appHash []byte
	codes   []uint32
}

func outcome(res *abci.ResponseFinalizeBlock) blockOutcome {
	o := blockOutcome{appHash: res.AppHash}
	for _, r := range res.TxResults {
		o.codes = append(o.codes, r.Code)
	}
	return o
}

const scenarioBlocks = 60

func runScenario(t *testing.T, seed uint64, restartAt int64, crashBeforeCommitAt int64) ([]blockOutcome, *harness) {
	h := newHarness(t)
	s := newScenario(seed)
	var out []blockOutcome
	for height := int64(1); height <= scenarioBlocks; height++ {
		txs := s.block(height)
		if height == crashBeforeCommitAt {
			// FinalizeBlock ran, then the process died before Commit: nothing was written,
			// and CometBFT replays the block after the restart.
			if _, err := h.app.FinalizeBlock(context.Background(), &abci.RequestFinalizeBlock{Txs: txs, Height: height, Time: blockTime(height)}); err != nil {
				t.Fatal(err)
			}
			h.restart()
		}
		out = append(out, outcome(h.finalize(txs...)))
		if height == restartAt {
			h.restart()
		}
	}
	return out, h
}

func TestDeterminism(t *testing.T) {
	const seed = 7
	reference, h := runScenario(t, seed, 0, 0)
	twin, _ := runScenario(t, seed, 0, 0)
	restarted, _ := runScenario(t, seed, scenarioBlocks/2, 0)
	crashed, _ := runScenario(t, seed, 0, scenarioBlocks/3)
	for i := range reference {
		for name, run := range map[string][]blockOutcome{"twin": twin, "restarted": restarted, "crashed before commit": crashed} {
			if !bytes.Equal(run[i].appHash, reference[i].appHash) || !equalCodes(run[i].codes, reference[i].codes) {
				t.Fatalf("height %d: %s app diverges: hash %X codes %v, reference %X codes %v",
					i+1, name, run[i].appHash, run[i].codes, reference[i].appHash, reference[i].codes)
			}
		}
	}
	requireVariety(t, reference)
	var s txn.Supply
	h.query(PathSupply, "", &s)
	if s.TotalChips == 0 {
		t.Fatal("the scenario issued no chips: it tests too little")
	}
	checkGolden(t, "apphash-seed7.golden", hex.EncodeToString(reference[len(reference)-1].appHash))
}

// Random seeds: each must give identical hashes on two replicas, one of them restarted
// and crashed between FinalizeBlock and Commit. -seeds raises the count.
var seeds = flag.Int("seeds", 3, "number of random scenario seeds for TestDeterminismRandomSeeds")

func TestDeterminismRandomSeeds(t *testing.T) {
	for i := range *seeds {
		seed := uint64(1000 + i)
		a, _ := runScenario(t, seed, 0, 0)
		b, _ := runScenario(t, seed, 17, 29)
		for j := range a {
			if !bytes.Equal(a[j].appHash, b[j].appHash) || !equalCodes(a[j].codes, b[j].codes) {
				t.Fatalf("seed %d diverges at height %d (replay with this seed)", seed, j+1)
			}
		}
	}
}

func equalCodes(a, b []uint32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// requireVariety fails if the scenario never produced both successes and rejections.
func requireVariety(t *testing.T, outs []blockOutcome) {
	t.Helper()
	seen := make(map[txn.Code]int)
	for _, o := range outs {
		for _, c := range o.codes {
			seen[txn.Code(c)]++
		}
	}
	for _, c := range []txn.Code{txn.OK, txn.BankReferenceUsed, txn.OrderNotAwaitingPayment, txn.Malformed} {
		if seen[c] == 0 {
			t.Errorf("scenario produced no %s results: %v", c, seen)
		}
	}
}

func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if strings.TrimSpace(string(want)) != got {
		t.Fatalf("app hash after the scripted blocks is %s, golden %s: the state machine changed; "+
			"this is a consensus-breaking change (rewrite with -update only if it is intended)", got, want)
	}
}
