package node_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/node"
)

// A lone validator makes blocks with its key in a signer on a Unix socket, the signer
// started first and dialling until the node listens; the signer stops when told to.
// (The cluster's tests restart the node under a signer: CometBFT does not restart in
// the same process.)
func TestRemoteSignerSignsBlocks(t *testing.T) {
	socket := filepath.Join(t.TempDir(), "signer.sock")
	home, keyFile, stateFile := remoteSignerHome(t, "unix://"+socket)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	signerCtx, stopSigner := context.WithCancel(ctx)
	defer stopSigner()
	done := make(chan error, 1)
	go func() {
		done <- node.RunSigner(signerCtx, node.SignerOptions{KeyFile: keyFile, StateFile: stateFile, Connect: "unix://" + socket, ChainID: "chipmint-signer"})
	}()
	n, err := node.Start(home, node.Options{SignerWait: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	waitHeight(ctx, t, n, 3)
	if err := n.Stop(); err != nil {
		t.Fatal(err)
	}
	stopSigner()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the signer did not stop")
	}
}

// waitHeight waits until the node reaches height h.
func waitHeight(ctx context.Context, t *testing.T, n *node.Node, h int64) {
	t.Helper()
	c, err := client.Dial(ctx, n.RPCAddress())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for {
		got, err := c.Height(ctx)
		if err == nil && got >= h {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("height %d not reached (at %d, %v): %v", h, got, err, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}
