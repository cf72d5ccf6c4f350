package bank

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/cockroachdb/pebble"

	"github.com/chipmint/chipmint/internal/camt"
)

// The database layout. Values are JSON; sequence numbers in keys are big-endian so that
// keys sort in booking order. An account is keyed by its ID: its IBAN, or for an account
// without one its canonical account string ("6222021001000000001 (scheme BBAN)"), so
// that the keys of the accounts with an IBAN are what they always were.
//
//	a/<id>              accountRecord
//	e/<id>/<seq>        entryRecord, the account's seq-th booking (1, 2, 3, ...)
//	t/<id>              Transfer
//	u/<uetr>            string: the id of the transfer of that UETR (its reversal or
//	                    return, which has the same UETR, is not listed)
//	i/<key>             idempotencyRecord
//	m/<counter>         uint64: the last number handed out, or (m/money) the minor units
//	                    of every opening balance
var (
	counterAccounts  = []byte("m/accounts")  // internal account numbers
	counterRefs      = []byte("m/refs")      // account servicer references
	counterMoney     = []byte("m/money")     // minor units of every opening balance, all currencies
	counterTransfers = []byte("m/transfers") // transfer ids
)

// errClosed reports a call after Close.
var errClosed = errors.New("bank: closed")

func accountKey(id string) []byte { return []byte("a/" + id) }

func entryPrefix(id string) []byte { return []byte("e/" + id + "/") }

func entryKey(id string, seq uint64) []byte {
	return binary.BigEndian.AppendUint64(entryPrefix(id), seq)
}

func transferKey(id string) []byte { return []byte("t/" + id) }

func uetrKey(uetr string) []byte { return []byte("u/" + uetr) }

func idempotencyKey(key string) []byte { return []byte("i/" + key) }

// accountRecord is an account as stored: what clients see and the bookkeeping behind it.
type accountRecord struct {
	Account
	No       uint64 `json:"no"`       // internal account number, unique
	LastSeq  uint64 `json:"last_seq"` // sequence of the account's last entry; 0 before any
	OpenedAt string `json:"opened_at"`
}

// entryRecord is one booking on an account.
type entryRecord struct {
	Seq               uint64     `json:"seq"`
	BookedAt          string     `json:"booked_at"` // RFC 3339, UTC
	BalanceAfterMinor uint64     `json:"balance_after_minor"`
	Entry             camt.Entry `json:"entry"`
}

// idempotencyRecord ties an idempotency key to the transfer it booked and the request
// that booked it, in normalised form.
type idempotencyRecord struct {
	TransferID string          `json:"transfer_id"`
	Request    TransferRequest `json:"request"`
}

// get reads key into v and reports whether it was there.
func (b *Bank) get(key []byte, v any) (bool, error) {
	raw, closer, err := b.db.Get(key)
	if errors.Is(err, pebble.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("bank: read %q: %w", key, err)
	}
	defer closer.Close()
	if err := json.Unmarshal(raw, v); err != nil {
		return false, fmt.Errorf("bank: decode %q: %w", key, err)
	}
	return true, nil
}

// counter reads the last number handed out under key.
func (b *Bank) counter(key []byte) (uint64, error) {
	raw, closer, err := b.db.Get(key)
	if errors.Is(err, pebble.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("bank: read %q: %w", key, err)
	}
	defer closer.Close()
	if len(raw) != 8 {
		return 0, fmt.Errorf("bank: counter %q is %d bytes", key, len(raw))
	}
	return binary.BigEndian.Uint64(raw), nil
}

// account reads the account of an ID (an IBAN in electronic form or an account
// string); field names the request field it came from, for the error when there is no
// such account. A record written before accounts had IDs gets its IBAN as its ID.
func (b *Bank) account(field, id string) (accountRecord, error) {
	var rec accountRecord
	ok, err := b.get(accountKey(id), &rec)
	if err == nil && !ok {
		err = fieldError(field, id, ErrUnknownAccount)
	}
	rec.ID = id
	return rec, err
}

// transferRecord reads the transfer, reversal or return of an id and reports whether
// there is one. A transfer booked before reversals and returns existed is stored
// without its type.
func (b *Bank) transferRecord(id string) (Transfer, bool, error) {
	var t Transfer
	ok, err := b.get(transferKey(id), &t)
	if ok && t.Type == "" {
		t.Type = TypeTransfer
	}
	return t, ok, err
}

// transferOfUETR returns the id of the transfer of a UETR (in lower case), or "" when
// there is none. A transfer booked before the bank listed UETRs is found by reading
// every transfer.
func (b *Bank) transferOfUETR(uetr string) (string, error) {
	var id string
	if ok, err := b.get(uetrKey(uetr), &id); ok || err != nil {
		return id, err
	}
	it, err := b.db.NewIter(&pebble.IterOptions{LowerBound: []byte("t/"), UpperBound: []byte{'t', '/' + 1}})
	if err != nil {
		return "", fmt.Errorf("bank: scan transfers: %w", err)
	}
	defer it.Close()
	for ok := it.First(); ok; ok = it.Next() {
		var t Transfer
		if err := json.Unmarshal(it.Value(), &t); err != nil {
			return "", fmt.Errorf("bank: decode %q: %w", it.Key(), err)
		}
		if t.UETR == uetr && (t.Type == "" || t.Type == TypeTransfer) {
			return t.ID, nil
		}
	}
	if err := it.Error(); err != nil {
		return "", fmt.Errorf("bank: scan transfers: %w", err)
	}
	return "", nil
}

// entries calls fn with the account's entries of sequence after+1 on, in order, until fn
// returns false. An account string may contain a slash, so the range of one account's
// entries may hold those of another whose ID starts with it and a slash: only keys of
// exactly the account's prefix and a sequence number are its own.
func (b *Bank) entries(id string, after uint64, fn func(entryRecord) bool) error {
	prefix := entryPrefix(id)
	it, err := b.db.NewIter(&pebble.IterOptions{
		LowerBound: entryKey(id, after+1),
		UpperBound: append([]byte("e/"+id), '/'+1),
	})
	if err != nil {
		return fmt.Errorf("bank: scan %s: %w", id, err)
	}
	defer it.Close()
	for ok := it.First(); ok; ok = it.Next() {
		if len(it.Key()) != len(prefix)+8 {
			continue
		}
		var rec entryRecord
		if err := json.Unmarshal(it.Value(), &rec); err != nil {
			return fmt.Errorf("bank: decode %q: %w", it.Key(), err)
		}
		if !fn(rec) {
			break
		}
	}
	if err := it.Error(); err != nil {
		return fmt.Errorf("bank: scan %s: %w", id, err)
	}
	return nil
}

// writes collects one booking's changes into a batch that is committed, synced, at once.
type writes struct {
	batch *pebble.Batch
	err   error
}

func (b *Bank) newWrites() *writes { return &writes{batch: b.db.NewBatch()} }

func (w *writes) put(key []byte, v any) {
	if w.err != nil {
		return
	}
	raw, err := json.Marshal(v)
	if err == nil {
		err = w.batch.Set(key, raw, nil)
	}
	if err != nil {
		w.err = fmt.Errorf("bank: write %q: %w", key, err)
	}
}

func (w *writes) putCounter(key []byte, n uint64) {
	if w.err == nil {
		w.err = w.batch.Set(key, binary.BigEndian.AppendUint64(nil, n), nil)
	}
}

// commit writes the batch durably.
func (w *writes) commit() error {
	if w.err != nil {
		return w.err
	}
	if err := w.batch.Commit(pebble.Sync); err != nil {
		return fmt.Errorf("bank: commit: %w", err)
	}
	return nil
}

// close releases the batch, committed or not.
func (w *writes) close() { _ = w.batch.Close() }
