package cli

import (
	"encoding/base64"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/hsm"
)

func newCmdKeysHSMAdd(g *Globals) *cobra.Command {
	return &cobra.Command{
		Use:   "hsm-add URI",
		Short: "Make an Ed25519 key on a PKCS#11 token, labelled as the URI's object, and show its address and public key",
		Long: "Make an Ed25519 key on a PKCS#11 token. URI names the module, the token and the new key's label:\n\n" +
			"  pkcs11:token=chipmint;object=acme?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=env:CHIPMINT_PKCS11_PIN\n\n" +
			"The PIN comes from the environment variable pin-source names, or is asked. The private key never leaves the token;\n" +
			"the same URI names the key to every flag that takes a key. Needs a chipmint built with -tags pkcs11.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return runKeysHSMAdd(cmd, g, args[0]) },
	}
}

func runKeysHSMAdd(cmd *cobra.Command, g *Globals, uri string) error {
	key, err := g.openToken("URI", uri, terminal(cmd, g), true)
	if err != nil {
		return err
	}
	return showTokenKey(g, uri, key, "made")
}

// showTokenKey prints a key on a token as keys show prints a key of the keystore, its
// URI for a name; done says what was done to it, if anything.
func showTokenKey(g *Globals, uri string, key crypto.Signer, done string) error {
	pub, err := crypto.PublicKeyOf(key)
	if err != nil {
		return err
	}
	u, err := hsm.ParseURI(uri)
	if err != nil {
		return err
	}
	v := keyView{Name: u.String(), Address: crypto.AddressOf(pub).String(), PublicKey: base64.StdEncoding.EncodeToString(pub)}
	g.emit(v, func(w io.Writer) {
		if done != "" {
			fmt.Fprintf(w, "key %q %s on token %q: %s\n", u.Label, done, u.Token, v.Address)
		}
		fmt.Fprintf(w, "name:       %s\naddress:    %s\npublic key: %s\n", v.Name, v.Address, v.PublicKey)
	})
	return nil
}
