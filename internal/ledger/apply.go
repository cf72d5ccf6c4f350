package ledger

import (
	"encoding/binary"
	"strconv"
	"time"

	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/store"
	"github.com/chipmint/chipmint/internal/txn"
)

// Block is what the ledger knows of the block a transaction is in.
type Block struct {
	ChainID string
	Height  int64
	Time    time.Time
}

// Event is a state change announced to clients and indexed by the node.
type Event struct {
	Type  string
	Attrs []Attr
}

// Attr is one key and value of an event.
type Attr struct {
	Key   string
	Value string
}

// Result is the outcome of one transaction.
type Result struct {
	Code   txn.Code
	Log    string
	Events []Event
}

// BeginBlock expires the orders whose time to be paid ran out before this height, the
// redemptions whose deadline for a payout did and the proposals whose time to be
// approved did, removes the closed orders whose
// retention ended, and forgets the spent nonces whose transactions can no longer be
// included (valid_until below this height: their expiry already rejects any replay).
func BeginBlock(kv store.KV, b Block) []Event {
	events := expireOrders(kv, b)
	events = append(events, expireRedemptions(kv, b)...)
	events = append(events, expireProposals(kv, b)...)
	removeOrders(kv, b)
	forgetNonces(kv, b)
	return events
}

func forgetNonces(kv store.KV, b Block) {
	for _, key := range dueKeys(kv, prefixNonceExpiry, b.Height) {
		rest := key[len(prefixNonceExpiry)+8:]
		var a crypto.Address
		copy(a[:], rest)
		kv.Delete(nonceKey(a, binary.BigEndian.Uint64(rest[len(a):])))
		kv.Delete(key)
	}
}

// Apply applies a transaction whose signature the caller has verified. A transaction
// that passes the replay guard spends its nonce even when a business rule rejects it,
// so that nobody can replay it later when the rule would let it through; nothing else of
// a rejected transaction is written.
func Apply(kv store.KV, b Block, tx *txn.Signed) Result {
	if err := checkWindow(kv, b, tx); err != nil {
		return rejected(err)
	}
	defer spendNonce(kv, tx)
	pending := store.NewOverlay(kv)
	events, err := dispatch(pending, b, tx)
	if err != nil {
		return rejected(err)
	}
	pending.WriteTo(kv)
	return Result{Code: txn.OK, Events: events}
}

func spendNonce(kv store.KV, tx *txn.Signed) {
	kv.Set(nonceKey(tx.Sender, tx.Nonce), binary.BigEndian.AppendUint64(nil, tx.ValidUntil))
	kv.Set(nonceExpiryKey(tx.ValidUntil, tx.Sender, tx.Nonce), nil)
}

// checkWindow is the replay guard: the height window and the spent nonces.
func checkWindow(r store.Reader, b Block, tx *txn.Signed) error {
	h := uint64(b.Height)
	if tx.ValidUntil < h {
		return txn.Errorf(txn.Expired, "valid_until %d is below height %d", tx.ValidUntil, h)
	}
	if tx.ValidUntil > h+txn.ValidityBlocksMax {
		return txn.Errorf(txn.ValidityTooLong, "valid_until %d is more than %d blocks after height %d", tx.ValidUntil, txn.ValidityBlocksMax, h)
	}
	if _, used := r.Get(nonceKey(tx.Sender, tx.Nonce)); used {
		return txn.Errorf(txn.Replayed, "nonce %d of %s is already used", tx.Nonce, tx.Sender)
	}
	return nil
}

func dispatch(kv store.KV, b Block, tx *txn.Signed) ([]Event, error) {
	if tx.Type.Controlled() {
		return direct(kv, b, tx.Sender, tx.Msg)
	}
	switch m := tx.Msg.(type) {
	case *txn.BuyRequest:
		return buyRequest(kv, b, tx, m)
	case *txn.ConfirmPayment:
		return confirmPayment(kv, b, tx.Sender, m)
	case *txn.SubmitReceipt:
		return submitReceipt(kv, b, tx, m)
	case *txn.Transfer:
		return transfer(kv, tx.Sender, m)
	case *txn.ReversePayment:
		return reversePayment(kv, b, tx.Sender, m)
	case *txn.Redeem:
		return redeem(kv, b, tx, m)
	case *txn.PayoutInitiated:
		return payoutInitiated(kv, b, tx.Sender, m)
	case *txn.ConfirmPayout:
		return confirmPayout(kv, b, tx.Sender, m)
	case *txn.RejectRedemption:
		return rejectRedemption(kv, b, tx.Sender, m)
	case *txn.ReturnPayout:
		return returnPayout(kv, b, tx.Sender, m)
	case *txn.RestoreRedemption:
		return restoreRedemption(kv, b, tx.Sender, m)
	case *txn.RecordRefund:
		return recordRefund(kv, b, tx.Sender, m)
	case *txn.AcceptPartial:
		return acceptPartial(kv, b, tx.Sender, m)
	case *txn.CancelOrder:
		return cancelOrder(kv, b, tx.Sender, m)
	case *txn.HoldOrder:
		return holdOrder(kv, tx.Sender, m)
	case *txn.ReleaseOrder:
		return releaseOrder(kv, tx.Sender, m)
	case *txn.HandOver:
		return handOver(kv, b, tx.Sender, m)
	case *txn.TakeOver:
		return takeOver(kv, tx, m)
	case *txn.Propose:
		return propose(kv, b, tx, m)
	case *txn.Approve:
		return approve(kv, b, tx.Sender, m)
	case *txn.Pause:
		return pause(kv, b, tx.Sender, m)
	case *txn.Freeze:
		return freeze(kv, b, tx.Sender, m)
	case *txn.AttestReserves:
		return attestReserves(kv, b, tx.Sender, m)
	case *txn.CoverShortfall:
		return coverShortfall(kv, b, tx.Sender, m)
	}
	return nil, txn.Errorf(txn.UnknownType, "message type %d", tx.Type)
}

func rejected(err error) Result {
	return Result{Code: txn.CodeOf(err), Log: txn.ReasonOf(err)}
}

func u64(v uint64) string { return strconv.FormatUint(v, 10) }
