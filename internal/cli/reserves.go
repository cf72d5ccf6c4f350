package cli

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/chipmint/chipmint/internal/bank"
	"github.com/chipmint/chipmint/internal/camt"
	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/reserves"
)

// reservesOptions are the flags of `chipmint reserves`.
type reservesOptions struct {
	statements []string
	bank, date string
	sign, out  string
}

// NewCmdReserves is `chipmint reserves`: the check that every chip is backed.
func NewCmdReserves(g *Globals) *cobra.Command {
	var o reservesOptions
	cmd := &cobra.Command{
		Use:   "reserves",
		Short: "Check that every operator's bank balance backs its chips, entry by entry",
		Long: "Read each operator's camt.053 statements (files, or the sandbox bank's statement of a day) and the chain at the\n" +
			"last block not after the statements' end, and report per operator: the closing booked balance, the chips\n" +
			"outstanding at its rate, the escrow of pending redemptions, money owed back, any shortfall from reversals,\n" +
			"and the difference; every bank entry that no record of the chain explains and every record with no bank\n" +
			"entry behind it. Exits with status 4 when chips are not fully backed or anything is unexplained.\n" +
			"With --sign, an auditor's key signs the report, written to --out.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runReserves(cmd, g, o)
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&o.statements, "statement", nil, "a camt.053 statement file of an operator's account (repeat for several)")
	f.StringVar(&o.bank, "bank", "", "read every operator's statement from this sandbox bank instead (URL)")
	f.StringVar(&o.date, "date", "", "with --bank, the booking date of the statements, YYYY-MM-DD (default: today, UTC)")
	f.StringVar(&o.sign, "sign", "", "the auditor's key (keystore name) that signs the report")
	f.StringVar(&o.out, "out", "", "with --sign, the file the signed report is written to")
	return cmd
}

func runReserves(cmd *cobra.Command, g *Globals, o reservesOptions) error {
	ctx := cmd.Context()
	if (len(o.statements) > 0) == (o.bank != "") {
		return usageError{errors.New("give the statements: --statement FILE (repeatable) or --bank URL")}
	}
	if (o.sign != "") != (o.out != "") {
		return usageError{errors.New("--sign and --out go together: the key that signs and the file of the signed report")}
	}
	var key crypto.Signer
	if o.sign != "" {
		var err error
		if key, err = g.unlockFlag("--sign", o.sign); err != nil {
			return err
		}
	}
	c, err := g.dial(ctx)
	if err != nil {
		return err
	}
	var stmts []camt.Statement
	if o.bank != "" {
		date := o.date
		if date == "" {
			date = time.Now().UTC().Format(time.DateOnly)
		}
		if stmts, err = reserves.BankStatements(ctx, c, bank.NewClient(o.bank), date); err != nil {
			return err
		}
	} else {
		docs := make([][]byte, len(o.statements))
		for i, path := range o.statements {
			if docs[i], err = readFile("--statement", path); err != nil {
				return err
			}
		}
		if stmts, err = reserves.ParseStatements(o.statements, docs); err != nil {
			return usageError{err}
		}
	}
	r, err := reserves.Run(ctx, c, stmts)
	if err != nil {
		return err
	}
	var digest string
	if key != nil {
		signed, err := reserves.Sign(r, key)
		if err != nil {
			return err
		}
		if err := writeSigned(o.out, signed); err != nil {
			return err
		}
		sum := reserves.Digest(signed.Report)
		digest = hex.EncodeToString(sum[:])
	}
	g.emit(map[string]any{"report": r, "signed": o.out, "digest": digest}, func(w io.Writer) {
		printReserves(w, r)
		if key != nil {
			fmt.Fprintf(w, "signed report %s (digest %s)\n", o.out, digest)
		}
	})
	if !r.Backed {
		return exitStatus{ExitUnbacked}
	}
	return nil
}

// writeSigned writes a signed report to path.
func writeSigned(path string, s reserves.Signed) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
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
