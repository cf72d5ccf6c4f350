package system

import (
	"context"
	"crypto/ed25519"
	"errors"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chipmint/chipmint/internal/bank"
	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/gateway"
	"github.com/chipmint/chipmint/internal/issuer"
	"github.com/chipmint/chipmint/internal/node"
	"github.com/chipmint/chipmint/internal/txn"
)

func key(t *testing.T) ed25519.PrivateKey {
	t.Helper()
	_, k, err := crypto.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func startChain(t *testing.T, issuerKey ed25519.PrivateKey) (context.Context, *Chain) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	pub := issuerKey.Public().(ed25519.PublicKey)
	ch, err := StartLocalChain(ctx, filepath.Join(t.TempDir(), "node"), node.LocalOptions{
		ChainID: "chipmint-system", BlockTime: 100 * time.Millisecond,
		Issuers: []txn.Issuer{{ID: "issuer", Address: crypto.AddressOf(pub), PublicKey: pub}},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ch.Stop() })
	return ctx, ch
}

func operator(k ed25519.PrivateKey) Operator {
	return Operator{ID: "acme", Key: k, Holder: "Acme Payments GmbH", Currency: "EUR",
		Rate: txn.Rate{Chips: 1_000_000, Minor: 100}, CapChips: 1_000_000_000, Mode: gateway.ModeNotice}
}

// A system started twice on the same data registers its operator once and finds its
// bank account again; a bank payment with an order's reference becomes chips.
func TestSystemStartsRegistersOnceAndIssues(t *testing.T) {
	issuerKey, opKey, buyerKey := key(t), key(t), key(t)
	ctx, ch := startChain(t, issuerKey)
	dir := t.TempDir()
	cfg := Config{Dir: dir, Client: ch.Client, IssuerKey: issuerKey, Operators: []Operator{operator(opKey)},
		Issuer: issuer.Config{Rescan: 200 * time.Millisecond}, Poll: 50 * time.Millisecond}
	sys, err := Start(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	first := sys.Operators["acme"]
	if err := sys.Stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	sys, err = Start(ctx, cfg)
	if err != nil {
		t.Fatalf("second start: %v", err)
	}
	defer sys.Stop()
	if again := sys.Operators["acme"]; again.RegisteredHeight != first.RegisteredHeight || again.Account.IBAN != first.Account.IBAN {
		t.Fatalf("second start registered again: %+v then %+v", first, again)
	}
	payer, err := sys.Bank.Client.OpenAccount(ctx, bank.OpenAccountRequest{Holder: "Alice", Currency: "EUR", OpeningBalanceMinor: 10_000})
	if err != nil {
		t.Fatal(err)
	}
	nonce := uint64(7)
	if _, err := ch.Client.SubmitWithNonce(ctx, &txn.BuyRequest{Operator: "acme", BuyerID: "alice", AmountMinor: 2_500, Currency: "EUR"}, buyerKey, nonce); err != nil {
		t.Fatal(err)
	}
	id := txn.OrderID(crypto.AddressOf(buyerKey.Public().(ed25519.PublicKey)), nonce)
	if _, err := sys.Bank.Client.Pay(ctx, bank.TransferRequest{FromIBAN: payer.IBAN, ToIBAN: first.Account.IBAN, AmountMinor: 2_500,
		Currency: "EUR", Reference: txn.PaymentReference(id)}); err != nil {
		t.Fatal(err)
	}
	for {
		o, err := ch.Client.Order(ctx, id)
		if err == nil && o.Status == txn.StatusIssued {
			if o.Chips != 25_000_000 {
				t.Fatalf("issued %d base units for 25.00 EUR", o.Chips)
			}
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("order %s still %q: %v", id, o.Status, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// What cannot work is refused at start, naming what to change, and leaves nothing
// running.
func TestSystemRefusesAtStart(t *testing.T) {
	issuerKey := key(t)
	ctx, ch := startChain(t, issuerKey)
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	opKey := key(t)
	tests := []struct {
		name string
		cfg  func(c *Config)
		want error
		text string
	}{
		{"bank port in use", func(c *Config) {
			c.Bank.Listen, c.Bank.ListenFlag = busy.Addr().String(), "--bank-listen"
		}, nil, "--bank-listen"},
		{"gateway port in use", func(c *Config) {
			c.Operators[0].Listen, c.Operators[0].ListenFlag = busy.Addr().String(), "--gateway-listen"
		}, nil, "--gateway-listen"},
		{"issuer service with another key", func(c *Config) { c.IssuerKey, c.Operators = key(t), nil }, issuer.ErrNotIssuer, ""},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			op := operator(opKey)
			op.ID = "op" + string(rune('a'+i))
			c := Config{Dir: t.TempDir(), Client: ch.Client, IssuerKey: issuerKey, Operators: []Operator{op}}
			tc.cfg(&c)
			sys, err := Start(ctx, c)
			if err == nil {
				sys.Stop()
				t.Fatal("started")
			}
			var le *ListenError
			if tc.text != "" && (!errors.As(err, &le) || !strings.Contains(err.Error(), tc.text)) {
				t.Fatalf("error %v does not name %s", err, tc.text)
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
		})
	}
}

// A gateway started with a key that is not its operator's is refused.
func TestGatewayRefusesAnotherKey(t *testing.T) {
	issuerKey, opKey := key(t), key(t)
	ctx, ch := startChain(t, issuerKey)
	op, err := ch.Client.RegisterOperator(ctx, txn.NewRegisterOperator("acme", opKey.Public().(ed25519.PublicKey),
		txn.BankAccount{IBAN: "DE89370400440532013000", BIC: "COBADEFFXXX", Holder: "Acme", Currency: "EUR"},
		txn.Rate{Chips: 1_000_000, Minor: 100}, 1_000_000), issuerKey)
	if err != nil {
		t.Fatal(err)
	}
	_, err = StartGateway(ctx, GatewayConfig{Client: ch.Client, Key: key(t), Operator: op, Dir: t.TempDir(), BankURL: "http://127.0.0.1:1"})
	if !errors.Is(err, gateway.ErrNotOperatorKey) {
		t.Fatalf("started with another key: %v", err)
	}
}
