package gateway

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/chipmint/chipmint/internal/node/nodetest"
)

// The gateway's metrics show its journal and its feed: one confirmed credit and one
// exception, an hour later, give one open exception an hour old, and a read of the feed
// brings its lag back to nothing.
func TestMetricsShowTheJournal(t *testing.T) {
	w := newWorld(t, ModeNotice)
	start := w.gw.now()
	w.gw.now = func() time.Time { return start }
	w.gw.markRead()
	o := w.ch.Buy(t, nodetest.Key(1), "alice", 10_000)
	w.pay(10_000, o.PaymentReference)
	w.pay(500, "RF18539007547034") // a valid reference of no order
	srv := httptest.NewServer(w.gw.Handler())
	t.Cleanup(srv.Close)

	if got := scrapeGauge(t, srv.URL, "chipmint_gateway_open_exceptions", ""); got != 0 {
		t.Errorf("open exceptions before any entry: %v, want 0", got)
	}
	if s := w.process(w.notifications()); s.Confirmed != 1 || s.Exceptions != 1 {
		t.Fatalf("summary %+v, want 1 confirmed and 1 exception", s)
	}
	w.gw.now = func() time.Time { return start.Add(time.Hour) }
	tests := []struct {
		name, status string
		want         float64
	}{
		{"chipmint_gateway_open_exceptions", "", 1},
		{"chipmint_gateway_entries", StatusConfirmed, 1},
		{"chipmint_gateway_entries", StatusException, 1},
		{"chipmint_gateway_entries", StatusRefunded, 0},
		{"chipmint_gateway_feed_lag_seconds", "", time.Hour.Seconds()},
	}
	for _, tt := range tests {
		if got := scrapeGauge(t, srv.URL, tt.name, tt.status); got != tt.want {
			t.Errorf("%s{status=%q} = %v, want %v", tt.name, tt.status, got, tt.want)
		}
	}
	if age := scrapeGauge(t, srv.URL, "chipmint_gateway_oldest_exception_age_seconds", ""); age < time.Hour.Seconds() || age > 2*time.Hour.Seconds() {
		t.Errorf("oldest exception %v seconds old, want about an hour", age)
	}

	if _, err := w.gw.feedOnce(nodetest.Context(t), w.bank, "bank:"+nodetest.OperatorIBAN, t.TempDir()); err != nil {
		t.Fatal(err)
	}
	if lag := scrapeGauge(t, srv.URL, "chipmint_gateway_feed_lag_seconds", ""); lag != 0 {
		t.Errorf("feed lag just after a read: %v, want 0", lag)
	}
}

// scrapeGauge reads the gateway's metrics at url and returns the gauge name, of status
// when it is given; a gauge missing fails the test.
func scrapeGauge(t *testing.T, url, name, status string) float64 {
	t.Helper()
	res, err := http.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	f, ok := families[name]
	if !ok || f.GetType() != dto.MetricType_GAUGE {
		t.Fatalf("no gauge %s in the metrics", name)
	}
	for _, m := range f.GetMetric() {
		if status == "" && len(m.GetLabel()) == 0 || len(m.GetLabel()) == 1 && m.GetLabel()[0].GetValue() == status {
			return m.GetGauge().GetValue()
		}
	}
	t.Fatalf("no %s{status=%q} in the metrics", name, status)
	return 0
}
