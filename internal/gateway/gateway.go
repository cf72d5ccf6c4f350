package gateway

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/chipmint/chipmint/internal/camt"
	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/crypto"
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
	// beforeSubmit, when set, runs just before a confirmation is broadcast: tests make
	// it fail to stand for a crash at that point.
	beforeSubmit func(Record) error
}

// Gateway matches bank credits to orders and confirms them.
type Gateway struct {
	cfg Config
	log *slog.Logger
	now func() time.Time
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
		if err := os.MkdirAll(cfg.ReceiptDir, 0o700); err != nil {
			return nil, fmt.Errorf("gateway: receipt folder: %w", err)
		}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Gateway{cfg: cfg, log: cfg.Logger, now: time.Now}, nil
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
			jobs = append(jobs, entryJob{entry: e, key: key, iban: entries.iban})
		}
	}
	return g.handleAll(ctx, jobs, source)
}

// entryJob is one entry of a document to handle.
type entryJob struct {
	entry camt.Entry
	key   string
	iban  string
}

// parallelEntries is how many entries of one document are handled at once.
const parallelEntries = 16

// handleAll handles a document's entries, those that pay different orders at the same
// time: a confirmation waits for its block, and a document of many credits handled one
// by one would take a block for each. The entries of one order keep their order.
func (g *Gateway) handleAll(ctx context.Context, jobs []entryJob, source string) (Summary, error) {
	var groups [][]entryJob
	byOrder := make(map[string]int)
	for _, j := range jobs {
		group, ok := orderIDOf(j.entry)
		if !ok {
			group = "key:" + j.key // no order to share: alone
		}
		i, seen := byOrder[group]
		if !seen {
			i = len(groups)
			byOrder[group] = i
			groups = append(groups, nil)
		}
		groups[i] = append(groups[i], j)
	}
	sum := Summary{Entries: len(jobs)}
	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	slots := make(chan struct{}, parallelEntries)
	for _, group := range groups {
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			for _, j := range group {
				status, err := g.handle(ctx, j.entry, j.key, j.iban, source)
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

type accountEntries struct {
	iban    string
	entries []camt.Entry
}

func documentEntries(d *camt.Document) []accountEntries {
	var out []accountEntries
	for _, n := range d.Notifications {
		out = append(out, accountEntries{n.Account.IBAN, n.Entries})
	}
	for _, s := range d.Statements {
		out = append(out, accountEntries{s.Account.IBAN, s.Entries})
	}
	for _, r := range d.Reports {
		out = append(out, accountEntries{r.Account.IBAN, r.Entries})
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

// journalKey is the entry's bank reference, or for an entry without one a digest of
// its content in the journal's own form (which no change to the camt reader or the API
// moves), so that it is still recorded once.
func journalKey(e camt.Entry) string {
	if ref := e.BankReference(); ref != "" {
		return ref
	}
	b, _ := json.Marshal(storedEntryOf(e))
	sum := sha256.Sum256(b)
	return "noref-" + hex.EncodeToString(sum[:12])
}

// handle journals an entry and acts on it; it returns the entry's status, or
// "duplicate" for an entry already dealt with.
func (g *Gateway) handle(ctx context.Context, e camt.Entry, key, iban, source string) (string, error) {
	rec, seen, err := g.cfg.Journal.Get(key)
	if err != nil {
		return "", err
	}
	if seen && rec.final() {
		return "duplicate", nil
	}
	if seen && rec.Status == StatusReceived {
		return g.act(ctx, rec)
	}
	now := g.now().UTC()
	rec = Record{BankReference: key, Entry: e, Source: source, Status: StatusReceived, ReceivedAt: now, UpdatedAt: now}
	if iban != g.cfg.Operator.Account.IBAN {
		return g.finish(rec, StatusIgnored, "", fmt.Sprintf("entry of account %s, not the operator's", iban))
	}
	if err := g.cfg.Journal.Put(rec); err != nil {
		return "", err
	}
	return g.act(ctx, rec)
}

// act decides what a received entry is and does it.
func (g *Gateway) act(ctx context.Context, rec Record) (string, error) {
	e := rec.Entry
	switch {
	case e.CreditDebit != camt.Credit:
		return g.finish(rec, StatusIgnored, "", "a debit: nothing to confirm")
	case e.Reversal:
		return g.finish(rec, StatusException, "", "a reversal of an earlier entry: check it by hand")
	case e.Status != camt.Booked:
		return g.finish(rec, StatusPending, "", "not booked yet ("+string(e.Status)+")")
	case e.AmountMinor == 0:
		return g.finish(rec, StatusException, "", "no amount of its own in a batched entry: check it by hand")
	case e.BankReference() == "":
		return g.finish(rec, StatusException, "", "the bank gave no reference for this credit")
	}
	orderID, ok := orderIDOf(e)
	if !ok {
		return g.finish(rec, StatusException, "", "no payment reference of an order in the remittance information")
	}
	order, err := g.cfg.Client.Order(ctx, orderID)
	if errors.Is(err, client.ErrNotFound) {
		return g.finish(rec, StatusException, orderID, "no order "+orderID+" on the chain")
	}
	if err != nil {
		return "", err
	}
	if reason := g.mismatch(order, e); reason != "" {
		return g.finish(rec, StatusException, orderID, reason)
	}
	switch {
	case order.Status == txn.StatusAwaitingPayment:
		return g.confirm(ctx, rec, order)
	case ownReference(rec) && strings.EqualFold(order.BankReference, e.BankReference()):
		// Confirmed by this very payment before a crash cut the journal short.
		return g.finish(rec, StatusConfirmed, orderID, "confirmed before")
	case order.Status == txn.StatusExpired:
		return g.finish(rec, StatusException, orderID, fmt.Sprintf("order %s expired at height %d before this payment arrived: refund it", order.ID, order.ExpiresHeight))
	}
	return g.finish(rec, StatusException, orderID, fmt.Sprintf("order %s is already %s by another payment: refund this one", order.ID, order.Status))
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
	level := slog.LevelInfo
	if status == StatusException {
		level = slog.LevelWarn
	}
	g.log.Log(context.Background(), level, "bank entry "+status, "bank_ref", rec.BankReference, "order", orderID,
		"amount_minor", rec.Entry.AmountMinor, "currency", rec.Entry.Currency, "reason", reason)
	return status, nil
}
