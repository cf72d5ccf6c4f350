package merkleprobe

import (
	"bytes"
	"crypto/sha256"
	"slices"
	"testing"

	ics23 "github.com/cosmos/ics23/go"
	"github.com/pokt-network/smt"
)

// testBlocks is how many of the measured blocks the tests replay: past the retention
// window, and short enough for every test run.
const testBlocks = retainBlocks + 5

// TestCandidatesAgree replays blocks into each tree twice, in memory and on pebble, and
// checks that both give the same root: the roots depend on the changes only, as an app
// hash must.
func TestCandidatesAgree(t *testing.T) {
	w := theWorkload(t)
	pairs := [][2]string{{"iavl-memory", "iavl-pebble"}, {"smt-memory", "smt-pebble"}}
	roots := map[string][]byte{}
	for _, c := range candidates {
		if !slices.ContainsFunc(pairs, func(p [2]string) bool { return p[0] == c.name || p[1] == c.name }) {
			continue
		}
		cand, err := c.open(t.TempDir(), w)
		if err != nil {
			t.Fatal(c.name, err)
		}
		h := w.startH
		var root []byte
		for _, changes := range w.blocks[:testBlocks] {
			h++
			if root, err = cand.block(h, changes); err != nil {
				t.Fatal(c.name, err)
			}
		}
		roots[c.name] = root
		if err := cand.close(); err != nil {
			t.Fatal(c.name, err)
		}
	}
	for _, p := range pairs {
		if !bytes.Equal(roots[p[0]], roots[p[1]]) {
			t.Errorf("%s and %s end at different roots", p[0], p[1])
		}
	}
}

// TestIAVLProofs checks ICS-23 proofs of presence and absence against the latest root
// and against a past version within the retention window, and that a version past the
// window is gone.
func TestIAVLProofs(t *testing.T) {
	w := theWorkload(t)
	tr, err := newIAVLOnPebble(t.TempDir(), w)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.close()
	h := replayed(t, tr, w, testBlocks)
	latest, err := tr.tree.GetImmutable(h)
	if err != nil {
		t.Fatal(err)
	}
	root := latest.Hash()
	memberValue, ok := w.valueAfter(w.member, testBlocks)
	if !ok {
		t.Fatal("the member key is absent")
	}
	p, err := latest.GetMembershipProof(w.member)
	if err != nil {
		t.Fatal(err)
	}
	if !ics23.VerifyMembership(ics23.IavlSpec, root, p, w.member, memberValue) {
		t.Error("membership proof does not verify")
	}
	if ics23.VerifyMembership(ics23.IavlSpec, root, p, w.member, append(bytes.Clone(memberValue), 0)) {
		t.Error("membership proof verifies another value")
	}
	np, err := latest.GetNonMembershipProof(w.absent)
	if err != nil {
		t.Fatal(err)
	}
	if !ics23.VerifyNonMembership(ics23.IavlSpec, root, np, w.absent) {
		t.Error("non-membership proof does not verify")
	}
	if ics23.VerifyNonMembership(ics23.IavlSpec, root, np, w.member) {
		t.Error("non-membership proof verifies for a present key")
	}

	pastH := h - retainBlocks/2
	past, err := tr.tree.GetImmutable(pastH)
	if err != nil {
		t.Fatal(err)
	}
	value, err := past.Get(w.member)
	if err != nil {
		t.Fatal(err)
	}
	pp, err := past.GetMembershipProof(w.member)
	if err != nil {
		t.Fatal(err)
	}
	if !ics23.VerifyMembership(ics23.IavlSpec, past.Hash(), pp, w.member, value) {
		t.Errorf("membership proof at past height %d does not verify", pastH)
	}
	if tr.tree.VersionExists(h - retainBlocks - 1) {
		t.Errorf("version %d outlived the retention window", h-retainBlocks-1)
	}
	t.Logf("iavl: %d versions kept; proof of a balance %d bytes, of an absent key %d bytes; tree height %d, %d leaves",
		len(tr.tree.AvailableVersions()), p.Size(), np.Size(), latest.Height(), latest.Size())
}

// TestSMTProofs checks the trie's proofs of presence and absence as a client verifies
// them, knowing only the hash function, and that a past root cannot be read once a
// later commit deleted the nodes it orphaned.
func TestSMTProofs(t *testing.T) {
	w := theWorkload(t)
	tr, err := newSMTOnPebble(t.TempDir(), w)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.close()
	h := w.startH
	var pastRoot []byte
	for i, changes := range w.blocks[:testBlocks] {
		h++
		root, err := tr.block(h, changes)
		if err != nil {
			t.Fatal(err)
		}
		if i == testBlocks-1-retainBlocks/2 {
			pastRoot = bytes.Clone(root)
		}
	}
	root := tr.tree.Root()
	memberValue, ok := w.valueAfter(w.member, testBlocks)
	if !ok {
		t.Fatal("the member key is absent")
	}
	client := smt.NewTrieSpec(sha256.New(), false)
	p, err := tr.tree.Prove(w.member)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := smt.VerifyProof(p, root, w.member, memberValue, &client); !ok || err != nil {
		t.Errorf("membership proof does not verify: %v", err)
	}
	if ok, _ := smt.VerifyProof(p, root, w.member, append(bytes.Clone(memberValue), 0), &client); ok {
		t.Error("membership proof verifies another value")
	}
	np, err := tr.tree.Prove(w.absent)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := smt.VerifyProof(np, root, w.absent, nil, &client); !ok || err != nil {
		t.Errorf("non-membership proof does not verify: %v", err)
	}
	// An empty value is the trie's absence: an entry whose value is empty (a nonce's
	// expiry entry) cannot be proved present as it stands.
	if ok, _ := smt.VerifyProof(np, root, w.absent, []byte{}, &client); !ok {
		t.Error("an empty value is not read as absence")
	}
	old := smt.ImportSparseMerkleTrie(tr.nodes, sha256.New(), pastRoot)
	if _, err := old.Prove(w.member); err == nil {
		t.Log("smt: the past root is still readable")
	} else {
		t.Logf("smt: the root of %d blocks ago cannot be read: %v", retainBlocks/2, err)
	}
}
