package cluster

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	cfg "github.com/cometbft/cometbft/config"
	"github.com/cometbft/cometbft/privval"

	"github.com/chipmint/chipmint/internal/audit"
	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/node"
	"github.com/chipmint/chipmint/internal/txn"
)

// Build compiles the chipmint binary into dir and returns its path.
func Build(dir string) (string, error) {
	mod, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("cluster: go env GOMOD: %w", err)
	}
	root := filepath.Dir(strings.TrimSpace(string(mod)))
	bin := filepath.Join(dir, "chipmint")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/chipmint")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("cluster: go build: %v\n%s", err, out)
	}
	return bin, nil
}

// Options shape a cluster.
type Options struct {
	Validators int
	BlockTime  time.Duration
	// CheckpointInterval sets the genesis's checkpoint interval, and so how often
	// snapshots are taken; zero takes the default.
	CheckpointInterval int64
	// Hosts are the validators' addresses, one each; empty means loopback.
	Hosts []string
	// Netns runs each validator inside a network namespace, one each, which the caller
	// made and joined to the hosts' addresses.
	Netns []string
}

// Cluster is a network of validator processes.
type Cluster struct {
	t        testing.TB
	bin      string
	netns    []string
	Homes    []string
	RPC      []string
	ChainID  string
	Issuer   crypto.Signer
	Operator crypto.Signer

	// Admin is each node's admin address, host:port, where the audit checks its
	// invariants (chipmint node --admin-listen).
	Admin []string

	mu      sync.Mutex
	procs   []*process
	clients []*client.Client
	// signers are the remote signers of the validators that sign through one, by node.
	signers map[int]*signer
}

// signer is a validator's remote signer: its key and state files, the node's
// priv_validator_laddr it dials, and its process while it runs.
type signer struct {
	key, state, laddr, log string
	proc                   *process
}

type process struct {
	cmd  *exec.Cmd
	done chan struct{}
}

// New generates the network's homes with short consensus timeouts; Start runs nodes.
func New(t testing.TB, bin string, o Options) *Cluster {
	t.Helper()
	issuer, pub := key(201)
	operator, _ := key(202)
	dir := t.TempDir()
	homes, err := node.InitNetwork(node.NetworkOptions{
		Dir: dir, Validators: o.Validators, ChainID: "chipmint-cluster", BlockTime: o.BlockTime, CheckpointInterval: o.CheckpointInterval,
		Hosts:   o.Hosts,
		Issuers: []txn.Issuer{{ID: "issuer", Address: crypto.AddressOf(pub), PublicKey: pub}},
	})
	if err != nil {
		t.Fatalf("cluster: %v", err)
	}
	c := &Cluster{
		t: t, bin: bin, netns: o.Netns, Homes: homes, ChainID: "chipmint-cluster", Issuer: issuer, Operator: operator,
		procs: make([]*process, len(homes)), clients: make([]*client.Client, len(homes)), signers: map[int]*signer{},
	}
	used := map[int]bool{}
	for i, h := range homes {
		conf, err := node.LoadConfig(h)
		if err != nil {
			t.Fatal(err)
		}
		shortTimeouts(conf)
		cfg.WriteConfigFile(filepath.Join(h, "config", "config.toml"), conf)
		rpc := strings.TrimPrefix(conf.RPC.ListenAddress, "tcp://")
		if len(o.Hosts) > 0 {
			rpc = strings.Replace(rpc, "0.0.0.0", o.Hosts[i], 1)
		}
		c.RPC = append(c.RPC, "http://"+rpc)
		for _, addr := range []string{rpc, strings.TrimPrefix(conf.P2P.ListenAddress, "tcp://")} {
			if _, port, err := net.SplitHostPort(addr); err == nil {
				p, _ := strconv.Atoi(port)
				used[p] = true
			}
		}
	}
	if len(o.Hosts) > 0 {
		// Each validator on its own host: the admin port beside its RPC port.
		for i := range homes {
			host, port, _ := net.SplitHostPort(strings.TrimPrefix(c.RPC[i], "http://"))
			p, _ := strconv.Atoi(port)
			c.Admin = append(c.Admin, net.JoinHostPort(host, strconv.Itoa(p+2)))
		}
	} else {
		ports, err := freePortsBut(len(homes), used)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ports {
			c.Admin = append(c.Admin, net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
		}
	}
	t.Cleanup(c.killAll)
	return c
}

// freePortsBut asks the kernel for n free loopback ports, none of them in used: the
// ports of homes already written, free until their nodes start.
func freePortsBut(n int, used map[int]bool) ([]int, error) {
	free, err := node.FreePorts(n + len(used))
	if err != nil {
		return nil, err
	}
	var out []int
	for _, p := range free {
		if !used[p] && len(out) < n {
			out = append(out, p)
		}
	}
	return out, nil
}

// shortTimeouts make rounds, and so recovery from a missing proposer, take a fraction
// of a second instead of seconds.
func shortTimeouts(conf *cfg.Config) {
	conf.Consensus.TimeoutPropose = 600 * time.Millisecond
	conf.Consensus.TimeoutProposeDelta = 100 * time.Millisecond
	conf.Consensus.TimeoutPrevote = 200 * time.Millisecond
	conf.Consensus.TimeoutPrevoteDelta = 100 * time.Millisecond
	conf.Consensus.TimeoutPrecommit = 200 * time.Millisecond
	conf.Consensus.TimeoutPrecommitDelta = 100 * time.Millisecond
	conf.P2P.FlushThrottleTimeout = 10 * time.Millisecond
}

// key is the fixed key of a one-byte seed, and its public key.
func key(seed byte) (crypto.Signer, ed25519.PublicKey) {
	s := make([]byte, ed25519.SeedSize)
	for i := range s {
		s[i] = seed
	}
	k := ed25519.NewKeyFromSeed(s)
	return k, k.Public().(ed25519.PublicKey)
}

// Start runs node i, with extra environment variables such as FAIL_TEST_INDEX=3.
func (c *Cluster) Start(i int, env ...string) {
	c.t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	if p := c.procs[i]; p != nil && !p.exited() {
		c.t.Fatalf("cluster: node%d is already running", i)
	}
	logf, err := os.OpenFile(filepath.Join(c.Homes[i], "node.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		c.t.Fatal(err)
	}
	args := []string{c.bin, "node", "--home", c.Homes[i], "--check-invariants", "--admin-listen", c.Admin[i], "--log-level", "warn"}
	if len(c.netns) > 0 {
		// ip netns exec execs the node in place: the process is the node's.
		args = append([]string{"ip", "netns", "exec", c.netns[i]}, args...)
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Env = append(os.Environ(), env...)
	if err := cmd.Start(); err != nil {
		c.t.Fatalf("cluster: start node%d: %v", i, err)
	}
	p := &process{cmd: cmd, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); logf.Close(); close(p.done) }()
	c.procs[i] = p
}

// UseRemoteSigner moves validator i's key and signing state out of its home, into a
// folder beside it, and sets its node to sign through priv_validator_laddr on a free
// loopback port, where StartSigner's process dials it. It returns the validator's
// address as CometBFT's commits name it.
func (c *Cluster) UseRemoteSigner(i int) string {
	c.t.Helper()
	conf, err := node.LoadConfig(c.Homes[i])
	if err != nil {
		c.t.Fatal(err)
	}
	dir := filepath.Join(filepath.Dir(c.Homes[i]), fmt.Sprintf("signer%d", i))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		c.t.Fatal(err)
	}
	s := &signer{
		key: filepath.Join(dir, "priv_validator_key.json"), state: filepath.Join(dir, "priv_validator_state.json"),
		log: filepath.Join(dir, "signer.log"),
	}
	for from, to := range map[string]string{conf.PrivValidatorKeyFile(): s.key, conf.PrivValidatorStateFile(): s.state} {
		if err := os.Rename(from, to); err != nil {
			c.t.Fatal(err)
		}
	}
	used := map[int]bool{}
	for j, h := range c.Homes {
		hc, err := node.LoadConfig(h)
		if err != nil {
			c.t.Fatal(err)
		}
		for _, addr := range []string{hc.RPC.ListenAddress, hc.P2P.ListenAddress, hc.PrivValidatorListenAddr, "tcp://" + c.Admin[j]} {
			if _, port, err := net.SplitHostPort(strings.TrimPrefix(addr, "tcp://")); err == nil {
				p, _ := strconv.Atoi(port)
				used[p] = true
			}
		}
	}
	ports, err := freePortsBut(1, used)
	if err != nil || len(ports) == 0 {
		c.t.Fatalf("cluster: a port for node%d's signer: %v", i, err)
	}
	s.laddr = fmt.Sprintf("tcp://127.0.0.1:%d", ports[0])
	conf.PrivValidatorListenAddr = s.laddr
	cfg.WriteConfigFile(filepath.Join(c.Homes[i], "config", "config.toml"), conf)
	c.mu.Lock()
	c.signers[i] = s
	c.mu.Unlock()
	pv := privval.LoadFilePVEmptyState(s.key, "")
	return strings.ToUpper(pv.GetAddress().String())
}

// StartSigner runs the remote signer of validator i (chipmint validator signer).
func (c *Cluster) StartSigner(i int) {
	c.t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.signers[i]
	if s == nil {
		c.t.Fatalf("cluster: node%d signs with its own key", i)
	}
	if s.proc != nil && !s.proc.exited() {
		c.t.Fatalf("cluster: node%d's signer is already running", i)
	}
	logf, err := os.OpenFile(s.log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		c.t.Fatal(err)
	}
	cmd := exec.Command(c.bin, "validator", "signer", "--key", s.key, "--state", s.state,
		"--connect", s.laddr, "--chain-id", c.ChainID, "--log-level", "info")
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		c.t.Fatalf("cluster: start node%d's signer: %v", i, err)
	}
	p := &process{cmd: cmd, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); logf.Close(); close(p.done) }()
	s.proc = p
}

// StopSigner interrupts validator i's signer (SIGINT, as Ctrl-C) and waits for it to
// exit by itself, with status 0.
func (c *Cluster) StopSigner(i int) {
	c.t.Helper()
	c.mu.Lock()
	s := c.signers[i]
	c.mu.Unlock()
	if s == nil || s.proc == nil {
		c.t.Fatalf("cluster: node%d's signer never started", i)
	}
	_ = s.proc.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.proc.done:
	case <-time.After(30 * time.Second):
		c.t.Fatalf("cluster: node%d's signer did not stop on SIGINT", i)
	}
	if code := s.proc.cmd.ProcessState.ExitCode(); code != 0 {
		c.t.Fatalf("cluster: node%d's signer exited with status %d", i, code)
	}
}

// StartAll runs every node.
func (c *Cluster) StartAll() {
	for i := range c.Homes {
		c.Start(i)
	}
}

func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Kill sends SIGKILL to node i and waits for it to die: a crash, with no chance to
// flush or close anything.
func (c *Cluster) Kill(i int) { c.signal(i, syscall.SIGKILL, true) }

// Freeze stops node i (SIGSTOP), as a machine that hangs; Thaw resumes it.
func (c *Cluster) Freeze(i int) { c.signal(i, syscall.SIGSTOP, false) }

// Thaw resumes a frozen node (SIGCONT).
func (c *Cluster) Thaw(i int) { c.signal(i, syscall.SIGCONT, false) }

func (c *Cluster) signal(i int, sig syscall.Signal, wait bool) {
	c.t.Helper()
	c.mu.Lock()
	p := c.procs[i]
	c.mu.Unlock()
	if p == nil {
		c.t.Fatalf("cluster: node%d never started", i)
	}
	_ = p.cmd.Process.Signal(sig)
	if wait {
		select {
		case <-p.done:
		case <-time.After(30 * time.Second):
			c.t.Fatalf("cluster: node%d did not die after %v", i, sig)
		}
	}
}

// WaitExit waits for node i to exit by itself, as a node told to crash does.
func (c *Cluster) WaitExit(ctx context.Context, i int) error {
	c.mu.Lock()
	p := c.procs[i]
	c.mu.Unlock()
	select {
	case <-p.done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("cluster: node%d still running: %w", i, ctx.Err())
	}
}

func (c *Cluster) killAll() {
	for i, p := range c.procs {
		if p != nil && !p.exited() {
			_ = p.cmd.Process.Signal(syscall.SIGCONT)
			_ = p.cmd.Process.Kill()
			<-p.done
		}
		if c.t.Failed() {
			if b, err := os.ReadFile(filepath.Join(c.Homes[i], "node.log")); err == nil && len(b) > 0 {
				c.t.Logf("node%d log tail:\n%s", i, tail(b, 3000))
			}
		}
	}
	for i, s := range c.signers {
		if s.proc != nil && !s.proc.exited() {
			_ = s.proc.cmd.Process.Kill()
			<-s.proc.done
		}
		if c.t.Failed() {
			if b, err := os.ReadFile(s.log); err == nil && len(b) > 0 {
				c.t.Logf("node%d's signer log tail:\n%s", i, tail(b, 3000))
			}
		}
	}
	for _, cl := range c.clients {
		if cl != nil {
			cl.Close()
		}
	}
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

// Client is a client of node i, or nil while the node does not answer.
func (c *Cluster) Client(ctx context.Context, i int) *client.Client {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.clients[i] == nil {
		dctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		cl, err := client.Dial(dctx, c.RPC[i])
		if err != nil {
			return nil
		}
		c.clients[i] = cl
	}
	return c.clients[i]
}

// Height is node i's latest height, or -1 when it does not answer.
func (c *Cluster) Height(ctx context.Context, i int) int64 {
	cl := c.Client(ctx, i)
	if cl == nil {
		return -1
	}
	hctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	h, err := cl.Height(hctx)
	if err != nil {
		return -1
	}
	return h
}

// WaitHeight waits until every node in nodes reached height h.
func (c *Cluster) WaitHeight(ctx context.Context, h int64, nodes ...int) error {
	for {
		low := int64(-1)
		for k, i := range nodes {
			if nh := c.Height(ctx, i); k == 0 || nh < low {
				low = nh
			}
		}
		if low >= h {
			return nil
		}
		for _, i := range nodes {
			c.mu.Lock()
			p := c.procs[i]
			c.mu.Unlock()
			if p != nil && p.exited() {
				return fmt.Errorf("cluster: node%d exited while waiting for height %d", i, h)
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("cluster: nodes %v below height %d (lowest %d): %w", nodes, h, low, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// MaxHeight is the highest height any node reports.
func (c *Cluster) MaxHeight(ctx context.Context) int64 {
	top := int64(-1)
	for i := range c.Homes {
		top = max(top, c.Height(ctx, i))
	}
	return top
}

// Audit checks every node of the cluster.
func (c *Cluster) Audit(ctx context.Context, acked []audit.Acked) (audit.Report, error) {
	nodes := make([]audit.Node, len(c.Homes))
	for i := range c.Homes {
		cl := c.Client(ctx, i)
		if cl == nil {
			return audit.Report{}, fmt.Errorf("cluster: node%d does not answer", i)
		}
		nodes[i] = audit.Node{Name: fmt.Sprintf("node%d", i), View: nodeView{cl, client.NewAdmin(c.Admin[i])}}
	}
	return audit.Check(ctx, nodes, acked)
}

// nodeView is what the audit reads of a node: its public RPC, and its invariants on
// its admin address.
type nodeView struct {
	*client.Client
	*client.Admin
}

// WipeForStateSync deletes node i's chain data as a lost disk would, keeping its keys
// and its validator's signing state (so that it cannot sign twice at a height), and
// sets it to state-sync from the others on its next start, trusting the block at
// trustHeight as the others report it.
func (c *Cluster) WipeForStateSync(ctx context.Context, i int, trustHeight int64) error {
	var servers []string
	var trustHash []byte
	for j := range c.Homes {
		if j == i {
			continue
		}
		cl := c.Client(ctx, j)
		if cl == nil {
			continue
		}
		if trustHash == nil {
			hs, err := cl.Headers(ctx, trustHeight, trustHeight)
			if err != nil || len(hs) != 1 {
				return fmt.Errorf("cluster: trusted header %d: %v", trustHeight, err)
			}
			trustHash = hs[0].BlockHash
		}
		servers = append(servers, c.RPC[j])
	}
	if len(servers) < 2 {
		return fmt.Errorf("cluster: state sync needs two other nodes answering, %d do", len(servers))
	}
	data := filepath.Join(c.Homes[i], "data")
	entries, err := os.ReadDir(data)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.Name() != "priv_validator_state.json" {
			if err := os.RemoveAll(filepath.Join(data, e.Name())); err != nil {
				return err
			}
		}
	}
	conf, err := node.LoadConfig(c.Homes[i])
	if err != nil {
		return err
	}
	conf.StateSync.Enable = true
	conf.StateSync.RPCServers = servers
	conf.StateSync.TrustHeight = trustHeight
	conf.StateSync.TrustHash = fmt.Sprintf("%X", trustHash)
	conf.StateSync.TrustPeriod = 24 * time.Hour
	conf.StateSync.DiscoveryTime = 5 * time.Second // CometBFT's least
	cfg.WriteConfigFile(filepath.Join(c.Homes[i], "config", "config.toml"), conf)
	c.mu.Lock()
	c.clients[i] = nil
	c.mu.Unlock()
	return nil
}

// AddFullNode creates a node that joins the running network as a non-validator, with
// every validator as a peer, and starts it; it returns its index.
func (c *Cluster) AddFullNode() int {
	c.t.Helper()
	genesis, err := os.ReadFile(filepath.Join(c.Homes[0], "config", "genesis.json"))
	if err != nil {
		c.t.Fatal(err)
	}
	var peers []string
	for _, h := range c.Homes {
		addr, err := node.PeerAddress(h)
		if err != nil {
			c.t.Fatal(err)
		}
		peers = append(peers, addr)
	}
	ports, err := node.FreePorts(3)
	if err != nil {
		c.t.Fatal(err)
	}
	home := filepath.Join(filepath.Dir(c.Homes[0]), fmt.Sprintf("full%d", len(c.Homes)))
	err = node.Join(node.JoinOptions{
		Home: home, Moniker: filepath.Base(home), Genesis: genesis, Peers: peers,
		RPCListen: fmt.Sprintf("127.0.0.1:%d", ports[0]), P2PListen: fmt.Sprintf("127.0.0.1:%d", ports[1]),
	})
	if err != nil {
		c.t.Fatal(err)
	}
	conf, err := node.LoadConfig(home)
	if err != nil {
		c.t.Fatal(err)
	}
	shortTimeouts(conf)
	cfg.WriteConfigFile(filepath.Join(home, "config", "config.toml"), conf)
	c.mu.Lock()
	c.Homes = append(c.Homes, home)
	c.RPC = append(c.RPC, fmt.Sprintf("http://127.0.0.1:%d", ports[0]))
	c.Admin = append(c.Admin, fmt.Sprintf("127.0.0.1:%d", ports[2]))
	c.procs = append(c.procs, nil)
	c.clients = append(c.clients, nil)
	i := len(c.Homes) - 1
	c.mu.Unlock()
	c.Start(i)
	return i
}
