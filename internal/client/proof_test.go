package client_test

import (
	"context"
	"encoding/binary"
	"errors"
	"testing"
	"time"

	"github.com/cometbft/cometbft/types"

	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/merkle"
	"github.com/chipmint/chipmint/internal/node/nodetest"
	"github.com/chipmint/chipmint/internal/query"
	"github.com/chipmint/chipmint/internal/txn"
)

// A balance proved by a node, checked against the next header as a light client does:
// true proofs pass, at the last height and at a past one; a changed balance, a forged
// header, a header of another chain or another height, and an absent account claimed
// present are refused.
func TestBalanceProvedAgainstTheSignedHeader(t *testing.T) {
	ch := nodetest.Start(t)
	ctx := nodetest.Context(t)
	c := ch.Client
	buyer := nodetest.Key(51)
	addr := nodetest.Address(t, buyer)
	key := query.AccountKey(addr)

	o := ch.Buy(t, buyer, "buyer", 250)
	before, err := c.ProveState(ctx, key, 0)
	if err != nil {
		t.Fatal(err)
	}
	ch.Confirm(t, o, "REF-PROOF-1")
	if _, err := c.Submit(ctx, &txn.Issue{OrderID: o.ID, Chips: ch.Order(t, o.ID).Chips}, ch.Issuer); err != nil {
		t.Fatal(err)
	}
	p, err := c.ProveState(ctx, key, 0)
	if err != nil {
		t.Fatal(err)
	}
	sh, vals := headerAfter(ctx, t, c, p.Height)
	if err := client.CheckStateProof(c.ChainID(), sh, vals, p); err != nil {
		t.Fatalf("a true proof: %v", err)
	}
	if got, err := client.ProvedBalance(p, addr); err != nil || got != 2_500_000 {
		t.Fatalf("proved balance %d, %v; want 2,500,000 chips", got, err)
	}

	// The balance before the issue, proved at its own, past height: absent.
	if before.Present {
		t.Fatalf("the buyer had a balance before its chips were issued: %x", before.Value)
	}
	oldHeader, oldVals := headerAfter(ctx, t, c, before.Height)
	if err := client.CheckStateProof(c.ChainID(), oldHeader, oldVals, before); err != nil {
		t.Fatalf("a true proof of absence at a past height: %v", err)
	}
	again, err := c.ProveState(ctx, key, before.Height)
	if err != nil || again.Present || again.Height != before.Height {
		t.Fatalf("the past height asked again: %+v, %v", again, err)
	}

	changed := *p
	changed.Value = binary.BigEndian.AppendUint64(nil, 2_500_001)
	if err := client.CheckStateProof(c.ChainID(), sh, vals, &changed); !errors.Is(err, merkle.ErrProofMismatch) {
		t.Fatalf("a changed balance: %v", err)
	}

	// A proof of another state (here the same chain's, before the issue) against this
	// header: its commitment is not this app hash.
	moved := *before
	moved.Height = p.Height
	if err := client.CheckStateProof(c.ChainID(), sh, vals, &moved); !errors.Is(err, merkle.ErrNotTheAppHash) {
		t.Fatalf("another state's proof: %v", err)
	}
	// A lying node's header, whose app hash fits that proof: it is no longer the header
	// the validators signed.
	forged := *sh.Header
	forged.AppHash = moved.AppHash()
	if err := moved.Verify(forged.AppHash); err != nil {
		t.Fatalf("the forged header does not even fit the proof: %v", err)
	}
	if err := client.CheckStateProof(c.ChainID(), &types.SignedHeader{Header: &forged, Commit: sh.Commit}, vals, &moved); err == nil {
		t.Fatal("a forged header accepted")
	}
	if err := client.CheckStateProof("another-chain", sh, vals, p); err == nil {
		t.Fatal("a header checked as another chain's accepted")
	}
	if err := client.CheckStateProof(c.ChainID(), oldHeader, oldVals, p); err == nil {
		t.Fatal("a proof checked against another height's header accepted")
	}

	stranger, err := c.ProveState(ctx, query.AccountKey(nodetest.Address(t, nodetest.Key(52))), p.Height)
	if err != nil {
		t.Fatal(err)
	}
	if err := client.CheckStateProof(c.ChainID(), sh, vals, stranger); err != nil {
		t.Fatalf("a true proof of absence: %v", err)
	}
	claimed := *stranger
	claimed.Present, claimed.Value = true, binary.BigEndian.AppendUint64(nil, 1)
	if err := client.CheckStateProof(c.ChainID(), sh, vals, &claimed); !errors.Is(err, merkle.ErrProofMismatch) {
		t.Fatalf("an absent account claimed present: %v", err)
	}
	if _, err := c.ProveState(ctx, key, p.Height+1_000_000); !errors.Is(err, client.ErrHeightUnavailable) {
		t.Fatalf("a height not committed: %v", err)
	}
}

// headerAfter waits for the block after height and returns its signed header and the
// validator set that signed it.
func headerAfter(ctx context.Context, t *testing.T, c *client.Client, height int64) (*types.SignedHeader, *types.ValidatorSet) {
	t.Helper()
	for {
		h, err := c.Height(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if h > height {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("no block after %d", height)
		case <-time.After(50 * time.Millisecond):
		}
	}
	sh, err := c.SignedHeader(ctx, height+1)
	if err != nil {
		t.Fatal(err)
	}
	vals, err := c.ValidatorSet(ctx, height+1)
	if err != nil {
		t.Fatal(err)
	}
	return sh, vals
}
