package audit

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/query"
)

// fakeNode is a node's state as the audit sees it, which a test can break.
type fakeNode struct {
	height    int64
	headers   []client.Header
	invariant query.Invariants
	txs       map[string]int64
	down      bool
}

func (f *fakeNode) Height(context.Context) (int64, error) {
	if f.down {
		return 0, errors.New("connection refused")
	}
	return f.height, nil
}

func (f *fakeNode) Base(context.Context) (int64, error) { return f.headers[0].Height, nil }

func (f *fakeNode) Headers(_ context.Context, lo, hi int64) ([]client.Header, error) {
	base := f.headers[0].Height
	return f.headers[lo-base : hi-base+1], nil
}

func (f *fakeNode) CheckInvariants(context.Context) (query.Invariants, error) {
	return f.invariant, nil
}

func (f *fakeNode) BlockTxHashes(_ context.Context, height int64) ([][]byte, error) {
	var out [][]byte
	for tx, h := range f.txs {
		if h == height {
			out = append(out, []byte(tx))
		}
	}
	return out, nil
}

// healthy is a node at height 5 that has the transactions "a" (height 2) and "b" (3).
func healthy(height int64) *fakeNode {
	f := &fakeNode{height: height, invariant: query.Invariants{Height: height, OK: true}, txs: map[string]int64{"a": 2, "b": 3}}
	for h := int64(1); h <= height; h++ {
		f.headers = append(f.headers, client.Header{Height: h, BlockHash: []byte{byte(h)}, AppHash: []byte{byte(h), 0xAA}})
	}
	return f
}

func TestAudit(t *testing.T) {
	tests := []struct {
		name   string
		broken func(nodes []*fakeNode)
		want   string // in a problem; "" means the audit must pass
	}{
		{"healthy network", func([]*fakeNode) {}, ""},
		{"a node behind is compared up to the common height", func(n []*fakeNode) { n[2] = healthy(4); n[2].txs = map[string]int64{"a": 2, "b": 3} }, ""},
		{"doubled mint", func(n []*fakeNode) {
			n[1].invariant = query.Invariants{Height: 5, Error: "ledger: invariant broken: balances sum to 200 chips, supply is 100"}
		}, "invariant broken"},
		{"missing acknowledged transaction", func(n []*fakeNode) { delete(n[2].txs, "b") }, "missing from block 3"},
		{"transaction in another block", func(n []*fakeNode) { n[1].txs["a"] = 4 }, "node1: acknowledged transaction 61 is missing from block 2"},
		{"acknowledged above what every node has", func(n []*fakeNode) { n[2] = healthy(2); n[2].txs = map[string]int64{"a": 2} }, "above the common height 2"},
		{"a node that state-synced is compared from its snapshot on", func(n []*fakeNode) {
			n[1].headers = n[1].headers[2:]
			n[1].headers[0].AppHash = []byte{0xBA, 0xD0} // its first block: the others compare it too
		}, "diverges from node0 at height 3"},
		{"diverging app hash", func(n []*fakeNode) { n[1].headers[3].AppHash = []byte{0xBA, 0xD0} }, "diverges from node0 at height 4"},
		{"fork: another block at a height", func(n []*fakeNode) { n[2].headers[1].BlockHash = []byte{0xFF} }, "diverges from node0 at height 2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fakes := []*fakeNode{healthy(5), healthy(5), healthy(5)}
			tc.broken(fakes)
			nodes := make([]Node, len(fakes))
			for i, f := range fakes {
				nodes[i] = Node{Name: "node" + string(rune('0'+i)), View: f}
			}
			rep, err := Check(context.Background(), nodes, []Acked{{[]byte("a"), 2}, {[]byte("b"), 3}})
			if err != nil {
				t.Fatal(err)
			}
			if tc.want == "" {
				if !rep.OK() {
					t.Fatalf("a healthy network fails the audit: %v", rep.Problems)
				}
				return
			}
			if rep.OK() || !strings.Contains(strings.Join(rep.Problems, "\n"), tc.want) {
				t.Fatalf("problems %v, want one saying %q", rep.Problems, tc.want)
			}
		})
	}
}

func TestAuditOfAnUnreachableNodeIsAnError(t *testing.T) {
	down := healthy(5)
	down.down = true
	_, err := Check(context.Background(), []Node{{"node0", healthy(5)}, {"node1", down}}, nil)
	if err == nil {
		t.Fatal("an unreachable node passed the audit")
	}
}
