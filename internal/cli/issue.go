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

// NewCmdIssue is `chipmint issue`: the issuer mints a paid order's chips (claims 1, 5).
func NewCmdIssue(g *Globals) *cobra.Command {
	var from, orderID string
	cmd := &cobra.Command{
		Use:   "issue",
		Short: "Issue, as an issuer, the chips of a paid order to its buyer",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if orderID == "" {
				return usageError{fmt.Errorf("--order is required")}
			}
			key, c, err := g.signer(cmd.Context(), from)
			if err != nil {
				return err
			}
			order, res, err := issue(cmd.Context(), c, key, orderID)
			if err != nil {
				return err
			}
			g.emit(map[string]any{"order": order, "committed": res}, func(w io.Writer) {
				fmt.Fprintf(w, "order %s issued: %s to %s (height %d)\n", order.ID, formatChips(order.Chips), order.Buyer.Address, res.Height)
			})
			return nil
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "issuer key that signs")
	cmd.Flags().StringVar(&orderID, "order", "", "order id")
	return cmd
}

// issue mints the chips the order is owed.
func issue(ctx context.Context, c *client.Client, key crypto.Signer, orderID string) (txn.Order, client.Committed, error) {
	order, err := c.Order(ctx, orderID)
	if err != nil {
		return txn.Order{}, client.Committed{}, fmt.Errorf("--order: %w", err)
	}
	if order.Status == txn.StatusAwaitingPayment {
		return txn.Order{}, client.Committed{}, fmt.Errorf("order %s is %s: no payment is confirmed yet", order.ID, order.Status)
	}
	res, err := submit(ctx, c, &txn.Issue{OrderID: order.ID, Chips: order.Chips}, key)
	if err != nil {
		return txn.Order{}, client.Committed{}, err
	}
	order, err = c.Order(ctx, orderID)
	return order, res, err
}
