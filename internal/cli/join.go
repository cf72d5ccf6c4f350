package cli

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/chipmint/chipmint/internal/node"
)

// JoinOptions are the flags of `chipmint join`.
type JoinOptions struct {
	Genesis  string
	Peers    []string
	Moniker  string
	RPC      string
	P2P      string
	External string
}

// NewCmdJoin is `chipmint join`: the home of a node for an existing network.
func NewCmdJoin(g *Globals) *cobra.Command {
	o := &JoinOptions{}
	cmd := &cobra.Command{
		Use:   "join",
		Short: "Create a home for a node of an existing network (a full node, or a validator to be)",
		Long: "Create a home for a node of an existing network (a full node, or a validator to be), with a new\n" +
			"validator key in config/priv_validator_key.json. For a validator whose key is to live in a remote\n" +
			"signer, move the key and data/priv_validator_state.json to the signer's machine and set\n" +
			"priv_validator_laddr (chipmint validator signer, docs/operations.md §3.8); add the validator with\n" +
			"the key's --pubkey, since --node-home then finds no key.",
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if len(o.Peers) == 0 {
				return usageError{errors.New("--peers: name at least one node of the network (id@host:port)")}
			}
			genesis, err := readFile("--genesis", o.Genesis)
			if err != nil {
				return err
			}
			err = node.Join(node.JoinOptions{
				Home: g.Home, Moniker: o.Moniker, Genesis: genesis, Peers: o.Peers, RPCListen: o.RPC, P2PListen: o.P2P, ExternalAddress: o.External,
			})
			if err != nil {
				return usageError{err}
			}
			addr, err := node.PeerAddress(g.Home)
			if err != nil {
				addr = "(not reachable by other nodes until --external-address is set)"
			}
			g.emit(map[string]any{"home": g.Home, "peer_address": addr, "peers": o.Peers}, func(w io.Writer) {
				fmt.Fprintf(w, "home %s joins the network through %d peers; this node is %s\n", g.Home, len(o.Peers), addr)
				fmt.Fprintf(w, "start it with: chipmint node --home %s\n", g.Home)
			})
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Genesis, "genesis", "", "the network's genesis.json, copied from any of its nodes")
	f.StringSliceVar(&o.Peers, "peers", nil, "nodes of the network, id@host:port (see 'chipmint peer-address' on them)")
	f.StringVar(&o.Moniker, "moniker", hostname(), "name of this node")
	f.StringVar(&o.RPC, "rpc", "127.0.0.1:26657", "RPC listen address")
	f.StringVar(&o.P2P, "p2p", "0.0.0.0:26656", "p2p listen address")
	f.StringVar(&o.External, "external-address", "", "host:port at which other nodes reach this one (needed with a 0.0.0.0 --p2p)")
	return cmd
}

// NewCmdPeerAddress is `chipmint peer-address`: how other nodes reach this one.
func NewCmdPeerAddress(g *Globals) *cobra.Command {
	return &cobra.Command{
		Use:   "peer-address",
		Short: "Print this node's peer address (id@host:port), for other nodes' --peers",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			addr, err := node.PeerAddress(g.Home)
			if err != nil {
				return err
			}
			g.emit(map[string]string{"peer_address": addr}, func(w io.Writer) { fmt.Fprintln(w, addr) })
			return nil
		},
	}
}

func hostname() string {
	h, err := os.Hostname()
	if err != nil {
		return "node"
	}
	return h
}
