package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/hsm"
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

// unlock opens the named key with the passphrase from CHIPMINT_PASSPHRASE or a prompt,
// or the key on a token that a pkcs11: URI names, with its PIN.
func (g *Globals) unlock(name string) (crypto.Signer, error) { return g.unlockFlag("--from", name) }

// unlockFlag is unlock for a key named by flag.
func (g *Globals) unlockFlag(flag, name string) (crypto.Signer, error) {
	if name == "" {
		return nil, usageError{fmt.Errorf("%s: name the key that signs", flag)}
	}
	if hsm.IsURI(name) {
		return g.openToken(flag, name, keystore.FileTerminal(os.Stdin, os.Stderr), false)
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

// openToken opens the key on a token that the URI given to flag names, with the PIN
// from the URI's pin-source or asked at t (nil: no terminal), or with generate makes it
// first. The key is closed with the command (closeKeys).
func (g *Globals) openToken(flag, uri string, t keystore.Terminal, generate bool) (hsm.Key, error) {
	u, err := hsm.ParseURI(uri)
	if err != nil {
		return nil, usageError{fmt.Errorf("%s: %w", flag, err)}
	}
	if !hsm.Built {
		return nil, usageError{fmt.Errorf("%s: %w", flag, hsm.ErrNotBuilt)}
	}
	var ask func(string) ([]byte, error)
	if t != nil {
		ask = t.ReadSecret
	}
	pin, err := u.PIN(ask)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", flag, err)
	}
	open := hsm.Open
	if generate {
		open = hsm.Generate
	}
	key, err := open(u, pin)
	switch {
	case errors.Is(err, hsm.ErrNoKey), errors.Is(err, hsm.ErrNoToken), errors.Is(err, hsm.ErrNoModule):
		return nil, usageError{fmt.Errorf("%s: %w", flag, err)}
	case err != nil:
		return nil, fmt.Errorf("%s: %w", flag, err)
	}
	g.tokenKeys = append(g.tokenKeys, key)
	return key, nil
}

// closeKeys ends the sessions of the keys the command opened on tokens.
func (g *Globals) closeKeys() {
	for _, k := range g.tokenKeys {
		if err := k.Close(); err != nil {
			fmt.Fprintf(g.Err, "warning: %v\n", err)
		}
	}
	g.tokenKeys = nil
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
