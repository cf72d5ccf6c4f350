package ledger

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strconv"

	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/store"
	"github.com/chipmint/chipmint/internal/txn"
)

// attestReserves is an auditor recording its signed reserves report: one attestation of
// each operator it names, at this height, found again by the report's digest. No pause
// and no freeze stops it: an incident is when the reserves are most wanted.
func attestReserves(kv store.KV, b Block, signer crypto.Address, m *txn.AttestReserves) ([]Event, error) {
	if _, err := requireAuditor(kv, signer); err != nil {
		return nil, err
	}
	if m.ReportHeight >= b.Height {
		return nil, txn.Errorf(txn.InvalidField, "report_height: %d is not below this block's height %d: a report compares with a committed height", m.ReportHeight, b.Height)
	}
	if h, ok := attestedAt(kv, m.ReportDigest); ok {
		return nil, txn.Errorf(txn.AlreadyAttested, "report %x was already attested at height %d", m.ReportDigest, h)
	}
	events := make([]Event, 0, len(m.Operators))
	for _, o := range m.Operators {
		op, ok := GetOperator(kv, o.Operator)
		if !ok {
			return nil, txn.Errorf(txn.UnknownOperator, "operator %q is not registered", o.Operator)
		}
		if cur := op.PaymentAccount().Currency; o.Currency != cur {
			return nil, txn.Errorf(txn.CurrencyMismatch, "operator %q's account is in %s, not %s", o.Operator, cur, o.Currency)
		}
		key := reservesKey(o.Operator, b.Height)
		var other txn.ReservesAttestation
		if getRecord(kv, key, &other) {
			return nil, txn.Errorf(txn.AlreadyAttested, "operator %q was already attested at height %d, by report %x: one attestation of an operator a block", o.Operator, b.Height, other.ReportDigest)
		}
		putRecord(kv, key, txn.ReservesAttestation{
			Operator: o.Operator, Currency: o.Currency, BalanceMinor: o.BalanceMinor, LiabilitiesMinor: o.LiabilitiesMinor,
			OutstandingChips: o.OutstandingChips, Unexplained: o.Unexplained, Backed: o.Backed,
			ReportDigest: m.ReportDigest, ReportHeight: m.ReportHeight, StatementEnd: m.StatementEnd, Auditor: signer, Height: b.Height,
		})
		kv.Set(reservesDigestKey(m.ReportDigest, o.Operator), binary.BigEndian.AppendUint64(nil, uint64(b.Height)))
		events = append(events, Event{Type: "reserves", Attrs: []Attr{
			{"operator", o.Operator}, {"backed", strconv.FormatBool(o.Backed)}, {"digest", hex.EncodeToString(m.ReportDigest)},
			{"report_height", strconv.FormatInt(m.ReportHeight, 10)},
		}})
	}
	return events, nil
}

// attestedAt is the height at which the report of digest was attested, if it was.
func attestedAt(r store.Reader, digest []byte) (int64, bool) {
	var h int64
	found := false
	r.Scan(append([]byte(prefixReservesDigest), digest...), func(_, value []byte) bool {
		h, found = int64(binary.BigEndian.Uint64(value)), true
		return false
	})
	return h, found
}

// Reserves lists at most limit of an operator's attestations, newest first, those
// attested before the height before (from the newest when before is 0), and whether
// more follow.
func Reserves(r store.Reader, operator string, before int64, limit int) ([]txn.ReservesAttestation, bool) {
	var after []byte
	if before > 0 {
		after = newestFirst(before)
	}
	var out []txn.ReservesAttestation
	more := scanPage(r, reservesPrefix(operator), after, limit, func(key, value []byte) {
		out = append(out, decodeAttestation(key, value))
	})
	return out, more
}

// ReservesByDigest lists the attestations of the report of digest, a SHA-256, one for
// each of its operators, by operator id: none if it was never attested.
func ReservesByDigest(r store.Reader, digest []byte) []txn.ReservesAttestation {
	if len(digest) != sha256.Size {
		return nil
	}
	prefix := append([]byte(prefixReservesDigest), digest...)
	var out []txn.ReservesAttestation
	r.Scan(prefix, func(key, value []byte) bool {
		rkey := reservesKey(string(key[len(prefix):]), int64(binary.BigEndian.Uint64(value)))
		v, ok := r.Get(rkey)
		if !ok {
			panic(fmt.Sprintf("ledger: the digest index names %q, which holds no attestation", rkey))
		}
		out = append(out, decodeAttestation(rkey, v))
		return true
	})
	return out
}

func decodeAttestation(key, value []byte) txn.ReservesAttestation {
	var a txn.ReservesAttestation
	if err := txn.DecodeRecord(value, &a); err != nil {
		panic(fmt.Sprintf("ledger: corrupt attestation at %q: %v", key, err))
	}
	return a
}
