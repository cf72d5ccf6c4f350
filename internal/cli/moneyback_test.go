package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/keystore"
	"github.com/chipmint/chipmint/internal/node"
	"github.com/chipmint/chipmint/internal/txn"
)

// try runs a command against the chain and returns what it printed and its exit
// status, whatever they are.
func (tc testChain) try(t *testing.T, args ...string) (string, string, ExitCode) {
	t.Helper()
	return run(t, append([]string{"--home", tc.home, "--node", tc.ch.Node.RPCAddress()}, args...)...)
}

// refused wants the command to fail with exit status code and stderr naming each of want.
func (tc testChain) refused(t *testing.T, code ExitCode, args []string, want ...string) {
	t.Helper()
	out, errOut, got := tc.try(t, args...)
	if got != code {
		t.Fatalf("chipmint %v: exit %d, want %d: %s %s", args, got, code, out, errOut)
	}
	for _, w := range want {
		if !strings.Contains(errOut, w) {
			t.Fatalf("chipmint %v: stderr %q does not name %q", args, errOut, w)
		}
	}
}

// fund gives the key name chips through a paid and issued order of amount EUR at acme.
func (tc testChain) fund(t *testing.T, name, amount string) {
	t.Helper()
	id := orderIDIn(t, tc.cli("buy", "--from", name, "--operator", "acme", "--amount", amount))
	tc.cli("confirm", "--from", "acme", "--order", id, "--amount", amount, "--bank-ref", "FUND-"+id)
	tc.cli("issue", "--from", "issuer", "--order", id)
}

// key unlocks a key of the chain's home, to sign what no command signs.
func (tc testChain) key(t *testing.T, name string) crypto.Signer {
	t.Helper()
	ks, err := keystore.Open(node.KeysDir(tc.home))
	if err != nil {
		t.Fatal(err)
	}
	k, err := ks.Unlock(name, "chain-test")
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// address is the address of the key name.
func (tc testChain) address(t *testing.T, name string) crypto.Address {
	t.Helper()
	ks, err := keystore.Open(node.KeysDir(tc.home))
	if err != nil {
		t.Fatal(err)
	}
	k, err := ks.Show(name)
	if err != nil {
		t.Fatal(err)
	}
	return k.Address
}

// submit signs msg with the key name and wants it committed.
func (tc testChain) submit(t *testing.T, name string, msg txn.Msg) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := tc.ch.Client.Submit(ctx, msg, tc.key(t, name)); err != nil {
		t.Fatalf("%T: %v", msg, err)
	}
}

// chipsOf is the chips the key name holds, in base units.
func (tc testChain) chipsOf(t *testing.T, name string) uint64 {
	t.Helper()
	var b struct {
		Chips uint64 `json:"chips,string"`
	}
	if err := json.Unmarshal([]byte(tc.cli("-o", "json", "balance", name)), &b); err != nil {
		t.Fatal(err)
	}
	return b.Chips
}

func (tc testChain) redemption(t *testing.T, id string) txn.Redemption {
	t.Helper()
	var v redemptionView
	if err := json.Unmarshal([]byte(tc.cli("-o", "json", "redemption", "show", id)), &v); err != nil {
		t.Fatal(err)
	}
	return v.Redemption
}

var redemptionRequested = regexp.MustCompile(`redemption ([0-9A-F]{20}) requested \(height \d+\)`)

// redemptionIn is the redemption id that redeem printed.
func redemptionIn(t *testing.T, out string) string {
	t.Helper()
	m := redemptionRequested.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("redeem printed %q", out)
	}
	return m[1]
}

// A holder redeems chips into an IBAN written as people write it, and into an account
// without one; the quote comes first, only the chips the payout buys back leave the
// balance, the escrow shows in supply and the operator's views, and redemption show
// follows the payout to its booking.
func TestRedeemThenShow(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a node")
	}
	tc := startTestChain(t, 0)
	tc.cli("keys", "add", "alice")
	tc.fund(t, "alice", "100.00")

	out := tc.cli("redeem", "--from", "alice", "--operator", "acme", "--amount", "10.005", "--to", "de89 3704 0044 0532 0130 00")
	quote := "redeeming 10.005 CHIP through acme: you receive 10.00 EUR for 10.00 CHIP; 0.005 CHIP stay yours\n"
	if !strings.HasPrefix(out, quote) {
		t.Fatalf("redeem does not quote first:\n%s", out)
	}
	for _, want := range []string{"10.00 CHIP in escrow", "acme pays 10.00 EUR to alice, DE89 3704 0044 0532 0130 00",
		"payout to be initiated up to and including height "} {
		if !strings.Contains(out, want) {
			t.Fatalf("redeem lacks %q:\n%s", want, out)
		}
	}
	first := redemptionIn(t, out)
	if got := tc.chipsOf(t, "alice"); got != 90_000_000 {
		t.Fatalf("alice holds %d base units after redeeming 10.005 CHIP for 10.00 EUR, want 90 CHIP", got)
	}

	var res RedeemResult
	out = tc.cli("-o", "json", "redeem", "--from", "alice", "--operator", "acme", "--amount", "20",
		"--to", "6222 0210 0100 0000 001 (scheme bban)", "--holder", "Alice Example", "--bic", "cobadeffxxx")
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	alice := tc.address(t, "alice")
	second := res.Redemption
	want := txn.Account{OtherID: "6222021001000000001", Scheme: "BBAN", BIC: "COBADEFFXXX", Holder: "Alice Example", Currency: "EUR"}
	// The chain holds the account as a salted commitment, the home its opening.
	secondTo, err := payees{home: tc.home}.find(second.Payee)
	record, _ := json.Marshal(second)
	if err != nil || secondTo.Account != want || bytes.Contains(record, []byte("6222021001000000001")) || bytes.Contains(record, []byte("Alice Example")) {
		t.Fatalf("the payee of the second redemption: %+v %v", secondTo, err)
	}
	if second.ID != txn.RedemptionID(alice, res.Committed.Nonce) || second.Chips != 20_000_000 || res.PayeeGiven ||
		second.AmountMinor != 2000 || res.AskedChips != 20_000_000 || res.KeptChips != 0 || res.PayoutDeadline.Height != second.DeadlineHeight {
		t.Fatalf("redeem in JSON: %s", out)
	}

	shown := tc.redemption(t, strings.ToLower(first))
	firstTo, err := payees{home: tc.home}.find(shown.Payee)
	if err != nil || firstTo.Account.IBAN != "DE89370400440532013000" || firstTo.Account.Holder != "alice" {
		t.Fatalf("the payee of the first redemption: %+v %v", firstTo, err)
	}
	if shown.Status != txn.RedemptionRequested ||
		shown.Chips != 10_000_000 || shown.AmountMinor != 1000 || shown.Holder != alice {
		t.Fatalf("redemption show: %+v", shown)
	}
	if s := tc.cli("supply"); !strings.Contains(s, "supply 100.00 CHIP") || !strings.Contains(s, "of which 30.00 CHIP in escrow") {
		t.Fatalf("supply does not show the escrow:\n%s", s)
	}
	if s := tc.cli("operator", "list"); !strings.Contains(s, "outstanding 100.00 CHIP") || !strings.Contains(s, "escrow 30.00 CHIP") {
		t.Fatalf("operator list does not show the escrow:\n%s", s)
	}
	if s := tc.cli("operator", "show", "acme"); !strings.Contains(s, "escrow       30.00 CHIP") || !strings.Contains(s, "rate         1.00 CHIP per 1.00 EUR") {
		t.Fatalf("operator show:\n%s", s)
	}
	if s := tc.cli("redemption", "list", "--operator", "acme"); !strings.Contains(s, first+"  requested") || !strings.Contains(s, second.ID+"  requested") {
		t.Fatalf("redemption list:\n%s", s)
	}

	tc.submit(t, "acme", &txn.PayoutInitiated{RedemptionID: first, PayoutReference: "PAIN-1"})
	tc.submit(t, "acme", &txn.ConfirmPayout{RedemptionID: first, BankReference: "DEBIT-1"})
	text := tc.cli("redemption", "show", first)
	for _, want := range []string{first + " (paid_out)", "chips       10.00 CHIP", "amount      10.00 EUR",
		"account     alice, DE89 3704 0044 0532 0130 00 (kept in this home", "payout      reference PAIN-1", "paid out    bank reference DEBIT-1"} {
		if !strings.Contains(text, want) {
			t.Fatalf("redemption show lacks %q:\n%s", want, text)
		}
	}
	if s := tc.cli("redemption", "list", "--operator", "acme"); strings.Contains(s, first) || !strings.Contains(s, second.ID) {
		t.Fatalf("redemption list after the payout of %s:\n%s", first, s)
	}
	if s := tc.cli("supply"); !strings.Contains(s, "supply 90.00 CHIP") || !strings.Contains(s, "burned 10.00 CHIP") {
		t.Fatalf("supply after the payout:\n%s", s)
	}
}

// Redemption refusals: what is refused before signing names the flag and sends nothing;
// what the chain refuses carries its code.
func TestRedeemRefusals(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a node")
	}
	tc := startTestChain(t, 0)
	tc.cli("keys", "add", "alice")
	tc.cli("keys", "add", "bob")
	tc.fund(t, "alice", "5.00")
	redeem := func(args ...string) []string {
		return append([]string{"redeem", "--from", "alice", "--operator", "acme", "--amount", "1", "--to", "DE89370400440532013000"}, args...)
	}
	tc.refused(t, ExitError, redeem("--operator", "nobody"), `--operator: no operator "nobody" is registered`)
	tc.refused(t, ExitUsage, redeem("--amount", "5.01"), `--amount: 5.01 CHIP is more than the 5.00 CHIP key "alice" holds`)
	tc.refused(t, ExitUsage, redeem("--amount", "0.009999"), "--amount: 0.009999 CHIP is worth less than 0.01 EUR", "redeem at least 0.01 CHIP")
	tc.refused(t, ExitUsage, redeem("--to", "DE00370400440532013000"), "--to: ")
	tc.refused(t, ExitUsage, redeem("--to", "6222021001000000001 (scheme XXXX)"), "--to: ", "scheme")
	tc.refused(t, ExitUsage, redeem("--to", "6222021001000000001 (scheme BBAN"), "--to: ")
	tc.refused(t, ExitUsage, redeem("--bic", "COBA"), "--bic")
	tc.refused(t, ExitUsage, redeem("--from", "nobody"), `--from: no key "nobody"`)
	tc.refused(t, ExitUsage, []string{"redeem", "--from", "alice", "--operator", "acme"}, "--amount and --to are required")
	if files := outboxFiles(t, tc.home); len(files) != 0 {
		t.Fatalf("a refused redemption was kept: %v", files)
	}
	if got := tc.chipsOf(t, "alice"); got != 5_000_000 {
		t.Fatalf("alice holds %d base units after refused redemptions, want 5 CHIP", got)
	}

	// The chain's refusals, with their codes.
	tc.refused(t, ExitUsage, redeem("--amount", "0"), "--amount: must be positive")
	id := redemptionIn(t, tc.cli(redeem("--amount", "2")...))
	tc.refused(t, ExitRejected, []string{"redemption", "reject", "--from", "issuer", id, "--reason", "no"}, "wrong_role (code 11)")
	tc.refused(t, ExitRejected, []string{"redemption", "reject", "--from", "alice", id, "--reason", "no"}, "not_operator (code 10)")
	tc.refused(t, ExitRejected, []string{"restore", "--from", "acme", id}, "wrong_role (code 11)")
	tc.refused(t, ExitRejected, []string{"restore", "--from", "issuer", id}, "redemption_not_returned (code 36)")
	tc.refused(t, ExitRejected, []string{"redemption", "reject", "--from", "acme", "00000000000000000000", "--reason", "no"}, "unknown_redemption (code 32)")
	tc.refused(t, ExitRejected, []string{"restore", "--from", "issuer", "00000000000000000000"}, "unknown_redemption (code 32)")
	tc.refused(t, ExitError, []string{"redemption", "show", "00000000000000000000"}, "redemption 00000000000000000000 is unknown to the node")
	tc.refused(t, ExitUsage, []string{"redemption", "show", "RF18539007547034"}, "ID: redemption id")
	tc.refused(t, ExitUsage, []string{"redemption", "reject", "--from", "acme", id}, "--reason is required")
	tc.refused(t, ExitUsage, []string{"redemption", "reject", "--from", "acme", "--reason", "x"}, "ID is required")
	tc.refused(t, ExitError, []string{"redemption", "list", "--operator", "nobody"}, `--operator: no operator "nobody" is registered`)
}

// The operator rejects a redemption by hand and the chips go back; a payout that came
// back waits for an issuer, whose restore gives the chips back.
func TestRedemptionRejectAndRestore(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a node")
	}
	tc := startTestChain(t, 0)
	tc.cli("keys", "add", "alice")
	tc.fund(t, "alice", "10.00")
	redeem := []string{"redeem", "--from", "alice", "--operator", "acme", "--amount", "4", "--to", "DE89370400440532013000"}

	rejected := redemptionIn(t, tc.cli(redeem...))
	out := tc.cli("redemption", "reject", "--from", "acme", strings.ToLower(rejected), "--reason", "account closed")
	if !strings.Contains(out, "redemption "+rejected+" rejected") || !strings.Contains(out, "4.00 CHIP back to") {
		t.Fatalf("redemption reject: %s", out)
	}
	if r := tc.redemption(t, rejected); r.Status != txn.RedemptionRejected || r.Reason != "account closed" {
		t.Fatalf("rejected redemption: %+v", r)
	}
	if s := tc.cli("redemption", "show", rejected); !strings.Contains(s, "reason      account closed") {
		t.Fatalf("redemption show:\n%s", s)
	}
	if got := tc.chipsOf(t, "alice"); got != 10_000_000 {
		t.Fatalf("alice holds %d base units after the rejection, want 10 CHIP", got)
	}
	tc.refused(t, ExitRejected, []string{"redemption", "reject", "--from", "acme", rejected, "--reason", "again"}, "redemption_not_requested (code 33)")

	returned := redemptionIn(t, tc.cli(redeem...))
	tc.submit(t, "acme", &txn.PayoutInitiated{RedemptionID: returned, PayoutReference: "PAIN-2"})
	tc.submit(t, "acme", &txn.ReturnPayout{RedemptionID: returned, BankReference: "RETURN-2", Reason: "AC04"})
	if s := tc.cli("redemption", "show", returned); !strings.Contains(s, "(returned)") || !strings.Contains(s, "returned    bank reference RETURN-2") {
		t.Fatalf("redemption show of a returned payout:\n%s", s)
	}
	out = tc.cli("restore", "--from", "issuer", returned)
	if !strings.Contains(out, "redemption "+returned+" restored") {
		t.Fatalf("restore: %s", out)
	}
	if r := tc.redemption(t, returned); r.Status != txn.RedemptionRestored || r.RestoredHeight == 0 {
		t.Fatalf("restored redemption: %+v", r)
	}
	if got := tc.chipsOf(t, "alice"); got != 10_000_000 {
		t.Fatalf("alice holds %d base units after the restore, want 10 CHIP", got)
	}
}

// A buyer cancels an order awaiting payment, named by its payment reference in lower
// case; an order paid less than it asked for waits for the buyer, who sees what was
// received and the chips before accepting; a surplus is owed back until refunded.
func TestCancelAndAccept(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a node")
	}
	tc := startTestChain(t, 0)
	tc.cli("keys", "add", "alice")
	tc.cli("keys", "add", "bob")

	var bought BuyResult
	if err := json.Unmarshal([]byte(tc.cli("-o", "json", "buy", "--from", "alice", "--operator", "acme", "--amount", "5.00")), &bought); err != nil {
		t.Fatal(err)
	}
	id := bought.Order.ID
	tc.refused(t, ExitRejected, []string{"cancel", "--from", "bob", id}, "buyer_mismatch (code 21)")
	out := tc.cli("cancel", "--from", "alice", strings.ToLower(bought.Order.PaymentReference))
	if !strings.Contains(out, "order "+id+" cancelled") {
		t.Fatalf("cancel: %s", out)
	}
	if s := tc.cli("order", "show", id); !strings.Contains(s, "("+string(txn.StatusCancelled)+")") || !strings.Contains(s, "closed    at height ") ||
		!strings.Contains(s, "removal   at height ") {
		t.Fatalf("order show of a cancelled order:\n%s", s)
	}
	tc.refused(t, ExitRejected, []string{"cancel", "--from", "alice", id}, "order_not_awaiting_payment (code 17)")
	tc.refused(t, ExitRejected, []string{"cancel", "--from", "alice", "00000000000000000000"}, "unknown_order (code 15)")
	tc.refused(t, ExitUsage, []string{"cancel", "--from", "alice", "RF00"}, "ORDER: ")
	tc.refused(t, ExitUsage, []string{"cancel", id}, "--from is required")

	under := orderIDIn(t, tc.cli("buy", "--from", "alice", "--operator", "acme", "--amount", "7.00"))
	out = tc.cli("confirm", "--from", "acme", "--order", under, "--amount", "5.00", "--bank-ref", "UNDER-1")
	if !strings.Contains(out, "order "+under+" underpaid: 5.00 EUR received of 7.00 EUR") {
		t.Fatalf("confirm of an underpayment: %s", out)
	}
	if s := tc.cli("order", "show", under); !strings.Contains(s, "(underpaid)") || !strings.Contains(s, "underpaid 5.00 EUR of 7.00 EUR") ||
		!strings.Contains(s, "deadline  to be accepted up to and including height ") {
		t.Fatalf("order show of an underpaid order:\n%s", s)
	}
	tc.refused(t, ExitRejected, []string{"accept", "--from", "bob", under}, "buyer_mismatch (code 21)")
	out = tc.cli("accept", "--from", "alice", under)
	preview := "order " + under + " received 5.00 EUR of the 7.00 EUR ordered: accepting takes 5.00 CHIP for it\n"
	if !strings.HasPrefix(out, preview) || !strings.Contains(out, "order "+under+" paid (height ") || !strings.Contains(out, "5.00 CHIP to be issued") {
		t.Fatalf("accept:\n%s", out)
	}
	var shown orderView
	if err := json.Unmarshal([]byte(tc.cli("-o", "json", "order", "show", under)), &shown); err != nil {
		t.Fatal(err)
	}
	if shown.Order.Status != txn.StatusPaid || shown.Order.Chips != 5_000_000 || shown.Order.OwedMinor != 0 {
		t.Fatalf("accepted order: %+v", shown.Order)
	}
	tc.refused(t, ExitError, []string{"accept", "--from", "alice", under}, "order "+under+" is paid: only an underpaid order is accepted")
	tc.refused(t, ExitError, []string{"accept", "--from", "alice", "00000000000000000000"}, "order 00000000000000000000 is unknown to the node")

	over := orderIDIn(t, tc.cli("buy", "--from", "alice", "--operator", "acme", "--amount", "3.00"))
	if out := tc.cli("confirm", "--from", "acme", "--order", over, "--amount", "4.50", "--bank-ref", "OVER-1"); !strings.Contains(out, "1.50 EUR more than ordered: owed back") {
		t.Fatalf("confirm of a surplus: %s", out)
	}
	if s := tc.cli("order", "show", over); !strings.Contains(s, "chips     3.00 CHIP") || !strings.Contains(s, "owed back 1.50 EUR, not yet refunded") {
		t.Fatalf("order show of a surplus:\n%s", s)
	}
	tc.submit(t, "acme", &txn.RecordRefund{BankReference: "OVER-1", AmountMinor: 150, Currency: "EUR", RefundReference: "REFUND-1"})
	if s := tc.cli("order", "show", over); !strings.Contains(s, "refunded  1.50 EUR, reference REFUND-1, at height ") {
		t.Fatalf("order show of a refunded surplus:\n%s", s)
	}
}

// An issuer holds a paid order, which is then not issued, and releases it; only an
// issuer's key can, and the chain's code says why another's cannot.
func TestHoldAndRelease(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a node")
	}
	tc := startTestChain(t, 0)
	tc.cli("keys", "add", "alice")
	id := orderIDIn(t, tc.cli("buy", "--from", "alice", "--operator", "acme", "--amount", "12.00"))
	tc.refused(t, ExitRejected, []string{"hold", "--from", "issuer", id, "--reason", "early"}, "order_not_paid (code 18)")
	tc.cli("confirm", "--from", "acme", "--order", id, "--amount", "12.00", "--bank-ref", "HOLD-1")

	tc.refused(t, ExitRejected, []string{"hold", "--from", "alice", id, "--reason", "x"}, "not_issuer (code 9)")
	tc.refused(t, ExitRejected, []string{"hold", "--from", "acme", id, "--reason", "x"}, "wrong_role (code 11)")
	tc.refused(t, ExitUsage, []string{"hold", "--from", "issuer", id}, "--reason is required")
	tc.refused(t, ExitRejected, []string{"release", "--from", "issuer", id}, "order_not_held (code 40)")
	out := tc.cli("hold", "--from", "issuer", strings.ToLower(id), "--reason", "payer under review")
	if !strings.Contains(out, "order "+id+" held (height ") || !strings.Contains(out, "payer under review") {
		t.Fatalf("hold: %s", out)
	}
	if s := tc.cli("order", "show", id); !strings.Contains(s, "(held)") || !strings.Contains(s, "held      payer under review") {
		t.Fatalf("order show of a held order:\n%s", s)
	}
	tc.refused(t, ExitRejected, []string{"issue", "--from", "issuer", "--order", id}, "order_held (code 39)")
	tc.refused(t, ExitRejected, []string{"release", "--from", "acme", id}, "wrong_role (code 11)")
	if out := tc.cli("release", "--from", "issuer", id); !strings.Contains(out, "order "+id+" released") || !strings.Contains(out, "12.00 CHIP to be issued") {
		t.Fatalf("release: %s", out)
	}
	tc.cli("issue", "--from", "issuer", "--order", id)
	tc.refused(t, ExitRejected, []string{"hold", "--from", "issuer", "00000000000000000000", "--reason", "x"}, "unknown_order (code 15)")
}

// An order cancelled with nothing received leaves the state after the retention:
// order show then says when, and commands about it say so too.
func TestRemovedOrderSaysWhen(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a node")
	}
	tc := startTestChainWith(t, node.LocalOptions{OrderRetentionBlocks: 3})
	tc.cli("keys", "add", "alice")
	id := orderIDIn(t, tc.cli("buy", "--from", "alice", "--operator", "acme", "--amount", "5.00"))
	var cancelled struct {
		Order txn.Order `json:"order"`
	}
	if err := json.Unmarshal([]byte(tc.cli("-o", "json", "cancel", "--from", "alice", id)), &cancelled); err != nil {
		t.Fatal(err)
	}
	removal := cancelled.Order.RemoveHeight
	if removal == 0 || removal != cancelled.Order.ClosedHeight+3 {
		t.Fatalf("cancelled order: %+v", cancelled.Order)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var shown orderView
	for shown.Removed == nil {
		if ctx.Err() != nil {
			t.Fatalf("order %s was not removed by height %d", id, removal)
		}
		time.Sleep(100 * time.Millisecond)
		shown = orderView{}
		if err := json.Unmarshal([]byte(tc.cli("-o", "json", "order", "show", id)), &shown); err != nil {
			t.Fatal(err)
		}
	}
	if shown.Order != nil || shown.Removed.ID != id || shown.Removed.Height != removal || len(shown.History) == 0 {
		t.Fatalf("order show of a removed order: %+v", shown)
	}
	if s := tc.cli("order", "show", id); !strings.Contains(s, "order     "+id+" removed at height ") {
		t.Fatalf("order show of a removed order:\n%s", s)
	}
	tc.refused(t, ExitRejected, []string{"cancel", "--from", "alice", id}, "unknown_order (code 15)", "removed at height")
	tc.refused(t, ExitError, []string{"accept", "--from", "alice", id}, "removed at height")
}

// Every new command that signs keeps its transaction in the outbox under its own
// name: one not committed in time is sent again, the same bytes, by --resume.
func TestMoneyBackCommandsResume(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a node")
	}
	tc := startTestChain(t, 0)
	tc.cli("keys", "add", "alice")
	tc.fund(t, "alice", "10.00")
	blackhole := swallowBroadcasts(t, tc.ch.Node.RPCAddress())
	lost := func(args ...string) outboxRecord {
		t.Helper()
		defer shortenSubmitTimeout()()
		before := outboxFiles(t, tc.home)
		_, errOut, code := run(t, append([]string{"--home", tc.home, "--node", blackhole}, args...)...)
		kept := newFiles(outboxFiles(t, tc.home), before)
		if code != ExitError || len(kept) != 1 {
			t.Fatalf("%v through a node that drops it: exit %d, kept %v: %s", args, code, kept, errOut)
		}
		rec := readRecord(t, kept[0])
		if !strings.Contains(errOut, args[0]+" --resume "+rec.Hash) {
			t.Fatalf("%v: the error does not say how to resume: %s", args, errOut)
		}
		return rec
	}

	rec := lost("redeem", "--from", "alice", "--operator", "acme", "--amount", "3", "--to", "DE89370400440532013000")
	tc.refused(t, ExitUsage, []string{"redeem", "--resume", rec.Hash, "--amount", "3"}, "leave out --amount")
	out := tc.cli("redeem", "--resume", rec.Hash)
	id := txn.RedemptionID(tc.address(t, "alice"), rec.Nonce)
	if redemptionIn(t, out) != id {
		t.Fatalf("resumed redeem: %s, want redemption %s", out, id)
	}
	if got := tc.chipsOf(t, "alice"); got != 7_000_000 {
		t.Fatalf("alice holds %d base units after one redemption of 3 CHIP, want 7 CHIP", got)
	}

	order := orderIDIn(t, tc.cli("buy", "--from", "alice", "--operator", "acme", "--amount", "1.00"))
	rec = lost("cancel", "--from", "alice", order)
	if rec.OrderID != order {
		t.Fatalf("kept cancel is about order %q, want %s", rec.OrderID, order)
	}
	tc.refused(t, ExitUsage, []string{"cancel", "--resume", order, order}, "leave out ORDER")
	if out := tc.cli("cancel", "--resume", order); !strings.Contains(out, "order "+order+" cancelled") {
		t.Fatalf("resumed cancel: %s", out)
	}

	unknown := strings.Repeat("CD", 32)
	for _, args := range [][]string{{"redemption", "reject"}, {"restore"}, {"accept"}, {"hold"}, {"release"}} {
		tc.refused(t, ExitError, append(args, "--resume", unknown), "no transaction "+unknown)
	}
}

// The quote is the ledger's rule: the money rounded down to a minor unit, the chips it
// buys back rounded down, refused when either is nothing.
func TestRedemptionQuote(t *testing.T) {
	operator := func(currency string, rate txn.Rate) txn.Operator {
		return txn.Operator{ID: "acme", Rate: rate, Account: txn.BankAccount{Currency: currency}}
	}
	tests := []struct {
		op            txn.Operator
		asked         uint64
		minor, chips  uint64
		refused, text string
	}{
		{op: operator("EUR", txn.Rate{Chips: 1_000_000, Minor: 100}), asked: 10_005_000, minor: 1000, chips: 10_000_000,
			text: "redeeming 10.005 CHIP through acme: you receive 10.00 EUR for 10.00 CHIP; 0.005 CHIP stay yours"},
		{op: operator("EUR", txn.Rate{Chips: 500_000, Minor: 100}), asked: 1_000_000, minor: 200, chips: 1_000_000,
			text: "redeeming 1.00 CHIP through acme: you receive 2.00 EUR for 1.00 CHIP"},
		{op: operator("JPY", txn.Rate{Chips: 1_000_000, Minor: 1}), asked: 2_500_000, minor: 2, chips: 2_000_000,
			text: "redeeming 2.50 CHIP through acme: you receive 2 JPY for 2.00 CHIP; 0.50 CHIP stay yours"},
		{op: operator("EUR", txn.Rate{Chips: 1_000_000, Minor: 100}), asked: 9_999,
			refused: "--amount: 0.009999 CHIP is worth less than 0.01 EUR at operator acme's rate: redeem at least 0.01 CHIP"},
		{op: operator("KWD", txn.Rate{Chips: 3, Minor: 1000}), asked: 1,
			refused: "--amount: 0.000001 CHIP is worth 0.333 KWD at operator acme's rate, which buys back no chips"},
	}
	for _, tc := range tests {
		q, err := quoteRedemption(tc.op, tc.asked)
		switch {
		case tc.refused != "":
			if err == nil || err.Error() != tc.refused {
				t.Errorf("%d at %+v: %v, want %q", tc.asked, tc.op.Rate, err, tc.refused)
			}
		case err != nil:
			t.Errorf("%d at %+v: %v", tc.asked, tc.op.Rate, err)
		case q.amountMinor != tc.minor || q.chips != tc.chips || q.String() != tc.text:
			t.Errorf("%d at %+v: %d minor for %d chips, %q; want %d for %d, %q", tc.asked, tc.op.Rate, q.amountMinor, q.chips, q, tc.minor, tc.chips, tc.text)
		}
	}
}
