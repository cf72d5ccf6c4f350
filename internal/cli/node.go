package cli

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/spf13/cobra"

	"github.com/chipmint/chipmint/internal/node"
	"github.com/chipmint/chipmint/internal/system"
)

// NodeOptions are the flags of `chipmint node`.
type NodeOptions struct {
	CheckInvariants bool
	AdminListen     string
	API             string
	SignerWait      time.Duration
	LogLevel        string
}

// NewCmdNode is `chipmint node`: runs the node of the home folder until interrupted.
func NewCmdNode(g *Globals) *cobra.Command {
	o := &NodeOptions{}
	cmd := &cobra.Command{
		Use:   "node",
		Short: "Run a chipmint node (CometBFT and the ledger) until interrupted",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return runNode(cmd, g, o) },
	}
	cmd.Flags().BoolVar(&o.CheckInvariants, "check-invariants", false, "verify the ledger's invariants after every block (slow; for debugging)")
	cmd.Flags().StringVar(&o.AdminListen, "admin-listen", "", "host:port where the node serves its operator the invariants check (GET /v1/invariants), "+
		"which reads the whole state and which the public RPC refuses; keep it on loopback or a private network (off when empty)")
	cmd.Flags().StringVar(&o.API, "api", "", "host:port of the node's own HTTP API: bulk submission of signed transactions (POST /v1/txs); "+
		"unauthenticated: keep it on loopback or behind a proxy (off when empty; port 0 takes a free port, which the node logs)")
	cmd.Flags().DurationVar(&o.SignerWait, "signer-wait", node.DefaultSignerWait, "when config.toml sets priv_validator_laddr, how long the node waits at its start "+
		"for its remote signer to connect before it gives up")
	cmd.Flags().StringVar(&o.LogLevel, "log-level", "info", "log level: debug, info, warn or error")
	return cmd
}

func runNode(cmd *cobra.Command, g *Globals, o *NodeOptions) error {
	var level slog.Level
	if err := level.UnmarshalText([]byte(o.LogLevel)); err != nil {
		return usageError{fmt.Errorf("--log-level: %w", err)}
	}
	logger := slog.New(slog.NewTextHandler(g.Err, &slog.HandlerOptions{Level: level}))
	if o.SignerWait <= 0 {
		return usageError{errors.New("--signer-wait: must be positive")}
	}
	opts := node.Options{Logger: logger, CheckInvariants: o.CheckInvariants, AdminListen: o.AdminListen, APIListen: o.API, SignerWait: o.SignerWait}
	err := system.RunNode(cmd.Context(), g.Home, opts, func(n *node.Node) {
		attrs := []any{"home", g.Home, "rpc", n.RPCAddress()}
		if admin := n.AdminAddress(); admin != "" {
			attrs = append(attrs, "admin", admin)
		}
		if api := n.APIAddress(); api != "" {
			attrs = append(attrs, "api", api)
		}
		logger.Info("node running", attrs...)
	})
	logger.Info("stopped")
	return listenError(err)
}

// listenError names the flag that sets the admin or the API address when the node
// cannot listen there.
func listenError(err error) error {
	switch {
	case errors.Is(err, node.ErrAdminAddress):
		return fmt.Errorf("--admin-listen: %w", err)
	case errors.Is(err, node.ErrAPIAddress):
		return fmt.Errorf("--api: %w", err)
	}
	return err
}
