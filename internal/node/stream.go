package node

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtstore "github.com/cometbft/cometbft/store"
	"github.com/cometbft/cometbft/types"

	"github.com/chipmint/chipmint/internal/api"
	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/query"
	"github.com/chipmint/chipmint/internal/txn"
)

// heightWatch knows the last height the application committed, from the node's event
// bus, in process, once the node's index holds it too: every stream of events waits on
// it for the next block, so that a client told of a height finds its transactions in the
// index.
type heightWatch struct {
	// indexed says whether the index holds the block at a height.
	indexed func(height int64) bool

	mu      sync.Mutex
	height  int64
	changed chan struct{}
}

func newHeightWatch(height int64, indexed func(int64) bool) *heightWatch {
	return &heightWatch{height: height, indexed: indexed, changed: make(chan struct{})}
}

// indexWaitMax is how long the watch waits for the index to hold a committed block
// before it tells the streams of it anyway; indexPoll how often it looks.
const (
	indexWaitMax = 5 * time.Second
	indexPoll    = 10 * time.Millisecond
)

// waitIndexed waits until the index holds the block at height h, for at most
// indexWaitMax, or until ctx ends.
func (hw *heightWatch) waitIndexed(ctx context.Context, h int64) {
	deadline := time.Now().Add(indexWaitMax)
	for !hw.indexed(h) && time.Now().Before(deadline) {
		select {
		case <-ctx.Done():
			return
		case <-time.After(indexPoll):
		}
	}
}

// heightsSubscriber is the API's name among the event bus's subscribers.
const heightsSubscriber = "chipmint-api-heights"

// follow sets the height from the bus's new block headers until ctx ends. The bus
// publishes a block's header once the application committed it. A subscription the bus
// ends (its buffer was full) is taken again.
func (hw *heightWatch) follow(ctx context.Context, bus *types.EventBus, log *slog.Logger) {
	for ctx.Err() == nil {
		sub, err := bus.Subscribe(ctx, heightsSubscriber, types.EventQueryNewBlockHeader, 64)
		if err != nil {
			if ctx.Err() == nil {
				log.Error("the API's streams follow no block", "err", err)
			}
			return
		}
		hw.read(ctx, sub)
		_ = bus.Unsubscribe(context.Background(), heightsSubscriber, types.EventQueryNewBlockHeader)
	}
}

func (hw *heightWatch) read(ctx context.Context, sub types.Subscription) {
	for {
		select {
		case msg := <-sub.Out():
			if h, ok := msg.Data().(types.EventDataNewBlockHeader); ok {
				hw.waitIndexed(ctx, h.Header.Height)
				hw.set(h.Header.Height)
			}
		case <-sub.Canceled():
			return
		case <-ctx.Done():
			return
		}
	}
}

func (hw *heightWatch) set(h int64) {
	hw.mu.Lock()
	defer hw.mu.Unlock()
	if h > hw.height {
		hw.height = h
		close(hw.changed)
		hw.changed = make(chan struct{})
	}
}

// now is the last height committed, and a channel closed when it changes.
func (hw *heightWatch) now() (int64, <-chan struct{}) {
	hw.mu.Lock()
	defer hw.mu.Unlock()
	return hw.height, hw.changed
}

// The bounds of the streams of events.
const (
	// streamsMax is how many streams a node serves at once, and streamsPerClientMax
	// how many of them to one address; more are refused.
	streamsMax          = 256
	streamsPerClientMax = 8
	// streamLifeMax is how long a stream lasts: then it ends, and its client resumes
	// after the last event it got, so that a client that reads nothing holds no place
	// for ever.
	streamLifeMax = 30 * time.Minute
	// streamAheadMax is how far beyond the node's height a client may resume (another
	// node of the chain may be a few blocks ahead); further is refused.
	streamAheadMax = 10
	// streamCatchUpMax is how many heights a stream reads back for a client that
	// resumes: further back, it starts from the last heights.
	streamCatchUpMax = 1000
	// streamKeepAlive is how often an idle stream sends a comment, so that proxies and
	// clients do not take it for dead.
	streamKeepAlive = 15 * time.Second
	// streamWriteMax is how long one event may take to write: a client that reads no
	// more is let go.
	streamWriteMax = 30 * time.Second
	// streamRetry is the reconnection delay the stream asks its clients for.
	streamRetry = 2 * time.Second
)

// streams serves the server-sent events: each stream follows the committed heights and
// sends what changed at each, with the height as the event's id.
type streams struct {
	heights *heightWatch
	blocks  *cmtstore.BlockStore
	query   func(context.Context, *abci.RequestQuery) (*abci.ResponseQuery, error)
	slots   chan struct{}
	// perClient counts the streams of each client address.
	mu        sync.Mutex
	perClient map[string]int
	// stopping is closed when the API stops: every stream ends.
	stopping chan struct{}
}

func newStreams(heights *heightWatch, blocks *cmtstore.BlockStore, q func(context.Context, *abci.RequestQuery) (*abci.ResponseQuery, error)) *streams {
	return &streams{heights: heights, blocks: blocks, query: q, slots: make(chan struct{}, streamsMax),
		perClient: map[string]int{}, stopping: make(chan struct{})}
}

// take holds a place for a stream of the request's client, and says why not when the
// node or the client has no place left; release gives it back.
func (s *streams) take(r *http.Request) (release func(), refusal string) {
	client, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		client = r.RemoteAddr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.perClient[client] >= streamsPerClientMax {
		return nil, fmt.Sprintf("%s has %d streams open already, the most one client may", client, streamsPerClientMax)
	}
	select {
	case s.slots <- struct{}{}:
	default:
		return nil, fmt.Sprintf("this node serves %d streams already: try again later", cap(s.slots))
	}
	s.perClient[client]++
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.perClient[client]--; s.perClient[client] == 0 {
			delete(s.perClient, client)
		}
		<-s.slots
	}, ""
}

// routeStreams adds the routes of the events to mux.
func routeStreams(mux *http.ServeMux, s *streams) {
	mux.HandleFunc(api.RouteBlockEvents, func(w http.ResponseWriter, r *http.Request) {
		s.serve(w, r, api.EventBlock, s.blockAt, true)
	})
	mux.HandleFunc(api.RouteOrderEvents, func(w http.ResponseWriter, r *http.Request) {
		id, err := txn.ParseOrderID(r.PathValue("id"))
		if err != nil {
			readRefuse(w, query.BadRequest, err.Error())
			return
		}
		s.serve(w, r, api.EventOrder, s.recordAt(query.PathOrder, id), false)
	})
	mux.HandleFunc(api.RouteAccountEvents, func(w http.ResponseWriter, r *http.Request) {
		a, err := crypto.ParseAddress(r.PathValue("address"))
		if err != nil {
			readRefuse(w, query.BadRequest, err.Error())
			return
		}
		s.serve(w, r, api.EventAccount, s.recordAt(query.PathBalance, a.String()), false)
	})
}

// readAt reads what a stream follows as it is at a height: its event's data, or found
// false when there is none at that height (an order not requested yet, a height the
// node no longer keeps).
type readAt func(ctx context.Context, height int64) (data []byte, found bool, err error)

func (s *streams) blockAt(_ context.Context, h int64) ([]byte, bool, error) {
	meta := s.blocks.LoadBlockMeta(h)
	if meta == nil {
		return nil, false, nil
	}
	data, err := json.Marshal(blockSummary(meta))
	return data, true, err
}

// recordAt reads a single record's query path at a height, from the state tree.
func (s *streams) recordAt(path, data string) readAt {
	return func(ctx context.Context, h int64) ([]byte, bool, error) {
		res, err := s.query(ctx, &abci.RequestQuery{Path: path, Data: []byte(data), Height: h})
		switch {
		case err != nil:
			return nil, false, err
		case res.Code == query.OK:
			var b bytes.Buffer
			if err := json.Compact(&b, res.Value); err != nil {
				return nil, false, err
			}
			return b.Bytes(), true, nil
		case res.Code == query.NotFound, res.Code == query.Unavailable:
			return nil, false, nil
		}
		return nil, false, fmt.Errorf("%s %s at height %d: %s", path, data, h, res.Log)
	}
}

// serve streams the events named event of what read reads: without Last-Event-ID, what
// it is at the last height the streams were told of first; then at each height where it
// changed (each height, when every is set). With Last-Event-ID, it goes on after that
// height. What the stream follows must exist in the last committed state, or the request
// is not found.
func (s *streams) serve(w http.ResponseWriter, r *http.Request, event string, read readAt, every bool) {
	last, resumed, err := lastEventID(r)
	if err != nil {
		readRefuse(w, query.BadRequest, err.Error())
		return
	}
	release, refusal := s.take(r)
	if release == nil {
		readRefuse(w, query.Unavailable, refusal)
		return
	}
	defer release()
	ctx, cancel := context.WithTimeout(r.Context(), streamLifeMax)
	defer cancel()
	top, changed := s.heights.now()
	if resumed && last > top+streamAheadMax {
		readRefuse(w, query.BadRequest, fmt.Sprintf("Last-Event-ID %d: this node is at height %d; start again without it", last, top))
		return
	}
	current, found, err := read(ctx, top)
	if err != nil {
		readRefuse(w, query.Unavailable, err.Error())
		return
	}
	if !found && !every {
		// It may be in a block committed after those the streams were told of, which
		// the index does not hold yet: then it comes with that block.
		_, committed, err := read(ctx, 0)
		if err != nil {
			readRefuse(w, query.Unavailable, err.Error())
			return
		}
		if !committed {
			readRefuse(w, query.NotFound, fmt.Sprintf("nothing to follow at %s at height %d", r.URL.Path, top))
			return
		}
	}
	out := &eventWriter{w: w, rc: http.NewResponseController(w), event: event}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	// A proxy in front of the node (nginx) passes each event on as it comes.
	w.Header().Set("X-Accel-Buffering", "no")
	if err := out.retry(streamRetry); err != nil {
		return
	}
	var sent []byte
	if resumed {
		if sent, _, err = read(ctx, last); err != nil {
			return
		}
		last = max(last, top-streamCatchUpMax)
	} else {
		if found {
			if err := out.send(top, current); err != nil {
				return
			}
		}
		last, sent = top, current
	}
	keepAlive := time.NewTicker(streamKeepAlive)
	defer keepAlive.Stop()
	for {
		for h := last + 1; h <= top; h++ {
			if s.ended(ctx) {
				return
			}
			data, found, err := read(ctx, h)
			if err != nil {
				return
			}
			if found && (every || !bytes.Equal(data, sent)) {
				if err := out.send(h, data); err != nil {
					return
				}
				sent = data
			}
		}
		last = max(last, top)
		select {
		case <-changed:
			top, changed = s.heights.now()
		case <-keepAlive.C:
			if err := out.comment("keep-alive"); err != nil {
				return
			}
		case <-ctx.Done():
			return
		case <-s.stopping:
			return
		}
	}
}

// ended says whether the stream is to end: its client left, its time is up or the node
// stops.
func (s *streams) ended(ctx context.Context) bool {
	select {
	case <-ctx.Done():
		return true
	case <-s.stopping:
		return true
	default:
		return false
	}
}

// lastEventID is the height a client resumes after, if it says one.
func lastEventID(r *http.Request) (int64, bool, error) {
	s := r.Header.Get("Last-Event-ID")
	if s == "" {
		return 0, false, nil
	}
	h, err := strconv.ParseInt(s, 10, 64)
	if err != nil || h < 1 {
		return 0, false, fmt.Errorf("Last-Event-ID %q: want the id of an event of this stream, a block height", s)
	}
	return h, true, nil
}

// eventWriter writes server-sent events, each flushed at once.
type eventWriter struct {
	w     http.ResponseWriter
	rc    *http.ResponseController
	event string
}

func (e *eventWriter) send(height int64, data []byte) error {
	return e.write("id: %d\nevent: %s\ndata: %s\n\n", height, e.event, data)
}

func (e *eventWriter) retry(d time.Duration) error {
	return e.write("retry: %d\n\n", d.Milliseconds())
}

func (e *eventWriter) comment(text string) error {
	return e.write(": %s\n\n", text)
}

func (e *eventWriter) write(format string, args ...any) error {
	_ = e.rc.SetWriteDeadline(time.Now().Add(streamWriteMax))
	if _, err := fmt.Fprintf(e.w, format, args...); err != nil {
		return err
	}
	return e.rc.Flush()
}
