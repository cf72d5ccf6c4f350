package system

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/chipmint/chipmint/internal/issuer"
)

// Issuer is a running issuer service.
type Issuer struct {
	// MetricsURL is where it serves its Prometheus metrics, empty when it serves none.
	MetricsURL string
	done       chan error
}

// StartIssuer checks that the service's key is one of the chain's issuers and runs the
// service until ctx is done; with metricsListen (a host:port, set by the flag
// metricsFlag), it serves its metrics there at /metrics.
func StartIssuer(ctx context.Context, c issuer.Config, metricsListen, metricsFlag string) (*Issuer, error) {
	svc := issuer.New(c)
	if err := svc.CheckKey(ctx); err != nil {
		return nil, err
	}
	s := &Issuer{done: make(chan error, 1)}
	var srv *http.Server
	if metricsListen != "" {
		ln, err := listen(metricsFlag, metricsListen)
		if err != nil {
			return nil, err
		}
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", svc.MetricsHandler())
		srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
		go func() { _ = srv.Serve(ln) }()
		s.MetricsURL = "http://" + ln.Addr().String() + "/metrics"
	}
	go func() {
		err := svc.Run(ctx)
		if srv != nil {
			err = errors.Join(err, srv.Close())
		}
		s.done <- err
	}()
	return s, nil
}

// Wait waits until the service has stopped and returns why.
func (s *Issuer) Wait() error { return <-s.done }
