package merkleprobe

import (
	"bytes"
	"crypto/ed25519"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/ledger"
	"github.com/chipmint/chipmint/internal/store"
	"github.com/chipmint/chipmint/internal/txn"
)

// The workload: workloadAccounts funded accounts, then workloadBlocks blocks of
// workloadBlockTxs signed transfers between accounts drawn at random, each of a random
// amount and a random nonce, as clients send them.
const (
	workloadAccounts  = 10_000
	workloadBlockTxs  = 1_000
	workloadBlocks    = 50
	workloadChainID   = "chipmint-probe"
	workloadFunding   = 100_000
	workloadValidity  = 5 // valid_until = height + 5: see recordWorkload
	workloadOperator  = "acme"
	workloadOrderIBAN = "DE89370400440532013000"
)

// workload is the state after funding, and the changes of every measured block, in
// key order, as FinalizeBlock hands them to the store.
type workload struct {
	initial []store.Change // every entry of the state before the first measured block
	startH  int64          // the height of that state
	blocks  [][]store.Change
	// member is the balance key of an account that exists at the end; absent a balance
	// key of an account that never did.
	member, absent []byte
	memberValue    []byte
	// writes and deletes count the measured blocks' changes.
	writes, deletes int
}

var (
	workloadOnce sync.Once
	workloadData *workload
	workloadErr  error
)

// theWorkload builds the workload once for the whole package run.
func theWorkload(tb testing.TB) *workload {
	tb.Helper()
	workloadOnce.Do(func() {
		dir, err := os.MkdirTemp("", "merkleprobe-workload-")
		if err != nil {
			workloadErr = err
			return
		}
		defer os.RemoveAll(dir)
		workloadData, workloadErr = recordWorkload(dir)
	})
	if workloadErr != nil {
		tb.Fatal(workloadErr)
	}
	return workloadData
}

type actor struct {
	priv ed25519.PrivateKey
	pub  ed25519.PublicKey
	addr crypto.Address
}

func newActor(seed uint64) actor {
	var s [ed25519.SeedSize]byte
	binary.BigEndian.PutUint64(s[:], seed)
	s[31] = 0x5a
	priv := ed25519.NewKeyFromSeed(s[:])
	pub := priv.Public().(ed25519.PublicKey)
	return actor{priv: priv, pub: pub, addr: crypto.AddressOf(pub)}
}

// chain applies blocks with the ledger, as FinalizeBlock does (signatures are checked
// by txn.Parse's caller in the node; here they are made by this harness), and commits
// each one to a real store.DB, as Commit does.
type chain struct {
	db     *store.DB
	height int64
	last   []byte
}

func (c *chain) block(txs [][]byte) ([]store.Change, error) {
	c.height++
	b := ledger.Block{ChainID: workloadChainID, Height: c.height, Time: time.Unix(1_700_000_000+c.height, 0).UTC()}
	state := store.NewOverlay(c.db)
	ledger.BeginBlock(state, b)
	for i, raw := range txs {
		tx, err := txn.Parse(raw)
		if err != nil {
			return nil, err
		}
		if res := ledger.Apply(state, b, tx); res.Code != txn.OK {
			return nil, fmt.Errorf("height %d tx %d: %s: %s", c.height, i, res.Code, res.Log)
		}
	}
	changes := state.Changes()
	blk := c.db.Prepare(c.height, c.last, changes)
	c.last = blk.AppHash()
	return changes, c.db.Commit(blk)
}

func sign(msg txn.Msg, a actor, nonce uint64, validUntil int64) []byte {
	b, err := txn.Sign(workloadChainID, msg, a.priv, nonce, uint64(validUntil))
	if err != nil {
		panic(err)
	}
	return b
}

// recordWorkload runs the chain: the issuer registers an operator, a treasury buys
// chips and pays every account, then the measured blocks of random transfers. Every
// transaction is valid for workloadValidity blocks, so that the pruning of spent nonces,
// which in a steady state deletes about as many entries per block as the block writes,
// already shows in the measured blocks (the reference client's 100 blocks would show
// it only after 100).
func recordWorkload(dir string) (*workload, error) {
	db, err := store.Open(dir, store.Options{Proven: ledger.Proven})
	if err != nil {
		return nil, err
	}
	defer db.Close()
	issuer, operator, treasury := newActor(1), newActor(2), newActor(3)
	c := &chain{db: db}

	genesis := store.NewOverlay(db)
	g := ledger.Genesis{Issuers: []txn.Issuer{{ID: "issuer", Address: issuer.addr, PublicKey: issuer.pub}}}
	if err := ledger.InitGenesis(genesis, g); err != nil {
		return nil, err
	}
	if err := db.Commit(db.Prepare(0, nil, genesis.Changes())); err != nil {
		return nil, err
	}
	until := func() int64 { return c.height + 1 + workloadValidity }
	register := &txn.RegisterOperator{
		ID: workloadOperator, Address: operator.addr, PublicKey: operator.pub,
		Account:  txn.BankAccount{IBAN: workloadOrderIBAN, BIC: "COBADEFFXXX", Holder: "Acme Payments GmbH", Currency: "EUR"},
		Rate:     txn.Rate{Chips: 1_000_000, Minor: 100},
		CapChips: 1_000_000_000,
	}
	setup := []struct {
		msg   txn.Msg
		by    actor
		nonce uint64
	}{
		{register, issuer, 1},
		{&txn.BuyRequest{Operator: workloadOperator, BuyerID: "treasury", AmountMinor: 100_000, Currency: "EUR"}, treasury, 1},
		{&txn.ConfirmPayment{OrderID: txn.OrderID(treasury.addr, 1), Buyer: txn.PartyOf("treasury", treasury.pub), AmountMinor: 100_000, Currency: "EUR", BankReference: "PROBE"}, operator, 1},
		{&txn.Issue{OrderID: txn.OrderID(treasury.addr, 1), Chips: 1_000_000_000}, issuer, 2},
	}
	for _, s := range setup {
		if _, err := c.block([][]byte{sign(s.msg, s.by, s.nonce, until())}); err != nil {
			return nil, err
		}
	}
	accounts := make([]actor, workloadAccounts)
	for i := range accounts {
		accounts[i] = newActor(uint64(1000 + i))
	}
	for lo := 0; lo < len(accounts); lo += workloadBlockTxs {
		txs := make([][]byte, 0, workloadBlockTxs)
		for i := lo; i < min(lo+workloadBlockTxs, len(accounts)); i++ {
			txs = append(txs, sign(&txn.Transfer{To: accounts[i].addr, AmountChips: workloadFunding}, treasury, uint64(2+i), until()))
		}
		if _, err := c.block(txs); err != nil {
			return nil, err
		}
	}
	// Empty blocks until the funding's nonces are pruned: the measured blocks start from
	// a state holding accounts, records and no spent nonce.
	for range workloadValidity + 2 {
		if _, err := c.block(nil); err != nil {
			return nil, err
		}
	}

	w := &workload{startH: c.height}
	db.Scan(nil, func(k, v []byte) bool {
		w.initial = append(w.initial, store.Change{Key: k, Value: v})
		return true
	})
	rng := rand.New(rand.NewPCG(7, 31))
	for range workloadBlocks {
		txs := make([][]byte, workloadBlockTxs)
		for i := range txs {
			from := rng.IntN(len(accounts))
			to := (from + 1 + rng.IntN(len(accounts)-1)) % len(accounts)
			amount := 1 + rng.Uint64N(100)
			txs[i] = sign(&txn.Transfer{To: accounts[to].addr, AmountChips: amount}, accounts[from], rng.Uint64(), until())
		}
		changes, err := c.block(txs)
		if err != nil {
			return nil, err
		}
		for _, ch := range changes {
			if ch.Deleted {
				w.deletes++
			} else {
				w.writes++
			}
		}
		w.blocks = append(w.blocks, changes)
	}
	w.member = balanceKey(db, accounts[0].addr)
	if w.member == nil {
		return nil, fmt.Errorf("no balance key found for account 0")
	}
	w.memberValue, _ = db.Get(w.member)
	stranger := newActor(999_999).addr
	w.absent = slices.Concat(w.member[:len(w.member)-len(stranger)], stranger[:])
	if _, ok := db.Get(w.absent); ok {
		return nil, fmt.Errorf("the absent key exists")
	}
	return w, nil
}

// balanceKey finds the state key holding a's balance: the "acct/" key that ends with
// its address (the ledger keeps its key layout to itself).
func balanceKey(r store.Reader, a crypto.Address) []byte {
	var key []byte
	r.Scan([]byte("acct/"), func(k, _ []byte) bool {
		if bytes.HasSuffix(k, a[:]) {
			key = k
			return false
		}
		return true
	})
	return key
}

// TestWorkloadIsTransfers checks that the measured blocks are what the decision says
// they are: about four writes per transfer (two balances, a nonce and its expiry entry)
// and, once the first blocks' nonces expire, as many deletions.
func TestWorkloadIsTransfers(t *testing.T) {
	w := theWorkload(t)
	perTx := float64(w.writes) / float64(workloadBlocks*workloadBlockTxs)
	t.Logf("initial entries %d; measured blocks %d: %.2f writes and %.2f deletions per transfer",
		len(w.initial), len(w.blocks), perTx, float64(w.deletes)/float64(workloadBlocks*workloadBlockTxs))
	queriedChanges := 0
	for _, changes := range w.blocks {
		queriedChanges += len(onlyQueried(changes))
	}
	t.Logf("changes of queried keys (%v): %.2f per transfer", queriedPrefixes, float64(queriedChanges)/float64(workloadBlocks*workloadBlockTxs))
	if perTx < 3.5 || perTx > 4.5 {
		t.Errorf("%.2f writes per transfer, want about 4", perTx)
	}
	if w.deletes == 0 {
		t.Error("no deletions: nonce pruning does not show")
	}
	if len(w.initial) < workloadAccounts {
		t.Errorf("initial state has %d entries", len(w.initial))
	}
}

// valueAfter is key's value after the first n measured blocks, and whether it exists.
func (w *workload) valueAfter(key []byte, n int) ([]byte, bool) {
	var value []byte
	found := false
	for _, c := range w.initial {
		if bytes.Equal(c.Key, key) {
			value, found = c.Value, true
		}
	}
	for _, changes := range w.blocks[:n] {
		for _, c := range changes {
			if bytes.Equal(c.Key, key) {
				value, found = c.Value, !c.Deleted
			}
		}
	}
	return value, found
}
