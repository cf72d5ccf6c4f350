package ledger

import (
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/query"
	"github.com/chipmint/chipmint/internal/store"
	"github.com/chipmint/chipmint/internal/txn"
)

// Key prefixes of the state. Each is a fixed word and a slash; they are part of the
// app hash, so they never change.
const (
	prefixAccount     = query.AccountPrefix
	prefixIssuer      = "iss/"
	prefixOperator    = "op/"
	prefixOperatorKey = "opk/"
	prefixOrder       = query.OrderPrefix
	prefixBankRef     = "bref/"
	prefixNonce       = "nonce/"
	prefixNonceExpiry = "exp/"
	prefixPaid        = "paid/"
	prefixOrderExpiry = "oexp/"
	// Money back (decision 0024).
	prefixRedemption   = "rdm/"
	prefixDeadline     = "rdl/"
	prefixPayoutRef    = "pout/"
	prefixRefund       = "rfd/"
	prefixRefundRef    = "rfr/"
	prefixOwed         = "owe/"
	prefixOpenRedeem   = "ropen/"
	prefixOrderRemoval = "orem/"
	prefixTombstone    = "tomb/"
	// Authority (decision 0028).
	prefixOperatorAccount = "oacct/"
	prefixOpenByOperator  = "nopen/o/"
	prefixOpenByBuyer     = "nopen/b/"
	prefixHandOver        = "hov/"
	prefixValidator       = "val/"
	keySupply             = "supply"
	keyParams             = "params"
	// The issuers' threshold and controls (decision 0027).
	prefixProposal       = "prop/"
	prefixProposalExpiry = "pexp/"
	prefixPaused         = "pause/"
	prefixFrozen         = "frz/"
	// The auditors and their attestations of the reserves (decision 0037).
	prefixAuditor        = "aud/"
	prefixReserves       = "rsv/"
	prefixReservesDigest = "rsvd/"
	// The operators' covers of their shortfalls (decision 0039).
	prefixCover = "cov/"
)

// Proven says whether the state tree holds key (store.Options.Proven): every entry but
// the ones no client asks about, which the chained hash of each block's changes and the
// state digest commit to: spent nonces and the indexes that order entries by height, by
// operator or by buyer, each derived from entries the tree holds. It is part of the app
// hash: it changes only with the application's version.
func Proven(key []byte) bool {
	for _, p := range unprovenPrefixes {
		if strings.HasPrefix(string(key), p) {
			return false
		}
	}
	return true
}

var unprovenPrefixes = []string{
	prefixNonce, prefixNonceExpiry, prefixOrderExpiry, prefixPaid, prefixDeadline, prefixOpenRedeem,
	prefixOwed, prefixProposalExpiry, "nopen/",
}

// accountKey is the key of an account's balance: query.AccountKey, for clients prove it.
func accountKey(a crypto.Address) []byte    { return query.AccountKey(a) }
func issuerKey(a crypto.Address) []byte     { return addressKey(prefixIssuer, a, 0) }
func auditorKey(a crypto.Address) []byte    { return addressKey(prefixAuditor, a, 0) }
func operatorKey(id string) []byte          { return []byte(prefixOperator + id) }
func operatorByKey(a crypto.Address) []byte { return addressKey(prefixOperatorKey, a, 0) }

// addressKey is prefix and address in one allocation, with room for extra more bytes:
// the ledger builds several keys for every transaction.
func addressKey(prefix string, a crypto.Address, extra int) []byte {
	k := make([]byte, 0, len(prefix)+len(a)+extra)
	return append(append(k, prefix...), a[:]...)
}

// orderKey is the key of an order: query.OrderKey, for clients prove it.
func orderKey(id string) []byte { return query.OrderKey(id) }

// orderExpiryKey indexes the orders awaiting payment by the last height at which they
// can be paid.
func orderExpiryKey(expiresHeight int64, id string) []byte {
	return heightKey(prefixOrderExpiry, expiresHeight, id)
}

func redemptionKey(id string) []byte { return []byte(prefixRedemption + id) }

func proposalKey(id string) []byte { return []byte(prefixProposal + id) }

// proposalExpiryKey indexes the pending proposals by the last height at which they may
// be approved.
func proposalExpiryKey(height int64, id string) []byte {
	return heightKey(prefixProposalExpiry, height, id)
}

func pausedKey(operation string) []byte { return []byte(prefixPaused + operation) }
func frozenKey(a crypto.Address) []byte { return addressKey(prefixFrozen, a, 0) }

// deadlineKey indexes the redemptions awaiting a payout by the last height at which one
// may be initiated.
func deadlineKey(height int64, id string) []byte { return heightKey(prefixDeadline, height, id) }

// orderRemovalKey indexes the orders closed with nothing received by the height at
// which they leave the state.
func orderRemovalKey(height int64, id string) []byte {
	return heightKey(prefixOrderRemoval, height, id)
}

func heightKey(prefix string, height int64, id string) []byte {
	return append(binary.BigEndian.AppendUint64([]byte(prefix), uint64(height)), id...)
}

// reservesPrefix starts the keys of an operator's attestations; operator ids hold no
// 0x00 byte, so no id's keys start another's.
func reservesPrefix(operator string) string { return prefixReserves + operator + "\x00" }

// reservesKey is the key of an operator's attestation in the block at height: the
// height's complement, big-endian, so that the newest comes first in key order.
func reservesKey(operator string, height int64) []byte {
	return append([]byte(reservesPrefix(operator)), newestFirst(height)...)
}

func newestFirst(height int64) []byte { return binary.BigEndian.AppendUint64(nil, ^uint64(height)) }

// reservesDigestKey indexes the attestations by the digest of their report, then by
// operator; its value is the height of the attestation.
func reservesDigestKey(digest []byte, operator string) []byte {
	return append(append([]byte(prefixReservesDigest), digest...), operator...)
}

// operatorAccountKey names the operator that registered an account, by the account's
// identification in canonical form: one account belongs to one operator.
func operatorAccountKey(a txn.Account) []byte {
	return []byte(prefixOperatorAccount + a.Identification())
}

// openByOperatorKey and openByBuyerKey count the orders awaiting payment of an operator
// and of a buyer's key.
func openByOperatorKey(operator string) []byte   { return []byte(prefixOpenByOperator + operator) }
func openByBuyerKey(buyer crypto.Address) []byte { return addressKey(prefixOpenByBuyer, buyer, 0) }

// counter reads a count kept at key; zero when there is none.
func counter(r store.Reader, key []byte) uint64 {
	b, ok := r.Get(key)
	if !ok {
		return 0
	}
	return binary.BigEndian.Uint64(b)
}

// setCounter keeps a count at key, and nothing for zero.
func setCounter(kv store.KV, key []byte, n uint64) {
	if n == 0 {
		kv.Delete(key)
		return
	}
	kv.Set(key, binary.BigEndian.AppendUint64(nil, n))
}

// tombstoneKey marks an order id that was used and removed: it is never created again.
func tombstoneKey(id string) []byte { return []byte(prefixTombstone + id) }

// owedKey indexes, by operator, the orders that owe money back and have no refund
// recorded.
func owedKey(operator, id string) []byte { return []byte(prefixOwed + operator + "\x00" + id) }

// openRedemptionKey indexes, by operator, the redemptions whose payout is to be made or
// confirmed: requested, or with a payout initiated.
func openRedemptionKey(operator, id string) []byte {
	return []byte(prefixOpenRedeem + operator + "\x00" + id)
}

// payoutRefKey, refundKey, refundRefKey and coverKey are keyed like bankRefKey: the
// bank reference of a payout's debit, of a refunded credit that confirmed no order, of
// a refund's own transfer and of a credit of the operator's own money that covered its
// shortfall.
func payoutRefKey(operator, ref string) []byte { return operatorRefKey(prefixPayoutRef, operator, ref) }
func refundKey(operator, ref string) []byte    { return operatorRefKey(prefixRefund, operator, ref) }
func refundRefKey(operator, ref string) []byte { return operatorRefKey(prefixRefundRef, operator, ref) }
func coverKey(operator, ref string) []byte     { return operatorRefKey(prefixCover, operator, ref) }

// paidKey indexes the orders paid and not yet issued, which the issuer works through.
func paidKey(id string) []byte { return []byte(prefixPaid + id) }

// bankRefKey separates operator id and reference by 0x00, which neither may contain.
// References are compared without case: a UETR is the same payment in either case.
func bankRefKey(operator, ref string) []byte { return operatorRefKey(prefixBankRef, operator, ref) }

func operatorRefKey(prefix, operator, ref string) []byte {
	return []byte(prefix + operator + "\x00" + strings.ToUpper(ref))
}

func nonceKey(a crypto.Address, nonce uint64) []byte {
	return binary.BigEndian.AppendUint64(addressKey(prefixNonce, a, 8), nonce)
}

func nonceExpiryKey(validUntil uint64, a crypto.Address, nonce uint64) []byte {
	k := make([]byte, 0, len(prefixNonceExpiry)+8+len(a)+8)
	k = binary.BigEndian.AppendUint64(append(k, prefixNonceExpiry...), validUntil)
	return binary.BigEndian.AppendUint64(append(k, a[:]...), nonce)
}

// record is every type the ledger stores as CBOR. Their bytes are consensus: a type
// added here needs explicit cbor tags and an example in records_test.go, whose tests
// hold both.
type record interface {
	txn.Issuer | txn.Operator | txn.Order | txn.Supply | Params | txn.Redemption | txn.Refund | txn.PendingHandOver |
		txn.Proposal | txn.PausedOperation | txn.FrozenAccount | txn.Auditor | txn.ReservesAttestation | txn.Cover
}

// getRecord decodes the record at key into v; false if there is none. A record that
// does not decode means the state is corrupt, which no transaction can cause.
func getRecord[R record](r store.Reader, key []byte, v *R) bool {
	b, ok := r.Get(key)
	if !ok {
		return false
	}
	if err := txn.DecodeRecord(b, v); err != nil {
		panic(fmt.Sprintf("ledger: corrupt record at %q: %v", key, err))
	}
	return true
}

func putRecord[R record](kv store.KV, key []byte, v R) { kv.Set(key, txn.EncodeRecord(v)) }

// Balance is the chips held by an address.
func Balance(r store.Reader, a crypto.Address) uint64 {
	b, ok := r.Get(accountKey(a))
	if !ok {
		return 0
	}
	chips, err := query.DecodeBalance(b)
	if err != nil {
		panic(fmt.Sprintf("ledger: corrupt balance of %s: %v", a, err))
	}
	return chips
}

func setBalance(kv store.KV, a crypto.Address, chips uint64) {
	if chips == 0 {
		kv.Delete(accountKey(a))
		return
	}
	kv.Set(accountKey(a), binary.BigEndian.AppendUint64(nil, chips))
}

// GetOrder returns the order with id.
func GetOrder(r store.Reader, id string) (txn.Order, bool) {
	var o txn.Order
	ok := getRecord(r, orderKey(id), &o)
	return o, ok
}

// GetRedemption returns the redemption with id.
func GetRedemption(r store.Reader, id string) (txn.Redemption, bool) {
	var v txn.Redemption
	ok := getRecord(r, redemptionKey(id), &v)
	return v, ok
}

// GetRefund returns the refund recorded of an operator's credit that confirmed no
// order.
func GetRefund(r store.Reader, operator, bankRef string) (txn.Refund, bool) {
	var v txn.Refund
	ok := getRecord(r, refundKey(operator, bankRef), &v)
	return v, ok
}

// GetCover returns the cover of an operator's shortfall recorded of the credit with
// bank reference ref (compared without case).
func GetCover(r store.Reader, operator, ref string) (txn.Cover, bool) {
	var v txn.Cover
	ok := getRecord(r, coverKey(operator, ref), &v)
	return v, ok
}

// RemovedOrder reports the height at which the order id left the state, if it did.
func RemovedOrder(r store.Reader, id string) (int64, bool) {
	b, ok := r.Get(tombstoneKey(id))
	if !ok {
		return 0, false
	}
	return int64(binary.BigEndian.Uint64(b)), true
}

// OrderByBankReference returns the order that an operator's bank reference confirmed.
func OrderByBankReference(r store.Reader, operator, ref string) (txn.Order, bool) {
	id, ok := r.Get(bankRefKey(operator, ref))
	if !ok {
		return txn.Order{}, false
	}
	return GetOrder(r, string(id))
}

// GetOperator returns the operator with id.
func GetOperator(r store.Reader, id string) (txn.Operator, bool) {
	var o txn.Operator
	ok := getRecord(r, operatorKey(id), &o)
	return o, ok
}

// Operators lists at most limit operators by id, those after the id after (from the
// first when after is empty), and whether more follow: one page of the list, read in
// proportion to the page.
func Operators(r store.Reader, after string, limit int) ([]txn.Operator, bool) {
	var ops []txn.Operator
	more := scanPage(r, prefixOperator, []byte(after), limit, func(key, value []byte) {
		ops = append(ops, decodeOperator(key, value))
	})
	return ops, more
}

// allOperators lists every operator by id.
func allOperators(r store.Reader) []txn.Operator {
	var ops []txn.Operator
	r.Scan([]byte(prefixOperator), func(key, value []byte) bool {
		ops = append(ops, decodeOperator(key, value))
		return true
	})
	return ops
}

func decodeOperator(key, value []byte) txn.Operator {
	var o txn.Operator
	if err := txn.DecodeRecord(value, &o); err != nil {
		panic(fmt.Sprintf("ledger: corrupt operator at %q: %v", key, err))
	}
	return o
}

// Issuers lists at most limit issuers by address, those after the address after (from
// the first when after is nil), and whether more follow.
func Issuers(r store.Reader, after *crypto.Address, limit int) ([]txn.Issuer, bool) {
	var from []byte
	if after != nil {
		from = after[:]
	}
	var out []txn.Issuer
	more := scanPage(r, prefixIssuer, from, limit, func(key, value []byte) {
		var is txn.Issuer
		if err := txn.DecodeRecord(value, &is); err != nil {
			panic(fmt.Sprintf("ledger: corrupt issuer at %q: %v", key, err))
		}
		out = append(out, is)
	})
	return out, more
}

// scanPage calls fn for at most limit keys with prefix that come after prefix+after
// (from the first when after is empty), in key order, and reports whether another key
// with prefix follows. It reads limit+1 keys at most, whatever the state holds.
func scanPage(r store.Reader, prefix string, after []byte, limit int, fn func(key, value []byte)) bool {
	var start []byte
	if len(after) > 0 {
		// The first key after prefix+after: a 0x00 byte more sorts just past it.
		start = append(append([]byte(prefix), after...), 0)
	}
	n, more := 0, false
	r.ScanFrom([]byte(prefix), start, func(key, value []byte) bool {
		if n == limit {
			more = true
			return false
		}
		n++
		fn(key, value)
		return true
	})
	return more
}

// GetSupply returns the chain's chip totals.
func GetSupply(r store.Reader) txn.Supply {
	var s txn.Supply
	getRecord(r, []byte(keySupply), &s)
	return s
}

// PaidOrders lists at most limit of the orders that are paid and not yet issued, by id,
// those after the id after (from the first when after is empty), and whether more
// follow.
func PaidOrders(r store.Reader, after string, limit int) ([]txn.Order, bool) {
	var out []txn.Order
	more := scanPage(r, prefixPaid, []byte(after), limit, func(key, _ []byte) {
		if o, ok := GetOrder(r, string(key[len(prefixPaid):])); ok {
			out = append(out, o)
		}
	})
	return out, more
}
