package cluster

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cometbft/cometbft/privval"

	"github.com/chipmint/chipmint/internal/txn"
)

var (
	long = flag.Bool("faults.long", false, "also run the long fault scenarios")
	bin  string
)

func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() {
		os.Exit(m.Run())
	}
	dir, err := os.MkdirTemp("", "chipmint-cluster-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin, err = Build(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// scenario is a running 4-validator cluster under load.
type scenario struct {
	t    *testing.T
	c    *Cluster
	ctx  context.Context
	load *Load
}

// startScenario starts a cluster (four validators and 200 ms blocks unless o says
// otherwise), registers the operator and starts the load.
func startScenario(t *testing.T, o Options) *scenario {
	if testing.Short() {
		t.Skip("starts validator processes")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	t.Cleanup(cancel)
	if o.Validators == 0 {
		o.Validators = 4
	}
	if o.BlockTime == 0 {
		o.BlockTime = 200 * time.Millisecond
	}
	c := New(t, bin, o)
	c.StartAll()
	if err := c.WaitHeight(ctx, 2, all(c)...); err != nil {
		t.Fatal(err)
	}
	if err := c.RegisterOperator(ctx); err != nil {
		t.Fatal(err)
	}
	return &scenario{t: t, c: c, ctx: ctx, load: c.StartLoad(ctx, 4)}
}

func all(c *Cluster) []int {
	nodes := make([]int, len(c.Homes))
	for i := range nodes {
		nodes[i] = i
	}
	return nodes
}

// progress waits until the given nodes commit n more blocks than the highest now.
func (s *scenario) progress(n int64, nodes ...int) int64 {
	s.t.Helper()
	target := s.c.MaxHeight(s.ctx) + n
	if err := s.c.WaitHeight(s.ctx, target, nodes...); err != nil {
		s.t.Fatal(err)
	}
	return target
}

// finish stops the load, lets every node reach the same height and audits them.
func (s *scenario) finish() {
	s.t.Helper()
	acked, stats := s.load.Stop()
	top := s.progress(2, all(s.c)...)
	rep, err := s.c.Audit(s.ctx, acked)
	if err != nil {
		s.t.Fatal(err)
	}
	s.t.Logf("audit at height %d (common %d): %d acknowledged txs on every node, %d retries, rejections %v",
		top, rep.CommonHeight, stats.Acked, stats.Retries, stats.Rejected)
	if !rep.OK() {
		s.t.Fatalf("audit failed:\n%v", rep.Problems)
	}
	if stats.Acked == 0 {
		s.t.Fatal("the load got nothing committed: the scenario tested nothing")
	}
}

// One of four validators is killed under load: the others go on committing; restarted,
// it catches up and agrees with them at every height.
func TestKillOneOfFour(t *testing.T) {
	s := startScenario(t, Options{})
	s.progress(3, all(s.c)...)
	s.c.Kill(3)
	down := time.Now()
	h := s.progress(8, 0, 1, 2)
	s.c.Start(3)
	t.Logf("node3 down %v while the others went to height %d", time.Since(down).Round(time.Millisecond), h)
	if err := s.c.WaitHeight(s.ctx, h, 3); err != nil {
		t.Fatal(err)
	}
	s.finish()
}

// Two of four are killed: without a two-thirds majority the chain halts (and does not
// fork); one restarted, it resumes.
func TestKillTwoOfFourHaltsThenResumes(t *testing.T) {
	s := startScenario(t, Options{})
	s.progress(3, all(s.c)...)
	s.c.Kill(2)
	s.c.Kill(3)
	down := time.Now()
	stuck := s.c.MaxHeight(s.ctx)
	// Twenty block intervals without a majority: no node may get more than one block
	// further (one may have been in flight when the two died).
	time.Sleep(20 * 200 * time.Millisecond)
	if now := s.c.MaxHeight(s.ctx); now > stuck+1 {
		t.Fatalf("the chain went from %d to %d with two of four validators down", stuck, now)
	}
	s.c.Start(2)
	h := s.progress(5, 0, 1, 2)
	t.Logf("halted at height %d for %v; resumed with three validators to height %d", stuck, time.Since(down).Round(time.Millisecond), h)
	s.c.Start(3)
	s.finish()
}

// A validator dies at each of CometBFT's crash points around FinalizeBlock and Commit
// (FAIL_TEST_INDEX) and restarts: replay gives the same state, no transaction twice.
func TestCrashPoints(t *testing.T) {
	s := startScenario(t, Options{})
	points := []int{0, 2, 4, 6, 8}
	if *long {
		points = []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
	}
	for _, point := range points {
		s.progress(2, all(s.c)...)
		s.c.Kill(3)
		s.c.Start(3, fmt.Sprintf("FAIL_TEST_INDEX=%d", point))
		wctx, cancel := context.WithTimeout(s.ctx, time.Minute)
		if err := s.c.WaitExit(wctx, 3); err != nil {
			cancel()
			t.Fatalf("crash point %d: %v", point, err)
		}
		cancel()
		s.c.Start(3)
		h := s.progress(2, all(s.c)...)
		t.Logf("crash point %d: node3 crashed, restarted and caught up at height %d", point, h)
	}
	s.finish()
}

// The application dies between FinalizeBlock and Commit: CometBFT replays the block
// after the restart and the state is as if it had never died.
func TestAppCrashBeforeCommit(t *testing.T) {
	s := startScenario(t, Options{})
	for round := range 3 {
		s.progress(2, all(s.c)...)
		s.c.Kill(2)
		s.c.Start(2, fmt.Sprintf("CHIPMINT_CRASH_BEFORE_COMMIT=%d", 3+round))
		wctx, cancel := context.WithTimeout(s.ctx, time.Minute)
		if err := s.c.WaitExit(wctx, 2); err != nil {
			cancel()
			t.Fatal(err)
		}
		cancel()
		s.c.Start(2)
		h := s.progress(2, all(s.c)...)
		t.Logf("round %d: node2's app died before its commit %d, replayed, caught up at height %d", round, 3+round, h)
	}
	s.finish()
}

// A validator freezes (SIGSTOP), as a hung machine: the others go on; thawed, it
// catches up.
func TestFrozenValidator(t *testing.T) {
	s := startScenario(t, Options{})
	s.progress(3, all(s.c)...)
	s.c.Freeze(1)
	frozen := time.Now()
	h := s.progress(8, 0, 2, 3)
	s.c.Thaw(1)
	t.Logf("node1 frozen %v while the others went to height %d", time.Since(frozen).Round(time.Millisecond), h)
	if err := s.c.WaitHeight(s.ctx, h, 1); err != nil {
		t.Fatal(err)
	}
	s.finish()
}

// A validator killed and restarted many times in a row, under load.
func TestRestartedManyTimes(t *testing.T) {
	s := startScenario(t, Options{})
	restarts := 5
	if *long {
		restarts = 20
	}
	for i := range restarts {
		s.progress(1, 0, 1, 2)
		s.c.Kill(0)
		s.c.Start(0)
		if i%2 == 1 {
			// Sometimes it is killed again before it has even caught up.
			continue
		}
		s.progress(1, all(s.c)...)
	}
	t.Logf("node0 killed and restarted %d times", restarts)
	s.finish()
}

// A validator loses its disk and rejoins by state sync from the others' snapshots,
// without replaying history, and reaches the same app hash.
func TestWipedValidatorRejoinsByStateSync(t *testing.T) {
	s := startScenario(t, Options{CheckpointInterval: 10})
	c, ctx := s.c, s.ctx
	s.progress(22, all(c)...) // past two checkpoints: snapshots at 10 and 20
	c.Kill(3)
	if err := c.WipeForStateSync(ctx, 3, 5); err != nil {
		t.Fatal(err)
	}
	wiped := time.Now()
	c.Start(3)
	h := s.progress(3, 0, 1, 2)
	if err := c.WaitHeight(ctx, h, 3); err != nil {
		t.Fatal(err)
	}
	base, err := c.Client(ctx, 3).Base(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if base <= 2 {
		t.Fatalf("node3's first block is %d: it replayed history instead of restoring a snapshot", base)
	}
	t.Logf("node3 wiped, restored a snapshot (first block %d) and caught up to height %d in %v", base, h, time.Since(wiped).Round(time.Millisecond))
	s.finish()
}

// A non-validator full node joins late and block-syncs the whole history.
func TestFullNodeJoinsAndBlockSyncs(t *testing.T) {
	s := startScenario(t, Options{})
	h := s.progress(10, all(s.c)...)
	full := s.c.AddFullNode()
	if err := s.c.WaitHeight(s.ctx, h+2, full); err != nil {
		t.Fatal(err)
	}
	t.Logf("full node %d joined at height %d and caught up", full, h)
	s.finish()
}

// A full node's consensus key, added by the issuers, joins a running network of four
// validator processes and signs blocks; changes that would halt the chain are refused.
func TestValidatorAddedJoinsAndSigns(t *testing.T) {
	s := startScenario(t, Options{})
	h := s.progress(5, all(s.c)...)
	full := s.c.AddFullNode()
	if err := s.c.WaitHeight(s.ctx, h+2, full); err != nil {
		t.Fatal(err)
	}
	home := s.c.Homes[full]
	pv := privval.LoadFilePV(filepath.Join(home, "config", "priv_validator_key.json"), filepath.Join(home, "data", "priv_validator_state.json"))
	pub := pv.Key.PubKey.Bytes()
	c := s.c.Client(s.ctx, 0)
	for name, tc := range map[string]struct {
		msg  *txn.SetValidator
		want txn.Code
	}{
		"removal of a key that is no validator": {&txn.SetValidator{PublicKey: pub}, txn.UnknownValidator},
		"power beyond CometBFT's total":         {&txn.SetValidator{PublicKey: pub, Power: txn.ValidatorPowerMax}, txn.ValidatorPowerTooHigh},
	} {
		var rej *txn.Error
		if _, err := c.Submit(s.ctx, tc.msg, s.c.Issuer); !errors.As(err, &rej) || rej.Code != tc.want {
			t.Fatalf("%s: %v, want %s", name, err, tc.want)
		}
	}
	res, err := c.Submit(s.ctx, &txn.SetValidator{PublicKey: pub, Power: 10}, s.c.Issuer)
	if err != nil {
		t.Fatal(err)
	}
	// CometBFT applies the update two heights later; the new validator then signs.
	addr := strings.ToUpper(pv.Key.PubKey.Address().String())
	for height := res.Height + 2; ; height++ {
		if err := s.c.WaitHeight(s.ctx, height+1, 0, full); err != nil {
			t.Fatalf("validator %s never signed: %v", addr, err)
		}
		signers, err := c.CommitSigners(s.ctx, height)
		if err != nil {
			t.Fatal(err)
		}
		if slices.Contains(signers, addr) {
			t.Logf("validator %s, added at height %d, signed block %d", addr, res.Height, height)
			break
		}
	}
	s.finish()
}
