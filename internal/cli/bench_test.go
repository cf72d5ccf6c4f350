package cli

import (
	"encoding/json"
	"testing"
)

// benchOutput is the part of `chipmint bench --output json` programs read.
type benchOutput struct {
	Machine struct {
		Cores int    `json:"cores"`
		Go    string `json:"go"`
	} `json:"machine"`
	Runs []struct {
		App        string         `json:"app"`
		Workload   string         `json:"workload"`
		Committed  int            `json:"committed"`
		OK         int            `json:"committed_ok"`
		TxPerSec   float64        `json:"committed_tx_per_s"`
		Blocks     int            `json:"blocks"`
		Rejections map[string]int `json:"rejections"`
		Latency    struct {
			Count int     `json:"count"`
			P50   float64 `json:"p50_ms"`
			P99   float64 `json:"p99_ms"`
		} `json:"latency"`
		Purchases *struct {
			Completed     int `json:"completed"`
			CreditToChips struct {
				P50 float64 `json:"p50_ms"`
			} `json:"credit_to_chips"`
		} `json:"purchases"`
	} `json:"runs"`
	Ratio float64 `json:"ratio"`
}

func runBenchJSON(t *testing.T, args ...string) benchOutput {
	t.Helper()
	out, errOut, code := run(t, append([]string{"bench", "--output", "json", "--duration", "2s"}, args...)...)
	if code != ExitOK {
		t.Fatalf("bench %v: exit %d: %s %s", args, code, out, errOut)
	}
	var res benchOutput
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("bench output is not JSON: %v\n%s", err, out)
	}
	return res
}

// No timing is asserted: only that each run committed its load and reports it.
func TestBenchTransfersAndBaseline(t *testing.T) {
	if testing.Short() {
		t.Skip("runs two networks")
	}
	res := runBenchJSON(t, "--rate", "100", "--accounts", "10", "--clients", "4", "--baseline", "kvstore")
	if len(res.Runs) != 2 || res.Runs[0].App != "chipmint" || res.Runs[1].App != "kvstore" {
		t.Fatalf("runs %+v, want chipmint then kvstore", res.Runs)
	}
	for _, r := range res.Runs {
		if r.Committed == 0 || r.OK == 0 || r.Blocks == 0 || r.Latency.Count == 0 || r.TxPerSec <= 0 {
			t.Errorf("%s: committed %d (%d ok) in %d blocks, %d latencies: want each above zero", r.App, r.Committed, r.OK, r.Blocks, r.Latency.Count)
		}
		if len(r.Rejections) != 0 {
			t.Errorf("%s: rejections %v", r.App, r.Rejections)
		}
	}
	if res.Ratio <= 0 || res.Machine.Cores == 0 || res.Machine.Go == "" {
		t.Errorf("ratio %v, machine %+v", res.Ratio, res.Machine)
	}
}

func TestBenchPurchases(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a network, a bank, a gateway and the issuer service")
	}
	res := runBenchJSON(t, "--workload", "purchase", "--buyers", "2", "--clients", "2")
	p := res.Runs[0].Purchases
	if p == nil || p.Completed == 0 || p.CreditToChips.P50 <= 0 {
		t.Fatalf("purchases %+v: want some completed, with a time from credit to chips", p)
	}
}

func TestBenchRefusesWhatItCannotMeasure(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"validators", []string{"--validators", "3"}},
		{"baseline", []string{"--baseline", "redis"}},
		{"baseline of purchases", []string{"--baseline", "kvstore", "--workload", "purchase"}},
		{"baseline on a running network", []string{"--baseline", "kvstore", "--node", "http://127.0.0.1:1"}},
		{"duration", []string{"--duration", "0s"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, _, code := run(t, append([]string{"bench"}, tt.args...)...); code != ExitUsage {
				t.Errorf("exit %d, want %d", code, ExitUsage)
			}
		})
	}
}
