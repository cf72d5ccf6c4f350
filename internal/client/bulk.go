package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/chipmint/chipmint/internal/api"
)

// Bulk submits many signed transactions in one request to a node's own HTTP API
// (chipmint node --api; api.PathTxs): one binary body instead of a JSON-RPC call per
// transaction. It submits and reports CheckTx's answers; waiting for the blocks is the
// caller's (WaitCommitted, or a subscription).
type Bulk struct {
	url  string
	http *http.Client
}

// ErrSubmissionRefused is a submission the node refused whole (too large, malformed,
// the node busy or catching up): none of its transactions was checked.
var ErrSubmissionRefused = errors.New("client: submission refused")

// NewBulk is a client of the API address addr ("127.0.0.1:26660" or
// "http://127.0.0.1:26660"), sending through hc (nil: http.DefaultClient).
func NewBulk(addr string, hc *http.Client) *Bulk {
	if !strings.Contains(addr, "://") {
		addr = "http://" + addr
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	return &Bulk{url: strings.TrimRight(addr, "/"), http: hc}
}

// Submit sends txs in one request, at most api.MaxTxsPerRequest of them, and returns the
// node's answer about each, in their order. The node checks them in that order. An
// error means the node answered about none of them: ErrSubmissionRefused if it refused
// the request, else a failure of the connection, after which any of them may or may not
// have reached the mempool.
func (b *Bulk) Submit(ctx context.Context, txs [][]byte) ([]api.TxResult, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.url+api.PathTxs, bytes.NewReader(api.EncodeTxs(txs)))
	if err != nil {
		return nil, fmt.Errorf("client: submit to %s: %w", b.url, err)
	}
	req.Header.Set("Content-Type", api.ContentTypeTxs)
	resp, err := b.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("client: submit to %s: %w", b.url, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("client: submit to %s: %w", b.url, err)
	}
	if resp.StatusCode != http.StatusOK {
		var refusal api.ErrorAnswer
		if json.Unmarshal(raw, &refusal) != nil || refusal.Error == "" {
			refusal.Error = strings.TrimSpace(string(raw))
		}
		return nil, fmt.Errorf("%w by %s: %s: %s", ErrSubmissionRefused, b.url, resp.Status, refusal.Error)
	}
	var answer api.TxsAnswer
	if err := json.Unmarshal(raw, &answer); err != nil {
		return nil, fmt.Errorf("client: submit to %s: answer: %w", b.url, err)
	}
	if len(answer.Results) != len(txs) {
		return nil, fmt.Errorf("client: submit to %s: %d answers to %d transactions", b.url, len(answer.Results), len(txs))
	}
	return answer.Results, nil
}
