package cli

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/chipmint/chipmint/internal/node/nodetest"
	"github.com/chipmint/chipmint/internal/txn"
)

// `chipmint verify` believes a balance and an order proved from a trusted header with a
// witness, another node that follows the chain, answers in JSON and for people, and
// refuses a primary on a fork with its own exit status; flags it cannot do without, and
// a witness that is the primary's node, are usage errors that say why.
func TestVerifyBalanceAndOrder(t *testing.T) {
	if testing.Short() {
		t.Skip("runs nodes")
	}
	ch := nodetest.Start(t)
	ctx := nodetest.Context(t)
	buyer := nodetest.Key(71)
	addr := nodetest.Address(t, buyer)
	o := ch.Buy(t, buyer, "buyer", 250)
	ch.Confirm(t, o, "REF-CLI-VERIFY")
	if _, err := ch.Client.Submit(ctx, &txn.Issue{OrderID: o.ID, Chips: ch.Order(t, o.ID).Chips}, ch.Issuer); err != nil {
		t.Fatal(err)
	}
	issued := ch.WaitOrder(t, o.ID, txn.StatusIssued).IssuedHeight
	ch.WaitHeight(t, issued+1)
	sh, err := ch.Client.SignedHeader(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	rpc, follower := ch.Node.RPCAddress(), ch.Follower(t).Node.RPCAddress()
	trust := []string{"--trust-height", "2", "--trust-hash", sh.Hash().String()}
	verify := func(primary, witness string, args ...string) (string, string, ExitCode) {
		return run(t, append(append([]string{"verify"}, args...), append([]string{"--primary", primary, "--witness", witness}, trust...)...)...)
	}

	out, errOut, code := verify(rpc, follower, "balance", addr.String(), "--height", strconv.FormatInt(issued, 10), "-o", "json")
	var bal struct {
		Chips        string   `json:"chips"`
		Height       int64    `json:"height"`
		HeaderHeight int64    `json:"header_height"`
		TrustHeight  int64    `json:"trust_height"`
		Witnesses    []string `json:"witnesses"`
	}
	if code != ExitOK || json.Unmarshal([]byte(out), &bal) != nil {
		t.Fatalf("verify balance: exit %d: %s %s", code, out, errOut)
	}
	if bal.Chips != "2500000" || bal.Height != issued || bal.HeaderHeight != issued+1 || bal.TrustHeight != 2 || len(bal.Witnesses) != 1 {
		t.Fatalf("verify balance answered %+v", bal)
	}
	out, errOut, code = verify(rpc, follower, "order", o.PaymentReference)
	want := fmt.Sprintf("order %s: issued at height ", o.ID)
	if code != ExitOK || !strings.HasPrefix(out, want) || !strings.Contains(out, "checked from trusted height 2 with 1 witness") {
		t.Fatalf("verify order: exit %d: %q %s; want %q…", code, out, errOut, want)
	}

	rpcAgain := nodetest.ReverseProxy(t, rpc)
	refusals := []struct {
		name string
		args []string
		code ExitCode
		says string
	}{
		{"no witness", []string{"verify", "balance", addr.String(), "--primary", rpc, "--trust-height", "2", "--trust-hash", sh.Hash().String()}, ExitUsage, "--witness is required: the light client catches a lying primary"},
		{"no trusted header", []string{"verify", "balance", addr.String(), "--primary", rpc, "--witness", follower}, ExitUsage, "--trust-height and --trust-hash are required"},
		{"a malformed trusted hash", []string{"verify", "order", o.ID, "--primary", rpc, "--witness", follower, "--trust-height", "2", "--trust-hash", "12ab"}, ExitUsage, "--trust-hash: want a header's hash"},
		{"a trusted header older than the trusting period", []string{"verify", "order", o.ID, "--primary", rpc, "--witness", follower, "--trust-height", "2", "--trust-hash", sh.Hash().String(), "--trust-period", "1ns"}, ExitUsage, "older than the trusting period"},
		{"a trusted hash the chain does not have", []string{"verify", "order", o.ID, "--primary", rpc, "--witness", follower, "--trust-height", "2", "--trust-hash", strings.Repeat("ab", 32)}, ExitRefused, "expected header's hash"},
		{"the primary as its own witness", append([]string{"verify", "order", o.ID, "--primary", rpc, "--witness", rpc}, trust...), ExitUsage, "name another organisation's node"},
		{"the primary under another address as its witness", append([]string{"verify", "balance", addr.String(), "--primary", rpc, "--witness", rpcAgain}, trust...), ExitUsage, "the witness " + rpcAgain + " is node "},
	}
	for _, r := range refusals {
		t.Run(r.name, func(t *testing.T) {
			out, errOut, code := run(t, r.args...)
			if code != r.code || !strings.Contains(errOut, r.says) {
				t.Fatalf("exit %d, %q %q; want exit %d saying %q", code, out, errOut, r.code, r.says)
			}
		})
	}

	fork := ch.Fork(t)
	onFork := fork.Buy(t, nodetest.Key(72), "fork-buyer", 100)
	ch.WaitHeight(t, onFork.CreatedHeight+1)
	fork.WaitHeight(t, onFork.CreatedHeight+1)
	_, errOut, code = verify(fork.Node.RPCAddress(), ch.Node.RPCAddress(), "order", onFork.ID, "--height", strconv.FormatInt(onFork.CreatedHeight, 10))
	if code != ExitRefused || !strings.Contains(errOut, "light client attack detected") || !strings.Contains(errOut, "follows a fork") {
		t.Fatalf("a primary on a fork: exit %d, %s", code, errOut)
	}
}
