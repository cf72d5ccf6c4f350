package node_test

import (
	"net/http"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/chipmint/chipmint/internal/api"
	"github.com/chipmint/chipmint/internal/node/nodetest"
	"github.com/chipmint/chipmint/internal/txn"
)

// The node's metrics show its committed state: two orders paid, one of them issued,
// give the issued order's chips as the supply and the operator's outstanding chips, and
// one paid order left to issue.
func TestMetricsShowTheCommittedState(t *testing.T) {
	ch := nodetest.StartWith(t, nodetest.Options{API: true})
	ctx := nodetest.Context(t)
	issued := ch.Buy(t, newKey(t), "buyer-1", 12_345)
	ch.Confirm(t, issued, "METRICS-1")
	paid := ch.Buy(t, newKey(t), "buyer-2", 500)
	ch.Confirm(t, paid, "METRICS-2")
	issued = ch.Order(t, issued.ID)
	if issued.Chips == 0 {
		t.Fatal("the confirmed order has no chips")
	}
	if _, err := ch.Client.Submit(ctx, &txn.Issue{OrderID: issued.ID, Chips: issued.Chips}, ch.Issuer); err != nil {
		t.Fatal(err)
	}
	height, err := ch.Client.CommittedHeight(ctx)
	if err != nil {
		t.Fatal(err)
	}

	families := scrape(t, ch.Node.APIAddress()+api.PathMetrics)
	chips := float64(issued.Chips)
	tests := []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"chipmint_supply_chips", map[string]string{"kind": "total"}, chips},
		{"chipmint_supply_chips", map[string]string{"kind": "issued"}, chips},
		{"chipmint_supply_chips", map[string]string{"kind": "burned"}, 0},
		{"chipmint_supply_chips", map[string]string{"kind": "escrow"}, 0},
		{"chipmint_operator_outstanding_chips", map[string]string{"operator": "acme"}, chips},
		{"chipmint_operator_shortfall_chips", map[string]string{"operator": "acme"}, 0},
		{"chipmint_operator_cap_chips", map[string]string{"operator": "acme"}, float64(ch.OperatorInfo.CapChips)},
		{"chipmint_operator_paid_chips", map[string]string{"operator": "acme"}, float64(ch.Order(t, paid.ID).Chips)},
		{"chipmint_operators", nil, 1},
		{"chipmint_orders_paid_unissued", nil, 1},
		{"chipmint_proposals_pending", nil, 0},
		{"chipmint_paused_operations", nil, 0},
		{"chipmint_order_steps_total", map[string]string{"status": "awaiting_payment"}, 2},
		{"chipmint_order_steps_total", map[string]string{"status": "paid"}, 2},
		{"chipmint_order_steps_total", map[string]string{"status": "issued"}, 1},
		{"chipmint_order_steps_total", map[string]string{"status": "expired"}, 0},
	}
	for _, tt := range tests {
		if got, ok := value(families, tt.name, tt.labels); !ok || got != tt.want {
			t.Errorf("%s%v = %v (found %t), want %v", tt.name, tt.labels, got, ok, tt.want)
		}
	}
	if got, ok := value(families, "chipmint_height", nil); !ok || got < float64(height) {
		t.Errorf("chipmint_height = %v (found %t), want at least %d, the height of the issue", got, ok, height)
	}
}

// scrape reads the metrics at url in the Prometheus text format.
func scrape(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, res.Status)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(res.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return families
}

// value is the value of the gauge or counter name with exactly labels, and whether
// there is one.
func value(families map[string]*dto.MetricFamily, name string, labels map[string]string) (float64, bool) {
	f, ok := families[name]
	if !ok || (f.GetType() != dto.MetricType_GAUGE && f.GetType() != dto.MetricType_COUNTER) {
		return 0, false
	}
	for _, m := range f.GetMetric() {
		if len(m.GetLabel()) != len(labels) {
			continue
		}
		match := true
		for _, l := range m.GetLabel() {
			match = match && labels[l.GetName()] == l.GetValue()
		}
		if match && f.GetType() == dto.MetricType_COUNTER {
			return m.GetCounter().GetValue(), true
		}
		if match {
			return m.GetGauge().GetValue(), true
		}
	}
	return 0, false
}
