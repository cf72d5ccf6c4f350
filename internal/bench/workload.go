package bench

import (
	"cmp"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"

	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/txn"
)

// The workloads.
const (
	WorkloadTransfer = "transfer"
	WorkloadPurchase = "purchase"
	WorkloadMixed    = "mixed"
)

// accountChips is what each funded account starts with; a transfer moves one base unit.
const accountChips = 1_000_000_000

// validityBlocks is how long the pre-signed transactions stay valid: as long as the
// ledger allows, so that a long run does not outlive them.
const validityBlocks = txn.ValidityBlocksMax - 10

// chain is a chipmint chain set up for a run: an operator the bench controls and
// funded accounts.
type chain struct {
	c        *client.Client
	chainID  string
	issuer   crypto.Signer
	operator crypto.Signer
	op       txn.Operator
	accounts []crypto.Signer
	// addresses are the accounts' addresses, in the same order.
	addresses []crypto.Address
}

// newKey generates a key in memory.
func newKey() ed25519.PrivateKey {
	_, priv, err := crypto.GenerateKey(nil)
	if err != nil {
		panic(err) // the system's random source failed
	}
	return priv
}

func randomHex(bytes int) string {
	b := make([]byte, bytes)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// registerOperator registers an operator of the bench's own, with a fresh key and id,
// taking payments into iban: one EUR buys one chip.
func (ch *chain) registerOperator(ctx context.Context, iban, bic string) error {
	operator := newKey()
	ch.operator = operator
	reg := txn.NewRegisterOperator("bench-"+randomHex(4), operator.Public().(ed25519.PublicKey),
		txn.BankAccount{IBAN: iban, BIC: bic, Holder: "chipmint bench", Currency: "EUR"}, txn.Rate{Chips: 1_000_000, Minor: 100}, 1<<62)
	op, err := ch.c.RegisterOperator(ctx, reg, ch.issuer)
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	ch.op = op
	return nil
}

// mint runs one purchase by hand, without a bank: buy, confirm as the operator, issue
// as the issuer. It funds the treasury that funds the accounts.
func (ch *chain) mint(ctx context.Context, buyer crypto.Signer, chips uint64) error {
	addr, err := crypto.AddressOfSigner(buyer)
	if err != nil {
		return fmt.Errorf("bench: treasury: %w", err)
	}
	nonce, err := client.NewNonce()
	if err != nil {
		return err
	}
	buy := &txn.BuyRequest{Operator: ch.op.ID, BuyerID: "bench-treasury", AmountMinor: chips / 10_000, Currency: "EUR"}
	if _, err := ch.c.SubmitWithNonce(ctx, buy, buyer, nonce); err != nil {
		return fmt.Errorf("bench: treasury buys: %w", err)
	}
	o, err := ch.c.Order(ctx, txn.OrderID(addr, nonce))
	if err != nil {
		return err
	}
	confirm := &txn.ConfirmPayment{OrderID: o.ID, Buyer: o.Buyer, AmountMinor: o.AmountMinor, Currency: o.Currency, BankReference: "BENCH-" + randomHex(8)}
	if _, err := ch.c.Submit(ctx, confirm, ch.operator); err != nil {
		return fmt.Errorf("bench: operator confirms the treasury's payment: %w", err)
	}
	if o, err = ch.c.Order(ctx, o.ID); err != nil {
		return err
	}
	// With the purchase flow running, the issuer service may issue it first.
	var rej *txn.Error
	_, err = ch.c.Submit(ctx, &txn.Issue{OrderID: o.ID, Chips: o.Chips}, ch.issuer)
	if err != nil && !(errors.As(err, &rej) && rej.Code == txn.OrderAlreadyIssued) {
		return fmt.Errorf("bench: issue to the treasury: %w", err)
	}
	return nil
}

// fund creates n accounts holding accountChips each, paid from a treasury.
func (ch *chain) fund(ctx context.Context, l *load, n int) error {
	treasury := newKey()
	if err := ch.mint(ctx, treasury, uint64(n)*accountChips); err != nil {
		return err
	}
	h, err := ch.c.Height(ctx)
	if err != nil {
		return err
	}
	ch.accounts, ch.addresses = make([]crypto.Signer, n), make([]crypto.Address, n)
	txs := make([][]byte, n)
	for i := range n {
		k := newKey()
		ch.accounts[i], ch.addresses[i] = k, crypto.AddressOf(k.Public().(ed25519.PublicKey))
		if txs[i], err = txn.Sign(ch.chainID, &txn.Transfer{To: ch.addresses[i], AmountChips: accountChips}, treasury, uint64(i+1), uint64(h)+validityBlocks); err != nil {
			return fmt.Errorf("bench: sign the funding: %w", err)
		}
	}
	if err := l.sendAll(ctx, txs); err != nil {
		return err
	}
	for _, a := range []crypto.Address{ch.addresses[0], ch.addresses[n-1]} {
		got, err := ch.c.Balance(ctx, a)
		if err != nil {
			return err
		}
		if got != accountChips {
			return fmt.Errorf("bench: a funded account holds %d, want %d", got, accountChips)
		}
	}
	return nil
}

// transfers signs count transfers of one base unit, account i to account i+1 in turn,
// each with its own nonce, on every core.
func (ch *chain) transfers(ctx context.Context, count int) ([][]byte, error) {
	h, err := ch.c.Height(ctx)
	if err != nil {
		return nil, err
	}
	n := len(ch.accounts)
	to := make([]crypto.Address, n)
	for i, a := range ch.addresses {
		to[(i+n-1)%n] = a
	}
	txs := make([][]byte, count)
	var mu sync.Mutex
	var failed error
	parallel(count, func(i int) {
		from := i % n
		raw, err := txn.Sign(ch.chainID, &txn.Transfer{To: to[from], AmountChips: 1}, ch.accounts[from], uint64(i/n+1), uint64(h)+validityBlocks)
		if err != nil {
			mu.Lock()
			failed = cmp.Or(failed, err)
			mu.Unlock()
		}
		txs[i] = raw
	})
	if failed != nil {
		return nil, fmt.Errorf("bench: sign the transfers: %w", failed)
	}
	return txs, nil
}

// kvstoreTxs builds count distinct key=value transactions of size bytes each, the
// shape CometBFT's example kvstore accepts.
func kvstoreTxs(count, size int) [][]byte {
	run := randomHex(4)
	txs := make([][]byte, count)
	parallel(count, func(i int) {
		key := fmt.Sprintf("%s-%010d=", run, i)
		txs[i] = []byte(key + strings.Repeat("v", max(size-len(key), 1)))
	})
	return txs
}

// parallel calls fn(0..n-1) on every core.
func parallel(n int, fn func(i int)) {
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n; i += workers {
				fn(i)
			}
		})
	}
	wg.Wait()
}
