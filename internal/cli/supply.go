package cli

import (
	"fmt"
	"io"

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
			g.emit(map[string]any{"supply": s, "invariants": inv}, func(w io.Writer) {
				fmt.Fprintf(w, "supply %s (issued %s, burned %s)\n", formatChips(s.TotalChips), formatChips(s.IssuedChips), formatChips(s.BurnedChips))
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
