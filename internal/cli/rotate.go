package cli

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/txn"
)

// KeysRotateOptions are the flags of `chipmint keys rotate`.
type KeysRotateOptions struct {
	Role string
	From string
	To   string
}

// rotation is what `keys rotate` reports: the role, the two keys and the blocks of the
// two steps.
type rotation struct {
	Role      string           `json:"role"`
	From      crypto.Address   `json:"from"`
	To        crypto.Address   `json:"to"`
	Offered   client.Committed `json:"offered"`
	TakenOver client.Committed `json:"taken_over"`
}

func newCmdKeysRotate(g *Globals) *cobra.Command {
	o := &KeysRotateOptions{}
	cmd := &cobra.Command{
		Use:   "rotate",
		Short: "Hand an operator's, an issuer's or an auditor's role from one key to another: the old key offers it, the new one takes it over",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch o.Role {
			case txn.RoleOperator, txn.RoleIssuer, txn.RoleAuditor:
			default:
				return usageError{fmt.Errorf("--role: want %s, %s or %s, got %q", txn.RoleOperator, txn.RoleIssuer, txn.RoleAuditor, o.Role)}
			}
			oldKey, err := g.unlock(o.From)
			if err != nil {
				return err
			}
			newKey, err := g.unlockFlag("--to", o.To)
			if err != nil {
				return err
			}
			from, err := crypto.AddressOfSigner(oldKey)
			if err != nil {
				return err
			}
			pub, err := crypto.PublicKeyOf(newKey)
			if err != nil {
				return err
			}
			offer := txn.NewHandOver(o.Role, pub)
			if err := offer.Validate(); err != nil {
				return usageError{fmt.Errorf("--to: %w", err)}
			}
			ctx := cmd.Context()
			c, err := g.dial(ctx)
			if err != nil {
				return err
			}
			defer c.Close()
			_, offered, err := g.outbox().send(ctx, c, "keys rotate", offer, oldKey)
			if err != nil {
				return fmt.Errorf("the old key's offer: %w", err)
			}
			_, taken, err := g.outbox().send(ctx, c, "keys rotate", &txn.TakeOver{From: from}, newKey)
			if err != nil {
				return fmt.Errorf("the new key's take-over (the offer stands: run again with the same keys): %w", err)
			}
			r := rotation{Role: o.Role, From: from, To: crypto.AddressOf(pub), Offered: offered, TakenOver: taken}
			g.emit(r, func(w io.Writer) {
				fmt.Fprintf(w, "the %s role of %s is %s's from height %d: the old key is refused from now on\n", r.Role, r.From, r.To, r.TakenOver.Height)
			})
			return nil
		},
	}
	cmd.Flags().StringVar(&o.Role, "role", "", "the role handed over: operator, issuer or auditor")
	cmd.Flags().StringVar(&o.From, "from", "", "the key that holds the role now")
	cmd.Flags().StringVar(&o.To, "to", "", "the key that takes it over (keys add it first)")
	_ = cmd.MarkFlagRequired("from")
	_ = cmd.MarkFlagRequired("role")
	return cmd
}
