package node_test

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"

	"github.com/chipmint/chipmint/internal/abciapp"
	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/node"
	"github.com/chipmint/chipmint/internal/node/nodetest"
	"github.com/chipmint/chipmint/internal/txn"
)

// oneChip is what one EUR buys from the test operators: what each payer of a pair pays.
const oneChip = 1_000_000

// TestDependentTransfersKeepTheirOrder sends thousands of pairs of dependent transfers
// to one node from many clients at once: A has an account pay its chip to y and, right
// behind it, without waiting for A's answer, B has y pay it on to z. y holds nothing
// before A, so B is good only after A: the node refuses it if it checks it first, and
// otherwise must keep it after A. Whatever the node admitted must reach a block in the
// order it was admitted and succeed there; nothing admitted may go missing.
func TestDependentTransfersKeepTheirOrder(t *testing.T) {
	if testing.Short() {
		t.Skip("thousands of transactions through a node")
	}
	const (
		pairs   = 2000
		clients = 128
	)
	ch := nodetest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	rpc, err := rpchttp.New(ch.Node.RPCAddress(), "/websocket")
	if err != nil {
		t.Fatal(err)
	}
	s := &signer{t: t, chainID: ch.Client.ChainID(), validUntil: validUntil(ctx, t, ch.Client)}
	a, b := make([][]byte, pairs), make([][]byte, pairs)
	payers := make([]crypto.Address, pairs)
	for i := range pairs {
		payer, y, z := newKey(t), newKey(t), newKey(t)
		payers[i] = address(payer)
		a[i] = s.sign(&txn.Transfer{To: address(y), AmountChips: oneChip}, payer, 1)
		b[i] = s.sign(&txn.Transfer{To: address(z), AmountChips: oneChip}, y, 1)
	}
	fund(ctx, t, ch.Client, rpc, ch.Issuer, ch.Operator, "acme", payers, clients)

	start := latestHeight(ctx, t, rpc)
	admitted, refused := broadcastPairs(ctx, t, rpc, clients, a, b)
	results := inBlocks(ctx, t, rpc, start+1, admitted)
	var admittedB, missing, failed int
	for i := range pairs {
		ha, hb := sha256.Sum256(a[i]), sha256.Sum256(b[i])
		if !admitted[ha] {
			t.Fatalf("pair %d: A refused: %s", i, refused[ha])
		}
		if admitted[hb] {
			admittedB++
		} else if !strings.HasPrefix(refused[hb], txn.InsufficientFunds.String()) {
			t.Errorf("pair %d: B refused: %s", i, refused[hb])
		}
		for _, h := range [][32]byte{ha, hb} {
			if !admitted[h] {
				continue
			}
			r, ok := results[h]
			switch {
			case !ok:
				missing++
				if missing <= 3 {
					t.Errorf("pair %d: %X admitted, then in no block", i, h)
				}
			case r.code != txn.OK:
				failed++
				if failed <= 3 {
					t.Errorf("pair %d: %X failed in block %d at %d: %v %s (A at %d/%d)",
						i, h, r.height, r.index, r.code, r.log, results[ha].height, results[ha].index)
				}
			case h == hb && before(r, results[ha]):
				t.Errorf("pair %d: B ran before A", i)
			}
		}
	}
	t.Logf("%d pairs: %d B admitted after their A, %d admitted transactions in no block, %d failed in their block",
		pairs, admittedB, missing, failed)
}

// TestAdmissionOrderSurvivesASlowInsertion makes deterministic the race the test above
// provokes by numbers: the application admits A, then A's way into the mempool is held
// up (as a busy core would) while B, which spends what A pays, is sent, admitted and
// answered. A and B must still be proposed and run in the order they were admitted.
func TestAdmissionOrderSurvivesASlowInsertion(t *testing.T) {
	const pairs = 3
	home := t.TempDir()
	issuer, operator := nodetest.Key(101), nodetest.Key(102)
	ports, err := node.FreePorts(2)
	if err != nil {
		t.Fatal(err)
	}
	pub := issuer.Public().(ed25519.PublicKey)
	err = node.Init(node.InitOptions{
		Home: home, ChainID: "chipmint-order", Moniker: "order", BlockTime: 100 * time.Millisecond,
		Issuers:   []txn.Issuer{{ID: "issuer", Address: crypto.AddressOf(pub), PublicKey: pub}},
		RPCListen: fmt.Sprintf("127.0.0.1:%d", ports[0]), P2PListen: fmt.Sprintf("127.0.0.1:%d", ports[1]),
	})
	if err != nil {
		t.Fatal(err)
	}
	db, err := node.OpenState(home, node.DefaultRetention())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	app := &slowInsertion{App: abciapp.New(db, "chipmint-order", abciapp.Options{CheckInvariants: true})}
	n, err := node.StartApp(home, app, node.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Stop() })
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := client.Dial(ctx, n.RPCAddress())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	rpc, err := rpchttp.New(n.RPCAddress(), "/websocket")
	if err != nil {
		t.Fatal(err)
	}
	opPub := operator.Public().(ed25519.PublicKey)
	reg := txn.NewRegisterOperator("acme", opPub,
		txn.BankAccount{IBAN: nodetest.OperatorIBAN, BIC: "COBADEFFXXX", Holder: "Acme Payments GmbH", Currency: "EUR"},
		txn.Rate{Chips: 1_000_000, Minor: 100}, 1_000_000_000_000)
	if _, err := c.RegisterOperator(ctx, reg, issuer); err != nil {
		t.Fatal(err)
	}

	// Each round holds up one pair; a round in which a block began to execute while A
	// was held lets A go at once (the mempool would otherwise wait for A to commit the
	// block, and B for the block), and proves nothing: it is played again.
	s := &signer{t: t, chainID: c.ChainID(), validUntil: validUntil(ctx, t, c)}
	var a, b [][]byte
	var payers []crypto.Address
	for range 20 * pairs {
		payer, y, z := newKey(t), newKey(t), newKey(t)
		payers = append(payers, address(payer))
		a = append(a, s.sign(&txn.Transfer{To: address(y), AmountChips: oneChip}, payer, 1))
		b = append(b, s.sign(&txn.Transfer{To: address(z), AmountChips: oneChip}, y, 1))
	}
	fund(ctx, t, c, rpc, issuer, operator, "acme", payers, 8)
	start := latestHeight(ctx, t, rpc)
	admitted := make(map[[32]byte]bool)
	var played []int
	for i := 0; len(played) < pairs; i++ {
		if i == len(a) {
			t.Fatalf("%d rounds, %d of them undisturbed by a block", i, len(played))
		}
		admittedA, release := app.holdAfterAdmission(a[i])
		answerA := make(chan uint32, 1)
		go func() {
			res, err := rpc.BroadcastTxSync(ctx, a[i])
			if err != nil {
				t.Errorf("broadcast A: %v", err)
				answerA <- 1
				return
			}
			answerA <- res.Code
		}()
		<-admittedA
		resB, err := rpc.BroadcastTxSync(ctx, b[i])
		if err != nil {
			t.Fatalf("broadcast B: %v", err)
		}
		undisturbed := release()
		if code := <-answerA; code != uint32(txn.OK) {
			t.Fatalf("round %d: A refused: %v", i, txn.Code(code))
		}
		admitted[sha256.Sum256(a[i])] = true
		if resB.Code != uint32(txn.OK) {
			// B was checked before A was admitted: nothing to keep in order.
			t.Logf("round %d: B refused: %v %s", i, txn.Code(resB.Code), resB.Log)
			continue
		}
		admitted[sha256.Sum256(b[i])] = true
		if undisturbed {
			played = append(played, i)
		}
	}
	results := inBlocks(ctx, t, rpc, start+1, admitted)
	for _, i := range played {
		ra, okA := results[sha256.Sum256(a[i])]
		rb, okB := results[sha256.Sum256(b[i])]
		switch {
		case !okA || !okB:
			t.Errorf("round %d: A in a block %v, B %v", i, okA, okB)
		case ra.code != txn.OK || rb.code != txn.OK:
			t.Errorf("round %d: A %v %s at %d/%d, B %v %s at %d/%d",
				i, ra.code, ra.log, ra.height, ra.index, rb.code, rb.log, rb.height, rb.index)
		case before(rb, ra):
			t.Errorf("round %d: B ran before A", i)
		}
	}
}

// The node's check_tx RPC is a dry run: it answers as a broadcast would, and the
// transaction it checked is neither kept nor proposed, so broadcasting it afterwards is
// admitted, not answered "replayed".
func TestCheckTxRPCIsADryRun(t *testing.T) {
	ch := nodetest.Start(t)
	ctx := nodetest.Context(t)
	rpc, err := rpchttp.New(ch.Node.RPCAddress(), "/websocket")
	if err != nil {
		t.Fatal(err)
	}
	buyer := newKey(t)
	raw, err := ch.Client.Sign(ctx, &txn.BuyRequest{Operator: "acme", BuyerID: "buyer", AmountMinor: 1_000, Currency: "EUR"}, buyer, 1)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		res, err := rpc.CheckTx(ctx, raw)
		if err != nil {
			t.Fatalf("check_tx: %v", err)
		}
		if res.Code != uint32(txn.OK) {
			t.Fatalf("check_tx: %v %s", txn.Code(res.Code), res.Log)
		}
	}
	if _, err := ch.Client.Broadcast(ctx, raw); err != nil {
		t.Fatalf("broadcast after check_tx: %v", err)
	}
}

// slowInsertion is chipmint's application, but CheckTx, once it has admitted a chosen
// transaction, waits before answering: the time CometBFT's mempool takes, after the
// application's answer, to insert the transaction is made long.
type slowInsertion struct {
	*abciapp.App

	mu sync.Mutex
	// hold is the transaction to hold, admitted says it was, let lets it go.
	hold     [32]byte
	admitted chan struct{}
	let      chan struct{}
	// inBlock is set from the start of FinalizeBlock to the end of Commit; disturbed
	// is set when a block began while a transaction was held.
	inBlock, disturbed bool
}

// holdAfterAdmission makes CheckTx hold tx once admitted; admitted is closed then.
// release lets it go and says whether no block began meanwhile.
func (s *slowInsertion) holdAfterAdmission(tx []byte) (admitted <-chan struct{}, release func() (undisturbed bool)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hold, s.admitted, s.let, s.disturbed = sha256.Sum256(tx), make(chan struct{}), make(chan struct{}), false
	let := s.let
	return s.admitted, func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.let == let {
			close(s.let)
			s.let = nil
		}
		return !s.disturbed
	}
}

func (s *slowInsertion) CheckTx(ctx context.Context, req *abci.RequestCheckTx) (*abci.ResponseCheckTx, error) {
	res, err := s.App.CheckTx(ctx, req)
	s.mu.Lock()
	if sha256.Sum256(req.Tx) != s.hold || s.let == nil || s.admitted == nil {
		s.mu.Unlock()
		return res, err
	}
	let := s.let
	if s.inBlock {
		// Holding now could keep the block's commit from the mempool.
		s.disturbed = true
		close(s.let)
		s.let = nil
	}
	close(s.admitted)
	s.admitted = nil
	s.mu.Unlock()
	<-let
	return res, err
}

func (s *slowInsertion) FinalizeBlock(ctx context.Context, req *abci.RequestFinalizeBlock) (*abci.ResponseFinalizeBlock, error) {
	s.mu.Lock()
	s.inBlock = true
	if s.let != nil && s.admitted == nil {
		s.disturbed = true
		close(s.let)
		s.let = nil
	}
	s.mu.Unlock()
	return s.App.FinalizeBlock(ctx, req)
}

func (s *slowInsertion) Commit(ctx context.Context, req *abci.RequestCommit) (*abci.ResponseCommit, error) {
	res, err := s.App.Commit(ctx, req)
	s.mu.Lock()
	s.inBlock = false
	s.mu.Unlock()
	return res, err
}

type signer struct {
	t          *testing.T
	chainID    string
	validUntil uint64
}

func (s *signer) sign(msg txn.Msg, key crypto.Signer, nonce uint64) []byte {
	raw, err := txn.Sign(s.chainID, msg, key, nonce, s.validUntil)
	if err != nil {
		s.t.Fatal(err)
	}
	return raw
}

// validUntil is as far ahead as a transaction may be valid.
func validUntil(ctx context.Context, t *testing.T, c *client.Client) uint64 {
	h, err := c.Height(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return uint64(h) + txn.ValidityBlocksMax - 10
}

func newKey(t *testing.T) ed25519.PrivateKey {
	_, k, err := crypto.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func address(k ed25519.PrivateKey) crypto.Address {
	return crypto.AddressOf(k.Public().(ed25519.PublicKey))
}

// fund gives each payer one chip: a treasury buys them from operator opID, which
// confirms the payment, the issuer issues them, and the treasury pays each payer,
// from clients at once.
func fund(ctx context.Context, t *testing.T, c *client.Client, rpc *rpchttp.HTTP, issuer, operator crypto.Signer, opID string, payers []crypto.Address, clients int) {
	t.Helper()
	treasury := newKey(t)
	nonce, err := client.NewNonce()
	if err != nil {
		t.Fatal(err)
	}
	buy := &txn.BuyRequest{Operator: opID, BuyerID: "treasury", AmountMinor: uint64(len(payers)) * 100, Currency: "EUR"}
	if _, err := c.SubmitWithNonce(ctx, buy, treasury, nonce); err != nil {
		t.Fatalf("buy: %v", err)
	}
	o, err := c.Order(ctx, txn.OrderID(address(treasury), nonce))
	if err != nil {
		t.Fatal(err)
	}
	confirm := &txn.ConfirmPayment{OrderID: o.ID, Buyer: o.Buyer, AmountMinor: o.AmountMinor, Currency: o.Currency, BankReference: "TREASURY-1"}
	if _, err := c.Submit(ctx, confirm, operator); err != nil {
		t.Fatalf("confirm: %v", err)
	}
	if o, err = c.Order(ctx, o.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Submit(ctx, &txn.Issue{OrderID: o.ID, Chips: o.Chips}, issuer); err != nil {
		t.Fatalf("issue: %v", err)
	}
	if o.Chips != uint64(len(payers))*oneChip {
		t.Fatalf("the treasury bought %d, want %d", o.Chips, len(payers)*oneChip)
	}
	s := &signer{t: t, chainID: c.ChainID(), validUntil: validUntil(ctx, t, c)}
	txs := make([][]byte, len(payers))
	for i, p := range payers {
		txs[i] = s.sign(&txn.Transfer{To: p, AmountChips: oneChip}, treasury, uint64(i+1))
	}
	start := latestHeight(ctx, t, rpc)
	admitted, refused := broadcastPairs(ctx, t, rpc, clients, txs, nil)
	if len(admitted) != len(txs) {
		t.Fatalf("%d of %d funding transfers admitted: %v", len(admitted), len(txs), refused)
	}
	for h, r := range inBlocks(ctx, t, rpc, start+1, admitted) {
		if r.code != txn.OK {
			t.Fatalf("funding transfer %X: %v %s", h, r.code, r.log)
		}
	}
}

// broadcastPairs sends, from clients at once, each a[i] and, if b is not nil, right
// behind it b[i], without waiting for a[i]'s answer. It returns the hashes the node
// admitted, and the reasons of those it refused.
func broadcastPairs(ctx context.Context, t *testing.T, rpc *rpchttp.HTTP, clients int, a, b [][]byte) (admitted map[[32]byte]bool, refused map[[32]byte]string) {
	t.Helper()
	admitted, refused = make(map[[32]byte]bool), make(map[[32]byte]string)
	var mu sync.Mutex
	send := func(tx []byte) {
		res, err := rpc.BroadcastTxSync(ctx, tx)
		if err != nil {
			t.Errorf("broadcast: %v", err)
			return
		}
		h := sha256.Sum256(tx)
		mu.Lock()
		defer mu.Unlock()
		if res.Code == uint32(txn.OK) {
			admitted[h] = true
		} else {
			refused[h] = fmt.Sprintf("%v %s", txn.Code(res.Code), res.Log)
		}
	}
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			for i := range jobs {
				var pair sync.WaitGroup
				pair.Go(func() { send(a[i]) })
				if b != nil {
					send(b[i])
				}
				pair.Wait()
			}
		})
	}
	for i := range a {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	return admitted, refused
}

type txResult struct {
	height int64
	index  int
	code   txn.Code
	log    string
}

// before says whether a ran before b.
func before(a, b txResult) bool {
	return a.height < b.height || a.height == b.height && a.index < b.index
}

// inBlocks reads the blocks from height from on until every transaction of want is in
// one, or until the block whose proposal followed the last admission leaves some out:
// a single validator proposes everything its mempool holds (the blocks here are far
// below their byte limit), so what that block does not hold is lost.
func inBlocks(ctx context.Context, t *testing.T, rpc *rpchttp.HTTP, from int64, want map[[32]byte]bool) map[[32]byte]txResult {
	t.Helper()
	// The next height was not committed when every transaction had been admitted, so
	// the proposal of the one after came later.
	last := latestHeight(ctx, t, rpc) + 2
	found := make(map[[32]byte]txResult, len(want))
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for h := from; len(found) < len(want) && h <= last; h++ {
		// A block's results are stored after its height is: read them once the next
		// block is there.
		for latestHeight(ctx, t, rpc) <= h {
			select {
			case <-ctx.Done():
				t.Fatalf("waiting for height %d: %v", h+1, ctx.Err())
			case <-tick.C:
			}
		}
		block, err := rpc.Block(ctx, &h)
		if err != nil {
			t.Fatal(err)
		}
		for i, tx := range block.Block.Txs {
			hash := sha256.Sum256(tx)
			if want[hash] {
				r := indexedResult(ctx, t, rpc, hash[:])
				found[hash] = txResult{height: h, index: i, code: txn.Code(r.Code), log: r.Log}
			}
		}
	}
	return found
}

// indexedResult reads a committed transaction's result from the node's index, which
// follows the blocks: a validator keeps no block's results.
func indexedResult(ctx context.Context, t *testing.T, rpc *rpchttp.HTTP, hash []byte) abci.ExecTxResult {
	t.Helper()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		res, err := rpc.Tx(ctx, hash, false)
		if err == nil {
			return res.TxResult
		}
		select {
		case <-ctx.Done():
			t.Fatalf("result of %X: %v (%v)", hash, err, ctx.Err())
		case <-tick.C:
		}
	}
}

func latestHeight(ctx context.Context, t *testing.T, rpc *rpchttp.HTTP) int64 {
	t.Helper()
	st, err := rpc.Status(ctx)
	if err != nil {
		t.Fatalf("status: %v", err)
	}
	return st.SyncInfo.LatestBlockHeight
}
