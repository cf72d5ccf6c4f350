package cli

import (
	"encoding/base64"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/chipmint/chipmint/internal/keystore"
)

// NewCmdKeys is `chipmint keys`: the encrypted keystore in the home folder.
func NewCmdKeys(g *Globals) *cobra.Command {
	cmd := &cobra.Command{Use: "keys", Short: "Manage signing keys (encrypted on disk)"}
	cmd.AddCommand(
		&cobra.Command{
			Use: "add NAME", Short: "Create a new key", Args: cobra.ExactArgs(1),
			RunE: func(_ *cobra.Command, args []string) error { return runKeysAdd(g, args[0]) },
		},
		&cobra.Command{
			Use: "list", Short: "List the keys", Args: cobra.NoArgs,
			RunE: func(*cobra.Command, []string) error { return runKeysList(g) },
		},
		&cobra.Command{
			Use: "show NAME", Short: "Show a key's address and public key", Args: cobra.ExactArgs(1),
			RunE: func(_ *cobra.Command, args []string) error { return runKeysShow(g, args[0]) },
		},
	)
	return cmd
}

type keyView struct {
	Name      string `json:"name"`
	Address   string `json:"address"`
	PublicKey string `json:"public_key"`
}

func viewKey(k keystore.Key) keyView {
	return keyView{Name: k.Name, Address: k.Address.String(), PublicKey: base64.StdEncoding.EncodeToString(k.PublicKey)}
}

func runKeysAdd(g *Globals, name string) error {
	ks, err := g.keystore()
	if err != nil {
		return err
	}
	pass, err := keystore.Passphrase(fmt.Sprintf("passphrase for new key %q: ", name))
	if err != nil {
		return err
	}
	k, err := ks.Add(name, pass)
	if err != nil {
		return err
	}
	v := viewKey(k)
	g.emit(v, func(w io.Writer) { fmt.Fprintf(w, "key %s created: %s\n", v.Name, v.Address) })
	return nil
}

func runKeysList(g *Globals) error {
	ks, err := g.keystore()
	if err != nil {
		return err
	}
	keys, err := ks.List()
	if err != nil {
		return err
	}
	views := make([]keyView, len(keys))
	for i, k := range keys {
		views[i] = viewKey(k)
	}
	g.emit(views, func(w io.Writer) {
		for _, v := range views {
			fmt.Fprintf(w, "%-16s %s\n", v.Name, v.Address)
		}
	})
	return nil
}

func runKeysShow(g *Globals, name string) error {
	ks, err := g.keystore()
	if err != nil {
		return err
	}
	k, err := ks.Show(name)
	if err != nil {
		return err
	}
	v := viewKey(k)
	g.emit(v, func(w io.Writer) {
		fmt.Fprintf(w, "name:       %s\naddress:    %s\npublic key: %s\n", v.Name, v.Address, v.PublicKey)
	})
	return nil
}
