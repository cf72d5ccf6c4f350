package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/query"
	"github.com/chipmint/chipmint/internal/txn"
)

// NewCmdOrder is `chipmint order`: an order and its history.
func NewCmdOrder(g *Globals) *cobra.Command {
	cmd := &cobra.Command{Use: "order", Short: "Follow orders"}
	var receipt string
	show := &cobra.Command{
		Use: "show ORDER", Short: "Show an order (its id or RF payment reference) and its history on the chain", Args: cobra.ExactArgs(1),
		Long: "Show an order (its id or RF payment reference) and its history on the chain. The chain holds the account a\n" +
			"receipt's payment came from only as a salted commitment; --receipt, the receipt file that holds its opening,\n" +
			"shows the account once the opening is checked against the chain.",
		RunE: func(cmd *cobra.Command, args []string) error { return runOrderShow(cmd, g, args[0], receipt) },
	}
	show.Flags().StringVar(&receipt, "receipt", "", "the order's receipt file, whose opening shows the payer's account")
	cmd.AddCommand(show)
	return cmd
}

type orderView struct {
	// Order is the order, absent when it was removed.
	Order *txn.Order `json:"order,omitempty"`
	// Removed says when an order closed with nothing received left the state.
	Removed *query.RemovedOrder `json:"removed,omitempty"`
	History []client.OrderEvent `json:"history"`
	// HistoryIncomplete says which steps of the history are in blocks the node no
	// longer keeps.
	HistoryIncomplete string `json:"history_incomplete,omitempty"`
	// PayableUntil is the deadline of an order that was or is awaiting payment.
	PayableUntil *deadline `json:"payable_until,omitempty"`
	// Payer is the account the payment came from, opened with the receipt's opening and
	// checked against the order's payer commitment.
	Payer string `json:"payer,omitempty"`
}

// orderIDArg reads the order named by an argument or flag: its id in any letter case or
// its RF payment reference, as txn.ParseOrderID reads them.
func orderIDArg(name, s string) (string, error) {
	id, err := txn.ParseOrderID(s)
	if err != nil {
		return "", usageError{fmt.Errorf("%s: %w", name, err)}
	}
	return id, nil
}

func runOrderShow(cmd *cobra.Command, g *Globals, arg, receipt string) error {
	id, err := orderIDArg("ORDER", arg)
	if err != nil {
		return err
	}
	var opening *txn.AccountOpening
	if receipt != "" {
		b, err := readFile("--receipt", receipt)
		if err != nil {
			return err
		}
		var rf txn.ReceiptFile
		if err := json.Unmarshal(b, &rf); err != nil || rf.Payer.Salt == nil {
			return usageError{fmt.Errorf("--receipt %s: not a receipt file with its payer's opening", receipt)}
		}
		opening = &rf.Payer
	}
	ctx := cmd.Context()
	c, err := g.dial(ctx)
	if err != nil {
		return err
	}
	var v orderView
	o, err := c.Order(ctx, id)
	switch {
	case errors.Is(err, client.ErrNotFound):
		removed, err := c.RemovedOrder(ctx, id)
		if errors.Is(err, client.ErrNotFound) {
			return fmt.Errorf("order %s is unknown to the node at %s", id, g.Node)
		}
		if err != nil {
			return err
		}
		v.Removed = &removed
	case err != nil:
		return err
	default:
		v.Order = &o
		if o.ExpiresHeight > 0 {
			d := payableUntil(ctx, c, o)
			v.PayableUntil = &d
		}
	}
	if opening != nil {
		if v.Order == nil {
			return fmt.Errorf("--receipt: order %s left the state; its payer commitment cannot be checked", id)
		}
		if err := opening.Check(v.Order.PayerCommitment); err != nil {
			return fmt.Errorf("--receipt %s: %w", receipt, err)
		}
		v.Payer = opening.Account.Identification()
	}
	v.History, err = c.OrderHistory(ctx, id)
	switch {
	case errors.Is(err, client.ErrPruned):
		v.HistoryIncomplete = err.Error()
	case err != nil:
		return err
	}
	g.emit(v, func(w io.Writer) {
		if v.Removed != nil {
			fmt.Fprintf(w, "order     %s removed at height %d: closed with nothing received; its id is never used again\n", id, v.Removed.Height)
		} else {
			printOrder(w, *v.Order, v.PayableUntil)
		}
		if v.Payer != "" {
			fmt.Fprintf(w, "payer     %s (the receipt's opening matches the chain's commitment)\n", v.Payer)
		}
		for _, e := range v.History {
			fmt.Fprintf(w, "  height %-6d %s\n", e.Height, e.Attrs["status"])
		}
		if v.HistoryIncomplete != "" {
			fmt.Fprintf(w, "  (%s)\n", v.HistoryIncomplete)
		}
	})
	return nil
}

// printOrder shows an order for people, with its payment deadline d.
func printOrder(w io.Writer, o txn.Order, d *deadline) {
	fmt.Fprintf(w, "order     %s (%s)\n", o.ID, o.Status)
	fmt.Fprintf(w, "buyer     %s %s\n", o.Buyer.ID, o.Buyer.Address)
	fmt.Fprintf(w, "operator  %s\n", o.Operator)
	fmt.Fprintf(w, "amount    %s, reference %s\n", formatMoney(o.AmountMinor, o.Currency), o.PaymentReference)
	switch o.Status {
	case txn.StatusAwaitingPayment, txn.StatusExpired:
		fmt.Fprintf(w, "deadline  %s\n", d)
	case txn.StatusUnderpaid:
		fmt.Fprintf(w, "deadline  to be accepted %s\n", d.upTo())
	}
	if o.BankReference != "" {
		fmt.Fprintf(w, "received  %s, bank reference %s, by %s\n", formatMoney(o.ReceivedMinor, o.Currency), o.BankReference, o.ConfirmedBy)
	}
	switch {
	case o.Status == txn.StatusUnderpaid:
		fmt.Fprintf(w, "underpaid %s of %s: \"chipmint accept %s\" takes chips for it; else it expires and is owed back\n",
			formatMoney(o.ReceivedMinor, o.Currency), formatMoney(o.AmountMinor, o.Currency), o.ID)
	case o.Chips > 0:
		fmt.Fprintf(w, "chips     %s\n", formatChips(o.Chips))
	}
	if o.HoldReason != "" {
		fmt.Fprintf(w, "held      %s\n", o.HoldReason)
	}
	if o.OwedMinor > 0 {
		if o.RefundedHeight > 0 {
			fmt.Fprintf(w, "refunded  %s, reference %s, at height %d\n", formatMoney(o.OwedMinor, o.Currency), o.RefundReference, o.RefundedHeight)
		} else {
			fmt.Fprintf(w, "owed back %s, not yet refunded\n", formatMoney(o.OwedMinor, o.Currency))
		}
	}
	if o.ClosedHeight > 0 {
		fmt.Fprintf(w, "closed    at height %d\n", o.ClosedHeight)
	}
	if o.RemoveHeight > 0 {
		fmt.Fprintf(w, "removal   at height %d, its id kept\n", o.RemoveHeight)
	}
	if o.ReversedHeight > 0 {
		fmt.Fprintf(w, "reversed  at height %d: %s\n", o.ReversedHeight, o.ReversalReason)
	}
}
