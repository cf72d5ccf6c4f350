package cli

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/txn"
)

// NewCmdOrder is `chipmint order`: an order and its history.
func NewCmdOrder(g *Globals) *cobra.Command {
	cmd := &cobra.Command{Use: "order", Short: "Follow orders"}
	cmd.AddCommand(&cobra.Command{
		Use: "show ORDER", Short: "Show an order (its id or RF payment reference) and its history on the chain", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return runOrderShow(cmd, g, args[0]) },
	})
	return cmd
}

type orderView struct {
	Order   txn.Order           `json:"order"`
	History []client.OrderEvent `json:"history"`
	// PayableUntil is the deadline of an order that was or is awaiting payment.
	PayableUntil *deadline `json:"payable_until,omitempty"`
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

func runOrderShow(cmd *cobra.Command, g *Globals, arg string) error {
	id, err := orderIDArg("ORDER", arg)
	if err != nil {
		return err
	}
	c, err := g.dial(cmd.Context())
	if err != nil {
		return err
	}
	o, err := c.Order(cmd.Context(), id)
	if errors.Is(err, client.ErrNotFound) {
		return fmt.Errorf("order %s is unknown to the node at %s", id, g.Node)
	}
	if err != nil {
		return err
	}
	hist, err := c.OrderHistory(cmd.Context(), id)
	if err != nil {
		return err
	}
	v := orderView{Order: o, History: hist}
	if o.ExpiresHeight > 0 {
		d := payableUntil(cmd.Context(), c, o)
		v.PayableUntil = &d
	}
	g.emit(v, func(w io.Writer) {
		fmt.Fprintf(w, "order     %s (%s)\n", o.ID, o.Status)
		fmt.Fprintf(w, "buyer     %s %s\n", o.Buyer.ID, o.Buyer.Address)
		fmt.Fprintf(w, "operator  %s\n", o.Operator)
		fmt.Fprintf(w, "amount    %s, reference %s\n", formatMoney(o.AmountMinor, o.Currency), o.PaymentReference)
		if o.Status == txn.StatusAwaitingPayment || o.Status == txn.StatusExpired {
			fmt.Fprintf(w, "deadline  %s\n", v.PayableUntil)
		}
		if o.BankReference != "" {
			fmt.Fprintf(w, "received  %s, bank reference %s, by %s\n", formatMoney(o.ReceivedMinor, o.Currency), o.BankReference, o.ConfirmedBy)
			fmt.Fprintf(w, "chips     %s\n", formatChips(o.Chips))
		}
		for _, e := range hist {
			fmt.Fprintf(w, "  height %-6d %s\n", e.Height, e.Attrs["status"])
		}
	})
	return nil
}
