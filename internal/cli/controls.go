package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/chipmint/chipmint/internal/txn"
)

// NewCmdPause is `chipmint pause`: an issuer stops an operation for everybody.
func NewCmdPause(g *Globals) *cobra.Command {
	var f signedFlags
	var reason string
	cmd := &cobra.Command{
		Use:     "pause OPERATION",
		Short:   "Stop, as an issuer, an operation for everybody until the issuers unpause it: buy, confirm, issue, transfer or redeem",
		Args:    argOrResume("OPERATION"),
		PreRunE: resumeAloneRun("reason"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			tx, res, c, err := g.signedOrResumed(ctx, "pause", f, func() (txn.Msg, error) {
				op, err := operationArg(args[0])
				return &txn.Pause{Operation: op, Reason: reason}, err
			})
			if err != nil {
				return err
			}
			op := tx.Msg.(*txn.Pause).Operation
			paused, err := c.Paused(ctx)
			if err != nil {
				return err
			}
			g.emit(map[string]any{"paused": paused, "committed": res}, func(w io.Writer) {
				fmt.Fprintf(w, "%s paused (height %d): refused for everybody until the issuers unpause it (chipmint unpause %s)\n", op, res.Height, op)
			})
			return nil
		},
	}
	f.add(cmd, "issuer", "pause", "this transaction hash")
	cmd.Flags().StringVar(&reason, "reason", "", "why, for those refused and the other issuers")
	_ = cmd.MarkFlagRequired("reason")
	return cmd
}

// NewCmdUnpause is `chipmint unpause`: the issuers let a paused operation run again.
func NewCmdUnpause(g *Globals) *cobra.Command {
	var f signedFlags
	cmd := &cobra.Command{
		Use:     "unpause OPERATION",
		Short:   "Let a paused operation run again (a controlled action: proposed when the issuers' threshold is above 1)",
		Args:    argOrResume("OPERATION"),
		PreRunE: resumeAloneRun(),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			tx, res, c, err := g.controlledOrResumed(ctx, "unpause", f, func() (txn.Msg, error) {
				op, err := operationArg(args[0])
				return &txn.Unpause{Operation: op}, err
			})
			if err != nil {
				return err
			}
			if id, ok := proposed(tx); ok {
				return g.emitProposed(ctx, c, id, res)
			}
			op := tx.Msg.(*txn.Unpause).Operation
			g.emit(map[string]any{"unpaused": op, "committed": res}, func(w io.Writer) {
				fmt.Fprintf(w, "%s unpaused (height %d): it runs again\n", op, res.Height)
			})
			return nil
		},
	}
	f.add(cmd, "issuer", "unpause", "this transaction hash")
	return cmd
}

// operationArg reads the operation an argument names.
func operationArg(s string) (string, error) {
	if err := (txn.Unpause{Operation: s}).Validate(); err != nil {
		return "", usageError{fmt.Errorf("OPERATION: %s", strings.TrimPrefix(txn.ReasonOf(err), "operation: "))}
	}
	return s, nil
}

// NewCmdFreeze is `chipmint freeze`: an issuer stops an account from moving chips.
func NewCmdFreeze(g *Globals) *cobra.Command {
	var f signedFlags
	var reason string
	cmd := &cobra.Command{
		Use:     "freeze ADDRESS",
		Short:   "Stop, as an issuer, an account (a chip1 address or a key name) from sending, receiving, being issued and redeeming chips",
		Args:    argOrResume("ADDRESS"),
		PreRunE: resumeAloneRun("reason"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			tx, res, c, err := g.signedOrResumed(ctx, "freeze", f, func() (txn.Msg, error) {
				addr, err := g.resolveAddress(args[0])
				if err != nil {
					return nil, usageError{fmt.Errorf("ADDRESS: %w", err)}
				}
				return &txn.Freeze{Address: addr, Reason: reason}, nil
			})
			if err != nil {
				return err
			}
			addr := tx.Msg.(*txn.Freeze).Address
			frozen, _, err := c.Frozen(ctx, addr)
			if err != nil {
				return err
			}
			g.emit(map[string]any{"frozen": frozen, "committed": res}, func(w io.Writer) {
				fmt.Fprintf(w, "account %s frozen (height %d): %s; its chips stay until the issuers unfreeze it\n", addr, res.Height, frozen.Reason)
			})
			return nil
		},
	}
	f.add(cmd, "issuer", "freeze", "this transaction hash")
	cmd.Flags().StringVar(&reason, "reason", "", "why, for the account's holder and the other issuers")
	_ = cmd.MarkFlagRequired("reason")
	return cmd
}

// NewCmdUnfreeze is `chipmint unfreeze`: the issuers let a frozen account move chips
// again.
func NewCmdUnfreeze(g *Globals) *cobra.Command {
	var f signedFlags
	cmd := &cobra.Command{
		Use:     "unfreeze ADDRESS",
		Short:   "Let a frozen account (a chip1 address or a key name) move chips again (a controlled action)",
		Args:    argOrResume("ADDRESS"),
		PreRunE: resumeAloneRun(),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			tx, res, c, err := g.controlledOrResumed(ctx, "unfreeze", f, func() (txn.Msg, error) {
				addr, err := g.resolveAddress(args[0])
				if err != nil {
					return nil, usageError{fmt.Errorf("ADDRESS: %w", err)}
				}
				return &txn.Unfreeze{Address: addr}, nil
			})
			if err != nil {
				return err
			}
			if id, ok := proposed(tx); ok {
				return g.emitProposed(ctx, c, id, res)
			}
			addr := tx.Msg.(*txn.Unfreeze).Address
			g.emit(map[string]any{"unfrozen": addr, "committed": res}, func(w io.Writer) {
				fmt.Fprintf(w, "account %s unfrozen (height %d): it moves chips again\n", addr, res.Height)
			})
			return nil
		},
	}
	f.add(cmd, "issuer", "unfreeze", "this transaction hash")
	return cmd
}
