package node

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/types"

	"github.com/chipmint/chipmint/internal/query"
)

// recordHistory answers one record's query at each height from a map the test writes:
// what the state tree holds of it at past heights.
type recordHistory struct {
	mu sync.Mutex
	at map[int64]string
}

func (h *recordHistory) set(height int64, value string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.at[height] = value
}

func (h *recordHistory) query(_ context.Context, req *abci.RequestQuery) (*abci.ResponseQuery, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	v, ok := h.at[req.Height]
	if !ok {
		return &abci.ResponseQuery{Code: query.NotFound, Height: req.Height}, nil
	}
	return &abci.ResponseQuery{Code: query.OK, Value: []byte(v), Height: req.Height}, nil
}

// readEvents reads n events' "id data" from a stream.
func readEvents(t *testing.T, sc *bufio.Scanner, n int) []string {
	t.Helper()
	var out []string
	id := ""
	for len(out) < n && sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "id: "):
			id = line[4:]
		case strings.HasPrefix(line, "data: "):
			out = append(out, id+" "+line[6:])
		}
	}
	if len(out) < n {
		t.Fatalf("the stream ended after %v: %v", out, sc.Err())
	}
	return out
}

// A stream sends a record when a height changes it, not when it stays; a client that
// resumes gets the same events after the height it names; the node refuses a client a
// stream beyond its bound and ends every stream when it stops.
func TestStreamSendsChangesAndResumes(t *testing.T) {
	hist := &recordHistory{at: map[int64]string{3: `{"v":1}`}}
	ss := newStreams(newHeightWatch(3, func(int64) bool { return true }), nil, hist.query)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /record", func(w http.ResponseWriter, r *http.Request) {
		ss.serve(w, r, "record", ss.recordAt("/record", "x"), false)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	open := func(lastID string) (*http.Response, error) {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/record", nil)
		if lastID != "" {
			req.Header.Set("Last-Event-ID", lastID)
		}
		return http.DefaultClient.Do(req)
	}

	live, err := open("")
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(live.Body)
	if got := readEvents(t, sc, 1); got[0] != `3 {"v":1}` {
		t.Fatalf("first event %v, want the record at height 3", got)
	}
	// Heights 4 and 5 leave it as it was; 6 changes it; 7 has it no more (pruned, say);
	// 8 changes it again.
	for h, v := range map[int64]string{4: `{"v":1}`, 5: `{"v": 1}`, 6: `{"v":2}`, 8: `{"v":3}`} {
		hist.set(h, v)
	}
	ss.heights.set(8)
	if got := readEvents(t, sc, 2); fmt.Sprint(got) != `[6 {"v":2} 8 {"v":3}]` {
		t.Fatalf("events after heights 4 to 8: %v, want the changes at 6 and 8", got)
	}

	// A client has at most streamsPerClientMax streams at once.
	var more []*http.Response
	for range streamsPerClientMax - 1 {
		resp, err := open("")
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("stream %d of one client: %v %v, want 200", len(more)+2, resp.Status, err)
		}
		more = append(more, resp)
	}
	if beyond, err := open(""); err != nil || beyond.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("a stream beyond the client's bound: %v %v, want 503", beyond.Status, err)
	}
	for _, resp := range more {
		resp.Body.Close()
	}
	// The node stopping ends the stream.
	close(ss.stopping)
	done := make(chan struct{})
	go func() {
		for sc.Scan() {
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatal("the stream did not end when the node stopped")
	}
	live.Body.Close()
	// Every stream gives its place back once it ended.
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(10 * time.Millisecond) {
		ss.mu.Lock()
		held := len(ss.perClient)
		ss.mu.Unlock()
		if held == 0 && len(ss.slots) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d clients still hold streams a minute after the node stopped", held)
		}
	}

	// Resumed after height 3, a stream sends what the live one sent after it.
	ss.stopping = make(chan struct{})
	resumed, err := open("3")
	if err != nil {
		t.Fatal(err)
	}
	defer resumed.Body.Close()
	if got := readEvents(t, bufio.NewScanner(resumed.Body), 2); fmt.Sprint(got) != `[6 {"v":2} 8 {"v":3}]` {
		t.Fatalf("resumed after 3: %v, want the changes at 6 and 8", got)
	}
}

// The streams hear of a committed block only once the index holds it, so that what a
// stream announces is found in the index.
func TestHeightsWaitForTheIndex(t *testing.T) {
	bus := types.NewEventBus()
	if err := bus.Start(); err != nil {
		t.Fatal(err)
	}
	defer bus.Stop()
	asked := make(chan int64, 100)
	var mu sync.Mutex
	indexed := int64(1)
	hw := newHeightWatch(1, func(h int64) bool {
		select {
		case asked <- h:
		default:
		}
		mu.Lock()
		defer mu.Unlock()
		return h <= indexed
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go hw.follow(ctx, bus, slog.New(slog.DiscardHandler))
	_, changed := hw.now()
	// Published before the watch subscribed, a header is lost: publish until the watch
	// asks the index about it.
	for deadline := time.Now().Add(time.Minute); ; {
		err := bus.PublishEventNewBlockHeader(types.EventDataNewBlockHeader{Header: types.Header{Height: 2}})
		if err != nil {
			t.Fatal(err)
		}
		if time.Now().After(deadline) {
			t.Fatal("the watch never asked the index about height 2")
		}
		select {
		case h := <-asked:
			if h != 2 {
				t.Fatalf("the index asked about height %d, want 2", h)
			}
		case <-time.After(10 * time.Millisecond):
			continue
		}
		break
	}
	<-asked // asked again: still not indexed
	if h, _ := hw.now(); h != 1 {
		t.Fatalf("the streams were told of height %d before the index held it", h)
	}
	mu.Lock()
	indexed = 2
	mu.Unlock()
	select {
	case <-changed:
	case <-time.After(time.Minute):
		t.Fatal("the streams were not told of height 2 once the index held it")
	}
	if h, _ := hw.now(); h != 2 {
		t.Fatalf("height %d, want 2", h)
	}
}
