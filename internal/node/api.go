package node

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"runtime"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	cfg "github.com/cometbft/cometbft/config"
	mempl "github.com/cometbft/cometbft/mempool"
	cmtnode "github.com/cometbft/cometbft/node"

	"github.com/chipmint/chipmint/internal/abciapp"
	"github.com/chipmint/chipmint/internal/api"
	"github.com/chipmint/chipmint/internal/explorer"
)

// apiServer is the node's own HTTP API (Options.APIListen), beside CometBFT's RPC: one
// ServeMux of the node's, where package api's routes are served: the bulk submission of
// signed transactions (api.PathTxs), the read API (api.PathRead), the metrics of the
// application (api.PathMetrics) and, at "/", the explorer that reads the read API.
type apiServer struct {
	srv  *http.Server
	addr string
	done chan struct{}
	// stopFollowing stops following the committed heights, and waits until it has.
	stopFollowing func()
}

// ErrAPIAddress is an API address the node cannot listen on (Options.APIListen).
var ErrAPIAddress = errors.New("node: cannot listen on the API address")

// listenAPI takes the API's address before the node starts, so that a taken port stops
// the start before CometBFT runs.
func listenAPI(addr string) (net.Listener, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("%w %s: %w", ErrAPIAddress, addr, err)
	}
	return l, nil
}

// serveAPI serves the API on l for the running CometBFT node cmt and its application
// app.
func serveAPI(l net.Listener, cmt *cmtnode.Node, app *abciapp.App, mc *cfg.MempoolConfig, log *slog.Logger) (*apiServer, error) {
	env, err := cmt.ConfigureRPC()
	if err != nil {
		return nil, fmt.Errorf("node: the API's view of the chain: %w", err)
	}
	syncing := func() bool { return false }
	if r, ok := cmt.MempoolReactor().(interface{ WaitSync() bool }); ok {
		syncing = r.WaitSync
	}
	sub := &txSubmitter{
		mempool: cmt.Mempool(), syncing: syncing,
		limits:   api.Within(mc.Size, mc.MaxTxsBytes, mc.MaxTxBytes),
		slots:    make(chan struct{}, submitSlotsPerCore*runtime.GOMAXPROCS(0)),
		stopping: make(chan struct{}),
		log:      log,
	}
	mux := http.NewServeMux()
	mux.Handle(api.PathTxs, sub)
	mux.Handle(api.RouteSubmit, sub)
	rd := routeReads(mux, app.Query)
	mux.Handle("GET "+api.PathMetrics, metricsHandler(app))
	chain := &chainReader{blocks: cmt.BlockStore(), txs: env.TxIndexer, blockIdx: env.BlockIndexer, reader: rd, searches: make(chan struct{}, searchesMax)}
	routeChain(mux, chain)
	info, err := app.Info(context.Background(), &abci.RequestInfo{})
	if err != nil {
		return nil, fmt.Errorf("node: the API's last height: %w", err)
	}
	heights := newHeightWatch(info.LastBlockHeight, chain.indexedAt)
	follow, stopFollowing := context.WithCancel(context.Background())
	followed := make(chan struct{})
	go func() {
		defer close(followed)
		heights.follow(follow, cmt.EventBus(), log)
	}()
	ss := newStreams(heights, cmt.BlockStore(), app.Query)
	routeStreams(mux, ss)
	// The explorer takes what no route above does: "/" without a method is the least
	// specific pattern, so it never shadows the API's.
	mux.Handle("/", explorer.Handler())
	a := &apiServer{
		srv:  &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute},
		addr: "http://" + l.Addr().String(),
		done: make(chan struct{}),
	}
	a.stopFollowing = func() {
		stopFollowing()
		<-followed
	}
	a.srv.RegisterOnShutdown(func() {
		close(sub.stopping)
		close(ss.stopping)
	})
	go func() {
		defer close(a.done)
		if err := a.srv.Serve(l); !errors.Is(err, http.ErrServerClosed) {
			log.Error("API address stopped", "err", err)
		}
	}()
	return a, nil
}

// stop stops listening and waits for the submissions being checked: their transactions
// are in the hands of the application the node is about to stop. Those waiting for
// their turn are refused.
func (a *apiServer) stop() error {
	// Before CometBFT's event bus stops: the heights are followed no more.
	a.stopFollowing()
	ctx, cancel := context.WithTimeout(context.Background(), apiStopMax)
	defer cancel()
	err := a.srv.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		// A request still running (a search of the index, a stream's write to a slow
		// client) is cut.
		err = a.srv.Close()
	}
	<-a.done
	return err
}

// apiStopMax is how long a stopping node waits for the API's requests in progress.
const apiStopMax = 5 * time.Second

// The bounds of the submissions.
const (
	// submitSlotsPerCore is how many submissions are checked at once per core. One
	// submission checks one transaction at a time, and CheckTx waits for the
	// application's lock while a block is written or the mempool runs again after it:
	// several per core keep the cores busy meanwhile with the checks that need no lock
	// (decoding, the signature).
	submitSlotsPerCore = 4
	// submitQueueMax is how long a submission waits for its turn before the node answers
	// that it is busy.
	submitQueueMax = 30 * time.Second
	// submitReadMax is how long the node reads a body once the submission's turn came,
	// and submitWriteMax how long it writes an answer, after its turn: a slow client
	// holds a turn no longer than it takes to send its body.
	submitReadMax  = 30 * time.Second
	submitWriteMax = 30 * time.Second
)

// txSubmitter serves api.PathTxs: it takes many signed transactions in one request and
// hands each to CometBFT's mempool, in process, as the RPC's broadcast_tx_sync does, so
// that each is checked, gossiped and proposed like any other. The transactions of one
// request are checked one after the other, in the order of the body, so that one
// admitted because an earlier one paid what it spends comes after it (decision 0022);
// no lock is held between two of them, and each CheckTx holds the application's
// mempool lock only as long as one does from the RPC. At most len(slots) requests are
// read and checked at once; the others wait for a turn, so that the bodies in memory
// and the cores taken stay bounded.
type txSubmitter struct {
	mempool mempl.Mempool
	// syncing says the node is still catching up with the chain (block or state sync),
	// when its mempool takes no transactions.
	syncing func() bool
	limits  api.Limits
	slots   chan struct{}
	// stopping is closed when the node stops: no new turn is given.
	stopping chan struct{}
	log      *slog.Logger
}

func (s *txSubmitter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		refuse(w, http.StatusMethodNotAllowed, "method %s: %s takes POST only, with a body of framed transactions", r.Method, api.PathTxs)
		return
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != api.ContentTypeTxs {
		refuse(w, http.StatusUnsupportedMediaType, "Content-Type %q: want %s, each transaction as its length (uvarint) then its bytes", r.Header.Get("Content-Type"), api.ContentTypeTxs)
		return
	}
	if r.ContentLength > s.limits.RequestBytes {
		refuse(w, http.StatusRequestEntityTooLarge, "the body is %d bytes, more than the %d a request may have", r.ContentLength, s.limits.RequestBytes)
		return
	}
	if s.syncing() {
		refuse(w, http.StatusServiceUnavailable, "the node is catching up with the chain and takes no transactions yet")
		return
	}
	answer := s.inTurn(w, r)
	if answer == nil {
		return
	}
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(submitWriteMax))
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(answer)
}

// inTurn waits for the request's turn, then reads, frames and checks its transactions
// and returns the answer to write, once its turn is over; nil when it answered already
// (a refusal) or its client left.
func (s *txSubmitter) inTurn(w http.ResponseWriter, r *http.Request) *api.TxsAnswer {
	wait := time.NewTimer(submitQueueMax)
	defer wait.Stop()
	select {
	case s.slots <- struct{}{}:
		defer func() { <-s.slots }()
	case <-wait.C:
		refuse(w, http.StatusServiceUnavailable, "the node is busy with other submissions: try again")
		return nil
	case <-s.stopping:
		refuse(w, http.StatusServiceUnavailable, "the node is stopping")
		return nil
	case <-r.Context().Done():
		return nil
	}
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(submitReadMax))
	body, err := s.read(w, r)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			refuse(w, http.StatusRequestEntityTooLarge, "the body is more than the %d bytes a request may have", s.limits.RequestBytes)
			return nil
		}
		refuse(w, http.StatusBadRequest, "reading the body: %v", err)
		return nil
	}
	txs, err := api.DecodeTxs(body, s.limits)
	if err != nil {
		status := http.StatusBadRequest
		if errors.Is(err, api.ErrTooLarge) {
			status = http.StatusRequestEntityTooLarge
		}
		refuse(w, status, "%v", err)
		return nil
	}
	answer := &api.TxsAnswer{Results: make([]api.TxResult, len(txs))}
	for i, tx := range txs {
		if answer.Results[i], err = s.submit(r.Context(), tx); err != nil {
			s.log.Debug("submission left before its answer", "txs", len(txs), "checked", i, "err", err)
			return nil
		}
	}
	return answer
}

// read reads the request's body, refusing more than a request may have.
func (s *txSubmitter) read(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	var buf bytes.Buffer
	if r.ContentLength > 0 {
		buf.Grow(int(r.ContentLength))
	}
	_, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, s.limits.RequestBytes))
	return buf.Bytes(), err
}

// submit hands one transaction to the mempool and waits for CheckTx's answer, or for
// ctx. The mempool keeps its own copy: the body's memory is not held by what it admits.
func (s *txSubmitter) submit(ctx context.Context, tx []byte) (api.TxResult, error) {
	tx = bytes.Clone(tx)
	res := api.TxResult{Hash: fmt.Sprintf("%X", sha256.Sum256(tx))}
	checked := make(chan *abci.ResponseCheckTx, 1)
	err := s.mempool.CheckTx(tx, func(r *abci.ResponseCheckTx) { checked <- r }, mempl.TxInfo{})
	switch {
	case errors.Is(err, mempl.ErrSeenTx), errors.Is(err, mempl.ErrTxInCache):
		res.Status = api.StatusSeen
		return res, nil
	case err != nil:
		res.Status, res.Log = api.StatusRefused, err.Error()
		return res, nil
	}
	select {
	case r := <-checked:
		res.Status, res.Code, res.Codespace, res.Log = api.StatusAdmitted, r.Code, r.Codespace, r.Log
		if r.Code != abci.CodeTypeOK {
			res.Status = api.StatusRejected
		}
		return res, nil
	case <-ctx.Done():
		return res, ctx.Err()
	}
}

// refuse answers a request refused whole, nothing of it submitted.
func refuse(w http.ResponseWriter, status int, format string, args ...any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(api.ErrorAnswer{Error: fmt.Sprintf(format, args...)})
}
