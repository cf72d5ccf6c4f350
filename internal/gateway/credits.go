package gateway

import (
	"context"
	"errors"
	"time"

	"github.com/chipmint/chipmint/internal/camt"
	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/txn"
)

// Credit accounts for one booked credit to the operator's account: the part that
// bought chips (confirmed), the part paid back (refunded), the part the bank took back
// (reversed), the operator's own money that covered its shortfall (covered, decision
// 0039) and the part still open, which sum to the credit; its age says how long the
// open part has waited.
type Credit struct {
	BankReference  string    `json:"bank_reference"`
	AmountMinor    uint64    `json:"amount_minor"`
	Currency       string    `json:"currency"`
	BookingDate    string    `json:"booking_date,omitempty"`
	ReceivedAt     time.Time `json:"received_at"`
	Status         string    `json:"status"`
	OrderID        string    `json:"order_id,omitempty"`
	ConfirmedMinor uint64    `json:"confirmed_minor"`
	RefundedMinor  uint64    `json:"refunded_minor"`
	ReversedMinor  uint64    `json:"reversed_minor"`
	CoveredMinor   uint64    `json:"covered_minor"`
	OpenMinor      uint64    `json:"open_minor"`
	// AgeSeconds is how long ago the gateway read the credit.
	AgeSeconds int64 `json:"age_seconds"`
}

// Credits accounts for every booked credit the journal holds, from what the chain says
// of each: the order it confirmed and what that order keeps, owes and refunded, or the
// refund or the cover recorded of a credit that confirmed none.
func (g *Gateway) Credits(ctx context.Context) ([]Credit, error) {
	recs, err := g.cfg.Journal.Records()
	if err != nil {
		return nil, err
	}
	now := g.now()
	var out []Credit
	for _, r := range recs {
		e := r.Entry
		if e.Kind != camt.KindCredit || e.CreditDebit != camt.Credit || e.Status != camt.Booked || r.Status == StatusIgnored {
			continue
		}
		c := Credit{
			BankReference: e.BankReference(), AmountMinor: e.AmountMinor, Currency: e.Currency, BookingDate: e.BookingDate,
			ReceivedAt: r.ReceivedAt, Status: r.Status, OrderID: r.OrderID, AgeSeconds: int64(now.Sub(r.ReceivedAt) / time.Second),
		}
		if err := g.account(ctx, &c); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// account fills in a credit's parts from the chain.
func (g *Gateway) account(ctx context.Context, c *Credit) error {
	if c.BankReference == "" {
		c.OpenMinor = c.AmountMinor
		return nil
	}
	o, err := g.cfg.Client.OrderByBankReference(ctx, g.cfg.Operator.ID, c.BankReference)
	switch {
	case errors.Is(err, client.ErrNotFound):
		f, ferr := g.cfg.Client.Refund(ctx, g.cfg.Operator.ID, c.BankReference)
		switch {
		case errors.Is(ferr, client.ErrNotFound):
			cv, cerr := g.cfg.Client.Cover(ctx, g.cfg.Operator.ID, c.BankReference)
			switch {
			case errors.Is(cerr, client.ErrNotFound):
			case cerr != nil:
				return cerr
			default:
				c.CoveredMinor = min(cv.AmountMinor, c.AmountMinor)
			}
		case ferr != nil:
			return ferr
		default:
			c.RefundedMinor = min(f.AmountMinor, c.AmountMinor)
		}
	case err != nil:
		return err
	default:
		c.OrderID = o.ID
		parts(c, o)
	}
	c.OpenMinor = c.AmountMinor - c.ConfirmedMinor - c.RefundedMinor - c.ReversedMinor - c.CoveredMinor
	return nil
}

// parts splits a credit that confirmed order o: what the order keeps, what it owes
// back and refunded, or all of it reversed.
func parts(c *Credit, o txn.Order) {
	switch {
	case o.Status == txn.StatusReversed:
		c.ReversedMinor = c.AmountMinor
		return
	case o.Status == txn.StatusUnderpaid:
		return // the buyer may still accept: all of it is open
	}
	kept := o.ReceivedMinor - o.OwedMinor
	c.ConfirmedMinor = min(kept, c.AmountMinor)
	if o.RefundedHeight > 0 {
		c.RefundedMinor = min(o.OwedMinor, c.AmountMinor-c.ConfirmedMinor)
	}
}
