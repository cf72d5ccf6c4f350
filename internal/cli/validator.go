package cli

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/node"
	"github.com/chipmint/chipmint/internal/txn"
)

// NewCmdValidator is `chipmint validator`: the validator set, changed by the issuers
// (docs/decisions/0030-validator-set.md).
func NewCmdValidator(g *Globals) *cobra.Command {
	cmd := &cobra.Command{Use: "validator", Short: "List the validators; add or remove one (a controlled action of the issuers); run a validator's remote signer"}
	list := &cobra.Command{
		Use: "list", Short: "List the validators: key, CometBFT address, power and share of the total", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runValidatorList(cmd, g) },
	}
	cmd.AddCommand(list, newCmdValidatorSet(g, "add"), newCmdValidatorSet(g, "remove"), newCmdValidatorSigner(g))
	return cmd
}

// validatorView is a validator as validator list shows it.
type validatorView struct {
	PublicKey []byte `json:"public_key"`
	// Address is CometBFT's: the key's SHA-256, its first 20 bytes in upper-case hex.
	Address string `json:"address"`
	Power   uint64 `json:"power,string"`
	// Share is the validator's part of the total power, from 0 to 1.
	Share float64 `json:"share"`
}

func viewValidator(pub []byte, power, total uint64) validatorView {
	a := crypto.AddressOf(pub)
	v := validatorView{PublicKey: pub, Address: fmt.Sprintf("%X", a[:]), Power: power}
	if total > 0 {
		v.Share = float64(power) / float64(total)
	}
	return v
}

func runValidatorList(cmd *cobra.Command, g *Globals) error {
	ctx := cmd.Context()
	c, err := g.dial(ctx)
	if err != nil {
		return err
	}
	vals, err := c.Validators(ctx)
	if err != nil {
		return err
	}
	var total uint64
	for _, v := range vals {
		total += v.Power
	}
	views := make([]validatorView, len(vals))
	for i, v := range vals {
		views[i] = viewValidator(v.PublicKey, v.Power, total)
	}
	g.emit(views, func(w io.Writer) {
		for _, v := range views {
			fmt.Fprintf(w, "%s  %s  power %d  %.2f%%\n", base64.StdEncoding.EncodeToString(v.PublicKey), v.Address, v.Power, 100*v.Share)
		}
	})
	return nil
}

// newCmdValidatorSet is `validator add` or `validator remove`: a SetValidator of a
// node's consensus key, with a power or 0.
func newCmdValidatorSet(g *Globals, verb string) *cobra.Command {
	var f signedFlags
	var pubkey, nodeHome string
	var power uint64
	command := "validator " + verb
	cmd := &cobra.Command{
		Use:     verb,
		Args:    cobra.NoArgs,
		PreRunE: resumeAloneRun("pubkey", "node-home", "power"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			tx, res, c, err := g.controlledOrResumed(ctx, command, f, func() (txn.Msg, error) {
				pub, err := validatorKey(pubkey, nodeHome)
				if err != nil {
					return nil, err
				}
				if verb == "add" && power == 0 {
					return nil, usageError{errors.New("--power: must be positive; validator remove takes a validator out")}
				}
				msg := &txn.SetValidator{PublicKey: pub, Power: power}
				if err := msg.Validate(); err != nil {
					return nil, usageError{fmt.Errorf("%s: %s", keyFlag(pubkey), txn.ReasonOf(err))}
				}
				return msg, nil
			})
			if err != nil {
				return err
			}
			if id, ok := proposed(tx); ok {
				return g.emitProposed(ctx, c, id, res)
			}
			m := tx.Msg.(*txn.SetValidator)
			v := viewValidator(m.PublicKey, m.Power, 0)
			g.emit(map[string]any{"validator": v, "committed": res}, func(w io.Writer) {
				if m.Power == 0 {
					fmt.Fprintf(w, "validator %s (%s) removed at height %d: CometBFT drops it two heights later\n", base64.StdEncoding.EncodeToString(m.PublicKey), v.Address, res.Height)
					return
				}
				fmt.Fprintf(w, "validator %s (%s) set to power %d at height %d: CometBFT applies it two heights later\n", base64.StdEncoding.EncodeToString(m.PublicKey), v.Address, m.Power, res.Height)
			})
			return nil
		},
	}
	f.add(cmd, "issuer", "validator change", "this transaction hash")
	cmd.Flags().StringVar(&pubkey, "pubkey", "", "the node's Ed25519 consensus key in base64 (pub_key.value of its priv_validator_key.json)")
	cmd.Flags().StringVar(&nodeHome, "node-home", "", "the node's home, whose config/priv_validator_key.json holds its consensus key (instead of --pubkey)")
	if verb == "add" {
		cmd.Short = "Make a node a validator with a voting power, or change a validator's power (a controlled action)"
		cmd.Flags().Uint64Var(&power, "power", 0, "the validator's voting power")
		_ = cmd.MarkFlagRequired("power")
	} else {
		cmd.Short = "Take a validator out of the validator set (a controlled action)"
	}
	return cmd
}

// validatorKey reads the consensus key of --pubkey or --node-home, one of the two.
func validatorKey(pubkey, nodeHome string) ([]byte, error) {
	switch {
	case pubkey != "" && nodeHome != "":
		return nil, usageError{errors.New("--pubkey and --node-home: give one, not both")}
	case nodeHome != "":
		pub, err := node.ValidatorPublicKey(nodeHome)
		if errors.Is(err, node.ErrRemoteSigner) {
			return nil, usageError{fmt.Errorf("--node-home: %w: give its key with --pubkey (pub_key.value of the priv_validator_key.json the signer holds)", err)}
		}
		if err != nil {
			return nil, usageError{fmt.Errorf("--node-home: %w", err)}
		}
		return pub, nil
	case pubkey != "":
		pub, err := base64.StdEncoding.DecodeString(pubkey)
		if err != nil || len(pub) != crypto.PublicKeyBytes {
			return nil, usageError{fmt.Errorf("--pubkey: want an Ed25519 key of %d bytes in base64", crypto.PublicKeyBytes)}
		}
		return pub, nil
	}
	return nil, usageError{errors.New("--pubkey or --node-home: the validator's consensus key is required")}
}

// keyFlag is the flag a validator's key came from.
func keyFlag(pubkey string) string {
	if pubkey != "" {
		return "--pubkey"
	}
	return "--node-home"
}
