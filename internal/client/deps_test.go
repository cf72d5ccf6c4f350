package client

import (
	"os/exec"
	"strings"
	"testing"
)

// Programs outside the node see the chain as any outside program would: through the
// wire format and the RPC, never through the state machine or its store.
func TestClientDoesNotImportTheStateMachine(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, forbidden := range []string{"/internal/ledger", "/internal/store", "/internal/abciapp"} {
			if strings.HasSuffix(dep, forbidden) {
				t.Errorf("package client depends on %s", dep)
			}
		}
	}
}
