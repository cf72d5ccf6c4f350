package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/txn"
)

// signedFlags are the flags of a command that signs one transaction about one thing
// named by its argument: the key that signs, or a kept transaction to send again.
type signedFlags struct {
	From   string
	Resume string
}

// add declares --from (a key of role) and --resume (the kept transaction, what, by ref:
// "this transaction hash", or "this order (or transaction hash)").
func (f *signedFlags) add(cmd *cobra.Command, role, what, ref string) {
	cmd.Flags().StringVar(&f.From, "from", "", role+" key that signs")
	cmd.Flags().StringVar(&f.Resume, "resume", "", "send the kept "+what+" of "+ref+" again: the same bytes, never twice")
	_ = cmd.MarkFlagRequired("from")
}

// argOrResume wants the one argument named name, or none with --resume, which sends a
// kept transaction as it was signed.
func argOrResume(name string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		resume := cmd.Flags().Changed("resume")
		switch {
		case resume && len(args) > 0:
			return fmt.Errorf("--resume sends the kept transaction as it was signed: leave out %s", name)
		case !resume && len(args) == 0:
			return fmt.Errorf("%s is required", name)
		case len(args) > 1:
			return fmt.Errorf("want one %s, got %d arguments", name, len(args))
		}
		return nil
	}
}

// resumeAloneRun is a PreRunE that refuses, with --resume, the command's other flags.
func resumeAloneRun(flags ...string) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, _ []string) error {
		if !cmd.Flags().Changed("resume") {
			return nil
		}
		return resumeAlone(cmd, append([]string{"from"}, flags...)...)
	}
}

// resumeSigned sends command's kept transaction that ref names again, and returns it
// with the client that sent it.
func (g *Globals) resumeSigned(ctx context.Context, command, ref string) (*txn.Signed, client.Committed, *client.Client, error) {
	c, err := g.dial(ctx)
	if err != nil {
		return nil, client.Committed{}, nil, err
	}
	tx, res, err := g.outbox().resume(ctx, c, command, ref)
	return tx, res, c, err
}

// sendSigned checks msg, signs it with the key named from and sends it, kept in the
// outbox as command's; it returns the transaction with the client that sent it.
func (g *Globals) sendSigned(ctx context.Context, command, from string, msg txn.Msg) (*txn.Signed, client.Committed, *client.Client, error) {
	if err := msg.Validate(); err != nil {
		return nil, client.Committed{}, nil, usageError{err}
	}
	key, c, err := g.signer(ctx, from)
	if err != nil {
		return nil, client.Committed{}, nil, err
	}
	tx, res, err := g.outbox().send(ctx, c, command, msg, key)
	return tx, res, c, err
}

// signedOrResumed sends the message build makes, signed with f.From, or with --resume
// the kept transaction of command again.
func (g *Globals) signedOrResumed(ctx context.Context, command string, f signedFlags, build func() (txn.Msg, error)) (*txn.Signed, client.Committed, *client.Client, error) {
	if f.Resume != "" {
		return g.resumeSigned(ctx, command, f.Resume)
	}
	msg, err := build()
	if err != nil {
		return nil, client.Committed{}, nil, err
	}
	return g.sendSigned(ctx, command, f.From, msg)
}

// redemptionIDArg reads the redemption named by an argument or flag, in any letter case.
func redemptionIDArg(name, s string) (string, error) {
	id, err := txn.ParseRedemptionID(s)
	if err != nil {
		return "", usageError{fmt.Errorf("%s: %s", name, txn.ReasonOf(err))}
	}
	return id, nil
}
