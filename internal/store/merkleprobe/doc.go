// Package merkleprobe is a measurement harness, not a part of the node: its tests replay
// the key/value changes of real chipmint blocks of signed transfers into candidate Merkle
// state commitments (cosmos/iavl with ICS-23 proofs, a sparse Merkle trie) and into the
// current store's per-block change hash and state digest, and measure per-transfer cost,
// proof sizes and proof verification times. Decision 0031 records what it measured.
//
// Nothing here is wired into the ledger, the store or the app hash; the package holds
// only this file and tests, and the modules it uses are used by nothing else.
//
//	go test -run '^$' -bench . -benchtime 50x -cpu 1 ./internal/store/merkleprobe -merkleprobe
//
// Without -merkleprobe its tests and benchmarks do not run: they measure candidates for
// a decision, not the product.
package merkleprobe
