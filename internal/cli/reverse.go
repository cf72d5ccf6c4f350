package cli

import (
	"context"
	"crypto/ed25519"
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
		RunE: func(cmd *cobra.Command, _ []string) error {
			msg := &txn.ReversePayment{BankReference: o.BankRef, Reason: o.Reason}
			if err := msg.Validate(); err != nil {
				return usageError{err}
			}
			key, c, err := g.signer(cmd.Context(), o.From)
			if err != nil {
				return err
			}
			res, err := submit(cmd.Context(), c, msg, key)
			if err != nil {
				return err
			}
			op, err := operatorOfKey(cmd.Context(), c, crypto.AddressOf(key.Public().(ed25519.PublicKey)))
			if err != nil {
				return err
			}
			order, err := c.OrderByBankReference(cmd.Context(), op, o.BankRef)
			if err != nil {
				return err
			}
			g.emit(map[string]any{"order": order, "committed": res}, func(w io.Writer) {
				fmt.Fprintf(w, "payment %s of order %s reversed (height %d): %s\n", o.BankRef, order.ID, res.Height, reversalEffect(order))
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
	return cmd
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
