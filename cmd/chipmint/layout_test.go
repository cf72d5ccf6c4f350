package main

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/chipmint/chipmint/"

// deps lists the packages pkg imports, directly or not (tests excluded).
func deps(t *testing.T, pkg string) []string {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", module+pkg).Output()
	if err != nil {
		t.Fatalf("go list %s: %v", pkg, err)
	}
	return strings.Fields(string(out))
}

// The services and the wallet's client see the chain as any outside program would:
// through the wire format and the RPC, never through the state machine or its store.
func TestServicesDoNotReachIntoTheStateMachine(t *testing.T) {
	for _, pkg := range []string{"internal/client", "internal/issuer", "internal/gateway", "internal/bank", "internal/bank/camt"} {
		for _, dep := range deps(t, pkg) {
			for _, forbidden := range []string{"internal/ledger", "internal/store", "internal/abciapp", "internal/node"} {
				if dep == module+forbidden {
					t.Errorf("%s depends on %s", pkg, forbidden)
				}
			}
		}
	}
}

// The state machine and the wire format are pure: no consensus engine, network, files,
// clock source or randomness in what they import. (The ledger reaches pebble only
// through the store's interfaces, which its caller implements.)
func TestStateMachineIsPure(t *testing.T) {
	for _, pkg := range []string{"internal/ledger", "internal/txn", "internal/crypto", "internal/fiat"} {
		out, err := exec.Command("go", "list", "-f", "{{join .Imports \" \"}}", module+pkg).Output()
		if err != nil {
			t.Fatalf("go list %s: %v", pkg, err)
		}
		for _, dep := range strings.Fields(string(out)) {
			switch {
			case strings.HasPrefix(dep, "github.com/cometbft/"), strings.HasPrefix(dep, "github.com/cockroachdb/"),
				dep == "net", dep == "net/http", dep == "os", dep == "math/rand", dep == "math/rand/v2", dep == "log", dep == "log/slog":
				t.Errorf("%s imports %s", pkg, dep)
			}
		}
	}
}
