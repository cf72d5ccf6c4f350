package gateway

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chipmint/chipmint/internal/camt"
	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/fiat"
	"github.com/chipmint/chipmint/internal/txn"
)

// Mode is how the gateway confirms a payment.
type Mode string

// Confirmation modes: the operator's account notice (claim 4A) or a receipt the buyer
// countersigns (claim 4B).
const (
	ModeNotice  Mode = "notice"
	ModeReceipt Mode = "receipt"
)

// Config sets up a gateway.
type Config struct {
	Client *client.Client
	// Key signs as the operator: a key in memory or in a hardware token.
	Key      crypto.Signer
	Operator txn.Operator
	Journal  *Journal
	Mode     Mode
	// ReceiptDir receives, in receipt mode, one signed receipt file per order
	// (<order id>.json) for the buyer's wallet.
	ReceiptDir string
	Logger     *slog.Logger
	// Payer makes the operator's payouts and refunds; without one the gateway pays
	// nothing out.
	Payer Payer
	// AutoRefund lets the gateway refund by itself the late payments (for an expired or
	// cancelled order), the payments in another currency than the order's, and what
	// orders owe back; without it a person refunds each (chipmint operator refund).
	AutoRefund bool
	// beforeSubmit, when set, runs just before a confirmation is broadcast: tests make
	// it fail to stand for a crash at that point. beforeInitiate, beforePay and afterPay
	// do the same around an outgoing payment's chain record and bank call.
	beforeSubmit                        func(Record) error
	beforeInitiate, beforePay, afterPay func(Outgoing) error
}

// Gateway matches bank credits to orders and confirms them.
type Gateway struct {
	cfg Config
	log *slog.Logger
	now func() time.Time
	// commits waits for the blocks of the gateway's confirmations, all of them with one
	// reading of each block.
	commits *client.Commits
	// outMu orders the changes of the outgoing payments' records, and guards
	// leftToAPerson: the credits whose refund the policy allows and the gateway found
	// it cannot make (AutoRefunds).
	outMu         sync.Mutex
	leftToAPerson map[string]bool
	// lastRead is when the feed or the drop folder was last read without an error, in
	// Unix nanoseconds; the gateway's start until then.
	lastRead atomic.Int64
}

// Summary counts what one notification document led to.
type Summary struct {
	Entries    int `json:"entries"`
	Confirmed  int `json:"confirmed"`
	Receipts   int `json:"receipts"`
	Exceptions int `json:"exceptions"`
	Ignored    int `json:"ignored"`
	Pending    int `json:"pending"`
	Duplicates int `json:"duplicates"`
	Reversals  int `json:"reversals"`
	Payouts    int `json:"payouts"`
	Refunds    int `json:"refunds"`
}

// New returns a gateway.
func New(cfg Config) (*Gateway, error) {
	if cfg.Mode == "" {
		cfg.Mode = ModeNotice
	}
	if cfg.Mode != ModeNotice && cfg.Mode != ModeReceipt {
		return nil, fmt.Errorf("%w, got %q", ErrMode, cfg.Mode)
	}
	addr, err := crypto.AddressOfSigner(cfg.Key)
	if err != nil {
		return nil, fmt.Errorf("gateway: %w", err)
	}
	if addr != cfg.Operator.Address {
		return nil, fmt.Errorf("%w: operator %s signs as %s", ErrNotOperatorKey, cfg.Operator.ID, cfg.Operator.Address)
	}
	if cfg.Mode == ModeReceipt {
		if acct := cfg.Operator.PaymentAccount(); acct.IBAN == "" {
			return nil, fmt.Errorf("%w: operator %s's account %s has no IBAN for a receipt to name; confirm by account notice", ErrReceiptNeedsIBAN, cfg.Operator.ID, acct.Identification())
		}
		if err := os.MkdirAll(cfg.ReceiptDir, 0o700); err != nil {
			return nil, fmt.Errorf("gateway: receipt folder: %w", err)
		}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	g := &Gateway{cfg: cfg, log: cfg.Logger, now: time.Now, commits: client.NewCommits(cfg.Client)}
	g.markRead()
	return g, nil
}

// Process handles a camt.054 (or camt.053) document. A document that does not parse is
// an error and nothing of it is handled: the caller keeps it for a person. An entry is
// journaled before it is acted on; an error (the node unreachable) leaves it to Resume.
func (g *Gateway) Process(ctx context.Context, doc []byte, source string) (Summary, error) {
	d, err := camt.Parse(doc)
	if err != nil {
		return Summary{}, err
	}
	var jobs []entryJob
	for _, entries := range documentEntries(d) {
		seen := make(map[string]int)
		for _, e := range entries.entries {
			// Transactions of one batched entry without references of their own share
			// the entry's: the second and later get their place in the document added,
			// so that none is taken for a duplicate of another.
			key := journalKey(e)
			if seen[key]++; seen[key] > 1 {
				key = fmt.Sprintf("%s/%d", key, seen[key])
			}
			jobs = append(jobs, entryJob{entry: e, key: key, account: entries.account})
		}
	}
	return g.handleAll(ctx, jobs, source)
}

// entryJob is one entry of a document to handle, with its account in canonical form.
type entryJob struct {
	entry   camt.Entry
	key     string
	account string
}

// parallelEntries is how many entries of one document are handled at once: their
// confirmations are all sent before any waits for its block, and the blocks are read
// once for all of them.
const parallelEntries = 256

// handleAll handles a document's entries: first it journals every new one, in one
// write, then it acts on them, those that pay different orders at the same time: a
// confirmation waits for its block, and a document of many credits handled one by one
// would take a block for each. The entries of one order, and those that share a bank
// reference (a credit and its reversal), keep their order.
func (g *Gateway) handleAll(ctx context.Context, jobs []entryJob, source string) (Summary, error) {
	sum := Summary{Entries: len(jobs)}
	toAct, err := g.receive(jobs, source, &sum)
	if err != nil {
		return sum, err
	}
	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	slots := make(chan struct{}, parallelEntries)
	for _, group := range recordGroups(toAct) {
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			for _, rec := range group {
				status, err := g.act(ctx, rec)
				mu.Lock()
				if err == nil {
					sum.count(status)
				} else if firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
				if err != nil {
					return
				}
			}
		})
	}
	wg.Wait()
	return sum, firstErr
}

// receive journals the document's entries, all of them in one durable write, and
// returns the records to act on, in the document's order: every new entry of the
// operator's account, and every one received before and not finished. An entry of
// another account, a duplicate or another sight of a booking is done with here.
func (g *Gateway) receive(jobs []entryJob, source string, sum *Summary) ([]Record, error) {
	var toAct, toWrite []Record
	for _, j := range jobs {
		rec, act, write, err := g.admit(j.entry, j.key, j.account, source)
		if err != nil {
			return nil, err
		}
		if act {
			toAct = append(toAct, rec)
		}
		if write {
			toWrite = append(toWrite, rec)
		} else if !act {
			sum.count(rec.Status)
		}
	}
	if err := g.cfg.Journal.PutAll(toWrite); err != nil {
		return nil, err
	}
	for _, rec := range toWrite {
		if rec.Status != StatusReceived {
			sum.count(rec.Status)
			g.logFinished(rec)
		}
	}
	return toAct, nil
}

// recordGroups puts the records that must be acted on one after another in one
// group: those that name the same order, and those that share a bank reference.
func recordGroups(recs []Record) [][]Record {
	var groups [][]Record
	byKey := make(map[string]int)
	for _, r := range recs {
		var keys []string
		if id, ok := orderIDOf(r.Entry); ok {
			keys = append(keys, "order:"+id)
		}
		if ref := r.Entry.BankReference(); ref != "" {
			keys = append(keys, "ref:"+strings.ToUpper(ref))
		}
		i, found := -1, false
		for _, k := range keys {
			if i, found = byKey[k]; found {
				break
			}
		}
		if !found {
			i = len(groups)
			groups = append(groups, nil)
		}
		for _, k := range keys {
			byKey[k] = i
		}
		groups[i] = append(groups[i], r)
	}
	return groups
}

// accountEntries are the entries of one account, named in canonical form.
type accountEntries struct {
	account string
	entries []camt.Entry
}

func documentEntries(d *camt.Document) []accountEntries {
	var out []accountEntries
	for _, n := range d.Notifications {
		out = append(out, accountEntries{n.Account.String(), n.Entries})
	}
	for _, s := range d.Statements {
		out = append(out, accountEntries{s.Account.String(), s.Entries})
	}
	for _, r := range d.Reports {
		out = append(out, accountEntries{r.Account.String(), r.Entries})
	}
	return out
}

func (s *Summary) count(status string) {
	switch status {
	case StatusConfirmed:
		s.Confirmed++
	case StatusReceiptIssued:
		s.Receipts++
	case StatusException:
		s.Exceptions++
	case StatusIgnored:
		s.Ignored++
	case StatusReversalRecorded:
		s.Reversals++
	case StatusPayoutConfirmed:
		s.Payouts++
	case StatusRefundRecorded:
		s.Refunds++
	case StatusPending:
		s.Pending++
	case "duplicate":
		s.Duplicates++
	}
}

// Resume handles again every entry journaled as received but not finished, such as
// one read just before a crash.
func (g *Gateway) Resume(ctx context.Context) (Summary, error) {
	recs, err := g.cfg.Journal.Records(StatusReceived)
	if err != nil {
		return Summary{}, err
	}
	var sum Summary
	for _, r := range recs {
		status, err := g.act(ctx, r)
		if err != nil {
			return sum, err
		}
		sum.count(status)
	}
	return sum, nil
}

// journalKey identifies a booking in the journal: its bank reference, which the bank
// gives the same in its notifications, statements and intraday reports, with its kind
// when it is not a credit (a reversal or a return carries the references of the payment
// it undoes, which must not be taken for that payment); for an entry without a
// reference, a digest of its content in the journal's first form, which no change to
// the camt reader or the API moves.
func journalKey(e camt.Entry) string {
	if ref := e.BankReference(); ref != "" {
		if e.Kind == camt.KindCredit || e.Kind == "" {
			return ref
		}
		return ref + "/" + string(e.Kind)
	}
	return "noref-" + entryDigest(e)
}

// entryDigest identifies an entry by its content in the journal's first form.
func entryDigest(e camt.Entry) string {
	b, _ := json.Marshal(storedEntryV1Of(e))
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:12])
}

// admit decides what to do with an entry of account (in canonical form), and writes
// nothing: act says to act on the record, write to journal it first. A record neither
// to act on nor to write is a duplicate (status "duplicate"): an entry already dealt
// with. An entry of another account than the operator's, compared in canonical form
// (an IBAN, or another identification under its scheme), is ignored. A booking seen
// again (the same file, or the statement after the notification) with the same amount,
// currency, kind and booking date is a duplicate: a statement line of a confirmed
// credit is reconciled, never listed for refund. One that differs is an exception
// naming both sights, never dropped.
func (g *Gateway) admit(e camt.Entry, key, account, source string) (rec Record, act, write bool, err error) {
	rec, seen, err := g.cfg.Journal.Get(key)
	switch {
	case err != nil:
		return Record{}, false, false, err
	case seen && !sameBooking(rec.Entry, e):
		rec, write, err := g.otherSight(rec, e, key, source)
		return rec, false, write, err
	case seen && rec.final():
		return Record{Status: "duplicate"}, false, false, nil
	case seen && rec.Status == StatusReceived:
		return rec, true, false, nil
	}
	now := g.now().UTC()
	rec = Record{BankReference: key, Entry: e, Source: source, Status: StatusReceived, ReceivedAt: now, UpdatedAt: now}
	if ours := g.cfg.Operator.PaymentAccount().Identification(); account != ours {
		rec.Status, rec.Reason = StatusIgnored, fmt.Sprintf("entry of account %s, not the operator's %s", account, ours)
		return rec, false, true, nil
	}
	return rec, true, true, nil
}

// sameBooking reports whether two sights of one bank reference report the same booking.
func sameBooking(a, b camt.Entry) bool {
	return a.AmountMinor == b.AmountMinor && a.Currency == b.Currency && a.CreditDebit == b.CreditDebit &&
		a.Reversal == b.Reversal && a.BookingDate == b.BookingDate
}

// otherSight is the record of a second report of a bank reference that differs from
// the first: an exception of its own, under a key of its content, so that delivering it
// again is a duplicate of it (write false).
func (g *Gateway) otherSight(first Record, e camt.Entry, key, source string) (Record, bool, error) {
	sight := key + "/sight-" + entryDigest(camt.Entry{
		AmountMinor: e.AmountMinor, Currency: e.Currency, CreditDebit: e.CreditDebit, Reversal: e.Reversal, BookingDate: e.BookingDate,
	})
	if _, seen, err := g.cfg.Journal.Get(sight); err != nil || seen {
		return Record{Status: "duplicate"}, false, err
	}
	now := g.now().UTC()
	rec := Record{BankReference: sight, Entry: e, Source: source, Status: StatusException, OrderID: first.OrderID, ReceivedAt: now, UpdatedAt: now}
	rec.Reason = fmt.Sprintf(
		"the bank reported reference %s again with another booking: first %s (%s, from %s), now %s: ask the bank which is right",
		first.Entry.BankReference(), bookingText(first.Entry), first.Status, first.Source, bookingText(e))
	return rec, true, nil
}

// bookingText is a booking for people: "CRDT 42.00 EUR booked 2026-11-28".
func bookingText(e camt.Entry) string {
	amount := strconv.FormatUint(e.AmountMinor, 10) + " minor units of " + e.Currency
	if c, err := fiat.ParseCurrency(e.Currency); err == nil {
		amount = fiat.FormatAmount(e.AmountMinor, c) + " " + e.Currency
	}
	s := string(e.CreditDebit) + " " + amount
	if e.Reversal {
		s += " (reversal)"
	}
	return s + " booked " + e.BookingDate
}

// act decides what a received entry is and does it. Only a booked credit without a
// problem can pay an order; a reversal of a credit is recorded on the chain against the
// order that credit confirmed; a return is the operator's own payment coming back.
func (g *Gateway) act(ctx context.Context, rec Record) (string, error) {
	e := rec.Entry
	switch {
	case e.Status != camt.Booked:
		return g.finish(rec, StatusPending, "", "not booked yet ("+string(e.Status)+")")
	case e.Kind == camt.KindDebit:
		return g.debit(ctx, rec)
	case e.Kind == camt.KindReversalOfCredit:
		return g.reverse(ctx, rec)
	case e.Kind == camt.KindReturn:
		return g.returned(ctx, rec)
	case e.Kind == camt.KindReversalOfDebit:
		return g.finish(rec, StatusException, "", "a reversal of an earlier debit: check it by hand")
	case e.Problem != "":
		return g.finish(rec, StatusException, "", e.Problem)
	case !e.PaysOrder():
		return g.finish(rec, StatusException, "", "not a booked credit of an amount: check it by hand")
	case e.BankReference() == "":
		return g.finish(rec, StatusException, "", "the bank gave no reference for this credit")
	}
	ids := orderIDsOf(e)
	switch len(ids) {
	case 0:
		return g.finish(rec, StatusException, "", "no payment reference of an order in the remittance information")
	case 1:
	default:
		return g.finish(rec, StatusException, ids[0], fmt.Sprintf("the remittance names %d orders (%s): which one it pays is the payer's to say", len(ids), strings.Join(ids, ", ")))
	}
	orderID := ids[0]
	order, err := g.cfg.Client.Order(ctx, orderID)
	if errors.Is(err, client.ErrNotFound) {
		if removed, rerr := g.cfg.Client.RemovedOrder(ctx, orderID); rerr == nil {
			rec.AutoRefund = true
			return g.finish(rec, StatusException, orderID, fmt.Sprintf("order %s was closed and removed at height %d before this payment arrived: refund it", orderID, removed.Height))
		}
		return g.finish(rec, StatusException, orderID, "no order "+orderID+" on the chain")
	}
	if err != nil {
		return "", err
	}
	if reason := g.mismatch(order, e); reason != "" {
		rec.AutoRefund = order.Operator == g.cfg.Operator.ID
		return g.finish(rec, StatusException, orderID, reason)
	}
	switch {
	case order.Status == txn.StatusAwaitingPayment:
		return g.confirm(ctx, rec, order)
	case ownReference(rec) && strings.EqualFold(order.BankReference, e.BankReference()):
		// Confirmed by this very payment before a crash cut the journal short.
		return g.finish(rec, StatusConfirmed, orderID, "confirmed before")
	case order.Status == txn.StatusExpired, order.Status == txn.StatusCancelled:
		rec.AutoRefund = true
		return g.finish(rec, StatusException, orderID, fmt.Sprintf("order %s is %s (height %d) and this payment came after: refund it", order.ID, order.Status, order.ClosedHeight))
	}
	return g.finish(rec, StatusException, orderID, fmt.Sprintf("order %s is already %s by another payment: refund this one", order.ID, order.Status))
}

// reversedOrder finds the order that the credit a reversal takes back confirmed, by the
// references the reversal carries: its UETR, its transaction's account servicer
// reference, its entry's (banks give the reversed credit's in one of them).
func (g *Gateway) reversedOrder(ctx context.Context, e camt.Entry) (txn.Order, string, error) {
	for _, ref := range []string{e.UETR, e.AcctSvcrRef, e.EntryRef} {
		if ref == "" {
			continue
		}
		o, err := g.cfg.Client.OrderByBankReference(ctx, g.cfg.Operator.ID, ref)
		if !errors.Is(err, client.ErrNotFound) {
			return o, o.BankReference, err
		}
	}
	return txn.Order{}, "", client.ErrNotFound
}

// reverse records on the chain that the bank took back the credit that confirmed one of
// the operator's orders: the order is then never issued, or, issued, its chips count in
// the operator's shortfall.
func (g *Gateway) reverse(ctx context.Context, rec Record) (string, error) {
	e := rec.Entry
	order, ref, err := g.reversedOrder(ctx, e)
	if errors.Is(err, client.ErrNotFound) {
		return g.finish(rec, StatusException, "", fmt.Sprintf("the bank reversed credit %s, which confirmed no order: if it was an exception, it needs no refund any more", e.BankReference()))
	}
	if err != nil {
		return "", err
	}
	if order.Status == txn.StatusReversed {
		return g.finish(rec, StatusReversalRecorded, order.ID, "reversed on the chain before")
	}
	reason := cmp.Or(e.ReturnReason, "reversed by the bank")
	res, err := g.cfg.Client.Submit(ctx, &txn.ReversePayment{BankReference: ref, Reason: reason}, g.cfg.Key)
	var rej *txn.Error
	switch {
	case errors.As(err, &rej) && rej.Code == txn.AlreadyReversed:
		return g.finish(rec, StatusReversalRecorded, order.ID, "reversed on the chain before")
	case errors.As(err, &rej):
		return g.finish(rec, StatusException, order.ID, "the chain refused the reversal: "+rej.Error())
	case err != nil:
		return "", err
	}
	rec.TxHash, rec.Height = res.Hash, res.Height
	effect := "it will never be issued"
	if order.IssuedHeight > 0 {
		effect = fmt.Sprintf("its %d chip base units were issued: the operator is short of them", order.Chips)
	}
	return g.finish(rec, StatusReversalRecorded, order.ID, fmt.Sprintf("the bank reversed the payment of order %s (%s): %s", order.ID, reason, effect))
}

// ownReference reports whether the entry was journaled under its own bank reference,
// not a batch's shared one with its place added: only then can a confirmation that
// carries that reference be this entry's.
func ownReference(rec Record) bool { return rec.BankReference == rec.Entry.BankReference() }

// mismatch says why a credit cannot pay the order, or "" when it can.
func (g *Gateway) mismatch(o txn.Order, e camt.Entry) string {
	switch {
	case o.Operator != g.cfg.Operator.ID:
		return fmt.Sprintf("order %s is operator %s's, not ours", o.ID, o.Operator)
	case e.Currency != o.Currency:
		return fmt.Sprintf("paid in %s, order %s is in %s", e.Currency, o.ID, o.Currency)
	}
	return ""
}

// finish records the entry's outcome.
func (g *Gateway) finish(rec Record, status, orderID, reason string) (string, error) {
	rec.Status, rec.OrderID, rec.Reason, rec.UpdatedAt = status, orderID, reason, g.now().UTC()
	if err := g.cfg.Journal.Put(rec); err != nil {
		return "", err
	}
	g.logFinished(rec)
	return status, nil
}

// logFinished logs the outcome of an entry.
func (g *Gateway) logFinished(rec Record) {
	level := slog.LevelInfo
	if rec.Status == StatusException {
		level = slog.LevelWarn
	}
	g.log.Log(context.Background(), level, "bank entry "+rec.Status, "bank_ref", rec.BankReference, "order", rec.OrderID,
		"amount_minor", rec.Entry.AmountMinor, "currency", rec.Entry.Currency, "reason", rec.Reason)
}
