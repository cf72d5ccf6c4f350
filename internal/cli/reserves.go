package cli

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/chipmint/chipmint/internal/bank"
	"github.com/chipmint/chipmint/internal/camt"
	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/query"
	"github.com/chipmint/chipmint/internal/reserves"
	"github.com/chipmint/chipmint/internal/txn"
)

// reservesOptions are the flags of `chipmint reserves`.
type reservesOptions struct {
	statements []string
	bank       string
	dates      []string
	sign, dir  string
	attest     bool
}

// NewCmdReserves is `chipmint reserves`: the check that every chip is backed.
func NewCmdReserves(g *Globals) *cobra.Command {
	var o reservesOptions
	cmd := &cobra.Command{
		Use:   "reserves",
		Short: "Check that every operator's bank balance backs its chips, entry by entry",
		Long: "Read each operator's camt.053 statements (files, or the sandbox bank's statements of some days) and the chain at the\n" +
			"last block not after the statements' end, and report per operator: the closing booked balance, the chips\n" +
			"outstanding at its rate, the escrow of pending redemptions, money owed back, any shortfall from reversals,\n" +
			"and the difference; every bank entry that no record of the chain explains and every record with no bank\n" +
			"entry behind it. Exits with status 4 when chips are not fully backed or anything is unexplained.\n" +
			"With --sign, an auditor's key seals the report, written into --dir; with --attest too, the auditor records its\n" +
			"digest and figures on the chain.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runReserves(cmd, g, o)
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&o.statements, "statement", nil, "a camt.053 statement file of an operator's account (repeat for several)")
	f.StringVar(&o.bank, "bank", "", "read every operator's statement from this sandbox bank instead (URL)")
	f.StringArrayVar(&o.dates, "date", nil, "with --bank, a booking date of the statements, YYYY-MM-DD (repeat for several; default: yesterday and today, UTC)")
	f.StringVar(&o.sign, "sign", "", "the auditor's key (keystore name) that seals the report")
	f.StringVar(&o.dir, "dir", "", "with --sign, the folder the sealed report is written into (default: <home>/reserves)")
	f.BoolVar(&o.attest, "attest", false, "with --sign, record the report's digest and figures on the chain (AttestReserves)")
	cmd.AddCommand(newCmdReservesVerify(g), newCmdReservesHistory(g))
	return cmd
}

// reservesVerified is the answer of `chipmint reserves verify`.
type reservesVerified struct {
	Report  reserves.Report `json:"report"`
	Digest  string          `json:"digest"`
	Auditor crypto.Address  `json:"auditor"`
	// Attested are the chain's records of the report, one per operator; empty when
	// the chain was not asked (--auditor) or has none.
	Attested []txn.ReservesAttestation `json:"attested"`
}

// newCmdReservesVerify is `chipmint reserves verify`: a published report checked.
func newCmdReservesVerify(g *Globals) *cobra.Command {
	var auditors []string
	cmd := &cobra.Command{
		Use:   "verify FILE",
		Short: "Check a sealed reserves report: its signature, its auditor and its attestation on the chain",
		Long: "Check that the sealed report FILE was signed by the key it names and not changed since, that the key is an\n" +
			"auditor's on the chain (or one given with --auditor, without asking the chain), and show the chain's\n" +
			"attestation of the report's digest, whose figures must be the report's.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return verifyReserves(cmd, g, args[0], auditors)
		},
	}
	cmd.Flags().StringArrayVar(&auditors, "auditor", nil, "an auditor's address to trust instead of the chain's auditors (repeatable)")
	return cmd
}

func verifyReserves(cmd *cobra.Command, g *Globals, path string, auditorFlags []string) error {
	ctx := cmd.Context()
	var trusted []crypto.Address
	for _, s := range auditorFlags {
		a, err := crypto.ParseAddress(s)
		if err != nil {
			return usageError{fmt.Errorf("--auditor %q: %w", s, err)}
		}
		trusted = append(trusted, a)
	}
	file, err := readFile("FILE", path)
	if err != nil {
		return err
	}
	var c *client.Client
	if len(trusted) == 0 {
		if c, err = g.dial(ctx); err != nil {
			return err
		}
		auditors, err := c.Auditors(ctx)
		if err != nil {
			return err
		}
		for _, a := range auditors {
			trusted = append(trusted, a.Address)
		}
	}
	r, digest, signed, err := reserves.Verify(file, trusted)
	if err != nil {
		return err
	}
	v := reservesVerified{Report: r, Digest: hex.EncodeToString(digest[:]), Auditor: signed.Auditor, Attested: []txn.ReservesAttestation{}}
	if c != nil {
		att, err := c.ReservesByDigest(ctx, digest[:])
		if err != nil && !errors.Is(err, client.ErrNotFound) {
			return err
		}
		if err := reserves.MatchesAttestation(r, digest, att); err != nil {
			return err
		}
		v.Attested = att
	}
	g.emit(v, func(w io.Writer) {
		fmt.Fprintf(w, "report %s signed by auditor %s: the signature holds\n", v.Digest, v.Auditor)
		printReserves(w, r)
		switch {
		case c == nil:
			fmt.Fprintln(w, "the chain was not asked (--auditor)")
		case len(v.Attested) == 0:
			fmt.Fprintln(w, "not attested on the chain")
		default:
			fmt.Fprintf(w, "attested on the chain at height %d, the same figures\n", v.Attested[0].Height)
		}
	})
	return nil
}

func runReserves(cmd *cobra.Command, g *Globals, o reservesOptions) error {
	ctx := cmd.Context()
	if (len(o.statements) > 0) == (o.bank != "") {
		return usageError{errors.New("give the statements: --statement FILE (repeatable) or --bank URL")}
	}
	if len(o.dates) > 0 && o.bank == "" {
		return usageError{errors.New("--date picks the statements of --bank")}
	}
	if o.sign == "" && (o.attest || o.dir != "") {
		return usageError{errors.New("--attest and --dir need --sign, the auditor's key that seals the report")}
	}
	if o.dir == "" {
		o.dir = filepath.Join(g.Home, "reserves")
	}
	var key crypto.Signer
	if o.sign != "" {
		var err error
		if key, err = g.unlockFlag("--sign", o.sign); err != nil {
			return err
		}
	}
	var stmts []camt.Statement
	if len(o.statements) > 0 {
		docs := make([][]byte, len(o.statements))
		for i, path := range o.statements {
			var err error
			if docs[i], err = readFile("--statement", path); err != nil {
				return err
			}
		}
		var err error
		if stmts, err = reserves.ParseStatements(o.statements, docs); err != nil {
			return usageError{fmt.Errorf("--statement %w", err)}
		}
	}
	c, err := g.dial(ctx)
	if err != nil {
		return err
	}
	if o.bank != "" {
		dates := o.dates
		if len(dates) == 0 {
			dates = reserves.RecentDates(time.Now())
		}
		if stmts, err = reserves.BankStatements(ctx, c, bank.NewClient(o.bank), dates); err != nil {
			return err
		}
	}
	var a reserves.Attested
	switch {
	case o.attest:
		a, err = reserves.Attest(ctx, c, key, stmts, o.dir)
	case key != nil:
		var r reserves.Report
		if r, err = reserves.Run(ctx, c, stmts); err == nil {
			a, err = reserves.Seal(r, key, o.dir)
		}
	default:
		a.Report, err = reserves.Run(ctx, c, stmts)
	}
	if err != nil {
		return err
	}
	r := a.Report
	g.emit(a, func(w io.Writer) {
		printReserves(w, r)
		if a.File != "" {
			fmt.Fprintf(w, "sealed report %s (digest %s)\n", a.File, a.Digest)
		}
		if a.Tx.Height > 0 {
			fmt.Fprintf(w, "attested on the chain at height %d (tx %s)\n", a.Tx.Height, a.Tx.Hash)
		}
	})
	if !r.Backed {
		return exitStatus{ExitUnbacked}
	}
	return nil
}

// printReserves shows a report for people: a few lines per operator and what was not
// explained.
func printReserves(w io.Writer, r reserves.Report) {
	fmt.Fprintf(w, "reserves at height %d (%s), statements to %s\n", r.Height, r.BlockTime, r.StatementEnd)
	for _, op := range r.Operators {
		money := func(v int64) string { return formatSignedMoney(v, op.Currency) }
		state := "BACKED"
		if !op.Backed {
			state = "NOT BACKED"
		}
		fmt.Fprintf(w, "%s  %s (%s, %d entries in %d statements)\n", state, op.Operator, op.Account, op.Entries, len(op.Statements))
		fmt.Fprintf(w, "  balance %s   liabilities %s   difference %s\n", money(op.ClosingMinor), money(int64(op.LiabilitiesMinor)), money(op.DifferenceMinor))
		fmt.Fprintf(w, "  chips outstanding %s = %s, escrow %s, paid not issued %s, owed back %s, open credits %s, in transit %s, shortfall %s\n",
			formatChips(op.OutstandingChips), money(int64(op.OutstandingMinor)), money(int64(op.EscrowMinor)), money(int64(op.PaidMinor)),
			money(int64(op.OwedMinor)), money(int64(op.OpenCreditsMinor)), money(op.InTransitMinor), money(int64(op.ShortfallMinor)))
		for _, f := range op.Findings {
			fmt.Fprintf(w, "  %s %s: %s\n", f.Kind, f.Reference, f.Reason)
		}
	}
	if r.Backed {
		fmt.Fprintln(w, "every chip is backed and every bank entry explained")
	} else {
		fmt.Fprintln(w, "NOT BACKED: see above")
	}
}

// formatSignedMoney is formatMoney of an amount that may be negative.
func formatSignedMoney(minor int64, currency string) string {
	if minor < 0 {
		return "-" + formatMoney(uint64(-minor), currency)
	}
	return formatMoney(uint64(minor), currency)
}

// newCmdReservesHistory is `chipmint reserves history`: an operator's attestations.
func newCmdReservesHistory(g *Globals) *cobra.Command {
	var limit int
	cmd := &cobra.Command{
		Use:   "history OPERATOR",
		Short: "List an operator's attestations of its reserves on the chain, newest first",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.dial(cmd.Context())
			if err != nil {
				return err
			}
			p, err := c.Reserves(cmd.Context(), args[0], query.PageRequest{Limit: limit})
			if err != nil {
				return err
			}
			g.emit(p.Items, func(w io.Writer) {
				if len(p.Items) == 0 {
					fmt.Fprintf(w, "no attestations of operator %s\n", args[0])
				}
				for _, a := range p.Items {
					state := "backed"
					if !a.Backed {
						state = "NOT BACKED"
					}
					fmt.Fprintf(w, "height %d  %s  balance %s  liabilities %s  unexplained %d  (report %x at height %d, by %s)\n",
						a.Height, state, formatSignedMoney(a.BalanceMinor, a.Currency), formatMoney(a.LiabilitiesMinor, a.Currency),
						a.Unexplained, a.ReportDigest, a.ReportHeight, a.Auditor)
				}
			})
			return nil
		},
	}
	cmd.Flags().IntVar(&limit, "limit", 20, fmt.Sprintf("how many of the newest attestations (at most %d)", query.PageMax))
	return cmd
}
