package store

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"runtime"
	"sync"
)

// The state digest is LtHash16 (Bellare and Micciancio's lattice-based multiset hash, in
// the parameters of Lewi, Kim, Maykov and Weis, "Securing Update Propagation with
// Homomorphic Hashing", 2019): a vector of 1024 lanes of 16 bits, to which every entry
// of the state adds its own hash, lane by lane modulo 2^16. The sum depends on the set
// of entries only, not on their order, so that a block's changes update it (the old
// entry's hash out, the new one's in) at a cost in proportion to the changes, never to
// the state. Finding two sets of entries with the same sum is as hard as the short
// integer solution problem in dimension 1024 modulo 2^16, estimated at 200 bits and
// more, so long as an entry's hash behaves as a random function. Decision 0023 says why
// this construction.
const (
	digestLanes = 1024
	// DigestSize is the length in bytes of a digest's lanes (Digest.Bytes).
	DigestSize  = 2 * digestLanes
	digestWords = DigestSize / 8
	// digestHigh is the top bit of each 16-bit lane of a 64-bit word: clearing it before
	// an addition keeps a lane's carry out of the next one.
	digestHigh = 0x8000_8000_8000_8000
)

// entryTag separates an entry's hash from every other use of SHA-256 in the protocol.
var entryTag = []byte("chipmint/state/lthash16/v1")

// Digest is the multiset hash of a set of state entries. The zero value is the digest
// of the empty state. A digest is not safe for concurrent use.
type Digest struct {
	// w holds the lanes four to a word, lane 4i+j in bits 16j to 16j+15 of w[i]: the
	// little-endian reading of the lanes' bytes (Bytes).
	w [digestWords]uint64
}

// NewDigest returns the digest of the empty state.
func NewDigest() *Digest { return &Digest{} }

// Add adds an entry to the digest.
func (d *Digest) Add(key, value []byte) {
	s := scratches.Get().(*scratch)
	s.entryHash(key, value)
	d.addBytes(&s.hash)
	scratches.Put(s)
}

// Remove takes an entry out of the digest: the entry must be in the set it hashes.
func (d *Digest) Remove(key, value []byte) {
	s := scratches.Get().(*scratch)
	s.entryHash(key, value)
	d.subBytes(&s.hash)
	scratches.Put(s)
}

// Apply updates d, the digest of the state r holds, to the digest of that state with
// changes made: each changed key's entry in r, if any, leaves it, and its new entry, if
// not deleted, joins it. Its cost is in proportion to the changes. r is read from
// several goroutines at once: a DB or a View allows it, an Overlay while nothing
// writes to it.
func (d *Digest) Apply(r Reader, changes []Change) {
	workers := min(runtime.GOMAXPROCS(0), len(changes)/applyChangesPerWorker)
	if workers <= 1 {
		d.apply(r, changes)
		return
	}
	// The sum is the same in any order: each worker sums a share of the changes.
	parts := make([]Digest, workers)
	var wg sync.WaitGroup
	for i := range parts {
		lo, hi := i*len(changes)/workers, (i+1)*len(changes)/workers
		wg.Go(func() { parts[i].apply(r, changes[lo:hi]) })
	}
	wg.Wait()
	for i := range parts {
		d.add(&parts[i])
	}
}

// applyChangesPerWorker is the fewest changes worth another goroutine in Apply.
const applyChangesPerWorker = 64

func (d *Digest) apply(r Reader, changes []Change) {
	for _, c := range changes {
		old, ok := r.Get(c.Key)
		if ok && !c.Deleted && string(old) == string(c.Value) {
			continue // written again unchanged
		}
		if ok {
			d.Remove(c.Key, old)
		}
		if !c.Deleted {
			d.Add(c.Key, c.Value)
		}
	}
}

// Sum is the 32 bytes that stand for the digest in the app hash: the SHA-256 of its
// lanes (Bytes).
func (d *Digest) Sum() []byte {
	s := sha256.Sum256(d.Bytes())
	return s[:]
}

// Bytes is the digest's lanes, each 16-bit lane little-endian, lane 0 first.
func (d *Digest) Bytes() []byte {
	b := make([]byte, 0, DigestSize)
	for _, w := range d.w {
		b = binary.LittleEndian.AppendUint64(b, w)
	}
	return b
}

// ParseDigest reads a digest's lanes as Bytes writes them.
func ParseDigest(b []byte) (*Digest, error) {
	if len(b) != DigestSize {
		return nil, fmt.Errorf("store: a digest is %d bytes, not %d", DigestSize, len(b))
	}
	d := &Digest{}
	for i := range d.w {
		d.w[i] = binary.LittleEndian.Uint64(b[8*i:])
	}
	return d, nil
}

// Clone returns a copy of d.
func (d *Digest) Clone() *Digest {
	c := *d
	return &c
}

// Equal reports whether two digests are the same.
func (d *Digest) Equal(o *Digest) bool { return d.w == o.w }

// add adds o to d, lane by lane.
func (d *Digest) add(o *Digest) {
	for i, x := range o.w {
		d.w[i] = addLanes(d.w[i], x)
	}
}

func (d *Digest) addBytes(h *[DigestSize]byte) {
	for i := range d.w {
		d.w[i] = addLanes(d.w[i], binary.LittleEndian.Uint64(h[8*i:]))
	}
}

func (d *Digest) subBytes(h *[DigestSize]byte) {
	for i := range d.w {
		d.w[i] = subLanes(d.w[i], binary.LittleEndian.Uint64(h[8*i:]))
	}
}

// addLanes adds the four 16-bit lanes of two words, each modulo 2^16.
func addLanes(a, b uint64) uint64 {
	return ((a &^ digestHigh) + (b &^ digestHigh)) ^ ((a ^ b) & digestHigh)
}

// subLanes subtracts the four 16-bit lanes of b from those of a, each modulo 2^16.
func subLanes(a, b uint64) uint64 {
	return ((a | digestHigh) - (b &^ digestHigh)) ^ ((a ^ ^b) & digestHigh)
}

// scratch is the memory an entry's hash is computed in, reused: a digest hashes two
// entries for most changes of every block.
type scratch struct {
	in   []byte
	hash [DigestSize]byte
}

var scratches = sync.Pool{New: func() any { return &scratch{in: make([]byte, 0, 256)} }}

// entryHash sets s.hash to an entry's hash, 2048 bytes: AES-256 in counter mode, from a
// zero counter, keyed by the SHA-256 of the tag and the entry (uvarint key length, key,
// uvarint value length, value). SHA-256 makes the key a random function of the entry,
// and AES-256 stretches it to 2048 bytes, as Bitcoin's MuHash stretches its SHA-256
// with ChaCha20; both run on the processor's own instructions, where SHAKE128 or BLAKE3
// would cost several times as much (decision 0023).
func (s *scratch) entryHash(key, value []byte) {
	s.in = appendEntry(append(s.in[:0], entryTag...), key, value)
	k := sha256.Sum256(s.in)
	block, err := aes.NewCipher(k[:])
	if err != nil {
		panic(fmt.Sprintf("store: entry hash: %v", err)) // a 32-byte key never fails
	}
	var iv [aes.BlockSize]byte
	clear(s.hash[:])
	cipher.NewCTR(block, iv[:]).XORKeyStream(s.hash[:], s.hash[:])
}

// appendEntry appends an entry as the snapshots and the digest encode it: uvarint key
// length, key, uvarint value length, value.
func appendEntry(b, key, value []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(key)))
	b = append(b, key...)
	b = binary.AppendUvarint(b, uint64(len(value)))
	return append(b, value...)
}

// DigestOf computes the digest of every application entry of r by reading them all: the
// reference that the digest kept from block to block must equal, and the way to compute
// it once for a state that has none yet.
func DigestOf(r Reader) *Digest {
	d := NewDigest()
	r.Scan(nil, func(k, v []byte) bool {
		d.Add(k, v)
		return true
	})
	return d
}

// StateDigest is the Sum of the digest of every application entry of r.
func StateDigest(r Reader) []byte { return DigestOf(r).Sum() }
