package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/hsm"
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
	// ExitUnbacked is a reserves check that found chips not fully backed or something
	// unexplained; it has printed its report.
	ExitUnbacked ExitCode = 4
	// ExitRefused is an answer `chipmint verify` does not believe: its proof does not
	// lead to a header the light client verified, or a node lies about a header or
	// follows a fork (client.ErrRefused).
	ExitRefused ExitCode = 5
)

// Globals are the flags every command takes.
type Globals struct {
	Home   string
	Node   string
	Output string
	Out    io.Writer
	Err    io.Writer
	// tokenKeys are the keys the command opened on tokens, closed when it ends.
	tokenKeys []hsm.Key
}

// Main runs the command line and returns the exit status.
func Main() ExitCode {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	g := &Globals{Out: os.Stdout, Err: os.Stderr}
	defer g.closeKeys()
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
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			g.Output = strings.ToLower(g.Output)
			if g.Output != "text" && g.Output != "json" {
				return usageError{fmt.Errorf("--output: want text or json, got %q", g.Output)}
			}
			g.Node = nodeURL(g.Node)
			return requiredFlags(cmd)
		},
	}
	root.SetOut(g.Out)
	root.SetErr(g.Err)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.PersistentFlags().StringVar(&g.Home, "home", defaultHome(), "chipmint home folder")
	root.PersistentFlags().StringVar(&g.Node, "node", nodeURLDefault, "RPC address of a chipmint node (host:port or URL)")
	root.PersistentFlags().StringVarP(&g.Output, "output", "o", "text", "output format: text or json")
	root.AddCommand(
		NewCmdInit(g), NewCmdNode(g), NewCmdKeys(g), NewCmdOperator(g), NewCmdBuy(g),
		NewCmdOrder(g), NewCmdConfirm(g), NewCmdReceipt(g), NewCmdIssue(g), NewCmdSend(g),
		NewCmdBalance(g), NewCmdSupply(g), NewCmdDemo(g), NewCmdCodes(g), NewCmdBank(g), NewCmdIssuer(g), NewCmdDev(g),
		NewCmdTestnet(g), NewCmdJoin(g), NewCmdPeerAddress(g), NewCmdBench(g), NewCmdReverse(g),
		NewCmdTx(g), NewCmdRedeem(g), NewCmdRedemption(g), NewCmdRestore(g), NewCmdCancel(g), NewCmdAccept(g),
		NewCmdHold(g), NewCmdRelease(g), NewCmdPause(g), NewCmdUnpause(g), NewCmdFreeze(g), NewCmdUnfreeze(g),
		NewCmdValidator(g), NewCmdAuditor(g), NewCmdReserves(g), NewCmdVerify(g),
	)
	usageArgs(root)
	return root
}

// nodeURLDefault is where commands find a node unless told otherwise.
const nodeURLDefault = "http://127.0.0.1:26657"

// nodeURL accepts a node's RPC address with or without its scheme: "127.0.0.1:26657"
// is "http://127.0.0.1:26657".
func nodeURL(s string) string {
	if strings.Contains(s, "://") {
		return s
	}
	return "http://" + s
}

// requiredFlags names every required flag the command was not given, as a usage error:
// "--cap is required", "--iban and --cap are required".
func requiredFlags(cmd *cobra.Command) error {
	if f := cmd.Flags().Lookup("resume"); f != nil && f.Changed {
		// A kept transaction is sent again as it was signed: --resume stands alone
		// (resumeAlone refuses the other flags), and cobra must not require them either.
		cmd.Flags().VisitAll(func(f *pflag.Flag) { delete(f.Annotations, cobra.BashCompOneRequiredFlag) })
		return nil
	}
	var missing []string
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if req := f.Annotations[cobra.BashCompOneRequiredFlag]; len(req) > 0 && req[0] == "true" && !f.Changed {
			missing = append(missing, "--"+f.Name)
		}
	})
	switch len(missing) {
	case 0:
		return nil
	case 1:
		return usageError{fmt.Errorf("%s is required", missing[0])}
	}
	return usageError{fmt.Errorf("%s and %s are required", strings.Join(missing[:len(missing)-1], ", "), missing[len(missing)-1])}
}

// usageArgs makes a wrong number of arguments a usage error in every command.
func usageArgs(cmd *cobra.Command) {
	if check := cmd.Args; check != nil {
		cmd.Args = func(c *cobra.Command, args []string) error {
			if err := check(c, args); err != nil {
				return usageError{err}
			}
			return nil
		}
	}
	for _, sub := range cmd.Commands() {
		usageArgs(sub)
	}
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

// exitStatus ends a command that has printed its answer already with a status of its
// own, printing nothing more.
type exitStatus struct{ code ExitCode }

func (e exitStatus) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// report prints err in the chosen format and picks the exit status: 2 for usage (a
// missing or bad argument or flag, found before anything is signed), 3 for a
// transaction the chain rejected, 5 for an answer verify refused, 1 for everything else.
func (g *Globals) report(err error) ExitCode {
	var usage usageError
	var rej *txn.Error
	var status exitStatus
	if errors.As(err, &status) {
		return status.code
	}
	code := ExitError
	switch {
	case errors.As(err, &usage) || strings.HasPrefix(err.Error(), "unknown command"):
		code = ExitUsage
	case errors.As(err, &rej):
		code = ExitRejected
	case errors.Is(err, client.ErrRefused):
		code = ExitRefused
	}
	if g.Output == "json" {
		out := map[string]any{"error": err.Error(), "exit_code": int(code)}
		if code == ExitRejected {
			out["code"], out["code_name"], out["reason"] = uint32(rej.Code), rej.Code.String(), rej.Reason
		}
		writeJSON(g.Out, out)
		return code
	}
	if code == ExitRejected {
		fmt.Fprintf(g.Err, "rejected: %s (code %d): %s\n", rej.Code, uint32(rej.Code), rej.Reason)
	} else {
		fmt.Fprintf(g.Err, "error: %v\n", err)
	}
	return code
}
