package issuer

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the service's Prometheus metrics, in a registry of its own.
type metrics struct {
	registry *prometheus.Registry
	// paidToIssued is the time from when the service first took a paid order in hand
	// to its issue's block.
	paidToIssued prometheus.Histogram
	issued       prometheus.Counter
}

func newMetrics(s *Service) *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		paidToIssued: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "chipmint_issuer_paid_to_issued_seconds",
			Help:    "Time from when the service took a paid order in hand to the block of its issue.",
			Buckets: prometheus.ExponentialBuckets(0.1, 2, 12),
		}),
		issued: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "chipmint_issuer_issued_total",
			Help: "Orders the service issued since it started.",
		}),
	}
	m.registry.MustRegister(m.paidToIssued, m.issued,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "chipmint_issuer_pending_orders",
			Help: "Paid orders the service has taken in hand and not yet issued (its queue).",
		}, func() float64 { return float64(len(s.cursor.pending())) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "chipmint_issuer_in_flight",
			Help: "Issues and proposals waiting for their block.",
		}, func() float64 {
			s.mu.Lock()
			defer s.mu.Unlock()
			return float64(len(s.inFlight))
		}),
	)
	return m
}

// MetricsHandler serves the service's metrics in the Prometheus text format.
func (s *Service) MetricsHandler() http.Handler {
	return promhttp.HandlerFor(s.metrics.registry, promhttp.HandlerOpts{})
}

// seen notes when the service first took order id in hand.
func (s *Service) seen(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.firstSeen[id]; !ok {
		s.firstSeen[id] = time.Now()
	}
}

// issuedNow observes an order's time from first seen to issued, and forgets it.
func (s *Service) issuedNow(id string) {
	s.mu.Lock()
	t, ok := s.firstSeen[id]
	delete(s.firstSeen, id)
	s.mu.Unlock()
	s.metrics.issued.Inc()
	if ok {
		s.metrics.paidToIssued.Observe(time.Since(t).Seconds())
	}
}
