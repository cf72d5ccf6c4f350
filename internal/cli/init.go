package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/chipmint/chipmint/internal/keystore"
	"github.com/chipmint/chipmint/internal/node"
	"github.com/chipmint/chipmint/internal/txn"
)

// InitOptions are the flags of `chipmint init`.
type InitOptions struct {
	ChainID   string
	Moniker   string
	Issuers   []string
	Auditors  []string
	BlockTime time.Duration
	RPC       string
	P2P       string
}

// NewCmdInit is `chipmint init`: a home folder with a single-validator genesis.
func NewCmdInit(g *Globals) *cobra.Command {
	o := &InitOptions{}
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Create a home folder: node configuration, validator key, genesis, issuer and auditor keys",
		Args:  cobra.NoArgs,
		RunE:  func(*cobra.Command, []string) error { return runInit(g, o) },
	}
	cmd.Flags().StringVar(&o.ChainID, "chain-id", "chipmint-local", "chain id")
	cmd.Flags().StringVar(&o.Moniker, "moniker", "node0", "name of this node")
	cmd.Flags().StringSliceVar(&o.Issuers, "issuer", []string{"issuer"}, "issuer key name (created in the keystore if missing); repeat for several")
	cmd.Flags().StringSliceVar(&o.Auditors, "auditor", []string{"auditor"}, "auditor key name (created in the keystore if missing); repeat for several, --auditor= for none")
	cmd.Flags().DurationVar(&o.BlockTime, "block-time", time.Second, "time between blocks (CometBFT timeout_commit)")
	cmd.Flags().StringVar(&o.RPC, "rpc", "127.0.0.1:26657", "RPC listen address")
	cmd.Flags().StringVar(&o.P2P, "p2p", "127.0.0.1:26656", "p2p listen address")
	return cmd
}

func runInit(g *Globals, o *InitOptions) error {
	if len(o.Issuers) == 0 {
		return usageError{fmt.Errorf("--issuer: at least one issuer is needed")}
	}
	ks, err := g.keystore()
	if err != nil {
		return err
	}
	issuers := make([]txn.Issuer, 0, len(o.Issuers))
	for _, name := range o.Issuers {
		k, err := showOrAdd(ks, name)
		if err != nil {
			return err
		}
		issuers = append(issuers, txn.Issuer{ID: name, Address: k.Address, PublicKey: k.PublicKey})
	}
	auditors := make([]txn.Auditor, 0, len(o.Auditors))
	for _, name := range o.Auditors {
		k, err := showOrAdd(ks, name)
		if err != nil {
			return err
		}
		auditors = append(auditors, txn.Auditor{ID: name, Address: k.Address, PublicKey: k.PublicKey})
	}
	err = node.Init(node.InitOptions{
		Home: g.Home, ChainID: o.ChainID, Moniker: o.Moniker, Issuers: issuers, Auditors: auditors,
		BlockTime: o.BlockTime, RPCListen: o.RPC, P2PListen: o.P2P,
	})
	if err != nil {
		return err
	}
	out := map[string]any{"home": g.Home, "chain_id": o.ChainID, "issuers": issuers, "auditors": auditors, "rpc": "http://" + o.RPC}
	g.emit(out, func(w io.Writer) {
		fmt.Fprintf(w, "initialised %s for chain %s\n", g.Home, o.ChainID)
		for _, is := range issuers {
			fmt.Fprintf(w, "issuer %s: %s\n", is.ID, is.Address)
		}
		for _, au := range auditors {
			fmt.Fprintf(w, "auditor %s: %s\n", au.ID, au.Address)
		}
		fmt.Fprintf(w, "start it with: chipmint node --home %s\n", g.Home)
	})
	return nil
}

// showOrAdd returns the named key, creating it when the keystore has none of that name
// (asking for its passphrase twice at a terminal); any other failure to read it stops.
func showOrAdd(ks *keystore.Store, name string) (keystore.Key, error) {
	k, err := ks.Show(name)
	if !errors.Is(err, keystore.ErrKeyNotFound) {
		return k, err
	}
	pass, err := keystore.NewPassphrase(keystore.FileTerminal(os.Stdin, os.Stderr), fmt.Sprintf("passphrase for new key %q: ", name))
	if err != nil {
		return keystore.Key{}, err
	}
	return ks.Add(name, pass)
}
