// Package nodetest starts a single-validator chipmint chain in process for the tests of
// programs that use the chain, such as the issuer service and the gateway, with its
// issuers (one, or a board of them with a threshold) and an operator ready. It is for tests only.
package nodetest

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	"github.com/cometbft/cometbft/p2p"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"

	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/node"
	"github.com/chipmint/chipmint/internal/txn"
)

// OperatorIBAN is the test operator's bank account.
const OperatorIBAN = "DE89370400440532013000"

// Chain is a running chain with its actors.
type Chain struct {
	Client *client.Client
	// Admin is the node's admin address, where its invariants are checked.
	Admin *client.Admin
	// Bulk submits to the node's own HTTP API, when Options.API started it.
	Bulk   *client.Bulk
	Node   *node.Node
	Issuer crypto.Signer
	// Issuers are the genesis's issuers, Issuer the first.
	Issuers  []crypto.Signer
	Operator crypto.Signer
	// OperatorInfo is operator "acme" as registered: EUR, 1 chip per EUR, cap 1,000,000 chips.
	OperatorInfo txn.Operator
	// options start the node again (Fork).
	options node.Options
}

// Key is a fixed test key from a one-byte seed.
func Key(seed byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
}

// Address is the address of a key; a key that is not Ed25519 fails the test.
func Address(t testing.TB, k crypto.Signer) crypto.Address {
	t.Helper()
	a, err := crypto.AddressOfSigner(k)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// Start runs a chain for the test and registers operator "acme"; it stops with the test.
func Start(t *testing.T) *Chain {
	t.Helper()
	return StartWithOrderTTL(t, 0)
}

// StartWithOrderTTL is Start with orders that expire after ttlBlocks (zero: the default).
func StartWithOrderTTL(t *testing.T, ttlBlocks int64) *Chain {
	t.Helper()
	return StartWith(t, Options{OrderTTLBlocks: ttlBlocks})
}

// Options are the genesis of a test chain; the zero value is Start's.
type Options struct {
	// OrderTTLBlocks is how many blocks an order waits for its payment; zero: the default.
	OrderTTLBlocks int64
	// Issuers is how many issuers the genesis lists (zero: one), Threshold how many of
	// them approve a controlled action (zero: one), and IssueApprovalChips the most
	// chips one issuer issues alone above that (zero: no limit).
	Issuers            int
	Threshold          int64
	IssueApprovalChips uint64
	// CheckpointInterval is how many blocks apart snapshots are taken; zero: the default.
	CheckpointInterval int64
	// Retention is what the node keeps of the chain's history; nil: a validator's
	// default (node.DefaultRetention).
	Retention *node.Retention
	// API serves the node's own HTTP API on a free loopback port (Chain.Bulk).
	API bool
	// ChainID is the chain's id; empty: "chipmint-nodetest".
	ChainID string
}

// StartWith is Start with the genesis of o. Operator acme is registered by the
// issuers' threshold: proposed by the first and approved by the next ones.
func StartWith(t *testing.T, o Options) *Chain {
	t.Helper()
	operator := Key(102)
	var signers []crypto.Signer
	var issuers []txn.Issuer
	for i := range max(o.Issuers, 1) {
		k := Key(byte(101 + 10*i))
		pub := k.Public().(ed25519.PublicKey)
		id := "issuer"
		if i > 0 {
			id = fmt.Sprintf("issuer-%d", i+1)
		}
		signers = append(signers, k)
		issuers = append(issuers, txn.Issuer{ID: id, Address: crypto.AddressOf(pub), PublicKey: pub})
	}
	opts := node.Options{CheckInvariants: true, AdminListen: "127.0.0.1:0"}
	if o.API {
		opts.APIListen = "127.0.0.1:0"
	}
	chainID := o.ChainID
	if chainID == "" {
		chainID = "chipmint-nodetest"
	}
	ports, err := node.FreePorts(2)
	if err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	err = node.Init(node.InitOptions{
		Home: home, ChainID: chainID, Moniker: "local", Issuers: issuers, BlockTime: 100 * time.Millisecond,
		OrderTTLBlocks: o.OrderTTLBlocks, IssuerThreshold: o.Threshold, IssueApprovalChips: o.IssueApprovalChips,
		CheckpointInterval: o.CheckpointInterval, Retention: o.Retention,
		RPCListen: fmt.Sprintf("127.0.0.1:%d", ports[0]), P2PListen: fmt.Sprintf("127.0.0.1:%d", ports[1]), Alone: true,
	})
	if err != nil {
		t.Fatalf("init node: %v", err)
	}
	editConfig(t, home, stoppableWithPeers)
	n, err := node.Start(home, opts)
	if err != nil {
		t.Fatalf("start node: %v", err)
	}
	ch := &Chain{Issuer: signers[0], Issuers: signers, Operator: operator, options: opts}
	ch.connect(t, n)
	ctx := Context(t)
	c := ch.Client
	opPub := operator.Public().(ed25519.PublicKey)
	reg := &txn.RegisterOperator{
		ID: "acme", Address: crypto.AddressOf(opPub), PublicKey: opPub,
		Account:  txn.BankAccount{IBAN: OperatorIBAN, BIC: "COBADEFFXXX", Holder: "Acme Payments GmbH", Currency: "EUR"},
		Rate:     txn.Rate{Chips: 1_000_000, Minor: 100},
		CapChips: 1_000_000_000_000,
	}
	ch.Apply(t, reg)
	if ch.OperatorInfo, err = c.Operator(ctx, "acme"); err != nil {
		t.Fatal(err)
	}
	return ch
}

// connect makes n the chain's node, stopped with the test unless Fork stopped it
// before, and connects its clients.
func (c *Chain) connect(t *testing.T, n *node.Node) {
	t.Helper()
	t.Cleanup(func() {
		if c.Node == n {
			n.Stop()
		}
	})
	cl, err := client.Dial(Context(t), n.RPCAddress())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cl.Close() })
	c.Node, c.Client, c.Admin = n, cl, client.NewAdmin(n.AdminAddress())
	if c.options.APIListen != "" {
		c.Bulk = client.NewBulk(n.APIAddress(), &http.Client{Timeout: time.Minute})
	}
}

// Fork stops the chain's node and starts two on copies of its home, on ports of their
// own and peered with no one (CometBFT does not start again on the same home in one
// process). Both have the same genesis and validator key: from here on the validator
// signs two chains that share the blocks so far, as a validator that equivocates
// would. c goes on with one copy, under its node id; Fork returns the other's chain,
// whose node has a node key of its own, as a second machine would. Followers started
// before lose their peer: start them after.
func (c *Chain) Fork(t *testing.T) *Chain {
	t.Helper()
	stopped := c.Node
	c.Node = nil
	if err := stopped.Stop(); err != nil {
		t.Fatal(err)
	}
	fork := &Chain{Issuer: c.Issuer, Issuers: c.Issuers, Operator: c.Operator, OperatorInfo: c.OperatorInfo, options: c.options}
	for _, ch := range []*Chain{c, fork} {
		home := copyHome(t, stopped.Config.RootDir)
		if ch == fork {
			newNodeKey(t, home)
		}
		n, err := node.Start(home, c.options)
		if err != nil {
			t.Fatalf("start node on %s: %v", home, err)
		}
		ch.connect(t, n)
	}
	return fork
}

// copyHome copies a stopped node's home to a new folder and gives the copy free
// loopback ports.
func copyHome(t *testing.T, home string) string {
	t.Helper()
	dst := t.TempDir()
	if err := os.CopyFS(dst, os.DirFS(home)); err != nil {
		t.Fatal(err)
	}
	ports, err := node.FreePorts(2)
	if err != nil {
		t.Fatal(err)
	}
	editConfig(t, dst, func(conf *cmtcfg.Config) {
		conf.RPC.ListenAddress = fmt.Sprintf("tcp://127.0.0.1:%d", ports[0])
		conf.P2P.ListenAddress = fmt.Sprintf("tcp://127.0.0.1:%d", ports[1])
	})
	return dst
}

// newNodeKey gives the node of home a node key of its own.
func newNodeKey(t *testing.T, home string) {
	t.Helper()
	file := filepath.Join(home, "config", "node_key.json")
	if err := os.Remove(file); err != nil {
		t.Fatal(err)
	}
	if _, err := p2p.LoadOrGenNodeKey(file); err != nil {
		t.Fatal(err)
	}
}

// Follower starts a full node that follows the chain, as another organisation's node
// would: not a validator, on a home of its own made as `chipmint join` makes one, on
// free loopback ports, with the chain's node as its only peer, from which it
// block-syncs. It returns once the follower has caught up with the chain, within a
// minute, with the follower's node and clients and the chain's actors; it stops with
// the test.
func (c *Chain) Follower(t *testing.T) *Chain {
	t.Helper()
	ctx := Context(t)
	home := joinHome(t, c.Node)
	n, err := node.Start(home, c.options)
	if err != nil {
		t.Fatalf("start follower on %s: %v", home, err)
	}
	f := &Chain{Issuer: c.Issuer, Issuers: c.Issuers, Operator: c.Operator, OperatorInfo: c.OperatorInfo, options: c.options}
	f.connect(t, n)
	rpc, err := rpchttp.New(n.RPCAddress(), "/websocket")
	if err != nil {
		t.Fatal(err)
	}
	// Block sync learns its peer's height every ten seconds and hands over to
	// consensus at the height it knew then: the follower has caught up once it has left
	// block sync and is within a block of the chain's height, read after its own.
	for {
		st, err := rpc.Status(ctx)
		if err != nil {
			t.Fatalf("follower: %v", err)
		}
		height, err := c.Client.Height(ctx)
		if err != nil {
			t.Fatal(err)
		}
		h := st.SyncInfo.LatestBlockHeight
		if h >= height-1 && !st.SyncInfo.CatchingUp {
			return f
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the follower is at height %d (catching up: %t), the chain at %d: %v", h, st.SyncInfo.CatchingUp, height, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// joinHome makes the home of a full node that joins the chain of n, with n as its
// peer, on free loopback ports.
func joinHome(t *testing.T, n *node.Node) string {
	t.Helper()
	genesis, err := os.ReadFile(n.Config.GenesisFile())
	if err != nil {
		t.Fatal(err)
	}
	peer, err := node.PeerAddress(n.Config.RootDir)
	if err != nil {
		t.Fatal(err)
	}
	ports, err := node.FreePorts(2)
	if err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	err = node.Join(node.JoinOptions{
		Home: home, Moniker: "follower", Genesis: genesis, Peers: []string{peer},
		RPCListen: fmt.Sprintf("127.0.0.1:%d", ports[0]), P2PListen: fmt.Sprintf("127.0.0.1:%d", ports[1]),
	})
	if err != nil {
		t.Fatal(err)
	}
	editConfig(t, home, func(conf *cmtcfg.Config) {
		// Its one peer is enough: no peer exchange, and a loopback peer is a peer.
		conf.P2P.PexReactor = false
		conf.P2P.AddrBookStrict = false
		// A node that votes on nothing goes on to the next height as soon as it has
		// the block and its commit: waiting the validator's block time at each one, it
		// would catch up no faster than the chain grows.
		conf.Consensus.TimeoutCommit = 10 * time.Millisecond
		conf.Consensus.SkipTimeoutCommit = true
		stoppableWithPeers(conf)
	})
	return home
}

// editConfig rewrites the config.toml of home with edit.
func editConfig(t *testing.T, home string, edit func(*cmtcfg.Config)) {
	t.Helper()
	conf, err := node.LoadConfig(home)
	if err != nil {
		t.Fatal(err)
	}
	edit(conf)
	cmtcfg.WriteConfigFile(filepath.Join(home, "config", "config.toml"), conf)
}

// stoppableWithPeers lets a node with peers stop in the test's process. CometBFT's
// consensus reactor asks each peer for its +2/3 majorities, sleeping
// peer_query_maj23_sleep_duration between steps without looking whether the node
// stopped; woken after the node closed its block store, it reads it and panics, which
// ends every test of the process. Asked once an hour, a peer is asked when it connects
// and not again while tests run: these questions matter only for liveness under a
// flood of signatures, which tests do not make.
func stoppableWithPeers(conf *cmtcfg.Config) {
	conf.Consensus.PeerQueryMaj23SleepDuration = time.Hour
}

// Apply applies a controlled action: sent by the first issuer while the threshold is
// one, else proposed by it and approved by as many more as the threshold asks.
func (c *Chain) Apply(t *testing.T, action txn.Msg) {
	t.Helper()
	ctx := Context(t)
	p, err := c.Client.Params(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if p.IssuerThreshold <= 1 {
		if _, err := c.Client.Submit(ctx, action, c.Issuer); err != nil {
			t.Fatalf("%s: %v", action.Type(), err)
		}
		return
	}
	id := c.Propose(t, c.Issuer, action)
	for _, k := range c.Issuers[1:p.IssuerThreshold] {
		if _, err := c.Client.Submit(ctx, &txn.Approve{ProposalID: id}, k); err != nil {
			t.Fatalf("approve %s of %s: %v", id, action.Type(), err)
		}
	}
}

// Propose has issuer propose action and returns the proposal's id.
func (c *Chain) Propose(t *testing.T, issuer crypto.Signer, action txn.Msg) string {
	t.Helper()
	nonce, err := client.NewNonce()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Client.SubmitWithNonce(Context(t), txn.NewPropose(action), issuer, nonce); err != nil {
		t.Fatalf("propose %s: %v", action.Type(), err)
	}
	return txn.ProposalID(Address(t, issuer), nonce)
}

// Context is bounded by a minute and by the test.
func Context(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// Buy places an order of amountMinor EUR cents from buyer with operator acme.
func (c *Chain) Buy(t *testing.T, buyer crypto.Signer, buyerID string, amountMinor uint64) txn.Order {
	t.Helper()
	ctx := Context(t)
	nonce, err := client.NewNonce()
	if err != nil {
		t.Fatal(err)
	}
	msg := &txn.BuyRequest{Operator: "acme", BuyerID: buyerID, AmountMinor: amountMinor, Currency: "EUR"}
	if _, err := c.Client.SubmitWithNonce(ctx, msg, buyer, nonce); err != nil {
		t.Fatalf("buy: %v", err)
	}
	o, err := c.Client.Order(ctx, txn.OrderID(Address(t, buyer), nonce))
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// Confirm confirms an order's payment as operator acme.
func (c *Chain) Confirm(t *testing.T, o txn.Order, bankRef string) {
	t.Helper()
	msg := &txn.ConfirmPayment{OrderID: o.ID, Buyer: o.Buyer, AmountMinor: o.AmountMinor, Currency: o.Currency, BankReference: bankRef}
	if _, err := c.Client.Submit(Context(t), msg, c.Operator); err != nil {
		t.Fatalf("confirm %s: %v", o.ID, err)
	}
}

// Order reads an order.
func (c *Chain) Order(t *testing.T, id string) txn.Order {
	t.Helper()
	o, err := c.Client.Order(Context(t), id)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// WaitOrder polls until the order has status, for at most a minute.
func (c *Chain) WaitOrder(t *testing.T, id string, status txn.OrderStatus) txn.Order {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		o := c.Order(t, id)
		if o.Status == status {
			return o
		}
		if time.Now().After(deadline) {
			t.Fatalf("order %s is %s after a minute, want %s", id, o.Status, status)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// CountEvents counts the transactions that moved an order to status, in every block
// committed so far.
func (c *Chain) CountEvents(t *testing.T, id string, status txn.OrderStatus) int {
	t.Helper()
	ctx := Context(t)
	h, err := c.Client.CommittedHeight(ctx)
	if err == nil {
		err = c.Client.WaitTxIndexed(ctx, h)
	}
	if err != nil {
		t.Fatal(err)
	}
	hist, err := c.Client.OrderHistory(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range hist {
		if e.Attrs["status"] == string(status) {
			n++
		}
	}
	return n
}

// WaitHeight waits until the chain's node has a block of height, for at most a minute.
func (c *Chain) WaitHeight(t *testing.T, height int64) {
	t.Helper()
	ctx := Context(t)
	for {
		h, err := c.Client.Height(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if h >= height {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("no block %d: %v", height, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// ReverseProxy serves the RPC of the node at target under another address, until the
// test ends.
func ReverseProxy(t *testing.T, target string) string {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(httputil.NewSingleHostReverseProxy(u))
	t.Cleanup(srv.Close)
	return srv.URL
}
