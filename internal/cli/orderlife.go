package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/txn"
)

// orderCommand is a command that signs one transaction about the order its argument
// names.
type orderCommand struct {
	use, short, role, what string
	// msg is the transaction about the order id.
	msg func(id string) txn.Msg
	// done says what became of the order.
	done func(w io.Writer, o txn.Order, res client.Committed)
}

// newOrderCommand is the cobra command of oc, with --reason when reason is not nil.
func newOrderCommand(g *Globals, oc orderCommand, reason *string) *cobra.Command {
	var f signedFlags
	cmd := &cobra.Command{
		Use:   oc.use + " ORDER",
		Short: oc.short,
		Args:  argOrResume("ORDER"),
		RunE: func(cmd *cobra.Command, args []string) error {
			tx, res, c, err := g.signedOrResumed(cmd.Context(), oc.use, f, func() (txn.Msg, error) {
				id, err := orderIDArg("ORDER", args[0])
				if err != nil {
					return nil, err
				}
				return oc.msg(id), nil
			})
			if err != nil {
				return err
			}
			return g.emitOrder(cmd.Context(), c, orderOf(tx), res, oc.done)
		},
	}
	f.add(cmd, oc.role, oc.what, "this order (or transaction hash)")
	if reason != nil {
		cmd.PreRunE = resumeAloneRun("reason")
		cmd.Flags().StringVar(reason, "reason", "", "why, for the buyer and the other issuers")
		_ = cmd.MarkFlagRequired("reason")
	} else {
		cmd.PreRunE = resumeAloneRun()
	}
	return cmd
}

// emitOrder reads the order a committed transaction changed and prints it.
func (g *Globals) emitOrder(ctx context.Context, c *client.Client, id string, res client.Committed, text func(io.Writer, txn.Order, client.Committed)) error {
	o, err := c.Order(ctx, id)
	if err != nil {
		return err
	}
	g.emit(map[string]any{"order": o, "committed": res}, func(w io.Writer) { text(w, o, res) })
	return nil
}

// NewCmdCancel is `chipmint cancel`: the buyer withdraws an order awaiting payment.
func NewCmdCancel(g *Globals) *cobra.Command {
	return newOrderCommand(g, orderCommand{
		use: "cancel", short: "Withdraw, as its buyer, an order (its id or RF payment reference) awaiting payment",
		role: "buyer", what: "cancellation",
		msg: func(id string) txn.Msg { return &txn.CancelOrder{OrderID: id} },
		done: func(w io.Writer, o txn.Order, res client.Committed) {
			fmt.Fprintf(w, "order %s cancelled (height %d): do not pay it; a payment that arrives is refunded\n", o.ID, res.Height)
		},
	}, nil)
}

// NewCmdHold is `chipmint hold`: an issuer stops a paid order from being issued.
func NewCmdHold(g *Globals) *cobra.Command {
	var reason string
	return newOrderCommand(g, orderCommand{
		use: "hold", short: "Stop, as an issuer, a paid order (its id or RF payment reference) from being issued until released",
		role: "issuer", what: "hold",
		msg: func(id string) txn.Msg { return &txn.HoldOrder{OrderID: id, Reason: reason} },
		done: func(w io.Writer, o txn.Order, res client.Committed) {
			fmt.Fprintf(w, "order %s held (height %d): %s; it is not issued until released\n", o.ID, res.Height, o.HoldReason)
		},
	}, &reason)
}

// NewCmdRelease is `chipmint release`: an issuer lets a held order be issued again.
func NewCmdRelease(g *Globals) *cobra.Command {
	return newOrderCommand(g, orderCommand{
		use: "release", short: "Let, as an issuer, a held order (its id or RF payment reference) be issued again",
		role: "issuer", what: "release",
		msg: func(id string) txn.Msg { return &txn.ReleaseOrder{OrderID: id} },
		done: func(w io.Writer, o txn.Order, res client.Committed) {
			fmt.Fprintf(w, "order %s released (height %d): %s to be issued\n", o.ID, res.Height, formatChips(o.Chips))
		},
	}, nil)
}

// NewCmdAccept is `chipmint accept`: the buyer of an underpaid order takes chips for
// what was received.
func NewCmdAccept(g *Globals) *cobra.Command {
	var f signedFlags
	cmd := &cobra.Command{
		Use:     "accept ORDER",
		Short:   "Take, as its buyer, chips for what an underpaid order (its id or RF payment reference) received",
		Long:    "Take chips for what an underpaid order received. Unless you accept, the order expires at its\ndeadline and the operator owes all it received back.",
		Args:    argOrResume("ORDER"),
		PreRunE: resumeAloneRun(),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			var (
				tx  *txn.Signed
				res client.Committed
				c   *client.Client
				err error
			)
			if f.Resume != "" {
				tx, res, c, err = g.resumeSigned(ctx, "accept", f.Resume)
			} else {
				tx, res, c, err = g.accept(ctx, f.From, args[0])
			}
			if err != nil {
				return err
			}
			return g.emitOrder(ctx, c, orderOf(tx), res, func(w io.Writer, o txn.Order, res client.Committed) {
				fmt.Fprintf(w, "order %s paid (height %d): %s to be issued for %s received\n", o.ID, res.Height,
					formatChips(o.Chips), formatMoney(o.ReceivedMinor, o.Currency))
			})
		},
	}
	f.add(cmd, "buyer", "acceptance", "this order (or transaction hash)")
	return cmd
}

// accept shows what an underpaid order received against what it asked for, and the
// chips that buys, then signs the buyer's acceptance.
func (g *Globals) accept(ctx context.Context, from, arg string) (*txn.Signed, client.Committed, *client.Client, error) {
	id, err := orderIDArg("ORDER", arg)
	if err != nil {
		return nil, client.Committed{}, nil, err
	}
	c, err := g.dial(ctx)
	if err != nil {
		return nil, client.Committed{}, nil, err
	}
	o, err := readOrder(ctx, c, g.Node, id)
	if err != nil {
		return nil, client.Committed{}, nil, err
	}
	if o.Status != txn.StatusUnderpaid {
		return nil, client.Committed{}, nil, fmt.Errorf("order %s is %s: only an underpaid order is accepted", o.ID, o.Status)
	}
	op, err := readOperator(ctx, c, o.Operator)
	if err != nil {
		return nil, client.Committed{}, nil, err
	}
	chips, err := op.Rate.ChipsFor(o.ReceivedMinor)
	if err != nil {
		return nil, client.Committed{}, nil, fmt.Errorf("order %s received %s: %s", o.ID, formatMoney(o.ReceivedMinor, o.Currency), txn.ReasonOf(err))
	}
	if g.Output == "text" {
		fmt.Fprintf(g.Out, "order %s received %s of the %s ordered: accepting takes %s for it\n", o.ID,
			formatMoney(o.ReceivedMinor, o.Currency), formatMoney(o.AmountMinor, o.Currency), formatChips(chips))
	}
	key, err := g.unlock(from)
	if err != nil {
		return nil, client.Committed{}, nil, err
	}
	tx, res, err := g.outbox().send(ctx, c, "accept", &txn.AcceptPartial{OrderID: o.ID}, key)
	return tx, res, c, err
}
