package system

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"

	"github.com/chipmint/chipmint/internal/bank"
)

// BankConfig sets up the sandbox bank.
type BankConfig struct {
	// Dir holds the bank's database.
	Dir string
	// Listen is host:port (empty takes a free loopback port); ListenFlag is the flag
	// that sets it, for the error.
	Listen     string
	ListenFlag string
	// BIC is the bank's BIC; empty takes bank.DefaultBIC.
	BIC    string
	Logger *slog.Logger
}

// Bank is a running sandbox bank.
type Bank struct {
	URL    string
	Client *bank.Client
	done   chan error
}

// StartBank opens the bank's database and serves its HTTP API until ctx is done; Wait
// returns once it has stopped and closed its database.
func StartBank(ctx context.Context, c BankConfig) (*Bank, error) {
	b, err := bank.Open(c.Dir, bank.Options{BIC: c.BIC, Logger: c.Logger})
	if err != nil {
		return nil, err
	}
	flag := c.ListenFlag
	if flag == "" {
		flag = "--listen"
	}
	ln, err := listen(flag, c.Listen)
	if err != nil {
		return nil, errors.Join(err, b.Close())
	}
	url := "http://" + ln.Addr().String()
	s := &Bank{URL: url, Client: bank.NewClient(url), done: make(chan error, 1)}
	go func() {
		err := bank.ServeListener(ctx, ln, b)
		s.done <- errors.Join(err, b.Close())
	}()
	return s, nil
}

// Wait waits until the bank has stopped and returns why.
func (b *Bank) Wait() error { return <-b.done }

// listen opens a TCP listener on addr (a free loopback port when empty); an address in
// use names the flag that sets it.
func listen(flag, addr string) (net.Listener, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, &ListenError{Flag: flag, Addr: addr, Err: err}
	}
	return ln, nil
}

// ListenError is an address a part could not listen on, with the flag that sets it.
type ListenError struct {
	Flag string
	Addr string
	Err  error
}

func (e *ListenError) Error() string {
	return fmt.Sprintf("cannot listen on %s (%v): choose another address with %s", e.Addr, e.Err, e.Flag)
}

func (e *ListenError) Unwrap() error { return e.Err }
