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
	var from, orderArg, resume string
	cmd := &cobra.Command{
		Use:   "issue",
		Short: "Issue, as an issuer, the chips of a paid order to its buyer",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			order, res, err := issueOrResume(cmd, g, from, orderArg, resume)
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
	cmd.Flags().StringVar(&orderArg, "order", "", "order id or RF payment reference")
	cmd.Flags().StringVar(&resume, "resume", "", "send the kept issue of this order (or transaction hash) again, the same bytes")
	return cmd
}

func issueOrResume(cmd *cobra.Command, g *Globals, from, orderArg, resume string) (txn.Order, client.Committed, error) {
	if resume != "" {
		if err := resumeAlone(cmd, "from", "order"); err != nil {
			return txn.Order{}, client.Committed{}, err
		}
		c, err := g.dial(cmd.Context())
		if err != nil {
			return txn.Order{}, client.Committed{}, err
		}
		return resumeOrder(cmd.Context(), c, g.outbox(), "issue", resume)
	}
	if orderArg == "" {
		return txn.Order{}, client.Committed{}, usageError{fmt.Errorf("--order is required")}
	}
	orderID, err := orderIDArg("--order", orderArg)
	if err != nil {
		return txn.Order{}, client.Committed{}, err
	}
	key, c, err := g.signer(cmd.Context(), from)
	if err != nil {
		return txn.Order{}, client.Committed{}, err
	}
	return issue(cmd.Context(), c, g.outbox(), key, orderID)
}

// issue mints the chips the order is owed.
func issue(ctx context.Context, c *client.Client, ob outbox, key crypto.Signer, orderID string) (txn.Order, client.Committed, error) {
	order, err := c.Order(ctx, orderID)
	if err != nil {
		return txn.Order{}, client.Committed{}, fmt.Errorf("--order: %w", err)
	}
	if order.Status == txn.StatusAwaitingPayment {
		return txn.Order{}, client.Committed{}, fmt.Errorf("order %s is %s: no payment is confirmed yet", order.ID, order.Status)
	}
	_, res, err := ob.send(ctx, c, "issue", &txn.Issue{OrderID: order.ID, Chips: order.Chips}, key)
	if err != nil {
		return txn.Order{}, client.Committed{}, err
	}
	order, err = c.Order(ctx, orderID)
	return order, res, err
}
