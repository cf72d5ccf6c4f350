package bench

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// broadcaster sends transactions to a node's public RPC with broadcast_tx_sync, as any
// client does: a JSON-RPC call over HTTP per transaction, answered after CheckTx, or a
// JSON-RPC batch of calls in one request. It builds the requests by hand and reads only
// the codes, so that the load generator, which shares the machine with the nodes,
// spends as little CPU as it can.
type broadcaster struct {
	url  string
	http *http.Client
}

func newBroadcaster(url string, conns int) *broadcaster {
	tr := &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns, IdleConnTimeout: time.Minute}
	return &broadcaster{url: strings.TrimRight(url, "/"), http: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
}

// checkResult is a node's answer to one transaction: the CheckTx code and its
// namespace, or the reason the node refused it before CheckTx (such as a full mempool).
type checkResult struct {
	Code      uint32
	Codespace string
	Refused   string
}

// errRPC is a transport failure: the node did not answer.
var errRPC = errors.New("bench: rpc")

// submitter sends transactions to a node in one request and returns the node's answer
// to each: results[i] is the answer to txs[i].
type submitter interface {
	submit(ctx context.Context, txs [][]byte) (results []checkResult, err error)
}

// submit sends txs in one HTTP request: a JSON-RPC batch when there are several.
func (b *broadcaster) submit(ctx context.Context, txs [][]byte) ([]checkResult, error) {
	var body bytes.Buffer
	body.Grow(len(txs) * (base64.StdEncoding.EncodedLen(len(txs[0])) + 80))
	if len(txs) > 1 {
		body.WriteByte('[')
	}
	for i, tx := range txs {
		if i > 0 {
			body.WriteByte(',')
		}
		fmt.Fprintf(&body, `{"jsonrpc":"2.0","id":%d,"method":"broadcast_tx_sync","params":{"tx":"`, i)
		enc := base64.NewEncoder(base64.StdEncoding, &body)
		enc.Write(tx)
		enc.Close()
		body.WriteString(`"}}`)
	}
	if len(txs) > 1 {
		body.WriteByte(']')
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.url, &body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := b.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errRPC, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errRPC, err)
	}
	return parseAnswers(raw, len(txs))
}

// rpcAnswer is one JSON-RPC answer to broadcast_tx_sync.
type rpcAnswer struct {
	ID     int `json:"id"`
	Result *struct {
		Code      uint32 `json:"code"`
		Codespace string `json:"codespace"`
	} `json:"result"`
	Error *struct {
		Message string `json:"message"`
		Data    string `json:"data"`
	} `json:"error"`
}

// parseAnswers reads n answers, one object or a batch, into the order of the requests.
func parseAnswers(raw []byte, n int) ([]checkResult, error) {
	var answers []rpcAnswer
	if n == 1 {
		answers = make([]rpcAnswer, 1)
		if err := json.Unmarshal(raw, &answers[0]); err != nil {
			return nil, fmt.Errorf("%w: answer %.80q: %v", errRPC, raw, err)
		}
	} else if err := json.Unmarshal(raw, &answers); err != nil {
		return nil, fmt.Errorf("%w: answer %.80q: %v", errRPC, raw, err)
	}
	if len(answers) != n {
		return nil, fmt.Errorf("%w: %d answers to %d requests", errRPC, len(answers), n)
	}
	out := make([]checkResult, n)
	for _, a := range answers {
		if a.ID < 0 || a.ID >= n {
			return nil, fmt.Errorf("%w: answer to request %d of %d", errRPC, a.ID, n)
		}
		switch {
		case a.Error != nil:
			out[a.ID] = checkResult{Refused: refusal(a.Error.Data + " " + a.Error.Message)}
		case a.Result == nil:
			return nil, fmt.Errorf("%w: answer without result: %.80q", errRPC, raw)
		default:
			out[a.ID] = checkResult{Code: a.Result.Code, Codespace: a.Result.Codespace}
		}
	}
	return out, nil
}

// refusal names why CometBFT refused a transaction before the application saw it.
func refusal(msg string) string {
	for _, known := range []struct{ text, name string }{
		{"mempool is full", "mempool_full"},
		{"already exists in cache", "tx_in_cache"},
		{"tx already seen", "tx_in_cache"},
		{"rechecking", "recheck_full"},
		{"too large", "tx_too_large"},
	} {
		if strings.Contains(msg, known.text) {
			return known.name
		}
	}
	return "rpc_error"
}
