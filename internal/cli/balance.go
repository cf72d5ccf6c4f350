package cli

import (
	"fmt"
	"io"

	"github.com/chipmint/chipmint/internal/query"
	"github.com/spf13/cobra"
)

// NewCmdBalance is `chipmint balance`: the chips an account holds.
func NewCmdBalance(g *Globals) *cobra.Command {
	return &cobra.Command{
		Use:   "balance ADDRESS|KEY",
		Short: "Show the chips held by an address or a key of the keystore",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			addr, err := g.resolveAddress(args[0])
			if err != nil {
				return usageError{err}
			}
			c, err := g.dial(cmd.Context())
			if err != nil {
				return err
			}
			chips, err := c.Balance(cmd.Context(), addr)
			if err != nil {
				return err
			}
			g.emit(query.Balance{Address: addr, Chips: chips}, func(w io.Writer) {
				fmt.Fprintf(w, "%s holds %s\n", addr, formatChips(chips))
			})
			return nil
		},
	}
}
