package cli

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/node"
	"github.com/chipmint/chipmint/internal/txn"
)

// demoTimeout bounds the whole demo: it normally takes seconds.
const demoTimeout = 2 * time.Minute

// NewCmdDemo is `chipmint demo`: the patent's whole flow on a fresh single-validator chain.
func NewCmdDemo(g *Globals) *cobra.Command {
	var keep, verbose bool
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run the whole flow on a fresh local chain: buy, pay, confirm, issue, transfer",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, cancel := context.WithTimeout(cmd.Context(), demoTimeout)
			defer cancel()
			return runDemo(ctx, g, keep, verbose)
		},
	}
	cmd.Flags().BoolVar(&keep, "keep", false, "keep the demo's home folder")
	cmd.Flags().BoolVar(&verbose, "verbose", false, "show the node's logs")
	return cmd
}

// demoStep is one line of the demo's report.
type demoStep struct {
	Step      string  `json:"step"`
	Height    int64   `json:"height,omitempty"`
	ElapsedMS float64 `json:"elapsed_ms"`
}

type demo struct {
	g     *Globals
	c     *client.Client
	start time.Time
	steps []demoStep
}

func (d *demo) say(height int64, format string, args ...any) {
	s := demoStep{Step: fmt.Sprintf(format, args...), Height: height, ElapsedMS: float64(time.Since(d.start).Microseconds()) / 1000}
	d.steps = append(d.steps, s)
	if d.g.Output == "text" {
		fmt.Fprintf(d.g.Out, "%6.2fs  height %-4d %s\n", s.ElapsedMS/1000, s.Height, s.Step)
	}
}

type demoKeys struct {
	issuer, operator, alice, bob ed25519.PrivateKey
}

func newDemoKeys() (demoKeys, error) {
	var k demoKeys
	for _, p := range []*ed25519.PrivateKey{&k.issuer, &k.operator, &k.alice, &k.bob} {
		_, priv, err := crypto.GenerateKey(nil)
		if err != nil {
			return k, err
		}
		*p = priv
	}
	return k, nil
}

func addressOf(k ed25519.PrivateKey) crypto.Address {
	return crypto.AddressOf(k.Public().(ed25519.PublicKey))
}

func runDemo(ctx context.Context, g *Globals, keep, verbose bool) error {
	home, err := os.MkdirTemp("", "chipmint-demo-")
	if err != nil {
		return err
	}
	if !keep {
		defer os.RemoveAll(home)
	}
	keys, err := newDemoKeys()
	if err != nil {
		return err
	}
	d := &demo{g: g, start: time.Now()}
	n, err := startDemoNode(home, keys.issuer, verbose)
	if err != nil {
		return err
	}
	defer n.Stop()
	if d.c, err = client.Dial(ctx, n.RPCAddress()); err != nil {
		return err
	}
	h, _ := d.c.Height(ctx)
	d.say(h, "chain %s started: one validator, issuer %s, home %s", d.c.ChainID(), addressOf(keys.issuer), home)
	err = d.run(ctx, keys)
	if g.Output == "json" {
		writeJSON(g.Out, map[string]any{"ok": err == nil, "steps": d.steps, "home": home})
	}
	if err != nil {
		return fmt.Errorf("demo failed: %w", err)
	}
	return nil
}

func startDemoNode(home string, issuer ed25519.PrivateKey, verbose bool) (*node.Node, error) {
	pub := issuer.Public().(ed25519.PublicKey)
	logger := slog.New(slog.DiscardHandler)
	if verbose {
		logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	return node.StartLocal(home, node.LocalOptions{
		ChainID:   "chipmint-demo",
		Issuers:   []txn.Issuer{{ID: "issuer", Address: crypto.AddressOf(pub), PublicKey: pub}},
		BlockTime: 200 * time.Millisecond,
		Options:   node.Options{Logger: logger, CheckInvariants: true},
	})
}

func (d *demo) run(ctx context.Context, k demoKeys) error {
	if err := d.registerOperator(ctx, k); err != nil {
		return err
	}
	if err := d.variantA(ctx, k); err != nil {
		return err
	}
	if err := d.variantB(ctx, k); err != nil {
		return err
	}
	if err := d.replayRejected(ctx, k); err != nil {
		return err
	}
	res, err := submit(ctx, d.c, &txn.Transfer{To: addressOf(k.bob), AmountChips: 30_000_000}, k.alice)
	if err != nil {
		return fmt.Errorf("transfer: %w", err)
	}
	d.say(res.Height, "alice sends %s to bob", formatChips(30_000_000))
	return d.audit(ctx, k)
}

func (d *demo) registerOperator(ctx context.Context, k demoKeys) error {
	pub := k.operator.Public().(ed25519.PublicKey)
	msg := &txn.RegisterOperator{
		ID: "acme", Address: crypto.AddressOf(pub), PublicKey: pub,
		Account:  txn.BankAccount{IBAN: "DE89370400440532013000", BIC: "COBADEFFXXX", Holder: "Acme Payments GmbH", Currency: "EUR"},
		Rate:     txn.Rate{Chips: 1_000_000, Minor: 100},
		CapChips: 1_000_000_000_000,
	}
	res, err := submit(ctx, d.c, msg, k.issuer)
	if err != nil {
		return fmt.Errorf("register operator: %w", err)
	}
	d.say(res.Height, "issuer registers operator acme: account DE89 3704 0044 0532 0130 00, 1 CHIP per EUR, cap 1,000,000 CHIP")
	return nil
}

// variantA is claim 4A: the operator's signed account notice.
func (d *demo) variantA(ctx context.Context, k demoKeys) error {
	b, err := buy(ctx, d.c, k.alice, "acme", "alice", "100.00")
	if err != nil {
		return fmt.Errorf("alice buys: %w", err)
	}
	d.say(b.Committed.Height, "alice asks for chips: order %s, pay 100.00 EUR with reference %s", b.Order.ID, b.Order.PaymentReference)
	paid, res, err := confirm(ctx, d.c, k.operator, b.Order.ID, "100.00", "UETR-a1f0c2d4-demo")
	if err != nil {
		return fmt.Errorf("acme confirms: %w", err)
	}
	d.say(res.Height, "acme sees 100.00 EUR arrive and signs the account notice: order %s", paid.Status)
	issued, res, err := issue(ctx, d.c, k.issuer, b.Order.ID)
	if err != nil {
		return fmt.Errorf("issuer issues: %w", err)
	}
	d.say(res.Height, "issuer issues %s to alice: order %s (variant A, account notice)", formatChips(issued.Chips), issued.Status)
	if issued.Status != txn.StatusIssued {
		return fmt.Errorf("alice's order is %s, want issued", issued.Status)
	}
	return nil
}

// variantB is claim 4B: the operator's receipt, countersigned by the buyer.
func (d *demo) variantB(ctx context.Context, k demoKeys) error {
	b, err := buy(ctx, d.c, k.bob, "acme", "bob", "250.00")
	if err != nil {
		return fmt.Errorf("bob buys: %w", err)
	}
	d.say(b.Committed.Height, "bob asks for chips: order %s, pay 250.00 EUR with reference %s", b.Order.ID, b.Order.PaymentReference)
	rf, err := createReceipt(ctx, d.c, k.operator, b.Order.ID, "250.00", "UETR-b2e1d3c5-demo", "GB82WEST12345698765432")
	if err != nil {
		return fmt.Errorf("acme writes the receipt: %w", err)
	}
	raw, err := countersign(ctx, d.c, k.bob, rf)
	if err != nil {
		return fmt.Errorf("bob countersigns: %w", err)
	}
	res, err := d.c.Broadcast(ctx, raw)
	if err != nil {
		return fmt.Errorf("bob submits the receipt: %w", err)
	}
	d.say(res.Height, "acme signs a receipt for 250.00 EUR, bob countersigns and submits it: order paid")
	issued, res, err := issue(ctx, d.c, k.issuer, b.Order.ID)
	if err != nil {
		return fmt.Errorf("issuer issues: %w", err)
	}
	d.say(res.Height, "issuer issues %s to bob: order %s (variant B, countersigned receipt)", formatChips(issued.Chips), issued.Status)
	if issued.Status != txn.StatusIssued {
		return fmt.Errorf("bob's order is %s, want issued", issued.Status)
	}
	return nil
}

// replayRejected shows the one-payment-one-mint rule: a bank credit that confirmed one
// order cannot confirm another.
func (d *demo) replayRejected(ctx context.Context, k demoKeys) error {
	b, err := buy(ctx, d.c, k.alice, "acme", "alice", "100.00")
	if err != nil {
		return fmt.Errorf("alice buys again: %w", err)
	}
	_, _, err = confirm(ctx, d.c, k.operator, b.Order.ID, "100.00", "UETR-a1f0c2d4-demo")
	var rej *txn.Error
	if !errors.As(err, &rej) || rej.Code != txn.BankReferenceUsed {
		return fmt.Errorf("reusing a bank reference: want %s, got %v", txn.BankReferenceUsed, err)
	}
	h, _ := d.c.Height(ctx)
	d.say(h, "a second order confirmed with alice's bank reference is rejected: %s", rej.Code)
	return nil
}

func (d *demo) audit(ctx context.Context, k demoKeys) error {
	alice, err := d.c.Balance(ctx, addressOf(k.alice))
	if err != nil {
		return err
	}
	bob, err := d.c.Balance(ctx, addressOf(k.bob))
	if err != nil {
		return err
	}
	s, err := d.c.Supply(ctx)
	if err != nil {
		return err
	}
	inv, err := d.c.CheckInvariants(ctx)
	if err != nil {
		return err
	}
	d.say(inv.Height, "balances: alice %s, bob %s; supply %s", formatChips(alice), formatChips(bob), formatChips(s.TotalChips))
	if !inv.OK || alice+bob != s.TotalChips || s.TotalChips != 350_000_000 {
		return fmt.Errorf("audit failed: invariants %v (%s), balances %d+%d, supply %d", inv.OK, inv.Error, alice, bob, s.TotalChips)
	}
	d.say(inv.Height, "invariants hold: supply = balances = issued - burned, one mint per bank payment")
	return nil
}
