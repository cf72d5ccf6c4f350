package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chipmint/chipmint/internal/bank"
	"github.com/chipmint/chipmint/internal/fiat"
)

// runBankCLI runs the command line with args and returns its output and exit status.
func runBankCLI(t *testing.T, ctx context.Context, args ...string) (string, string, ExitCode) {
	t.Helper()
	var out, errOut bytes.Buffer
	g := &Globals{Out: &out, Err: &errOut}
	cmd := NewCmdRoot(g)
	cmd.SetArgs(args)
	code := ExitOK
	if err := cmd.ExecuteContext(ctx); err != nil {
		code = g.report(err)
	}
	return out.String(), errOut.String(), code
}

// newBankServer serves a fresh sandbox bank for the test.
func newBankServer(t *testing.T) string {
	t.Helper()
	b, err := bank.Open(t.TempDir(), bank.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(b.Handler())
	t.Cleanup(func() { srv.Close(); _ = b.Close() })
	return srv.URL
}

// bankOpen opens an account through the CLI and returns it.
func bankOpen(t *testing.T, url, holder, opening string) bank.Account {
	t.Helper()
	out, errOut, code := runBankCLI(t, context.Background(), "bank", "--bank", url, "open", "--holder", holder,
		"--currency", "EUR", "--opening-balance", opening, "--output", "json")
	var acct bank.Account
	if err := json.Unmarshal([]byte(out), &acct); err != nil || code != ExitOK {
		t.Fatalf("bank open: exit %d, %v: %s %s", code, err, out, errOut)
	}
	return acct
}

func TestBankOpenAndPay(t *testing.T) {
	url := newBankServer(t)
	alice := bankOpen(t, url, "Alice", "1000.00")
	if _, err := fiat.ParseIBAN(alice.IBAN); err != nil || alice.BalanceMinor != 100000 || alice.Currency != "EUR" {
		t.Fatalf("opened %+v (%v)", alice, err)
	}
	out, errOut, code := runBankCLI(t, context.Background(), "bank", "open", "--bank", url, "--holder", "Bob")
	bobIBAN := regexp.MustCompile(`DE\d\d( \d{4}){4} \d\d`).FindString(out)
	if code != ExitOK || bobIBAN == "" || !strings.Contains(out, "balance 0.00 EUR") {
		t.Fatalf("bank open: exit %d: %s %s", code, out, errOut)
	}

	out, errOut, code = runBankCLI(t, context.Background(), "bank", "pay", "--bank", url, "--from-iban", alice.IBAN,
		"--to-iban", bobIBAN, "--amount", "100.00", "--reference", "RF18 5390 0754 7034", "--idempotency-key", "k1", "--output", "json")
	var tr bank.Transfer
	if err := json.Unmarshal([]byte(out), &tr); err != nil || code != ExitOK {
		t.Fatalf("bank pay: exit %d, %v: %s %s", code, err, out, errOut)
	}
	if tr.AmountMinor != 10000 || tr.Reference != "RF18539007547034" || tr.UETR == "" || !strings.HasPrefix(tr.AcctSvcrRef, "SBX") {
		t.Fatalf("transfer %+v", tr)
	}
	out, errOut, code = runBankCLI(t, context.Background(), "bank", "pay", "--bank", url, "--from-iban", alice.IBAN,
		"--to-iban", bobIBAN, "--amount", "100.00", "--currency", "EUR", "--reference", "RF18539007547034", "--idempotency-key", "k1")
	if code != ExitOK || !strings.Contains(out, "uetr "+tr.UETR) || !strings.Contains(out, "acct_svcr_ref "+tr.AcctSvcrRef) {
		t.Fatalf("idempotent repeat: exit %d: %s %s", code, out, errOut)
	}
	out, errOut, code = runBankCLI(t, context.Background(), "bank", "balance", "--bank", url, "--iban", bobIBAN)
	if code != ExitOK || !strings.Contains(out, "100.00 EUR") || !strings.Contains(out, "Bob") {
		t.Fatalf("bank balance: exit %d: %s %s", code, out, errOut)
	}
}

func TestBankBadInputNamesTheFlag(t *testing.T) {
	url := newBankServer(t)
	alice := bankOpen(t, url, "Alice", "10.00")
	bob := bankOpen(t, url, "Bob", "0")
	pay := func(extra ...string) []string {
		return append([]string{"bank", "pay", "--bank", url, "--from-iban", alice.IBAN, "--to-iban", bob.IBAN, "--reference", "x"}, extra...)
	}
	tests := []struct {
		name string
		args []string
		want string
		code ExitCode
	}{
		{"amount with too many decimals", pay("--amount", "1.001"), "--amount", ExitUsage},
		{"amount with a comma", pay("--amount", "1,00", "--currency", "EUR"), "--amount", ExitUsage},
		{"zero amount", pay("--amount", "0"), "--amount", ExitUsage},
		{"missing amount", pay(), "--amount", ExitUsage},
		{"insufficient funds", pay("--amount", "10.01"), "--amount", ExitError},
		{"bad payee IBAN", append(pay("--amount", "1"), "--to-iban", "DE00123"), "--to-iban", ExitUsage},
		{"unknown payee", append(pay("--amount", "1"), "--to-iban", "DE89370400440532013000"), "--to-iban", ExitError},
		{"bad currency", pay("--amount", "1", "--currency", "euro"), "--currency", ExitUsage},
		{"reference with trailing space", append(pay("--amount", "1"), "--reference", "x "), "--reference", ExitUsage},
		{"missing holder", []string{"bank", "open", "--bank", url}, "--holder", ExitUsage},
		{"bad opening balance", []string{"bank", "open", "--bank", url, "--holder", "C", "--opening-balance", "-1"}, "--opening-balance", ExitUsage},
		{"bad open IBAN", []string{"bank", "open", "--bank", url, "--holder", "C", "--iban", "DE88370400440532013000"}, "--iban", ExitUsage},
		{"IBAN already open", []string{"bank", "open", "--bank", url, "--holder", "C", "--iban", alice.IBAN}, "--iban", ExitError},
		{"bad balance IBAN", []string{"bank", "balance", "--bank", url, "--iban", "x"}, "--iban", ExitUsage},
		{"bad log level", []string{"bank", "serve", "--log-level", "loud"}, "--log-level", ExitUsage},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, errOut, code := runBankCLI(t, context.Background(), tc.args...)
			if code != tc.code || !strings.Contains(errOut, tc.want) {
				t.Fatalf("exit %d, stderr %q; want exit %d naming %q", code, errOut, tc.code, tc.want)
			}
		})
	}
}

// bankPay pays through the CLI and returns the transfer.
func bankPay(t *testing.T, url string, from, to bank.Account, amount string) bank.Transfer {
	t.Helper()
	out, errOut, code := runBankCLI(t, context.Background(), "bank", "pay", "--bank", url, "--from-iban", from.IBAN,
		"--to-iban", to.IBAN, "--amount", amount, "--reference", "RF18539007547034", "--output", "json")
	var tr bank.Transfer
	if err := json.Unmarshal([]byte(out), &tr); err != nil || code != ExitOK {
		t.Fatalf("bank pay: exit %d, %v: %s %s", code, err, out, errOut)
	}
	return tr
}

func TestBankReverseAndReturn(t *testing.T) {
	url := newBankServer(t)
	alice := bankOpen(t, url, "Alice", "1000.00")
	bob := bankOpen(t, url, "Bob", "0")
	first, second := bankPay(t, url, alice, bob, "100.00"), bankPay(t, url, alice, bob, "25.00")

	out, errOut, code := runBankCLI(t, context.Background(), "bank", "reverse", "--bank", url,
		"--transfer", first.ID, "--reason", "FR01", "--output", "json")
	var u bank.Transfer
	if err := json.Unmarshal([]byte(out), &u); err != nil || code != ExitOK {
		t.Fatalf("bank reverse: exit %d, %v: %s %s", code, err, out, errOut)
	}
	if u.Type != bank.TypeReversal || u.OriginalID != first.ID || u.Reason != "FR01" || u.UETR != first.UETR ||
		u.AmountMinor != 10000 || u.FromIBAN != bob.IBAN || u.ToIBAN != alice.IBAN {
		t.Fatalf("reversal %+v", u)
	}

	out, errOut, code = runBankCLI(t, context.Background(), "bank", "return", "--bank", url,
		"--transfer", second.UETR, "--reason", "AC01")
	want := "returned " + second.ID + " (reason AC01): 25.00 EUR from " + fiat.IBAN(bob.IBAN).Print() +
		" back to " + fiat.IBAN(alice.IBAN).Print() + "\n"
	if code != ExitOK || !strings.HasPrefix(out, want) || !strings.Contains(out, "uetr "+second.UETR) ||
		!regexp.MustCompile(`(?m)^id T\d{12}$`).MatchString(out) || !strings.Contains(out, "acct_svcr_ref SBX") {
		t.Fatalf("bank return: exit %d: %s %s", code, out, errOut)
	}
	out, errOut, code = runBankCLI(t, context.Background(), "bank", "balance", "--bank", url, "--iban", alice.IBAN)
	if code != ExitOK || !strings.Contains(out, "1,000.00 EUR") {
		t.Fatalf("bank balance: exit %d: %s %s", code, out, errOut)
	}
}

func TestBankReverseAndReturnRefusals(t *testing.T) {
	url := newBankServer(t)
	alice := bankOpen(t, url, "Alice", "1000.00")
	bob := bankOpen(t, url, "Bob", "0")
	reversed, open := bankPay(t, url, alice, bob, "1.00"), bankPay(t, url, alice, bob, "2.00")
	if _, errOut, code := runBankCLI(t, context.Background(), "bank", "reverse", "--bank", url, "--transfer", reversed.ID, "--reason", "AC04"); code != ExitOK {
		t.Fatalf("bank reverse: exit %d: %s", code, errOut)
	}
	undo := func(cmd string, extra ...string) []string {
		return append([]string{"bank", cmd, "--bank", url}, extra...)
	}
	tests := []struct {
		name string
		args []string
		want string
		code ExitCode
	}{
		{"reversed twice", undo("reverse", "--transfer", reversed.ID, "--reason", "AC04"), "--transfer: bank: transfer already reversed", ExitError},
		{"return of a reversed transfer", undo("return", "--transfer", reversed.UETR, "--reason", "AC01"), "already reversed", ExitError},
		{"unknown transfer", undo("return", "--transfer", "T000000000099", "--reason", "AC01"), "--transfer: bank: unknown transfer", ExitError},
		{"bad reason", undo("reverse", "--transfer", open.ID, "--reason", "ac04"), "--reason", ExitUsage},
		{"missing reason", undo("return", "--transfer", open.ID), "--reason is required", ExitUsage},
		{"missing transfer", undo("reverse", "--reason", "AC04"), "--transfer is required", ExitUsage},
		{"an argument", append(undo("return", "--transfer", open.ID, "--reason", "AC01"), "extra"), "extra", ExitUsage},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, errOut, code := runBankCLI(t, context.Background(), tc.args...)
			if code != tc.code || !strings.Contains(errOut, tc.want) {
				t.Fatalf("exit %d, stderr %q; want exit %d naming %q", code, errOut, tc.code, tc.want)
			}
		})
	}
	out, _, code := runBankCLI(t, context.Background(), append(undo("reverse", "--transfer", reversed.ID, "--reason", "AC04"), "--output", "json")...)
	var refusal struct {
		Error    string `json:"error"`
		ExitCode int    `json:"exit_code"`
	}
	if err := json.Unmarshal([]byte(out), &refusal); err != nil || code != ExitError || refusal.ExitCode != int(ExitError) ||
		!strings.Contains(refusal.Error, "already reversed by T") {
		t.Fatalf("JSON refusal: exit %d, %s", code, out)
	}
}

// lockedBuffer is a buffer that a command writes while the test reads it; written is
// closed at the first write.
type lockedBuffer struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	written chan struct{}
}

func newLockedBuffer() *lockedBuffer { return &lockedBuffer{written: make(chan struct{})} }

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.buf.Len() == 0 {
		close(b.written)
	}
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestBankServe(t *testing.T) {
	home := t.TempDir()
	out, errOut := newLockedBuffer(), newLockedBuffer()
	g := &Globals{Out: out, Err: errOut}
	cmd := NewCmdRoot(g)
	cmd.SetArgs([]string{"--home", home, "bank", "serve", "--listen", "127.0.0.1:0", "--output", "json"})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- cmd.ExecuteContext(ctx) }()

	// The command prints where it listens (one JSON write) before it serves.
	select {
	case <-out.written:
	case err := <-done:
		t.Fatalf("serve stopped: %v: %s", err, errOut.String())
	case <-time.After(10 * time.Second):
		t.Fatal("serve printed no address")
	}
	var started struct {
		URL  string `json:"url"`
		Data string `json:"data"`
	}
	if err := json.Unmarshal([]byte(out.String()), &started); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	if started.Data != filepath.Join(home, "bank") {
		t.Errorf("data in %s, want <home>/bank", started.Data)
	}
	resp, err := http.Get(started.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("healthz: %d", resp.StatusCode)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop when its context was cancelled")
	}
}
