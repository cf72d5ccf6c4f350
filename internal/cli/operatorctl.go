package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/fiat"
	"github.com/chipmint/chipmint/internal/txn"
)

// OperatorUpdateOptions are the flags of `chipmint operator update`: what is not given
// stays as the operator has it.
type OperatorUpdateOptions struct {
	signedFlags
	Cap  string
	Rate string
	// Account is the new account, with the flags of operator register; its currency
	// is the operator's.
	Account OperatorRegisterOptions
}

// accountFlags are the flags of operator update that name a new account.
var accountFlags = []string{"iban", "account-id", "account-scheme", "account-issuer", "clearing", "bic", "holder"}

func newCmdOperatorUpdate(g *Globals) *cobra.Command {
	o := &OperatorUpdateOptions{}
	cmd := &cobra.Command{
		Use:     "update ID",
		Short:   "Change an operator's account, rate or cap; what is not given stays (a controlled action)",
		Args:    argOrResume("ID"),
		PreRunE: resumeAloneRun(append([]string{"cap", "rate"}, accountFlags...)...),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			tx, res, c, err := g.controlledOrResumed(ctx, "operator update", o.signedFlags, func() (txn.Msg, error) {
				return o.message(cmd, g, args[0])
			})
			if err != nil {
				return err
			}
			if id, ok := proposed(tx); ok {
				return g.emitProposed(ctx, c, id, res)
			}
			return g.emitOperator(ctx, c, tx.Msg.(*txn.UpdateOperator).ID, res, func(w io.Writer, op txn.Operator) {
				account := op.PaymentAccount()
				fmt.Fprintf(w, "operator %s updated (height %d): account %s (%s), rate %s per %s, cap %s\n", op.ID, res.Height, account, account.Currency,
					formatChips(op.Rate.Chips), formatMoney(op.Rate.Minor, account.Currency), formatChips(op.CapChips))
			})
		},
	}
	o.signedFlags.add(cmd, "issuer", "update", "this transaction hash")
	f := cmd.Flags()
	f.StringVar(&o.Cap, "cap", "", "most chips outstanding through the operator (not below what is outstanding now)")
	f.StringVar(&o.Rate, "rate", "", "chips per unit of the operator's currency, e.g. 1 or 0.5")
	a := &o.Account
	f.StringVar(&a.IBAN, "iban", "", "the new account's IBAN (or --account-id)")
	f.StringVar(&a.AccountID, "account-id", "", "the new account's identification at a bank without IBANs (instead of --iban)")
	f.StringVar(&a.AccountScheme, "account-scheme", "", "the scheme of --account-id: an ISO 20022 code (BBAN, AIIN, CUID, UPIC) or a proprietary scheme's name")
	f.StringVar(&a.AccountIssuer, "account-issuer", "", "who issued --account-id (optional)")
	f.StringVar(&a.Clearing, "clearing", "", "the bank's clearing system member id with --account-id, e.g. CNAPS:102100099996 (optional)")
	f.StringVar(&a.BIC, "bic", "", "the bank's BIC (required with --iban, optional with --account-id)")
	f.StringVar(&a.Holder, "holder", "", "the new account's holder (default: the holder the operator has)")
	return cmd
}

// message is the update the flags ask for, over the operator as the chain has it.
func (o *OperatorUpdateOptions) message(cmd *cobra.Command, g *Globals, id string) (txn.Msg, error) {
	changed := false
	for _, name := range append([]string{"cap", "rate"}, accountFlags...) {
		changed = changed || cmd.Flags().Changed(name)
	}
	if !changed {
		return nil, usageError{errors.New("nothing to update: give --cap, --rate or a new account (--iban or --account-id)")}
	}
	ctx := cmd.Context()
	c, err := g.dial(ctx)
	if err != nil {
		return nil, err
	}
	op, err := readOperator(ctx, c, id)
	if err != nil {
		return nil, fmt.Errorf("ID: %w", err)
	}
	current := op.PaymentAccount()
	cur, err := fiat.ParseCurrency(current.Currency)
	if err != nil {
		return nil, fmt.Errorf("operator %s: %w", op.ID, err)
	}
	msg := &txn.UpdateOperator{ID: op.ID, Account: current, Rate: op.Rate, CapChips: op.CapChips}
	if o.Cap != "" {
		if msg.CapChips, err = parseChips("--cap", o.Cap); err != nil {
			return nil, err
		}
	}
	if o.Rate != "" {
		if msg.Rate, err = txn.ParseRate(o.Rate, cur); err != nil {
			return nil, usageError{fmt.Errorf("--rate: %w", err)}
		}
	}
	a := &o.Account
	switch {
	case a.IBAN != "" && a.AccountID != "":
		return nil, usageError{errors.New("--iban and --account-id: give one, not both")}
	case a.IBAN != "" && (a.AccountScheme != "" || a.AccountIssuer != "" || a.Clearing != ""):
		return nil, usageError{errors.New("--account-scheme, --account-issuer and --clearing go with --account-id, not --iban")}
	case a.IBAN != "" || a.AccountID != "":
		account, err := a.account()
		if err != nil {
			return nil, err
		}
		account.Holder, account.Currency = current.Holder, current.Currency
		if a.Holder != "" {
			account.Holder = a.Holder
		}
		msg.Account = account
	case a.BIC != "" || a.Clearing != "" || a.AccountScheme != "" || a.AccountIssuer != "":
		return nil, usageError{errors.New("--bic, --clearing, --account-scheme and --account-issuer go with a new account: give --iban or --account-id")}
	case a.Holder != "":
		msg.Account.Holder = a.Holder
	}
	return msg, nil
}

func newCmdOperatorRevoke(g *Globals) *cobra.Command {
	var f signedFlags
	var reason string
	cmd := &cobra.Command{
		Use:     "revoke ID",
		Short:   "Stop an operator from taking money in; its outstanding chips stay redeemable (a controlled action)",
		Args:    argOrResume("ID"),
		PreRunE: resumeAloneRun("reason"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			tx, res, c, err := g.controlledOrResumed(ctx, "operator revoke", f, func() (txn.Msg, error) {
				return &txn.RevokeOperator{ID: args[0], Reason: reason}, nil
			})
			if err != nil {
				return err
			}
			if id, ok := proposed(tx); ok {
				return g.emitProposed(ctx, c, id, res)
			}
			return g.emitOperator(ctx, c, tx.Msg.(*txn.RevokeOperator).ID, res, func(w io.Writer, op txn.Operator) {
				fmt.Fprintf(w, "operator %s revoked (height %d): %s; it takes no money in, and %s stay redeemable through it\n",
					op.ID, res.Height, op.RevokeReason, formatChips(op.OutstandingChips()))
			})
		},
	}
	f.add(cmd, "issuer", "revocation", "this transaction hash")
	cmd.Flags().StringVar(&reason, "reason", "", "why, for the operator, its buyers and the other issuers")
	_ = cmd.MarkFlagRequired("reason")
	return cmd
}

// emitOperator reads the operator a committed transaction changed and prints it.
func (g *Globals) emitOperator(ctx context.Context, c *client.Client, id string, res client.Committed, text func(io.Writer, txn.Operator)) error {
	op, err := c.Operator(ctx, id)
	if err != nil {
		return err
	}
	g.emit(map[string]any{"operator": op, "committed": res}, func(w io.Writer) { text(w, op) })
	return nil
}
