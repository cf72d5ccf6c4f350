package cli

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/keystore"
	"github.com/chipmint/chipmint/internal/node"
	"github.com/chipmint/chipmint/internal/txn"
)

// A paused transfer is refused with its code and goes through once unpaused; a frozen
// account's likewise. Pausing needs an issuer's key, and an operation the chain knows.
func TestPauseAndFreezeFromTheCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a node")
	}
	tc := startTestChain(t, 0)
	cli := tc.cli
	cli("keys", "add", "alice")
	cli("keys", "add", "bob")
	tc.fund(t, "alice", "10.00")
	send := []string{"send", "--from", "alice", "--to", "bob", "--amount", "1"}

	var paused struct {
		Paused []txn.PausedOperation `json:"paused"`
	}
	if err := json.Unmarshal([]byte(cli("-o", "json", "pause", "--from", "issuer", "transfer", "--reason", "incident 42")), &paused); err != nil ||
		len(paused.Paused) != 1 || paused.Paused[0].Operation != "transfer" || paused.Paused[0].Reason != "incident 42" {
		t.Fatalf("pause: %+v %v", paused, err)
	}
	tc.refused(t, ExitRejected, send, "paused (code 56)", "incident 42")
	tc.refused(t, ExitRejected, []string{"pause", "--from", "issuer", "transfer", "--reason", "again"}, "paused (code 56)")
	if out := cli("unpause", "--from", "issuer", "transfer"); !strings.Contains(out, "transfer unpaused") {
		t.Fatalf("unpause: %s", out)
	}
	tc.refused(t, ExitRejected, []string{"unpause", "--from", "issuer", "transfer"}, "not_paused (code 57)")
	cli(send...)

	if out := cli("freeze", "--from", "issuer", "alice", "--reason", "court order"); !strings.Contains(out, "frozen") || !strings.Contains(out, "court order") {
		t.Fatalf("freeze: %s", out)
	}
	tc.refused(t, ExitRejected, send, "frozen (code 58)")
	cli("unfreeze", "--from", "issuer", tc.address(t, "alice").String())
	tc.refused(t, ExitRejected, []string{"unfreeze", "--from", "issuer", "alice"}, "not_frozen (code 59)")
	cli(send...)

	// Only an issuer pauses: the operator's key holds another role, a stranger's none.
	tc.refused(t, ExitRejected, []string{"pause", "--from", "acme", "redeem", "--reason", "x"}, "wrong_role (code 11)")
	tc.refused(t, ExitRejected, []string{"freeze", "--from", "bob", "alice", "--reason", "x"}, "not_issuer (code 9)")
	tc.refused(t, ExitUsage, []string{"pause", "--from", "issuer", "withdraw", "--reason", "x"}, "OPERATION", "withdraw")
	out, _, code := tc.try(t, "-o", "json", "unpause", "--from", "issuer", "transfer")
	var rej struct {
		Code     uint32 `json:"code"`
		CodeName string `json:"code_name"`
	}
	if code != ExitRejected || json.Unmarshal([]byte(out), &rej) != nil || rej.Code != uint32(txn.NotPaused) || rej.CodeName != "not_paused" {
		t.Fatalf("a refusal in JSON: exit %d, %s", code, out)
	}
}

// A fresh node's home is added as a validator by its key file, listed with its
// CometBFT address, power and share, and removed again.
func TestValidatorAddFromNodeHome(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a node")
	}
	tc := startTestChain(t, 0)
	cli := tc.cli
	home := filepath.Join(t.TempDir(), "newnode")
	ks, err := keystore.Open(node.KeysDir(tc.home))
	if err != nil {
		t.Fatal(err)
	}
	is, err := ks.Show("issuer")
	if err != nil {
		t.Fatal(err)
	}
	if err := node.Init(node.InitOptions{Home: home, ChainID: "other", Moniker: "new",
		Issuers: []txn.Issuer{{ID: "issuer", Address: is.Address, PublicKey: is.PublicKey}}}); err != nil {
		t.Fatal(err)
	}
	pub, err := node.ValidatorPublicKey(home)
	if err != nil {
		t.Fatal(err)
	}
	// Power 1 beside the genesis validator's 10: the chain keeps more than two thirds
	// of its power on the one node that runs.
	if out := cli("validator", "add", "--from", "issuer", "--node-home", home, "--power", "1"); !strings.Contains(out, "set to power 1") {
		t.Fatalf("validator add: %s", out)
	}
	var vals []validatorView
	if err := json.Unmarshal([]byte(cli("-o", "json", "validator", "list")), &vals); err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(vals, func(v validatorView) bool { return string(v.PublicKey) == string(pub) })
	addr := crypto.AddressOf(pub)
	if len(vals) != 2 || i < 0 || vals[i].Power != 1 || vals[i].Address != fmt.Sprintf("%X", addr[:]) || vals[i].Share != 1.0/11 {
		t.Fatalf("validator list: %+v", vals)
	}
	if text := cli("validator", "list"); !strings.Contains(text, base64.StdEncoding.EncodeToString(pub)) || !strings.Contains(text, "9.09%") {
		t.Fatalf("validator list:\n%s", text)
	}
	cli("validator", "remove", "--from", "issuer", "--pubkey", base64.StdEncoding.EncodeToString(pub))
	if err := json.Unmarshal([]byte(cli("-o", "json", "validator", "list")), &vals); err != nil || len(vals) != 1 {
		t.Fatalf("after the removal: %+v %v", vals, err)
	}
	tc.refused(t, ExitRejected, []string{"validator", "remove", "--from", "issuer", "--node-home", home}, "unknown_validator (code 71)")
	tc.refused(t, ExitRejected, []string{"validator", "add", "--from", "acme", "--node-home", home, "--power", "1"}, "wrong_role (code 11)")
}

// shownProposal is a proposal as the commands print it in JSON.
type shownProposal struct {
	ID              string             `json:"id"`
	Status          txn.ProposalStatus `json:"status"`
	Action          string             `json:"action"`
	Summary         string             `json:"summary"`
	Counted         int                `json:"approvals_counted"`
	Threshold       int64              `json:"threshold"`
	Needed          int64              `json:"approvals_needed"`
	ApprovableUntil *deadline          `json:"approvable_until"`
}

// proposalOut is what a command that proposed or approved prints in JSON.
type proposalOut struct {
	Proposal shownProposal `json:"proposal"`
}

// With two issuers of whom both must approve, every controlled command proposes its
// action and says how many approvals it needs; the other issuer's approval applies it.
// A proposal is approved once by each issuer, and only while it is pending.
func TestControlledCommandsProposeAboveOneIssuer(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a node")
	}
	tc := startTestChainWith(t, node.LocalOptions{IssueApprovalChips: 50_000_000})
	cli := tc.cli
	cli("keys", "add", "issuer2")
	cli("keys", "add", "alice")
	if out := cli("issuer", "add", "--from", "issuer", "issuer-2", "--key", "issuer2"); !strings.Contains(out, "issuer issuer-2 added") {
		t.Fatalf("issuer add: %s", out)
	}
	cli("issuer", "threshold", "--from", "issuer", "2")

	propose := func(args ...string) shownProposal {
		t.Helper()
		var out proposalOut
		if err := json.Unmarshal([]byte(cli(append([]string{"-o", "json"}, args...)...)), &out); err != nil || out.Proposal.ID == "" {
			t.Fatalf("chipmint %v: %+v %v", args, out, err)
		}
		p := out.Proposal
		if p.Status != txn.ProposalPending || p.Counted != 1 || p.Threshold != 2 || p.Needed != 1 || p.ApprovableUntil == nil {
			t.Fatalf("chipmint %v proposed %+v", args, p)
		}
		return p
	}
	approve := func(id string) shownProposal {
		t.Helper()
		var out proposalOut
		if err := json.Unmarshal([]byte(cli("-o", "json", "issuer", "approve", "--from", "issuer2", id)), &out); err != nil {
			t.Fatal(err)
		}
		if out.Proposal.Status != txn.ProposalExecuted {
			t.Fatalf("approved %s: %+v", id, out.Proposal)
		}
		return out.Proposal
	}

	// An order above what one issuer may issue alone: its issue is proposed.
	id := orderIDIn(t, cli("buy", "--from", "alice", "--operator", "acme", "--amount", "100.00"))
	cli("confirm", "--from", "acme", "--order", id, "--amount", "100.00", "--bank-ref", "BIG-1")
	text := cli("issue", "--from", "issuer", "--order", id)
	if !strings.Contains(text, "proposed issue of 100.00 CHIP for order "+id) || !strings.Contains(text, "1 of 2 approvals: 1 more needed") ||
		!strings.Contains(text, "chipmint issuer approve --from ISSUER ") {
		t.Fatalf("issue above the limit:\n%s", text)
	}
	issueID := regexp.MustCompile(`as proposal ([0-9A-F]{20})`).FindStringSubmatch(text)[1]
	pause := propose("unpause", "--from", "issuer", "redeem")
	update := propose("operator", "update", "--from", "issuer", "acme", "--cap", "2000")
	var listed []shownProposal
	if err := json.Unmarshal([]byte(cli("-o", "json", "issuer", "proposals")), &listed); err != nil || len(listed) != 3 ||
		!slices.ContainsFunc(listed, func(p shownProposal) bool {
			return p.ID == pause.ID && p.Action == "unpause" && p.Summary == "the unpause of redeem"
		}) {
		t.Fatalf("issuer proposals: %+v %v", listed, err)
	}
	if text := cli("issuer", "proposals"); !strings.Contains(text, update.ID+"  the update of operator acme") || !strings.Contains(text, "1 of 2 approvals") {
		t.Fatalf("issuer proposals:\n%s", text)
	}
	if text := cli("issuer", "proposal", "show", strings.ToLower(update.ID)); !strings.Contains(text, "cap 2,000.00 CHIP") || !strings.Contains(text, "(pending)") {
		t.Fatalf("proposal show:\n%s", text)
	}

	// The proposer has approved already; the other issuer's approval applies it, once.
	tc.refused(t, ExitRejected, []string{"issuer", "approve", "--from", "issuer", update.ID}, "already_approved (code 55)")
	tc.refused(t, ExitRejected, []string{"issuer", "approve", "--from", "acme", update.ID}, "wrong_role (code 11)")
	approve(update.ID)
	tc.refused(t, ExitRejected, []string{"issuer", "approve", "--from", "issuer2", update.ID}, "proposal_not_pending (code 54)")
	tc.refused(t, ExitRejected, []string{"issuer", "approve", "--from", "issuer2", "0123456789ABCDEF0123"}, "unknown_proposal (code 52)")
	tc.refused(t, ExitError, []string{"issuer", "proposal", "show", "0123456789ABCDEF0123"}, "proposal 0123456789ABCDEF0123 is unknown")
	if op, err := tc.ch.Client.Operator(t.Context(), "acme"); err != nil || op.CapChips != 2_000_000_000 {
		t.Fatalf("acme after the update: cap %d, %v", op.CapChips, err)
	}
	// Unpausing what is not paused is refused when the approval applies it: the
	// proposal waits as it was.
	tc.refused(t, ExitRejected, []string{"issuer", "approve", "--from", "issuer2", pause.ID}, "not_paused (code 57)")

	approve(issueID)
	if o, err := tc.ch.Client.Order(t.Context(), id); err != nil || o.Status != txn.StatusIssued {
		t.Fatalf("order after the approval: %s %v", o.Status, err)
	}
	revoke := propose("operator", "revoke", "--from", "issuer", "acme", "--reason", "licence withdrawn")
	approve(revoke.ID)
	tc.refused(t, ExitRejected, []string{"buy", "--from", "alice", "--operator", "acme", "--amount", "1.00"}, "operator_revoked (code 60)")
	tc.refused(t, ExitUsage, []string{"operator", "update", "--from", "issuer", "acme"}, "nothing to update")
}
