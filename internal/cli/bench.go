package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/chipmint/chipmint/internal/bench"
)

// BenchOptions are the flags of `chipmint bench`.
type BenchOptions struct {
	Validators int
	Workload   string
	Rate       float64
	Duration   time.Duration
	Clients    int
	// Submit is how chipmint's load reaches the nodes: bench.SubmitRPC (also when
	// empty) or bench.SubmitBulk. The baselines always submit through the RPC.
	Submit      string
	Batch       int
	InFlight    int
	Accounts    int
	Buyers      int
	Presign     int
	BlockTime   time.Duration
	GatewayPoll time.Duration
	// Baselines are the applications also run, in this order, under the same settings
	// and load: bench.Baselines.
	Baselines  []string
	From       string
	CPUProfile string
	Keep       bool
	Verbose    bool
	// nodeURL is --node when given: an existing network instead of one in this process.
	nodeURL string
}

// NewCmdBench is `chipmint bench`: throughput and latency of a network under load.
func NewCmdBench(g *Globals) *cobra.Command {
	o := &BenchOptions{}
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure committed tx/s and latency under a load of signed transactions, beside baseline applications",
		Long: `Starts a network in this process (--validators) or uses a running one (--node), funds
accounts and drives signed transactions from concurrent clients through the nodes'
public RPC, following the committed blocks. --baseline runs other applications after it
on the same settings, with the same load generator and transactions of the same size,
and reports chipmint's throughput as a ratio of theirs:

  kvstore  CometBFT's example kvstore, unsigned key=value transactions: the engine's
           ceiling
  signed   an application that checks one Ed25519 signature per transaction and does
           nothing else: the ceiling of an application that must verify what it commits

--baseline kvstore,signed (or the flag twice) runs both, and also reports the signed
baseline's throughput as a ratio of kvstore's: what the signature costs the engine.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if f := cmd.Flag("node"); f != nil && f.Changed {
				o.nodeURL = g.Node
			}
			if o.Submit == bench.SubmitBulk && !cmd.Flag("batch").Changed {
				o.Batch = bulkBatchDefault
			}
			return runBench(cmd.Context(), g, o)
		},
	}
	f := cmd.Flags()
	f.IntVar(&o.Validators, "validators", 1, "validators to start in this process: 1 or 4")
	f.StringVar(&o.Workload, "workload", bench.WorkloadTransfer, "transfer, purchase (buy, bank credit, confirmation, issue) or mixed")
	f.Float64Var(&o.Rate, "rate", 0, "open loop: transactions per second (purchases per second for --workload purchase); 0 is closed loop")
	f.DurationVar(&o.Duration, "duration", 20*time.Second, "how long the load runs")
	f.IntVar(&o.Clients, "clients", 32, "concurrent clients, each with its own connection, spread over the validators")
	f.StringVar(&o.Submit, "submit", bench.SubmitRPC, "how chipmint's load reaches the nodes: rpc (broadcast_tx_sync through CometBFT's JSON-RPC) or bulk "+
		"(many transactions in one binary request to the node's own API, POST /v1/txs); the baselines always use rpc")
	f.IntVar(&o.Batch, "batch", rpcBatchDefault, "transactions per request: with --submit rpc a JSON-RPC batch of that many broadcast_tx_sync calls "+
		"(10 is the most a node accepts by default), or 1; with --submit bulk, the transactions of one request (default 500)")
	f.IntVar(&o.InFlight, "in-flight", 20_000, "closed loop: most transactions submitted and not yet committed")
	f.IntVar(&o.Accounts, "accounts", 1000, "funded accounts sending the transfers")
	f.IntVar(&o.Buyers, "buyers", 8, "concurrent buyers in the purchase flow")
	f.IntVar(&o.Presign, "presign", 0, "transfers to sign before the clock starts (default: rate × duration, or 30,000/s in closed loop)")
	f.DurationVar(&o.BlockTime, "block-time", 100*time.Millisecond, "CometBFT's timeout_commit for the network started here")
	f.DurationVar(&o.GatewayPoll, "gateway-poll", 100*time.Millisecond, "how often the operator's gateway reads the bank's notifications")
	f.StringSliceVar(&o.Baselines, "baseline", nil, "kvstore, signed or both (kvstore,signed): also run these applications under the same settings and load")
	f.StringVar(&o.From, "from", "issuer", "with --node: the issuer key (in --home's keystore) that registers the bench's operator and mints")
	f.StringVar(&o.CPUProfile, "cpuprofile", "", "write a CPU profile of the measured window to this file (a baseline's to FILE.kvstore, FILE.signed)")
	f.BoolVar(&o.Keep, "keep", false, "keep the network's and the services' folders")
	f.BoolVar(&o.Verbose, "verbose", false, "show the nodes' and the services' logs")
	return cmd
}

func (o *BenchOptions) check() error {
	switch {
	case o.nodeURL == "" && o.Validators != 1 && o.Validators != 4:
		return fmt.Errorf("--validators: want 1 or 4, got %d", o.Validators)
	case len(o.Baselines) > 0 && o.nodeURL != "":
		return errors.New("--baseline: the baseline runs only on a network started here, not with --node")
	case len(o.Baselines) > 0 && o.Workload != bench.WorkloadTransfer:
		return errors.New("--baseline: compares the transfer workload only")
	case o.Submit != "" && o.Submit != bench.SubmitRPC && o.Submit != bench.SubmitBulk:
		return fmt.Errorf("--submit: want %s or %s, got %q", bench.SubmitRPC, bench.SubmitBulk, o.Submit)
	case o.Submit == bench.SubmitBulk && o.nodeURL != "":
		return errors.New("--submit bulk: runs only on a network started here, not with --node")
	case o.Duration <= 0 || o.Rate < 0:
		return fmt.Errorf("--duration %v, --rate %v: want a positive duration and a rate of 0 or more", o.Duration, o.Rate)
	}
	for i, b := range o.Baselines {
		switch {
		case !slices.Contains(bench.Baselines, b):
			return fmt.Errorf("--baseline: want %s, got %q", strings.Join(bench.Baselines, " or "), b)
		case slices.Contains(o.Baselines[:i], b):
			return fmt.Errorf("--baseline: %s named twice", b)
		}
	}
	return nil
}

// benchReport is the output of `chipmint bench`.
type benchReport struct {
	Machine bench.Machine `json:"machine"`
	Command string        `json:"command"`
	// GOGC is the garbage collector's setting the nodes ran with (see benchGOGC).
	GOGC string          `json:"gogc"`
	Runs []*bench.Result `json:"runs"`
	// Ratios are committed tx/s over committed tx/s, by "app/app" (benchRatios): chipmint
	// over each baseline, and the signed baseline over kvstore.
	Ratios map[string]float64 `json:"ratios,omitempty"`
	// Ratio is Ratios["chipmint/kvstore"]: how much of the engine's ceiling the
	// application keeps, the report's one ratio when kvstore was its one baseline.
	Ratio float64 `json:"ratio,omitempty"`
}

// benchRatio is one ratio a report gives when both of its runs are in it: of's committed
// tx/s over to's.
type benchRatio struct{ of, to, meaning string }

// key names the ratio in the report's Ratios.
func (r benchRatio) key() string { return r.of + "/" + r.to }

// benchRatios are the report's ratios, in the order it prints them.
var benchRatios = []benchRatio{
	{bench.AppChipmint, bench.AppKVStore, "the share of the engine's ceiling the application keeps"},
	{bench.AppChipmint, bench.AppSigned, "the share the application keeps of the ceiling with one signature per transaction"},
	{bench.AppSigned, bench.AppKVStore, "what checking one Ed25519 signature per transaction leaves of the engine's ceiling"},
}

// compare sets the report's ratios from its runs.
func (rep *benchReport) compare() {
	for _, r := range benchRatios {
		of, to := rep.run(r.of), rep.run(r.to)
		if of == nil || to == nil {
			continue
		}
		if rep.Ratios == nil {
			rep.Ratios = make(map[string]float64)
		}
		rep.Ratios[r.key()] = bench.Ratio(of.TxPerSec, to.TxPerSec)
	}
	rep.Ratio = rep.Ratios[benchRatios[0].key()]
}

// run is the report's run of app, nil if it has none.
func (rep *benchReport) run(app string) *bench.Result {
	for _, r := range rep.Runs {
		if r.App == app {
			return r
		}
	}
	return nil
}

func runBench(ctx context.Context, g *Globals, o *BenchOptions) error {
	if err := o.check(); err != nil {
		return usageError{err}
	}
	cfg, cleanup, err := o.config(g)
	if err != nil {
		return err
	}
	defer cleanup()
	gogc, restore := benchGOGC()
	defer restore()
	rep := benchReport{Machine: bench.ThisMachine(), Command: "chipmint " + strings.Join(os.Args[1:], " "), GOGC: gogc}
	for _, app := range append([]string{bench.AppChipmint}, o.Baselines...) {
		c := cfg
		c.App, c.Dir = app, filepath.Join(cfg.Dir, app)
		if o.CPUProfile != "" {
			name := o.CPUProfile
			if app != bench.AppChipmint {
				name += "." + app
			}
			f, err := os.Create(name)
			if err != nil {
				return usageError{fmt.Errorf("--cpuprofile: %w", err)}
			}
			defer f.Close()
			c.CPUProfile = f
		}
		if app != bench.AppChipmint {
			c.Submit = bench.SubmitRPC
			if o.Submit == bench.SubmitBulk {
				c.Batch = rpcBatchDefault
			}
			if len(rep.Runs) > 0 {
				c.TxBytes = rep.Runs[0].TxBytes
			}
		}
		c.Progress = progressBar(g.Err, app)
		res, err := bench.Run(ctx, c)
		if res != nil {
			rep.Runs = append(rep.Runs, res)
		}
		if err != nil {
			return fmt.Errorf("%s run: %w", app, err)
		}
	}
	rep.compare()
	g.emit(rep, func(w io.Writer) { printBench(w, rep) })
	return nil
}

// The transactions of one request, unless --batch says otherwise: through the RPC, the
// most a JSON-RPC batch of a stock node takes; in bulk, enough that the request's own
// cost is small beside its transactions' (500 transfers are 65 KB), few enough that
// the 32 clients' requests interleave and the mempool fills evenly.
const (
	rpcBatchDefault  = 10
	bulkBatchDefault = 500
)

// gcPercentDefault is the garbage collector's target the bench runs the nodes with
// unless GOGC says otherwise: on two cores, Go's default (100) collects every quarter
// of a second under load and each cycle takes a core for tens of milliseconds, which
// shows as stalls of CheckTx. Both runs of a comparison get the same setting.
const gcPercentDefault = 400

// benchGOGC applies gcPercentDefault unless GOGC is set, says which applies, and
// returns how to restore the previous setting.
func benchGOGC() (string, func()) {
	if v := os.Getenv("GOGC"); v != "" {
		return v, func() {}
	}
	prev := debug.SetGCPercent(gcPercentDefault)
	return strconv.Itoa(gcPercentDefault), func() { debug.SetGCPercent(prev) }
}

// config turns the flags into a run's configuration, in a fresh folder.
func (o *BenchOptions) config(g *Globals) (bench.Config, func(), error) {
	c := bench.Config{
		Workload: o.Workload, Validators: o.Validators, NodeURL: o.nodeURL, Duration: o.Duration, Rate: o.Rate,
		Clients: o.Clients, Submit: o.Submit, Batch: o.Batch, InFlight: o.InFlight, Accounts: o.Accounts, Buyers: o.Buyers, Presign: o.Presign,
		BlockTime: o.BlockTime, GatewayPoll: o.GatewayPoll, Logger: slog.New(slog.DiscardHandler),
	}
	if o.Verbose {
		c.Logger = slog.New(slog.NewTextHandler(g.Err, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	if o.nodeURL != "" {
		key, err := g.unlock(o.From)
		if err != nil {
			return c, nil, fmt.Errorf("--from: %w", err)
		}
		c.Issuer = key
	}
	dir, err := os.MkdirTemp("", "chipmint-bench-")
	if err != nil {
		return c, nil, err
	}
	c.Dir = dir
	cleanup := func() {
		if o.Keep {
			fmt.Fprintf(g.Err, "kept %s\n", dir)
			return
		}
		os.RemoveAll(dir)
	}
	return c, cleanup, nil
}

// progressBar draws the run's progress on w: a bar redrawn in place on a terminal, a
// line every five seconds otherwise.
func progressBar(w io.Writer, app string) func(bench.Progress) {
	f, ok := w.(*os.File)
	tty := ok && term.IsTerminal(int(f.Fd()))
	var lastLine time.Duration = -1
	return func(p bench.Progress) {
		const width = 30
		done := int(width * p.Elapsed / max(p.Duration, 1))
		rate := 0.0
		if p.Elapsed > 0 {
			rate = float64(p.Committed) / p.Elapsed.Seconds()
		}
		line := fmt.Sprintf("%-8s [%s%s] %4.0fs/%.0fs  committed %d (%.0f tx/s)  in flight %d",
			app, strings.Repeat("=", done), strings.Repeat(" ", width-done), p.Elapsed.Seconds(), p.Duration.Seconds(),
			p.Committed, rate, p.InFlight)
		switch {
		case tty:
			fmt.Fprintf(w, "\r%s\x1b[K", line)
			if p.Elapsed >= p.Duration {
				fmt.Fprintln(w)
			}
		case p.Elapsed-lastLine >= 5*time.Second || (p.Elapsed >= p.Duration && lastLine < p.Duration):
			lastLine = p.Elapsed
			fmt.Fprintln(w, line)
		}
	}
}

// printBench prints the runs side by side, then the ratios.
func printBench(w io.Writer, rep benchReport) {
	m := rep.Machine
	fmt.Fprintf(w, "%s\n%d cores %s, %s, %s (GOGC=%s), CometBFT %s, %s\n\n", rep.Command, m.Cores, m.CPU, m.OS, m.Go, rep.GOGC, m.CometBFT, m.Date)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	row := func(label string, cell func(r *bench.Result) string) {
		fmt.Fprintf(tw, "%s\t", label)
		for _, r := range rep.Runs {
			fmt.Fprintf(tw, "%s\t", cell(r))
		}
		fmt.Fprintln(tw)
	}
	row("", func(r *bench.Result) string { return r.App })
	for _, line := range benchRows {
		row(line.label, line.cell)
	}
	if rep.Runs[0].Purchases != nil {
		for _, line := range purchaseRows {
			row(line.label, func(r *bench.Result) string {
				if r.Purchases == nil {
					return "-"
				}
				return line.cell(r)
			})
		}
	}
	tw.Flush()
	if len(rep.Ratios) > 0 {
		fmt.Fprintln(w)
	}
	for _, r := range benchRatios {
		ratio, ok := rep.Ratios[r.key()]
		if !ok {
			continue
		}
		who := r.of
		if r.of != bench.AppChipmint {
			who = "the " + r.of + " baseline"
		}
		fmt.Fprintf(w, "%s commits %.2f × the %s baseline's tx/s (%.0f of %.0f): %s\n",
			who, ratio, r.to, rep.run(r.of).TxPerSec, rep.run(r.to).TxPerSec, r.meaning)
	}
}

type benchRow struct {
	label string
	cell  func(r *bench.Result) string
}

var benchRows = []benchRow{
	{"workload", func(r *bench.Result) string { return r.Workload }},
	{"validators", func(r *bench.Result) string {
		if r.Node != "" {
			return r.Node
		}
		return fmt.Sprint(r.Validators)
	}},
	{"load", func(r *bench.Result) string {
		var parts []string
		switch {
		case r.Workload == bench.WorkloadPurchase && r.Mode == "open":
			return fmt.Sprintf("open loop %.0f purchases/s", r.OfferedPerSec)
		case r.Workload == bench.WorkloadPurchase:
			return fmt.Sprintf("closed loop, %d buyers", r.Buyers)
		case r.Mode == "open":
			parts = append(parts, fmt.Sprintf("open loop %.0f/s, %d clients", r.OfferedPerSec, r.Clients))
		default:
			parts = append(parts, fmt.Sprintf("closed loop, %d clients", r.Clients))
		}
		switch {
		case r.Submit == bench.SubmitBulk:
			parts = append(parts, fmt.Sprintf("bulk requests of %d", r.Batch))
		case r.Batch > 1:
			parts = append(parts, fmt.Sprintf("batches of %d", r.Batch))
		}
		if r.Buyers > 0 {
			parts = append(parts, fmt.Sprintf("%d buyers", r.Buyers))
		}
		return strings.Join(parts, ", ")
	}},
	{"duration s", func(r *bench.Result) string { return fmt.Sprintf("%.0f", r.DurationS) }},
	{"tx bytes", func(r *bench.Result) string { return fmt.Sprint(r.TxBytes) }},
	{"committed tx/s", func(r *bench.Result) string { return fmt.Sprintf("%.0f", r.TxPerSec) }},
	{"blocks/s", func(r *bench.Result) string { return fmt.Sprintf("%.2f", r.BlocksPerSec) }},
	{"txs per block (mean / max)", func(r *bench.Result) string { return fmt.Sprintf("%.0f / %d", r.TxsPerBlock, r.TxsPerBlockMax) }},
	{"block interval ms", func(r *bench.Result) string { return fmt.Sprintf("%.0f", r.BlockInterval) }},
	{"latency p50 ms", func(r *bench.Result) string { return fmt.Sprintf("%.0f", r.Latency.P50ms) }},
	{"latency p90 ms", func(r *bench.Result) string { return fmt.Sprintf("%.0f", r.Latency.P90ms) }},
	{"latency p99 ms", func(r *bench.Result) string { return fmt.Sprintf("%.0f", r.Latency.P99ms) }},
	{"latency max ms", func(r *bench.Result) string { return fmt.Sprintf("%.0f", r.Latency.MaxMS) }},
	{"to CheckTx answer p50 / p99 ms", func(r *bench.Result) string {
		return fmt.Sprintf("%.1f / %.0f", r.CheckLatency.P50ms, r.CheckLatency.P99ms)
	}},
	{"submitted", func(r *bench.Result) string { return fmt.Sprint(r.Submitted) }},
	{"committed ok", func(r *bench.Result) string { return fmt.Sprint(r.CommittedOwnOK) }},
	{"rejections", func(r *bench.Result) string { return formatCounts(r.Rejections) }},
	{"lost", func(r *bench.Result) string { return fmt.Sprint(r.Lost) }},
	{"CPU cores used", func(r *bench.Result) string { return fmt.Sprintf("%.2f", r.CPUCores) }},
	{"other processes, cores", func(r *bench.Result) string { return fmt.Sprintf("%.2f", r.OtherCores) }},
}

var purchaseRows = []benchRow{
	{"purchases completed", func(r *bench.Result) string { return fmt.Sprint(r.Purchases.Completed) }},
	{"credit to chips p50 ms", func(r *bench.Result) string { return fmt.Sprintf("%.0f", r.Purchases.CreditToChips.P50ms) }},
	{"credit to chips p99 ms", func(r *bench.Result) string { return fmt.Sprintf("%.0f", r.Purchases.CreditToChips.P99ms) }},
	{"credit to chips p50 blocks", func(r *bench.Result) string { return fmt.Sprintf("%.1f", r.Purchases.P50Blocks) }},
}

func formatCounts(m map[string]int) string {
	if len(m) == 0 {
		return "none"
	}
	parts := make([]string, 0, len(m))
	for k, v := range m {
		parts = append(parts, fmt.Sprintf("%s %d", k, v))
	}
	slices.Sort(parts)
	return strings.Join(parts, ", ")
}
