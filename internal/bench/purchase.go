package bench

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/chipmint/chipmint/internal/bank"
	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/gateway"
	"github.com/chipmint/chipmint/internal/issuer"
	"github.com/chipmint/chipmint/internal/system"
	"github.com/chipmint/chipmint/internal/txn"
)

// purchaseMinor is what one purchase pays: 10.00 EUR, for 10 chips.
const purchaseMinor = 1_000

// buyer is a bench buyer: a key, its address and a bank account to pay from.
type buyer struct {
	key  crypto.Signer
	addr crypto.Address
	iban string
}

// purchases is the purchase flow with its real parts: a sandbox bank, the operator's
// gateway reading the bank's camt.054 notifications and the issuer service, all in this
// process and talking over loopback as they do in `chipmint dev`.
type purchases struct {
	ch     *chain
	bank   *bank.Client
	buyers []buyer
	mu     sync.Mutex
	// creditToChips is, per purchase, the time from the bank's booking of the credit to
	// the block that issues the chips.
	creditToChips []time.Duration
	failed        map[string]int
}

// startPurchases starts the sandbox bank, registers an operator of the bench's own with
// an account there, runs its gateway and the issuer service until ctx ends, and opens
// the buyers' bank accounts.
func startPurchases(ctx context.Context, ch *chain, dir string, buyers int, poll time.Duration, log *slog.Logger) (*purchases, *system.System, error) {
	ch.operator = newKey()
	id := "bench-" + randomHex(4)
	sys, err := system.Start(ctx, system.Config{
		Dir: dir, Client: ch.c, IssuerKey: ch.issuer,
		Operators: []system.Operator{{
			ID: id, Key: ch.operator, Holder: "chipmint bench operator", Currency: "EUR",
			Rate: txn.Rate{Chips: 1_000_000, Minor: 100}, CapChips: 1 << 62, Mode: gateway.ModeNotice,
		}},
		Issuer: issuer.Config{Rescan: time.Second}, Poll: poll, Logger: log,
	})
	if err != nil {
		return nil, nil, err
	}
	ch.op = sys.Operators[id]
	p := &purchases{ch: ch, bank: sys.Bank.Client, failed: map[string]int{}}
	for range buyers {
		acct, err := p.bank.OpenAccount(ctx, bank.OpenAccountRequest{Holder: "bench buyer", Currency: "EUR", OpeningBalanceMinor: 1 << 50})
		if err != nil {
			return nil, nil, errors.Join(err, sys.Stop())
		}
		k := newKey()
		p.buyers = append(p.buyers, buyer{key: k, addr: crypto.AddressOf(k.Public().(ed25519.PublicKey)), iban: acct.IBAN})
	}
	return p, sys, nil
}

// purchase is one buyer's purchase: a signed buy request, the payment at the bank with
// the order's reference, and the wait until a block issues the chips.
func (p *purchases) purchase(ctx context.Context, l *load, bc submitter, b buyer, measured bool) error {
	nonce, err := client.NewNonce()
	if err != nil {
		return err
	}
	h, err := p.ch.c.Height(ctx)
	if err != nil {
		return err
	}
	raw, err := txn.Sign(p.ch.chainID, &txn.BuyRequest{Operator: p.ch.op.ID, BuyerID: "bench-buyer", AmountMinor: purchaseMinor, Currency: "EUR"},
		b.key, nonce, uint64(h)+validityBlocks)
	if err != nil {
		return err
	}
	committed := make(chan outcome, 1)
	l.send(ctx, bc, [][]byte{raw}, []time.Time{time.Now()}, measured, func(o outcome) { committed <- o })
	select {
	case o := <-committed:
		if o.Lost || o.Code != "" {
			return fmt.Errorf("buy request: %s", o)
		}
	case <-ctx.Done():
		return ctx.Err()
	}
	hash := sha256.Sum256(raw)
	if _, err := p.ch.c.WaitCommitted(ctx, hash[:]); err != nil {
		return fmt.Errorf("buy request: %w", err)
	}
	orderID := txn.OrderID(b.addr, nonce)
	issued := make(chan time.Time, 1)
	l.tr.awaitIssue(orderID, func(at time.Time) { issued <- at })
	tr, err := p.bank.Pay(ctx, bank.TransferRequest{
		FromIBAN: b.iban, ToIBAN: p.ch.op.Account.IBAN, AmountMinor: purchaseMinor, Currency: "EUR",
		Reference: txn.PaymentReference(orderID),
	})
	if err != nil {
		return fmt.Errorf("payment at the bank: %w", err)
	}
	select {
	case at := <-issued:
		if measured {
			p.mu.Lock()
			p.creditToChips = append(p.creditToChips, at.Sub(tr.BookedAt))
			p.mu.Unlock()
		}
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// run makes purchases until end: each of the buyers buys again as soon as its chips
// arrive (closed loop), or a purchase starts every 1/rate seconds (open loop).
func (p *purchases) run(ctx context.Context, l *load, rate float64, start, end time.Time) {
	ctx, cancel := context.WithDeadline(ctx, end.Add(drainMax))
	defer cancel()
	var wg sync.WaitGroup
	one := func(i int) {
		b := p.buyers[i%len(p.buyers)]
		if err := p.purchase(ctx, l, l.subs[i%len(l.subs)], b, true); err != nil && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
			p.mu.Lock()
			p.failed[err.Error()]++
			p.mu.Unlock()
		}
	}
	if rate > 0 {
		for i := 0; ; i++ {
			due := start.Add(time.Duration(float64(i) / rate * float64(time.Second)))
			if !due.Before(end) || ctx.Err() != nil {
				break
			}
			time.Sleep(time.Until(due))
			wg.Go(func() { one(i) })
		}
	} else {
		for i := range p.buyers {
			wg.Go(func() {
				for time.Now().Before(end) && ctx.Err() == nil {
					one(i)
				}
			})
		}
	}
	wg.Wait()
}
