package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/fiat"
	"github.com/chipmint/chipmint/internal/txn"
)

// BuyOptions are the flags of `chipmint buy`.
type BuyOptions struct {
	From     string
	Operator string
	Amount   string
	BuyerID  string
	Resume   string
}

// NewCmdBuy is `chipmint buy`: a signed request for chips (claim 3).
func NewCmdBuy(g *Globals) *cobra.Command {
	o := &BuyOptions{}
	cmd := &cobra.Command{
		Use:   "buy",
		Short: "Request chips from an operator; prints where to pay and the payment reference",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return runBuy(cmd, g, o) },
	}
	cmd.Flags().StringVar(&o.From, "from", "", "buyer key that signs")
	cmd.Flags().StringVar(&o.Operator, "operator", "", "operator id to pay")
	cmd.Flags().StringVar(&o.Amount, "amount", "", "amount to pay in the operator's currency, e.g. 100.00")
	cmd.Flags().StringVar(&o.BuyerID, "buyer-id", "", "your id at the operator (default: the key name)")
	cmd.Flags().StringVar(&o.Resume, "resume", "", "send the kept buy request of this order id (or transaction hash) again: the same bytes, never a second order")
	return cmd
}

// BuyResult is what a buyer needs to pay for an order.
type BuyResult struct {
	Order     txn.Order        `json:"order"`
	PayTo     txn.Operator     `json:"pay_to"`
	Committed client.Committed `json:"committed"`
	// PayableUntil is the order's deadline, worded for people.
	PayableUntil deadline `json:"payable_until"`
}

func runBuy(cmd *cobra.Command, g *Globals, o *BuyOptions) error {
	res, err := buyOrResume(cmd, g, o)
	if err != nil {
		return err
	}
	g.emit(res, func(w io.Writer) {
		fmt.Fprintf(w, "order %s awaiting payment (height %d)\n", res.Order.ID, res.Committed.Height)
		account := res.PayTo.PaymentAccount()
		fmt.Fprintf(w, "pay %s to %s, %s\n", formatMoney(res.Order.AmountMinor, res.Order.Currency), account.Holder, account)
		fmt.Fprintf(w, "reference %s\n", res.Order.PaymentReference)
		fmt.Fprintf(w, "%s; unpaid, the order expires\n", res.PayableUntil)
	})
	return nil
}

func buyOrResume(cmd *cobra.Command, g *Globals, o *BuyOptions) (BuyResult, error) {
	ctx := cmd.Context()
	if o.Resume != "" {
		if err := resumeAlone(cmd, "from", "operator", "amount", "buyer-id"); err != nil {
			return BuyResult{}, err
		}
		c, err := g.dial(ctx)
		if err != nil {
			return BuyResult{}, err
		}
		tx, committed, err := g.outbox().resume(ctx, c, "buy", o.Resume)
		if err != nil {
			return BuyResult{}, err
		}
		return bought(ctx, c, tx, committed)
	}
	if o.Operator == "" || o.Amount == "" {
		return BuyResult{}, usageError{fmt.Errorf("--operator and --amount are required")}
	}
	key, c, err := g.signer(ctx, o.From)
	if err != nil {
		return BuyResult{}, err
	}
	buyerID := o.BuyerID
	if buyerID == "" {
		buyerID = o.From
	}
	return buy(ctx, c, g.outbox(), key, o.Operator, buyerID, o.Amount)
}

// buy sends a buy request for amount (a decimal in the operator's currency), kept in
// ob until the chain answers.
func buy(ctx context.Context, c *client.Client, ob outbox, key crypto.Signer, operator, buyerID, amount string) (BuyResult, error) {
	op, err := c.Operator(ctx, operator)
	if err != nil {
		return BuyResult{}, fmt.Errorf("--operator: %w", err)
	}
	currency := op.PaymentAccount().Currency
	amountMinor, err := parseMoney(amount, currency)
	if err != nil {
		return BuyResult{}, err
	}
	msg := &txn.BuyRequest{Operator: operator, BuyerID: buyerID, AmountMinor: amountMinor, Currency: currency}
	tx, committed, err := ob.send(ctx, c, "buy", msg, key)
	if err != nil {
		return BuyResult{}, err
	}
	return bought(ctx, c, tx, committed)
}

// bought reads the order a committed buy request opened, where to pay for it and until
// when.
func bought(ctx context.Context, c *client.Client, tx *txn.Signed, committed client.Committed) (BuyResult, error) {
	order, err := c.Order(ctx, txn.OrderID(tx.Sender, tx.Nonce))
	if err != nil {
		return BuyResult{}, err
	}
	op, err := c.Operator(ctx, order.Operator)
	if err != nil {
		return BuyResult{}, err
	}
	return BuyResult{Order: order, PayTo: op, Committed: committed, PayableUntil: payableUntil(ctx, c, order)}, nil
}

// parseMoney reads a decimal amount of a currency into minor units.
func parseMoney(amount, code string) (uint64, error) {
	cur, err := fiat.ParseCurrency(code)
	if err != nil {
		return 0, err
	}
	v, err := fiat.ParseAmount(amount, cur)
	if err != nil {
		return 0, usageError{fmt.Errorf("--amount: %w", err)}
	}
	if v == 0 {
		return 0, usageError{fmt.Errorf("--amount: must be positive")}
	}
	return v, nil
}
