package system

import (
	"context"

	"github.com/chipmint/chipmint/internal/issuer"
)

// Issuer is a running issuer service.
type Issuer struct {
	done chan error
}

// StartIssuer checks that the service's key is one of the chain's issuers and runs the
// service until ctx is done.
func StartIssuer(ctx context.Context, c issuer.Config) (*Issuer, error) {
	svc := issuer.New(c)
	if err := svc.CheckKey(ctx); err != nil {
		return nil, err
	}
	s := &Issuer{done: make(chan error, 1)}
	go func() { s.done <- svc.Run(ctx) }()
	return s, nil
}

// Wait waits until the service has stopped and returns why.
func (s *Issuer) Wait() error { return <-s.done }
