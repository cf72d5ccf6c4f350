package node_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cfg "github.com/cometbft/cometbft/config"

	"github.com/chipmint/chipmint/internal/node"
)

// remoteSignerHome makes a single-validator home whose node signs through
// priv_validator_laddr = laddr, its key and state files moved to a folder of their own.
func remoteSignerHome(t *testing.T, laddr string) (home, keyFile, stateFile string) {
	t.Helper()
	home = t.TempDir()
	ports, err := node.FreePorts(2)
	if err != nil {
		t.Fatal(err)
	}
	err = node.Init(node.InitOptions{
		Home: home, ChainID: "chipmint-signer", Moniker: "v", Issuers: testIssuers(), BlockTime: 50 * time.Millisecond, Alone: true,
		RPCListen: fmt.Sprintf("127.0.0.1:%d", ports[0]), P2PListen: fmt.Sprintf("127.0.0.1:%d", ports[1]),
	})
	if err != nil {
		t.Fatal(err)
	}
	conf, err := node.LoadConfig(home)
	if err != nil {
		t.Fatal(err)
	}
	signer := t.TempDir()
	keyFile, stateFile = filepath.Join(signer, "priv_validator_key.json"), filepath.Join(signer, "priv_validator_state.json")
	for from, to := range map[string]string{conf.PrivValidatorKeyFile(): keyFile, conf.PrivValidatorStateFile(): stateFile} {
		if err := os.Rename(from, to); err != nil {
			t.Fatal(err)
		}
	}
	conf.PrivValidatorListenAddr = laddr
	cfg.WriteConfigFile(filepath.Join(home, "config", "config.toml"), conf)
	return home, keyFile, stateFile
}

// A node whose home names a remote signer starts without a key file, and gives up,
// naming the address, when no signer connects in time; the home's key cannot be read.
func TestNodeWithoutItsSignerNamesTheAddress(t *testing.T) {
	ports, err := node.FreePorts(1)
	if err != nil {
		t.Fatal(err)
	}
	laddr := fmt.Sprintf("tcp://127.0.0.1:%d", ports[0])
	home, _, _ := remoteSignerHome(t, laddr)
	n, err := node.Start(home, node.Options{SignerWait: 300 * time.Millisecond})
	if err == nil {
		n.Stop()
		t.Fatal("the node started with no signer connected")
	}
	if !errors.Is(err, node.ErrNoSigner) || !strings.Contains(err.Error(), laddr) {
		t.Fatalf("got %v, want %v naming %s", err, node.ErrNoSigner, laddr)
	}
	if _, err := node.ValidatorPublicKey(home); !errors.Is(err, node.ErrRemoteSigner) {
		t.Fatalf("the validator key of a home with a remote signer: %v, want %v", err, node.ErrRemoteSigner)
	}
	// Without priv_validator_laddr, a missing key file is named.
	conf, err := node.LoadConfig(home)
	if err != nil {
		t.Fatal(err)
	}
	conf.PrivValidatorListenAddr = ""
	cfg.WriteConfigFile(filepath.Join(home, "config", "config.toml"), conf)
	if n, err := node.Start(home, node.Options{}); !errors.Is(err, node.ErrNoValidatorKey) || !strings.Contains(err.Error(), conf.PrivValidatorKeyFile()) {
		if err == nil {
			n.Stop()
		}
		t.Fatalf("got %v, want %v naming %s", err, node.ErrNoValidatorKey, conf.PrivValidatorKeyFile())
	}
}
