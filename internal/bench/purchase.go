package bench

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"sync"
	"time"

	"github.com/chipmint/chipmint/internal/bank"
	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/gateway"
	"github.com/chipmint/chipmint/internal/issuer"
	"github.com/chipmint/chipmint/internal/txn"
)

// purchaseMinor is what one purchase pays: 10.00 EUR, for 10 chips.
const purchaseMinor = 1_000

// buyer is a bench buyer: a key and a bank account to pay from.
type buyer struct {
	key  ed25519.PrivateKey
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

// openBank starts the sandbox bank in dir and returns its client; it stops with ctx.
func openBank(ctx context.Context, dir string, wg *sync.WaitGroup, log *slog.Logger) (*bank.Client, error) {
	b, err := bank.Open(dir, bank.Options{Logger: log})
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Close()
		return nil, err
	}
	wg.Go(func() { _ = bank.ServeListener(ctx, ln, b); b.Close() })
	return bank.NewClient("http://" + ln.Addr().String()), nil
}

// startPurchases opens the operator's and the buyers' bank accounts, registers the
// operator and starts its gateway and the issuer service until ctx ends.
func startPurchases(ctx context.Context, ch *chain, dir string, buyers int, poll time.Duration, wg *sync.WaitGroup, log *slog.Logger) (*purchases, error) {
	bc, err := openBank(ctx, filepath.Join(dir, "bank"), wg, log.With("part", "bank"))
	if err != nil {
		return nil, err
	}
	p := &purchases{ch: ch, bank: bc, failed: map[string]int{}}
	opAcct, err := bc.OpenAccount(ctx, bank.OpenAccountRequest{Holder: "chipmint bench operator", Currency: "EUR"})
	if err != nil {
		return nil, err
	}
	for range buyers {
		acct, err := bc.OpenAccount(ctx, bank.OpenAccountRequest{Holder: "bench buyer", Currency: "EUR", OpeningBalanceMinor: 1 << 50})
		if err != nil {
			return nil, err
		}
		p.buyers = append(p.buyers, buyer{key: newKey(), iban: acct.IBAN})
	}
	if err := ch.registerOperator(ctx, opAcct.IBAN, opAcct.BIC); err != nil {
		return nil, err
	}
	j, err := gateway.OpenJournal(filepath.Join(dir, "gateway", "journal"))
	if err != nil {
		return nil, err
	}
	gw, err := gateway.New(gateway.Config{Client: ch.c, Key: ch.operator, Operator: ch.op, Journal: j, Logger: log.With("part", "gateway")})
	if err != nil {
		j.Close()
		return nil, err
	}
	wg.Go(func() {
		_ = gw.RunFeed(ctx, bc, filepath.Join(dir, "gateway", "failed"), poll)
		j.Close()
	})
	svc := issuer.New(issuer.Config{Client: ch.c, Key: ch.issuer, Rescan: time.Second, Logger: log.With("part", "issuer")})
	wg.Go(func() { _ = svc.Run(ctx) })
	return p, nil
}

// purchase is one buyer's purchase: a signed buy request, the payment at the bank with
// the order's reference, and the wait until a block issues the chips.
func (p *purchases) purchase(ctx context.Context, l *load, bc *broadcaster, b buyer, measured bool) error {
	nonce, err := client.NewNonce()
	if err != nil {
		return err
	}
	h, err := p.ch.c.Height(ctx)
	if err != nil {
		return err
	}
	raw := txn.Sign(p.ch.chainID, &txn.BuyRequest{Operator: p.ch.op.ID, BuyerID: "bench-buyer", AmountMinor: purchaseMinor, Currency: "EUR"},
		b.key, nonce, uint64(h)+validityBlocks)
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
	orderID := txn.OrderID(crypto.AddressOf(b.key.Public().(ed25519.PublicKey)), nonce)
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
		if err := p.purchase(ctx, l, l.bcs[i%len(l.bcs)], b, true); err != nil && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
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
