package bank

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// Timeouts of the bank's HTTP server.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = 60 * time.Second
	idleTimeout       = 2 * time.Minute
	shutdownTimeout   = 10 * time.Second
)

// Serve listens on listen (host:port) and serves the bank's HTTP API until ctx is done,
// then shuts down gracefully.
func Serve(ctx context.Context, listen string, b *Bank) error {
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return fmt.Errorf("bank: listen %s: %w", listen, err)
	}
	return ServeListener(ctx, ln, b)
}

// ServeListener is Serve on a listener the caller opened (and so knows the address of,
// when it asked for port 0). It closes ln.
func ServeListener(ctx context.Context, ln net.Listener, b *Bank) error {
	srv := &http.Server{
		Handler:           b.Handler(),
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
	}
	b.log.Info("sandbox bank listening", "addr", ln.Addr().String())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return fmt.Errorf("bank: serve: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	err := srv.Shutdown(shutdownCtx)
	if serveErr := <-done; !errors.Is(serveErr, http.ErrServerClosed) && err == nil {
		err = serveErr
	}
	if err != nil {
		return fmt.Errorf("bank: shut down: %w", err)
	}
	b.log.Info("sandbox bank stopped")
	return nil
}
