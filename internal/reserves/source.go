package reserves

import (
	"context"
	"fmt"
	"time"

	"github.com/chipmint/chipmint/internal/camt"
	"github.com/chipmint/chipmint/internal/client"
)

// ParseStatements reads camt.053 documents, each named for its errors (a file's path),
// into their statements. A document of another message is refused: notifications and
// intraday reports carry no booked balances to check.
func ParseStatements(names []string, docs [][]byte) ([]camt.Statement, error) {
	var out []camt.Statement
	for i, doc := range docs {
		d, err := camt.Parse(doc)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", names[i], err)
		}
		if d.Message != camt.MessageStatement {
			return nil, fmt.Errorf("%s: a %s document; the reserves check reads camt.053 statements", names[i], d.Message)
		}
		out = append(out, d.Statements...)
	}
	return out, nil
}

// Bank gives an account's camt.053 statement of one booking date (YYYY-MM-DD): the
// sandbox bank's client is one.
type Bank interface {
	Statement(ctx context.Context, account, date string) ([]byte, error)
}

// BankStatements reads from the bank the statements of the booking dates of every
// operator's account on the chain.
func BankStatements(ctx context.Context, c *client.Client, b Bank, dates []string) ([]camt.Statement, error) {
	ops, err := c.Operators(ctx)
	if err != nil {
		return nil, err
	}
	var names []string
	var docs [][]byte
	for _, op := range ops {
		acct := op.PaymentAccount().Identification()
		for _, date := range dates {
			doc, err := b.Statement(ctx, acct, date)
			if err != nil {
				return nil, fmt.Errorf("operator %s: the statement of %s for %s: %w", op.ID, acct, date, err)
			}
			names, docs = append(names, "the statement of "+acct+" for "+date), append(docs, doc)
		}
	}
	return ParseStatements(names, docs)
}

// RecentDates are the booking dates of yesterday and today, UTC, at now: statements of
// both leave no record near midnight without its bank entry.
func RecentDates(now time.Time) []string {
	now = now.UTC()
	return []string{now.AddDate(0, 0, -1).Format(time.DateOnly), now.Format(time.DateOnly)}
}

// Run checks the statements against the chain as a node serves it.
func Run(ctx context.Context, c *client.Client, statements []camt.Statement) (Report, error) {
	in, err := Read(ctx, c, statements)
	if err != nil {
		return Report{}, err
	}
	return Check(in), nil
}
