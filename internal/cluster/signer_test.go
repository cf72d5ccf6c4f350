package cluster

import (
	"context"
	"slices"
	"testing"
	"time"
)

// One validator of four signs through a remote signer, a process of its own
// (chipmint validator signer over TCP): its signatures are in the commits; its node
// killed and restarted, the signer dials it again and it signs again; the signer
// stopped, it signs no more, while the other three go on committing; the signer started
// again, it signs again.
func TestRemoteSigner(t *testing.T) {
	if testing.Short() {
		t.Skip("starts validator processes")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	c := New(t, bin, Options{Validators: 4, BlockTime: 200 * time.Millisecond})
	const v = 3
	addr := c.UseRemoteSigner(v)
	c.StartSigner(v)
	c.StartAll()
	if err := c.WaitHeight(ctx, 2, all(c)...); err != nil {
		t.Fatal(err)
	}
	h := waitSigned(ctx, t, c, v, addr, 1)
	t.Logf("validator %s signed block %d through its signer", addr, h)

	c.Kill(v)
	down := c.MaxHeight(ctx)
	if err := c.WaitHeight(ctx, down+3, 0, 1, 2); err != nil {
		t.Fatal(err)
	}
	c.Start(v)
	restarted := c.MaxHeight(ctx)
	h = waitSigned(ctx, t, c, v, addr, restarted+1)
	t.Logf("node%d restarted at height %d; the signer dialled it again and it signed block %d", v, restarted, h)

	c.StopSigner(v)
	stopped := c.MaxHeight(ctx)
	top := stopped + 10
	if err := c.WaitHeight(ctx, top, 0, 1, 2); err != nil {
		t.Fatalf("the others stopped committing without node%d's signer: %v", v, err)
	}
	// A vote signed before the signer stopped may still be in the commits of the next
	// two heights; none after.
	for height := stopped + 2; height < top; height++ {
		if signers := commitSigners(ctx, t, c, height); slices.Contains(signers, addr) {
			t.Fatalf("block %d is signed by %s, whose signer stopped at height %d", height, addr, stopped)
		} else if len(signers) < 3 {
			t.Fatalf("block %d has %d signatures, want the other three", height, len(signers))
		}
	}
	t.Logf("signer stopped at height %d; the other three committed to %d without it", stopped, top)

	c.StartSigner(v)
	h = waitSigned(ctx, t, c, v, addr, top)
	t.Logf("signer started again; node%d caught up and signed block %d", v, h)
}

// waitSigned waits for a block from height from on whose commit holds the signature of
// addr, node v's validator, and returns its height.
func waitSigned(ctx context.Context, t *testing.T, c *Cluster, v int, addr string, from int64) int64 {
	t.Helper()
	for height := from; ; height++ {
		// The commit of a block below the top is the one the next block carries. Node v
		// is waited for too: a node whose signer never connects exits.
		if err := c.WaitHeight(ctx, height+1, 0, v); err != nil {
			t.Fatalf("no block from %d on signed by %s: %v", from, addr, err)
		}
		if slices.Contains(commitSigners(ctx, t, c, height), addr) {
			return height
		}
	}
}

// commitSigners are the validators whose signatures the commit of block height holds,
// as node0 has it.
func commitSigners(ctx context.Context, t *testing.T, c *Cluster, height int64) []string {
	t.Helper()
	cl := c.Client(ctx, 0)
	if cl == nil {
		t.Fatal("node0 does not answer")
	}
	signers, err := cl.CommitSigners(ctx, height)
	if err != nil {
		t.Fatal(err)
	}
	return signers
}
