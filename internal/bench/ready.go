package bench

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// waitReady waits until every node has caught up and committed a block: a node that is
// still syncing refuses transactions.
func waitReady(ctx context.Context, rpc []string) error {
	for _, u := range rpc {
		f := &follower{rpcURL: strings.TrimRight(u, "/"), http: &http.Client{Timeout: 5 * time.Second}}
		for {
			var st struct {
				SyncInfo struct {
					Height     string `json:"latest_block_height"`
					CatchingUp bool   `json:"catching_up"`
				} `json:"sync_info"`
			}
			err := f.get(ctx, "status", 0, &st)
			if err == nil && !st.SyncInfo.CatchingUp && st.SyncInfo.Height != "0" {
				break
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("bench: %s not ready: %w (last: %v)", u, ctx.Err(), err)
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
	return nil
}
