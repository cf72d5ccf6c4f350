package bench

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/chipmint/chipmint/internal/txn"
	jsonrpc "github.com/cometbft/cometbft/rpc/jsonrpc/client"
)

// issuedQuery selects the transactions that issue an order's chips.
const issuedQuery = "tm.event='Tx' AND order.status='" + string(txn.StatusIssued) + "'"

// follower learns of each committed block as a client does: a header event over the
// node's websocket, then the block's transactions from /block. It asks for no more:
// having the node encode every transaction's result and events as they are committed
// costs the node more than anything the load does. The results of the measured
// transactions are read once the run is over (settle), outside the measured window.
type follower struct {
	rpcURL string
	http   *http.Client
	tr     *tracker
}

// follow reports every committed block to the tracker until ctx is done, and the orders
// issued when issued is set. The returned channel yields the reason it stopped.
func follow(ctx context.Context, rpcURL string, t *tracker, issued bool) (*follower, <-chan error, error) {
	tr := &http.Transport{MaxIdleConnsPerHost: settleWorkers, IdleConnTimeout: time.Minute}
	f := &follower{rpcURL: strings.TrimRight(rpcURL, "/"), http: &http.Client{Transport: tr, Timeout: 30 * time.Second}, tr: t}
	ws, err := jsonrpc.NewWS(rpcURL, "/websocket")
	if err != nil {
		return nil, nil, fmt.Errorf("bench: follow %s: %w", rpcURL, err)
	}
	if err := ws.Start(); err != nil {
		return nil, nil, fmt.Errorf("bench: follow %s: %w", rpcURL, err)
	}
	queries := []string{"tm.event='NewBlockHeader'"}
	if issued {
		queries = append(queries, issuedQuery)
	}
	for _, q := range queries {
		if err := ws.Subscribe(ctx, q); err != nil {
			ws.Stop()
			return nil, nil, fmt.Errorf("bench: subscribe to %q at %s: %w", q, rpcURL, err)
		}
	}
	done := make(chan error, 1)
	go func() {
		defer ws.Stop()
		for {
			select {
			case <-ctx.Done():
				done <- nil
				return
			case resp := <-ws.ResponsesCh:
				if resp.Error != nil {
					done <- fmt.Errorf("bench: subscription: %v", resp.Error)
					return
				}
				if err := f.event(ctx, resp.Result); err != nil && ctx.Err() == nil {
					done <- err
					return
				}
			}
		}
	}()
	return f, done, nil
}

// event handles one subscription message: a new header, or an order issued.
func (f *follower) event(ctx context.Context, raw json.RawMessage) error {
	at := time.Now()
	var ev struct {
		Data *struct {
			Type  string `json:"type"`
			Value struct {
				Header struct {
					Height string `json:"height"`
				} `json:"header"`
			} `json:"value"`
		} `json:"data"`
		Events map[string][]string `json:"events"`
	}
	if err := json.Unmarshal(raw, &ev); err != nil {
		return fmt.Errorf("bench: event: %w", err)
	}
	switch {
	case ev.Data == nil:
		return nil // a subscription's acknowledgement
	case ev.Data.Type == "tendermint/event/Tx":
		f.tr.issued(ev.Events["order.id"], at)
		return nil
	}
	height, err := strconv.ParseInt(ev.Data.Value.Header.Height, 10, 64)
	if err != nil {
		return fmt.Errorf("bench: header height %q: %w", ev.Data.Value.Header.Height, err)
	}
	var block struct {
		Block struct {
			Data struct {
				Txs []string `json:"txs"`
			} `json:"data"`
		} `json:"block"`
	}
	if err := f.get(ctx, "block", height, &block); err != nil {
		return err
	}
	hashes := make([]txHash, len(block.Block.Data.Txs))
	for i, enc := range block.Block.Data.Txs {
		b, err := base64.StdEncoding.DecodeString(enc)
		if err != nil {
			return fmt.Errorf("bench: block %d tx %d: %w", height, i, err)
		}
		hashes[i] = sha256.Sum256(b)
	}
	f.tr.block(height, time.Now(), hashes)
	return nil
}

// settleWorkers and settleBatch are how many requests settle has in flight and how many
// transactions each asks for (a JSON-RPC batch; 10 is the most a node accepts).
const (
	settleWorkers = 8
	settleBatch   = 10
)

// settle reads the results of the measured transactions seen in blocks from the node's
// transaction index, by hash, and counts the ones a block rejected. A validator keeps
// no block's results (/block_results): its index has every transaction's.
func (f *follower) settle(ctx context.Context) error {
	hashes := f.tr.measuredTxs()
	batches := make(chan []txHash)
	errs := make(chan error, settleWorkers)
	for range settleWorkers {
		go func() {
			for b := range batches {
				codes, err := f.txCodes(ctx, b)
				if err != nil {
					errs <- err
					for range batches {
						// The rest is not read: the run failed.
					}
					return
				}
				for _, c := range codes {
					f.tr.settle(c)
				}
			}
			errs <- nil
		}()
	}
	for i := 0; i < len(hashes); i += settleBatch {
		batches <- hashes[i:min(i+settleBatch, len(hashes))]
	}
	close(batches)
	var first error
	for range settleWorkers {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}

// settleWait is how long settle waits for a transaction the node has committed to reach
// its index, which follows the blocks.
const settleWait = 10 * time.Second

// txCodes reads the result codes of committed transactions from the node's index, in
// one JSON-RPC batch, waiting for any the index does not have yet.
func (f *follower) txCodes(ctx context.Context, hashes []txHash) ([]string, error) {
	var body bytes.Buffer
	body.WriteByte('[')
	for i, h := range hashes {
		if i > 0 {
			body.WriteByte(',')
		}
		fmt.Fprintf(&body, `{"jsonrpc":"2.0","id":%d,"method":"tx","params":{"hash":"%s","prove":false}}`,
			i, base64.StdEncoding.EncodeToString(h[:]))
	}
	body.WriteByte(']')
	deadline := time.Now().Add(settleWait)
	for {
		codes, missing, err := f.postTxs(ctx, body.Bytes(), len(hashes))
		switch {
		case err != nil:
			return nil, err
		case missing == "":
			return codes, nil
		case time.Now().After(deadline):
			return nil, fmt.Errorf("bench: tx results: %s", missing)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// postTxs sends a batch of tx calls and reads the code of each answer, or the reason the
// node gave for one it did not answer.
func (f *follower) postTxs(ctx context.Context, body []byte, n int) ([]string, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.rpcURL, bytes.NewReader(body))
	if err != nil {
		return nil, "", err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := f.http.Do(req)
	if err != nil {
		return nil, "", fmt.Errorf("bench: tx results: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, "", fmt.Errorf("bench: tx results: %w", err)
	}
	var answers []struct {
		ID     int `json:"id"`
		Result *struct {
			TxResult struct {
				Code      uint32 `json:"code"`
				Codespace string `json:"codespace"`
			} `json:"tx_result"`
		} `json:"result"`
		Error *struct {
			Message string `json:"message"`
			Data    string `json:"data"`
		} `json:"error"`
	}
	if err := json.Unmarshal(raw, &answers); err != nil || len(answers) != n {
		return nil, "", fmt.Errorf("bench: tx results: %d answers to %d requests: %.80q", len(answers), n, raw)
	}
	codes := make([]string, n)
	for _, a := range answers {
		switch {
		case a.ID < 0 || a.ID >= n:
			return nil, "", fmt.Errorf("bench: tx results: answer to request %d of %d", a.ID, n)
		case a.Error != nil:
			return nil, a.Error.Message + " " + a.Error.Data, nil
		case a.Result == nil:
			return nil, "", fmt.Errorf("bench: tx results: answer without result: %.80q", raw)
		}
		codes[a.ID] = codeName(a.Result.TxResult.Code, a.Result.TxResult.Codespace)
	}
	return codes, "", nil
}

// get calls an RPC method, with a height when it is positive.
func (f *follower) get(ctx context.Context, method string, height int64, result any) error {
	url := fmt.Sprintf("%s/%s", f.rpcURL, method)
	if height > 0 {
		url += fmt.Sprintf("?height=%d", height)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := f.http.Do(req)
	if err != nil {
		return fmt.Errorf("bench: %s %d: %w", method, height, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("bench: %s %d: %w", method, height, err)
	}
	var out struct {
		Result json.RawMessage `json:"result"`
		Error  *struct {
			Message string `json:"message"`
			Data    string `json:"data"`
		} `json:"error"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return fmt.Errorf("bench: %s %d: %w", method, height, err)
	}
	if out.Error != nil {
		return fmt.Errorf("bench: %s %d: %s %s", method, height, out.Error.Message, out.Error.Data)
	}
	return json.Unmarshal(out.Result, result)
}
