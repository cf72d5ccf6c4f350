package cli

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chipmint/chipmint/internal/keystore"
	"github.com/chipmint/chipmint/internal/node"
	"github.com/chipmint/chipmint/internal/system"
	"github.com/chipmint/chipmint/internal/txn"
)

// testChain is a throwaway chain with operator "acme" registered, and a home whose
// keystore holds the issuer's key "issuer" and the operator's "acme"; cli runs a command against it and fails the
// test unless it succeeds.
type testChain struct {
	home string
	ch   *system.Chain
	cli  func(args ...string) string
}

func startTestChain(t *testing.T, orderTTLBlocks int64) testChain {
	t.Helper()
	return startTestChainWith(t, node.LocalOptions{OrderTTLBlocks: orderTTLBlocks})
}

// startTestChainWith is startTestChain with the genesis parameters of o.
func startTestChainWith(t *testing.T, o node.LocalOptions) testChain {
	t.Helper()
	t.Setenv("CHIPMINT_PASSPHRASE", "chain-test")
	home := t.TempDir()
	ks, err := keystore.Open(node.KeysDir(home))
	if err != nil {
		t.Fatal(err)
	}
	issuerKey, err := ks.Add("issuer", "chain-test")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	o.ChainID, o.BlockTime = "chipmint-cli", 100*time.Millisecond
	o.Issuers = []txn.Issuer{{ID: "issuer", Address: issuerKey.Address, PublicKey: issuerKey.PublicKey}}
	ch, err := system.StartLocalChain(ctx, filepath.Join(t.TempDir(), "node"), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ch.Stop() })
	issuer, err := ks.Unlock("issuer", "chain-test")
	if err != nil {
		t.Fatal(err)
	}
	opKey, err := ks.Add("acme", "chain-test")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ch.Client.RegisterOperator(ctx, txn.NewRegisterOperator("acme", opKey.PublicKey,
		txn.BankAccount{IBAN: "DE89370400440532013000", BIC: "COBADEFFXXX", Holder: "Acme", Currency: "EUR"},
		txn.Rate{Chips: 1_000_000, Minor: 100}, 1_000_000_000), issuer); err != nil {
		t.Fatal(err)
	}
	return testChain{home: home, ch: ch, cli: func(args ...string) string {
		t.Helper()
		out, errOut, code := run(t, append([]string{"--home", home, "--node", ch.Node.RPCAddress()}, args...)...)
		if code != ExitOK {
			t.Fatalf("chipmint %v: exit %d: %s", args, code, errOut)
		}
		return out
	}}
}

// An order's deadline reads the same in buy and order show, with about when it falls;
// an order that expired shows its expiry in its history.
func TestOrderDeadlineAndExpiry(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a node")
	}
	tc := startTestChain(t, 5)
	cli := tc.cli
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cli("keys", "add", "alice")
	bought := cli("buy", "--from", "alice", "--operator", "acme", "--amount", "5.00")
	wording := "payable up to and including height "
	if !strings.Contains(bought, wording) || !strings.Contains(bought, ", about ") {
		t.Fatalf("buy does not say its deadline as order show does:\n%s", bought)
	}
	id := orderIDIn(t, bought)
	// The node indexes a block's events after the block is committed: wait until the
	// order is expired and its history has caught up.
	var shown orderView
	expiredInHistory := func() bool {
		h := shown.History
		return len(h) > 0 && h[len(h)-1].Attrs["status"] == string(txn.StatusExpired)
	}
	for {
		if err := json.Unmarshal([]byte(cli("-o", "json", "order", "show", id)), &shown); err != nil {
			t.Fatal(err)
		}
		if shown.Order.Status == txn.StatusExpired && expiredInHistory() {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("order %s, history %+v", shown.Order.Status, shown.History)
		}
		time.Sleep(100 * time.Millisecond)
	}
	last := shown.History[len(shown.History)-1]
	if last.Attrs["status"] != string(txn.StatusExpired) || last.Height != shown.Order.ExpiresHeight+1 {
		t.Fatalf("history does not end with the expiry after height %d: %+v", shown.Order.ExpiresHeight, shown.History)
	}
	if shown.PayableUntil == nil || shown.PayableUntil.Height != shown.Order.ExpiresHeight || shown.PayableUntil.About.IsZero() {
		t.Fatalf("deadline: %+v", shown.PayableUntil)
	}
	text := cli("order", "show", id)
	for _, want := range []string{"(expired)", wording, "expired"} {
		if !strings.Contains(text, want) {
			t.Fatalf("order show lacks %q:\n%s", want, text)
		}
	}
}

// orderIDIn is the order id that buy printed.
func orderIDIn(t *testing.T, buyText string) string {
	t.Helper()
	f := strings.Fields(buyText)
	if len(f) < 2 || f[0] != "order" {
		t.Fatalf("buy printed %q", buyText)
	}
	return f[1]
}

// The services refuse, at start, a key that cannot sign for them: the issuer service a
// key that is not an issuer's, the gateway one that is not its operator's.
func TestServicesRefuseAnotherKeyAtStart(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a node")
	}
	tc := startTestChain(t, 0)
	tc.cli("keys", "add", "alice")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, args := range [][]string{
		{"issuer", "run", "--from", "alice"},
		{"operator", "run", "--from", "alice", "--operator", "acme", "--listen", "127.0.0.1:0"},
	} {
		out, errOut := &syncBuffer{}, &syncBuffer{}
		code := runCtx(ctx, out, errOut, append([]string{"--home", tc.home, "--node", tc.ch.Node.RPCAddress()}, args...)...)
		if code != ExitUsage || !strings.Contains(string(errOut.Bytes()), "--from") {
			t.Fatalf("%v: exit %d: %s", args, code, errOut.Bytes())
		}
	}
}

// A payment the bank reversed: recorded by the operator, the order is reversed, its
// chips (issued) are the operator's shortfall in supply and the operator list; a second
// reversal is refused with its code.
func TestReversalShowsAsShortfall(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a node")
	}
	tc := startTestChain(t, 0)
	cli := tc.cli
	cli("keys", "add", "alice")
	id := orderIDIn(t, cli("buy", "--from", "alice", "--operator", "acme", "--amount", "87.50"))
	cli("confirm", "--from", "acme", "--order", id, "--amount", "87.50", "--bank-ref", "UETR-REVERSED")
	cli("issue", "--from", "issuer", "--order", id)
	out := cli("reverse", "--from", "acme", "--bank-ref", "UETR-REVERSED", "--reason", "AC04 account closed")
	if !strings.Contains(out, "87.50 CHIP were issued and stay in circulation") {
		t.Fatalf("reverse: %s", out)
	}
	if s := cli("supply"); !strings.Contains(s, "SHORTFALL 87.50 CHIP") || !strings.Contains(s, "operator acme") {
		t.Fatalf("supply does not show the shortfall:\n%s", s)
	}
	if s := cli("operator", "list"); !strings.Contains(s, "SHORTFALL 87.50 CHIP") {
		t.Fatalf("operator list does not show the shortfall:\n%s", s)
	}
	if s := cli("order", "show", id); !strings.Contains(s, "(reversed)") {
		t.Fatalf("order show:\n%s", s)
	}
	_, errOut, code := run(t, "--home", tc.home, "--node", tc.ch.Node.RPCAddress(), "reverse", "--from", "acme", "--bank-ref", "uetr-reversed", "--reason", "AC04")
	if code != ExitRejected || !strings.Contains(errOut, "already_reversed") {
		t.Fatalf("second reversal: exit %d: %s", code, errOut)
	}
}

// receipt sign says until when the countersigned receipt can be submitted; one submitted
// too late says to sign it again.
func TestCountersignedReceiptDeadline(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a node")
	}
	tc := startTestChain(t, 0)
	cli := tc.cli
	cli("keys", "add", "alice")
	id := orderIDIn(t, cli("buy", "--from", "alice", "--operator", "acme", "--amount", "5.00"))
	dir := t.TempDir()
	receipt, signed := filepath.Join(dir, "receipt.json"), filepath.Join(dir, "signed.json")
	cli("receipt", "create", "--from", "acme", "--order", id, "--amount", "5.00", "--bank-ref", "UETR-R1",
		"--payer-iban", "DE89370400440532013000", "--out", receipt)
	out := cli("receipt", "sign", "--from", "alice", "--in", receipt, "--out", signed)
	if !strings.Contains(out, "submittable up to and including height ") || !strings.Contains(out, ", about ") || !strings.Contains(out, "sign it again") {
		t.Fatalf("receipt sign does not say until when:\n%s", out)
	}

	// The same receipt, countersigned with a validity that has run out.
	var rf txn.ReceiptFile
	b, err := os.ReadFile(receipt)
	if err != nil || json.Unmarshal(b, &rf) != nil {
		t.Fatalf("read the receipt: %v", err)
	}
	ks, _ := keystore.Open(node.KeysDir(tc.home))
	alice, err := ks.Unlock("alice", "chain-test")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	h, err := tc.ch.Client.Height(ctx)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := txn.Sign(rf.ChainID, &txn.SubmitReceipt{Receipt: rf.Receipt, OperatorSignature: rf.OperatorSignature}, alice, 77, uint64(h))
	if err != nil {
		t.Fatal(err)
	}
	for now := h; now <= h+1; now, _ = tc.ch.Client.Height(ctx) {
		if ctx.Err() != nil {
			t.Fatalf("the chain stays at height %d", now)
		}
		time.Sleep(50 * time.Millisecond)
	}
	late := filepath.Join(dir, "late.json")
	if err := writeJSONFile(late, CountersignedFile{ChainID: rf.ChainID, OrderID: id, Tx: raw}); err != nil {
		t.Fatal(err)
	}
	_, errOut, code := run(t, "--home", tc.home, "--node", tc.ch.Node.RPCAddress(), "receipt", "submit", "--in", late)
	if code != ExitRejected || !strings.Contains(errOut, "sign it again") {
		t.Fatalf("a late receipt: exit %d: %s", code, errOut)
	}
	cli("receipt", "submit", "--in", signed)

	// The chain holds the payer's account only as a commitment; the receipt file opens it.
	if shown := cli("order", "show", id); strings.Contains(shown, "DE89") || strings.Contains(shown, "payer") {
		t.Fatalf("order show without the receipt names the payer:\n%s", shown)
	}
	if shown := cli("order", "show", id, "--receipt", receipt); !strings.Contains(shown, "payer     DE89370400440532013000 (the receipt's opening matches") {
		t.Fatalf("order show --receipt:\n%s", shown)
	}
	rf.Payer.Account.IBAN = "GB82WEST12345698765432"
	forged := filepath.Join(dir, "forged.json")
	if err := writeJSONFile(forged, rf); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := run(t, "--home", tc.home, "--node", tc.ch.Node.RPCAddress(), "order", "show", id, "--receipt", forged); code != ExitError ||
		!strings.Contains(errOut, "account GB82WEST12345698765432 with this salt is not the one the chain committed to") {
		t.Fatalf("order show with another account: exit %d: %s", code, errOut)
	}
	// The buyer's wallet refuses to countersign a receipt whose opening is not its payer.
	if _, errOut, code := run(t, "--home", tc.home, "--node", tc.ch.Node.RPCAddress(), "receipt", "sign", "--from", "alice", "--in", forged, "--out", filepath.Join(dir, "x.json")); code == ExitOK ||
		!strings.Contains(errOut, "the receipt's payer is not the one its file opens") {
		t.Fatalf("receipt sign of a forged opening: exit %d: %s", code, errOut)
	}
}

// metricsURL finds the metrics address a service logs.
var metricsURL = regexp.MustCompile(`metrics=(http://\S+/metrics)`)

// Ctrl-C stops the issuer service and a gateway with exit 0 and without ERROR lines;
// the issuer service serves its metrics while it runs.
func TestServicesStopCleanlyOnCtrlC(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a node")
	}
	tc := startTestChain(t, 0)
	for _, tt := range []struct {
		args    []string
		running string
	}{
		{[]string{"issuer", "run", "--from", "issuer", "--metrics-listen", "127.0.0.1:0"}, "issuer service running"},
		{[]string{"operator", "run", "--from", "acme", "--operator", "acme", "--listen", "127.0.0.1:0", "--inbox", t.TempDir()}, "gateway running"},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		out, errOut := &syncBuffer{}, &syncBuffer{}
		done := make(chan ExitCode, 1)
		go func() {
			done <- runCtx(ctx, out, errOut, append([]string{"--home", tc.home, "--node", tc.ch.Node.RPCAddress()}, tt.args...)...)
		}()
		for !strings.Contains(string(errOut.Bytes()), tt.running) {
			if ctx.Err() != nil {
				t.Fatalf("%v did not start: %s", tt.args, errOut.Bytes())
			}
			time.Sleep(20 * time.Millisecond)
		}
		if m := metricsURL.FindSubmatch(errOut.Bytes()); m != nil {
			resp, err := http.Get(string(m[1]))
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "chipmint_issuer_pending_orders 0") {
				t.Fatalf("the issuer's metrics: %s\n%s", resp.Status, body)
			}
		} else if tt.args[0] == "issuer" {
			t.Fatalf("the issuer service names no metrics address: %s", errOut.Bytes())
		}
		cancel()
		if code := <-done; code != ExitOK || strings.Contains(string(errOut.Bytes()), "level=ERROR") {
			t.Fatalf("%v stopped with exit %d:\n%s", tt.args, code, errOut.Bytes())
		}
	}
}
