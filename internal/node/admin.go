package node

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/chipmint/chipmint/internal/abciapp"
	"github.com/chipmint/chipmint/internal/query"
)

// admin serves the node's operator what the public RPC refuses because it reads the
// whole state: the check of the ledger's invariants. It listens where the operator
// says (Options.AdminListen), a loopback or private address of its own.
type admin struct {
	srv  *http.Server
	addr string
	done chan struct{}
}

// ErrAdminAddress is an admin address the node cannot listen on (Options.AdminListen).
var ErrAdminAddress = errors.New("node: cannot listen on the admin address")

// startAdmin listens on addr and serves app's checks there.
func startAdmin(addr string, app *abciapp.App, log *slog.Logger) (*admin, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("%w %s: %w", ErrAdminAddress, addr, err)
	}
	// One check at a time: each reads the whole state.
	var checking sync.Mutex
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+query.AdminPathInvariants, func(w http.ResponseWriter, _ *http.Request) {
		checking.Lock()
		inv := app.Invariants()
		checking.Unlock()
		status := http.StatusOK
		if !inv.OK {
			status = http.StatusInternalServerError
			log.Error("invariant broken", "height", inv.Height, "err", inv.Error)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(inv)
	})
	a := &admin{
		srv:  &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second},
		addr: "http://" + l.Addr().String(),
		done: make(chan struct{}),
	}
	go func() {
		defer close(a.done)
		if err := a.srv.Serve(l); !errors.Is(err, http.ErrServerClosed) {
			log.Error("admin address stopped", "err", err)
		}
	}()
	return a, nil
}

// stop stops listening and waits for the checks under way, which read the state the
// node is about to close.
func (a *admin) stop() error {
	err := a.srv.Shutdown(context.Background())
	<-a.done
	return err
}
