package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/txn"
)

// ReverseOptions are the flags of `chipmint reverse`.
type ReverseOptions struct {
	From    string
	BankRef string
	Reason  string
	Resume  string
}

// NewCmdReverse is `chipmint reverse`: the operator records that its bank reversed the
// credit that confirmed an order. The gateway does it by itself when a bank file
// reports the reversal; this is the same by hand.
func NewCmdReverse(g *Globals) *cobra.Command {
	o := &ReverseOptions{}
	cmd := &cobra.Command{
		Use:   "reverse",
		Short: "Record, as the operator, that the bank reversed the payment that confirmed an order",
		Args:  cobra.NoArgs,
		PreRunE: func(cmd *cobra.Command, _ []string) error {
			if o.Resume == "" {
				return nil
			}
			return resumeAlone(cmd, "from", "bank-ref", "reason")
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			tx, res, c, err := reverseOrResume(cmd, g, o)
			if err != nil {
				return err
			}
			msg := tx.Msg.(*txn.ReversePayment)
			op, err := operatorOfKey(cmd.Context(), c, tx.Sender)
			if err != nil {
				return err
			}
			order, err := c.OrderByBankReference(cmd.Context(), op, msg.BankReference)
			if err != nil {
				return err
			}
			g.emit(map[string]any{"order": order, "committed": res}, func(w io.Writer) {
				fmt.Fprintf(w, "payment %s of order %s reversed (height %d): %s\n", msg.BankReference, order.ID, res.Height, reversalEffect(order))
			})
			return nil
		},
	}
	cmd.Flags().StringVar(&o.From, "from", "", "operator key that signs")
	cmd.Flags().StringVar(&o.BankRef, "bank-ref", "", "the bank reference that confirmed the order")
	cmd.Flags().StringVar(&o.Reason, "reason", "", "the bank's reason, e.g. an ISO 20022 code such as AC04")
	for _, name := range []string{"from", "bank-ref", "reason"} {
		_ = cmd.MarkFlagRequired(name)
	}
	cmd.Flags().StringVar(&o.Resume, "resume", "", "send the kept reversal with this transaction hash again, the same bytes")
	return cmd
}

// reverseOrResume signs and sends the reversal, or sends a kept one again; it returns
// the transaction and the client that sent it.
func reverseOrResume(cmd *cobra.Command, g *Globals, o *ReverseOptions) (*txn.Signed, client.Committed, *client.Client, error) {
	ctx := cmd.Context()
	if o.Resume != "" {
		c, err := g.dial(ctx)
		if err != nil {
			return nil, client.Committed{}, nil, err
		}
		tx, res, err := g.outbox().resume(ctx, c, "reverse", o.Resume)
		return tx, res, c, err
	}
	msg := &txn.ReversePayment{BankReference: o.BankRef, Reason: o.Reason}
	if err := msg.Validate(); err != nil {
		return nil, client.Committed{}, nil, usageError{err}
	}
	key, c, err := g.signer(ctx, o.From)
	if err != nil {
		return nil, client.Committed{}, nil, err
	}
	tx, res, err := g.outbox().send(ctx, c, "reverse", msg, key)
	return tx, res, c, err
}

// reversalEffect says what a reversal did to its order.
func reversalEffect(o txn.Order) string {
	if o.IssuedHeight > 0 {
		return fmt.Sprintf("its %s were issued and stay in circulation: the operator's shortfall", formatChips(o.Chips))
	}
	return "it will never be issued"
}

// operatorOfKey is the id of the operator whose key has address a.
func operatorOfKey(ctx context.Context, c *client.Client, a crypto.Address) (string, error) {
	ops, err := c.Operators(ctx)
	if err != nil {
		return "", err
	}
	for _, op := range ops {
		if op.Address == a {
			return op.ID, nil
		}
	}
	return "", fmt.Errorf("%s is no operator's key", a)
}
