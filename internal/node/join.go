package node

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	cfg "github.com/cometbft/cometbft/config"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/types"

	"github.com/chipmint/chipmint/internal/ledger"
)

// JoinOptions set up the home of a node that joins an existing network.
type JoinOptions struct {
	Home    string
	Moniker string
	// Genesis is the network's genesis file, as every node of it has it.
	Genesis []byte
	// Peers are nodes of the network, as id@host:port.
	Peers     []string
	RPCListen string // host:port
	P2PListen string // host:port
	// ExternalAddress is how other nodes reach this one (host:port); needed when it
	// listens on every interface (0.0.0.0).
	ExternalAddress string
}

// Join creates the home of a node for an existing network: its own node key (and a
// validator key, which counts only once the validators add it), the network's genesis
// and its peers. Started, it block-syncs from them, or state-syncs when configured to.
func Join(o JoinOptions) error {
	conf := DefaultConfig(o.Home)
	if _, err := os.Stat(conf.GenesisFile()); err == nil {
		return fmt.Errorf("%w: %s", ErrHomeExists, conf.GenesisFile())
	}
	doc, err := types.GenesisDocFromJSON(o.Genesis)
	if err != nil {
		return fmt.Errorf("node: join: genesis: %w", err)
	}
	if _, err := ledger.ParseGenesis(doc.AppState); err != nil {
		return fmt.Errorf("node: join: genesis: %w", err)
	}
	for _, p := range o.Peers {
		if _, err := p2p.NewNetAddressString(p); err != nil {
			return fmt.Errorf("node: join: peer %q: %w", p, err)
		}
	}
	if _, err := writeHome(conf, InitOptions{Home: o.Home, Moniker: o.Moniker, RPCListen: o.RPCListen, P2PListen: o.P2PListen}); err != nil {
		return err
	}
	conf.P2P.PersistentPeers = strings.Join(o.Peers, ",")
	conf.P2P.ExternalAddress = o.ExternalAddress
	cfg.WriteConfigFile(filepath.Join(o.Home, "config", "config.toml"), conf)
	return os.WriteFile(conf.GenesisFile(), o.Genesis, 0o600)
}

// PeerAddress is how other nodes reach the node of home: id@host:port.
func PeerAddress(home string) (string, error) {
	conf, err := LoadConfig(home)
	if err != nil {
		return "", err
	}
	key, err := p2p.LoadNodeKey(conf.NodeKeyFile())
	if err != nil {
		return "", fmt.Errorf("node: %w", err)
	}
	addr := conf.P2P.ExternalAddress
	if addr == "" {
		addr = strings.TrimPrefix(conf.P2P.ListenAddress, "tcp://")
	}
	if strings.HasPrefix(addr, "0.0.0.0:") || strings.HasPrefix(addr, "[::]:") {
		return "", fmt.Errorf("node: %s listens on every interface and names no [p2p] external_address: no other node could dial %s", home, addr)
	}
	return p2p.IDAddressString(key.ID(), addr), nil
}
