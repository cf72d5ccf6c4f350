package cli

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/txn"
)

// NewCmdIssue is `chipmint issue`: the issuer mints a paid order's chips (claims 1, 5);
// an order above what one issuer may issue alone is proposed for the other issuers'
// approval.
func NewCmdIssue(g *Globals) *cobra.Command {
	var from, orderArg, resume string
	cmd := &cobra.Command{
		Use:   "issue",
		Short: "Issue, as an issuer, the chips of a paid order to its buyer, or propose the issue when it needs more issuers",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			tx, res, c, err := issueOrResume(cmd, g, from, orderArg, resume)
			if err != nil {
				return err
			}
			if id, ok := proposed(tx); ok {
				return g.emitProposed(ctx, c, id, res)
			}
			order, err := c.Order(ctx, orderOf(tx))
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

func issueOrResume(cmd *cobra.Command, g *Globals, from, orderArg, resume string) (*txn.Signed, client.Committed, *client.Client, error) {
	ctx := cmd.Context()
	if resume != "" {
		if err := resumeAlone(cmd, "from", "order"); err != nil {
			return nil, client.Committed{}, nil, err
		}
		return g.resumeSigned(ctx, "issue", resume)
	}
	if orderArg == "" {
		return nil, client.Committed{}, nil, usageError{fmt.Errorf("--order is required")}
	}
	orderID, err := orderIDArg("--order", orderArg)
	if err != nil {
		return nil, client.Committed{}, nil, err
	}
	c, err := g.dial(ctx)
	if err != nil {
		return nil, client.Committed{}, nil, err
	}
	order, err := c.Order(ctx, orderID)
	if err != nil {
		return nil, client.Committed{}, nil, fmt.Errorf("--order: %w", err)
	}
	if order.Status == txn.StatusAwaitingPayment {
		return nil, client.Committed{}, nil, fmt.Errorf("order %s is %s: no payment is confirmed yet", order.ID, order.Status)
	}
	return g.sendControlled(ctx, "issue", from, &txn.Issue{OrderID: order.ID, Chips: order.Chips})
}
