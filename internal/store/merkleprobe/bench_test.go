package merkleprobe

import (
	"crypto/sha256"
	"runtime"
	"testing"

	ics23 "github.com/cosmos/ics23/go"
	"github.com/pokt-network/smt"

	"github.com/chipmint/chipmint/internal/ledger"
)

// constructor opens a candidate in dir holding the workload's initial state.
type constructor struct {
	name string
	open func(dir string, w *workload) (candidate, error)
}

var candidates = []constructor{
	{"statusquo-chainhash", func(string, *workload) (candidate, error) { return &chainHash{}, nil }},
	{"statusquo-hashes", func(dir string, w *workload) (candidate, error) {
		s, err := newStoreCommit(dir, w, noTree)
		if err != nil {
			return nil, err
		}
		return &storeHashes{*s}, nil
	}},
	{"statusquo-commit", func(dir string, w *workload) (candidate, error) { return newStoreCommit(dir, w, noTree) }},
	// The store's own tree (decision 0032), over the keys clients ask about, and over all.
	{"tree-hashes", func(dir string, w *workload) (candidate, error) {
		s, err := newStoreCommit(dir, w, ledger.Proven)
		if err != nil {
			return nil, err
		}
		return &storeHashes{*s}, nil
	}},
	{"tree-commit", func(dir string, w *workload) (candidate, error) { return newStoreCommit(dir, w, ledger.Proven) }},
	{"tree-commit-all", func(dir string, w *workload) (candidate, error) { return newStoreCommit(dir, w, nil) }},
	{"iavl-memory", func(_ string, w *workload) (candidate, error) { return newIAVLInMemory(w) }},
	{"iavl-pebble", func(dir string, w *workload) (candidate, error) { return newIAVLOnPebble(dir, w) }},
	{"iavl-pebble-keepall", func(dir string, w *workload) (candidate, error) {
		t, err := newIAVLOnPebble(dir, w)
		if err == nil {
			t.keepAll = true
		}
		return t, err
	}},
	{"smt-memory", func(_ string, w *workload) (candidate, error) { return newSMTInMemory(w) }},
	{"smt-pebble", func(dir string, w *workload) (candidate, error) { return newSMTOnPebble(dir, w) }},
	// Committing only to the keys light clients ask about (queriedPrefixes).
	{"iavl-pebble-queried", func(dir string, w *workload) (candidate, error) {
		t, err := newIAVLOnPebble(dir, queriedWorkload(w))
		return queried{t}, err
	}},
	{"smt-pebble-queried", func(dir string, w *workload) (candidate, error) {
		t, err := newSMTOnPebble(dir, queriedWorkload(w))
		return queried{t}, err
	}},
}

// BenchmarkBlock replays the measured blocks, in order from the funded state, into each
// candidate: one iteration is one block of workloadBlockTxs transfers, its changes
// applied and committed. Run it with -benchtime 50x (workloadBlocks): past that the
// blocks are replayed again from the first, onto a state that has moved on (balances
// go back to older values, pruned nonces come back), which is still a block's worth of
// real changes but no longer the chain's. ns/transfer, allocs/transfer and
// B/transfer divide by the transfers.
func BenchmarkBlock(b *testing.B) {
	w := theWorkload(b)
	for _, c := range candidates {
		b.Run(c.name, func(b *testing.B) {
			cand, err := c.open(b.TempDir(), w)
			if err != nil {
				b.Fatal(err)
			}
			defer func() {
				if err := cand.close(); err != nil {
					b.Error(err)
				}
			}()
			b.ReportAllocs()
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			height, i := w.startH, 0
			for b.Loop() {
				height++
				if _, err := cand.block(height, w.blocks[i%len(w.blocks)]); err != nil {
					b.Fatal(err)
				}
				i++
			}
			runtime.ReadMemStats(&after)
			txs := float64(i * workloadBlockTxs)
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/txs, "ns/transfer")
			b.ReportMetric(float64(after.Mallocs-before.Mallocs)/txs, "allocs/transfer")
			b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/txs, "B/transfer")
		})
	}
}

// replayed replays the first n measured blocks into c, and returns the height of the
// last.
func replayed(tb testing.TB, c candidate, w *workload, n int) int64 {
	tb.Helper()
	h := w.startH
	for _, changes := range w.blocks[:n] {
		h++
		if _, err := c.block(h, changes); err != nil {
			tb.Fatal(err)
		}
	}
	return h
}

// BenchmarkProof proves one balance present (member) and one account's balance absent
// (absent) in the state after the measured blocks, on pebble, and verifies each proof
// as a light client would, knowing only the root, the key and the value. proof-B is
// the proof's size as the library encodes it for the wire (protobuf for ICS-23, gob for
// the trie's compact proof); raw-B, for the trie, is the hashes and leaf data alone.
func BenchmarkProof(b *testing.B) {
	w := theWorkload(b)
	b.Run("iavl", func(b *testing.B) {
		t, err := newIAVLOnPebble(b.TempDir(), w)
		if err != nil {
			b.Fatal(err)
		}
		defer t.close()
		h := replayed(b, t, w, len(w.blocks))
		latest, err := t.tree.GetImmutable(h)
		if err != nil {
			b.Fatal(err)
		}
		past, err := t.tree.GetImmutable(h - retainBlocks/2)
		if err != nil {
			b.Fatal(err)
		}
		for _, tc := range []struct {
			name   string
			tree   interface{ Hash() []byte }
			prove  func() (*ics23.CommitmentProof, error)
			verify func(root []byte, p *ics23.CommitmentProof) bool
		}{
			{"member/prove", latest, func() (*ics23.CommitmentProof, error) { return latest.GetMembershipProof(w.member) }, nil},
			{"member/verify", latest, func() (*ics23.CommitmentProof, error) { return latest.GetMembershipProof(w.member) },
				func(root []byte, p *ics23.CommitmentProof) bool {
					return ics23.VerifyMembership(ics23.IavlSpec, root, p, w.member, w.memberValue)
				}},
			{"absent/prove", latest, func() (*ics23.CommitmentProof, error) { return latest.GetNonMembershipProof(w.absent) }, nil},
			{"absent/verify", latest, func() (*ics23.CommitmentProof, error) { return latest.GetNonMembershipProof(w.absent) },
				func(root []byte, p *ics23.CommitmentProof) bool {
					return ics23.VerifyNonMembership(ics23.IavlSpec, root, p, w.absent)
				}},
			{"member-past/prove", past, func() (*ics23.CommitmentProof, error) { return past.GetMembershipProof(w.member) }, nil},
		} {
			b.Run(tc.name, func(b *testing.B) {
				p, err := tc.prove()
				if err != nil {
					b.Fatal(err)
				}
				b.ReportAllocs()
				if tc.verify == nil {
					for b.Loop() {
						if _, err := tc.prove(); err != nil {
							b.Fatal(err)
						}
					}
				} else {
					r := tc.tree.Hash()
					for b.Loop() {
						if !tc.verify(r, p) {
							b.Fatal("proof does not verify")
						}
					}
				}
				b.ReportMetric(float64(p.Size()), "proof-B")
			})
		}
	})
	b.Run("smt", func(b *testing.B) {
		t, err := newSMTOnPebble(b.TempDir(), w)
		if err != nil {
			b.Fatal(err)
		}
		defer t.close()
		replayed(b, t, w, len(w.blocks))
		root := t.tree.Root()
		client := smt.NewTrieSpec(sha256.New(), false)
		for _, tc := range []struct {
			name  string
			key   []byte
			value []byte // nil: a proof of absence
		}{{"member", w.member, w.memberValue}, {"absent", w.absent, nil}} {
			prove := func() (*smt.SparseCompactMerkleProof, error) {
				p, err := t.tree.Prove(tc.key)
				if err != nil {
					return nil, err
				}
				p.SiblingData = nil // only for updating a proof; a client does not need it
				return smt.CompactProof(p, &t.tree.TrieSpec)
			}
			b.Run(tc.name+"/prove", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := prove(); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run(tc.name+"/verify", func(b *testing.B) {
				p, err := prove()
				if err != nil {
					b.Fatal(err)
				}
				wire, err := p.Marshal()
				if err != nil {
					b.Fatal(err)
				}
				b.ReportAllocs()
				for b.Loop() {
					ok, err := smt.VerifyCompactProof(p, root, tc.key, tc.value, &client)
					if err != nil || !ok {
						b.Fatalf("proof does not verify: %v", err)
					}
				}
				b.ReportMetric(float64(len(wire)), "proof-B")
				b.ReportMetric(float64(rawSize(p)), "raw-B")
			})
		}
	})
}

// rawSize is a compact trie proof's content without an encoding's framing: its hashes,
// the leaf it may carry, its bit mask and the 8-byte count of side nodes.
func rawSize(p *smt.SparseCompactMerkleProof) int {
	n := len(p.NonMembershipLeafData) + len(p.BitMask) + len(p.SiblingData) + 8
	for _, s := range p.SideNodes {
		n += len(s)
	}
	return n
}
