package cli

import (
	"fmt"
	"io"

	"github.com/chipmint/chipmint/internal/txn"
	"github.com/spf13/cobra"
)

// NewCmdSupply is `chipmint supply`: the chip totals and the node's invariant check.
func NewCmdSupply(g *Globals) *cobra.Command {
	return &cobra.Command{
		Use:   "supply",
		Short: "Show the chips in circulation and check the ledger's invariants",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := g.dial(cmd.Context())
			if err != nil {
				return err
			}
			s, err := c.Supply(cmd.Context())
			if err != nil {
				return err
			}
			inv, err := c.CheckInvariants(cmd.Context())
			if err != nil {
				return err
			}
			ops, err := c.Operators(cmd.Context())
			if err != nil {
				return err
			}
			short := shortfalls(ops)
			g.emit(map[string]any{"supply": s, "invariants": inv, "shortfall": short}, func(w io.Writer) {
				fmt.Fprintf(w, "supply %s (issued %s, burned %s)\n", formatChips(s.TotalChips), formatChips(s.IssuedChips), formatChips(s.BurnedChips))
				for _, op := range short.Operators {
					fmt.Fprintf(w, "SHORTFALL %s: issued against payments the bank reversed (operator %s)\n", formatChips(op.Chips), op.ID)
				}
				if inv.OK {
					fmt.Fprintf(w, "invariants hold at height %d\n", inv.Height)
				} else {
					fmt.Fprintf(w, "INVARIANT BROKEN at height %d: %s\n", inv.Height, inv.Error)
				}
			})
			if !inv.OK {
				return fmt.Errorf("invariants broken: %s", inv.Error)
			}
			return nil
		},
	}
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
