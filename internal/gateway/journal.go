package gateway

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/cockroachdb/pebble"

	"github.com/chipmint/chipmint/internal/camt"
)

// Record statuses. Received is the only one that is not final: a received entry is
// handled again after a restart.
const (
	StatusReceived      = "received"
	StatusPending       = "pending"
	StatusConfirmed     = "confirmed"
	StatusReceiptIssued = "receipt_issued"
	StatusException     = "exception"
	StatusIgnored       = "ignored"
	// StatusReversalRecorded is a bank's reversal of a credit that confirmed an order,
	// recorded on the chain.
	StatusReversalRecorded = "reversal_recorded"
	// StatusPayoutConfirmed is the debit of a redemption's payout, recorded on the
	// chain (ConfirmPayout); StatusPayoutReturned a payout coming back, recorded too.
	StatusPayoutConfirmed = "payout_confirmed"
	StatusPayoutReturned  = "payout_returned"
	// StatusRefundRecorded is the debit of a refund, recorded on the chain
	// (RecordRefund); StatusRefunded an exception whose money went back that way.
	StatusRefundRecorded = "refund_recorded"
	StatusRefunded       = "refunded"
)

// Record is one bank entry and what the gateway did with it.
type Record struct {
	BankReference string     `json:"bank_reference"`
	Entry         camt.Entry `json:"entry"`
	Source        string     `json:"source"`
	Status        string     `json:"status"`
	OrderID       string     `json:"order_id,omitempty"`
	Reason        string     `json:"reason,omitempty"`
	TxHash        string     `json:"tx_hash,omitempty"`
	Height        int64      `json:"height,omitempty"`
	Attempts      int        `json:"attempts"`
	// AutoRefund marks an exception that the policy may refund by itself: a late
	// payment for an expired, cancelled or removed order, or one in another currency.
	AutoRefund bool `json:"auto_refund,omitempty"`
	// PayerSalt is the salt of the payer commitment of the receipt written for the
	// entry: with the entry's debtor account, the opening (txn.AccountOpening) that the
	// chain never sees.
	PayerSalt  []byte    `json:"payer_salt,omitempty"`
	ReceivedAt time.Time `json:"received_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// final reports whether nothing more will be done with the record.
func (r Record) final() bool { return r.Status != StatusReceived && r.Status != StatusPending }

// Journal is the gateway's durable memory of bank entries and feed cursors.
type Journal struct {
	db *pebble.DB
}

const (
	prefixRecord = "entry/"
	prefixCursor = "cursor/"
)

// OpenJournal opens or creates the journal in dir. Only one process may hold it.
func OpenJournal(dir string) (*Journal, error) {
	db, err := pebble.Open(dir, &pebble.Options{Logger: quietLogger{}})
	if err != nil {
		return nil, fmt.Errorf("gateway: journal %s: %w", dir, err)
	}
	j := &Journal{db: db}
	if err := j.indexRefundsDue(); err != nil {
		return nil, errors.Join(err, db.Close())
	}
	return j, nil
}

// keyRefundsIndexed marks a journal whose list of refunds to make is kept.
const keyRefundsIndexed = "refund-due-indexed"

// indexRefundsDue makes the list of refunds to make, once, for a journal written before
// it was kept: from every record and every outgoing refund.
func (j *Journal) indexRefundsDue() error {
	if _, closer, err := j.db.Get([]byte(keyRefundsIndexed)); err == nil {
		return closer.Close()
	} else if !errors.Is(err, pebble.ErrNotFound) {
		return err
	}
	recs, err := j.Records(StatusException)
	if err != nil {
		return err
	}
	outs, err := j.OutgoingPayments()
	if err != nil {
		return err
	}
	batch := j.db.NewBatch()
	defer batch.Close()
	for _, r := range recs {
		if r.AutoRefund {
			if err := markRefundDue(batch, r.BankReference, true); err != nil {
				return err
			}
		}
	}
	for _, o := range outs {
		if o.Kind == KindRefund && o.Status == OutgoingInitiating {
			if err := markRefundDue(batch, o.Credit, true); err != nil {
				return err
			}
		}
	}
	if err := batch.Set([]byte(keyRefundsIndexed), nil, nil); err != nil {
		return err
	}
	return batch.Commit(pebble.Sync)
}

// Close closes the journal.
func (j *Journal) Close() error { return j.db.Close() }

// Get returns the record of a bank reference.
func (j *Journal) Get(bankRef string) (Record, bool, error) {
	v, closer, err := j.db.Get([]byte(prefixRecord + bankRef))
	if errors.Is(err, pebble.ErrNotFound) {
		return Record{}, false, nil
	}
	if err != nil {
		return Record{}, false, fmt.Errorf("gateway: journal read %s: %w", bankRef, err)
	}
	defer closer.Close()
	r, err := decodeRecord(v)
	if err != nil {
		return Record{}, false, fmt.Errorf("gateway: journal record %s: %w", bankRef, err)
	}
	return r, true, nil
}

// Put writes a record durably, and keeps the list of refunds to make (RefundsDue) in
// step: an exception the policy may refund is on it until its money goes back.
func (j *Journal) Put(r Record) error {
	return j.PutAll([]Record{r})
}

// PutAll writes records as Put does, all of them or none, in one durable write.
func (j *Journal) PutAll(recs []Record) error {
	if len(recs) == 0 {
		return nil
	}
	batch := j.db.NewBatch()
	defer batch.Close()
	for _, r := range recs {
		b, err := encodeRecord(r)
		if err != nil {
			return err
		}
		if err := batch.Set([]byte(prefixRecord+r.BankReference), b, nil); err != nil {
			return err
		}
		if err := markRefundDue(batch, r.BankReference, r.Status == StatusException && r.AutoRefund); err != nil {
			return err
		}
	}
	if err := batch.Commit(pebble.Sync); err != nil {
		return fmt.Errorf("gateway: journal write %s (%d records): %w", recs[0].BankReference, len(recs), err)
	}
	return nil
}

// prefixRefundDue lists, by the credit's journal key, the refunds the gateway is to
// make by itself or to finish: its way to find them without reading the whole journal.
const prefixRefundDue = "refund-due/"

// markRefundDue puts the credit under key on the list of refunds to make, or takes it
// off.
func markRefundDue(batch *pebble.Batch, key string, due bool) error {
	if due {
		return batch.Set([]byte(prefixRefundDue+key), nil, nil)
	}
	return batch.Delete([]byte(prefixRefundDue+key), nil)
}

// DropRefundDue takes the credit under key off the list of refunds to make: one the
// gateway cannot make, which waits for a person.
func (j *Journal) DropRefundDue(key string) error {
	return j.db.Delete([]byte(prefixRefundDue+key), pebble.Sync)
}

// RefundsDue lists the journal keys of the credits whose refund the gateway is to make
// or finish: the exceptions the policy may refund, and the refunds a crash left before
// the bank was asked.
func (j *Journal) RefundsDue() ([]string, error) {
	var out []string
	err := j.each(prefixRefundDue, func(key, _ []byte) error {
		out = append(out, string(key[len(prefixRefundDue):]))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// each passes every key and value under prefix to fn, in key order, until fn fails;
// they are valid only during the call.
func (j *Journal) each(prefix string, fn func(key, value []byte) error) error {
	// Every prefix ends in a '/': the keys under it sort below the prefix with a '0'.
	upper := []byte(prefix)
	upper[len(upper)-1]++
	it, err := j.db.NewIter(&pebble.IterOptions{LowerBound: []byte(prefix), UpperBound: upper})
	if err != nil {
		return err
	}
	defer it.Close()
	for ok := it.First(); ok; ok = it.Next() {
		if err := fn(it.Key(), it.Value()); err != nil {
			return err
		}
	}
	return it.Error()
}

// Records lists the records with one of the statuses (all when none is given), by bank
// reference.
func (j *Journal) Records(statuses ...string) ([]Record, error) {
	want := make(map[string]bool, len(statuses))
	for _, s := range statuses {
		want[s] = true
	}
	var out []Record
	err := j.each(prefixRecord, func(key, value []byte) error {
		r, err := decodeRecord(value)
		if err != nil {
			return fmt.Errorf("gateway: journal record %q: %w", key, err)
		}
		if len(want) == 0 || want[r.Status] {
			out = append(out, r)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Cursor is how far a feed was read.
func (j *Journal) Cursor(feed string) (uint64, error) {
	v, closer, err := j.db.Get([]byte(prefixCursor + feed))
	if errors.Is(err, pebble.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("gateway: journal cursor %s: %w", feed, err)
	}
	defer closer.Close()
	return binary.BigEndian.Uint64(v), nil
}

// SetCursor records how far a feed was read, durably.
func (j *Journal) SetCursor(feed string, next uint64) error {
	return j.db.Set([]byte(prefixCursor+feed), binary.BigEndian.AppendUint64(nil, next), pebble.Sync)
}

type quietLogger struct{}

func (quietLogger) Infof(string, ...any) {}
func (quietLogger) Fatalf(format string, args ...any) {
	panic(fmt.Sprintf("gateway: pebble: "+format, args...))
}
