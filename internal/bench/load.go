package bench

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// load drives pre-built transactions at the nodes from concurrent clients, each with
// its own connection, spread over the validators. Open loop (rate > 0): transaction i
// is due at start + i/rate and its latency counts from then, so a generator that falls
// behind shows as latency instead of hiding it. Closed loop: at most inFlight
// transactions are out at once, each freeing its place when its block is seen.
type load struct {
	// subs submit to the validators in turn: through the RPC or the bulk endpoint.
	subs     []submitter
	tr       *tracker
	clients  int
	rate     float64
	inFlight int
	batch    int // transactions per request
	txs      [][]byte

	next      atomic.Int64
	submitted atomic.Int64
	exhausted atomic.Bool
}

// run sends from start until end, then returns.
func (l *load) run(ctx context.Context, start, end time.Time) {
	var sem chan struct{}
	if l.rate <= 0 {
		sem = make(chan struct{}, l.inFlight)
	}
	var wg sync.WaitGroup
	for w := range l.clients {
		bc := l.subs[w%len(l.subs)]
		wg.Go(func() { l.worker(ctx, bc, sem, start, end) })
	}
	wg.Wait()
}

func (l *load) worker(ctx context.Context, bc submitter, sem chan struct{}, start, end time.Time) {
	over := time.NewTimer(time.Until(end))
	defer over.Stop()
	for ctx.Err() == nil {
		var done func(outcome)
		if sem != nil {
			for range l.batch {
				select {
				case sem <- struct{}{}:
				case <-ctx.Done():
					return
				case <-over.C:
					return
				}
			}
			done = func(outcome) { <-sem }
		}
		first := l.next.Add(int64(l.batch)) - int64(l.batch)
		now := time.Now()
		if !l.due(start, first, now).Before(end) {
			return
		}
		last := min(first+int64(l.batch), int64(len(l.txs)))
		if first >= last {
			l.exhausted.Store(true)
			return
		}
		sent := make([]time.Time, last-first)
		for i := range sent {
			sent[i] = l.due(start, first+int64(i), now)
		}
		time.Sleep(time.Until(sent[len(sent)-1])) // none is sent before it is due
		l.send(ctx, bc, l.txs[first:last], sent, true, done)
		if sem != nil {
			for range l.batch - int(last-first) {
				<-sem
			}
		}
	}
}

// due is when transaction i is to be sent: now in closed loop, at start + i/rate in open
// loop.
func (l *load) due(start time.Time, i int64, now time.Time) time.Time {
	if l.rate <= 0 {
		return now
	}
	return start.Add(time.Duration(float64(i) / l.rate * float64(time.Second)))
}

// send submits txs in one request; the outcome of each reaches done (if set) once.
func (l *load) send(ctx context.Context, bc submitter, txs [][]byte, sent []time.Time, measured bool, done func(outcome)) {
	hashes := make([]txHash, len(txs))
	for i, tx := range txs {
		hashes[i] = sha256.Sum256(tx)
		l.tr.expect(hashes[i], sent[i], measured, done)
	}
	if measured {
		l.submitted.Add(int64(len(txs)))
	}
	res, err := bc.submit(ctx, txs)
	if measured && err == nil {
		l.tr.answered(sent, time.Now())
	}
	for i, h := range hashes {
		switch {
		case err != nil && ctx.Err() != nil:
			l.tr.refused(h, "cancelled")
		case err != nil:
			l.tr.refused(h, "rpc_error")
		case res[i].Refused != "":
			l.tr.refused(h, res[i].Refused)
		case res[i].Code != 0:
			l.tr.refused(h, codeName(res[i].Code, res[i].Codespace))
		}
	}
}

// sendAll submits txs, outside any measurement, and waits until each is in a block.
func (l *load) sendAll(ctx context.Context, txs [][]byte) error {
	var committed, senders sync.WaitGroup
	var mu sync.Mutex
	var failures []string
	committed.Add(len(txs))
	done := func(o outcome) {
		if o.Lost || o.Code != "" {
			mu.Lock()
			failures = append(failures, o.String())
			mu.Unlock()
		}
		committed.Done()
	}
	work := make(chan []byte)
	for w := range min(l.clients, len(txs)) {
		bc := l.subs[w%len(l.subs)]
		senders.Go(func() {
			for tx := range work {
				l.send(ctx, bc, [][]byte{tx}, []time.Time{time.Now()}, false, done)
			}
		})
	}
	for _, tx := range txs {
		work <- tx
	}
	close(work)
	senders.Wait()
	waited := make(chan struct{})
	go func() { committed.Wait(); close(waited) }()
	select {
	case <-waited:
	case <-ctx.Done():
		return ctx.Err()
	}
	if len(failures) > 0 {
		return fmt.Errorf("bench: %d of %d setup transactions failed, the first with %s", len(failures), len(txs), failures[0])
	}
	return nil
}

// errExhausted ends a run whose pre-signed transactions ran out before its end.
var errExhausted = errors.New("bench: the pre-signed transactions ran out before the end of the run; raise --presign")
