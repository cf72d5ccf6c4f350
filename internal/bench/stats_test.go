package bench

import (
	"testing"
	"time"
)

func durations(ms ...int) []time.Duration {
	out := make([]time.Duration, len(ms))
	for i, m := range ms {
		out[i] = time.Duration(m) * time.Millisecond
	}
	return out
}

func TestPercentile(t *testing.T) {
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(i+1) * time.Millisecond
	}
	tests := []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"empty", nil, 50, 0},
		{"one sample, any percentile", durations(7), 99, 7 * time.Millisecond},
		{"p0 is the minimum", durations(1, 2, 3), 0, time.Millisecond},
		{"p100 is the maximum", durations(1, 2, 3), 100, 3 * time.Millisecond},
		{"median of an odd count", durations(1, 2, 3), 50, 2 * time.Millisecond},
		{"median of an even count is the lower middle", durations(1, 2, 3, 4), 50, 2 * time.Millisecond},
		{"p50 of 1..100", hundred, 50, 50 * time.Millisecond},
		{"p90 of 1..100", hundred, 90, 90 * time.Millisecond},
		{"p99 of 1..100", hundred, 99, 99 * time.Millisecond},
		{"p99.9 of 1..100 rounds up", hundred, 99.9, 100 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Percentile(tt.sorted, tt.p); got != tt.want {
				t.Errorf("Percentile(%v, %v) = %v, want %v", tt.sorted, tt.p, got, tt.want)
			}
		})
	}
}

func TestSummarise(t *testing.T) {
	tests := []struct {
		name    string
		samples []time.Duration
		want    Latency
	}{
		{"none", nil, Latency{}},
		{"unsorted input", durations(30, 10, 20), Latency{Count: 3, P50ms: 20, P90ms: 30, P99ms: 30, MaxMS: 30, Mean: 20}},
		{"sub-millisecond", []time.Duration{1500 * time.Microsecond, 500 * time.Microsecond},
			Latency{Count: 2, P50ms: 0.5, P90ms: 1.5, P99ms: 1.5, MaxMS: 1.5, Mean: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Summarise(tt.samples); got != tt.want {
				t.Errorf("Summarise = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestPerSecondAndRatio(t *testing.T) {
	tests := []struct {
		name string
		got  float64
		want float64
	}{
		{"rate", PerSecond(300, 2*time.Second), 150},
		{"rate over no time", PerSecond(300, 0), 0},
		{"ratio", Ratio(15, 20), 0.75},
		{"ratio to nothing", Ratio(15, 0), 0},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, tt.got, tt.want)
		}
	}
}
