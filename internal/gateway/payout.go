package gateway

import (
	"context"
	"errors"
	"fmt"

	"github.com/chipmint/chipmint/internal/txn"
)

// Payouts: the gateway pays the operator's redemptions out through the bank. For each
// open redemption it records PayoutInitiated on the chain before any money leaves (no
// deadline can then give the chips back to a holder who is being paid), asks the bank
// to pay, with the redemption's id as the end-to-end id, and, when a bank file reports
// the debit booked, signs ConfirmPayout, which burns the escrowed chips. A payout the
// bank refuses or returns is recorded with ReturnPayout: the chips wait for an issuer.
// Every step can be repeated: the chain refuses a second PayoutInitiated, the payer pays
// an end-to-end id once, and the chain answers a second ConfirmPayout already_paid_out.

// payoutReference is the reference of a redemption's payment order that PayoutInitiated
// records, known before the bank is asked: the message id the payment file gets.
func payoutReference(redemptionID string) string { return "CM-" + redemptionID }

// Payouts pays out every open redemption of the operator that has not been paid yet;
// it returns the first error that stopped one, after trying the others.
func (g *Gateway) Payouts(ctx context.Context) error {
	if g.cfg.Payer == nil {
		return nil
	}
	reds, err := g.cfg.Client.OpenRedemptions(ctx, g.cfg.Operator.ID)
	if err != nil {
		return err
	}
	var errs []error
	for _, red := range reds {
		if err := g.payout(ctx, red); err != nil {
			errs = append(errs, fmt.Errorf("payout of redemption %s: %w", red.ID, err))
		}
	}
	return errors.Join(errs...)
}

// payout takes one redemption as far as it can go now.
func (g *Gateway) payout(ctx context.Context, red txn.Redemption) error {
	out, seen, err := g.cfg.Journal.OutgoingPayment(red.ID)
	if err != nil {
		return err
	}
	if seen && out.Status != OutgoingInitiating {
		return nil // ordered: the bank's debit confirms it
	}
	if !seen {
		payee, known, err := g.cfg.Journal.Payee(red.ID)
		if err != nil || !known {
			// The holder has not given its payout account yet: nothing to pay to.
			return err
		}
		to := payee.Account
		now := g.now().UTC()
		out = Outgoing{
			EndToEndID: red.ID, Kind: KindPayout, RedemptionID: red.ID, AmountMinor: red.AmountMinor,
			Currency: red.Currency, PayeeName: to.Holder, Payee: payeeOf(to), PayeeBIC: to.BIC,
			Remittance: "Redemption " + red.ID + " of chips through " + g.cfg.Operator.ID,
			Status:     OutgoingInitiating, CreatedAt: now, UpdatedAt: now,
		}
		if err := g.cfg.Journal.PutOutgoing(out); err != nil {
			return err
		}
	}
	if red.Status == txn.RedemptionRequested {
		if err := g.hook(g.cfg.beforeInitiate, out); err != nil {
			return err
		}
		initiated, err := g.initiate(ctx, red)
		if err != nil || !initiated {
			return err
		}
	}
	err = g.pay(ctx, &out)
	if errors.Is(err, ErrPaymentRefused) {
		return g.returnPayout(ctx, out, payoutReference(red.ID), "the bank refused the payout: "+err.Error())
	}
	return err
}

// initiate records PayoutInitiated; false when the redemption turned out closed.
func (g *Gateway) initiate(ctx context.Context, red txn.Redemption) (bool, error) {
	sctx, cancel := context.WithTimeout(ctx, submitTimeout)
	defer cancel()
	_, err := g.cfg.Client.Submit(sctx, &txn.PayoutInitiated{RedemptionID: red.ID, PayoutReference: payoutReference(red.ID)}, g.cfg.Key)
	var rej *txn.Error
	if !errors.As(err, &rej) {
		return err == nil, err
	}
	now, err := g.cfg.Client.Redemption(ctx, red.ID)
	if err != nil {
		return false, err
	}
	switch now.Status {
	case txn.RedemptionPayoutInitiated:
		return true, nil // initiated before a crash cut the journal short
	case txn.RedemptionRequested:
		return false, fmt.Errorf("the chain refused PayoutInitiated: %w", rej)
	}
	g.log.Warn("redemption closed before its payout", "redemption", red.ID, "status", now.Status, "reason", now.Reason)
	return false, g.closeOutgoing(red.ID, OutgoingReturned, "", "the redemption is "+string(now.Status)+" on the chain: nothing paid")
}

// returnPayout records on the chain that a payout came back or was refused.
func (g *Gateway) returnPayout(ctx context.Context, out Outgoing, bankRef, reason string) error {
	if len(reason) > 140 {
		reason = reason[:140]
	}
	sctx, cancel := context.WithTimeout(ctx, submitTimeout)
	defer cancel()
	res, err := g.cfg.Client.Submit(sctx, &txn.ReturnPayout{RedemptionID: out.RedemptionID, BankReference: bankRef, Reason: reason}, g.cfg.Key)
	var rej *txn.Error
	switch {
	case errors.As(err, &rej) && rej.Code == txn.PayoutNotInitiated:
		// Returned on the chain before.
	case err != nil:
		return err
	default:
		g.log.Info("payout return recorded", "redemption", out.RedemptionID, "tx", res.Hash)
	}
	g.log.Warn("payout returned", "redemption", out.RedemptionID, "reason", reason)
	return g.setOutgoing(out.EndToEndID, func(o *Outgoing) { o.Status, o.BankReference, o.Reason = OutgoingReturned, bankRef, reason })
}

// closeOutgoing records an outgoing payment's end.
func (g *Gateway) closeOutgoing(endToEndID, status, bankRef, reason string) error {
	return g.setOutgoing(endToEndID, func(o *Outgoing) { o.Status, o.BankReference, o.Reason = status, bankRef, reason })
}

// outgoingRank orders the statuses of an outgoing payment: a record never goes back.
var outgoingRank = map[string]int{OutgoingInitiating: 0, OutgoingOrdered: 1, OutgoingBooked: 2, OutgoingReturned: 3}

// setOutgoing changes the journal's record of an outgoing payment as it is now, under
// the gateway's lock: the feed may have recorded the bank's debit while the payer was
// answering, and a status is never replaced by an earlier one.
func (g *Gateway) setOutgoing(endToEndID string, change func(*Outgoing)) error {
	g.outMu.Lock()
	defer g.outMu.Unlock()
	out, seen, err := g.cfg.Journal.OutgoingPayment(endToEndID)
	if err != nil || !seen {
		return err
	}
	next := out
	change(&next)
	if outgoingRank[next.Status] < outgoingRank[out.Status] {
		return nil
	}
	next.UpdatedAt = g.now().UTC()
	return g.cfg.Journal.PutOutgoing(next)
}

// hook runs a test's hook at a step of an outgoing payment.
func (g *Gateway) hook(h func(Outgoing) error, out Outgoing) error {
	if h == nil {
		return nil
	}
	return h(out)
}

// debit acts on a booked debit of the operator's account: the booking of one of its
// payouts or refunds, found by the end-to-end id it chose, is recorded on the chain;
// any other debit is the operator's own business.
func (g *Gateway) debit(ctx context.Context, rec Record) (string, error) {
	e := rec.Entry
	out, seen, err := g.cfg.Journal.OutgoingPayment(e.EndToEndID)
	if err != nil {
		return "", err
	}
	if e.EndToEndID == "" || !seen {
		return g.finish(rec, StatusIgnored, "", "a debit the gateway did not order: nothing to record")
	}
	if e.AmountMinor != out.AmountMinor || e.Currency != out.Currency {
		return g.finish(rec, StatusException, out.OrderID, fmt.Sprintf("the bank booked %s for %s %s of %d %s: check it with the bank",
			bookingText(e), out.Kind, out.EndToEndID, out.AmountMinor, out.Currency))
	}
	if out.Kind == KindRefund {
		return g.recordRefund(ctx, rec, out)
	}
	if g.cfg.beforeSubmit != nil {
		if err := g.cfg.beforeSubmit(rec); err != nil {
			return "", err
		}
	}
	sctx, cancel := context.WithTimeout(ctx, submitTimeout)
	defer cancel()
	res, err := g.cfg.Client.Submit(sctx, &txn.ConfirmPayout{RedemptionID: out.RedemptionID, BankReference: e.BankReference()}, g.cfg.Key)
	var rej *txn.Error
	switch {
	case errors.As(err, &rej) && rej.Code == txn.AlreadyPaidOut:
	case errors.As(err, &rej):
		return g.finish(rec, StatusException, "", fmt.Sprintf("the chain refused the payout of redemption %s: %s", out.RedemptionID, rej))
	case err != nil:
		return "", err
	default:
		rec.TxHash, rec.Height = res.Hash, res.Height
	}
	if err := g.closeOutgoing(out.EndToEndID, OutgoingBooked, e.BankReference(), ""); err != nil {
		return "", err
	}
	return g.finish(rec, StatusPayoutConfirmed, "", "redemption "+out.RedemptionID+" paid out")
}

// returned acts on a return: one of the operator's payouts coming back is recorded on
// the chain, a refund coming back is owed again; any other is for a person.
func (g *Gateway) returned(ctx context.Context, rec Record) (string, error) {
	e := rec.Entry
	reason := "returned by the bank, reason " + orNotGiven(e.ReturnReason)
	out, seen, err := g.cfg.Journal.OutgoingPayment(e.EndToEndID)
	switch {
	case err != nil:
		return "", err
	case e.EndToEndID == "" || !seen:
		return g.finish(rec, StatusException, "", fmt.Sprintf("a return of the operator's own outgoing payment (reason %s) that the gateway did not order: match it to the payment it returns",
			orNotGiven(e.ReturnReason)))
	case e.AmountMinor != out.AmountMinor || e.Currency != out.Currency:
		return g.finish(rec, StatusException, out.OrderID, fmt.Sprintf("the bank returned %s of %s %s of %d %s: check it with the bank",
			bookingText(e), out.Kind, out.EndToEndID, out.AmountMinor, out.Currency))
	case out.Kind == KindRefund:
		if err := g.closeOutgoing(out.EndToEndID, OutgoingReturned, e.BankReference(), reason); err != nil {
			return "", err
		}
		return g.finish(rec, StatusException, out.OrderID, fmt.Sprintf("the refund %s of credit %s came back (%s): the money is owed again; refund it by hand and record it",
			out.EndToEndID, out.CreditReference, orNotGiven(e.ReturnReason)))
	}
	if err := g.returnPayout(ctx, out, e.BankReference(), reason); err != nil {
		return "", err
	}
	return g.finish(rec, StatusPayoutReturned, "", "the payout of redemption "+out.RedemptionID+" came back: an issuer restores the holder's chips")
}

func orNotGiven(s string) string {
	if s == "" {
		return "not given"
	}
	return s
}
