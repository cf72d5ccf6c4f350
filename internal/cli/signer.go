package cli

import (
	"errors"
	"fmt"
	"log/slog"

	"github.com/spf13/cobra"

	"github.com/chipmint/chipmint/internal/node"
)

// ValidatorSignerOptions are the flags of `chipmint validator signer`.
type ValidatorSignerOptions struct {
	Key      string
	State    string
	Connect  string
	ChainID  string
	LogLevel string
}

// newCmdValidatorSigner is `chipmint validator signer`: a validator's consensus key
// kept away from its node, signing for it over priv_validator_laddr.
func newCmdValidatorSigner(g *Globals) *cobra.Command {
	o := &ValidatorSignerOptions{}
	cmd := &cobra.Command{
		Use:   "signer",
		Short: "Sign a validator's votes and proposals for its node, holding the key away from it, until interrupted",
		Long: "Hold a validator's consensus key and its last-sign state, dial its node at the node's\n" +
			"priv_validator_laddr and sign its votes and proposals; dial again whenever the node restarts.\n" +
			"Run one signer per key, never two (docs/operations.md §3.8).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runValidatorSigner(cmd, g, o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.Key, "key", "", "the validator's priv_validator_key.json")
	f.StringVar(&o.State, "state", "", "its priv_validator_state.json, written at every signature: never an old copy")
	f.StringVar(&o.Connect, "connect", "", "the node's priv_validator_laddr as this machine reaches it: tcp://host:port or unix://path")
	f.StringVar(&o.ChainID, "chain-id", "", "the chain's id; the signer signs for no other")
	f.StringVar(&o.LogLevel, "log-level", "info", "log level: debug, info, warn or error")
	for _, name := range []string{"key", "state", "connect", "chain-id"} {
		_ = cmd.MarkFlagRequired(name)
	}
	return cmd
}

func runValidatorSigner(cmd *cobra.Command, g *Globals, o *ValidatorSignerOptions) error {
	var level slog.Level
	if err := level.UnmarshalText([]byte(o.LogLevel)); err != nil {
		return usageError{fmt.Errorf("--log-level: %w", err)}
	}
	logger := slog.New(slog.NewTextHandler(g.Err, &slog.HandlerOptions{Level: level}))
	err := node.RunSigner(cmd.Context(), node.SignerOptions{
		KeyFile: o.Key, StateFile: o.State, Connect: o.Connect, ChainID: o.ChainID, Logger: logger,
	})
	switch {
	case errors.Is(err, node.ErrSignerAddress):
		return usageError{fmt.Errorf("--connect: %w", err)}
	case errors.Is(err, node.ErrNoValidatorKey):
		return usageError{fmt.Errorf("--key, --state: %w", err)}
	case err != nil:
		return err
	}
	logger.Info("stopped")
	return nil
}
