package node_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cometbft/cometbft/types"

	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/node"
	"github.com/chipmint/chipmint/internal/txn"
)

func testIssuers() []txn.Issuer {
	pub := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize)).Public().(ed25519.PublicKey)
	return []txn.Issuer{{ID: "issuer", Address: crypto.AddressOf(pub), PublicKey: pub}}
}

func TestInitNetworkFiles(t *testing.T) {
	dir := t.TempDir()
	homes, err := node.InitNetwork(node.NetworkOptions{Dir: dir, Validators: 4, ChainID: "chipmint-net", Issuers: testIssuers()})
	if err != nil {
		t.Fatal(err)
	}
	if len(homes) != 4 {
		t.Fatalf("%d homes, want 4", len(homes))
	}
	var genesis []byte
	rpc := map[string]bool{}
	for i, home := range homes {
		conf, err := node.LoadConfig(home)
		if err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(conf.GenesisFile())
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			genesis = data
		} else if !bytes.Equal(data, genesis) {
			t.Errorf("node%d has another genesis", i)
		}
		if n := len(strings.Split(conf.P2P.PersistentPeers, ",")); n != 3 {
			t.Errorf("node%d has %d persistent peers, want 3", i, n)
		}
		rpc[conf.RPC.ListenAddress] = true
	}
	if len(rpc) != 4 {
		t.Errorf("RPC addresses %v are not distinct", rpc)
	}
	doc, err := types.GenesisDocFromJSON(genesis)
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Validators) != 4 || doc.ChainID != "chipmint-net" {
		t.Errorf("genesis has %d validators on %q", len(doc.Validators), doc.ChainID)
	}
	_, err = node.InitNetwork(node.NetworkOptions{Dir: dir, Validators: 4, ChainID: "chipmint-net", Issuers: testIssuers()})
	if !errors.Is(err, node.ErrHomeExists) {
		t.Errorf("second init: %v, want ErrHomeExists", err)
	}
}

func TestInitNetworkOptions(t *testing.T) {
	tests := []struct {
		name string
		o    node.NetworkOptions
		want error
	}{
		{"no validators", node.NetworkOptions{Validators: 0, Issuers: testIssuers()}, node.ErrNetworkOptions},
		{"hosts mismatch", node.NetworkOptions{Validators: 3, Hosts: []string{"10.0.0.1", "10.0.0.2"}, Issuers: testIssuers()}, node.ErrNetworkOptions},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.o.Dir, tt.o.ChainID = t.TempDir(), "c"
			if _, err := node.InitNetwork(tt.o); !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestInitNetworkHosts(t *testing.T) {
	homes, err := node.InitNetwork(node.NetworkOptions{
		Dir: t.TempDir(), Validators: 2, ChainID: "c", Issuers: testIssuers(),
		Hosts: []string{"10.0.0.1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	conf, err := node.LoadConfig(homes[1])
	if err != nil {
		t.Fatal(err)
	}
	if conf.P2P.ExternalAddress != "10.0.0.1:26666" || !strings.HasSuffix(conf.P2P.PersistentPeers, "@10.0.0.1:26656") {
		t.Errorf("node1: external %q, peers %q", conf.P2P.ExternalAddress, conf.P2P.PersistentPeers)
	}
}

// TestNetworkMakesBlocks starts four validators in this process and waits until each
// has committed blocks, which needs three of the four to agree on every one.
func TestNetworkMakesBlocks(t *testing.T) {
	// Not t.TempDir: CometBFT's address book writes its file once more after the node
	// has stopped, which a strict removal reports as a failure.
	dir, err := os.MkdirTemp("", "chipmint-network-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	homes, err := node.InitNetwork(node.NetworkOptions{
		Dir: dir, Validators: 4, ChainID: "chipmint-net", Issuers: testIssuers(),
		BlockTime: 100 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	clients := make([]*client.Client, len(homes))
	for i, home := range homes {
		n, err := node.Start(home, node.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { n.Stop() })
		if clients[i], err = client.Dial(ctx, n.RPCAddress()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { clients[i].Close() })
	}
	for i, c := range clients {
		for {
			h, err := c.Height(ctx)
			if err != nil {
				t.Fatalf("node%d: %v", i, err)
			}
			if h >= 3 {
				break
			}
			select {
			case <-ctx.Done():
				t.Fatalf("node%d at height %d: %v", i, h, ctx.Err())
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
}
