package bank

import (
	"os/exec"
	"strings"
	"testing"
)

// TestBankNoChainImports keeps the sandbox outside the chain: it stands for the real bank.
func TestBankNoChainImports(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool")
	}
	out, err := exec.Command(goTool, "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		for _, banned := range []string{"ledger", "store", "abciapp"} {
			if pkg == "github.com/chipmint/chipmint/internal/"+banned {
				t.Errorf("package bank depends on %s", pkg)
			}
		}
	}
}
