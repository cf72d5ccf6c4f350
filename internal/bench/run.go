package bench

import (
	"cmp"
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/system"
	"github.com/chipmint/chipmint/internal/txn"
)

// drainMax is how long a run waits, after its end, for the transactions still in flight.
const drainMax = 15 * time.Second

// Config describes one run.
type Config struct {
	App        string // AppChipmint or one of Baselines
	Workload   string // WorkloadTransfer, WorkloadPurchase or WorkloadMixed
	Validators int    // validators started in this process, when NodeURL is empty
	NodeURL    string // an existing chipmint network's RPC, instead of starting one
	// Issuer signs the bench operator's registration and the mints on an existing network.
	Issuer   crypto.Signer
	Duration time.Duration
	Rate     float64 // transactions (purchases, for the purchase workload) per second; 0 is closed loop
	Clients  int     // concurrent clients, each with its own connection
	// Submit is how the load reaches the nodes: SubmitRPC (the default when empty) or
	// SubmitBulk, chipmint's own API on a network started here.
	Submit    string
	Batch     int // transactions per request: 1, a JSON-RPC batch, or a bulk request
	InFlight  int // closed loop: most transactions out at once
	Accounts  int // funded accounts that send the transfers
	Buyers    int // concurrent buyers of the purchase flow (closed loop)
	Presign   int // transfers signed before the run; 0 picks from rate and duration
	TxBytes   int // a baseline's size of each transaction; 0 is the size of a chipmint transfer
	BlockTime time.Duration
	// GatewayPoll is how often the operator's gateway reads the bank's notifications.
	GatewayPoll time.Duration
	Dir         string
	Logger      *slog.Logger
	// Progress, when set, is called about twice a second while the load runs.
	Progress func(Progress)
	// CPUProfile, when set, receives a CPU profile of the measured window.
	CPUProfile io.Writer
}

// Progress is a run's state while it runs.
type Progress struct {
	Elapsed   time.Duration
	Duration  time.Duration
	Committed int // transactions in blocks since the start
	InFlight  int
}

// Result is what a run measured.
type Result struct {
	App            string  `json:"app"`
	Workload       string  `json:"workload"`
	Validators     int     `json:"validators"`
	Node           string  `json:"node,omitempty"`
	Mode           string  `json:"mode"` // "open" (fixed rate) or "closed"
	OfferedPerSec  float64 `json:"offered_tx_per_s,omitempty"`
	Clients        int     `json:"clients"`
	Submit         string  `json:"submit"`
	Batch          int     `json:"batch"`
	Buyers         int     `json:"buyers,omitempty"` // the purchase flow's, closed loop
	DurationS      float64 `json:"duration_s"`
	BlockTimeMS    float64 `json:"timeout_commit_ms,omitempty"`
	TxBytes        int     `json:"tx_bytes"`
	Submitted      int     `json:"submitted"`
	Committed      int     `json:"committed"` // transactions in the blocks of the window, every sender's
	CommittedOwnOK int     `json:"committed_ok"`
	TxPerSec       float64 `json:"committed_tx_per_s"`
	Blocks         int     `json:"blocks"`
	BlocksPerSec   float64 `json:"blocks_per_s"`
	TxsPerBlock    float64 `json:"txs_per_block"`
	TxsPerBlockMax int     `json:"txs_per_block_max"`
	BlockInterval  float64 `json:"block_interval_ms"`
	// Latency is from submit (open loop: from when the transaction was due) until its
	// block was seen, for the transactions submitted in the window and committed.
	Latency Latency `json:"latency"`
	// CheckLatency is from submit (or due) to the node's answer after CheckTx: the part of
	// Latency spent before the transaction is in the mempool.
	CheckLatency Latency        `json:"check_latency"`
	Rejections   map[string]int `json:"rejections"`
	Lost         int            `json:"lost"`
	CPUSeconds   float64        `json:"cpu_s"`
	CPUCores     float64        `json:"cpu_cores"` // CPU seconds per second of the window, this whole process
	// OtherCores is what the machine's other processes used during the window, in cores:
	// anything but a few hundredths means the figures are not the application's alone.
	OtherCores float64        `json:"other_processes_cpu_cores"`
	Purchases  *PurchaseStats `json:"purchases,omitempty"`
	Exhausted  bool           `json:"presigned_exhausted,omitempty"`
	SetupS     float64        `json:"setup_s"`
}

// PurchaseStats measure the purchase flow.
type PurchaseStats struct {
	Completed int `json:"completed"`
	// CreditToChips is from the bank's booking of the credit to the block issuing the chips.
	CreditToChips Latency `json:"credit_to_chips"`
	// P50Blocks is the median of CreditToChips in mean block intervals.
	P50Blocks float64        `json:"p50_block_intervals"`
	Failed    map[string]int `json:"failed,omitempty"`
}

// Run performs one run and reports it.
func Run(ctx context.Context, c Config) (*Result, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	setupStart := time.Now()
	rpc := []string{c.NodeURL}
	var apis []string
	if c.NodeURL == "" {
		if c.Issuer == nil {
			c.Issuer = newKey()
		}
		pub, err := crypto.PublicKeyOf(c.Issuer)
		if err != nil {
			return nil, fmt.Errorf("bench: issuer: %w", err)
		}
		// A baseline's application in chipmint's place; nil, chipmint's, for chipmint.
		net, err := system.StartNetwork(system.NetworkConfig{
			App: baselines[c.App].app, Validators: c.Validators, Dir: filepath.Join(c.Dir, "network"), ChainID: "chipmint-bench",
			Issuers:   []txn.Issuer{{ID: "issuer", Address: crypto.AddressOf(pub), PublicKey: pub}},
			BlockTime: c.BlockTime, Logger: c.Logger, API: c.Submit == SubmitBulk,
		})
		if err != nil {
			return nil, err
		}
		defer net.Stop()
		rpc, apis = net.RPC, net.API
	}
	ctx, cancel := context.WithCancel(ctx)
	r := &run{c: c}
	defer func() { cancel(); r.stopServices() }()
	ready, cancelReady := context.WithTimeout(ctx, time.Minute)
	defer cancelReady()
	if err := waitReady(ready, rpc); err != nil {
		return nil, err
	}
	cl, err := client.DialRetry(ctx, rpc[0], c.Logger)
	if err != nil {
		return nil, err
	}
	defer cl.Close()
	tr := newTracker()
	f, followed, err := follow(ctx, rpc[0], tr, c.App == AppChipmint && c.Workload != WorkloadTransfer)
	if err != nil {
		return nil, err
	}
	l := &load{tr: tr, clients: c.Clients, rate: c.Rate, inFlight: c.InFlight, batch: c.Batch}
	for _, u := range rpc {
		l.subs = append(l.subs, newBroadcaster(u, c.Clients))
	}
	if c.Submit == SubmitBulk {
		l.subs = l.subs[:0]
		for _, u := range apis {
			l.subs = append(l.subs, newBulkSubmitter(u, c.Clients))
		}
	}
	r.l, r.tr, r.cl = l, tr, cl
	if err := r.setup(ctx); err != nil {
		return nil, err
	}
	res := r.measure(ctx, time.Since(setupStart))
	if err := f.settle(ctx); err != nil {
		return nil, err
	}
	r.count(res)
	cancel()
	if err := <-followed; err != nil {
		return nil, err
	}
	if l.exhausted.Load() {
		return res, errExhausted
	}
	return res, nil
}

func (c *Config) check() error {
	_, baseline := baselines[c.App]
	switch {
	case c.App != AppChipmint && !baseline:
		return fmt.Errorf("bench: application %q: want %s or one of %s", c.App, AppChipmint, strings.Join(Baselines, ", "))
	case c.Workload != WorkloadTransfer && c.Workload != WorkloadPurchase && c.Workload != WorkloadMixed:
		return fmt.Errorf("bench: workload %q: want transfer, purchase or mixed", c.Workload)
	case baseline && c.Workload != WorkloadTransfer:
		return fmt.Errorf("bench: %s runs the transfer workload only, with transactions of the same size", c.App)
	case baseline && c.NodeURL != "":
		return fmt.Errorf("bench: the %s baseline runs in this process only", c.App)
	case c.Submit != "" && c.Submit != SubmitRPC && c.Submit != SubmitBulk:
		return fmt.Errorf("bench: submission %q: want %s or %s", c.Submit, SubmitRPC, SubmitBulk)
	case c.Submit == SubmitBulk && (c.App != AppChipmint || c.NodeURL != ""):
		return fmt.Errorf("bench: %s submission reaches chipmint's own API, on a network started here only", SubmitBulk)
	case c.NodeURL != "" && c.Issuer == nil:
		return errors.New("bench: an existing network needs the issuer's key")
	case c.Clients < 1 || c.Batch < 1 || c.Duration <= 0 || c.Accounts < 2 || c.Buyers < 1 || c.InFlight < c.Batch:
		return fmt.Errorf("bench: clients %d, batch %d, duration %v, accounts %d, buyers %d, in flight %d: each must be positive, accounts at least 2, in flight at least a batch",
			c.Clients, c.Batch, c.Duration, c.Accounts, c.Buyers, c.InFlight)
	}
	return nil
}

// run is one run in progress.
type run struct {
	c  Config
	l  *load
	tr *tracker
	cl *client.Client
	// services are the purchase flow's bank, gateway and issuer service.
	services  *system.System
	purchases *purchases
}

// setup prepares the chain and signs the load before the clock starts.
func (r *run) setup(ctx context.Context) error {
	transfers := r.c.Workload != WorkloadPurchase
	if b, ok := baselines[r.c.App]; ok {
		size := r.c.TxBytes
		if size == 0 {
			sample, err := sampleTransfer()
			if err != nil {
				return err
			}
			size = len(sample)
		}
		txs, err := b.txs(r.presignCount(), size, r.c.Accounts)
		r.l.txs = txs
		return err
	}
	ch := &chain{c: r.cl, chainID: r.cl.ChainID(), issuer: r.c.Issuer}
	if r.c.Workload == WorkloadTransfer {
		if err := ch.registerOperator(ctx, "DE89370400440532013000", "COBADEFFXXX"); err != nil {
			return err
		}
	} else {
		p, sys, err := startPurchases(ctx, ch, r.c.Dir, r.c.Buyers, r.c.GatewayPoll, r.c.Logger)
		if err != nil {
			return err
		}
		r.purchases, r.services = p, sys
	}
	if !transfers {
		return nil
	}
	if err := ch.fund(ctx, r.l, r.c.Accounts); err != nil {
		return err
	}
	txs, err := ch.transfers(ctx, r.presignCount())
	r.l.txs = txs
	return err
}

// stopServices stops the purchase flow's services, if they run.
func (r *run) stopServices() {
	if r.services != nil {
		_ = r.services.Stop()
	}
}

// presignCount is how many transfers a run may send: its rate for its duration, or in
// closed loop what 30,000 per second would need.
func (r *run) presignCount() int {
	if r.c.Presign > 0 {
		return r.c.Presign
	}
	rate := r.c.Rate
	if rate <= 0 {
		rate = 30_000
	}
	return int(rate*r.c.Duration.Seconds()) + r.c.Clients*r.c.Batch
}

// sampleTransfer is a transfer as the load sends them, for its size.
func sampleTransfer() ([]byte, error) {
	to := crypto.AddressOf(newKey().Public().(ed25519.PublicKey))
	return txn.Sign("chipmint-bench", &txn.Transfer{To: to, AmountChips: 1}, newKey(), 100, 1000)
}

// measure runs the load for the configured duration, drains what is in flight, and
// computes the result.
func (r *run) measure(ctx context.Context, setup time.Duration) *Result {
	start := time.Now().Add(50 * time.Millisecond)
	end := start.Add(r.c.Duration)
	stopProgress := r.progress(start, end)
	profiling := r.c.CPUProfile != nil && pprof.StartCPUProfile(r.c.CPUProfile) == nil
	cpu0, busy0 := cpuTime(), machineBusy()
	var wg sync.WaitGroup
	if r.l.txs != nil {
		wg.Go(func() { r.l.run(ctx, start, end) })
	}
	if r.purchases != nil {
		rate := 0.0
		if r.c.Workload == WorkloadPurchase {
			rate = r.c.Rate
		}
		wg.Go(func() { r.purchases.run(ctx, r.l, rate, start, end) })
	}
	time.Sleep(time.Until(end))
	cpu, busy := cpuTime()-cpu0, machineBusy()-busy0
	if profiling {
		pprof.StopCPUProfile()
	}
	wg.Wait()
	for deadline := time.Now().Add(drainMax); r.tr.inFlightCount() > 0 && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
	}
	r.tr.expire(time.Now())
	stopProgress()
	res := r.result(start, end, cpu, setup)
	if busy > 0 {
		res.OtherCores = max(busy-cpu, 0).Seconds() / r.c.Duration.Seconds()
	}
	return res
}

func (r *run) progress(start, end time.Time) (stop func()) {
	if r.c.Progress == nil {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(500 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case now := <-tick.C:
				committed := 0
				r.tr.mu.Lock()
				for _, b := range r.tr.blocks {
					if b.At.After(start) {
						committed += b.Txs
					}
				}
				r.tr.mu.Unlock()
				r.c.Progress(Progress{Elapsed: min(max(now.Sub(start), 0), end.Sub(start)), Duration: r.c.Duration,
					Committed: committed, InFlight: r.tr.inFlightCount()})
			}
		}
	})
	return func() { close(done); wg.Wait() }
}

func (r *run) result(start, end time.Time, cpu time.Duration, setup time.Duration) *Result {
	d := end.Sub(start)
	res := &Result{
		App: r.c.App, Workload: r.c.Workload, Validators: r.c.Validators, Node: r.c.NodeURL, Mode: "closed",
		Clients: r.c.Clients, Submit: cmp.Or(r.c.Submit, SubmitRPC), Batch: r.c.Batch, DurationS: d.Seconds(), Submitted: int(r.l.submitted.Load()),
		BlockTimeMS: ms(r.c.BlockTime), CPUSeconds: cpu.Seconds(), CPUCores: cpu.Seconds() / d.Seconds(),
		Exhausted: r.l.exhausted.Load(), SetupS: setup.Seconds(),
	}
	if r.c.NodeURL != "" {
		res.Validators = 0
	}
	if r.c.Rate > 0 {
		res.Mode, res.OfferedPerSec = "open", r.c.Rate
	}
	if len(r.l.txs) > 0 {
		res.TxBytes = len(r.l.txs[0])
	}
	if r.purchases != nil && !(r.c.Workload == WorkloadPurchase && r.c.Rate > 0) {
		res.Buyers = r.c.Buyers
	}
	r.tr.mu.Lock()
	defer r.tr.mu.Unlock()
	var last time.Time
	var intervals []time.Duration
	for _, b := range r.tr.blocks {
		if b.At.Before(start) || b.At.After(end) {
			continue
		}
		res.Blocks++
		res.Committed += b.Txs
		res.TxsPerBlockMax = max(res.TxsPerBlockMax, b.Txs)
		if !last.IsZero() {
			intervals = append(intervals, b.At.Sub(last))
		}
		last = b.At
	}
	res.TxPerSec = PerSecond(res.Committed, d)
	res.BlocksPerSec = PerSecond(res.Blocks, d)
	if res.Blocks > 0 {
		res.TxsPerBlock = float64(res.Committed) / float64(res.Blocks)
	}
	res.BlockInterval = Summarise(intervals).Mean
	res.Latency, res.CheckLatency = Summarise(r.tr.latency), Summarise(r.tr.checkLatency)
	return res
}

// count adds what settle learnt: the outcomes of the measured transactions.
func (r *run) count(res *Result) {
	r.tr.mu.Lock()
	res.CommittedOwnOK, res.Lost, res.Rejections = r.tr.ok, r.tr.lost, r.tr.codes
	r.tr.mu.Unlock()
	if p := r.purchases; p != nil {
		p.mu.Lock()
		s := &PurchaseStats{Completed: len(p.creditToChips), CreditToChips: Summarise(p.creditToChips), Failed: p.failed}
		p.mu.Unlock()
		if res.BlockInterval > 0 {
			s.P50Blocks = s.CreditToChips.P50ms / res.BlockInterval
		}
		res.Purchases = s
	}
}

// cpuTime is the CPU this process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0 // RUSAGE_SELF with a valid pointer cannot fail
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
