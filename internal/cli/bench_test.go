package cli

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/chipmint/chipmint/internal/bench"
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
		Submit     string         `json:"submit"`
		Batch      int            `json:"batch"`
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
	Ratios map[string]float64 `json:"ratios"`
	Ratio  float64            `json:"ratio"`
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
func TestBenchTransfersAndBaselines(t *testing.T) {
	if testing.Short() {
		t.Skip("runs three networks")
	}
	res := runBenchJSON(t, "--rate", "100", "--accounts", "10", "--clients", "4", "--baseline", "kvstore,signed")
	if len(res.Runs) != 3 || res.Runs[0].App != "chipmint" || res.Runs[1].App != "kvstore" || res.Runs[2].App != "signed" {
		t.Fatalf("runs %+v, want chipmint, kvstore, then signed", res.Runs)
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
	for _, k := range []string{"chipmint/kvstore", "chipmint/signed", "signed/kvstore"} {
		if res.Ratios[k] <= 0 {
			t.Errorf("ratios %v: want %s above zero", res.Ratios, k)
		}
	}
}

// chipmint's load goes through the nodes' bulk endpoint, the baseline's through the
// RPC in JSON-RPC batches, in the same run.
func TestBenchBulkSubmission(t *testing.T) {
	if testing.Short() {
		t.Skip("runs two networks")
	}
	res := runBenchJSON(t, "--submit", "bulk", "--batch", "50", "--rate", "200", "--accounts", "10", "--clients", "2", "--baseline", "kvstore")
	if len(res.Runs) != 2 {
		t.Fatalf("runs %+v, want chipmint then kvstore", res.Runs)
	}
	for i, want := range []struct {
		app, submit string
		batch       int
	}{{"chipmint", "bulk", 50}, {"kvstore", "rpc", 10}} {
		r := res.Runs[i]
		if r.App != want.app || r.Submit != want.submit || r.Batch != want.batch {
			t.Errorf("run %d: %s through %s in requests of %d, want %s through %s in requests of %d", i, r.App, r.Submit, r.Batch, want.app, want.submit, want.batch)
		}
		if r.Committed == 0 || r.OK == 0 || len(r.Rejections) != 0 {
			t.Errorf("%s: committed %d (%d ok), rejections %v: want some committed and none rejected", r.App, r.Committed, r.OK, r.Rejections)
		}
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
		{"one baseline of two unknown", []string{"--baseline", "signed,redis"}},
		{"a baseline twice", []string{"--baseline", "signed", "--baseline", "signed"}},
		{"baseline of purchases", []string{"--baseline", "kvstore", "--workload", "purchase"}},
		{"signed baseline of purchases", []string{"--baseline", "signed", "--workload", "mixed"}},
		{"baseline on a running network", []string{"--baseline", "kvstore", "--node", "http://127.0.0.1:1"}},
		{"signed baseline on a running network", []string{"--baseline", "signed", "--node", "http://127.0.0.1:1"}},
		{"duration", []string{"--duration", "0s"}},
		{"submission", []string{"--submit", "grpc"}},
		{"bulk submission to a running network", []string{"--submit", "bulk", "--node", "http://127.0.0.1:1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, _, code := run(t, append([]string{"bench"}, tt.args...)...); code != ExitUsage {
				t.Errorf("exit %d, want %d", code, ExitUsage)
			}
		})
	}
}

func TestBenchBaselineFlag(t *testing.T) {
	for _, args := range [][]string{
		{"--baseline", "kvstore,signed"},
		{"--baseline", "kvstore", "--baseline", "signed"},
	} {
		cmd := NewCmdBench(&Globals{})
		if err := cmd.ParseFlags(args); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		got, err := cmd.Flags().GetStringSlice("baseline")
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"kvstore", "signed"}; !slices.Equal(got, want) {
			t.Errorf("%v: baselines %q, want %q", args, got, want)
		}
		o := BenchOptions{Validators: 1, Workload: bench.WorkloadTransfer, Duration: 1, Baselines: got}
		if err := o.check(); err != nil {
			t.Errorf("%v: %v", args, err)
		}
	}
}

// benchFigures is a report of made-up figures: the report's arithmetic and layout are
// under test, not a measurement.
func benchFigures(baselines map[string]float64) benchReport {
	rep := benchReport{Runs: []*bench.Result{{App: bench.AppChipmint, TxPerSec: 10_000, TxBytes: 129}}}
	for _, app := range bench.Baselines {
		if tps, ok := baselines[app]; ok {
			rep.Runs = append(rep.Runs, &bench.Result{App: app, TxPerSec: tps, TxBytes: 129})
		}
	}
	rep.compare()
	return rep
}

func TestBenchReportsTheBaselines(t *testing.T) {
	rep := benchFigures(map[string]float64{bench.AppKVStore: 20_000, bench.AppSigned: 12_500})
	want := map[string]float64{"chipmint/kvstore": 0.5, "chipmint/signed": 0.8, "signed/kvstore": 0.625}
	var text bytes.Buffer
	printBench(&text, rep)
	for _, line := range []string{
		"chipmint commits 0.50 × the kvstore baseline's tx/s (10000 of 20000): the share of the engine's ceiling the application keeps",
		"chipmint commits 0.80 × the signed baseline's tx/s (10000 of 12500): the share the application keeps of the ceiling with one signature per transaction",
		"the signed baseline commits 0.62 × the kvstore baseline's tx/s (12500 of 20000): what checking one Ed25519 signature per transaction leaves of the engine's ceiling",
	} {
		if !strings.Contains(text.String(), line+"\n") {
			t.Errorf("the report lacks the line\n%s\n%s", line, text.String())
		}
	}
	header := strings.Fields(strings.Split(text.String(), "\n")[3])
	if !slices.Equal(header, []string{"chipmint", "kvstore", "signed"}) {
		t.Errorf("columns %q, want chipmint, kvstore, signed", header)
	}

	var js bytes.Buffer
	writeJSON(&js, rep)
	var out benchOutput
	if err := json.Unmarshal(js.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Runs) != 3 || out.Runs[2].App != "signed" || out.Runs[2].TxPerSec != 12_500 {
		t.Errorf("runs %+v, want the signed baseline's third", out.Runs)
	}
	if !maps.Equal(out.Ratios, want) || out.Ratio != 0.5 {
		t.Errorf("ratios %v, ratio %v; want %v, 0.5", out.Ratios, out.Ratio, want)
	}
}

// With one baseline, the report gives chipmint's ratio to it alone.
func TestBenchReportsOneBaseline(t *testing.T) {
	signed := benchFigures(map[string]float64{bench.AppSigned: 12_500})
	if want := map[string]float64{"chipmint/signed": 0.8}; !maps.Equal(signed.Ratios, want) || signed.Ratio != 0 {
		t.Errorf("signed alone: ratios %v, ratio %v; want %v and no ratio to kvstore", signed.Ratios, signed.Ratio, want)
	}
	var text bytes.Buffer
	printBench(&text, signed)
	if got := strings.Count(text.String(), " commits "); got != 1 {
		t.Errorf("%d ratio lines, want 1:\n%s", got, text.String())
	}
	kvstore := benchFigures(map[string]float64{bench.AppKVStore: 20_000})
	if want := map[string]float64{"chipmint/kvstore": 0.5}; !maps.Equal(kvstore.Ratios, want) || kvstore.Ratio != 0.5 {
		t.Errorf("kvstore alone: ratios %v, ratio %v; want %v, 0.5", kvstore.Ratios, kvstore.Ratio, want)
	}
	if none := benchFigures(nil); none.Ratios != nil || none.Ratio != 0 {
		t.Errorf("no baseline: ratios %v, ratio %v; want none", none.Ratios, none.Ratio)
	}
}
