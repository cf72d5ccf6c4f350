package cli

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/chipmint/chipmint/internal/gateway"
)

// newCmdOperatorRefund is `chipmint operator refund`: the running gateway pays a credit
// back to its payer through the bank and records it on the chain once booked.
func newCmdOperatorRefund(g *Globals) *cobra.Command {
	var url string
	cmd := &cobra.Command{
		Use:   "refund BANK-REFERENCE",
		Short: "Have the gateway pay a credit back to its payer through the bank (an exception, or what an order owes back)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			out, err := gateway.NewAdminClient(url).Refund(cmd.Context(), args[0])
			var unreachable *gateway.UnreachableError
			if errors.As(err, &unreachable) {
				return fmt.Errorf("%w: a refund is made by the running gateway (chipmint operator run)", err)
			}
			if err != nil {
				return err
			}
			g.emit(out, func(w io.Writer) {
				fmt.Fprintf(w, "refund %s %s: %s to %s %s for credit %s\n", out.EndToEndID, out.Status,
					formatMoney(out.AmountMinor, out.Currency), cmp.Or(out.PayeeName, "the payer"), out.Payee.String(), out.CreditReference)
				if out.Status != gateway.OutgoingBooked {
					fmt.Fprintln(w, "the gateway records it on the chain once the bank has booked the debit")
				}
			})
			return nil
		},
	}
	cmd.Flags().StringVar(&url, "gateway", "http://"+gatewayListenDefault, "the running gateway's address")
	return cmd
}

// newCmdOperatorCredits is `chipmint operator credits`: every booked credit, what of it
// bought chips, was refunded, reversed, or is still open.
func newCmdOperatorCredits(g *Globals) *cobra.Command {
	var url string
	var open bool
	cmd := &cobra.Command{
		Use:   "credits",
		Short: "Account for every booked credit: the part confirmed, refunded, reversed, covering a shortfall and still open, with its age",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			credits, err := gateway.NewAdminClient(url).Credits(cmd.Context())
			if err != nil {
				return err
			}
			shown := credits[:0:0]
			for _, c := range credits {
				if !open || c.OpenMinor > 0 {
					shown = append(shown, c)
				}
			}
			if shown == nil {
				shown = []gateway.Credit{}
			}
			g.emit(shown, func(w io.Writer) {
				if len(shown) == 0 {
					fmt.Fprintln(w, "no credits")
				}
				for _, c := range shown {
					fmt.Fprintf(w, "%s  %s  %s  confirmed %s  refunded %s  reversed %s  covered %s  open %s  age %s\n",
						cmp.Or(c.BookingDate, "(no date)"), c.BankReference, formatMoney(c.AmountMinor, c.Currency),
						formatMoney(c.ConfirmedMinor, c.Currency), formatMoney(c.RefundedMinor, c.Currency),
						formatMoney(c.ReversedMinor, c.Currency), formatMoney(c.CoveredMinor, c.Currency), formatMoney(c.OpenMinor, c.Currency),
						(time.Duration(c.AgeSeconds) * time.Second).String())
				}
			})
			return nil
		},
	}
	cmd.Flags().StringVar(&url, "gateway", "http://"+gatewayListenDefault, "the running gateway's address")
	cmd.Flags().BoolVar(&open, "open", false, "only the credits with a part still open")
	return cmd
}

// newCmdOperatorPayments is `chipmint operator payments`: the payouts and refunds the
// gateway made or is making.
func newCmdOperatorPayments(g *Globals) *cobra.Command {
	var url string
	cmd := &cobra.Command{
		Use:   "payments",
		Short: "List the payouts and refunds the gateway made or is making, and how far each has come",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			outs, err := gateway.NewAdminClient(url).Outgoing(cmd.Context())
			if err != nil {
				return err
			}
			if outs == nil {
				outs = []gateway.Outgoing{}
			}
			g.emit(outs, func(w io.Writer) {
				if len(outs) == 0 {
					fmt.Fprintln(w, "no payments")
				}
				for _, o := range outs {
					fmt.Fprintf(w, "%s  %-6s %-10s %s to %s  %s\n", o.EndToEndID, o.Kind, o.Status,
						formatMoney(o.AmountMinor, o.Currency), o.Payee.String(), cmp.Or(o.Reason, o.BankReference))
				}
			})
			return nil
		},
	}
	cmd.Flags().StringVar(&url, "gateway", "http://"+gatewayListenDefault, "the running gateway's address")
	return cmd
}
