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

// ConfirmOptions are the flags of `chipmint confirm`.
type ConfirmOptions struct {
	From    string
	Order   string
	Amount  string
	BankRef string
	Resume  string
}

// NewCmdConfirm is `chipmint confirm`: the operator's account notice (claim 4A).
func NewCmdConfirm(g *Globals) *cobra.Command {
	o := &ConfirmOptions{}
	cmd := &cobra.Command{
		Use:   "confirm",
		Short: "Confirm, as the operator, that an order's payment arrived at the bank",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return runConfirm(cmd, g, o) },
	}
	cmd.Flags().StringVar(&o.From, "from", "", "operator key that signs")
	cmd.Flags().StringVar(&o.Order, "order", "", "order id or RF payment reference")
	cmd.Flags().StringVar(&o.Amount, "amount", "", "amount received, e.g. 100.00")
	cmd.Flags().StringVar(&o.BankRef, "bank-ref", "", "the bank's reference of the credit (UETR or account servicer reference)")
	cmd.Flags().StringVar(&o.Resume, "resume", "", "send the kept confirmation of this order (or transaction hash) again, the same bytes")
	return cmd
}

func runConfirm(cmd *cobra.Command, g *Globals, o *ConfirmOptions) error {
	order, res, err := confirmOrResume(cmd, g, o)
	if err != nil {
		return err
	}
	out := map[string]any{"order": order, "committed": res}
	g.emit(out, func(w io.Writer) {
		if order.Status == txn.StatusUnderpaid {
			fmt.Fprintf(w, "order %s underpaid: %s received of %s (height %d); no chips until the buyer accepts, else it is owed back\n", order.ID,
				formatMoney(order.ReceivedMinor, order.Currency), formatMoney(order.AmountMinor, order.Currency), res.Height)
			return
		}
		fmt.Fprintf(w, "order %s paid: %s received, %s owed (height %d)\n", order.ID,
			formatMoney(order.ReceivedMinor, order.Currency), formatChips(order.Chips), res.Height)
		if order.OwedMinor > 0 {
			fmt.Fprintf(w, "%s more than ordered: owed back to the payer\n", formatMoney(order.OwedMinor, order.Currency))
		}
	})
	return nil
}

func confirmOrResume(cmd *cobra.Command, g *Globals, o *ConfirmOptions) (txn.Order, client.Committed, error) {
	if o.Resume != "" {
		if err := resumeAlone(cmd, "from", "order", "amount", "bank-ref"); err != nil {
			return txn.Order{}, client.Committed{}, err
		}
		c, err := g.dial(cmd.Context())
		if err != nil {
			return txn.Order{}, client.Committed{}, err
		}
		return resumeOrder(cmd.Context(), c, g.outbox(), "confirm", o.Resume)
	}
	if o.Order == "" || o.Amount == "" || o.BankRef == "" {
		return txn.Order{}, client.Committed{}, usageError{fmt.Errorf("--order, --amount and --bank-ref are required")}
	}
	orderID, err := orderIDArg("--order", o.Order)
	if err != nil {
		return txn.Order{}, client.Committed{}, err
	}
	key, c, err := g.signer(cmd.Context(), o.From)
	if err != nil {
		return txn.Order{}, client.Committed{}, err
	}
	return confirm(cmd.Context(), c, g.outbox(), key, orderID, o.Amount, o.BankRef)
}

// confirm sends the operator's account notice for an order and returns it as paid.
func confirm(ctx context.Context, c *client.Client, ob outbox, key crypto.Signer, orderID, amount, bankRef string) (txn.Order, client.Committed, error) {
	order, err := c.Order(ctx, orderID)
	if err != nil {
		return txn.Order{}, client.Committed{}, fmt.Errorf("--order: %w", err)
	}
	amountMinor, err := parseMoney(amount, order.Currency)
	if err != nil {
		return txn.Order{}, client.Committed{}, err
	}
	msg := &txn.ConfirmPayment{
		OrderID: order.ID, Buyer: order.Buyer, AmountMinor: amountMinor,
		Currency: order.Currency, BankReference: bankRef,
	}
	_, res, err := ob.send(ctx, c, "confirm", msg, key)
	if err != nil {
		return txn.Order{}, client.Committed{}, err
	}
	order, err = c.Order(ctx, orderID)
	return order, res, err
}
