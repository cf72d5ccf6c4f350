package bench

import (
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
// costs the node more than anything the load does. The results of the measured blocks
// are read once the run is over (settle), outside the measured window.
type follower struct {
	rpcURL string
	http   *http.Client
	tr     *tracker
}

// follow reports every committed block to the tracker until ctx is done, and the orders
// issued when issued is set. The returned channel yields the reason it stopped.
func follow(ctx context.Context, rpcURL string, t *tracker, issued bool) (*follower, <-chan error, error) {
	f := &follower{rpcURL: strings.TrimRight(rpcURL, "/"), http: &http.Client{Timeout: 30 * time.Second}, tr: t}
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

// settle reads the results of the blocks that hold measured transactions and counts
// the ones a block rejected.
func (f *follower) settle(ctx context.Context) error {
	for _, height := range f.tr.measuredHeights() {
		var res struct {
			TxsResults []struct {
				Code      uint32 `json:"code"`
				Codespace string `json:"codespace"`
			} `json:"txs_results"`
		}
		if err := f.get(ctx, "block_results", height, &res); err != nil {
			return err
		}
		codes := make([]string, len(res.TxsResults))
		for i, r := range res.TxsResults {
			codes[i] = codeName(r.Code, r.Codespace)
		}
		f.tr.settle(height, codes)
	}
	return nil
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
