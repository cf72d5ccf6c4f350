package api

// PathMetrics is the route of the node's metrics: GET answers the figures of its
// committed state in the Prometheus text format (docs/operations.md, Metrics).
const PathMetrics = "/metrics"
