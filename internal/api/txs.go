package api

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// PathTxs is the route where a client submits many signed transactions in one request:
// POST a body of framed transactions (AppendTx) with ContentTypeTxs, and the node
// answers TxsAnswer, one TxResult per transaction in the order of the body.
const PathTxs = "/v1/txs"

// ContentTypeTxs is the media type of a body of framed transactions.
const ContentTypeTxs = "application/octet-stream"

// The most a node takes in one submission. A node lowers them to its mempool's own
// limits (Limits.Within).
const (
	// MaxTxsPerRequest is the most transactions one request may carry.
	MaxTxsPerRequest = 10_000
	// MaxRequestBytes is the most bytes one request's body may have, framing included.
	MaxRequestBytes = 16 << 20
)

// Limits bound one submission.
type Limits struct {
	// Txs is the most transactions per request.
	Txs int
	// RequestBytes is the most bytes per request body, framing included.
	RequestBytes int64
	// TxBytes is the most bytes per transaction.
	TxBytes int
}

// Within is l lowered to the API's own maxima and to a mempool that holds at most
// mempoolTxs transactions, mempoolBytes bytes in all and txBytes bytes per transaction
// (zero or less: no limit of the mempool's).
func Within(mempoolTxs int, mempoolBytes int64, txBytes int) Limits {
	l := Limits{Txs: MaxTxsPerRequest, RequestBytes: MaxRequestBytes, TxBytes: MaxRequestBytes}
	if mempoolTxs > 0 {
		l.Txs = min(l.Txs, mempoolTxs)
	}
	if mempoolBytes > 0 {
		l.RequestBytes = min(l.RequestBytes, mempoolBytes)
	}
	if txBytes > 0 {
		l.TxBytes = min(l.TxBytes, txBytes)
	}
	return l
}

// The ways a body of framed transactions is refused: ErrMalformed is a body that does
// not frame (HTTP 400), ErrTooLarge one over a limit (HTTP 413).
var (
	ErrMalformed = errors.New("api: malformed body")
	ErrTooLarge  = errors.New("api: over the limit")
)

// AppendTx appends one transaction to a body: its length as an unsigned varint
// (encoding/binary's), then its bytes.
func AppendTx(body, tx []byte) []byte {
	body = binary.AppendUvarint(body, uint64(len(tx)))
	return append(body, tx...)
}

// EncodeTxs frames txs into one body.
func EncodeTxs(txs [][]byte) []byte {
	n := 0
	for _, tx := range txs {
		n += binary.MaxVarintLen32 + len(tx)
	}
	body := make([]byte, 0, n)
	for _, tx := range txs {
		body = AppendTx(body, tx)
	}
	return body
}

// DecodeTxs splits a body into its transactions, which share the body's memory, or says
// what is wrong with it (ErrMalformed, ErrTooLarge), naming the transaction and the
// byte at fault. A body is taken whole or not at all: it must hold at least one
// transaction, each non-empty, each length in its shortest form, and no byte after the
// last.
func DecodeTxs(body []byte, l Limits) ([][]byte, error) {
	if len(body) == 0 {
		return nil, fmt.Errorf("%w: the body is empty: want at least one transaction, each as its length (uvarint) then its bytes", ErrMalformed)
	}
	if int64(len(body)) > l.RequestBytes {
		return nil, fmt.Errorf("%w: the body is %d bytes, more than the %d a request may have", ErrTooLarge, len(body), l.RequestBytes)
	}
	var txs [][]byte
	for off := 0; off < len(body); {
		i := len(txs)
		if i == l.Txs {
			return nil, fmt.Errorf("%w: more than %d transactions in one request", ErrTooLarge, l.Txs)
		}
		size, n := binary.Uvarint(body[off:])
		switch {
		case n == 0:
			return nil, fmt.Errorf("%w: transaction %d: its length at byte %d is cut short", ErrMalformed, i, off)
		case n < 0:
			return nil, fmt.Errorf("%w: transaction %d: its length at byte %d overflows 64 bits", ErrMalformed, i, off)
		case n > 1 && body[off+n-1] == 0:
			return nil, fmt.Errorf("%w: transaction %d: its length at byte %d is not in its shortest form", ErrMalformed, i, off)
		case size == 0:
			return nil, fmt.Errorf("%w: transaction %d at byte %d is empty", ErrMalformed, i, off)
		case size > uint64(l.TxBytes):
			return nil, fmt.Errorf("%w: transaction %d at byte %d is %d bytes, more than the %d a transaction may have", ErrTooLarge, i, off, size, l.TxBytes)
		}
		off += n
		if size > uint64(len(body)-off) {
			return nil, fmt.Errorf("%w: transaction %d says %d bytes at byte %d, but only %d remain", ErrMalformed, i, size, off-n, len(body)-off)
		}
		txs = append(txs, body[off:off+int(size):off+int(size)])
		off += int(size)
	}
	return txs, nil
}

// The status of one submitted transaction (TxResult.Status).
const (
	// StatusAdmitted: CheckTx admitted it; it is in the node's mempool, sent to the
	// other validators, and waits for a block.
	StatusAdmitted = "admitted"
	// StatusRejected: CheckTx refused it; Code, Codespace and Log say why. Codespace
	// "chipmint" is a rule of the ledger (docs/protocol.md §7); codespace "mempool", code
	// 32000, a full mempool, to try again later.
	StatusRejected = "rejected"
	// StatusSeen: the node has these bytes already (admitted earlier, being checked, or
	// committed recently) and did not check them again: wait for them as their first
	// sender does.
	StatusSeen = "seen"
	// StatusRefused: CometBFT's mempool refused the bytes before CheckTx; Log says why.
	StatusRefused = "refused"
)

// TxResult is the node's answer about one transaction of a submission.
type TxResult struct {
	// Hash is the transaction's hash (docs/protocol.md §1.6), upper-case hex.
	Hash      string `json:"hash"`
	Status    string `json:"status"`
	Code      uint32 `json:"code,omitempty"`
	Codespace string `json:"codespace,omitempty"`
	Log       string `json:"log,omitempty"`
}

// TxsAnswer is the answer to a submission: Results[i] is about the i-th transaction of
// the body.
type TxsAnswer struct {
	Results []TxResult `json:"results"`
}

// ErrorAnswer is the body of every refusal of a whole request (any status but 200).
type ErrorAnswer struct {
	Error string `json:"error"`
}
