package issuer

import (
	"fmt"
	"net/http/httptest"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/chipmint/chipmint/internal/node/nodetest"
)

// scrape reads the service's metrics as Prometheus would.
func scrape(t *testing.T, svc *Service) map[string]*dto.MetricFamily {
	t.Helper()
	rec := httptest.NewRecorder()
	svc.MetricsHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(rec.Body)
	if err != nil {
		t.Fatalf("%v\n%s", err, rec.Body)
	}
	return families
}

// The metrics count what the service issued and time each issue from when the service
// took the paid order in hand; its queue is empty once it is done.
func TestMetricsCountIssues(t *testing.T) {
	ch := nodetest.Start(t)
	for i := range 3 {
		o := ch.Buy(t, nodetest.Key(1), "b", uint64(1000*(i+1)))
		ch.Confirm(t, o, fmt.Sprintf("UETR-M%d", i))
	}
	svc := New(Config{Client: ch.Client, Key: ch.Issuer})
	before := scrape(t, svc)
	if got := before["chipmint_issuer_issued_total"].Metric[0].Counter.GetValue(); got != 0 {
		t.Fatalf("issued before any issue: %v", got)
	}
	rep, err := svc.IssuePaid(nodetest.Context(t))
	if err != nil || len(rep.Issued) != 3 {
		t.Fatalf("issued %+v %v", rep, err)
	}
	m := scrape(t, svc)
	h := m["chipmint_issuer_paid_to_issued_seconds"].Metric[0].Histogram
	if got := m["chipmint_issuer_issued_total"].Metric[0].Counter.GetValue(); got != 3 || h.GetSampleCount() != 3 || h.GetSampleSum() <= 0 {
		t.Fatalf("issued %v, paid to issued %d samples summing %v s", got, h.GetSampleCount(), h.GetSampleSum())
	}
	if got := m["chipmint_issuer_pending_orders"].Metric[0].Gauge.GetValue(); got != 0 {
		t.Fatalf("pending orders after the pass: %v", got)
	}
	if got := m["chipmint_issuer_in_flight"].Metric[0].Gauge.GetValue(); got != 0 {
		t.Fatalf("in flight after the pass: %v", got)
	}
}
