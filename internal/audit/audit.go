package audit

import (
	"bytes"
	"context"
	"fmt"

	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/query"
)

// View is what the audit reads of one node: its public RPC (a *client.Client), and its
// invariants, which only its admin address answers (a *client.Admin).
type View interface {
	Height(ctx context.Context) (int64, error)
	// Base is the lowest height whose block the node has.
	Base(ctx context.Context) (int64, error)
	Headers(ctx context.Context, minHeight, maxHeight int64) ([]client.Header, error)
	CheckInvariants(ctx context.Context) (query.Invariants, error)
	BlockTxHashes(ctx context.Context, height int64) ([][]byte, error)
}

// Acked is a transaction a client saw committed, and the height it was told.
type Acked struct {
	Hash   []byte
	Height int64
}

// Node is a named view.
type Node struct {
	Name string
	View View
}

// Report is the audit's finding.
type Report struct {
	Heights      map[string]int64 `json:"heights"`
	CommonHeight int64            `json:"common_height"`
	// CommonBase is the lowest height whose block every node has: above 1 when one
	// joined by state sync. Blocks are compared from there.
	CommonBase int64    `json:"common_base"`
	Acked      int      `json:"acked"`
	Problems   []string `json:"problems"`
}

// OK reports whether the audit found nothing wrong.
func (r Report) OK() bool { return len(r.Problems) == 0 }

func (r *Report) problem(format string, args ...any) {
	r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
}

// Check audits nodes up to the lowest height they all reached. acked are the hashes of
// transactions that clients saw committed. An error is a node that cannot be read.
func Check(ctx context.Context, nodes []Node, acked []Acked) (Report, error) {
	r := Report{Heights: make(map[string]int64), Acked: len(acked), CommonBase: 1}
	for i, n := range nodes {
		h, err := n.View.Height(ctx)
		if err != nil {
			return r, fmt.Errorf("audit: %s: %w", n.Name, err)
		}
		base, err := n.View.Base(ctx)
		if err != nil {
			return r, fmt.Errorf("audit: %s: %w", n.Name, err)
		}
		r.Heights[n.Name] = h
		r.CommonBase = max(r.CommonBase, base)
		if i == 0 || h < r.CommonHeight {
			r.CommonHeight = h
		}
	}
	if err := checkHeaders(ctx, nodes, &r); err != nil {
		return r, err
	}
	for _, n := range nodes {
		inv, err := n.View.CheckInvariants(ctx)
		if err != nil {
			return r, fmt.Errorf("audit: %s: %w", n.Name, err)
		}
		if !inv.OK {
			r.problem("%s: invariant broken at height %d: %s", n.Name, inv.Height, inv.Error)
		}
	}
	return r, checkAcked(ctx, nodes, acked, &r)
}

// checkHeaders compares every node's block and app hashes with the first node's, up to
// the common height, and reports the first height where each diverges.
func checkHeaders(ctx context.Context, nodes []Node, r *Report) error {
	if len(nodes) == 0 || r.CommonHeight < r.CommonBase {
		return nil
	}
	ref, err := nodes[0].View.Headers(ctx, r.CommonBase, r.CommonHeight)
	if err != nil {
		return fmt.Errorf("audit: %s: %w", nodes[0].Name, err)
	}
	for _, n := range nodes[1:] {
		hs, err := n.View.Headers(ctx, r.CommonBase, r.CommonHeight)
		if err != nil {
			return fmt.Errorf("audit: %s: %w", n.Name, err)
		}
		if len(hs) != len(ref) {
			r.problem("%s: %d headers up to height %d, %s has %d", n.Name, len(hs), r.CommonHeight, nodes[0].Name, len(ref))
			continue
		}
		for i := range hs {
			if !bytes.Equal(hs[i].BlockHash, ref[i].BlockHash) || !bytes.Equal(hs[i].AppHash, ref[i].AppHash) {
				r.problem("%s diverges from %s at height %d: block %X app %X, against block %X app %X",
					n.Name, nodes[0].Name, hs[i].Height, hs[i].BlockHash, hs[i].AppHash, ref[i].BlockHash, ref[i].AppHash)
				break
			}
		}
	}
	return nil
}

// checkAcked finds every acknowledged transaction in the block it was committed in, on
// every node that has that block. It reads the blocks, not the transaction index: an
// index can miss what a node replayed after a crash, a block cannot. (A node that
// state-synced has no blocks below its snapshot; its state holds their effects, which
// the invariants and the app hashes vouch for.)
func checkAcked(ctx context.Context, nodes []Node, acked []Acked, r *Report) error {
	for _, n := range nodes {
		base, err := n.View.Base(ctx)
		if err != nil {
			return fmt.Errorf("audit: %s: %w", n.Name, err)
		}
		blocks := make(map[int64]map[string]bool)
		for _, a := range acked {
			if a.Height < base {
				continue
			}
			if a.Height > r.CommonHeight {
				r.problem("%s: acknowledged transaction %X at height %d, above the common height %d", n.Name, a.Hash, a.Height, r.CommonHeight)
				continue
			}
			txs, ok := blocks[a.Height]
			if !ok {
				hashes, err := n.View.BlockTxHashes(ctx, a.Height)
				if err != nil {
					return fmt.Errorf("audit: %s: %w", n.Name, err)
				}
				txs = make(map[string]bool, len(hashes))
				for _, h := range hashes {
					txs[string(h)] = true
				}
				blocks[a.Height] = txs
			}
			if !txs[string(a.Hash)] {
				r.problem("%s: acknowledged transaction %X is missing from block %d", n.Name, a.Hash, a.Height)
			}
		}
	}
	return nil
}
