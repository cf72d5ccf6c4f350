package cli

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/issuer"
	"github.com/chipmint/chipmint/internal/system"
	"github.com/chipmint/chipmint/internal/txn"
)

// IssuerOptions are the flags of `chipmint issuer run` and `pending`.
type IssuerOptions struct {
	From          string
	ApprovalAbove string
	Rescan        time.Duration
}

// NewCmdIssuer is `chipmint issuer`: the issuer service and its approvals.
func NewCmdIssuer(g *Globals) *cobra.Command {
	cmd := &cobra.Command{Use: "issuer", Short: "Run the issuer service and approve large orders"}
	o := &IssuerOptions{}
	run := &cobra.Command{
		Use: "run", Short: "Issue the chips of every paid order, catching up first; runs until interrupted", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runIssuer(cmd, g, o) },
	}
	run.Flags().StringVar(&o.From, "from", "issuer", "issuer key that signs")
	run.Flags().StringVar(&o.ApprovalAbove, "approval-above", "", "orders of more chips than this wait for 'chipmint issuer approve'")
	run.Flags().DurationVar(&o.Rescan, "rescan", 2*time.Second, "how often to rescan the paid orders without an event")
	var by string
	approve := &cobra.Command{
		Use: "approve ORDER", Short: "Approve a large order (its id or RF payment reference) for issue (four eyes)", Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			id, err := orderIDArg("ORDER", args[0])
			if err != nil {
				return err
			}
			a, err := issuer.OpenApprovals(approvalsDir(g))
			if err != nil {
				return err
			}
			if err := a.Approve(id, by); err != nil {
				return err
			}
			g.emit(map[string]string{"approved": id, "by": by}, func(w io.Writer) {
				fmt.Fprintf(w, "order %s approved by %s; the issuer service issues it on its next pass\n", id, by)
			})
			return nil
		},
	}
	approve.Flags().StringVar(&by, "by", "operator-on-duty", "who approves")
	pending := &cobra.Command{
		Use: "pending", Short: "List paid orders waiting for issue or approval", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runIssuerPending(cmd, g, o) },
	}
	pending.Flags().StringVar(&o.ApprovalAbove, "approval-above", "", "the service's approval threshold, in chips")
	cmd.AddCommand(run, approve, pending)
	return cmd
}

func approvalsDir(g *Globals) string { return filepath.Join(g.Home, "issuer", "approvals") }

func (o *IssuerOptions) threshold() (uint64, error) {
	if o.ApprovalAbove == "" {
		return 0, nil
	}
	return parseChips("--approval-above", o.ApprovalAbove)
}

func runIssuer(cmd *cobra.Command, g *Globals, o *IssuerOptions) error {
	threshold, err := o.threshold()
	if err != nil {
		return err
	}
	key, err := g.unlock(o.From)
	if err != nil {
		return err
	}
	approvals, err := issuer.OpenApprovals(approvalsDir(g))
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
		Client: c, Key: key, ApprovalAboveChips: threshold, Approvals: approvals, Rescan: o.Rescan, Logger: log,
	})
	if errors.Is(err, issuer.ErrNotIssuer) {
		return usageError{fmt.Errorf("--from: %w", err)}
	}
	if err != nil {
		return err
	}
	log.Info("issuer service running", "node", g.Node, "approval_above_chips", threshold)
	return svc.Wait()
}

func runIssuerPending(cmd *cobra.Command, g *Globals, o *IssuerOptions) error {
	threshold, err := o.threshold()
	if err != nil {
		return err
	}
	approvals, err := issuer.OpenApprovals(approvalsDir(g))
	if err != nil {
		return err
	}
	c, err := g.dial(cmd.Context())
	if err != nil {
		return err
	}
	orders, err := c.PaidOrders(cmd.Context())
	if err != nil {
		return err
	}
	type row struct {
		Order         txn.Order `json:"order"`
		NeedsApproval bool      `json:"needs_approval"`
		Approved      bool      `json:"approved"`
	}
	rows := make([]row, len(orders))
	for i, ord := range orders {
		rows[i] = row{ord, threshold > 0 && ord.Chips > threshold, approvals.Approved(ord.ID)}
	}
	g.emit(rows, func(w io.Writer) {
		for _, r := range rows {
			state := "waiting for the issuer service"
			if r.NeedsApproval && !r.Approved {
				state = "needs approval: chipmint issuer approve " + r.Order.ID
			}
			fmt.Fprintf(w, "%s  %s  %s\n", r.Order.ID, formatChips(r.Order.Chips), state)
		}
	})
	return nil
}
