package cluster

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/chipmint/chipmint/internal/audit"
	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/txn"
)

// Load is a steady stream of the ledger's whole flow from several workers, each
// sending through the nodes in turn and moving on to the next node when one fails.
type Load struct {
	c      *Cluster
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu       sync.Mutex
	acked    []audit.Acked
	rejected map[txn.Code]int
	retries  int
}

// LoadStats sums up a load.
type LoadStats struct {
	Acked    int              `json:"acked"`
	Rejected map[txn.Code]int `json:"rejected"`
	Retries  int              `json:"retries"`
}

// RegisterOperator registers the cluster's operator, through any node.
func (c *Cluster) RegisterOperator(ctx context.Context) error {
	pub, err := crypto.PublicKeyOf(c.Operator)
	if err != nil {
		return fmt.Errorf("cluster: operator: %w", err)
	}
	msg := &txn.RegisterOperator{
		ID: "acme", Address: crypto.AddressOf(pub), PublicKey: pub,
		Account:  txn.BankAccount{IBAN: "DE89370400440532013000", BIC: "COBADEFFXXX", Holder: "Acme Payments GmbH", Currency: "EUR"},
		Rate:     txn.Rate{Chips: 1_000_000, Minor: 100},
		CapChips: 1_000_000_000_000_000,
	}
	l := &Load{c: c, rejected: map[txn.Code]int{}}
	if _, err := l.send(ctx, 0, msg, c.Issuer); err != nil {
		return fmt.Errorf("cluster: register operator: %w", err)
	}
	return nil
}

// StartLoad starts workers that each loop: buy, confirm, issue, transfer.
func (c *Cluster) StartLoad(ctx context.Context, workers int) *Load {
	ctx, cancel := context.WithCancel(ctx)
	l := &Load{c: c, cancel: cancel, rejected: map[txn.Code]int{}}
	buyers := make([]crypto.Signer, workers)
	pubs := make([]ed25519.PublicKey, workers)
	for w := range buyers {
		buyers[w], pubs[w] = key(byte(10 + w))
	}
	for w := range workers {
		l.wg.Go(func() { l.work(ctx, w, buyers, pubs) })
	}
	return l
}

// Stop ends the load and returns the hashes of every transaction a client saw
// committed.
func (l *Load) Stop() ([]audit.Acked, LoadStats) {
	l.cancel()
	l.wg.Wait()
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.acked, LoadStats{Acked: len(l.acked), Rejected: l.rejected, Retries: l.retries}
}

func (l *Load) work(ctx context.Context, w int, buyers []crypto.Signer, pubs []ed25519.PublicKey) {
	buyer, pub := buyers[w], pubs[w]
	me, next := crypto.AddressOf(pub), crypto.AddressOf(pubs[(w+1)%len(pubs)])
	for round := 0; ctx.Err() == nil; round++ {
		via := w + round
		nonce := uint64(w)<<32 | uint64(round)
		buy := &txn.BuyRequest{Operator: "acme", BuyerID: fmt.Sprintf("worker%d", w), AmountMinor: uint64(100 + round%900), Currency: "EUR"}
		if _, err := l.sendNonce(ctx, via, buy, buyer, nonce); err != nil {
			continue
		}
		id := txn.OrderID(me, nonce)
		confirm := &txn.ConfirmPayment{
			OrderID: id, Buyer: txn.PartyOf(buy.BuyerID, pub),
			AmountMinor: buy.AmountMinor, Currency: "EUR", BankReference: fmt.Sprintf("UETR-%d-%d", w, round),
		}
		if _, err := l.send(ctx, via+1, confirm, l.c.Operator); err != nil {
			continue
		}
		chips := buy.AmountMinor * 10_000
		if _, err := l.send(ctx, via+2, &txn.Issue{OrderID: id, Chips: chips}, l.c.Issuer); err != nil {
			continue
		}
		if next != me {
			_, _ = l.send(ctx, via+3, &txn.Transfer{To: next, AmountChips: chips / 2}, buyer)
		}
	}
}

func (l *Load) send(ctx context.Context, via int, msg txn.Msg, k crypto.Signer) ([]byte, error) {
	nonce, err := client.NewNonce()
	if err != nil {
		return nil, err
	}
	return l.sendNonce(ctx, via, msg, k, nonce)
}

// sendNonce signs msg once and broadcasts the same bytes through node after node until
// one reports it committed or rejected. A replay rejection after an earlier attempt
// may mean that attempt made it: the transaction is then looked up by hash.
func (l *Load) sendNonce(ctx context.Context, via int, msg txn.Msg, k crypto.Signer, nonce uint64) ([]byte, error) {
	var raw []byte
	n := len(l.c.Homes)
	for attempt := 0; ctx.Err() == nil; attempt++ {
		i := (via + attempt) % n
		cl := l.c.Client(ctx, i)
		if cl == nil {
			l.retry(ctx)
			continue
		}
		if raw == nil {
			h, err := cl.Height(ctx)
			if err != nil {
				l.retry(ctx)
				continue
			}
			if raw, err = txn.Sign(l.c.ChainID, msg, k, nonce, uint64(h)+txn.ValidityBlocksMax/2); err != nil {
				return nil, err
			}
		}
		hash := sha256.Sum256(raw)
		bctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		res, err := cl.Broadcast(bctx, raw)
		cancel()
		var rej *txn.Error
		switch {
		case err == nil:
			return hash[:], l.ack(hash[:], res.Height)
		case errors.As(err, &rej) && rej.Code == txn.Replayed && attempt > 0:
			if h, ok, _ := cl.TxHeight(ctx, hash[:]); ok {
				return hash[:], l.ack(hash[:], h)
			}
			return nil, l.reject(rej.Code)
		case errors.As(err, &rej):
			return nil, l.reject(rej.Code)
		}
		l.retry(ctx)
	}
	return nil, ctx.Err()
}

func (l *Load) ack(hash []byte, height int64) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.acked = append(l.acked, audit.Acked{Hash: hash, Height: height})
	return nil
}

func (l *Load) reject(code txn.Code) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.rejected[code]++
	return &txn.Error{Code: code}
}

func (l *Load) retry(ctx context.Context) {
	l.mu.Lock()
	l.retries++
	l.mu.Unlock()
	select {
	case <-ctx.Done():
	case <-time.After(100 * time.Millisecond):
	}
}
