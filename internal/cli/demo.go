package cli

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/chipmint/chipmint/internal/bank"
	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/fiat"
	"github.com/chipmint/chipmint/internal/gateway"
	"github.com/chipmint/chipmint/internal/issuer"
	"github.com/chipmint/chipmint/internal/node"
	"github.com/chipmint/chipmint/internal/reserves"
	"github.com/chipmint/chipmint/internal/system"
	"github.com/chipmint/chipmint/internal/txn"
)

// demoTimeout bounds the whole demo: it normally takes seconds.
const demoTimeout = 2 * time.Minute

// NewCmdDemo is `chipmint demo`: the patent's whole flow on a fresh local system.
func NewCmdDemo(g *Globals) *cobra.Command {
	var keep, verbose bool
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run the whole flow on a fresh local system: buy, pay at the bank, confirm, issue, transfer, redeem, refund",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, cancel := context.WithTimeout(cmd.Context(), demoTimeout)
			defer cancel()
			return runDemo(ctx, g, keep, verbose)
		},
	}
	cmd.Flags().BoolVar(&keep, "keep", false, "keep the demo's home folder")
	cmd.Flags().BoolVar(&verbose, "verbose", false, "show the node's and the services' logs")
	return cmd
}

// demoStep is one line of the demo's report.
type demoStep struct {
	Step      string  `json:"step"`
	Height    int64   `json:"height,omitempty"`
	ElapsedMS float64 `json:"elapsed_ms"`
}

// demoActor is one of the demo's actors: a key made for the demo and its public key.
type demoActor struct {
	key crypto.Signer
	pub ed25519.PublicKey
}

func (a demoActor) address() crypto.Address { return crypto.AddressOf(a.pub) }

// demoKeys are the demo's actors: an issuer, two operators, two buyers and an auditor.
type demoKeys struct {
	issuer, acme, bravo, alice, bob, auditor demoActor
}

// demo is the demo's running system.
type demo struct {
	g    *Globals
	home string
	// ob keeps the demo's transactions in its own home.
	ob  outbox
	log *slog.Logger
	k   demoKeys
	c   *client.Client
	// admin is the node's admin address, where its invariants are checked.
	admin *client.Admin
	sys   *system.System
	bank  *bank.Client
	ibans map[string]string
	start time.Time
	steps []demoStep
	// late is an order left to expire, paid after it did.
	late txn.Order
}

// demoOrderTTLBlocks lets a demo order wait 40 blocks (8 s) for its payment, so that
// the demo shows a late payment within its run.
const demoOrderTTLBlocks = 40

func (d *demo) say(height int64, format string, args ...any) {
	s := demoStep{Step: fmt.Sprintf(format, args...), Height: height, ElapsedMS: float64(time.Since(d.start).Microseconds()) / 1000}
	d.steps = append(d.steps, s)
	if d.g.Output == "text" {
		fmt.Fprintf(d.g.Out, "%6.2fs  height %-4d %s\n", s.ElapsedMS/1000, s.Height, s.Step)
	}
}

func (d *demo) height(ctx context.Context) int64 {
	h, _ := d.c.Height(ctx)
	return h
}

func newDemoKeys() (demoKeys, error) {
	var k demoKeys
	for _, a := range []*demoActor{&k.issuer, &k.acme, &k.bravo, &k.alice, &k.bob, &k.auditor} {
		pub, priv, err := crypto.GenerateKey(nil)
		if err != nil {
			return k, err
		}
		*a = demoActor{key: priv, pub: pub}
	}
	return k, nil
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
	log := slog.New(slog.DiscardHandler)
	if verbose {
		log = slog.New(slog.NewTextHandler(g.Err, nil))
	}
	d := &demo{g: g, home: home, ob: outbox{home: home, warn: g.Err}, log: log, k: keys, start: time.Now(), ibans: map[string]string{}}
	err = d.runAll(ctx)
	if g.Output == "json" {
		writeJSON(g.Out, map[string]any{"ok": err == nil, "steps": d.steps, "home": home})
	}
	if err != nil {
		return fmt.Errorf("demo failed: %w", err)
	}
	return nil
}

func (d *demo) runAll(ctx context.Context) error {
	pub, auditor := d.k.issuer.pub, d.k.auditor.pub
	ch, err := system.StartLocalChain(ctx, filepath.Join(d.home, "node"), node.LocalOptions{
		ChainID:        "chipmint-demo",
		Issuers:        []txn.Issuer{{ID: "issuer", Address: crypto.AddressOf(pub), PublicKey: pub}},
		Auditors:       []txn.Auditor{{ID: "auditor", Address: crypto.AddressOf(auditor), PublicKey: auditor}},
		BlockTime:      200 * time.Millisecond,
		OrderTTLBlocks: demoOrderTTLBlocks,
		Options:        node.Options{Logger: d.log.With("part", "node"), CheckInvariants: true, AdminListen: "127.0.0.1:0"},
	})
	if err != nil {
		return err
	}
	defer ch.Stop()
	d.c, d.admin = ch.Client, ch.Admin
	d.say(d.height(ctx), "chain %s started: one validator, issuer %s, auditor %s", d.c.ChainID(), d.k.issuer.address(), d.k.auditor.address())
	steps := []func(context.Context) error{
		d.startSystem, d.openBuyerAccounts, d.orderLeftToExpire, d.variantA, d.variantB, d.unmatchedPayment, d.reversal, d.cover,
		d.transfer, d.redemption, d.cancelled, d.overpayment, d.latePayment, d.audit, d.reserves,
	}
	defer func() {
		if d.sys != nil {
			_ = d.sys.Stop()
		}
	}()
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return err
		}
	}
	return nil
}

// startSystem starts the sandbox bank, registers the operators with their accounts
// there, and runs acme's gateway (account notices), bravo's (receipts) and the issuer
// service, as separate parts talking to the chain and the bank over loopback.
func (d *demo) startSystem(ctx context.Context) error {
	rate := txn.Rate{Chips: 1_000_000, Minor: 100}
	sys, err := system.Start(ctx, system.Config{
		Dir: d.home, Client: d.c, IssuerKey: d.k.issuer.key,
		Operators: []system.Operator{
			{ID: "acme", Key: d.k.acme.key, Holder: "Acme Payments GmbH", Currency: "EUR", Rate: rate, CapChips: 1_000_000_000_000, Mode: gateway.ModeNotice, AutoRefund: true},
			{ID: "bravo", Key: d.k.bravo.key, Holder: "Bravo Bank Gateway SA", Currency: "EUR", Rate: rate, CapChips: 1_000_000_000_000, Mode: gateway.ModeReceipt, AutoRefund: true},
		},
		Issuer: issuer.Config{Rescan: time.Second}, Poll: 100 * time.Millisecond, Logger: d.log,
	})
	if err != nil {
		return err
	}
	d.sys, d.bank = sys, sys.Bank.Client
	for _, id := range []string{"acme", "bravo"} {
		op := sys.Operators[id]
		d.ibans[id] = op.Account.IBAN
		d.say(op.RegisteredHeight, "issuer registers operator %s: account %s, 1 CHIP per EUR", id, fiat.IBAN(op.Account.IBAN).Print())
	}
	d.say(d.height(ctx), "services started: the sandbox bank, acme's gateway (account notices), bravo's gateway (receipts), the issuer service")
	return nil
}

// openBuyerAccounts opens alice's and bob's accounts at the sandbox bank.
func (d *demo) openBuyerAccounts(ctx context.Context) error {
	for _, name := range []string{"alice", "bob"} {
		acct, err := d.bank.OpenAccount(ctx, bank.OpenAccountRequest{Holder: strings.ToUpper(name[:1]) + name[1:], Currency: "EUR", OpeningBalanceMinor: 100_000})
		if err != nil {
			return fmt.Errorf("open %s's bank account: %w", name, err)
		}
		d.ibans[name] = acct.IBAN
	}
	d.say(d.height(ctx), "alice and bob open bank accounts with 1,000.00 EUR each")
	return nil
}

// variantA is claim 4A: a bank transfer, the operator's gateway confirms it with an
// account notice, the issuer service mints.
func (d *demo) variantA(ctx context.Context) error {
	b, err := buy(ctx, d.c, d.ob, d.k.alice.key, "acme", "alice", "100.00")
	if err != nil {
		return fmt.Errorf("alice buys: %w", err)
	}
	d.say(b.Committed.Height, "alice asks acme for chips: order %s, pay 100.00 EUR with reference %s", b.Order.ID, b.Order.PaymentReference)
	tr, err := d.pay("alice", "acme", 10_000, b.Order.PaymentReference)
	if err != nil {
		return err
	}
	d.say(d.height(ctx), "alice pays 100.00 EUR at the bank: UETR %s", tr.UETR)
	paid, err := d.waitOrder(ctx, b.Order.ID, txn.StatusPaid)
	if err != nil {
		return err
	}
	d.say(paid.PaidHeight, "acme's gateway reads the camt.054 credit and confirms: order paid, %s owed", formatChips(paid.Chips))
	issued, err := d.waitOrder(ctx, b.Order.ID, txn.StatusIssued)
	if err != nil {
		return err
	}
	d.say(issued.IssuedHeight, "issuer service issues %s to alice: order issued (variant A, account notice)", formatChips(issued.Chips))
	return nil
}

// variantB is claim 4B: the gateway writes a receipt, the buyer countersigns it.
func (d *demo) variantB(ctx context.Context) error {
	b, err := buy(ctx, d.c, d.ob, d.k.bob.key, "bravo", "bob", "250.00")
	if err != nil {
		return fmt.Errorf("bob buys: %w", err)
	}
	d.say(b.Committed.Height, "bob asks bravo for chips: order %s, pay 250.00 EUR with reference %s", b.Order.ID, b.Order.PaymentReference)
	if _, err := d.pay("bob", "bravo", 25_000, b.Order.PaymentReference); err != nil {
		return err
	}
	d.say(d.height(ctx), "bob pays 250.00 EUR at the bank")
	rf, err := d.waitReceipt(ctx, filepath.Join(d.home, "gateway-bravo", "receipts", b.Order.ID+".json"))
	if err != nil {
		return err
	}
	d.say(d.height(ctx), "bravo's gateway sees the credit and writes a signed receipt: %s for %s", formatMoney(rf.Receipt.AmountMinor, rf.Receipt.Currency), formatChips(rf.Receipt.Chips))
	raw, err := countersign(ctx, d.c, d.k.bob.key, rf)
	if err != nil {
		return fmt.Errorf("bob countersigns: %w", err)
	}
	res, err := d.c.Broadcast(ctx, raw)
	if err != nil {
		return fmt.Errorf("bob submits the receipt: %w", err)
	}
	d.say(res.Height, "bob's wallet checks the operator's signature, countersigns and submits: order paid")
	issued, err := d.waitOrder(ctx, b.Order.ID, txn.StatusIssued)
	if err != nil {
		return err
	}
	d.say(issued.IssuedHeight, "issuer service issues %s to bob: order issued (variant B, countersigned receipt)", formatChips(issued.Chips))
	return nil
}

// reversal: a payment that confirmed an issued order is taken back by the bank; the
// gateway records it on the chain, and the chips it issued are the operator's shortfall.
func (d *demo) reversal(ctx context.Context) error {
	b, err := buy(ctx, d.c, d.ob, d.k.alice.key, "acme", "alice", "20.00")
	if err != nil {
		return fmt.Errorf("alice buys again: %w", err)
	}
	tr, err := d.pay("alice", "acme", 2_000, b.Order.PaymentReference)
	if err != nil {
		return err
	}
	if _, err := d.waitOrder(ctx, b.Order.ID, txn.StatusIssued); err != nil {
		return err
	}
	d.say(d.height(ctx), "alice buys 20.00 EUR more of chips and pays: order %s issued", b.Order.ID)
	if _, err := d.bank.Reverse(ctx, bank.ReverseRequest{Transfer: tr.ID, Reason: "FR01"}); err != nil {
		return fmt.Errorf("the bank reverses alice's payment: %w", err)
	}
	d.say(d.height(ctx), "the bank takes the 20.00 EUR back (FR01, fraud reported by the payer's bank)")
	reversed, err := d.waitOrder(ctx, b.Order.ID, txn.StatusReversed)
	if err != nil {
		return err
	}
	d.say(reversed.ReversedHeight, "acme's gateway reads the reversal and records it on the chain: order reversed, acme short %s", formatChips(reversed.Chips))
	return nil
}

// cover: acme pays 20.00 EUR of its own money into its account and records on the chain
// that this credit backs its shortfall.
func (d *demo) cover(ctx context.Context) error {
	own, err := d.bank.OpenAccount(ctx, bank.OpenAccountRequest{Holder: "Acme Payments GmbH (own funds)", Currency: "EUR", OpeningBalanceMinor: 100_000})
	if err != nil {
		return fmt.Errorf("open acme's own account: %w", err)
	}
	d.ibans["acme-own"] = own.IBAN
	tr, err := d.pay("acme-own", "acme", 2_000, "capital: cover of the shortfall")
	if err != nil {
		return err
	}
	res, err := d.c.Submit(ctx, &txn.CoverShortfall{BankReference: tr.UETR, AmountMinor: 2_000, Currency: "EUR"}, d.k.acme.key)
	if err != nil {
		return fmt.Errorf("acme covers its shortfall: %w", err)
	}
	op, err := d.c.Operator(ctx, "acme")
	if err != nil {
		return err
	}
	d.say(res.Height, "acme pays 20.00 EUR of its own money into its account and records it on the chain: shortfall %s, covered %s",
		formatChips(op.ShortfallChips), formatChips(op.CoveredChips))
	return nil
}

// reserves: the auditor checks both operators' bank statements against the chain,
// entry by entry, seals the report and attests it on the chain.
func (d *demo) reserves(ctx context.Context) error {
	stmts, err := reserves.BankStatements(ctx, d.c, d.bank, reserves.RecentDates(time.Now()))
	if err != nil {
		return err
	}
	a, err := reserves.Attest(ctx, d.c, d.k.auditor.key, stmts, filepath.Join(d.home, "reserves"))
	if err != nil {
		return fmt.Errorf("the auditor's check of the reserves: %w", err)
	}
	for _, op := range a.Report.Operators {
		entries := fmt.Sprintf("%d entries each", op.Entries)
		if op.Entries == 1 {
			entries = "its one entry"
		}
		d.say(a.Report.Height, "auditor: %s's statement, %s explained by the chain: balance %s backs %s outstanding (liabilities %s)",
			op.Operator, entries, formatSignedMoney(op.ClosingMinor, op.Currency), formatChips(op.OutstandingChips), formatMoney(op.LiabilitiesMinor, op.Currency))
		for _, f := range op.Findings {
			d.say(a.Report.Height, "auditor: %s %s %s: %s", op.Operator, f.Kind, f.Reference, f.Reason)
		}
	}
	if !a.Report.Backed {
		return fmt.Errorf("the reserves are not backed: report %s", a.File)
	}
	d.say(a.Tx.Height, "every chip is backed and every bank entry explained: report %s… sealed by the auditor and attested on the chain", a.Digest[:16])
	return nil
}

// unmatchedPayment: money without an order's reference is an exception, never chips.
func (d *demo) unmatchedPayment(ctx context.Context) error {
	tr, err := d.pay("alice", "acme", 4_200, "invoice 1234")
	if err != nil {
		return err
	}
	d.say(d.height(ctx), "alice pays acme 42.00 EUR with the free text \"invoice 1234\"")
	deadline := time.Now().Add(30 * time.Second)
	for {
		recs, err := gatewayExceptions(ctx, d.sys.Gateways["acme"], "", d.g)
		if err != nil {
			return err
		}
		for _, r := range recs {
			if r.BankReference == tr.UETR {
				d.say(d.height(ctx), "acme's gateway records it as an exception to refund, no chips: %s", r.Reason)
				return d.refundByHand(ctx, tr)
			}
		}
		if time.Now().After(deadline) {
			return errors.New("the unmatched payment did not become an exception within 30s")
		}
		if err := pause(ctx, 100*time.Millisecond); err != nil {
			return err
		}
	}
}

// refundByHand is acme's person refunding the exception (chipmint operator refund): the
// gateway pays it back through the bank and records the refund on the chain once the
// bank has booked it.
func (d *demo) refundByHand(ctx context.Context, tr bank.Transfer) error {
	out, err := gateway.NewAdminClient(d.sys.Gateways["acme"]).Refund(ctx, tr.UETR)
	if err != nil {
		return fmt.Errorf("refund of the unmatched payment: %w", err)
	}
	d.say(d.height(ctx), "acme refunds it (chipmint operator refund): the gateway pays %s back to alice, end-to-end id %s",
		formatMoney(out.AmountMinor, out.Currency), out.EndToEndID)
	f, err := waitFor(ctx, func() (txn.Refund, bool, error) {
		f, err := d.c.Refund(ctx, "acme", tr.UETR)
		return f, err == nil, ignoreNotFound(err)
	})
	if err != nil {
		return fmt.Errorf("the refund of %s was not recorded: %w", tr.UETR, err)
	}
	d.say(f.Height, "the bank books the debit; acme's gateway records the refund on the chain: %s", f.RefundReference)
	return nil
}

// orderLeftToExpire is an order alice places and does not pay in time.
func (d *demo) orderLeftToExpire(ctx context.Context) error {
	b, err := buy(ctx, d.c, d.ob, d.k.alice.key, "acme", "alice", "12.00")
	if err != nil {
		return fmt.Errorf("alice buys: %w", err)
	}
	d.late = b.Order
	d.say(b.Committed.Height, "alice orders 12.00 EUR of chips from acme and does not pay yet: order %s expires after height %d", b.Order.ID, b.Order.ExpiresHeight)
	return nil
}

// redemption: alice turns chips back into money; acme's gateway pays her through the
// bank and the chips are burned once the bank has booked the payout.
func (d *demo) redemption(ctx context.Context) error {
	before, err := d.bank.Account(ctx, d.ibans["alice"])
	if err != nil {
		return err
	}
	to, err := txn.NewAccountOpening(txn.Account{IBAN: d.ibans["alice"], Holder: "Alice", Currency: "EUR"})
	if err != nil {
		return err
	}
	_, res, err := d.ob.send(ctx, d.c, "redeem", &txn.Redeem{Operator: "acme", AmountChips: 25_000_000, Currency: "EUR", Payee: to.Commitment()}, d.k.alice.key)
	if err != nil {
		return fmt.Errorf("alice redeems: %w", err)
	}
	id := txn.RedemptionID(d.k.alice.address(), res.Nonce)
	if err := givePayee(ctx, d.sys.Gateways["acme"], id, to); err != nil {
		return fmt.Errorf("alice gives acme's gateway her account: %w", err)
	}
	d.say(res.Height, "alice redeems %s through acme: redemption %s, the chips wait in escrow; her account goes to acme's gateway, the chain holds only its salted commitment",
		formatChips(25_000_000), id)
	red, err := waitFor(ctx, func() (txn.Redemption, bool, error) {
		r, err := d.c.Redemption(ctx, id)
		return r, err == nil && r.Status == txn.RedemptionPaidOut, err
	})
	if err != nil {
		return fmt.Errorf("redemption %s not paid out: %w", id, err)
	}
	after, err := d.bank.Account(ctx, d.ibans["alice"])
	if err != nil {
		return err
	}
	d.say(red.PaidHeight, "acme's gateway records the payout, the bank pays %s to alice (her balance +%s); the debit is booked and %s burned",
		formatMoney(red.AmountMinor, red.Currency), formatMoney(after.BalanceMinor-before.BalanceMinor, "EUR"), formatChips(red.Chips))
	return nil
}

// cancelled: bob withdraws an order before paying it.
func (d *demo) cancelled(ctx context.Context) error {
	b, err := buy(ctx, d.c, d.ob, d.k.bob.key, "acme", "bob", "30.00")
	if err != nil {
		return fmt.Errorf("bob buys: %w", err)
	}
	_, res, err := d.ob.send(ctx, d.c, "cancel", &txn.CancelOrder{OrderID: b.Order.ID}, d.k.bob.key)
	if err != nil {
		return fmt.Errorf("bob cancels: %w", err)
	}
	d.say(res.Height, "bob orders 30.00 EUR of chips and cancels before paying: order %s cancelled", b.Order.ID)
	return nil
}

// overpayment: bob pays 50.00 EUR for an order of 5.00; he gets 5 chips and acme's
// gateway refunds the 45.00 surplus by itself.
func (d *demo) overpayment(ctx context.Context) error {
	b, err := buy(ctx, d.c, d.ob, d.k.bob.key, "acme", "bob", "5.00")
	if err != nil {
		return fmt.Errorf("bob buys: %w", err)
	}
	if _, err := d.pay("bob", "acme", 5_000, b.Order.PaymentReference); err != nil {
		return err
	}
	d.say(d.height(ctx), "bob orders 5.00 EUR of chips and pays 50.00 EUR by mistake")
	o, err := waitFor(ctx, func() (txn.Order, bool, error) {
		o, err := d.c.Order(ctx, b.Order.ID)
		return o, err == nil && o.Status == txn.StatusIssued && o.RefundedHeight > 0, err
	})
	if err != nil {
		return fmt.Errorf("order %s: %w", b.Order.ID, err)
	}
	d.say(o.RefundedHeight, "acme confirms what was received; the chain issues %s for the 5.00 ordered, and the gateway refunds the %s surplus (recorded: %s)",
		formatChips(o.Chips), formatMoney(o.OwedMinor, o.Currency), o.RefundReference)
	return nil
}

// latePayment: alice pays the order she left to expire; the payment buys no chips and
// acme's gateway refunds it by itself.
func (d *demo) latePayment(ctx context.Context) error {
	if _, err := d.waitOrder(ctx, d.late.ID, txn.StatusExpired); err != nil {
		return err
	}
	tr, err := d.pay("alice", "acme", 1_200, d.late.PaymentReference)
	if err != nil {
		return err
	}
	d.say(d.height(ctx), "order %s expired; alice pays its 12.00 EUR anyway", d.late.ID)
	f, err := waitFor(ctx, func() (txn.Refund, bool, error) {
		f, err := d.c.Refund(ctx, "acme", tr.UETR)
		return f, err == nil, ignoreNotFound(err)
	})
	if err != nil {
		return fmt.Errorf("the late payment was not refunded: %w", err)
	}
	d.say(f.Height, "acme's gateway refunds the late payment by itself: %s back to alice, recorded on the chain", formatMoney(f.AmountMinor, f.Currency))
	return nil
}

// waitFor polls read until it reports done or ctx ends.
func waitFor[T any](ctx context.Context, read func() (T, bool, error)) (T, error) {
	for {
		v, done, err := read()
		if err != nil || done {
			return v, err
		}
		if err := pause(ctx, 50*time.Millisecond); err != nil {
			return v, err
		}
	}
}

// ignoreNotFound is err, unless it says the thing is not there (yet).
func ignoreNotFound(err error) error {
	if errors.Is(err, client.ErrNotFound) {
		return nil
	}
	return err
}

func (d *demo) transfer(ctx context.Context) error {
	_, res, err := d.ob.send(ctx, d.c, "send", &txn.Transfer{To: d.k.bob.address(), AmountChips: 30_000_000}, d.k.alice.key)
	if err != nil {
		return fmt.Errorf("transfer: %w", err)
	}
	d.say(res.Height, "alice sends %s to bob", formatChips(30_000_000))
	return nil
}

func (d *demo) audit(ctx context.Context) error {
	alice, err := d.c.Balance(ctx, d.k.alice.address())
	if err != nil {
		return err
	}
	bob, err := d.c.Balance(ctx, d.k.bob.address())
	if err != nil {
		return err
	}
	s, err := d.c.Supply(ctx)
	if err != nil {
		return err
	}
	inv, err := d.admin.CheckInvariants(ctx)
	if err != nil {
		return err
	}
	d.say(inv.Height, "balances: alice %s, bob %s; supply %s", formatChips(alice), formatChips(bob), formatChips(s.TotalChips))
	acme, err := d.bank.Account(ctx, d.ibans["acme"])
	if err != nil {
		return err
	}
	bravo, err := d.bank.Account(ctx, d.ibans["bravo"])
	if err != nil {
		return err
	}
	op, err := d.c.Operator(ctx, "acme")
	if err != nil {
		return err
	}
	d.say(inv.Height, "reserves at the bank: acme %s (backing %s outstanding, of which %s covered by its own money; every refund paid), bravo %s",
		formatMoney(acme.BalanceMinor, "EUR"), formatChips(op.OutstandingChips()), formatChips(op.CoveredChips), formatMoney(bravo.BalanceMinor, "EUR"))
	// Issued 100 + 250 + 20 + 5, burned 25; acme holds 100.00 - 25.00 + 5.00 and the
	// 20.00 of its own that cover its shortfall.
	if !inv.OK || alice+bob+s.EscrowChips != s.TotalChips || s.TotalChips != 350_000_000 || s.BurnedChips != 25_000_000 ||
		op.ShortfallChips != 0 || op.CoveredChips != 20_000_000 || acme.BalanceMinor != 10_000 || bravo.BalanceMinor != 25_000 {
		return fmt.Errorf("audit failed: invariants %v (%s), balances %d+%d, supply %+v, shortfall %d, reserves %d and %d",
			inv.OK, inv.Error, alice, bob, s, op.ShortfallChips, acme.BalanceMinor, bravo.BalanceMinor)
	}
	d.say(inv.Height, "invariants hold: supply = balances + escrow = issued - burned, one mint per bank payment, every credit confirmed or refunded, shortfall + covered = issued then reversed")
	return nil
}

func (d *demo) pay(from, to string, amountMinor uint64, reference string) (bank.Transfer, error) {
	tr, err := d.bank.Pay(context.Background(), bank.TransferRequest{
		FromIBAN: d.ibans[from], ToIBAN: d.ibans[to], AmountMinor: amountMinor, Currency: "EUR", Reference: reference,
	})
	if err != nil {
		return tr, fmt.Errorf("%s pays %s at the bank: %w", from, to, err)
	}
	return tr, nil
}

// waitOrder polls until the order reaches status or ctx ends.
func (d *demo) waitOrder(ctx context.Context, id string, status txn.OrderStatus) (txn.Order, error) {
	for {
		o, err := d.c.Order(ctx, id)
		if err == nil && o.Status == status {
			return o, nil
		}
		if err := pause(ctx, 50*time.Millisecond); err != nil {
			return o, fmt.Errorf("order %s is %q, still not %s: %w", id, o.Status, status, err)
		}
	}
}

func (d *demo) waitReceipt(ctx context.Context, path string) (txn.ReceiptFile, error) {
	for {
		var rf txn.ReceiptFile
		if b, err := os.ReadFile(path); err == nil {
			return rf, json.Unmarshal(b, &rf)
		}
		if err := pause(ctx, 50*time.Millisecond); err != nil {
			return rf, fmt.Errorf("no receipt at %s: %w", path, err)
		}
	}
}

func pause(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}
