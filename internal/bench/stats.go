package bench

import (
	"math"
	"slices"
	"time"
)

// Latency summarises a set of durations, in milliseconds for people and programs alike.
type Latency struct {
	Count int     `json:"count"`
	P50ms float64 `json:"p50_ms"`
	P90ms float64 `json:"p90_ms"`
	P99ms float64 `json:"p99_ms"`
	MaxMS float64 `json:"max_ms"`
	Mean  float64 `json:"mean_ms"`
}

// Summarise computes the percentiles of samples (nearest rank), which it sorts.
func Summarise(samples []time.Duration) Latency {
	if len(samples) == 0 {
		return Latency{}
	}
	slices.Sort(samples)
	var sum time.Duration
	for _, s := range samples {
		sum += s
	}
	return Latency{
		Count: len(samples),
		P50ms: ms(Percentile(samples, 50)),
		P90ms: ms(Percentile(samples, 90)),
		P99ms: ms(Percentile(samples, 99)),
		MaxMS: ms(samples[len(samples)-1]),
		Mean:  ms(sum / time.Duration(len(samples))),
	}
}

// Percentile is the nearest-rank p-th percentile of sorted samples: the smallest value
// that at least p percent of the samples do not exceed. Zero for no samples.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	return sorted[min(max(rank, 1), len(sorted))-1]
}

// PerSecond is count over d, zero when d is not positive.
func PerSecond(count int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(count) / d.Seconds()
}

// Ratio is a over b, zero when b is zero: how much of the baseline a keeps.
func Ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
