package node

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	mempl "github.com/cometbft/cometbft/mempool"
	"github.com/cometbft/cometbft/types"

	"github.com/chipmint/chipmint/internal/api"
)

// heldMempool answers CheckTx once let is closed; it refuses "seen" and "large" before
// CheckTx, as CometBFT's seen cache and size check do.
type heldMempool struct {
	mempl.Mempool
	checking chan struct{}
	let      chan struct{}
}

func (m *heldMempool) CheckTx(tx types.Tx, cb func(*abci.ResponseCheckTx), _ mempl.TxInfo) error {
	switch string(tx) {
	case "seen":
		return mempl.ErrSeenTx
	case "large":
		return mempl.ErrTxTooLarge{Max: 4, Actual: 5}
	}
	m.checking <- struct{}{}
	go func() {
		<-m.let
		code := abci.CodeTypeOK
		if string(tx) == "bad" {
			code = 1
		}
		cb(&abci.ResponseCheckTx{Code: code, Codespace: "chipmint", Log: "bad"})
	}()
	return nil
}

func submitRequest(txs ...string) *http.Request {
	var raw [][]byte
	for _, tx := range txs {
		raw = append(raw, []byte(tx))
	}
	r := httptest.NewRequest(http.MethodPost, api.PathTxs, bytes.NewReader(api.EncodeTxs(raw)))
	r.Header.Set("Content-Type", api.ContentTypeTxs)
	return r
}

// A submission waits for a turn while others are checked, is refused if the node stops
// meanwhile, and each refusal of the mempool before CheckTx has its status.
func TestSubmissionsTakeTurns(t *testing.T) {
	m := &heldMempool{checking: make(chan struct{}, 1), let: make(chan struct{})}
	s := &txSubmitter{mempool: m, syncing: func() bool { return false }, limits: api.Within(0, 0, 8),
		slots: make(chan struct{}, 1), stopping: make(chan struct{}), log: slog.New(slog.DiscardHandler)}
	first := httptest.NewRecorder()
	firstDone := make(chan struct{})
	go func() { defer close(firstDone); s.ServeHTTP(first, submitRequest("seen", "ok", "large", "bad")) }()
	within(t, m.checking, "the first submission's check") // it holds the one turn
	second := httptest.NewRecorder()
	secondDone := make(chan struct{})
	go func() { defer close(secondDone); s.ServeHTTP(second, submitRequest("ok")) }()
	select {
	case <-secondDone:
		t.Fatalf("a second submission was answered while the first held the one turn: %d %s", second.Code, second.Body)
	case <-time.After(50 * time.Millisecond):
	}
	close(s.stopping)
	within(t, secondDone, "the second submission's answer")
	if second.Code != http.StatusServiceUnavailable || !bytes.Contains(second.Body.Bytes(), []byte("stopping")) {
		t.Fatalf("the waiting submission, once the node stops: %d %s, want 503 saying it stops", second.Code, second.Body)
	}
	close(m.let)
	within(t, m.checking, "the check of the last transaction") // once the one before is answered
	within(t, firstDone, "the first submission's answer")
	var answer api.TxsAnswer
	if err := json.Unmarshal(first.Body.Bytes(), &answer); err != nil || first.Code != http.StatusOK {
		t.Fatalf("the first submission: %d %s", first.Code, first.Body)
	}
	want := []string{api.StatusSeen, api.StatusAdmitted, api.StatusRefused, api.StatusRejected}
	for i, r := range answer.Results {
		if r.Status != want[i] {
			t.Errorf("transaction %d: %+v, want %s", i, r, want[i])
		}
	}
	if r := answer.Results[2]; r.Log == "" {
		t.Errorf("the transaction refused before CheckTx has no reason: %+v", r)
	}
}

// within waits ten seconds at most for what ch says.
func within(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(10 * time.Second):
		t.Fatalf("no %s after ten seconds", what)
	}
}
