package node

import (
	"fmt"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/chipmint/chipmint/internal/abciapp"
)

// metricsListMax is the most items of each list a scrape reads: the operators, the paid
// orders, the pending proposals. A scrape never reads the whole state.
const metricsListMax = 1000

// stateCollector shows the application's committed state in the Prometheus format, read
// at each scrape on one consistent view (abciapp.App.Figures).
type stateCollector struct {
	app *abciapp.App

	height, supply, outstanding, shortfall, capChips, paidChips *prometheus.Desc
	operators, paidOrders, pendingProposals, paused             *prometheus.Desc
	orderSteps                                                  *prometheus.Desc
}

func newStateCollector(app *abciapp.App) *stateCollector {
	op := []string{"operator"}
	first := fmt.Sprintf(" (the first %d operators by id)", metricsListMax)
	upTo := fmt.Sprintf(", counted up to %d.", metricsListMax)
	return &stateCollector{
		app:    app,
		height: prometheus.NewDesc("chipmint_height", "The height of the last committed block.", nil, nil),
		supply: prometheus.NewDesc("chipmint_supply_chips",
			"The chain's chips: total in circulation (balances and escrow), issued and burned ever, in escrow for a payout.", []string{"kind"}, nil),
		outstanding: prometheus.NewDesc("chipmint_operator_outstanding_chips",
			"The chips in circulation through the operator, escrow included"+first+".", op, nil),
		shortfall: prometheus.NewDesc("chipmint_operator_shortfall_chips",
			"The chips issued through the operator against payments the bank reversed since, not covered"+first+".", op, nil),
		capChips: prometheus.NewDesc("chipmint_operator_cap_chips",
			"The most chips the operator may have outstanding and paid"+first+".", op, nil),
		paidChips: prometheus.NewDesc("chipmint_operator_paid_chips",
			"The chips of the operator's orders paid and not yet issued"+first+".", op, nil),
		operators: prometheus.NewDesc("chipmint_operators",
			"The operators registered"+upTo, nil, nil),
		paidOrders: prometheus.NewDesc("chipmint_orders_paid_unissued",
			"The orders paid and not yet issued"+upTo, nil, nil),
		pendingProposals: prometheus.NewDesc("chipmint_proposals_pending",
			"The issuers' proposals waiting for approvals"+upTo, nil, nil),
		paused: prometheus.NewDesc("chipmint_paused_operations",
			"The operations the issuers paused (buy, confirm, issue, redeem, transfer).", nil, nil),
		orderSteps: prometheus.NewDesc("chipmint_order_steps_total",
			"The orders moved to each status by the blocks this node committed since it started.", []string{"status"}, nil),
	}
}

func (c *stateCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.height, c.supply, c.outstanding, c.shortfall, c.capChips, c.paidChips,
		c.operators, c.paidOrders, c.pendingProposals, c.paused, c.orderSteps} {
		ch <- d
	}
}

func (c *stateCollector) Collect(ch chan<- prometheus.Metric) {
	f := c.app.Figures(metricsListMax)
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	gauge(c.height, float64(f.Height))
	gauge(c.supply, float64(f.Supply.TotalChips), "total")
	gauge(c.supply, float64(f.Supply.IssuedChips), "issued")
	gauge(c.supply, float64(f.Supply.BurnedChips), "burned")
	gauge(c.supply, float64(f.Supply.EscrowChips), "escrow")
	for _, o := range f.Operators {
		gauge(c.outstanding, float64(o.OutstandingChips()), o.ID)
		gauge(c.shortfall, float64(o.ShortfallChips), o.ID)
		gauge(c.capChips, float64(o.CapChips), o.ID)
		gauge(c.paidChips, float64(o.PaidChips), o.ID)
	}
	gauge(c.operators, float64(len(f.Operators)))
	gauge(c.paidOrders, float64(f.PaidOrders))
	gauge(c.pendingProposals, float64(f.PendingProposals))
	gauge(c.paused, float64(f.PausedOperations))
	for status, n := range f.OrderSteps {
		ch <- prometheus.MustNewConstMetric(c.orderSteps, prometheus.CounterValue, float64(n), string(status))
	}
}

// metricsHandler serves app's metrics at api.PathMetrics, from a registry of the node's
// own: CometBFT's instrumentation is not in it.
func metricsHandler(app *abciapp.App) http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(newStateCollector(app))
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
}
