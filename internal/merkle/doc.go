// Package merkle is the tree that commits chipmint's state: a sparse binary Merkle tree
// over the SHA-256 of each key, in which every entry is a leaf at the shortest prefix of
// its key's hash that no other key shares. Its shape is a function of the set of keys,
// whatever the order of the writes that made it, so that every node computes the same
// root from the same state.
//
// Apply computes a block's new root from the tree as it was and the block's changes,
// reading only the nodes on the changed paths and returning the nodes to write and the
// stored ones they replace; it writes nothing, so that a store can keep it for its commit
// and keep older versions for reads at past heights. Lookup walks the tree to one key and
// returns its value with a Proof; Verify checks a Proof from the root, the key and the
// value alone, as a light client does. It is pure computation: storage is the caller's,
// behind Reader.
package merkle
