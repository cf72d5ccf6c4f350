package node

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	cfg "github.com/cometbft/cometbft/config"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/types"

	"github.com/chipmint/chipmint/internal/ledger"
	"github.com/chipmint/chipmint/internal/txn"
)

// ErrNetworkOptions is a network that cannot be generated as asked.
var ErrNetworkOptions = errors.New("node: network options")

// NetworkOptions describe a network of validators sharing one genesis.
type NetworkOptions struct {
	// Dir receives one home per validator: Dir/node0, Dir/node1, ...
	Dir        string
	Validators int
	ChainID    string
	Issuers    []txn.Issuer
	// Auditors attest the reserves; there may be none.
	Auditors []txn.Auditor
	// CheckpointInterval is the genesis's checkpoint interval; zero takes the default.
	CheckpointInterval int64
	// BlockTime is CometBFT's timeout_commit; zero keeps the default.
	BlockTime time.Duration
	// Hosts are where the validators run, one per validator or one for all; empty means
	// all on 127.0.0.1. Validators on a loopback host listen on free ports of this
	// machine; on another host on 26656 (p2p) and 26657 (RPC), plus 10 for each earlier
	// validator on the same host.
	Hosts []string
}

// InitNetwork creates one home per validator with a shared genesis listing every
// validator with equal power, each node having the others as persistent peers. It
// returns the homes in validator order; each starts with Start.
func InitNetwork(o NetworkOptions) ([]string, error) {
	if o.Validators < 1 {
		return nil, fmt.Errorf("%w: %d validators", ErrNetworkOptions, o.Validators)
	}
	hosts, err := networkHosts(o)
	if err != nil {
		return nil, err
	}
	gen := ledger.Genesis{Issuers: o.Issuers, Auditors: o.Auditors, CheckpointInterval: o.CheckpointInterval}
	if err := gen.Validate(); err != nil {
		return nil, err
	}
	homes := make([]string, o.Validators)
	confs := make([]*cfg.Config, o.Validators)
	validators := make([]types.GenesisValidator, o.Validators)
	peers := make([]string, o.Validators)
	for i := range o.Validators {
		homes[i] = filepath.Join(o.Dir, fmt.Sprintf("node%d", i))
		confs[i] = DefaultConfig(homes[i])
		if _, err := os.Stat(confs[i].GenesisFile()); err == nil {
			return nil, fmt.Errorf("%w: %s", ErrHomeExists, confs[i].GenesisFile())
		}
		keys, err := writeHome(confs[i], InitOptions{
			Home: homes[i], ChainID: o.ChainID, Moniker: fmt.Sprintf("node%d", i),
			Issuers: o.Issuers, BlockTime: o.BlockTime,
			RPCListen: hosts[i].rpc, P2PListen: hosts[i].p2p,
		})
		if err != nil {
			return nil, err
		}
		validators[i] = keys.validator
		peers[i] = p2p.IDAddressString(keys.nodeID, hosts[i].external)
	}
	genesis := filepath.Join(o.Dir, "genesis.json")
	if err := writeGenesis(genesis, o.ChainID, gen, validators); err != nil {
		return nil, err
	}
	for i, conf := range confs {
		if err := shareNetwork(conf, genesis, peers, i, hosts[i].external); err != nil {
			return nil, err
		}
	}
	return homes, os.Remove(genesis)
}

// shareNetwork gives validator i the genesis and the other validators as peers.
func shareNetwork(conf *cfg.Config, genesis string, peers []string, i int, external string) error {
	data, err := os.ReadFile(genesis)
	if err != nil {
		return fmt.Errorf("node: network genesis: %w", err)
	}
	if err := os.WriteFile(conf.GenesisFile(), data, 0o600); err != nil {
		return fmt.Errorf("node: network genesis: %w", err)
	}
	others := make([]string, 0, len(peers)-1)
	for j, p := range peers {
		if j != i {
			others = append(others, p)
		}
	}
	conf.P2P.PersistentPeers = strings.Join(others, ",")
	conf.P2P.ExternalAddress = external
	conf.P2P.AddrBookStrict = false
	cfg.WriteConfigFile(filepath.Join(conf.RootDir, "config", "config.toml"), conf)
	return nil
}

// hostPorts is where one validator listens and how its peers reach it.
type hostPorts struct {
	rpc, p2p, external string // host:port each
}

func networkHosts(o NetworkOptions) ([]hostPorts, error) {
	hosts := o.Hosts
	switch len(hosts) {
	case 0:
		hosts = []string{"127.0.0.1"}
	case 1, o.Validators:
	default:
		return nil, fmt.Errorf("%w: %d hosts for %d validators", ErrNetworkOptions, len(hosts), o.Validators)
	}
	loopback := 0
	for i := range o.Validators {
		if isLoopback(hosts[i%len(hosts)]) {
			loopback++
		}
	}
	free, err := FreePorts(2 * loopback) // all at once, so that no port is handed out twice
	if err != nil {
		return nil, err
	}
	out := make([]hostPorts, o.Validators)
	seen := map[string]int{}
	for i := range out {
		host := hosts[i%len(hosts)]
		rpcPort, p2pPort, listen := 26657+10*seen[host], 26656+10*seen[host], "0.0.0.0"
		seen[host]++
		if isLoopback(host) {
			rpcPort, p2pPort, listen = free[0], free[1], host
			free = free[2:]
		}
		out[i] = hostPorts{
			rpc:      net.JoinHostPort(listen, fmt.Sprint(rpcPort)),
			p2p:      net.JoinHostPort(listen, fmt.Sprint(p2pPort)),
			external: net.JoinHostPort(host, fmt.Sprint(p2pPort)),
		}
	}
	return out, nil
}

func isLoopback(host string) bool {
	ip := net.ParseIP(host)
	return host == "localhost" || (ip != nil && ip.IsLoopback())
}
