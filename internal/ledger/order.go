package ledger

import (
	"encoding/binary"
	"fmt"
	"math/bits"

	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/store"
	"github.com/chipmint/chipmint/internal/txn"
)

// buyRequest is claim 3: a buyer's signed request opens an order awaiting payment, with
// the payment reference the buyer quotes at the bank.
func buyRequest(kv store.KV, b Block, tx *txn.Signed, m *txn.BuyRequest) ([]Event, error) {
	if err := checkPaused(kv, txn.OperationBuy); err != nil {
		return nil, err
	}
	op, err := liveOperator(kv, m.Operator)
	if err != nil {
		return nil, err
	}
	if currency := op.PaymentAccount().Currency; m.Currency != currency {
		return nil, txn.Errorf(txn.CurrencyMismatch, "operator %q takes %s, not %s", op.ID, currency, m.Currency)
	}
	chips, err := op.Rate.ChipsFor(m.AmountMinor)
	if err != nil {
		return nil, err
	}
	if err := checkCap(op, chips); err != nil {
		return nil, err
	}
	id := txn.OrderID(tx.Sender, tx.Nonce)
	if _, exists := GetOrder(kv, id); exists {
		return nil, txn.Errorf(txn.OrderExists, "order %s already exists", id)
	}
	if height, removed := RemovedOrder(kv, id); removed {
		return nil, txn.Errorf(txn.OrderExists, "order %s existed and was removed at height %d: use another nonce", id, height)
	}
	p := GetParams(kv)
	byOperator, byBuyer := counter(kv, openByOperatorKey(op.ID)), counter(kv, openByBuyerKey(tx.Sender))
	if byOperator >= uint64(p.OpenOrdersPerOperatorMax) {
		return nil, txn.Errorf(txn.TooManyOpenOrders, "operator %q has %d orders awaiting payment, the most the chain allows", op.ID, byOperator)
	}
	if byBuyer >= uint64(p.OpenOrdersPerBuyerMax) {
		return nil, txn.Errorf(txn.TooManyOpenOrders, "buyer %s has %d orders awaiting payment, the most the chain allows: pay or cancel one", tx.Sender, byBuyer)
	}
	setCounter(kv, openByOperatorKey(op.ID), byOperator+1)
	setCounter(kv, openByBuyerKey(tx.Sender), byBuyer+1)
	o := txn.Order{
		ID: id, PaymentReference: txn.PaymentReference(id), Buyer: txn.PartyOf(m.BuyerID, tx.Signer),
		Operator: op.ID, AmountMinor: m.AmountMinor, Currency: m.Currency,
		Status: txn.StatusAwaitingPayment, CreatedHeight: b.Height, ExpiresHeight: b.Height + p.OrderTTLBlocks,
	}
	putRecord(kv, orderKey(id), o)
	kv.Set(orderExpiryKey(o.ExpiresHeight, id), nil)
	return []Event{orderEvent(o)}, nil
}

// checkCap refuses chips more against an operator's cap, which bounds its outstanding
// chips and the chips of its orders paid and not yet issued; open orders do not count.
func checkCap(op txn.Operator, chips uint64) error {
	outstanding := op.OutstandingChips()
	committed, carry := bits.Add64(outstanding, op.PaidChips, 0)
	if carry != 0 || chips > op.CapChips || committed > op.CapChips-chips {
		return txn.Errorf(txn.CapExceeded, "operator %q: %d outstanding + %d paid + %d chips exceeds cap %d", op.ID, outstanding, op.PaidChips, chips, op.CapChips)
	}
	return nil
}

// leaveOpen counts an order out of its operator's and its buyer's orders awaiting
// payment, when it is paid, cancelled or expires.
func leaveOpen(kv store.KV, o txn.Order) {
	setCounter(kv, openByOperatorKey(o.Operator), counter(kv, openByOperatorKey(o.Operator))-1)
	setCounter(kv, openByBuyerKey(o.Buyer.Address), counter(kv, openByBuyerKey(o.Buyer.Address))-1)
}

// confirmPayment is claim 4A: the operator's account notice that it received the money.
func confirmPayment(kv store.KV, b Block, signer crypto.Address, m *txn.ConfirmPayment) ([]Event, error) {
	if err := checkPaused(kv, txn.OperationConfirm); err != nil {
		return nil, err
	}
	op, err := requireOperator(kv, signer)
	if err != nil {
		return nil, err
	}
	if err := checkRevoked(op); err != nil {
		return nil, err
	}
	o, err := payableOrder(kv, b, op, m.OrderID, payment{m.Buyer, m.AmountMinor, m.Currency, m.BankReference})
	if err != nil {
		return nil, err
	}
	o.ConfirmedBy = txn.ConfirmedByNotice
	return settle(kv, b, op, o, m.AmountMinor, m.BankReference, false)
}

// submitReceipt is claim 4B: the operator's signed receipt, countersigned by the buyer.
func submitReceipt(kv store.KV, b Block, tx *txn.Signed, m *txn.SubmitReceipt) ([]Event, error) {
	if err := checkPaused(kv, txn.OperationConfirm); err != nil {
		return nil, err
	}
	r := m.Receipt
	op, ok := GetOperator(kv, r.OperatorID)
	if !ok {
		return nil, txn.Errorf(txn.UnknownOperator, "receipt.operator_id: operator %q is not registered", r.OperatorID)
	}
	if err := checkRevoked(op); err != nil {
		return nil, err
	}
	if !crypto.Verify(op.PublicKey, txn.ReceiptSignBytes(b.ChainID, r), m.OperatorSignature) {
		return nil, txn.Errorf(txn.BadReceiptSignature, "receipt for order %s is not signed by operator %q", r.OrderID, op.ID)
	}
	acct := op.PaymentAccount()
	if acct.IBAN == "" {
		return nil, txn.ErrorReceiptWithoutIBAN(op.ID, acct)
	}
	if r.OperatorAddress != op.Address || r.OperatorIBAN != acct.IBAN {
		return nil, txn.Errorf(txn.ReceiptMismatch, "receipt names operator %s account %s; operator %q is %s account %s",
			r.OperatorAddress, r.OperatorIBAN, op.ID, op.Address, acct.IBAN)
	}
	if r.Buyer.Address != tx.Sender {
		return nil, txn.Errorf(txn.BuyerMismatch, "receipt is for buyer %s but countersigned by %s", r.Buyer.Address, tx.Sender)
	}
	o, err := payableOrder(kv, b, op, r.OrderID, payment{r.Buyer, r.AmountMinor, r.Currency, r.BankReference})
	if err != nil {
		return nil, err
	}
	chips, err := op.Rate.ChipsFor(min(r.AmountMinor, o.AmountMinor))
	if err != nil {
		return nil, err
	}
	if chips != r.Chips {
		return nil, txn.Errorf(txn.QuantityMismatch, "receipt says %d chips; %d minor units received on an order of %d buy %d",
			r.Chips, r.AmountMinor, o.AmountMinor, chips)
	}
	o.ConfirmedBy, o.PayerCommitment = txn.ConfirmedByReceipt, r.PayerCommitment
	return settle(kv, b, op, o, r.AmountMinor, r.BankReference, true)
}

// payment is what a confirmation says was paid.
type payment struct {
	buyer       txn.Party
	amountMinor uint64
	currency    string
	bankRef     string
}

// payableOrder runs the checks both confirmation variants share, in this order: the
// order exists and is the operator's, the bank reference is unused (or confirmed this
// very payment before; neither refunded nor a cover of the operator's shortfall), the
// order awaits payment, the buyer and the currency are the
// order's.
func payableOrder(r store.Reader, b Block, op txn.Operator, orderID string, p payment) (txn.Order, error) {
	buyer, currency, bankRef := p.buyer, p.currency, p.bankRef
	o, ok := GetOrder(r, orderID)
	if !ok {
		return txn.Order{}, unknownOrder(r, orderID)
	}
	if o.Operator != op.ID {
		return txn.Order{}, txn.Errorf(txn.WrongOperator, "order %s belongs to operator %q, not %q", o.ID, o.Operator, op.ID)
	}
	if used, ok := r.Get(bankRefKey(op.ID, bankRef)); ok {
		if string(used) == o.ID && o.ReceivedMinor == p.amountMinor && o.Currency == currency && sameParty(o.Buyer, buyer) {
			return txn.Order{}, txn.Errorf(txn.AlreadyConfirmed, "bank reference %q already confirmed order %s", bankRef, o.ID)
		}
		return txn.Order{}, txn.Errorf(txn.BankReferenceUsed, "bank reference %q of operator %q already confirmed order %s", bankRef, op.ID, used)
	}
	if err := checkCreditFree(r, op.ID, bankRef); err != nil {
		return txn.Order{}, err
	}
	if o.Status != txn.StatusAwaitingPayment {
		return txn.Order{}, txn.Errorf(txn.OrderNotAwaitingPayment, "order %s is %s", o.ID, o.Status)
	}
	if o.ExpiresHeight < b.Height {
		// Expired at the start of this block; the mempool state, which runs no block
		// start, learns it here rather than in the block.
		return txn.Order{}, txn.Errorf(txn.OrderNotAwaitingPayment, "order %s expired at height %d", o.ID, o.ExpiresHeight)
	}
	if !sameParty(o.Buyer, buyer) {
		return txn.Order{}, txn.Errorf(txn.BuyerMismatch, "order %s is for buyer %q %s, not %q %s", o.ID, o.Buyer.ID, o.Buyer.Address, buyer.ID, buyer.Address)
	}
	if currency != o.Currency {
		return txn.Order{}, txn.Errorf(txn.CurrencyMismatch, "order %s is in %s, not %s", o.ID, o.Currency, currency)
	}
	return o, nil
}

func sameParty(a, b txn.Party) bool {
	return a.ID == b.ID && a.Address == b.Address && string(a.PublicKey) == string(b.PublicKey)
}

// settle is the amount rule (decision 0024): an order is issued for at most what it
// asked for. A payment of at least the order's amount pays it, and the surplus is owed
// back; a smaller one leaves it underpaid, still expiring, until the buyer accepts chips
// for what was received, which a countersigned receipt already says (accepted).
func settle(kv store.KV, b Block, op txn.Operator, o txn.Order, receivedMinor uint64, bankRef string, accepted bool) ([]Event, error) {
	o.ReceivedMinor, o.BankReference, o.PaidHeight = receivedMinor, bankRef, b.Height
	kv.Set(bankRefKey(o.Operator, bankRef), []byte(o.ID))
	leaveOpen(kv, o)
	if receivedMinor < o.AmountMinor && !accepted {
		o.Status = txn.StatusUnderpaid
		putRecord(kv, orderKey(o.ID), o)
		return []Event{orderEvent(o)}, nil
	}
	chips, err := op.Rate.ChipsFor(min(receivedMinor, o.AmountMinor))
	if err != nil {
		return nil, err
	}
	if receivedMinor > o.AmountMinor {
		owe(kv, &o, receivedMinor-o.AmountMinor)
	}
	return markPaid(kv, op, o, chips)
}

// markPaid makes an order paid for chips, the issuer's to issue, within its operator's
// cap: a payment that would exceed it is refused, and refunded like any credit that
// confirmed no order.
func markPaid(kv store.KV, op txn.Operator, o txn.Order, chips uint64) ([]Event, error) {
	if err := checkCap(op, chips); err != nil {
		return nil, err
	}
	op.PaidChips += chips
	putRecord(kv, operatorKey(op.ID), op)
	o.Status, o.Chips = txn.StatusPaid, chips
	putRecord(kv, orderKey(o.ID), o)
	kv.Set(paidKey(o.ID), nil)
	kv.Delete(orderExpiryKey(o.ExpiresHeight, o.ID))
	return []Event{orderEvent(o)}, nil
}

// owe records that the order owes minor units back, which a refund settles.
func owe(kv store.KV, o *txn.Order, minor uint64) {
	o.OwedMinor = minor
	kv.Set(owedKey(o.Operator, o.ID), nil)
}

// acceptPartial is the buyer of an underpaid order taking chips for what was received.
func acceptPartial(kv store.KV, b Block, signer crypto.Address, m *txn.AcceptPartial) ([]Event, error) {
	o, err := buyersOrder(kv, signer, m.OrderID)
	if err != nil {
		return nil, err
	}
	if o.Status != txn.StatusUnderpaid || o.ExpiresHeight < b.Height {
		return nil, txn.Errorf(txn.OrderNotUnderpaid, "order %s is %s%s", o.ID, o.Status, expiredSince(o, b))
	}
	op, _ := GetOperator(kv, o.Operator)
	if err := checkRevoked(op); err != nil {
		return nil, err
	}
	chips, err := op.Rate.ChipsFor(o.ReceivedMinor)
	if err != nil {
		return nil, err
	}
	return markPaid(kv, op, o, chips)
}

// cancelOrder is the buyer withdrawing an order that awaits payment.
func cancelOrder(kv store.KV, b Block, signer crypto.Address, m *txn.CancelOrder) ([]Event, error) {
	o, err := buyersOrder(kv, signer, m.OrderID)
	if err != nil {
		return nil, err
	}
	if o.Status != txn.StatusAwaitingPayment || o.ExpiresHeight < b.Height {
		return nil, txn.Errorf(txn.OrderNotAwaitingPayment, "order %s is %s%s", o.ID, o.Status, expiredSince(o, b))
	}
	kv.Delete(orderExpiryKey(o.ExpiresHeight, o.ID))
	leaveOpen(kv, o)
	return []Event{orderEvent(closeOrder(kv, b, o, txn.StatusCancelled))}, nil
}

// expiredSince says, for an order whose time to be paid ran out before this block's
// start ran, that it did: the mempool, which runs no block start, learns it here.
func expiredSince(o txn.Order, b Block) string {
	if (o.Status == txn.StatusAwaitingPayment || o.Status == txn.StatusUnderpaid) && o.ExpiresHeight < b.Height {
		return fmt.Sprintf(", expired at height %d", o.ExpiresHeight)
	}
	return ""
}

// buyersOrder is the order id, which signer must be the buyer of.
func buyersOrder(r store.Reader, signer crypto.Address, id string) (txn.Order, error) {
	o, ok := GetOrder(r, id)
	if !ok {
		return txn.Order{}, unknownOrder(r, id)
	}
	if o.Buyer.Address != signer {
		return txn.Order{}, txn.Errorf(txn.BuyerMismatch, "order %s is buyer %s's, not %s's", o.ID, o.Buyer.Address, signer)
	}
	return o, nil
}

// issuersOrder is the order id, for an issuer's transaction that signer must sign.
func issuersOrder(r store.Reader, signer crypto.Address, id string) (txn.Order, error) {
	if err := requireIssuer(r, signer); err != nil {
		return txn.Order{}, err
	}
	o, ok := GetOrder(r, id)
	if !ok {
		return txn.Order{}, unknownOrder(r, id)
	}
	return o, nil
}

// unknownOrder is the rejection of an order id the state does not hold, saying when
// the order left it if it did.
func unknownOrder(r store.Reader, id string) error {
	if height, removed := RemovedOrder(r, id); removed {
		return txn.Errorf(txn.UnknownOrder, "order %s was closed and removed at height %d", id, height)
	}
	return txn.Errorf(txn.UnknownOrder, "order %s does not exist", id)
}

// closeOrder ends an order that expired or was cancelled. One that received nothing
// leaves the state after the retention; one underpaid owes what it received.
func closeOrder(kv store.KV, b Block, o txn.Order, status txn.OrderStatus) txn.Order {
	o.Status, o.ClosedHeight = status, b.Height
	if o.ReceivedMinor > 0 {
		owe(kv, &o, o.ReceivedMinor)
	} else {
		o.RemoveHeight = b.Height + GetParams(kv).OrderRetentionBlocks
		kv.Set(orderRemovalKey(o.RemoveHeight, o.ID), nil)
	}
	putRecord(kv, orderKey(o.ID), o)
	return o
}

// holdOrder is an issuer stopping a paid order from being issued.
func holdOrder(kv store.KV, signer crypto.Address, m *txn.HoldOrder) ([]Event, error) {
	o, err := issuersOrder(kv, signer, m.OrderID)
	if err != nil {
		return nil, err
	}
	switch o.Status {
	case txn.StatusPaid:
	case txn.StatusHeld:
		return nil, txn.Errorf(txn.OrderHeld, "order %s is already held: %s", o.ID, o.HoldReason)
	default:
		return nil, txn.Errorf(txn.OrderNotPaid, "order %s is %s: only a paid order is held", o.ID, o.Status)
	}
	o.Status, o.HoldReason = txn.StatusHeld, m.Reason
	putRecord(kv, orderKey(o.ID), o)
	kv.Delete(paidKey(o.ID))
	return []Event{orderEvent(o)}, nil
}

// releaseOrder is an issuer letting a held order be issued.
func releaseOrder(kv store.KV, signer crypto.Address, m *txn.ReleaseOrder) ([]Event, error) {
	o, err := issuersOrder(kv, signer, m.OrderID)
	if err != nil {
		return nil, err
	}
	if o.Status != txn.StatusHeld {
		return nil, txn.Errorf(txn.OrderNotHeld, "order %s is %s", o.ID, o.Status)
	}
	o.Status, o.HoldReason = txn.StatusPaid, ""
	putRecord(kv, orderKey(o.ID), o)
	kv.Set(paidKey(o.ID), nil)
	return []Event{orderEvent(o)}, nil
}

// issue is claims 1 and 5: the issuer mints the paid order's chips to its buyer.
func issue(kv store.KV, b Block, signer crypto.Address, m *txn.Issue) ([]Event, error) {
	if err := checkPaused(kv, txn.OperationIssue); err != nil {
		return nil, err
	}
	o, err := issuersOrder(kv, signer, m.OrderID)
	if err != nil {
		return nil, err
	}
	switch o.Status {
	case txn.StatusIssued:
		return nil, txn.Errorf(txn.OrderAlreadyIssued, "order %s was issued at height %d", o.ID, o.IssuedHeight)
	case txn.StatusHeld:
		return nil, txn.Errorf(txn.OrderHeld, "order %s is held: %s", o.ID, o.HoldReason)
	case txn.StatusPaid:
	default:
		return nil, txn.Errorf(txn.OrderNotPaid, "order %s is %s", o.ID, o.Status)
	}
	if m.Chips != o.Chips {
		return nil, txn.Errorf(txn.QuantityMismatch, "order %s is owed %d chips, not %d", o.ID, o.Chips, m.Chips)
	}
	if err := checkFrozen(kv, "buyer", o.Buyer.Address); err != nil {
		return nil, err
	}
	op, _ := GetOperator(kv, o.Operator)
	// The order's chips count against the cap since it was paid: they move from paid
	// to outstanding, within a cap that may have been lowered since.
	op.PaidChips -= o.Chips
	if err := checkCap(op, o.Chips); err != nil {
		return nil, err
	}
	issued, carry := bits.Add64(op.IssuedChips, o.Chips, 0)
	if carry != 0 {
		return nil, txn.Errorf(txn.Overflow, "operator %q issued chips would overflow", op.ID)
	}
	if err := mint(kv, o.Buyer.Address, o.Chips); err != nil {
		return nil, err
	}
	op.IssuedChips = issued
	putRecord(kv, operatorKey(op.ID), op)
	o.Status, o.IssuedHeight = txn.StatusIssued, b.Height
	putRecord(kv, orderKey(o.ID), o)
	kv.Delete(paidKey(o.ID))
	return []Event{orderEvent(o)}, nil
}

// reversePayment records that the bank reversed the credit that confirmed one of the
// signing operator's orders. A paid order becomes reversed and is never issued; an
// issued one becomes reversed too, and its chips, already in circulation, count in the
// operator's shortfall. The bank reference stays spent: it can never confirm again.
func reversePayment(kv store.KV, b Block, signer crypto.Address, m *txn.ReversePayment) ([]Event, error) {
	op, err := requireOperator(kv, signer)
	if err != nil {
		return nil, err
	}
	o, ok := OrderByBankReference(kv, op.ID, m.BankReference)
	if !ok {
		return nil, txn.Errorf(txn.UnknownBankReference, "bank reference %q confirmed no order of operator %q", m.BankReference, op.ID)
	}
	switch o.Status {
	case txn.StatusReversed:
		return nil, txn.Errorf(txn.AlreadyReversed, "the payment of order %s was reversed at height %d", o.ID, o.ReversedHeight)
	case txn.StatusPaid, txn.StatusHeld:
		kv.Delete(paidKey(o.ID))
		op.PaidChips -= o.Chips
		putRecord(kv, operatorKey(op.ID), op)
	case txn.StatusUnderpaid:
		kv.Delete(orderExpiryKey(o.ExpiresHeight, o.ID))
	case txn.StatusIssued:
		shortfall, carry := bits.Add64(op.ShortfallChips, o.Chips, 0)
		if carry != 0 {
			return nil, txn.Errorf(txn.Overflow, "operator %q shortfall would overflow", op.ID)
		}
		op.ShortfallChips = shortfall
		putRecord(kv, operatorKey(op.ID), op)
	}
	if o.RefundedHeight == 0 && o.OwedMinor > 0 {
		// The bank took the whole credit back: nothing of it is owed any more.
		o.OwedMinor = 0
		kv.Delete(owedKey(o.Operator, o.ID))
	}
	o.Status, o.ReversedHeight, o.ReversalReason = txn.StatusReversed, b.Height, m.Reason
	putRecord(kv, orderKey(o.ID), o)
	return []Event{orderEvent(o)}, nil
}

func orderEvent(o txn.Order) Event {
	return Event{Type: "order", Attrs: []Attr{
		{"id", o.ID}, {"status", string(o.Status)}, {"buyer", o.Buyer.Address.String()}, {"operator", o.Operator},
		{"amount_minor", u64(o.AmountMinor)}, {"currency", o.Currency}, {"reference", o.PaymentReference},
		{"received_minor", u64(o.ReceivedMinor)}, {"chips", u64(o.Chips)},
	}}
}

// expireOrders ends the orders still awaiting payment, or underpaid, whose last height
// to be paid is below this block's. A payment that arrives later is the gateway's to
// refund, as is what an underpaid order received.
func expireOrders(kv store.KV, b Block) []Event {
	due := dueKeys(kv, prefixOrderExpiry, b.Height)
	var events []Event
	for _, key := range due {
		kv.Delete(key)
		o, ok := GetOrder(kv, string(key[len(prefixOrderExpiry)+8:]))
		if !ok || (o.Status != txn.StatusAwaitingPayment && o.Status != txn.StatusUnderpaid) {
			continue
		}
		if o.Status == txn.StatusAwaitingPayment {
			leaveOpen(kv, o)
		}
		events = append(events, orderEvent(closeOrder(kv, b, o, txn.StatusExpired)))
	}
	return events
}

// removeOrders replaces the closed orders whose retention ended by tombstones holding
// the height they left at.
func removeOrders(kv store.KV, b Block) {
	for _, key := range dueKeys(kv, prefixOrderRemoval, b.Height+1) {
		kv.Delete(key)
		id := string(key[len(prefixOrderRemoval)+8:])
		kv.Delete(orderKey(id))
		kv.Set(tombstoneKey(id), binary.BigEndian.AppendUint64(nil, uint64(b.Height)))
	}
}

// dueKeys lists the keys of a height index under prefix whose height is below height.
func dueKeys(r store.Reader, prefix string, height int64) [][]byte {
	var due [][]byte
	r.Scan([]byte(prefix), func(key, _ []byte) bool {
		if int64(binary.BigEndian.Uint64(key[len(prefix):])) >= height {
			return false
		}
		due = append(due, key)
		return true
	})
	return due
}
