package bench

import (
	"context"
	"crypto/ed25519"
	"encoding/binary"
	"fmt"
	"sync"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/chipmint/chipmint/internal/crypto"
)

// SignedApp is the signed baseline: an ABCI application that checks one Ed25519
// signature per transaction and does nothing else. It keeps no state but the count of
// the transactions committed, whose eight bytes are the app hash CometBFT needs, and
// the height; it emits no events. chipmint's committed tx/s over its own is the share
// of this ceiling that chipmint's work beyond the signature leaves: decoding, the
// ledger's rules, the state, the events.
//
// A transaction is a public key, a payload and the key's signature of the two:
//
//	key (32 bytes) | payload | signature (64 bytes)
//
// not a chipmint transfer. Verifying a transfer as it is carried would need its canonical
// CBOR decoded and its sign bytes rebuilt with the chain id: chipmint's application work,
// which this ceiling is there to leave out. The fixed layout keeps equal what the
// engine and the signature cost: the size (the bench makes it a transfer's, 129 bytes),
// the number of signing keys (the bench's accounts, so that the cache of decompressed
// keys serves as it serves chipmint), the verification (crypto.Verify, chipmint's rules
// and code) and the bytes it hashes (R, the key and the 65 signed bytes fill two
// SHA-512 blocks, as R, the key and a transfer's 93 sign bytes do).
//
// Each node verifies a transaction once, as chipmint does (decision 0012): CheckTx
// keeps the transactions it verified until their block, where FinalizeBlock verifies
// only those it has not seen. A transaction whose signature does not verify is refused
// with SignedCodeBadSignature, at CheckTx and in a block. It runs with CometBFT's own
// mempool, as kvstore does, and is safe for the concurrent calls of chipmint's ABCI
// client, which takes no lock.
type SignedApp struct {
	abci.BaseApplication

	mu sync.Mutex
	// verified and older are two generations of the transactions CheckTx verified and
	// no block has held yet; the older is dropped when the newer reaches verifiedMax.
	verified, older map[string]struct{}
	height          int64
	committed       uint64
}

// SignedCodeBadSignature is SignedApp's code, in its codespace SignedCodespace, for a
// transaction whose signature does not verify.
const (
	SignedCodeBadSignature = 1
	SignedCodespace        = "signed"
	badSignatureLog        = "signature does not verify"
)

// signedTxMin is the shortest transaction of SignedApp's layout that the load can keep
// distinct: a key, an eight-byte index and a signature.
const signedTxMin = crypto.PublicKeyBytes + 8 + crypto.SignatureBytes

// verifiedMax bounds each generation of SignedApp's verified transactions: twice the
// mempool's size in chipmint's node configuration. The few kept for nothing (admitted
// while their block executed) go with their generation; a transaction whose entry went
// before its block is verified again there.
const verifiedMax = 100_000

// NewSignedApp returns a SignedApp at height 0.
func NewSignedApp() *SignedApp {
	return &SignedApp{verified: make(map[string]struct{})}
}

// signTx builds a transaction of SignedApp's layout, size bytes long, signed by key:
// payload follows the key, and the rest of the room for it is zero. size is at least
// signedTxMin.
func signTx(key ed25519.PrivateKey, payload []byte, size int) []byte {
	tx := make([]byte, size)
	signed := tx[:size-crypto.SignatureBytes]
	copy(signed, key.Public().(ed25519.PublicKey))
	copy(signed[crypto.PublicKeyBytes:], payload)
	copy(tx[len(signed):], ed25519.Sign(key, signed))
	return tx
}

// verifySignedTx reports whether tx is a transaction of SignedApp's layout whose
// signature verifies.
func verifySignedTx(tx []byte) bool {
	if len(tx) < crypto.PublicKeyBytes+crypto.SignatureBytes {
		return false
	}
	signed := tx[:len(tx)-crypto.SignatureBytes]
	return crypto.Verify(signed[:crypto.PublicKeyBytes], signed, tx[len(signed):])
}

// Info reports the last block and its app hash.
func (a *SignedApp) Info(context.Context, *abci.RequestInfo) (*abci.ResponseInfo, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return &abci.ResponseInfo{LastBlockHeight: a.height, LastBlockAppHash: a.appHash()}, nil
}

// CheckTx admits a transaction whose signature verifies, and keeps it as verified.
func (a *SignedApp) CheckTx(_ context.Context, req *abci.RequestCheckTx) (*abci.ResponseCheckTx, error) {
	a.mu.Lock()
	_, seen := a.verified[string(req.Tx)]
	if !seen {
		_, seen = a.older[string(req.Tx)]
	}
	a.mu.Unlock()
	if seen {
		return &abci.ResponseCheckTx{}, nil
	}
	if !verifySignedTx(req.Tx) {
		return &abci.ResponseCheckTx{Code: SignedCodeBadSignature, Codespace: SignedCodespace, Log: badSignatureLog}, nil
	}
	a.mu.Lock()
	if len(a.verified) >= verifiedMax {
		a.older, a.verified = a.verified, make(map[string]struct{})
	}
	a.verified[string(req.Tx)] = struct{}{}
	a.mu.Unlock()
	return &abci.ResponseCheckTx{}, nil
}

// FinalizeBlock commits each transaction that CheckTx verified or whose signature
// verifies now, refuses the others, and counts what it committed.
func (a *SignedApp) FinalizeBlock(_ context.Context, req *abci.RequestFinalizeBlock) (*abci.ResponseFinalizeBlock, error) {
	results := make([]*abci.ExecTxResult, len(req.Txs))
	seen := make([]bool, len(req.Txs))
	a.mu.Lock()
	for i, tx := range req.Txs {
		_, in := a.verified[string(tx)]
		_, inOlder := a.older[string(tx)]
		seen[i] = in || inOlder
		delete(a.verified, string(tx))
		delete(a.older, string(tx))
	}
	a.mu.Unlock()
	var committed uint64
	for i, tx := range req.Txs {
		if !seen[i] && !verifySignedTx(tx) {
			results[i] = &abci.ExecTxResult{Code: SignedCodeBadSignature, Codespace: SignedCodespace, Log: badSignatureLog}
			continue
		}
		results[i] = &abci.ExecTxResult{}
		committed++
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.height = req.Height
	a.committed += committed
	return &abci.ResponseFinalizeBlock{TxResults: results, AppHash: a.appHash()}, nil
}

// appHash is the count of committed transactions, big-endian; a.mu is held.
func (a *SignedApp) appHash() []byte {
	return binary.BigEndian.AppendUint64(nil, a.committed)
}

// signedTxs builds count distinct transactions of SignedApp's layout, size bytes each:
// transaction i carries i in its payload and is signed by the i-th of keys keys in turn,
// as the accounts sign chipmint's transfers.
func signedTxs(count, size, keys int) ([][]byte, error) {
	if size < signedTxMin {
		return nil, fmt.Errorf("bench: the signed baseline's transactions are at least %d bytes, not %d", signedTxMin, size)
	}
	signers := make([]ed25519.PrivateKey, max(keys, 1))
	for i := range signers {
		signers[i] = newKey()
	}
	txs := make([][]byte, count)
	parallel(count, func(i int) {
		txs[i] = signTx(signers[i%len(signers)], binary.BigEndian.AppendUint64(nil, uint64(i)), size)
	})
	return txs, nil
}
