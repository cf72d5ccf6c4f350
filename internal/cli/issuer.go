package cli

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/issuer"
	"github.com/chipmint/chipmint/internal/system"
	"github.com/chipmint/chipmint/internal/txn"
)

// IssuerOptions are the flags of `chipmint issuer run`.
type IssuerOptions struct {
	From          string
	Rescan        time.Duration
	MetricsListen string
}

// NewCmdIssuer is `chipmint issuer`: the issuer service, the issuers' proposals and
// approvals, and the issuers themselves.
func NewCmdIssuer(g *Globals) *cobra.Command {
	cmd := &cobra.Command{Use: "issuer", Short: "Run the issuer service; propose, approve and list the issuers' controlled actions; add and remove issuers"}
	o := &IssuerOptions{}
	run := &cobra.Command{
		Use: "run", Short: "Issue the chips of every paid order, catching up first; propose the issue of those above one issuer's limit; runs until interrupted", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runIssuer(cmd, g, o) },
	}
	run.Flags().StringVar(&o.From, "from", "issuer", "issuer key that signs")
	run.Flags().DurationVar(&o.Rescan, "rescan", 2*time.Second, "how often to read the new blocks without an event, and try again the paid orders not issued yet")
	run.Flags().StringVar(&o.MetricsListen, "metrics-listen", "", "serve the service's Prometheus metrics at /metrics on this host:port (off when empty)")
	proposals := &cobra.Command{
		Use: "proposals", Short: "List the pending proposals: their action, approvals and expiry", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runIssuerProposals(cmd, g) },
	}
	proposal := &cobra.Command{Use: "proposal", Short: "Show a proposal"}
	proposal.AddCommand(&cobra.Command{
		Use: "show ID", Short: "Show a proposal: its action, approvals and status", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return runIssuerProposalShow(cmd, g, args[0]) },
	})
	cmd.AddCommand(run, newCmdIssuerApprove(g), proposals, proposal, newCmdIssuerAdd(g), newCmdIssuerRemove(g), newCmdIssuerThreshold(g))
	return cmd
}

// proposalsFile is where the issuer service remembers the issues it proposed.
func proposalsFile(g *Globals) string { return filepath.Join(g.Home, "issuer", "proposals.json") }

// cursorFile is where the issuer service keeps how far it followed the chain's blocks.
func cursorFile(g *Globals) string { return filepath.Join(g.Home, "issuer", "cursor.json") }

func runIssuer(cmd *cobra.Command, g *Globals, o *IssuerOptions) error {
	key, err := g.unlock(o.From)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(g.Err, nil)).With("service", "issuer")
	c, err := client.DialRetry(cmd.Context(), g.Node, log)
	if err != nil {
		return err
	}
	defer c.Close()
	svc, err := system.StartIssuer(cmd.Context(), issuer.Config{
		Client: c, Key: key, Proposals: proposalsFile(g), Cursor: cursorFile(g), Rescan: o.Rescan, Logger: log,
	}, o.MetricsListen, "--metrics-listen")
	if errors.Is(err, issuer.ErrNotIssuer) {
		return usageError{fmt.Errorf("--from: %w", err)}
	}
	if err != nil {
		return err
	}
	log.Info("issuer service running", "node", g.Node, "metrics", svc.MetricsURL)
	return svc.Wait()
}

func newCmdIssuerApprove(g *Globals) *cobra.Command {
	var f signedFlags
	cmd := &cobra.Command{
		Use:     "approve PROPOSAL",
		Short:   "Approve, as an issuer, a pending proposal: the approval that reaches the threshold applies its action",
		Args:    argOrResume("PROPOSAL"),
		PreRunE: resumeAloneRun(),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			tx, res, c, err := g.signedOrResumed(ctx, "issuer approve", f, func() (txn.Msg, error) {
				id, err := proposalIDArg("PROPOSAL", args[0])
				return &txn.Approve{ProposalID: id}, err
			})
			if err != nil {
				return err
			}
			p, err := g.readProposal(ctx, c, tx.Msg.(*txn.Approve).ProposalID)
			if err != nil {
				return err
			}
			g.emit(map[string]any{"proposal": p, "committed": res}, func(w io.Writer) {
				fmt.Fprintf(w, "proposal %s approved (height %d): %s\n", p.ID, res.Height, p.Summary)
				printProposalState(w, p)
			})
			return nil
		},
	}
	f.add(cmd, "issuer", "approval", "this transaction hash")
	return cmd
}

func runIssuerProposals(cmd *cobra.Command, g *Globals) error {
	ctx := cmd.Context()
	c, err := g.dial(ctx)
	if err != nil {
		return err
	}
	props, err := c.PendingProposals(ctx)
	if err != nil {
		return err
	}
	params, err := c.Params(ctx)
	if err != nil {
		return err
	}
	issuers, err := c.Issuers(ctx)
	if err != nil {
		return err
	}
	views := make([]proposalView, len(props))
	for i, p := range props {
		views[i] = viewProposal(ctx, c, p, params.IssuerThreshold, issuers)
	}
	g.emit(views, func(w io.Writer) {
		if len(views) == 0 {
			fmt.Fprintf(w, "no pending proposals (threshold %d of %d issuers)\n", params.IssuerThreshold, len(issuers))
		}
		for _, p := range views {
			fmt.Fprintf(w, "%s  %s  %d of %d approvals  approvable %s\n", p.ID, p.Summary, p.Counted, p.Threshold, p.ApprovableUntil.upTo())
		}
	})
	return nil
}

func runIssuerProposalShow(cmd *cobra.Command, g *Globals, arg string) error {
	id, err := proposalIDArg("ID", arg)
	if err != nil {
		return err
	}
	ctx := cmd.Context()
	c, err := g.dial(ctx)
	if err != nil {
		return err
	}
	p, err := g.readProposal(ctx, c, id)
	if errors.Is(err, client.ErrNotFound) {
		return fmt.Errorf("proposal %s is unknown to the node at %s", id, g.Node)
	}
	if err != nil {
		return err
	}
	g.emit(p, func(w io.Writer) {
		fmt.Fprintf(w, "proposal  %s (%s)\n", p.ID, p.Status)
		fmt.Fprintf(w, "action    %s\n", p.Summary)
		fmt.Fprintf(w, "proposer  %s, at height %d\n", p.Proposer, p.CreatedHeight)
		for _, a := range p.Approvals {
			fmt.Fprintf(w, "approved  by %s\n", a)
		}
		printProposalState(w, p)
	})
	return nil
}

func newCmdIssuerAdd(g *Globals) *cobra.Command {
	var f signedFlags
	var keyName, publicKey string
	cmd := &cobra.Command{
		Use:     "add ID",
		Short:   "Make a key an issuer's, named ID (a controlled action)",
		Args:    argOrResume("ID"),
		PreRunE: resumeAloneRun("key", "public-key"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			tx, res, c, err := g.controlledOrResumed(ctx, "issuer add", f, func() (txn.Msg, error) {
				keys := OperatorRegisterOptions{KeyName: keyName, PublicKey: publicKey}
				pub, err := keys.publicKey(g, "--key")
				if err != nil {
					return nil, err
				}
				return &txn.AddIssuer{ID: args[0], Address: crypto.AddressOf(pub), PublicKey: pub}, nil
			})
			if err != nil {
				return err
			}
			if id, ok := proposed(tx); ok {
				return g.emitProposed(ctx, c, id, res)
			}
			m := tx.Msg.(*txn.AddIssuer)
			g.emit(map[string]any{"issuer": m, "committed": res}, func(w io.Writer) {
				fmt.Fprintf(w, "issuer %s added (height %d): %s\n", m.ID, res.Height, m.Address)
			})
			return nil
		},
	}
	f.add(cmd, "issuer", "addition", "this transaction hash")
	cmd.Flags().StringVar(&keyName, "key", "", "the new issuer's key, by name in this keystore or as a pkcs11: URI")
	cmd.Flags().StringVar(&publicKey, "public-key", "", "the new issuer's ed25519 public key in base64 (instead of --key)")
	return cmd
}

func newCmdIssuerRemove(g *Globals) *cobra.Command {
	var f signedFlags
	cmd := &cobra.Command{
		Use:     "remove ADDRESS",
		Short:   "Take an issuer's role from its key (a chip1 address or a key name); its approvals of pending proposals lapse (a controlled action)",
		Args:    argOrResume("ADDRESS"),
		PreRunE: resumeAloneRun(),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			tx, res, c, err := g.controlledOrResumed(ctx, "issuer remove", f, func() (txn.Msg, error) {
				addr, err := g.resolveAddress(args[0])
				if err != nil {
					return nil, usageError{fmt.Errorf("ADDRESS: %w", err)}
				}
				return &txn.RemoveIssuer{Address: addr}, nil
			})
			if err != nil {
				return err
			}
			if id, ok := proposed(tx); ok {
				return g.emitProposed(ctx, c, id, res)
			}
			addr := tx.Msg.(*txn.RemoveIssuer).Address
			g.emit(map[string]any{"removed": addr, "committed": res}, func(w io.Writer) {
				fmt.Fprintf(w, "issuer %s removed (height %d)\n", addr, res.Height)
			})
			return nil
		},
	}
	f.add(cmd, "issuer", "removal", "this transaction hash")
	return cmd
}

func newCmdIssuerThreshold(g *Globals) *cobra.Command {
	var f signedFlags
	cmd := &cobra.Command{
		Use:     "threshold THRESHOLD",
		Short:   "Set how many issuers must approve a controlled action (a controlled action itself)",
		Args:    argOrResume("THRESHOLD"),
		PreRunE: resumeAloneRun(),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			tx, res, c, err := g.controlledOrResumed(ctx, "issuer threshold", f, func() (txn.Msg, error) {
				m, err := strconv.ParseUint(args[0], 10, 64)
				if err != nil || m == 0 {
					return nil, usageError{fmt.Errorf("THRESHOLD: want a number of issuers, at least 1, got %q", args[0])}
				}
				return &txn.SetIssuerThreshold{Threshold: m}, nil
			})
			if err != nil {
				return err
			}
			if id, ok := proposed(tx); ok {
				return g.emitProposed(ctx, c, id, res)
			}
			m := tx.Msg.(*txn.SetIssuerThreshold).Threshold
			g.emit(map[string]any{"threshold": m, "committed": res}, func(w io.Writer) {
				fmt.Fprintf(w, "threshold set to %d issuers (height %d)\n", m, res.Height)
			})
			return nil
		},
	}
	f.add(cmd, "issuer", "threshold", "this transaction hash")
	return cmd
}
