package cli

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/chipmint/chipmint/internal/gateway"
	"github.com/chipmint/chipmint/internal/txn"
)

// payees keeps the openings of the holder's redemptions' payout accounts in the home,
// by the commitment the chain holds: the chain never sees the account, so a lost
// opening is a payout nobody can make.
type payees struct{ home string }

func (g *Globals) payees() payees { return payees{home: g.Home} }

func (p payees) path(commitment []byte) string {
	return filepath.Join(p.home, "payees", hex.EncodeToString(commitment)+".json")
}

// keep writes an opening durably.
func (p payees) keep(o txn.AccountOpening) error {
	path := p.path(o.Commitment())
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	b, err := json.MarshalIndent(o, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o600)
}

// find reads the opening of a commitment.
func (p payees) find(commitment []byte) (txn.AccountOpening, error) {
	var o txn.AccountOpening
	b, err := os.ReadFile(p.path(commitment))
	if errors.Is(err, fs.ErrNotExist) {
		return o, fmt.Errorf("no payout account of commitment %x in %s: it was redeemed from another home", commitment, filepath.Dir(p.path(commitment)))
	}
	if err != nil {
		return o, err
	}
	if err := json.Unmarshal(b, &o); err != nil {
		return o, fmt.Errorf("%s: %w", p.path(commitment), err)
	}
	return o, o.Check(commitment)
}

// givePayee gives the operator's gateway at url a redemption's payout account.
func givePayee(ctx context.Context, url, redemptionID string, o txn.AccountOpening) error {
	return gateway.NewAdminClient(url).GivePayee(ctx, gateway.PayeeRequest{RedemptionID: redemptionID, Payee: o})
}

// newCmdRedemptionPayee is `chipmint redemption payee`: the account given again.
func newCmdRedemptionPayee(g *Globals) *cobra.Command {
	var url string
	cmd := &cobra.Command{
		Use:   "payee ID",
		Short: "Give the operator's gateway the account a redemption of yours is to be paid to (kept in the home)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			r, _, err := g.redemptionNamed(ctx, "ID", args[0])
			if err != nil {
				return err
			}
			o, err := g.payees().find(r.Payee)
			if err != nil {
				return err
			}
			if err := givePayee(ctx, url, r.ID, o); err != nil {
				return err
			}
			g.emit(map[string]any{"redemption_id": r.ID, "payee": o.Account}, func(w io.Writer) {
				fmt.Fprintf(w, "the gateway at %s pays redemption %s to %s\n", url, r.ID, payee(o.Account))
			})
			return nil
		},
	}
	cmd.Flags().StringVar(&url, "gateway", "http://"+gatewayListenDefault, "the operator's gateway")
	return cmd
}
