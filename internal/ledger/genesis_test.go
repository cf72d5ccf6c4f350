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
