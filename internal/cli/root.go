package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/chipmint/chipmint/internal/txn"
)

// ExitCode is the process's exit status.
type ExitCode int

// Exit statuses: a rejected transaction is told apart from other failures.
const (
	ExitOK       ExitCode = 0
	ExitError    ExitCode = 1
	ExitUsage    ExitCode = 2
	ExitRejected ExitCode = 3
)

// Globals are the flags every command takes.
type Globals struct {
	Home   string
	Node   string
	Output string
	Out    io.Writer
	Err    io.Writer
}

// Main runs the command line and returns the exit status.
func Main() ExitCode {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	g := &Globals{Out: os.Stdout, Err: os.Stderr}
	cmd := NewCmdRoot(g)
	cmd.SetArgs(os.Args[1:])
	err := cmd.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	return g.report(err)
}

// NewCmdRoot is the chipmint command with all its subcommands.
func NewCmdRoot(g *Globals) *cobra.Command {
	root := &cobra.Command{
		Use:           "chipmint",
		Short:         "A permissioned ledger of chips issued only against real money",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(*cobra.Command, []string) error {
			if g.Output != "text" && g.Output != "json" {
				return usageError{fmt.Errorf("--output: want text or json, got %q", g.Output)}
			}
			return nil
		},
	}
	root.SetOut(g.Out)
	root.SetErr(g.Err)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.PersistentFlags().StringVar(&g.Home, "home", defaultHome(), "chipmint home folder")
	root.PersistentFlags().StringVar(&g.Node, "node", "http://127.0.0.1:26657", "RPC address of a chipmint node")
	root.PersistentFlags().StringVarP(&g.Output, "output", "o", "text", "output format: text or json")
	root.AddCommand(
		NewCmdInit(g), NewCmdNode(g), NewCmdKeys(g), NewCmdOperator(g), NewCmdBuy(g),
		NewCmdOrder(g), NewCmdConfirm(g), NewCmdReceipt(g), NewCmdIssue(g), NewCmdSend(g),
		NewCmdBalance(g), NewCmdSupply(g), NewCmdDemo(g), NewCmdCodes(g), NewCmdBank(g), NewCmdIssuer(g), NewCmdDev(g),
		NewCmdTestnet(g), NewCmdJoin(g), NewCmdPeerAddress(g), NewCmdBench(g),
		NewCmdTx(g),
	)
	return root
}

func defaultHome() string {
	if h := os.Getenv("CHIPMINT_HOME"); h != "" {
		return h
	}
	dir, err := os.UserHomeDir()
	if err != nil {
		return ".chipmint"
	}
	return filepath.Join(dir, ".chipmint")
}

type usageError struct{ error }

func (e usageError) Unwrap() error { return e.error }

// report prints err in the chosen format and picks the exit status.
func (g *Globals) report(err error) ExitCode {
	var rej *txn.Error
	isRejection := errors.As(err, &rej)
	if g.Output == "json" {
		out := map[string]any{"error": err.Error()}
		if isRejection {
			out["code"], out["code_name"], out["reason"] = uint32(rej.Code), rej.Code.String(), rej.Reason
		}
		writeJSON(g.Out, out)
	} else if isRejection {
		fmt.Fprintf(g.Err, "rejected: %s (code %d): %s\n", rej.Code, uint32(rej.Code), rej.Reason)
	} else {
		fmt.Fprintf(g.Err, "error: %v\n", err)
	}
	var usage usageError
	switch {
	case isRejection:
		return ExitRejected
	case errors.As(err, &usage):
		return ExitUsage
	}
	return ExitError
}
