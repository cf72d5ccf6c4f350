package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/cockroachdb/pebble"

	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/txn"
)

// Payees: a redemption names its payout account on the chain only as a salted
// commitment (decision 0042). The holder gives the gateway the opening (POST
// /v1/payees), which the gateway checks against the chain and keeps in its journal; a
// redemption is paid out once its payee is known, and expires, its chips going back to
// the holder, if the opening never comes.

// prefixPayee keys the payees' openings by redemption id.
const prefixPayee = "payee/"

// Errors of AddPayee.
var (
	// ErrUnknownRedemption is a payee for a redemption the chain does not have.
	ErrUnknownRedemption = errors.New("gateway: no such redemption")
	// ErrNotPayee is an opening that is not the redemption's payee, or an account the
	// operator cannot pay.
	ErrNotPayee = errors.New("gateway: not the redemption's payee")
)

// PayeeRequest gives the gateway the opening of a redemption's payee.
type PayeeRequest struct {
	RedemptionID string             `json:"redemption_id"`
	Payee        txn.AccountOpening `json:"payee"`
}

// AddPayee checks that the opening opens the payee commitment of one of the operator's
// redemptions and is an account it can pay in the redemption's currency, and keeps it.
// Giving the same opening again is harmless.
func (g *Gateway) AddPayee(ctx context.Context, req PayeeRequest) error {
	red, err := g.cfg.Client.Redemption(ctx, req.RedemptionID)
	switch {
	case errors.Is(err, client.ErrNotFound):
		return fmt.Errorf("%w: %s", ErrUnknownRedemption, req.RedemptionID)
	case err != nil:
		return err
	case red.Operator != g.cfg.Operator.ID:
		return fmt.Errorf("%w: redemption %s is operator %s's, not %s's", ErrUnknownRedemption, red.ID, red.Operator, g.cfg.Operator.ID)
	}
	if err := req.Payee.Check(red.Payee); err != nil {
		return fmt.Errorf("%w: %w", ErrNotPayee, err)
	}
	if err := req.Payee.Account.Validate(); err != nil {
		return fmt.Errorf("%w: %w", ErrNotPayee, err)
	}
	if req.Payee.Account.Currency != red.Currency {
		return fmt.Errorf("%w: an account in %s for a payout in %s", ErrNotPayee, req.Payee.Account.Currency, red.Currency)
	}
	return g.cfg.Journal.PutPayee(red.ID, req.Payee)
}

// PutPayee keeps the opening of a redemption's payee.
func (j *Journal) PutPayee(redemptionID string, o txn.AccountOpening) error {
	b, err := json.Marshal(o)
	if err != nil {
		return err
	}
	if err := j.db.Set([]byte(prefixPayee+redemptionID), b, pebble.Sync); err != nil {
		return fmt.Errorf("gateway: journal write payee of %s: %w", redemptionID, err)
	}
	return nil
}

// Payee returns the opening of a redemption's payee, if the holder gave it.
func (j *Journal) Payee(redemptionID string) (txn.AccountOpening, bool, error) {
	v, closer, err := j.db.Get([]byte(prefixPayee + redemptionID))
	if errors.Is(err, pebble.ErrNotFound) {
		return txn.AccountOpening{}, false, nil
	}
	if err != nil {
		return txn.AccountOpening{}, false, fmt.Errorf("gateway: journal read payee of %s: %w", redemptionID, err)
	}
	defer closer.Close()
	var o txn.AccountOpening
	if err := json.Unmarshal(v, &o); err != nil {
		return o, false, fmt.Errorf("gateway: journal payee of %s: %w", redemptionID, err)
	}
	return o, true, nil
}
