package cli

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/chipmint/chipmint/internal/txn"
)

// NewCmdSend is `chipmint send`: a transfer of chips.
func NewCmdSend(g *Globals) *cobra.Command {
	var from, to, amount string
	cmd := &cobra.Command{
		Use:   "send",
		Short: "Transfer chips to another account",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			toAddr, err := g.resolveAddress(to)
			if err != nil {
				return usageError{fmt.Errorf("--to: %w", err)}
			}
			chips, err := parseChips("--amount", amount)
			if err != nil {
				return err
			}
			key, c, err := g.signer(cmd.Context(), from)
			if err != nil {
				return err
			}
			res, err := submit(cmd.Context(), c, &txn.Transfer{To: toAddr, AmountChips: chips}, key)
			if err != nil {
				return err
			}
			g.emit(map[string]any{"to": toAddr, "amount_chips": chips, "committed": res}, func(w io.Writer) {
				fmt.Fprintf(w, "sent %s to %s (height %d)\n", formatChips(chips), toAddr, res.Height)
			})
			return nil
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "key that signs and pays")
	cmd.Flags().StringVar(&to, "to", "", "recipient: a chip1 address or a key name")
	cmd.Flags().StringVar(&amount, "amount", "", "chips to send, e.g. 12.5")
	return cmd
}
