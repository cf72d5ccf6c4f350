package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/gateway"
	"github.com/chipmint/chipmint/internal/system"
)

// gatewayListenDefault is where a gateway serves its journal unless told otherwise.
const gatewayListenDefault = "127.0.0.1:26690"

// GatewayOptions are the flags of `chipmint operator run`.
type GatewayOptions struct {
	From     string
	Operator string
	Bank     string
	Inbox    string
	Mode     string
	Listen   string
	Data     string
	Poll     time.Duration
	// PaymentOutbox and AutoRefund: how the gateway pays out, and whether it refunds
	// by itself what the policy allows.
	PaymentOutbox string
	AutoRefund    bool
}

func newCmdOperatorRun(g *Globals) *cobra.Command {
	o := &GatewayOptions{}
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Run the operator's bank gateway: confirm the orders its bank credits pay; runs until interrupted",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return runGateway(cmd, g, o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.From, "from", "", "operator key that signs")
	f.StringVar(&o.Operator, "operator", "", "operator id")
	f.StringVar(&o.Bank, "bank", bankURLDefault, "the bank's notification feed (sandbox bank URL)")
	f.StringVar(&o.Inbox, "inbox", "", "read camt.054 files dropped in this folder instead of the bank's feed")
	f.StringVar(&o.Mode, "mode", string(gateway.ModeNotice), "notice: confirm on the chain; receipt: write receipts for buyers to countersign")
	f.StringVar(&o.Listen, "listen", gatewayListenDefault, "where to serve the journal and exceptions (loopback)")
	f.StringVar(&o.Data, "data", "", "the gateway's folder: journal, receipts, failed files (default <home>/gateway)")
	f.DurationVar(&o.Poll, "poll", 500*time.Millisecond, "how often to read the feed or the folder, and to pay out")
	f.StringVar(&o.PaymentOutbox, "payment-outbox", "", "write payouts and refunds as pain.001 files in this folder for the bank's upload channel (default with --inbox: pay nothing out; without: the sandbox bank's payment API)")
	f.BoolVar(&o.AutoRefund, "auto-refund", false, "refund by itself late payments (expired or cancelled orders), payments in another currency and what orders owe back")
	return cmd
}

func (o *GatewayOptions) dataDir(g *Globals) string {
	if o.Data != "" {
		return o.Data
	}
	return filepath.Join(g.Home, "gateway")
}

func runGateway(cmd *cobra.Command, g *Globals, o *GatewayOptions) error {
	if o.Operator == "" {
		return usageError{errors.New("--operator: the operator id is required")}
	}
	key, err := g.unlock(o.From)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(g.Err, nil)).With("service", "gateway", "operator", o.Operator)
	c, err := client.DialRetry(cmd.Context(), g.Node, log)
	if err != nil {
		return err
	}
	defer c.Close()
	op, err := c.Operator(cmd.Context(), o.Operator)
	if err != nil {
		return fmt.Errorf("--operator: %w", err)
	}
	gw, err := system.StartGateway(cmd.Context(), system.GatewayConfig{
		Client: c, Key: key, Operator: op, Mode: gateway.Mode(o.Mode), Dir: o.dataDir(g),
		BankURL: o.Bank, Inbox: o.Inbox, Listen: o.Listen, Poll: o.Poll, Logger: log,
		PaymentOutbox: o.PaymentOutbox, AutoRefund: o.AutoRefund,
	})
	switch {
	case errors.Is(err, gateway.ErrNotOperatorKey):
		return usageError{fmt.Errorf("--from: %w", err)}
	case errors.Is(err, gateway.ErrMode):
		return usageError{fmt.Errorf("--mode: %w", err)}
	case err != nil:
		return err
	}
	return gw.Wait()
}

func newCmdOperatorExceptions(g *Globals) *cobra.Command {
	var url, data string
	cmd := &cobra.Command{
		Use:   "exceptions",
		Short: "List the bank credits the gateway could not match, to refund, never minted, and the bank files it set aside",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			recs, err := gatewayExceptions(cmd.Context(), url, data, g)
			if err != nil {
				return err
			}
			failed, err := gatewayFailed(cmd.Context(), url, data, g)
			if err != nil {
				return err
			}
			g.emit(gatewayTodo{Exceptions: recs, FailedFiles: failed}, func(w io.Writer) {
				if len(recs)+len(failed) == 0 {
					fmt.Fprintln(w, "no exceptions")
				}
				for _, r := range recs {
					printException(w, r)
				}
				for _, f := range failed {
					kept := cmp.Or(f.Path, "(not kept)")
					fmt.Fprintf(w, "%s  file %s  %s: %s\n", f.FailedAt.UTC().Format(time.RFC3339), f.Name, kept, f.Reason)
				}
			})
			return nil
		},
	}
	cmd.Flags().StringVar(&url, "gateway", "http://"+gatewayListenDefault, "a running gateway's address")
	cmd.Flags().StringVar(&data, "data", "", "the gateway's folder, read when the gateway is not running (default <home>/gateway)")
	return cmd
}

// gatewayTodo is what `operator exceptions --output json` prints.
type gatewayTodo struct {
	Exceptions  []gateway.Record     `json:"exceptions"`
	FailedFiles []gateway.FailedFile `json:"failed_files"`
}

// gatewayExceptions asks the running gateway, or reads its journal when none runs.
func gatewayExceptions(ctx context.Context, url, data string, g *Globals) ([]gateway.Record, error) {
	return fromGateway(ctx, url, data, g, (*gateway.AdminClient).Exceptions, func(j *gateway.Journal) ([]gateway.Record, error) {
		return j.Records(gateway.StatusException)
	})
}

// gatewayFailed lists the bank files the gateway set aside, asking it as
// gatewayExceptions does.
func gatewayFailed(ctx context.Context, url, data string, g *Globals) ([]gateway.FailedFile, error) {
	return fromGateway(ctx, url, data, g, (*gateway.AdminClient).Failed, (*gateway.Journal).Failed)
}

// fromGateway asks the gateway running at url, or reads the journal in data when none
// answers, which works only while no gateway holds it. The list is never nil.
func fromGateway[T any](ctx context.Context, url, data string, g *Globals,
	ask func(*gateway.AdminClient, context.Context) ([]T, error), read func(*gateway.Journal) ([]T, error)) ([]T, error) {
	list, err := ask(gateway.NewAdminClient(url), ctx)
	var unreachable *gateway.UnreachableError
	if errors.As(err, &unreachable) {
		j, jerr := gateway.OpenJournal(filepath.Join(cmp.Or(data, filepath.Join(g.Home, "gateway")), "journal"))
		if jerr != nil {
			return nil, fmt.Errorf("no gateway answers at %s, and its journal cannot be read: %w", url, jerr)
		}
		defer j.Close()
		list, err = read(j)
	}
	if err != nil {
		return nil, err
	}
	if list == nil {
		list = []T{}
	}
	return list, nil
}

// printException shows an exception with what a person needs to act on it: the amount,
// who paid from which account, the remittance, the bank's reference and return reason,
// the booking date, the file it came in and the order it was meant for.
func printException(w io.Writer, r gateway.Record) {
	e := r.Entry
	payer := strings.TrimSpace(cmp.Or(e.DebtorName, "(payer not given)") + " " + e.DebtorAccount().String())
	fmt.Fprintf(w, "%s  %s %s  from %s  bank reference %s\n", cmp.Or(e.BookingDate, "(no date)"), cmp.Or(string(e.Kind), "entry"),
		formatMoney(e.AmountMinor, e.Currency), payer, r.BankReference)
	if remittance := slices.Concat(e.References, e.Unstructured, e.AdditionalRemittance); len(remittance) > 0 {
		fmt.Fprintf(w, "    remittance  %s\n", strings.Join(remittance, " | "))
	}
	if e.InstructedCurrency != "" {
		fmt.Fprintf(w, "    instructed  %s\n", formatMoney(e.InstructedAmountMinor, e.InstructedCurrency))
	}
	if e.ChargesMinor > 0 {
		fmt.Fprintf(w, "    charges     %s\n", formatMoney(e.ChargesMinor, e.ChargesCurrency))
	}
	if e.ReturnReason != "" {
		fmt.Fprintf(w, "    return      %s\n", e.ReturnReason)
	}
	if r.OrderID != "" {
		fmt.Fprintf(w, "    order       %s\n", r.OrderID)
	}
	fmt.Fprintf(w, "    source      %s, entry %s\n", r.Source, cmp.Or(e.EntryRef, "(no reference)"))
	fmt.Fprintf(w, "    why         %s\n", r.Reason)
}
