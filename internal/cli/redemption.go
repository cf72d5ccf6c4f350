package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/txn"
)

// NewCmdRedemption is `chipmint redemption`: redemptions, how far each has come, and the
// operator's refusal by hand.
func NewCmdRedemption(g *Globals) *cobra.Command {
	cmd := &cobra.Command{Use: "redemption", Short: "Follow redemptions; reject one as its operator"}
	show := &cobra.Command{
		Use: "show ID", Short: "Show a redemption and how far it has come", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return runRedemptionShow(cmd, g, args[0]) },
	}
	var operator string
	list := &cobra.Command{
		Use: "list", Short: "List an operator's open redemptions: their payout is to be made or confirmed", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runRedemptionList(cmd, g, operator) },
	}
	list.Flags().StringVar(&operator, "operator", "", "operator id")
	_ = list.MarkFlagRequired("operator")
	cmd.AddCommand(show, list, newCmdRedemptionReject(g), newCmdRedemptionReturn(g), newCmdRedemptionPayee(g))
	return cmd
}

// redemptionView is a redemption as redemption show answers it.
type redemptionView struct {
	Redemption txn.Redemption `json:"redemption"`
	// PayoutDeadline is, while the redemption awaits its payout, the last height at
	// which the operator may initiate it.
	PayoutDeadline *deadline `json:"payout_deadline,omitempty"`
	// Payee is the account paid to, when this home redeemed and keeps its opening: the
	// chain holds only the commitment.
	Payee *txn.Account `json:"payee,omitempty"`
}

func runRedemptionShow(cmd *cobra.Command, g *Globals, arg string) error {
	ctx := cmd.Context()
	r, c, err := g.redemptionNamed(ctx, "ID", arg)
	if err != nil {
		return err
	}
	v := redemptionView{Redemption: r}
	if o, err := g.payees().find(r.Payee); err == nil {
		v.Payee = &o.Account
	}
	if r.Status == txn.RedemptionRequested {
		d := deadlineAt(ctx, c, r.DeadlineHeight)
		v.PayoutDeadline = &d
	}
	g.emit(v, func(w io.Writer) { printRedemption(w, v) })
	return nil
}

func printRedemption(w io.Writer, v redemptionView) {
	r := v.Redemption
	fmt.Fprintf(w, "redemption  %s (%s)\n", r.ID, r.Status)
	fmt.Fprintf(w, "holder      %s\n", r.Holder)
	fmt.Fprintf(w, "operator    %s\n", r.Operator)
	fmt.Fprintf(w, "chips       %s, requested at height %d\n", formatChips(r.Chips), r.CreatedHeight)
	fmt.Fprintf(w, "amount      %s\n", formatMoney(r.AmountMinor, r.Currency))
	if v.Payee != nil {
		fmt.Fprintf(w, "account     %s (kept in this home; the chain holds only its commitment)\n", payee(*v.Payee))
	} else {
		fmt.Fprintf(w, "account     committed to as %x (the chain holds no account)\n", r.Payee)
	}
	if v.PayoutDeadline != nil {
		fmt.Fprintf(w, "deadline    payout to be initiated %s\n", v.PayoutDeadline.upTo())
	} else {
		fmt.Fprintf(w, "deadline    height %d\n", r.DeadlineHeight)
	}
	if r.PayoutReference != "" {
		fmt.Fprintf(w, "payout      reference %s, initiated at height %d\n", r.PayoutReference, r.InitiatedHeight)
	}
	if r.BankReference != "" {
		fmt.Fprintf(w, "paid out    bank reference %s, at height %d\n", r.BankReference, r.PaidHeight)
	}
	if r.ReturnReference != "" {
		fmt.Fprintf(w, "returned    bank reference %s, at height %d\n", r.ReturnReference, r.ClosedHeight)
	}
	if r.Reason != "" {
		fmt.Fprintf(w, "reason      %s\n", r.Reason)
	}
	if r.RestoredHeight > 0 {
		fmt.Fprintf(w, "restored    at height %d: the chips went back to the holder\n", r.RestoredHeight)
	}
}

func runRedemptionList(cmd *cobra.Command, g *Globals, operator string) error {
	ctx := cmd.Context()
	c, err := g.dial(ctx)
	if err != nil {
		return err
	}
	if _, err := readOperator(ctx, c, operator); err != nil {
		return fmt.Errorf("--operator: %w", err)
	}
	reds, err := c.OpenRedemptions(ctx, operator)
	if err != nil {
		return err
	}
	if reds == nil {
		reds = []txn.Redemption{}
	}
	g.emit(reds, func(w io.Writer) {
		if len(reds) == 0 {
			fmt.Fprintf(w, "no open redemptions of operator %s\n", operator)
		}
		for _, r := range reds {
			fmt.Fprintf(w, "%s  %-16s %s  %s  deadline height %d\n", r.ID, r.Status, formatChips(r.Chips),
				formatMoney(r.AmountMinor, r.Currency), r.DeadlineHeight)
		}
	})
	return nil
}

func newCmdRedemptionReject(g *Globals) *cobra.Command {
	var f signedFlags
	var reason string
	cmd := &cobra.Command{
		Use:     "reject ID",
		Short:   "Refuse, as the operator, a redemption no payout was initiated for: its chips go back",
		Args:    argOrResume("ID"),
		PreRunE: resumeAloneRun("reason"),
		RunE: func(cmd *cobra.Command, args []string) error {
			tx, res, c, err := g.signedOrResumed(cmd.Context(), "redemption reject", f, func() (txn.Msg, error) {
				id, err := redemptionIDArg("ID", args[0])
				if err != nil {
					return nil, err
				}
				return &txn.RejectRedemption{RedemptionID: id, Reason: reason}, nil
			})
			if err != nil {
				return err
			}
			return g.emitRedemption(cmd.Context(), c, tx.Msg.(*txn.RejectRedemption).RedemptionID, res, func(w io.Writer, r txn.Redemption) {
				fmt.Fprintf(w, "redemption %s rejected (height %d): %s back to %s\n", r.ID, res.Height, formatChips(r.Chips), r.Holder)
			})
		},
	}
	f.add(cmd, "operator", "rejection", "this transaction hash")
	cmd.Flags().StringVar(&reason, "reason", "", "why, for the holder")
	_ = cmd.MarkFlagRequired("reason")
	return cmd
}

func newCmdRedemptionReturn(g *Globals) *cobra.Command {
	var f signedFlags
	var bankRef, reason string
	cmd := &cobra.Command{
		Use:     "return ID",
		Short:   "Record, as the operator, that a redemption's payout came back or was refused: its chips wait for an issuer",
		Args:    argOrResume("ID"),
		PreRunE: resumeAloneRun("bank-ref", "reason"),
		RunE: func(cmd *cobra.Command, args []string) error {
			tx, res, c, err := g.signedOrResumed(cmd.Context(), "redemption return", f, func() (txn.Msg, error) {
				id, err := redemptionIDArg("ID", args[0])
				if err != nil {
					return nil, err
				}
				return &txn.ReturnPayout{RedemptionID: id, BankReference: bankRef, Reason: reason}, nil
			})
			if err != nil {
				return err
			}
			return g.emitRedemption(cmd.Context(), c, tx.Msg.(*txn.ReturnPayout).RedemptionID, res, func(w io.Writer, r txn.Redemption) {
				fmt.Fprintf(w, "redemption %s returned (height %d): %s wait for an issuer to restore them to %s\n", r.ID, res.Height, formatChips(r.Chips), r.Holder)
			})
		},
	}
	f.add(cmd, "operator", "return", "this transaction hash")
	cmd.Flags().StringVar(&bankRef, "bank-ref", "", "the bank's reference of the return, or of the refused payment order")
	cmd.Flags().StringVar(&reason, "reason", "", "the bank's reason, such as an ISO 20022 code (AC04)")
	_ = cmd.MarkFlagRequired("bank-ref")
	_ = cmd.MarkFlagRequired("reason")
	return cmd
}

// NewCmdRestore is `chipmint restore`: an issuer gives a returned redemption's chips
// back to its holder.
func NewCmdRestore(g *Globals) *cobra.Command {
	var f signedFlags
	cmd := &cobra.Command{
		Use:     "restore REDEMPTION",
		Short:   "Give, as an issuer, the chips of a redemption whose payout came back to its holder",
		Args:    argOrResume("REDEMPTION"),
		PreRunE: resumeAloneRun(),
		RunE: func(cmd *cobra.Command, args []string) error {
			tx, res, c, err := g.signedOrResumed(cmd.Context(), "restore", f, func() (txn.Msg, error) {
				id, err := redemptionIDArg("REDEMPTION", args[0])
				if err != nil {
					return nil, err
				}
				return &txn.RestoreRedemption{RedemptionID: id}, nil
			})
			if err != nil {
				return err
			}
			return g.emitRedemption(cmd.Context(), c, tx.Msg.(*txn.RestoreRedemption).RedemptionID, res, func(w io.Writer, r txn.Redemption) {
				fmt.Fprintf(w, "redemption %s restored (height %d): %s back to %s\n", r.ID, res.Height, formatChips(r.Chips), r.Holder)
			})
		},
	}
	f.add(cmd, "issuer", "restoration", "this transaction hash")
	return cmd
}

// emitRedemption reads the redemption a committed transaction changed and prints it.
func (g *Globals) emitRedemption(ctx context.Context, c *client.Client, id string, res client.Committed, text func(io.Writer, txn.Redemption)) error {
	r, err := c.Redemption(ctx, id)
	if err != nil {
		return err
	}
	g.emit(map[string]any{"redemption": r, "committed": res}, func(w io.Writer) { text(w, r) })
	return nil
}
