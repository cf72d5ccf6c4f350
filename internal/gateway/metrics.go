package gateway

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// journalStatuses are the record statuses the metrics show, at zero when no entry has
// one, so that a dashboard's series exist from the start.
var journalStatuses = []string{
	StatusReceived, StatusPending, StatusConfirmed, StatusReceiptIssued, StatusException, StatusIgnored,
	StatusReversalRecorded, StatusPayoutConfirmed, StatusPayoutReturned, StatusRefundRecorded, StatusRefunded,
}

// journalCollector shows the gateway's journal and feed in the Prometheus format, read
// at each scrape: the journal whole, as the list of its exceptions is.
type journalCollector struct {
	g *Gateway

	openExceptions, oldestException, feedLag, entries *prometheus.Desc
}

func newJournalCollector(g *Gateway) *journalCollector {
	return &journalCollector{
		g: g,
		openExceptions: prometheus.NewDesc("chipmint_gateway_open_exceptions",
			"The bank entries the gateway could not match and that wait for a person (status exception).", nil, nil),
		oldestException: prometheus.NewDesc("chipmint_gateway_oldest_exception_age_seconds",
			"How long ago the oldest open exception's entry was received; 0 when there is none.", nil, nil),
		feedLag: prometheus.NewDesc("chipmint_gateway_feed_lag_seconds",
			"How long ago the gateway last read its bank feed or drop folder without an error, or started when it never did.", nil, nil),
		entries: prometheus.NewDesc("chipmint_gateway_entries",
			"The bank entries in the gateway's journal, by their status.", []string{"status"}, nil),
	}
}

func (c *journalCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.openExceptions, c.oldestException, c.feedLag, c.entries} {
		ch <- d
	}
}

func (c *journalCollector) Collect(ch chan<- prometheus.Metric) {
	now := c.g.now()
	ch <- prometheus.MustNewConstMetric(c.feedLag, prometheus.GaugeValue, now.Sub(time.Unix(0, c.g.lastRead.Load())).Seconds())
	recs, err := c.g.cfg.Journal.Records()
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.entries, err)
		return
	}
	byStatus := make(map[string]int, len(journalStatuses))
	for _, s := range journalStatuses {
		byStatus[s] = 0
	}
	var oldest time.Time
	for _, r := range recs {
		byStatus[r.Status]++
		if r.Status == StatusException && (oldest.IsZero() || r.ReceivedAt.Before(oldest)) {
			oldest = r.ReceivedAt
		}
	}
	age := 0.0
	if !oldest.IsZero() {
		age = now.Sub(oldest).Seconds()
	}
	ch <- prometheus.MustNewConstMetric(c.openExceptions, prometheus.GaugeValue, float64(byStatus[StatusException]))
	ch <- prometheus.MustNewConstMetric(c.oldestException, prometheus.GaugeValue, age)
	for s, n := range byStatus {
		ch <- prometheus.MustNewConstMetric(c.entries, prometheus.GaugeValue, float64(n), s)
	}
}

// metricsHandler serves the gateway's metrics from a registry of its own.
func (g *Gateway) metricsHandler() http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(newJournalCollector(g))
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
}

// markRead notes a read of the bank's entries without an error (feed lag).
func (g *Gateway) markRead() { g.lastRead.Store(g.now().UnixNano()) }
