package reserves

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/chipmint/chipmint/internal/camt"
	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/query"
	"github.com/chipmint/chipmint/internal/txn"
)

// Read gathers the chain's side of a check of the statements through a node: the
// operators whose accounts they are, and those with chips to back and no statement,
// each at the last height whose block time is not after the earliest end among the
// operators' last statements, with every record behind their bank references. A
// statement of an account that no operator has is an error.
func Read(ctx context.Context, c *client.Client, statements []camt.Statement) (Input, error) {
	ops, err := c.Operators(ctx)
	if err != nil {
		return Input{}, err
	}
	byAccount := map[string][]camt.Statement{}
	for _, s := range statements {
		byAccount[s.Account.String()] = append(byAccount[s.Account.String()], s)
	}
	mine := map[string]bool{}
	var end time.Time
	for _, op := range ops {
		acct := op.PaymentAccount().Identification()
		stmts := byAccount[acct]
		if len(stmts) == 0 {
			continue
		}
		mine[acct] = true
		last, err := periodEnd(stmts)
		if err != nil {
			return Input{}, fmt.Errorf("operator %s: %w", op.ID, err)
		}
		if end.IsZero() || last.Before(end) {
			end = last
		}
	}
	for acct, stmts := range byAccount {
		if !mine[acct] {
			return Input{}, fmt.Errorf("statement %s is of account %s, which is no operator's on chain %s", stmts[0].ID, acct, c.ChainID())
		}
	}
	if end.IsZero() {
		return Input{}, errors.New("no statement to check: give the statements of at least one operator's account")
	}
	height, blockTime, err := c.LastHeightAt(ctx, end)
	if err != nil {
		return Input{}, fmt.Errorf("the chain at %s: %w", end.Format(time.RFC3339), err)
	}
	in := Input{ChainID: c.ChainID(), Height: height, BlockTime: blockTime, StatementEnd: end}
	for _, latest := range ops {
		stmts := byAccount[latest.PaymentAccount().Identification()]
		op, err := c.OperatorAt(ctx, latest.ID, height)
		switch {
		case errors.Is(err, client.ErrNotFound):
			// Registered after the height: nothing of it to back then.
			op = txn.Operator{ID: latest.ID, Account: latest.Account, ReceivingAccount: latest.ReceivingAccount, Rate: latest.Rate}
		case err != nil:
			return Input{}, fmt.Errorf("operator %s at height %d: %w", latest.ID, height, err)
		}
		if len(stmts) == 0 && op.OutstandingChips() == 0 && op.PaidChips == 0 {
			continue
		}
		oi, err := readOperator(ctx, c, op, stmts, height)
		if err != nil {
			return Input{}, fmt.Errorf("operator %s: %w", op.ID, err)
		}
		in.Operators = append(in.Operators, oi)
	}
	return in, nil
}

// readOperator reads an operator's records behind its bank references.
func readOperator(ctx context.Context, c *client.Client, op txn.Operator, stmts []camt.Statement, height int64) (OperatorInput, error) {
	oi := OperatorInput{Operator: op, Statements: stmts, AtHeight: map[string]txn.Order{}}
	if len(stmts) > 0 {
		start, err := periodStart(stmts)
		if err != nil {
			return oi, err
		}
		since, _, err := c.LastHeightAt(ctx, start.Add(-time.Nanosecond))
		switch {
		case errors.Is(err, client.ErrBeforeChain):
		case err != nil:
			return oi, err
		default:
			oi.Since = since
		}
	}
	credits, err := c.References(ctx, query.RefCredit, op.ID)
	if err != nil {
		return oi, err
	}
	for _, ref := range credits {
		o, err := c.Order(ctx, ref.Target)
		if err != nil {
			return oi, fmt.Errorf("order %s of credit %s: %w", ref.Target, ref.Reference, err)
		}
		oi.Orders = append(oi.Orders, o)
		if NeedAtHeight(o, height) {
			then, err := c.OrderAt(ctx, o.ID, height)
			if err != nil {
				return oi, fmt.Errorf("order %s at height %d: %w", o.ID, height, err)
			}
			oi.AtHeight[o.ID] = then
		}
	}
	refunded, err := c.References(ctx, query.RefRefundedCredit, op.ID)
	if err != nil {
		return oi, err
	}
	for _, ref := range refunded {
		f, err := c.Refund(ctx, op.ID, ref.Reference)
		if err != nil {
			return oi, fmt.Errorf("refund of credit %s: %w", ref.Reference, err)
		}
		oi.Refunds = append(oi.Refunds, f)
	}
	covers, err := c.References(ctx, query.RefCover, op.ID)
	if err != nil {
		return oi, err
	}
	for _, ref := range covers {
		cv, err := c.Cover(ctx, op.ID, ref.Reference)
		if err != nil {
			return oi, fmt.Errorf("cover %s: %w", ref.Reference, err)
		}
		oi.Covers = append(oi.Covers, cv)
	}
	payouts, err := c.References(ctx, query.RefPayout, op.ID)
	if err != nil {
		return oi, err
	}
	for _, ref := range payouts {
		red, err := c.Redemption(ctx, ref.Target)
		if err != nil {
			return oi, fmt.Errorf("redemption %s of payout %s: %w", ref.Target, ref.Reference, err)
		}
		oi.Payouts = append(oi.Payouts, red)
	}
	return oi, nil
}

// periodEnd is when the last of the statements ends: its period's end, or failing that
// the end of its closing balance's day, in UTC.
func periodEnd(stmts []camt.Statement) (time.Time, error) {
	var end time.Time
	for _, s := range stmts {
		t, err := statementTime(s, statementEnd(s))
		if err != nil {
			return time.Time{}, err
		}
		if t.After(end) {
			end = t
		}
	}
	return end, nil
}

// periodStart is when the first of the statements begins: its period's start, or
// failing that the start of its opening balance's day, in UTC.
func periodStart(stmts []camt.Statement) (time.Time, error) {
	var start time.Time
	for _, s := range stmts {
		from := s.From
		if from == "" {
			i := slices.IndexFunc(s.Balances, func(b camt.Balance) bool { return b.Type == "OPBD" })
			if i < 0 {
				return time.Time{}, fmt.Errorf("statement %s gives neither its period (FrToDt) nor an opening balance's date", s.ID)
			}
			from = s.Balances[i].Date + "T00:00:00Z"
		}
		t, err := statementTime(s, from)
		if err != nil {
			return time.Time{}, err
		}
		if start.IsZero() || t.Before(start) {
			start = t
		}
	}
	return start, nil
}

// statementTime reads an ISO 8601 date-time of statement s; one without a zone is
// taken as UTC.
func statementTime(s camt.Statement, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, fmt.Errorf("statement %s gives neither its period (FrToDt) nor a closing balance's date", s.ID)
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("statement %s: %q is not a date-time", s.ID, strings.TrimSpace(v))
}
