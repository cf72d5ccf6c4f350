package node

import (
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/chipmint/chipmint/internal/txn"
)

// LocalOptions set up a throwaway single-validator chain on loopback.
type LocalOptions struct {
	ChainID string
	Issuers []txn.Issuer
	// Auditors attest the reserves; there may be none.
	Auditors []txn.Auditor
	// OrderTTLBlocks is the genesis's order time to live; zero takes the default.
	OrderTTLBlocks int64
	// RedemptionTTLBlocks and OrderRetentionBlocks are the genesis's redemption
	// deadline and order retention; zero takes the defaults.
	RedemptionTTLBlocks  int64
	OrderRetentionBlocks int64
	// IssuerThreshold and IssueApprovalChips are the genesis's issuer threshold and the
	// most chips one issuer issues alone above it; zero takes the defaults.
	IssuerThreshold    int64
	IssueApprovalChips uint64
	// CheckpointInterval is the genesis's checkpoint interval; zero takes the default.
	CheckpointInterval int64
	BlockTime          time.Duration
	// Retention is what the node keeps of the chain's history; nil takes
	// DefaultRetention.
	Retention *Retention
	Options
}

// StartLocal initialises home with a single validator listening on free loopback
// ports and starts it: the chain of the demo and of tests.
func StartLocal(home string, o LocalOptions) (*Node, error) {
	ports, err := FreePorts(2)
	if err != nil {
		return nil, err
	}
	err = Init(InitOptions{
		Home: home, ChainID: o.ChainID, Moniker: "local", Issuers: o.Issuers, Auditors: o.Auditors, BlockTime: o.BlockTime, OrderTTLBlocks: o.OrderTTLBlocks,
		RedemptionTTLBlocks: o.RedemptionTTLBlocks, OrderRetentionBlocks: o.OrderRetentionBlocks,
		IssuerThreshold: o.IssuerThreshold, IssueApprovalChips: o.IssueApprovalChips,
		CheckpointInterval: o.CheckpointInterval, Retention: o.Retention,
		RPCListen: fmt.Sprintf("127.0.0.1:%d", ports[0]), P2PListen: fmt.Sprintf("127.0.0.1:%d", ports[1]), Alone: true,
	})
	if err != nil {
		return nil, err
	}
	return Start(home, o.Options)
}

// FreePorts finds n free loopback ports, below the kernel's range of ephemeral ports
// when it can: a port from that range, free now, can be taken a moment later as the
// source port of any outgoing connection, such as a peer dialling a node that is being
// restarted on it.
func FreePorts(n int) ([]int, error) {
	low := ephemeralLow()
	ports := make([]int, 0, n)
	seen := make(map[int]bool)
	for tries := 0; len(ports) < n && tries < 100*n && low > firstPort; tries++ {
		p := firstPort + rand.IntN(low-firstPort)
		if seen[p] {
			continue
		}
		seen[p] = true
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
		if err != nil {
			continue
		}
		defer l.Close()
		ports = append(ports, p)
	}
	for len(ports) < n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// firstPort is the lowest port FreePorts takes outside the ephemeral range.
const firstPort = 20000

// ephemeralLow is the first port of the kernel's ephemeral range, 0 if unknown.
func ephemeralLow() int {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) != 2 {
		return 0
	}
	low, err := strconv.Atoi(f[0])
	if err != nil {
		return 0
	}
	return low
}
