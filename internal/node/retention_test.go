package node_test

import (
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	rpchttp "github.com/cometbft/cometbft/rpc/client/http"

	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/node"
	"github.com/chipmint/chipmint/internal/node/nodetest"
	"github.com/chipmint/chipmint/internal/query"
	"github.com/chipmint/chipmint/internal/txn"
)

// waitBase waits, for at most a minute, until the node's lowest kept block is above
// height, and returns it.
func waitBase(t *testing.T, c *client.Client, height int64) int64 {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		base, err := c.Base(nodetest.Context(t))
		if err != nil {
			t.Fatal(err)
		}
		if base > height {
			return base
		}
		if time.Now().After(deadline) {
			t.Fatalf("base %d after a minute, want above %d", base, height)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitExpiry waits, for at most a minute, until an order's history shows its expiry,
// and returns the history and the expiry's height: the index follows the blocks.
func waitExpiry(t *testing.T, c *client.Client, id string) ([]client.OrderEvent, int64) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		hist, err := c.OrderHistory(nodetest.Context(t), id)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range hist {
			if e.Attrs["status"] == string(txn.StatusExpired) {
				return hist, e.Height
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no expiry in the history of order %s after a minute: %+v", id, hist)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestValidatorPrunesBlocks runs a validator that keeps its latest blocks and the state
// of its latest heights: its base rises, the queries clients use still answer for the
// blocks it keeps, and those about pruned blocks fail with ErrPruned; a proof at a height
// whose state it no longer keeps is ErrHeightUnavailable.
func TestValidatorPrunesBlocks(t *testing.T) {
	const retain, history = 30, 5
	ch := nodetest.StartWith(t, nodetest.Options{
		OrderTTLBlocks: 3, CheckpointInterval: 4, Retention: &node.Retention{RetainBlocks: retain, StateHistory: history},
	})
	ctx := nodetest.Context(t)
	c := ch.Client

	old := ch.Buy(t, nodetest.Key(1), "old", 1000)
	_, oldExpiry := waitExpiry(t, c, old.ID)
	base := waitBase(t, c, oldExpiry)

	// The transaction index is kept whole: the old order's buy request is still found,
	// its expiry's block is not.
	hist, err := c.OrderHistory(ctx, old.ID)
	if !errors.Is(err, client.ErrPruned) {
		t.Fatalf("history of an order expired in a pruned block: %v, want ErrPruned", err)
	}
	if len(hist) != 1 || hist[0].Attrs["status"] != string(txn.StatusAwaitingPayment) {
		t.Errorf("history of the old order = %+v, want its buy request alone", hist)
	}
	if _, err := c.BlockTxHashes(ctx, base-1); !errors.Is(err, client.ErrPruned) {
		t.Errorf("block %d below base %d: %v, want ErrPruned", base-1, base, err)
	}
	key := query.AccountKey(nodetest.Address(t, nodetest.Key(1)))
	last, err := c.ProveState(ctx, key, 0)
	if err != nil {
		t.Fatalf("the last height's state: %v", err)
	}
	if _, err := c.ProveState(ctx, key, last.Height-1); err != nil {
		t.Errorf("the state of the height before the last: %v", err)
	}
	if _, err := c.ProveState(ctx, key, last.Height-history-2); !errors.Is(err, client.ErrHeightUnavailable) {
		t.Errorf("a state older than the history kept: %v, want ErrHeightUnavailable", err)
	}

	// A recent order: its history, its transaction and its block.
	recent := ch.Buy(t, nodetest.Key(2), "recent", 1000)
	hist, _ = waitExpiry(t, c, recent.ID)
	if len(hist) != 2 || hist[0].Attrs["status"] != string(txn.StatusAwaitingPayment) || hist[1].Attrs["status"] != string(txn.StatusExpired) {
		t.Fatalf("history of the recent order = %+v, want its buy request and its expiry", hist)
	}
	tx, err := c.Tx(ctx, mustHash(t, hist[0].Hash))
	if err != nil || tx.Height != hist[0].Height || tx.Code != txn.OK {
		t.Fatalf("tx %s = %+v, %v", hist[0].Hash, tx, err)
	}
	hashes, err := c.BlockTxHashes(ctx, tx.Height)
	if err != nil || len(hashes) == 0 {
		t.Fatalf("block %d: %d transactions, %v", tx.Height, len(hashes), err)
	}
	latest, err := c.Height(ctx)
	if err != nil {
		t.Fatal(err)
	}
	base, err = c.Base(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if latest-base+1 < retain {
		t.Errorf("blocks %d to %d kept, want at least the latest %d", base, latest, retain)
	}
	if hs, err := c.Headers(ctx, base, latest); err != nil || int64(len(hs)) != latest-base+1 {
		t.Errorf("headers %d to %d: %d, %v", base, latest, len(hs), err)
	}

	// No block keeps its ABCI results on a validator.
	rpc, err := rpchttp.New(ch.Node.RPCAddress(), "/websocket")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rpc.BlockResults(ctx, &tx.Height); err == nil {
		t.Errorf("block results of height %d kept by a validator", tx.Height)
	}
}

// TestArchiveKeepsEverything runs an archive with a retention it must ignore: every
// block stays, and so do their ABCI results.
func TestArchiveKeepsEverything(t *testing.T) {
	ch := nodetest.StartWith(t, nodetest.Options{
		OrderTTLBlocks: 3, CheckpointInterval: 4, Retention: &node.Retention{Archive: true, RetainBlocks: 5},
	})
	ctx := nodetest.Context(t)
	o := ch.Buy(t, nodetest.Key(1), "buyer", 1000)
	_, at := waitExpiry(t, ch.Client, o.ID)
	rpc, err := rpchttp.New(ch.Node.RPCAddress(), "/websocket")
	if err != nil {
		t.Fatal(err)
	}
	for {
		latest, err := ch.Client.Height(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if latest > at+20 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if base, err := ch.Client.Base(ctx); err != nil || base != 1 {
		t.Fatalf("archive's base = %d, %v; want 1", base, err)
	}
	res, err := rpc.BlockResults(ctx, &at)
	if err != nil || len(res.FinalizeBlockEvents) == 0 {
		t.Fatalf("archive's results of block %d: %+v, %v", at, res, err)
	}
	// Every attribute is indexed: a search by one no validator indexes finds the order.
	found, err := rpc.BlockSearch(ctx, "order.buyer='"+o.Buyer.Address.String()+"'", nil, nil, "asc")
	if err != nil || found.TotalCount != 1 {
		t.Fatalf("archive's search by buyer: %+v, %v", found, err)
	}
}

func TestRetentionFile(t *testing.T) {
	home := t.TempDir()
	if err := os.MkdirAll(filepath.Join(home, "config"), 0o700); err != nil {
		t.Fatal(err)
	}
	if r, err := node.LoadRetention(home); err != nil || r != node.DefaultRetention() {
		t.Fatalf("without a file: %+v, %v; want the default", r, err)
	}
	for _, want := range []node.Retention{{RetainBlocks: 0}, {RetainBlocks: 12, StateHistory: 7}, {Archive: true}} {
		if err := node.WriteRetention(home, want); err != nil {
			t.Fatal(err)
		}
		if r, err := node.LoadRetention(home); err != nil || r != want {
			t.Errorf("wrote %+v, read %+v, %v", want, r, err)
		}
	}
	for _, text := range []string{`role = "full"`, "retain_blocks = -1", "state_history = -1"} {
		if err := os.WriteFile(filepath.Join(home, "config", "chipmint.toml"), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := node.LoadRetention(home); err == nil {
			t.Errorf("%s: read without an error", text)
		}
	}
}

func mustHash(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
