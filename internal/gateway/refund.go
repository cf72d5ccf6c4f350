package gateway

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/chipmint/chipmint/internal/camt"
	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/txn"
)

// Refunds: money on the operator's account that buys no chips goes back to its payer,
// through the bank, and the chain records it (RecordRefund) once the bank has booked the
// debit: a credit that matched no order, came late for an expired or cancelled order, or
// in another currency, all of it; a credit that paid an order, what the order owes back
// (the surplus over what was ordered, or all an underpaid order received before it
// expired). A person refunds an exception (chipmint operator refund); with AutoRefund
// the gateway refunds by itself what the policy allows: the late payments, the wrong
// currencies and what orders owe back.

// ErrNotRefundable is a refund the gateway cannot make: the entry is not a booked
// credit, it has nothing left to pay back, or its payer's account is unknown.
var ErrNotRefundable = errors.New("gateway: not refundable")

// ErrUnknownCredit is a refund of a credit the journal does not hold.
var ErrUnknownCredit = errors.New("gateway: no such credit in the journal")

// refundID is the end-to-end id of the refund of the credit journaled under key: the
// same every time it is asked for, so that the bank pays it once.
func refundID(operator, key string) string {
	sum := sha256.Sum256([]byte(operator + "\x00" + key))
	return "RFND-" + hex.EncodeToString(sum[:10])
}

// Refund pays back the credit journaled under key, or what its order owes back, to its
// payer, unless that is under way or done, and returns the refund.
func (g *Gateway) Refund(ctx context.Context, key string) (Outgoing, error) {
	if g.cfg.Payer == nil {
		return Outgoing{}, fmt.Errorf("%w: this gateway has no way to pay (no bank payment API or payment outbox)", ErrNotRefundable)
	}
	id := refundID(g.cfg.Operator.ID, key)
	out, seen, err := g.cfg.Journal.OutgoingPayment(id)
	if err != nil {
		return Outgoing{}, err
	}
	if !seen {
		if out, err = g.newRefund(ctx, key, id); err != nil {
			return Outgoing{}, err
		}
		if err := g.cfg.Journal.PutOutgoing(out); err != nil {
			return Outgoing{}, err
		}
	}
	if out.Status != OutgoingInitiating {
		return out, nil
	}
	err = g.pay(ctx, &out)
	if errors.Is(err, ErrPaymentRefused) {
		reason := err.Error()
		return out, errors.Join(err, g.setOutgoing(id, func(o *Outgoing) { o.Status, o.Reason = OutgoingReturned, reason }))
	}
	return out, err
}

// pay asks the bank to make an outgoing payment journaled as initiating and journals
// that it was ordered. A refusal (ErrPaymentRefused) is the caller's to record.
func (g *Gateway) pay(ctx context.Context, out *Outgoing) error {
	if err := g.hook(g.cfg.beforePay, *out); err != nil {
		return err
	}
	ref, err := g.cfg.Payer.Pay(ctx, out.payment())
	if err != nil {
		return err
	}
	if err := g.hook(g.cfg.afterPay, *out); err != nil {
		return err
	}
	out.Status, out.PaymentReference = OutgoingOrdered, ref
	g.log.Info(out.Kind+" ordered", "end_to_end_id", out.EndToEndID, "amount_minor", out.AmountMinor, "currency", out.Currency, "payment", ref)
	return g.setOutgoing(out.EndToEndID, func(o *Outgoing) { o.Status, o.PaymentReference = OutgoingOrdered, ref })
}

// newRefund decides what the refund of the credit under key pays, and to whom.
func (g *Gateway) newRefund(ctx context.Context, key, id string) (Outgoing, error) {
	rec, seen, err := g.cfg.Journal.Get(key)
	if err != nil {
		return Outgoing{}, err
	}
	if !seen {
		return Outgoing{}, fmt.Errorf("%w: %q", ErrUnknownCredit, key)
	}
	e := rec.Entry
	if e.Kind != camt.KindCredit || e.CreditDebit != camt.Credit || e.Status != camt.Booked || e.AmountMinor == 0 {
		return Outgoing{}, fmt.Errorf("%w: %s is %s, not a booked credit", ErrNotRefundable, key, bookingText(e))
	}
	if e.Problem != "" {
		return Outgoing{}, fmt.Errorf("%w: the bank's entry %s does not add up (%s): refund it by hand", ErrNotRefundable, key, e.Problem)
	}
	payee := e.DebtorAccount()
	if payee.IBAN == "" && payee.Other == "" {
		return Outgoing{}, fmt.Errorf("%w: the bank file names no account of the payer of %s: refund it by hand", ErrNotRefundable, key)
	}
	amount, orderID, err := g.owedBack(ctx, rec)
	if err != nil {
		return Outgoing{}, err
	}
	now := g.now().UTC()
	return Outgoing{
		EndToEndID: id, Kind: KindRefund, Credit: key, CreditReference: e.BankReference(), OrderID: orderID,
		AmountMinor: amount, Currency: e.Currency, PayeeName: e.DebtorName, Payee: payee,
		Remittance: refundRemittance(e), Status: OutgoingInitiating, CreatedAt: now, UpdatedAt: now,
	}, nil
}

// owedBack is what of a credit is paid back: what its order owes when it confirmed
// one, all of it otherwise.
func (g *Gateway) owedBack(ctx context.Context, rec Record) (uint64, string, error) {
	e := rec.Entry
	if _, err := g.cfg.Client.Refund(ctx, g.cfg.Operator.ID, e.BankReference()); err == nil {
		return 0, "", fmt.Errorf("%w: credit %s was refunded on the chain before", ErrNotRefundable, e.BankReference())
	} else if !errors.Is(err, client.ErrNotFound) {
		return 0, "", err
	}
	o, err := g.cfg.Client.OrderByBankReference(ctx, g.cfg.Operator.ID, e.BankReference())
	switch {
	case errors.Is(err, client.ErrNotFound):
		return e.AmountMinor, "", nil
	case err != nil:
		return 0, "", err
	case o.RefundedHeight > 0:
		return 0, "", fmt.Errorf("%w: what order %s owed back was refunded at height %d", ErrNotRefundable, o.ID, o.RefundedHeight)
	case o.OwedMinor == 0:
		return 0, "", fmt.Errorf("%w: credit %s paid order %s, which is %s and owes nothing back", ErrNotRefundable, e.BankReference(), o.ID, o.Status)
	}
	return o.OwedMinor, o.ID, nil
}

// refundRemittance says what a refund pays back, with the payer's own reference.
func refundRemittance(e camt.Entry) string {
	s := "Refund of payment " + e.BankReference()
	if ref := e.CreditorReference; ref != "" {
		s += " ref " + ref
	}
	if len(s) > 140 {
		s = s[:140]
	}
	return s
}

// recordRefund records on the chain the refund whose debit the bank booked.
func (g *Gateway) recordRefund(ctx context.Context, rec Record, out Outgoing) (string, error) {
	if g.cfg.beforeSubmit != nil {
		if err := g.cfg.beforeSubmit(rec); err != nil {
			return "", err
		}
	}
	sctx, cancel := context.WithTimeout(ctx, submitTimeout)
	defer cancel()
	res, err := g.cfg.Client.Submit(sctx, &txn.RecordRefund{
		BankReference: out.CreditReference, AmountMinor: out.AmountMinor, Currency: out.Currency,
		RefundReference: rec.Entry.BankReference(),
	}, g.cfg.Key)
	var rej *txn.Error
	switch {
	case errors.As(err, &rej) && (rej.Code == txn.AlreadyRefunded || rej.Code == txn.RefundReferenceUsed):
	case errors.As(err, &rej):
		return g.finish(rec, StatusException, out.OrderID, fmt.Sprintf("the chain refused the refund %s of credit %s: %s", out.EndToEndID, out.CreditReference, rej))
	case err != nil:
		return "", err
	default:
		rec.TxHash, rec.Height = res.Hash, res.Height
	}
	if err := g.closeOutgoing(out.EndToEndID, OutgoingBooked, rec.Entry.BankReference(), ""); err != nil {
		return "", err
	}
	if credit, seen, err := g.cfg.Journal.Get(out.Credit); err != nil {
		return "", err
	} else if seen && credit.Status == StatusException {
		credit.Status, credit.Reason, credit.UpdatedAt = StatusRefunded, "refunded by "+rec.Entry.BankReference(), g.now().UTC()
		if err := g.cfg.Journal.Put(credit); err != nil {
			return "", err
		}
	}
	return g.finish(rec, StatusRefundRecorded, out.OrderID, "refund of credit "+out.CreditReference+" recorded")
}

// AutoRefunds refunds what the policy allows without a person: the exceptions marked
// for it, what the operator's orders owe back, and the refunds a crash left before the
// bank was asked. It returns the first error after trying the others.
func (g *Gateway) AutoRefunds(ctx context.Context) error {
	if g.cfg.Payer == nil {
		return nil
	}
	keys, err := g.cfg.Journal.RefundsDue()
	if err != nil {
		return err
	}
	if g.cfg.AutoRefund {
		owed, err := g.cfg.Client.OwedOrders(ctx, g.cfg.Operator.ID)
		if err != nil {
			return err
		}
		for _, o := range owed {
			if _, seen, err := g.cfg.Journal.Get(o.BankReference); err == nil && seen {
				keys = append(keys, o.BankReference)
			}
		}
	}
	var errs []error
	for _, key := range keys {
		out, seen, err := g.cfg.Journal.OutgoingPayment(refundID(g.cfg.Operator.ID, key))
		if err != nil || seen && out.Status != OutgoingInitiating || !seen && !g.cfg.AutoRefund {
			// Under way, or an exception that waits for a person.
			errs = append(errs, err)
			continue
		}
		if g.waitsForAPerson(key) {
			continue
		}
		_, err = g.Refund(ctx, key)
		if errors.Is(err, ErrNotRefundable) {
			g.log.Warn("a refund the policy allows cannot be made: it waits for a person", "credit", key, "err", err)
			g.leaveToAPerson(key)
			err = g.cfg.Journal.DropRefundDue(key)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("refund of %s: %w", key, err))
		}
	}
	return errors.Join(errs...)
}

// RunPayments makes the operator's outgoing payments until ctx is done: every poll,
// the open redemptions' payouts and the refunds due.
func (g *Gateway) RunPayments(ctx context.Context, poll time.Duration) error {
	for ctx.Err() == nil {
		if err := errors.Join(g.Payouts(ctx), g.AutoRefunds(ctx)); err != nil && ctx.Err() == nil {
			g.log.Warn("outgoing payments", "err", err)
		}
		sleep(ctx, poll)
	}
	return nil
}

// waitsForAPerson reports whether this gateway found the refund of the credit under key
// impossible to make by itself, so as not to try again at every poll.
func (g *Gateway) waitsForAPerson(key string) bool {
	g.outMu.Lock()
	defer g.outMu.Unlock()
	return g.leftToAPerson[key]
}

func (g *Gateway) leaveToAPerson(key string) {
	g.outMu.Lock()
	defer g.outMu.Unlock()
	if g.leftToAPerson == nil {
		g.leftToAPerson = make(map[string]bool)
	}
	g.leftToAPerson[key] = true
}
