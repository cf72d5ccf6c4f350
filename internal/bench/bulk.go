package bench

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/chipmint/chipmint/internal/api"
	"github.com/chipmint/chipmint/internal/client"
)

// Submission paths: how the load reaches a node.
const (
	// SubmitRPC is CometBFT's JSON-RPC, broadcast_tx_sync, in JSON-RPC batches.
	SubmitRPC = "rpc"
	// SubmitBulk is the node's own API, many transactions in one binary request
	// (api.PathTxs).
	SubmitBulk = "bulk"
)

// bulkSubmitter sends transactions to a node's own API in one binary request each.
type bulkSubmitter struct{ c *client.Bulk }

func newBulkSubmitter(addr string, conns int) bulkSubmitter {
	tr := &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns, IdleConnTimeout: time.Minute}
	return bulkSubmitter{client.NewBulk(addr, &http.Client{Transport: tr, Timeout: time.Minute})}
}

func (b bulkSubmitter) submit(ctx context.Context, txs [][]byte) ([]checkResult, error) {
	results, err := b.c.Submit(ctx, txs)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errRPC, err)
	}
	out := make([]checkResult, len(results))
	for i, r := range results {
		switch r.Status {
		case api.StatusAdmitted, api.StatusRejected:
			out[i] = checkResult{Code: r.Code, Codespace: r.Codespace}
		case api.StatusSeen:
			out[i] = checkResult{Refused: "tx_in_cache"}
		default:
			out[i] = checkResult{Refused: refusal(r.Log)}
		}
	}
	return out, nil
}
