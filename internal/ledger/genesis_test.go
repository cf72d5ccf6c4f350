package ledger

import (
	"errors"
	"strings"
	"testing"

	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/store"
	"github.com/chipmint/chipmint/internal/txn"
)

// threeIssuers are the issuers of keys 1, 2 and 3.
func threeIssuers() []txn.Issuer {
	var out []txn.Issuer
	for i, id := range []string{"central", "audit", "treasury"} {
		p := pub(key(byte(i + 1)))
		out = append(out, txn.Issuer{ID: id, Address: crypto.AddressOf(p), PublicKey: p})
	}
	return out
}

func TestGenesisIssuerThreshold(t *testing.T) {
	tests := []struct {
		name      string
		threshold int64
		issuers   int
		want      int64
		reason    string
	}{
		{name: "none is one", threshold: 0, issuers: 1, want: 1},
		{name: "two of three", threshold: 2, issuers: 3, want: 2},
		{name: "all three", threshold: 3, issuers: 3, want: 3},
		{name: "more than the issuers", threshold: 4, issuers: 3, reason: "issuer_threshold 4: want at least 1 and at most the 3 issuers"},
		{name: "two of one", threshold: 2, issuers: 1, reason: "issuer_threshold 2"},
		{name: "negative", threshold: -1, issuers: 3, reason: "issuer_threshold -1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := Genesis{Issuers: threeIssuers()[:tt.issuers], IssuerThreshold: tt.threshold, IssueApprovalChips: 5_000_000}
			kv := store.NewOverlay(emptyReader{})
			err := InitGenesis(kv, g)
			if tt.reason != "" {
				if !errors.Is(err, ErrGenesis) || !strings.Contains(err.Error(), tt.reason) {
					t.Fatalf("InitGenesis = %v, want %v saying %q", err, ErrGenesis, tt.reason)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			p := GetParams(kv)
			if p.IssuerThreshold != tt.want || p.IssueApprovalChips != 5_000_000 || p.ProposalTTLBlocks != proposalTTLBlocksDefault {
				t.Fatalf("params = %+v", p)
			}
		})
	}
}

func TestParseGenesisApprovalParams(t *testing.T) {
	g, err := ParseGenesis([]byte(`{"issuers": [], "issuer_threshold": 1, "issue_approval_chips": "1000000000", "proposal_ttl_blocks": 600}`))
	if !errors.Is(err, ErrGenesis) {
		t.Fatalf("a genesis without issuers: %v", err)
	}
	if g.IssuerThreshold != 1 || g.IssueApprovalChips != 1_000_000_000 || g.ProposalTTLBlocks != 600 {
		t.Fatalf("genesis = %+v", g)
	}
}

func TestGenesisAuditors(t *testing.T) {
	weak := make([]byte, crypto.PublicKeyBytes)
	weak[0] = 1
	auditor := func(id string, seed byte) txn.Auditor {
		p := pub(key(seed))
		return txn.Auditor{ID: id, Address: crypto.AddressOf(p), PublicKey: p}
	}
	tests := []struct {
		name     string
		auditors []txn.Auditor
		reason   string
	}{
		{name: "none"},
		{name: "two", auditors: []txn.Auditor{auditor("audit-a", 6), auditor("audit-b", 7)}},
		{name: "a small-order key", auditors: []txn.Auditor{{ID: "audit-a", Address: crypto.AddressOf(weak), PublicKey: weak}}, reason: "auditors[0].public_key"},
		{name: "a short key", auditors: []txn.Auditor{{ID: "audit-a", Address: crypto.AddressOf(weak[:31]), PublicKey: weak[:31]}}, reason: "auditors[0].public_key: want 32 bytes"},
		{name: "an address of another key", auditors: []txn.Auditor{{ID: "audit-a", Address: auditor("", 7).Address, PublicKey: pub(key(6))}}, reason: "auditors[0].address"},
		{name: "no id", auditors: []txn.Auditor{auditor("", 6)}, reason: "auditors[0].id is empty"},
		{name: "the same key twice", auditors: []txn.Auditor{auditor("audit-a", 6), auditor("audit-b", 6)}, reason: "auditors[1] (audit-b): its key is"},
		{name: "the same id twice", auditors: []txn.Auditor{auditor("audit-a", 6), auditor("audit-a", 7)}, reason: "auditors[1] (audit-a) is listed twice"},
		{name: "an issuer's key", auditors: []txn.Auditor{auditor("audit-a", 2)}, reason: "an auditor needs its own key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kv := store.NewOverlay(emptyReader{})
			err := InitGenesis(kv, Genesis{Issuers: threeIssuers(), Auditors: tt.auditors})
			if tt.reason != "" {
				if !errors.Is(err, ErrGenesis) || !strings.Contains(err.Error(), tt.reason) {
					t.Fatalf("InitGenesis = %v, want %v saying %q", err, ErrGenesis, tt.reason)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := allAuditors(kv); len(got) != len(tt.auditors) {
				t.Fatalf("auditors = %+v, want %d", got, len(tt.auditors))
			}
			if err := CheckInvariants(kv); err != nil {
				t.Fatalf("the genesis state fails the check: %v", err)
			}
		})
	}
}
