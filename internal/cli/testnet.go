package cli

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/chipmint/chipmint/internal/keystore"
	"github.com/chipmint/chipmint/internal/node"
	"github.com/chipmint/chipmint/internal/txn"
)

// TestnetOptions are the flags of `chipmint testnet`.
type TestnetOptions struct {
	Validators int
	Out        string
	ChainID    string
	Hosts      []string
	BlockTime  time.Duration
}

// NewCmdTestnet is `chipmint testnet`: the homes of a network of validators.
func NewCmdTestnet(g *Globals) *cobra.Command {
	o := &TestnetOptions{}
	cmd := &cobra.Command{
		Use:   "testnet",
		Short: "Generate the homes of a network of validators with a shared genesis and peers",
		Long: "Generate the homes of a network of validators with a shared genesis and peers. Each home gets its\n" +
			"validator's key in config/priv_validator_key.json; to keep a key in a remote signer instead, move it\n" +
			"and data/priv_validator_state.json to the signer's machine and set priv_validator_laddr\n" +
			"(chipmint validator signer, docs/operations.md §3.8).",
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error { return runTestnet(g, o) },
	}
	f := cmd.Flags()
	f.IntVar(&o.Validators, "validators", 4, "number of validators (tolerates (n-1)/3 faulty)")
	f.StringVar(&o.Out, "out", "testnet", "folder for the homes: OUT/node0, OUT/node1, ...")
	f.StringVar(&o.ChainID, "chain-id", "chipmint-testnet", "chain id")
	f.StringSliceVar(&o.Hosts, "hosts", nil, "host of each validator (default all on 127.0.0.1 with free ports)")
	f.DurationVar(&o.BlockTime, "block-time", time.Second, "time between blocks")
	return cmd
}

func runTestnet(g *Globals, o *TestnetOptions) (err error) {
	if o.Validators < 1 {
		return usageError{fmt.Errorf("--validators: want at least 1, got %d", o.Validators)}
	}
	fresh := noteFresh(o.Out)
	defer func() {
		if err != nil {
			fresh.undo()
		}
	}()
	// The issuer's and the auditor's keys live in the first node's keystore, where the
	// issuer service runs.
	ks, err := keystore.Open(node.KeysDir(filepath.Join(o.Out, "node0")))
	if err != nil {
		return err
	}
	k, err := showOrAdd(ks, "issuer")
	if err != nil {
		return err
	}
	au, err := showOrAdd(ks, "auditor")
	if err != nil {
		return err
	}
	homes, err := node.InitNetwork(node.NetworkOptions{
		Dir: o.Out, Validators: o.Validators, ChainID: o.ChainID, BlockTime: o.BlockTime, Hosts: o.Hosts,
		Issuers:  []txn.Issuer{{ID: "issuer", Address: k.Address, PublicKey: k.PublicKey}},
		Auditors: []txn.Auditor{{ID: "auditor", Address: au.Address, PublicKey: au.PublicKey}},
	})
	if err != nil {
		return usageError{err}
	}
	type nodeView struct {
		Home string `json:"home"`
		RPC  string `json:"rpc"`
	}
	views := make([]nodeView, len(homes))
	for i, h := range homes {
		conf, err := node.LoadConfig(h)
		if err != nil {
			return err
		}
		rpc := strings.Replace(conf.RPC.ListenAddress, "tcp://", "http://", 1)
		if len(o.Hosts) > 0 {
			// A node on another machine listens on every interface; clients use its host.
			rpc = strings.Replace(rpc, "0.0.0.0", o.Hosts[i%len(o.Hosts)], 1)
		}
		views[i] = nodeView{Home: h, RPC: rpc}
	}
	g.emit(map[string]any{"chain_id": o.ChainID, "nodes": views, "issuer": k.Address, "auditor": au.Address}, func(w io.Writer) {
		fmt.Fprintf(w, "%d validators of chain %s in %s; issuer %s, auditor %s (keys in %s)\n", len(homes), o.ChainID, o.Out, k.Address, au.Address, node.KeysDir(homes[0]))
		for _, v := range views {
			fmt.Fprintf(w, "  %s  rpc %s   run: chipmint node --home %s\n", v.Home, v.RPC, v.Home)
		}
	})
	return nil
}
