package node_test

import (
	"testing"
	"time"

	"github.com/chipmint/chipmint/internal/node"
)

// A lone validator runs without peer exchange, so that its address book is never
// started: a started one saves its file once more after the node has stopped, from a
// goroutine nobody waits for, which made the removal of a test's home fail now and then.
func TestLocalChainLeavesNothingBehindAfterStop(t *testing.T) {
	home := t.TempDir()
	n, err := node.StartLocal(home, node.LocalOptions{ChainID: "chipmint-local", Issuers: testIssuers(), BlockTime: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if n.Config.P2P.PexReactor {
		t.Fatal("a lone validator runs peer exchange")
	}
	if err := n.Stop(); err != nil {
		t.Fatal(err)
	}
	conf, err := node.LoadConfig(home)
	if err != nil || conf.P2P.PexReactor {
		t.Fatalf("the home's configuration runs peer exchange (%v)", err)
	}
}
