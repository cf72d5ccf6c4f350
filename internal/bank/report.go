package bank

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/chipmint/chipmint/internal/camt"
)

// Bounds on the entries of one notification document.
const (
	NotificationsLimitDefault = 100
	NotificationsLimitMax     = 1000
)

// msgIDCharsMax is the longest ISO 20022 message or notification id (Max35Text).
const msgIDCharsMax = 35

// Balance type codes of a statement (ISO 20022 BalanceType12Code).
const (
	balanceOpeningBooked = "OPBD"
	balanceClosingBooked = "CLBD"
)

// Notifications returns a camt.054 document with the account's entries (the account
// named by its IBAN or its ID) of sequence after+1
// on, at most limit of them (NotificationsLimitDefault when limit <= 0, never more than
// NotificationsLimitMax), and next, the sequence of the last entry included: the cursor to
// pass as after on the next call. When there is nothing new, doc is nil and next is after.
//
// The document depends only on the account and the range it covers (its message id names
// the range and its creation time is the last entry's booking time), so reading the same
// range again, even after a restart, gives the same bytes.
func (b *Bank) Notifications(account string, after uint64, limit int) (doc []byte, next uint64, err error) {
	id, err := accountID("iban", account)
	if err != nil {
		return nil, after, err
	}
	if limit <= 0 {
		limit = NotificationsLimitDefault
	}
	limit = min(limit, NotificationsLimitMax)
	b.mu.RLock()
	defer b.mu.RUnlock()
	if b.closed {
		return nil, after, errClosed
	}
	acct, err := b.account(idField("iban", id), id)
	if err != nil {
		return nil, after, err
	}
	var recs []entryRecord
	err = b.entries(acct.ID, after, func(r entryRecord) bool {
		recs = append(recs, r)
		return len(recs) < limit
	})
	if err != nil || len(recs) == 0 {
		return nil, after, err
	}
	last := recs[len(recs)-1]
	msgID := messageID(fmt.Sprintf("SBX-NTF-%d-%d-%d", acct.No, recs[0].Seq, last.Seq))
	n := camt.Notification{ID: msgID, CreatedAt: last.BookedAt, Account: acct.camtAccount(), Currency: acct.Currency}
	for _, r := range recs {
		n.Entries = append(n.Entries, r.Entry)
	}
	doc, err = camt.WriteNotification(msgID, n.CreatedAt, n)
	if err != nil {
		return nil, after, fmt.Errorf("bank: notification %s: %w", msgID, err)
	}
	return doc, last.Seq, nil
}

// Statement returns a camt.053 statement of the account for one booking date
// (YYYY-MM-DD): its opening booked balance (before the day's first entry), its closing
// booked balance (after the day's last) and the day's entries. The account is named by
// its IBAN or its ID.
func (b *Bank) Statement(account string, date string) ([]byte, error) {
	key, err := accountID("iban", account)
	if err != nil {
		return nil, err
	}
	if _, err := time.Parse(time.DateOnly, date); err != nil {
		return nil, invalidf("date", date, "want a date YYYY-MM-DD")
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	if b.closed {
		return nil, errClosed
	}
	acct, err := b.account(idField("iban", key), key)
	if err != nil {
		return nil, err
	}
	s, lastSeq, err := b.statement(acct, date)
	if err != nil {
		return nil, err
	}
	id := messageID(fmt.Sprintf("SBX-STM-%d-%s-%d", acct.No, strings.ReplaceAll(date, "-", ""), lastSeq))
	s.ID = id
	now := b.now()
	s.CreatedAt = now.Format(time.RFC3339)
	s.From, s.To = statementPeriod(date, now)
	doc, err := camt.WriteStatement(id, s.CreatedAt, s)
	if err != nil {
		return nil, fmt.Errorf("bank: statement %s: %w", id, err)
	}
	return doc, nil
}

// statementPeriod is the period a statement of the booking date covers, read at now:
// the whole day in UTC once it is over, else the day until now (or its first instant,
// for a day still to come).
func statementPeriod(date string, now time.Time) (from, to string) {
	start, _ := time.Parse(time.DateOnly, date)
	end := start.Add(24*time.Hour - time.Microsecond)
	if now.Before(end) {
		end = now
	}
	if end.Before(start) {
		end = start
	}
	return start.Format(time.RFC3339Nano), end.Format(time.RFC3339Nano)
}

// statement gathers the day's entries and balances, and the sequence of the last entry
// booked on or before the day. Booking dates never decrease along an account's sequence.
func (b *Bank) statement(acct accountRecord, date string) (camt.Statement, uint64, error) {
	s := camt.Statement{Account: acct.camtAccount(), Currency: acct.Currency}
	var balance, opening, lastSeq uint64
	seen := false
	err := b.entries(acct.ID, 0, func(r entryRecord) bool {
		d := r.Entry.BookingDate
		if d > date {
			return false
		}
		if d == date {
			if !seen {
				opening, seen = balance, true
			}
			s.Entries = append(s.Entries, r.Entry)
		}
		balance, lastSeq = r.BalanceAfterMinor, r.Seq
		return true
	})
	if !seen {
		opening = balance
	}
	s.Balances = []camt.Balance{
		{Type: balanceOpeningBooked, AmountMinor: opening, Currency: acct.Currency, CreditDebit: camt.Credit, Date: date},
		{Type: balanceClosingBooked, AmountMinor: balance, Currency: acct.Currency, CreditDebit: camt.Credit, Date: date},
	}
	return s, lastSeq, err
}

// messageID returns id if it fits ISO 20022's 35 characters, else a digest of it that
// does: unique and deterministic either way.
func messageID(id string) string {
	if len(id) <= msgIDCharsMax {
		return id
	}
	sum := sha256.Sum256([]byte(id))
	return "SBX-" + hex.EncodeToString(sum[:])[:msgIDCharsMax-4]
}
