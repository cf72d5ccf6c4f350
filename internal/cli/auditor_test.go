package cli

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/chipmint/chipmint/internal/keystore"
	"github.com/chipmint/chipmint/internal/node"
	"github.com/chipmint/chipmint/internal/txn"
)

// The issuers add and remove auditors from the command line, directly while one issuer
// may, by a proposal and an approval above; an auditor's key is rotated like the other
// roles'; and auditor list shows who they are.
func TestAuditorCommands(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a node")
	}
	tc := startTestChain(t, 0)
	cli := tc.cli
	for _, name := range []string{"auditor1", "auditor2", "auditor3", "issuer2"} {
		cli("keys", "add", name)
	}
	list := func() []txn.Auditor {
		t.Helper()
		var auditors []txn.Auditor
		if err := json.Unmarshal([]byte(cli("-o", "json", "auditor", "list")), &auditors); err != nil {
			t.Fatal(err)
		}
		return auditors
	}
	if out := cli("auditor", "list"); !strings.Contains(out, "no auditors") || len(list()) != 0 {
		t.Fatalf("auditor list of a chain without auditors: %s", out)
	}
	// dev warns when its auditor's key is no auditor of its chain, as in a home made
	// before the chain had auditors, and says how to make it one.
	ks, err := keystore.Open(node.KeysDir(tc.home))
	if err != nil {
		t.Fatal(err)
	}
	key, err := ks.Unlock("auditor1", "chain-test")
	if err != nil {
		t.Fatal(err)
	}
	warned := func(want bool) string {
		t.Helper()
		var errOut bytes.Buffer
		is, err := warnNoAuditor(t.Context(), &Globals{Home: tc.home, Err: &errOut}, tc.ch.Client, key)
		if err != nil || is != want {
			t.Fatalf("an auditor: %v, want %v (%v)", is, want, err)
		}
		return errOut.String()
	}
	if w := warned(false); !strings.Contains(w, "is not an auditor of this chain") || !strings.Contains(w, "auditor add auditor --key auditor") {
		t.Fatalf("no warning of an auditor's key that is not an auditor: %q", w)
	}
	if out := cli("auditor", "add", "--from", "issuer", "audit-a", "--key", "auditor1"); !strings.Contains(out, "auditor audit-a added") {
		t.Fatalf("auditor add: %s", out)
	}
	if w := warned(true); w != "" {
		t.Fatalf("a warning of an auditor's key that is an auditor: %q", w)
	}
	if got := list(); len(got) != 1 || got[0].ID != "audit-a" || got[0].Address != tc.address(t, "auditor1") {
		t.Fatalf("auditors: %+v", got)
	}
	tc.refused(t, ExitRejected, []string{"auditor", "add", "--from", "issuer", "audit-b", "--key", "auditor1"}, "auditor_exists (code 76)")
	tc.refused(t, ExitRejected, []string{"auditor", "add", "--from", "acme", "audit-b", "--key", "auditor2"}, "wrong_role (code 11)")
	tc.refused(t, ExitRejected, []string{"auditor", "add", "--from", "issuer", "audit-b", "--key", "acme"}, "wrong_role (code 11)")
	tc.refused(t, ExitUsage, []string{"auditor", "add", "--from", "issuer", "audit-b"}, "--key")

	cli("keys", "rotate", "--role", "auditor", "--from", "auditor1", "--to", "auditor3")
	if got := list(); len(got) != 1 || got[0].ID != "audit-a" || got[0].Address != tc.address(t, "auditor3") {
		t.Fatalf("auditors after the rotation: %+v", got)
	}

	// Above one issuer the commands propose; the other issuer's approval applies them.
	cli("issuer", "add", "--from", "issuer", "issuer-2", "--key", "issuer2")
	cli("issuer", "threshold", "--from", "issuer", "2")
	for _, args := range [][]string{
		{"auditor", "add", "--from", "issuer", "audit-b", "--key", "auditor2"},
		{"auditor", "remove", "--from", "issuer", "auditor3"},
	} {
		var out proposalOut
		if err := json.Unmarshal([]byte(cli(append([]string{"-o", "json"}, args...)...)), &out); err != nil ||
			out.Proposal.Status != txn.ProposalPending || out.Proposal.Needed != 1 || !strings.Contains(out.Proposal.Summary, "auditor") {
			t.Fatalf("chipmint %v: %+v %v", args, out, err)
		}
		cli("issuer", "approve", "--from", "issuer2", out.Proposal.ID)
	}
	if got := list(); len(got) != 1 || got[0].ID != "audit-b" || got[0].Address != tc.address(t, "auditor2") {
		t.Fatalf("auditors after the board's changes: %+v", got)
	}
}
