package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/fiat"
	"github.com/chipmint/chipmint/internal/txn"
)

// RedeemOptions are the flags of `chipmint redeem`.
type RedeemOptions struct {
	From     string
	Operator string
	Amount   string
	To       string
	Holder   string
	BIC      string
	Clearing string
	Gateway  string
	Resume   string
}

// NewCmdRedeem is `chipmint redeem`: a holder turns chips back into money, paid by an
// operator into the holder's account (decision 0024).
func NewCmdRedeem(g *Globals) *cobra.Command {
	o := &RedeemOptions{}
	cmd := &cobra.Command{
		Use:   "redeem",
		Short: "Turn chips back into money: an operator pays them out into your bank account",
		Long: "Turn chips back into money. The operator pays their worth at its rate, rounded down to a\n" +
			"minor unit, into --to; only the chips that amount buys back leave your balance, in escrow until\n" +
			"the bank books the payout. Unless the operator initiates the payout by the deadline, they come back.\n" +
			"The chain holds --to only as a salted commitment; the account and its salt are kept in the home\n" +
			"(payees/) and given to the operator's gateway (--gateway), which pays to it: chipmint redemption\n" +
			"payee gives them again.",
		Args:    cobra.NoArgs,
		PreRunE: resumeAloneRun("operator", "amount", "to", "holder", "bic", "clearing"),
		RunE:    func(cmd *cobra.Command, _ []string) error { return runRedeem(cmd, g, o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.From, "from", "", "holder key that signs and whose chips are redeemed")
	f.StringVar(&o.Operator, "operator", "", "operator id that pays out")
	f.StringVar(&o.Amount, "amount", "", "chips to redeem, e.g. 12.5")
	f.StringVar(&o.To, "to", "", "account to be paid: an IBAN, or another identification as \"ID (scheme BBAN)\"; in the operator's currency")
	f.StringVar(&o.Holder, "holder", "", "the account holder's name (default: the key name)")
	f.StringVar(&o.BIC, "bic", "", "the bank's BIC (optional)")
	f.StringVar(&o.Clearing, "clearing", "", "the bank's clearing system member id, e.g. CNAPS:102100099996 (optional)")
	f.StringVar(&o.Gateway, "gateway", "http://"+gatewayListenDefault, "the operator's gateway, given the account to pay")
	f.StringVar(&o.Resume, "resume", "", "send the kept redemption with this transaction hash again: the same bytes, never a second redemption")
	for _, name := range []string{"from", "operator", "amount", "to"} {
		_ = cmd.MarkFlagRequired(name)
	}
	return cmd
}

// RedeemResult is a redemption requested: what it pays and until when the operator may
// initiate the payout.
type RedeemResult struct {
	Redemption txn.Redemption `json:"redemption"`
	// AskedChips are the chips the holder asked to redeem; KeptChips what of them the
	// payout, rounded down to a minor unit, does not buy back: they stay in the balance.
	AskedChips uint64           `json:"asked_chips,string"`
	KeptChips  uint64           `json:"kept_chips,string"`
	Committed  client.Committed `json:"committed"`
	// PayoutDeadline is the last height at which the operator may initiate the payout.
	PayoutDeadline deadline `json:"payout_deadline"`
	// PayeeGiven says whether the operator's gateway took the account to pay.
	PayeeGiven bool `json:"payee_given"`
}

func runRedeem(cmd *cobra.Command, g *Globals, o *RedeemOptions) error {
	res, err := redeemOrResume(cmd, g, o)
	if err != nil {
		return err
	}
	r := res.Redemption
	opening, err := g.payees().find(r.Payee)
	if err != nil {
		return err
	}
	res.PayeeGiven = givePayee(cmd.Context(), o.Gateway, r.ID, opening) == nil
	g.emit(res, func(w io.Writer) {
		fmt.Fprintf(w, "redemption %s requested (height %d): %s in escrow until the payout is booked\n", r.ID, res.Committed.Height, formatChips(r.Chips))
		fmt.Fprintf(w, "%s pays %s to %s\n", r.Operator, formatMoney(r.AmountMinor, r.Currency), payee(opening.Account))
		if res.PayeeGiven {
			fmt.Fprintf(w, "the account went to the gateway at %s; the chain holds only its commitment\n", o.Gateway)
		} else {
			fmt.Fprintf(w, "the gateway at %s did not take the account: chipmint redemption payee %s --gateway URL gives it again\n", o.Gateway, r.ID)
		}
		fmt.Fprintf(w, "payout to be initiated %s; if it is not, the chips come back\n", res.PayoutDeadline.upTo())
	})
	return nil
}

func redeemOrResume(cmd *cobra.Command, g *Globals, o *RedeemOptions) (RedeemResult, error) {
	ctx := cmd.Context()
	if o.Resume != "" {
		tx, res, c, err := g.resumeSigned(ctx, "redeem", o.Resume)
		if err != nil {
			return RedeemResult{}, err
		}
		return redeemed(ctx, c, tx, res)
	}
	chips, err := parseChips("--amount", o.Amount)
	if err != nil {
		return RedeemResult{}, err
	}
	ks, err := g.keystore()
	if err != nil {
		return RedeemResult{}, err
	}
	holderKey, err := ks.Show(o.From)
	if err != nil {
		return RedeemResult{}, flagKeyError("--from", err)
	}
	c, err := g.dial(ctx)
	if err != nil {
		return RedeemResult{}, err
	}
	op, err := readOperator(ctx, c, o.Operator)
	if err != nil {
		return RedeemResult{}, fmt.Errorf("--operator: %w", err)
	}
	account, err := o.account(op.PaymentAccount().Currency)
	if err != nil {
		return RedeemResult{}, err
	}
	q, err := quoteRedemption(op, chips)
	if err != nil {
		return RedeemResult{}, err
	}
	balance, err := c.Balance(ctx, holderKey.Address)
	if err != nil {
		return RedeemResult{}, err
	}
	if chips > balance {
		return RedeemResult{}, usageError{fmt.Errorf("--amount: %s is more than the %s key %q holds", formatChips(chips), formatChips(balance), o.From)}
	}
	opening, err := txn.NewAccountOpening(account)
	if err != nil {
		return RedeemResult{}, err
	}
	msg := &txn.Redeem{Operator: op.ID, AmountChips: chips, Currency: account.Currency, Payee: opening.Commitment()}
	if err := errors.Join(account.Validate(), msg.Validate()); err != nil {
		return RedeemResult{}, usageError{err}
	}
	// Kept before anything is sent: a redemption whose account is lost would expire.
	if err := g.payees().keep(opening); err != nil {
		return RedeemResult{}, err
	}
	if g.Output == "text" {
		fmt.Fprintln(g.Out, q)
	}
	key, err := g.unlock(o.From)
	if err != nil {
		return RedeemResult{}, err
	}
	tx, res, err := g.outbox().send(ctx, c, "redeem", msg, key)
	if err != nil {
		return RedeemResult{}, err
	}
	return redeemed(ctx, c, tx, res)
}

// redeemed reads the redemption a committed Redeem opened and its payout deadline.
func redeemed(ctx context.Context, c *client.Client, tx *txn.Signed, res client.Committed) (RedeemResult, error) {
	r, err := c.Redemption(ctx, txn.RedemptionID(tx.Sender, tx.Nonce))
	if err != nil {
		return RedeemResult{}, err
	}
	asked := tx.Msg.(*txn.Redeem).AmountChips
	return RedeemResult{
		Redemption: r, AskedChips: asked, KeptChips: asked - r.Chips, Committed: res,
		PayoutDeadline: deadlineAt(ctx, c, r.DeadlineHeight),
	}, nil
}

// account is the account the flags name, in currency, in canonical form.
func (o *RedeemOptions) account(currency string) (txn.Account, error) {
	a, err := parseAccount(o.To)
	if err != nil {
		return a, usageError{fmt.Errorf("--to: %w", err)}
	}
	if o.BIC != "" {
		bic, err := fiat.ParseBIC(o.BIC)
		if err != nil {
			return a, usageError{fmt.Errorf("--bic: %w", err)}
		}
		a.BIC = bic.String()
	}
	if o.Clearing != "" {
		cm, err := fiat.ParseClearingMember(o.Clearing)
		if err != nil {
			return a, usageError{fmt.Errorf("--clearing: %w", err)}
		}
		a.ClearingSystem, a.ClearingMember = cm.System, cm.Member
	}
	a.Holder, a.Currency = o.Holder, currency
	if a.Holder == "" {
		a.Holder = o.From
	}
	return a, nil
}

// otherAccountMark is in every other identification as fiat.OtherAccount writes it,
// "6222021001000000001 (scheme BBAN)", and in no IBAN.
const otherAccountMark = " (scheme "

// parseAccount reads an account's identification as people and the bank write it: an
// IBAN in print or electronic form and any letter case, or another identification as
// fiat.OtherAccount writes it, "ID (scheme SCHEME)" or "ID (scheme SCHEME, issuer
// ISSUER)". It returns it in canonical form.
func parseAccount(s string) (txn.Account, error) {
	id, rest, other := strings.Cut(s, otherAccountMark)
	if !other {
		iban, err := fiat.ParseIBAN(s)
		if err != nil {
			return txn.Account{}, fmt.Errorf("%w (or write an account without an IBAN as \"ID (scheme BBAN)\")", err)
		}
		return txn.Account{IBAN: iban.String()}, nil
	}
	inner, closed := strings.CutSuffix(rest, ")")
	if !closed {
		return txn.Account{}, fmt.Errorf("%q: want \"ID (scheme SCHEME)\" or \"ID (scheme SCHEME, issuer ISSUER)\"", s)
	}
	scheme, issuer, _ := strings.Cut(inner, ", issuer ")
	acct, err := fiat.ParseOtherAccount(id, scheme, issuer)
	if err != nil {
		return txn.Account{}, err
	}
	return txn.Account{OtherID: acct.ID, Scheme: acct.Scheme, Issuer: acct.Issuer}, nil
}

// payee is an account to be paid, for people: its holder and the account.
func payee(a txn.Account) string { return a.Holder + ", " + a.String() }

// redemptionQuote is what redeeming chips through an operator pays: the money at its
// rate rounded down to a minor unit, and the chips that money buys back; the rest of
// the chips asked for stay with the holder.
type redemptionQuote struct {
	operator    string
	asked       uint64
	amountMinor uint64
	currency    string
	chips       uint64
}

// quoteRedemption is the quote of chips through op, refused when it pays nothing.
func quoteRedemption(op txn.Operator, chips uint64) (redemptionQuote, error) {
	currency := op.PaymentAccount().Currency
	minor, ok := txn.Rate{Chips: op.Rate.Minor, Minor: op.Rate.Chips}.Apply(chips)
	if !ok {
		return redemptionQuote{}, usageError{fmt.Errorf("--amount: %s at operator %s's rate overflows", formatChips(chips), op.ID)}
	}
	if minor == 0 {
		least := (op.Rate.Chips + op.Rate.Minor - 1) / op.Rate.Minor
		return redemptionQuote{}, usageError{fmt.Errorf("--amount: %s is worth less than %s at operator %s's rate: redeem at least %s",
			formatChips(chips), formatMoney(1, currency), op.ID, formatChips(least))}
	}
	bought, ok := op.Rate.Apply(minor)
	if !ok || bought == 0 {
		return redemptionQuote{}, usageError{fmt.Errorf("--amount: %s is worth %s at operator %s's rate, which buys back no chips",
			formatChips(chips), formatMoney(minor, currency), op.ID)}
	}
	return redemptionQuote{operator: op.ID, asked: chips, amountMinor: minor, currency: currency, chips: bought}, nil
}

// String is the quote for people, shown before the holder signs.
func (q redemptionQuote) String() string {
	s := fmt.Sprintf("redeeming %s through %s: you receive %s for %s", formatChips(q.asked), q.operator,
		formatMoney(q.amountMinor, q.currency), formatChips(q.chips))
	if kept := q.asked - q.chips; kept > 0 {
		s += fmt.Sprintf("; %s stay yours", formatChips(kept))
	}
	return s
}
