package cli

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/query"
	"github.com/chipmint/chipmint/internal/txn"
)

// NewCmdSupply is `chipmint supply`: the chip totals and, given the node's admin
// address, its invariant check.
func NewCmdSupply(g *Globals) *cobra.Command {
	var admin string
	cmd := &cobra.Command{
		Use:   "supply",
		Short: "Show the chips in circulation and check the ledger's invariants",
		Long: "Show the chips in circulation, those in escrow for redemptions, and the operators' shortfalls. With --admin, the node's admin address\n" +
			"(chipmint node --admin-listen), also check the ledger's invariants there: the check reads the whole\n" +
			"state, so the node serves it to its operator only, never on its public RPC.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := g.dial(cmd.Context())
			if err != nil {
				return err
			}
			s, err := c.Supply(cmd.Context())
			if err != nil {
				return err
			}
			var inv *query.Invariants
			if admin != "" {
				got, err := client.NewAdmin(admin).CheckInvariants(cmd.Context())
				if err != nil {
					return err
				}
				inv = &got
			}
			ops, err := c.Operators(cmd.Context())
			if err != nil {
				return err
			}
			short := shortfalls(ops)
			g.emit(map[string]any{"supply": s, "invariants": inv, "shortfall": short}, func(w io.Writer) {
				fmt.Fprintf(w, "supply %s (issued %s, burned %s), of which %s in escrow for redemptions\n",
					formatChips(s.TotalChips), formatChips(s.IssuedChips), formatChips(s.BurnedChips), formatChips(s.EscrowChips))
				for _, op := range short.Operators {
					fmt.Fprintf(w, "SHORTFALL %s: issued against payments the bank reversed (operator %s)\n", formatChips(op.Chips), op.ID)
				}
				switch {
				case inv == nil:
					fmt.Fprintln(w, "invariants not checked: give --admin, the node's admin address (chipmint node --admin-listen)")
				case inv.OK:
					fmt.Fprintf(w, "invariants hold at height %d\n", inv.Height)
				default:
					fmt.Fprintf(w, "INVARIANT BROKEN at height %d: %s\n", inv.Height, inv.Error)
				}
			})
			if inv != nil && !inv.OK {
				return fmt.Errorf("invariants broken: %s", inv.Error)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&admin, "admin", "", "the node's admin address (host:port or URL), to check the ledger's invariants there")
	return cmd
}

// shortfall is what was issued against payments the banks reversed since: chips in
// circulation with no money behind them, in total and by operator.
type shortfall struct {
	TotalChips uint64              `json:"total_chips,string"`
	Operators  []operatorShortfall `json:"operators"`
}

type operatorShortfall struct {
	ID    string `json:"id"`
	Chips uint64 `json:"chips,string"`
}

func shortfalls(ops []txn.Operator) shortfall {
	s := shortfall{Operators: []operatorShortfall{}}
	for _, op := range ops {
		if op.ShortfallChips > 0 {
			s.TotalChips += op.ShortfallChips
			s.Operators = append(s.Operators, operatorShortfall{op.ID, op.ShortfallChips})
		}
	}
	return s
}
