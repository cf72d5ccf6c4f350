package cli

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/txn"
)

// NewCmdSend is `chipmint send`: a transfer of chips.
func NewCmdSend(g *Globals) *cobra.Command {
	var from, to, amount, resume string
	cmd := &cobra.Command{
		Use:   "send",
		Short: "Transfer chips to another account",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			msg, res, err := sendOrResume(cmd, g, from, to, amount, resume)
			if err != nil {
				return err
			}
			g.emit(map[string]any{"to": msg.To, "amount_chips": msg.AmountChips, "committed": res}, func(w io.Writer) {
				fmt.Fprintf(w, "sent %s to %s (height %d)\n", formatChips(msg.AmountChips), msg.To, res.Height)
			})
			return nil
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "key that signs and pays")
	cmd.Flags().StringVar(&to, "to", "", "recipient: a chip1 address or a key name")
	cmd.Flags().StringVar(&amount, "amount", "", "chips to send, e.g. 12.5")
	cmd.Flags().StringVar(&resume, "resume", "", "send the kept transfer with this transaction hash again: the same bytes, never a second transfer")
	return cmd
}

func sendOrResume(cmd *cobra.Command, g *Globals, from, to, amount, resume string) (*txn.Transfer, client.Committed, error) {
	if resume != "" {
		if err := resumeAlone(cmd, "from", "to", "amount"); err != nil {
			return nil, client.Committed{}, err
		}
		c, err := g.dial(cmd.Context())
		if err != nil {
			return nil, client.Committed{}, err
		}
		tx, res, err := g.outbox().resume(cmd.Context(), c, "send", resume)
		if err != nil {
			return nil, client.Committed{}, err
		}
		return tx.Msg.(*txn.Transfer), res, nil
	}
	toAddr, err := g.resolveAddress(to)
	if err != nil {
		return nil, client.Committed{}, usageError{fmt.Errorf("--to: %w", err)}
	}
	chips, err := parseChips("--amount", amount)
	if err != nil {
		return nil, client.Committed{}, err
	}
	key, c, err := g.signer(cmd.Context(), from)
	if err != nil {
		return nil, client.Committed{}, err
	}
	msg := &txn.Transfer{To: toAddr, AmountChips: chips}
	_, res, err := g.outbox().send(cmd.Context(), c, "send", msg, key)
	return msg, res, err
}
