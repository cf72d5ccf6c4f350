package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/fiat"
	"github.com/chipmint/chipmint/internal/txn"
)

// CoverOptions are the flags of `chipmint operator cover`.
type CoverOptions struct {
	From     string
	BankRef  string
	Amount   string
	Currency string
	Resume   string
}

// newCmdOperatorCover is `chipmint operator cover`: the operator records that it paid
// its own money into its account to back the chips of its shortfall, issued against
// payments the bank reversed since (decision 0039).
func newCmdOperatorCover(g *Globals) *cobra.Command {
	o := &CoverOptions{}
	cmd := &cobra.Command{
		Use:   "cover",
		Short: "Record, as the operator, its own money paid into its account to back its shortfall",
		Long: "Record, as the operator, that it paid its own money into its account to back chips issued\n" +
			"against payments the bank reversed since: --bank-ref is the credit's bank reference and --amount\n" +
			"what it brought in. The chips that amount buys at the operator's rate, rounded down, leave its\n" +
			"shortfall; the chain refuses more than the shortfall, and a credit it already knows.",
		Args:    cobra.NoArgs,
		PreRunE: resumeAloneRun("bank-ref", "amount", "currency"),
		RunE:    func(cmd *cobra.Command, _ []string) error { return runCover(cmd, g, o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.From, "from", "", "operator key that signs")
	f.StringVar(&o.BankRef, "bank-ref", "", "the bank reference of the credit of the operator's own money")
	f.StringVar(&o.Amount, "amount", "", "what the credit brought in, e.g. 20.00")
	f.StringVar(&o.Currency, "currency", "", "the credit's currency (default: the operator's account currency)")
	f.StringVar(&o.Resume, "resume", "", "send the kept cover with this transaction hash again: the same bytes, never twice")
	for _, name := range []string{"from", "bank-ref", "amount"} {
		_ = cmd.MarkFlagRequired(name)
	}
	return cmd
}

// CoverResult is a cover recorded, and what is left of the operator's shortfall.
type CoverResult struct {
	Cover txn.Cover `json:"cover"`
	// ShortfallChips are the operator's chips still without money behind them;
	// CoveredChips those its covers backed, this one included.
	ShortfallChips uint64           `json:"shortfall_chips,string"`
	CoveredChips   uint64           `json:"covered_chips,string"`
	Committed      client.Committed `json:"committed"`
}

func runCover(cmd *cobra.Command, g *Globals, o *CoverOptions) error {
	res, err := coverOrResume(cmd, g, o)
	if err != nil {
		return err
	}
	c := res.Cover
	g.emit(res, func(w io.Writer) {
		fmt.Fprintf(w, "cover %s recorded (height %d): %s of %s's own money backs %s of its shortfall\n",
			c.BankReference, res.Committed.Height, formatMoney(c.AmountMinor, c.Currency), c.Operator, formatChips(c.Chips))
		if res.ShortfallChips == 0 {
			fmt.Fprintf(w, "no shortfall left; %s covered in all\n", formatChips(res.CoveredChips))
		} else {
			fmt.Fprintf(w, "shortfall left %s; %s covered in all\n", formatChips(res.ShortfallChips), formatChips(res.CoveredChips))
		}
	})
	return nil
}

func coverOrResume(cmd *cobra.Command, g *Globals, o *CoverOptions) (CoverResult, error) {
	ctx := cmd.Context()
	if o.Resume != "" {
		tx, res, c, err := g.resumeSigned(ctx, "operator cover", o.Resume)
		if err != nil {
			return CoverResult{}, err
		}
		return covered(ctx, c, tx, res)
	}
	ks, err := g.keystore()
	if err != nil {
		return CoverResult{}, err
	}
	k, err := ks.Show(o.From)
	if err != nil {
		return CoverResult{}, flagKeyError("--from", err)
	}
	c, err := g.dial(ctx)
	if err != nil {
		return CoverResult{}, err
	}
	id, err := operatorOfKey(ctx, c, k.Address)
	if err != nil {
		return CoverResult{}, usageError{fmt.Errorf("--from: %w", err)}
	}
	op, err := readOperator(ctx, c, id)
	if err != nil {
		return CoverResult{}, err
	}
	currency := o.Currency
	if currency == "" {
		currency = op.PaymentAccount().Currency
	}
	if _, err := fiat.ParseCurrency(currency); err != nil {
		return CoverResult{}, usageError{fmt.Errorf("--currency: %w", err)}
	}
	amount, err := parseMoney(o.Amount, currency)
	if err != nil {
		return CoverResult{}, err
	}
	msg := &txn.CoverShortfall{BankReference: o.BankRef, AmountMinor: amount, Currency: currency}
	if err := msg.Validate(); err != nil {
		return CoverResult{}, usageError{err}
	}
	key, err := g.unlock(o.From)
	if err != nil {
		return CoverResult{}, err
	}
	tx, res, err := g.outbox().send(ctx, c, "operator cover", msg, key)
	if err != nil {
		return CoverResult{}, err
	}
	return covered(ctx, c, tx, res)
}

// covered reads the cover a committed CoverShortfall recorded, and its operator.
func covered(ctx context.Context, c *client.Client, tx *txn.Signed, res client.Committed) (CoverResult, error) {
	msg := tx.Msg.(*txn.CoverShortfall)
	id, err := operatorOfKey(ctx, c, tx.Sender)
	if err != nil {
		return CoverResult{}, err
	}
	cov, err := c.Cover(ctx, id, msg.BankReference)
	if err != nil {
		return CoverResult{}, err
	}
	op, err := c.Operator(ctx, id)
	if err != nil {
		return CoverResult{}, err
	}
	return CoverResult{Cover: cov, ShortfallChips: op.ShortfallChips, CoveredChips: op.CoveredChips, Committed: res}, nil
}
