package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// The node runs as its own process, started with `chipmint node`; every other step is a
// separate `chipmint` process talking to it over RPC, as a person at a shell would.
func TestNodeDrivenByTheCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs a node")
	}
	bin := buildBinary(t)
	home := t.TempDir()
	rpcPort, p2pPort := freePort(t), freePort(t)
	rpc := fmt.Sprintf("http://127.0.0.1:%d", rpcPort)
	cli := &cliRunner{t: t, bin: bin, args: []string{"--home", home, "--node", rpc}}

	cli.ok("init", "--block-time", "200ms", "--rpc", fmt.Sprintf("127.0.0.1:%d", rpcPort), "--p2p", fmt.Sprintf("127.0.0.1:%d", p2pPort))
	startNode(t, bin, home)
	waitForNode(t, cli)

	cli.ok("keys", "add", "acme")
	cli.ok("keys", "add", "alice")
	cli.ok("operator", "register", "--from", "issuer", "--id", "acme", "--operator-key", "acme",
		"--iban", "DE89 3704 0044 0532 0130 00", "--bic", "COBADEFFXXX", "--holder", "Acme Payments GmbH",
		"--currency", "EUR", "--rate", "1", "--cap", "1000000")

	var bought struct {
		Order struct {
			ID               string `json:"id"`
			PaymentReference string `json:"payment_reference"`
			Status           string `json:"status"`
		} `json:"order"`
	}
	cli.json(&bought, "buy", "--from", "alice", "--operator", "acme", "--amount", "100.00")
	id := bought.Order.ID
	if bought.Order.Status != "awaiting_payment" || bought.Order.PaymentReference != "RF"+bought.Order.PaymentReference[2:4]+id {
		t.Fatalf("buy answered %+v", bought.Order)
	}
	cli.ok("confirm", "--from", "acme", "--order", id, "--amount", "100.00", "--bank-ref", "UETR-e2e-1")
	cli.ok("issue", "--from", "issuer", "--order", id)

	var bal struct {
		Chips uint64 `json:"chips,string"`
	}
	cli.json(&bal, "balance", "alice")
	if bal.Chips != 100_000_000 {
		t.Fatalf("alice holds %d base units, want 100 chips", bal.Chips)
	}

	var shown struct {
		Order   struct{ Status string } `json:"order"`
		History []struct {
			Attrs map[string]string `json:"attrs"`
		} `json:"history"`
	}
	cli.json(&shown, "order", "show", id)
	var statuses []string
	for _, e := range shown.History {
		statuses = append(statuses, e.Attrs["status"])
	}
	if shown.Order.Status != "issued" || fmt.Sprint(statuses) != "[awaiting_payment paid issued]" {
		t.Fatalf("order %s is %s with history %v", id, shown.Order.Status, statuses)
	}
	if n := txSearchCount(t, rpc, id); n != 3 {
		t.Fatalf("tx_search finds %d transactions for order %s, want 3", n, id)
	}

	// A rejected transaction: its code name, and exit status 3.
	out, code := cli.run("--output", "json", "issue", "--from", "issuer", "--order", id)
	var rej struct {
		CodeName string `json:"code_name"`
	}
	if err := json.Unmarshal(out, &rej); err != nil || code != 3 || rej.CodeName != "order_already_issued" {
		t.Fatalf("second issue: exit %d, output %s", code, out)
	}
}

type cliRunner struct {
	t    *testing.T
	bin  string
	args []string
}

func (c *cliRunner) run(args ...string) ([]byte, int) {
	c.t.Helper()
	cmd := exec.Command(c.bin, append(append([]string{}, c.args...), args...)...)
	cmd.Env = append(os.Environ(), "CHIPMINT_PASSPHRASE=e2e-passphrase")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return append(out, stderr.Bytes()...), exit.ExitCode()
	}
	if err != nil {
		c.t.Fatalf("chipmint %v: %v", args, err)
	}
	return out, 0
}

func (c *cliRunner) ok(args ...string) []byte {
	c.t.Helper()
	out, code := c.run(args...)
	if code != 0 {
		c.t.Fatalf("chipmint %v: exit %d: %s", args, code, out)
	}
	return out
}

func (c *cliRunner) json(v any, args ...string) {
	c.t.Helper()
	out := c.ok(append([]string{"--output", "json"}, args...)...)
	if err := json.Unmarshal(out, v); err != nil {
		c.t.Fatalf("chipmint %v: %v in %s", args, err, out)
	}
}

func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "chipmint")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func startNode(t *testing.T, bin, home string) {
	t.Helper()
	cmd := exec.Command(bin, "node", "--home", home, "--check-invariants")
	logFile, err := os.Create(filepath.Join(home, "node.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		logFile.Close()
		if t.Failed() {
			if b, err := os.ReadFile(logFile.Name()); err == nil && len(b) > 4000 {
				t.Logf("node log tail:\n%s", b[len(b)-4000:])
			}
		}
	})
}

// waitForNode polls until the node answers and has committed a block, for at most a minute.
func waitForNode(t *testing.T, cli *cliRunner) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		if _, code := cli.run("supply"); code == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("node did not answer within a minute")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func txSearchCount(t *testing.T, rpc, orderID string) int {
	t.Helper()
	q := url.Values{"query": {fmt.Sprintf("\"order.id='%s'\"", orderID)}}
	resp, err := http.Get(rpc + "/tx_search?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		Result struct {
			TotalCount string `json:"total_count"`
		} `json:"result"`
	}
	if err := json.Unmarshal(body, &res); err != nil {
		t.Fatalf("tx_search: %v: %s", err, body)
	}
	var n int
	fmt.Sscan(res.Result.TotalCount, &n)
	return n
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
