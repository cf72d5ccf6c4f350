package cli

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/chipmint/chipmint/internal/hsm"
	"github.com/chipmint/chipmint/internal/keystore"
)

// KeysExportOptions are the flags of `chipmint keys export`.
type KeysExportOptions struct {
	Out string
}

// KeysImportOptions are the flags of `chipmint keys import`.
type KeysImportOptions struct {
	In string
}

// KeysDeleteOptions are the flags of `chipmint keys delete`.
type KeysDeleteOptions struct {
	Yes bool
}

// NewCmdKeys is `chipmint keys`: the encrypted keystore in the home folder.
func NewCmdKeys(g *Globals) *cobra.Command {
	cmd := &cobra.Command{Use: "keys", Short: "Manage signing keys (encrypted on disk); a key on a PKCS#11 token is named by its pkcs11: URI wherever a key name goes"}
	eo := &KeysExportOptions{}
	export := &cobra.Command{
		Use: "export NAME", Short: "Write a key to a file, still sealed under its passphrase", Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error { return runKeysExport(g, args[0], eo) },
	}
	export.Flags().StringVar(&eo.Out, "out", "", "file to write; it must not exist")
	ino := &KeysImportOptions{}
	imp := &cobra.Command{
		Use: "import NAME", Short: "Store under NAME a key from a file written by keys export", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return runKeysImport(cmd, g, args[0], ino) },
	}
	imp.Flags().StringVar(&ino.In, "in", "", "file written by keys export")
	do := &KeysDeleteOptions{}
	del := &cobra.Command{
		Use: "delete NAME", Short: "Delete a key, after typing its name again or with --yes", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return runKeysDelete(cmd, g, args[0], do) },
	}
	del.Flags().BoolVar(&do.Yes, "yes", false, "delete without asking; what the key's address holds is lost unless the key was exported")
	cmd.AddCommand(
		&cobra.Command{
			Use: "add NAME", Short: "Create a new key", Args: cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error { return runKeysAdd(cmd, g, args[0]) },
		},
		&cobra.Command{
			Use: "list", Short: "List the keys", Args: cobra.NoArgs,
			RunE: func(*cobra.Command, []string) error { return runKeysList(g) },
		},
		&cobra.Command{
			Use: "show NAME", Short: "Show a key's address and public key (NAME: a key name or a pkcs11: URI)", Args: cobra.ExactArgs(1),
			RunE: func(_ *cobra.Command, args []string) error { return runKeysShow(g, args[0]) },
		},
		export, imp, del, newCmdKeysRotate(g), newCmdKeysHSMAdd(g),
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

// keyFileView is a key and the file it was exported to or imported from.
type keyFileView struct {
	keyView
	File string `json:"file"`
}

// terminal returns the person the keys commands may ask: the command's
// input when it is a terminal, or a stand-in for one in tests, else nil.
func terminal(cmd *cobra.Command, g *Globals) keystore.Terminal {
	switch in := cmd.InOrStdin().(type) {
	case keystore.Terminal:
		return in
	case *os.File:
		return keystore.FileTerminal(in, g.Err)
	}
	return nil
}

// keyNotFound turns the keystore's error for an unknown key into a usage
// error (exit 2) naming the key and the keystore folder, a malformed name into
// a usage error too, and passes any other error through, so an unknown key
// ends every command the same way.
func keyNotFound(err error) error {
	var nf *keystore.KeyNotFoundError
	if errors.Is(err, keystore.ErrBadName) {
		return usageError{err}
	}
	if !errors.As(err, &nf) {
		return err
	}
	return usageError{fmt.Errorf("no key %q in %s; `chipmint keys list` shows the keys", nf.Name, nf.Dir)}
}

// checkFree fails unless name is a valid key name not yet in ks, so that a
// command refuses before asking for a passphrase rather than after.
func checkFree(ks *keystore.Store, name string) error {
	_, err := ks.Show(name)
	if err == nil {
		return fmt.Errorf("%w: %q", keystore.ErrKeyExists, name)
	}
	if errors.Is(err, keystore.ErrKeyNotFound) {
		return nil
	}
	return err
}

func runKeysAdd(cmd *cobra.Command, g *Globals, name string) error {
	ks, err := g.keystore()
	if err != nil {
		return err
	}
	if err := checkFree(ks, name); err != nil {
		return err
	}
	pass, err := keystore.NewPassphrase(terminal(cmd, g), fmt.Sprintf("passphrase for new key %q: ", name))
	if err != nil {
		return fmt.Errorf("%w; nothing was created", err)
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
	if hsm.IsURI(name) {
		key, err := g.unlockFlag("NAME", name)
		if err != nil {
			return err
		}
		return showTokenKey(g, name, key, "")
	}
	ks, err := g.keystore()
	if err != nil {
		return err
	}
	k, err := ks.Show(name)
	if err != nil {
		return keyNotFound(err)
	}
	v := viewKey(k)
	g.emit(v, func(w io.Writer) {
		fmt.Fprintf(w, "name:       %s\naddress:    %s\npublic key: %s\n", v.Name, v.Address, v.PublicKey)
	})
	return nil
}

func runKeysExport(g *Globals, name string, o *KeysExportOptions) error {
	if o.Out == "" {
		return usageError{errors.New("--out: name the file to write")}
	}
	ks, err := g.keystore()
	if err != nil {
		return err
	}
	k, err := ks.Export(name, o.Out)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("--out: %s already exists; keys export never replaces a file", o.Out)
	}
	if err != nil {
		return keyNotFound(err)
	}
	v := keyFileView{keyView: viewKey(k), File: o.Out}
	g.emit(v, func(w io.Writer) {
		fmt.Fprintf(w, "key %s (%s) written to %s, still sealed under its passphrase\n", v.Name, v.Address, v.File)
	})
	return nil
}

func runKeysImport(cmd *cobra.Command, g *Globals, name string, o *KeysImportOptions) error {
	data, err := readFile("--in", o.In)
	if err != nil {
		return err
	}
	ks, err := g.keystore()
	if err != nil {
		return err
	}
	if err := checkFree(ks, name); err != nil {
		return err
	}
	from, err := keystore.ReadKeyFile(data)
	if err != nil {
		return fmt.Errorf("--in: %w", err)
	}
	prompt := fmt.Sprintf("passphrase of key %q (%s) in %s: ", from.Name, from.Address, o.In)
	pass, err := keystore.ReadPassphrase(terminal(cmd, g), prompt)
	if err != nil {
		return fmt.Errorf("%w; nothing was imported", err)
	}
	k, err := ks.ImportFile(name, data, pass)
	if err != nil {
		return fmt.Errorf("%w; nothing was imported", err)
	}
	v := keyFileView{keyView: viewKey(k), File: o.In}
	g.emit(v, func(w io.Writer) { fmt.Fprintf(w, "key %s imported from %s: %s\n", v.Name, v.File, v.Address) })
	return nil
}

func runKeysDelete(cmd *cobra.Command, g *Globals, name string, o *KeysDeleteOptions) error {
	ks, err := g.keystore()
	if err != nil {
		return err
	}
	k, err := ks.Show(name)
	if err != nil {
		return keyNotFound(err)
	}
	if !o.Yes {
		if err := confirmDelete(terminal(cmd, g), k); err != nil {
			return err
		}
	}
	k, err = ks.Delete(name)
	if err != nil {
		return keyNotFound(err)
	}
	v := viewKey(k)
	g.emit(v, func(w io.Writer) { fmt.Fprintf(w, "key %s deleted (address %s)\n", v.Name, v.Address) })
	return nil
}

// confirmDelete has the person at t type the key's name again. With no
// terminal it refuses: a script must say --yes.
func confirmDelete(t keystore.Terminal, k keystore.Key) error {
	if t == nil {
		return usageError{fmt.Errorf("no terminal to confirm the deletion of key %q on; pass --yes to delete it", k.Name)}
	}
	prompt := fmt.Sprintf("key %s (%s) will be deleted; unless it was exported, what its address holds is lost for good.\n"+
		"type the key's name to delete it: ", k.Name, k.Address)
	answer, err := t.ReadLine(prompt)
	if err != nil {
		return fmt.Errorf("%w; nothing was deleted", err)
	}
	if strings.TrimSpace(answer) != k.Name {
		return fmt.Errorf("%q is not %q; nothing was deleted", answer, k.Name)
	}
	return nil
}
