package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/chipmint/chipmint/internal/bank"
	"github.com/chipmint/chipmint/internal/fiat"
	"github.com/chipmint/chipmint/internal/system"
)

// Where the sandbox bank listens unless told otherwise.
const (
	bankListenDefault = "127.0.0.1:26680"
	bankURLDefault    = "http://" + bankListenDefault
)

// BankOptions are the flags that every `chipmint bank` client command takes.
type BankOptions struct {
	URL string
}

// BankServeOptions are the flags of `chipmint bank serve`.
type BankServeOptions struct {
	Listen   string
	Data     string
	BIC      string
	LogLevel string
}

// BankOpenOptions are the flags of `chipmint bank open`.
type BankOpenOptions struct {
	Holder         string
	Currency       string
	OpeningBalance string
	IBAN           string
}

// BankPayOptions are the flags of `chipmint bank pay`.
type BankPayOptions struct {
	FromIBAN       string
	ToIBAN         string
	Amount         string
	Currency       string
	Reference      string
	EndToEndID     string
	IdempotencyKey string
}

// BankUndoOptions are the flags of `chipmint bank reverse` and `chipmint bank return`.
type BankUndoOptions struct {
	Transfer string
	Reason   string
}

// NewCmdBank is `chipmint bank`: the sandbox bank that plays the real bank in
// development, the demo and tests, and a client of it.
func NewCmdBank(g *Globals) *cobra.Command {
	o := &BankOptions{}
	cmd := &cobra.Command{
		Use:   "bank",
		Short: "Run and use the sandbox bank (never real money)",
	}
	cmd.PersistentFlags().StringVar(&o.URL, "bank", bankURLDefault, "URL of the sandbox bank")
	cmd.AddCommand(newCmdBankServe(g), newCmdBankOpen(g, o), newCmdBankPay(g, o), newCmdBankBalance(g, o),
		newCmdBankReverse(g, o), newCmdBankReturn(g, o))
	return cmd
}

func newCmdBankServe(g *Globals) *cobra.Command {
	o := &BankServeOptions{}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the sandbox bank's HTTP service until interrupted",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return runBankServe(cmd, g, o) },
	}
	cmd.Flags().StringVar(&o.Listen, "listen", bankListenDefault, "address to listen on, host:port")
	cmd.Flags().StringVar(&o.Data, "data", "", "folder of the bank's database (default <home>/bank)")
	cmd.Flags().StringVar(&o.BIC, "bic", bank.DefaultBIC, "the bank's BIC")
	cmd.Flags().StringVar(&o.LogLevel, "log-level", "info", "log level: debug, info, warn or error")
	return cmd
}

func runBankServe(cmd *cobra.Command, g *Globals, o *BankServeOptions) error {
	var level slog.Level
	if err := level.UnmarshalText([]byte(o.LogLevel)); err != nil {
		return usageError{fmt.Errorf("--log-level: %w", err)}
	}
	if _, err := fiat.ParseBIC(o.BIC); err != nil {
		return usageError{fmt.Errorf("--bic: %w", err)}
	}
	dir := o.Data
	if dir == "" {
		dir = filepath.Join(g.Home, "bank")
	}
	logger := slog.New(slog.NewTextHandler(g.Err, &slog.HandlerOptions{Level: level}))
	b, err := system.StartBank(cmd.Context(), system.BankConfig{Dir: dir, Listen: o.Listen, BIC: o.BIC, Logger: logger})
	if err != nil {
		return err
	}
	g.emit(map[string]any{"url": b.URL, "data": dir, "bic": o.BIC}, func(w io.Writer) {
		fmt.Fprintf(w, "sandbox bank listening on %s (data in %s)\n", b.URL, dir)
	})
	return b.Wait()
}

func newCmdBankOpen(g *Globals, bo *BankOptions) *cobra.Command {
	o := &BankOpenOptions{}
	cmd := &cobra.Command{
		Use:   "open",
		Short: "Open an account at the sandbox bank",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return runBankOpen(cmd, g, bo, o) },
	}
	cmd.Flags().StringVar(&o.Holder, "holder", "", "the account holder's name")
	cmd.Flags().StringVar(&o.Currency, "currency", "EUR", "the account's ISO 4217 currency")
	cmd.Flags().StringVar(&o.OpeningBalance, "opening-balance", "0", "money on the account from the start, e.g. 1000.00")
	cmd.Flags().StringVar(&o.IBAN, "iban", "", "the account's IBAN (default: the bank makes one)")
	return cmd
}

func runBankOpen(cmd *cobra.Command, g *Globals, bo *BankOptions, o *BankOpenOptions) error {
	if o.Holder == "" {
		return usageError{errors.New("--holder: the account holder's name is required")}
	}
	cur, err := fiat.ParseCurrency(o.Currency)
	if err != nil {
		return usageError{fmt.Errorf("--currency: %w", err)}
	}
	opening, err := fiat.ParseAmount(o.OpeningBalance, cur)
	if err != nil {
		return usageError{fmt.Errorf("--opening-balance: %w", err)}
	}
	if o.IBAN != "" {
		if _, err := fiat.ParseIBAN(o.IBAN); err != nil {
			return usageError{fmt.Errorf("--iban: %w", err)}
		}
	}
	req := bank.OpenAccountRequest{Holder: o.Holder, Currency: cur.Code(), OpeningBalanceMinor: opening, IBAN: o.IBAN}
	acct, err := bank.NewClient(bo.URL).OpenAccount(cmd.Context(), req)
	if err != nil {
		return bankError(err)
	}
	g.emit(acct, func(w io.Writer) {
		fmt.Fprintf(w, "opened %s for %s, BIC %s\n", fiat.IBAN(acct.IBAN).Print(), acct.Holder, acct.BIC)
		fmt.Fprintf(w, "balance %s\n", formatMoney(acct.BalanceMinor, acct.Currency))
	})
	return nil
}

func newCmdBankPay(g *Globals, bo *BankOptions) *cobra.Command {
	o := &BankPayOptions{}
	cmd := &cobra.Command{
		Use:   "pay",
		Short: "Transfer money between two accounts of the sandbox bank",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return runBankPay(cmd, g, bo, o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.FromIBAN, "from-iban", "", "the payer's IBAN")
	f.StringVar(&o.ToIBAN, "to-iban", "", "the payee's IBAN")
	f.StringVar(&o.Amount, "amount", "", "amount to pay, e.g. 100.00")
	f.StringVar(&o.Currency, "currency", "", "currency of the amount (default: the payer's account's)")
	f.StringVar(&o.Reference, "reference", "", "payment reference: an RF creditor reference or free text")
	f.StringVar(&o.EndToEndID, "end-to-end-id", "", "your own reference of the payment, passed to the payee")
	f.StringVar(&o.IdempotencyKey, "idempotency-key", "", "repeat a payment safely: the same key books it once")
	return cmd
}

func runBankPay(cmd *cobra.Command, g *Globals, bo *BankOptions, o *BankPayOptions) error {
	req, err := o.request()
	if err != nil {
		return err
	}
	c := bank.NewClient(bo.URL)
	if req.Currency == "" {
		from, err := c.Account(cmd.Context(), req.FromIBAN)
		if err != nil {
			return fmt.Errorf("--from-iban: %w", err)
		}
		req.Currency = from.Currency
	}
	if req.AmountMinor, err = parseBankAmount(o.Amount, req.Currency); err != nil {
		return err
	}
	t, err := c.Pay(cmd.Context(), req)
	if err != nil {
		return bankError(err)
	}
	g.emit(t, func(w io.Writer) {
		fmt.Fprintf(w, "paid %s from %s to %s, reference %s\n", formatMoney(t.AmountMinor, t.Currency),
			fiat.IBAN(t.FromIBAN).Print(), fiat.IBAN(t.ToIBAN).Print(), t.Reference)
		fmt.Fprintf(w, "uetr %s\nacct_svcr_ref %s\n", t.UETR, t.AcctSvcrRef)
	})
	return nil
}

// request checks the flags that need no bank and returns the transfer without its amount.
func (o *BankPayOptions) request() (bank.TransferRequest, error) {
	for _, f := range []struct{ name, value string }{
		{"--from-iban", o.FromIBAN}, {"--to-iban", o.ToIBAN}, {"--amount", o.Amount}, {"--reference", o.Reference},
	} {
		if f.value == "" {
			return bank.TransferRequest{}, usageError{fmt.Errorf("%s is required", f.name)}
		}
	}
	for _, f := range []struct{ name, value string }{{"--from-iban", o.FromIBAN}, {"--to-iban", o.ToIBAN}} {
		if _, err := fiat.ParseIBAN(f.value); err != nil {
			return bank.TransferRequest{}, usageError{fmt.Errorf("%s: %w", f.name, err)}
		}
	}
	if o.Currency != "" {
		if _, err := fiat.ParseCurrency(o.Currency); err != nil {
			return bank.TransferRequest{}, usageError{fmt.Errorf("--currency: %w", err)}
		}
	}
	return bank.TransferRequest{
		FromIBAN: o.FromIBAN, ToIBAN: o.ToIBAN, Currency: o.Currency, Reference: o.Reference,
		EndToEndID: o.EndToEndID, IdempotencyKey: o.IdempotencyKey,
	}, nil
}

// parseBankAmount reads a positive decimal amount of a currency into minor units.
func parseBankAmount(amount, code string) (uint64, error) {
	cur, err := fiat.ParseCurrency(code)
	if err != nil {
		return 0, fmt.Errorf("--currency: %w", err)
	}
	v, err := fiat.ParseAmount(amount, cur)
	if err != nil {
		return 0, usageError{fmt.Errorf("--amount: %w", err)}
	}
	if v == 0 {
		return 0, usageError{errors.New("--amount: must be positive")}
	}
	return v, nil
}

func newCmdBankBalance(g *Globals, bo *BankOptions) *cobra.Command {
	var iban string
	cmd := &cobra.Command{
		Use:   "balance",
		Short: "Show an account of the sandbox bank and its balance",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if _, err := fiat.ParseIBAN(iban); err != nil {
				return usageError{fmt.Errorf("--iban: %w", err)}
			}
			acct, err := bank.NewClient(bo.URL).Account(cmd.Context(), iban)
			if err != nil {
				return bankError(err)
			}
			g.emit(acct, func(w io.Writer) {
				fmt.Fprintf(w, "%s (%s): %s\n", fiat.IBAN(acct.IBAN).Print(), acct.Holder,
					formatMoney(acct.BalanceMinor, acct.Currency))
			})
			return nil
		},
	}
	cmd.Flags().StringVar(&iban, "iban", "", "the account's IBAN")
	return cmd
}

func newCmdBankReverse(g *Globals, bo *BankOptions) *cobra.Command {
	return newCmdBankUndo(g, bo, "reverse", "Reverse a transfer: the bank takes its credit back from the payee and pays the payer",
		"reversed", func(ctx context.Context, c *bank.Client, o *BankUndoOptions) (bank.Transfer, error) {
			return c.Reverse(ctx, bank.ReverseRequest{Transfer: o.Transfer, Reason: o.Reason})
		})
}

func newCmdBankReturn(g *Globals, bo *BankOptions) *cobra.Command {
	return newCmdBankUndo(g, bo, "return", "Return a transfer: the payee's bank sends it back to the payer",
		"returned", func(ctx context.Context, c *bank.Client, o *BankUndoOptions) (bank.Transfer, error) {
			return c.Return(ctx, bank.ReturnRequest{Transfer: o.Transfer, Reason: o.Reason})
		})
}

// newCmdBankUndo builds `chipmint bank reverse` or `chipmint bank return`: book calls
// the bank, done is the past tense the command prints.
func newCmdBankUndo(g *Globals, bo *BankOptions, use, short, done string,
	book func(context.Context, *bank.Client, *BankUndoOptions) (bank.Transfer, error)) *cobra.Command {
	o := &BankUndoOptions{}
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			for _, f := range []struct{ name, value string }{{"--transfer", o.Transfer}, {"--reason", o.Reason}} {
				if f.value == "" {
					return usageError{fmt.Errorf("%s is required", f.name)}
				}
			}
			t, err := book(cmd.Context(), bank.NewClient(bo.URL), o)
			if err != nil {
				return bankError(err)
			}
			g.emit(t, func(w io.Writer) {
				fmt.Fprintf(w, "%s %s (reason %s): %s from %s back to %s\n", done, t.OriginalID, t.Reason,
					formatMoney(t.AmountMinor, t.Currency), fiat.IBAN(t.FromIBAN).Print(), fiat.IBAN(t.ToIBAN).Print())
				fmt.Fprintf(w, "id %s\nuetr %s\nacct_svcr_ref %s\n", t.ID, t.UETR, t.AcctSvcrRef)
			})
			return nil
		},
	}
	cmd.Flags().StringVar(&o.Transfer, "transfer", "", "the transfer's id or UETR")
	cmd.Flags().StringVar(&o.Reason, "reason", "", "ISO 20022 reason code, e.g. AC04 (account closed), AC01 (wrong account), FR01 (fraud)")
	return cmd
}

// bankFlags names the flag behind each field of the bank's API.
var bankFlags = map[string]string{
	"holder": "--holder", "currency": "--currency", "opening_balance_minor": "--opening-balance",
	"iban": "--iban", "from_iban": "--from-iban", "to_iban": "--to-iban", "amount_minor": "--amount",
	"reference": "--reference", "end_to_end_id": "--end-to-end-id", "idempotency_key": "--idempotency-key",
	"transfer": "--transfer", "reason": "--reason",
}

// bankError names the flag behind the field the bank refused; a refusal of malformed
// input is a usage error.
func bankError(err error) error {
	var apiErr *bank.APIError
	if !errors.As(err, &apiErr) {
		return err
	}
	if flag, ok := bankFlags[apiErr.Field]; ok {
		err = fmt.Errorf("%s: %w", flag, err)
	}
	if errors.Is(err, bank.ErrInvalid) {
		return usageError{err}
	}
	return err
}
