package cli

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/keystore"
	"github.com/chipmint/chipmint/internal/node"
	"github.com/chipmint/chipmint/internal/txn"
)

// submitTimeout bounds how long a command waits for its transaction's block. Tests
// shorten it to see a transaction that is not committed in time.
var submitTimeout = 30 * time.Second

func (g *Globals) dial(ctx context.Context) (*client.Client, error) {
	return client.Dial(ctx, g.Node)
}

func (g *Globals) keystore() (*keystore.Store, error) {
	return keystore.Open(node.KeysDir(g.Home))
}

// unlock opens the named key with the passphrase from CHIPMINT_PASSPHRASE or a prompt.
func (g *Globals) unlock(name string) (crypto.Signer, error) { return g.unlockFlag("--from", name) }

// unlockFlag is unlock for a key named by flag.
func (g *Globals) unlockFlag(flag, name string) (crypto.Signer, error) {
	if name == "" {
		return nil, usageError{fmt.Errorf("%s: name the key that signs", flag)}
	}
	ks, err := g.keystore()
	if err != nil {
		return nil, err
	}
	if _, err := ks.Show(name); err != nil {
		return nil, flagKeyError(flag, err)
	}
	pass, err := keystore.Passphrase(fmt.Sprintf("passphrase for key %q: ", name))
	if err != nil {
		return nil, err
	}
	key, err := ks.Unlock(name, pass)
	if err != nil {
		return nil, err
	}
	return key, nil
}

// flagKeyError is an unknown key named by a flag as a usage error, like every unknown
// key: other errors pass unchanged.
func flagKeyError(flag string, err error) error {
	if nf := keyNotFound(err); nf != err {
		return usageError{fmt.Errorf("%s: %w", flag, nf)}
	}
	return err
}

// signer unlocks the named key and connects to the node: what every command that
// signs a transaction starts with.
func (g *Globals) signer(ctx context.Context, from string) (crypto.Signer, *client.Client, error) {
	key, err := g.unlock(from)
	if err != nil {
		return nil, nil, err
	}
	c, err := g.dial(ctx)
	if err != nil {
		return nil, nil, err
	}
	return key, c, nil
}

// resolveAddress accepts a chip1… address or the name of a key in the keystore.
func (g *Globals) resolveAddress(s string) (crypto.Address, error) {
	if a, err := crypto.ParseAddress(s); err == nil {
		return a, nil
	}
	ks, err := g.keystore()
	if err != nil {
		return crypto.Address{}, err
	}
	k, err := ks.Show(s)
	if err != nil {
		return crypto.Address{}, fmt.Errorf("%q is neither a chip1 address nor a key name: %w", s, err)
	}
	return k.Address, nil
}

// resumeAlone refuses --resume beside the command's other flags: a kept transaction is
// sent again exactly as it was signed, and needs no key (nor, says requiredFlags, any
// flag the command otherwise requires).
func resumeAlone(cmd *cobra.Command, flags ...string) error {
	var given []string
	for _, f := range flags {
		if cmd.Flags().Changed(f) {
			given = append(given, "--"+f)
		}
	}
	if len(given) > 0 {
		return usageError{fmt.Errorf("--resume sends the kept transaction as it was signed: leave out %s", strings.Join(given, ", "))}
	}
	return nil
}

// resumeOrder sends a kept transaction about an order again, and reads the order.
func resumeOrder(ctx context.Context, c *client.Client, ob outbox, command, ref string) (txn.Order, client.Committed, error) {
	tx, res, err := ob.resume(ctx, c, command, ref)
	if err != nil {
		return txn.Order{}, client.Committed{}, err
	}
	order, err := c.Order(ctx, orderOf(tx))
	return order, res, err
}

func readFile(flag, path string) ([]byte, error) {
	if path == "" {
		return nil, usageError{fmt.Errorf("%s: a file is required", flag)}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", flag, err)
	}
	return b, nil
}
