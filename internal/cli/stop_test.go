package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chipmint/chipmint/internal/node"
)

// runCtx runs the command line with ctx, as Main does with the context that Ctrl-C
// cancels; the command's output goes to out and errOut.
func runCtx(ctx context.Context, out, errOut *syncBuffer, args ...string) ExitCode {
	g := &Globals{Out: out, Err: errOut}
	cmd := NewCmdRoot(g)
	cmd.SetArgs(args)
	if err := cmd.ExecuteContext(ctx); err != nil {
		return g.report(err)
	}
	return ExitOK
}

// Ctrl-C stops `chipmint node` with exit 0 and without ERROR lines, its admin address
// included; a second node on the same home is refused with a message saying why.
func TestNodeStopsCleanlyOnCtrlC(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a node")
	}
	t.Setenv("CHIPMINT_PASSPHRASE", "stop-test")
	// Not t.TempDir: `chipmint init` makes a home that runs peer exchange, and CometBFT's
	// address book writes its file once more after the node has stopped, from a
	// goroutine nobody waits for, which a strict removal reports as a failure.
	home, err := os.MkdirTemp("", "chipmint-stop-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(home) })
	ports, err := node.FreePorts(3)
	if err != nil {
		t.Fatal(err)
	}
	rpc, admin := fmt.Sprintf("127.0.0.1:%d", ports[0]), fmt.Sprintf("127.0.0.1:%d", ports[2])
	if _, errOut, code := run(t, "--home", home, "init", "--rpc", rpc, "--p2p", fmt.Sprintf("127.0.0.1:%d", ports[1]), "--block-time", "100ms"); code != ExitOK {
		t.Fatalf("init: %s", errOut)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out, errOut := &syncBuffer{}, &syncBuffer{}
	done := make(chan ExitCode, 1)
	go func() { done <- runCtx(ctx, out, errOut, "--home", home, "node", "--admin-listen", admin) }()
	deadline := time.Now().Add(time.Minute)
	for !strings.Contains(string(errOut.Bytes()), "node running") {
		if time.Now().After(deadline) {
			t.Fatalf("the node did not start: %s", errOut.Bytes())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if c, err := net.Dial("tcp", rpc); err != nil {
		t.Fatalf("the node's RPC does not answer: %v", err)
	} else {
		c.Close()
	}
	if out, errOut, code := run(t, "--node", rpc, "supply", "--admin", admin); code != ExitOK || !strings.Contains(out, "invariants hold at height") {
		t.Fatalf("supply --admin: exit %d: %s%s", code, out, errOut)
	}
	_, second, code := run(t, "--home", home, "node")
	if code != ExitError || !strings.Contains(second, "another chipmint is running on this home") {
		t.Fatalf("a second node on the home: exit %d: %s", code, second)
	}
	cancel()
	if code := <-done; code != ExitOK {
		t.Fatalf("node exit %d: %s", code, errOut.Bytes())
	}
	if logs := string(errOut.Bytes()); strings.Contains(logs, "level=ERROR") {
		t.Fatalf("the node logged errors while it stopped:\n%s", logs)
	}
}

// A first start that fails names the flag to change and leaves no half-made home.
func TestFailedFirstStartLeavesNoHome(t *testing.T) {
	t.Setenv("CHIPMINT_PASSPHRASE", "fresh-test")
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	ports, err := node.FreePorts(4)
	if err != nil {
		t.Fatal(err)
	}
	addr := func(i int) string { return fmt.Sprintf("127.0.0.1:%d", ports[i]) }
	// Its bank's port in use, or its node's admin port.
	tests := []struct{ flag, bank, admin string }{
		{"--bank-listen", busy.Addr().String(), "127.0.0.1:0"},
		{"--admin-listen", addr(3), busy.Addr().String()},
	}
	for _, tc := range tests {
		home := t.TempDir()
		_, errOut, code := run(t, "--home", home, "dev", "--rpc", addr(0), "--p2p", addr(1), "--gateway-listen", addr(2),
			"--bank-listen", tc.bank, "--admin-listen", tc.admin, "--api", "127.0.0.1:0")
		if code != ExitError || !strings.Contains(errOut, tc.flag) {
			t.Fatalf("dev with the port of %s in use: exit %d: %s", tc.flag, code, errOut)
		}
		if left := dirEntries(t, home); len(left) != 0 {
			t.Fatalf("dev with the port of %s in use left %v in the home", tc.flag, left)
		}
	}
	out := filepath.Join(t.TempDir(), "net")
	_, errOut, code := run(t, "testnet", "--validators", "2", "--hosts", "10.0.0.1,10.0.0.2,10.0.0.3", "--out", out)
	if code != ExitUsage || !strings.Contains(errOut, "hosts") {
		t.Fatalf("testnet with three hosts for two validators: exit %d: %s", code, errOut)
	}
	if _, err := os.Stat(out); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("testnet left %s: %v", out, err)
	}
}

func dirEntries(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}
