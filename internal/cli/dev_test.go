package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chipmint/chipmint/internal/bank"
	"github.com/chipmint/chipmint/internal/camt"
	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/fiat"
	"github.com/chipmint/chipmint/internal/node"
	"github.com/chipmint/chipmint/internal/reserves"
	"github.com/chipmint/chipmint/internal/txn"
)

// `chipmint dev` running; from "another shell", as a new user would: add a key, buy,
// pay at the bank with the printed reference; the order is issued by itself.
func TestDevIssuesABankPaymentByItself(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole system")
	}
	t.Setenv("CHIPMINT_PASSPHRASE", "dev-test")
	home := t.TempDir()
	ports, err := node.FreePorts(7)
	if err != nil {
		t.Fatal(err)
	}
	addr := func(i int) string { return fmt.Sprintf("127.0.0.1:%d", ports[i]) }
	ctx, cancel := context.WithCancel(context.Background())
	devOut, devErr := &syncBuffer{}, &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		g := &Globals{Home: home, Output: "json", Out: devOut, Err: devErr}
		done <- runDev(ctx, g, &DevOptions{RPC: addr(0), P2P: addr(1), BankListen: addr(2), GatewayListen: addr(3), AdminListen: addr(4),
			BlockTime: 100 * time.Millisecond, ReservesEvery: 2 * time.Second, IssuerMetrics: addr(5), API: addr(6)})
	}()
	defer func() {
		// Ctrl-C cancels the context: dev stops without an error and without ERROR lines.
		cancel()
		if err := <-done; err != nil {
			t.Errorf("dev: %v", err)
		}
		if strings.Contains(string(devErr.Bytes()), "level=ERROR") {
			t.Errorf("dev logged errors while it stopped:\n%s", devErr.Bytes())
		}
	}()
	nodeURL, bankURL := "http://"+addr(0), "http://"+addr(2)
	var info struct {
		OperatorIBAN string   `json:"operator_iban"`
		CustomerIBAN string   `json:"customer_iban"`
		Explorer     string   `json:"explorer"`
		Metrics      []string `json:"metrics"`
	}
	// dev prints where its parts listen once they all run.
	deadline := time.Now().Add(time.Minute)
	for json.Unmarshal(devOut.Bytes(), &info) != nil || info.CustomerIBAN == "" {
		if time.Now().After(deadline) {
			t.Fatalf("dev did not come up within a minute: %q", devOut.Bytes())
		}
		time.Sleep(100 * time.Millisecond)
	}

	cli := func(args ...string) string {
		t.Helper()
		out, errOut, code := run(t, append([]string{"--home", home, "--node", nodeURL, "--output", "json"}, args...)...)
		if code != ExitOK {
			t.Fatalf("chipmint %v: exit %d: %s%s", args, code, errOut, out)
		}
		return out
	}
	// A second dev on the same home says why it cannot run.
	_, errOut, code := run(t, "--home", home, "dev", "--rpc", addr(0), "--bank-listen", addr(2))
	if code != ExitError || !strings.Contains(errOut, "another chipmint is running on this home") {
		t.Fatalf("second dev: exit %d: %s", code, errOut)
	}
	// dev prints the issuer service's metrics address among the others, and serves it.
	issuerMetrics := "http://" + addr(5) + "/metrics"
	if !slices.Contains(info.Metrics, issuerMetrics) {
		t.Fatalf("dev's metrics %v lack the issuer's %s", info.Metrics, issuerMetrics)
	}
	if resp, err := http.Get(issuerMetrics); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("the issuer's metrics: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	// dev serves the explorer with its API, and says where.
	if info.Explorer != "http://"+addr(6)+"/" {
		t.Fatalf("dev's explorer is %q, want the API's root http://%s/", info.Explorer, addr(6))
	}
	if resp, err := http.Get(info.Explorer); err != nil || resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("the explorer: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	cli("keys", "add", "alice")
	// The dev chain's auditor is the home's key of that name, which attests the reserves.
	var auditors []txn.Auditor
	if err := json.Unmarshal([]byte(cli("auditor", "list")), &auditors); err != nil || len(auditors) != 1 || auditors[0].ID != "auditor" {
		t.Fatalf("dev's auditors: %+v %v", auditors, err)
	}
	if strings.Contains(string(devErr.Bytes()), "is not an auditor") {
		t.Fatalf("dev warns of its own auditor:\n%s", devErr.Bytes())
	}
	var bought struct {
		Order struct{ ID, PaymentReference string } `json:"order"`
	}
	if err := json.Unmarshal([]byte(cli("buy", "--from", "alice", "--operator", "acme", "--amount", "100.00")), &bought); err != nil {
		t.Fatal(err)
	}
	bought.Order.PaymentReference = jsonField(t, cli("order", "show", bought.Order.ID), "payment_reference")
	// An order is found by its id in any letter case and by the reference the buyer
	// was given, as printed or as typed; an unknown id and a malformed one say which.
	for _, name := range []string{strings.ToLower(bought.Order.ID), bought.Order.PaymentReference, fiat.CreditorReference(bought.Order.PaymentReference).Print()} {
		if id := jsonField(t, cli("order", "show", name), "id"); id != bought.Order.ID {
			t.Fatalf("order show %s: order %q, want %s", name, id, bought.Order.ID)
		}
	}
	if _, errOut, code := run(t, "--home", home, "--node", nodeURL, "order", "show", "00000000000000000000"); code != ExitError || !strings.Contains(errOut, "order 00000000000000000000 is unknown") {
		t.Fatalf("an unknown order: exit %d: %s", code, errOut)
	}
	if _, errOut, code := run(t, "--home", home, "--node", nodeURL, "order", "show", "not-an-order"); code != ExitUsage || !strings.Contains(errOut, "not an order id") {
		t.Fatalf("a malformed order id: exit %d: %s", code, errOut)
	}
	cli("bank", "pay", "--bank", bankURL, "--from-iban", info.CustomerIBAN, "--to-iban", info.OperatorIBAN,
		"--amount", "100.00", "--reference", bought.Order.PaymentReference)
	for {
		var bal struct {
			Chips uint64 `json:"chips,string"`
		}
		if err := json.Unmarshal([]byte(cli("balance", "alice")), &bal); err != nil {
			t.Fatal(err)
		}
		if bal.Chips == 100_000_000 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("alice holds %d base units a minute later; want 100 chips", bal.Chips)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if status := jsonField(t, cli("order", "show", bought.Order.ID), "status"); status != "issued" {
		t.Fatalf("order is %s", status)
	}
	// The invariants are checked on the node's admin address, which dev serves; without
	// it, supply shows the totals and says they were not checked.
	var supply struct {
		Invariants *struct {
			OK     bool  `json:"ok"`
			Height int64 `json:"height"`
		} `json:"invariants"`
	}
	if err := json.Unmarshal([]byte(cli("supply", "--admin", addr(4))), &supply); err != nil || supply.Invariants == nil || !supply.Invariants.OK {
		t.Fatalf("supply --admin: %+v %v", supply.Invariants, err)
	}
	if out, _, code := run(t, "--home", home, "--node", nodeURL, "supply"); code != ExitOK || !strings.Contains(out, "invariants not checked: give --admin") {
		t.Fatalf("supply without --admin: exit %d: %s", code, out)
	}
	moneyBackFromAnotherShell(t, cli, bankURL, "http://"+addr(3), info.OperatorIBAN, info.CustomerIBAN, deadline)
	reservesFromAnotherShell(t, cli, bankURL, deadline)
	reservesOfStatementFiles(t, home, nodeURL, bankURL, info.OperatorIBAN)
}

// reservesOfStatementFiles checks the reserves of a running dev from statement files,
// as an auditor given them by the bank would: the file as the bank wrote it backs every
// chip; with its closing balance lowered, the check exits 4 and says why.
func reservesOfStatementFiles(t *testing.T, home, nodeURL, bankURL, operatorIBAN string) {
	t.Helper()
	doc, err := bank.NewClient(bankURL).Statement(t.Context(), operatorIBAN, time.Now().UTC().Format(time.DateOnly))
	if err != nil {
		t.Fatal(err)
	}
	d, err := camt.Parse(doc)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	asWritten, lowered := filepath.Join(dir, "statement.xml"), filepath.Join(dir, "lowered.xml")
	s := d.Statements[0]
	for i := range s.Balances {
		if s.Balances[i].Type == "CLBD" {
			s.Balances[i].AmountMinor--
		}
	}
	low, err := camt.WriteStatement(d.MessageID, d.CreatedAt, s)
	if err != nil {
		t.Fatal(err)
	}
	if err := errors.Join(os.WriteFile(asWritten, doc, 0o644), os.WriteFile(lowered, low, 0o644)); err != nil {
		t.Fatal(err)
	}
	reservesOf := func(file string) (reserves.Report, ExitCode) {
		t.Helper()
		out, errOut, code := run(t, "--home", home, "--node", nodeURL, "--output", "json", "reserves", "--statement", file)
		var checked struct {
			Report reserves.Report `json:"report"`
		}
		if err := json.Unmarshal([]byte(out), &checked); err != nil {
			t.Fatalf("reserves --statement %s: exit %d: %v %s %s", file, code, err, out, errOut)
		}
		return checked.Report, code
	}
	if r, code := reservesOf(asWritten); code != ExitOK || !r.Backed {
		t.Fatalf("the bank's statement: exit %d, %+v", code, r)
	}
	r, code := reservesOf(lowered)
	if code != ExitUnbacked || r.Backed || len(r.Operators) != 1 || r.Operators[0].DifferenceMinor != -1 ||
		len(r.Operators[0].Findings) != 1 || !strings.Contains(r.Operators[0].Findings[0].Reason, "does not add up") {
		t.Fatalf("a lowered closing balance: exit %d, %+v", code, r)
	}
}

// reservesFromAnotherShell checks the reserves of a running dev, whose auditor attests
// them every day of its own: every chip is backed, the sealed report verifies and its
// attestation is on the chain.
func reservesFromAnotherShell(t *testing.T, cli func(...string) string, bankURL string, deadline time.Time) {
	t.Helper()
	var checked struct {
		Report reserves.Report  `json:"report"`
		File   string           `json:"file"`
		Digest string           `json:"digest"`
		Tx     client.Committed `json:"tx"`
	}
	if err := json.Unmarshal([]byte(cli("reserves", "--bank", bankURL, "--sign", "auditor", "--attest")), &checked); err != nil {
		t.Fatal(err)
	}
	op := checked.Report.Operators
	if !checked.Report.Backed || len(op) != 1 || op[0].Operator != "acme" || op[0].DifferenceMinor != 0 || op[0].Entries < 4 ||
		op[0].OutstandingChips != 70_000_000 || checked.Tx.Height == 0 {
		t.Fatalf("reserves of dev: %+v", checked)
	}
	var verified struct {
		Digest   string                    `json:"digest"`
		Attested []txn.ReservesAttestation `json:"attested"`
	}
	if err := json.Unmarshal([]byte(cli("reserves", "verify", checked.File)), &verified); err != nil {
		t.Fatal(err)
	}
	if verified.Digest != checked.Digest || len(verified.Attested) != 1 || verified.Attested[0].Height != checked.Tx.Height || !verified.Attested[0].Backed {
		t.Fatalf("reserves verify: %+v", verified)
	}
	// dev's own auditor attests every day (two seconds here) besides.
	for {
		var history []txn.ReservesAttestation
		if err := json.Unmarshal([]byte(cli("reserves", "history", "acme")), &history); err != nil {
			t.Fatal(err)
		}
		if len(history) >= 2 && slices.ContainsFunc(history, func(a txn.ReservesAttestation) bool { return a.Height != checked.Tx.Height }) {
			break
		}
		if time.Now().After(deadline.Add(time.Minute)) {
			t.Fatalf("no attestation by dev's own auditor: %+v", history)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// moneyBackFromAnotherShell redeems chips, refunds an unmatched payment and cancels an
// order against a running dev, as a person in another shell would.
func moneyBackFromAnotherShell(t *testing.T, cli func(...string) string, bankURL, gatewayURL, operatorIBAN, customerIBAN string, deadline time.Time) {
	t.Helper()
	until := func(what string, done func() bool) {
		t.Helper()
		for !done() {
			if time.Now().After(deadline) {
				t.Fatalf("%s: not within the deadline", what)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	var redeemed struct {
		Redemption txn.Redemption `json:"redemption"`
	}
	if err := json.Unmarshal([]byte(cli("redeem", "--from", "alice", "--operator", "acme", "--amount", "30", "--to", customerIBAN, "--gateway", gatewayURL)), &redeemed); err != nil {
		t.Fatal(err)
	}
	until("redemption paid out", func() bool {
		var shown struct {
			Redemption txn.Redemption `json:"redemption"`
		}
		if err := json.Unmarshal([]byte(cli("redemption", "show", redeemed.Redemption.ID)), &shown); err != nil {
			t.Fatal(err)
		}
		return shown.Redemption.Status == txn.RedemptionPaidOut
	})
	var paid struct {
		UETR string `json:"uetr"`
	}
	if err := json.Unmarshal([]byte(cli("bank", "pay", "--bank", bankURL, "--from-iban", customerIBAN, "--to-iban", operatorIBAN,
		"--amount", "7.00", "--reference", "thanks for the coffee")), &paid); err != nil || paid.UETR == "" {
		t.Fatalf("bank pay: %+v %v", paid, err)
	}
	uetr := paid.UETR
	until("the unmatched payment listed as an exception", func() bool {
		return strings.Contains(cli("operator", "exceptions", "--gateway", gatewayURL), uetr)
	})
	var refund struct {
		Status string `json:"status"`
	}
	if err := json.Unmarshal([]byte(cli("operator", "refund", "--gateway", gatewayURL, uetr)), &refund); err != nil || refund.Status == "" {
		t.Fatalf("operator refund: %+v %v", refund, err)
	}
	until("the refund recorded", func() bool {
		var credits []struct {
			BankReference string `json:"bank_reference"`
			RefundedMinor uint64 `json:"refunded_minor"`
			OpenMinor     uint64 `json:"open_minor"`
		}
		if err := json.Unmarshal([]byte(cli("operator", "credits", "--gateway", gatewayURL)), &credits); err != nil {
			t.Fatal(err)
		}
		for _, c := range credits {
			if c.BankReference == uetr {
				return c.RefundedMinor == 700 && c.OpenMinor == 0
			}
		}
		return false
	})
	var bought struct {
		Order struct{ ID string } `json:"order"`
	}
	if err := json.Unmarshal([]byte(cli("buy", "--from", "alice", "--operator", "acme", "--amount", "3.00")), &bought); err != nil {
		t.Fatal(err)
	}
	cli("cancel", "--from", "alice", bought.Order.ID)
	if status := jsonField(t, cli("order", "show", bought.Order.ID), "status"); status != string(txn.StatusCancelled) {
		t.Fatalf("cancelled order is %s", status)
	}
}

// syncBuffer is a buffer that one goroutine writes while another reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return bytes.Clone(b.buf.Bytes())
}

// jsonField digs the first value of key out of `order show`'s JSON.
func jsonField(t *testing.T, out, key string) string {
	t.Helper()
	var v struct {
		Order map[string]any `json:"order"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatal(err)
	}
	s, _ := v.Order[key].(string)
	return s
}

func TestDevResetRefusesAHomeItDidNotMake(t *testing.T) {
	home := t.TempDir()
	if err := os.WriteFile(filepath.Join(home, "precious-key.json"), []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, errOut, code := run(t, "--home", home, "dev", "--reset")
	if code != ExitUsage || !strings.Contains(errOut, "not made by chipmint dev") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(home, "precious-key.json")); err != nil {
		t.Fatalf("the home was wiped: %v", err)
	}
}

// The banner's example commands reach the parts where they run: --node and --bank
// appear when dev listens elsewhere than the commands' defaults, never otherwise.
func TestDevBannerCarriesTheAddresses(t *testing.T) {
	info := devInfo{Home: "/h", Node: nodeURLDefault, Bank: bankURLDefault, Gateway: "http://127.0.0.1:26690",
		OperatorIBAN: "DE89370400440532013000", CustomerIBAN: "DE02120300000000202051"}
	banner := func(info devInfo) string {
		var out bytes.Buffer
		(&Globals{Output: "text", Out: &out}).printDevInfo(info)
		return out.String()
	}
	if b := banner(info); strings.Contains(b, "--node") || strings.Contains(b, "--bank") || !strings.Contains(b, "go install ./cmd/chipmint") {
		t.Fatalf("default addresses:\n%s", b)
	}
	info.Node, info.Bank = "http://127.0.0.1:36657", "http://127.0.0.1:36680"
	info.Metrics = []string{"http://127.0.0.1:26690/metrics", "http://127.0.0.1:26660/metrics"}
	info.API, info.Explorer = "http://127.0.0.1:26670", "http://127.0.0.1:26670/"
	b := banner(info)
	for _, want := range []string{
		"explorer  http://127.0.0.1:26670/",
		"api       http://127.0.0.1:26670/v1/txs",
		"metrics   http://127.0.0.1:26690/metrics, http://127.0.0.1:26660/metrics",
		"chipmint --home /h --node http://127.0.0.1:36657 buy --from alice",
		"chipmint --home /h --node http://127.0.0.1:36657 balance alice",
		"chipmint bank pay --bank http://127.0.0.1:36680 --from-iban",
	} {
		if !strings.Contains(b, want) {
			t.Errorf("banner lacks %q:\n%s", want, b)
		}
	}
}

// A dev home made before the chain had auditors keeps its genesis: dev adds the
// auditor's key beside the others and unlocks it, and starts as before.
func TestDevKeysOfAHomeWithoutAnAuditor(t *testing.T) {
	t.Setenv("CHIPMINT_PASSPHRASE", "dev-test")
	home := t.TempDir()
	g := &Globals{Home: home, Output: "text", Out: &bytes.Buffer{}, Err: &bytes.Buffer{}}
	ks, err := g.keystore()
	if err != nil {
		t.Fatal(err)
	}
	is, err := ks.Add("issuer", "dev-test")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ks.Add("acme", "dev-test"); err != nil {
		t.Fatal(err)
	}
	err = node.Init(node.InitOptions{Home: home, ChainID: devChainID, Moniker: "dev", Alone: true,
		Issuers: []txn.Issuer{{ID: "issuer", Address: is.Address, PublicKey: is.PublicKey}}})
	if err != nil {
		t.Fatal(err)
	}
	genesis := filepath.Join(home, "config", "genesis.json")
	before, err := os.ReadFile(genesis)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := devKeys(g, &DevOptions{})
	if err != nil {
		t.Fatalf("devKeys of a home without an auditor: %v", err)
	}
	if keys.issuer == nil || keys.operator == nil || keys.auditor == nil {
		t.Fatalf("devKeys = %+v, want every key unlocked", keys)
	}
	au, err := ks.Show("auditor")
	if err != nil {
		t.Fatalf("the auditor's key was not added: %v", err)
	}
	if after, err := os.ReadFile(genesis); err != nil || !bytes.Equal(after, before) {
		t.Fatalf("devKeys rewrote the genesis of an existing home (%v)", err)
	}
	if strings.Contains(string(before), au.Address.String()) {
		t.Fatal("the old genesis names the new auditor's key")
	}
}
