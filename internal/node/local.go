package node

import (
	"fmt"
	"net"
	"time"

	"github.com/chipmint/chipmint/internal/txn"
)

// LocalOptions set up a throwaway single-validator chain on loopback.
type LocalOptions struct {
	ChainID string
	Issuers []txn.Issuer
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
		Home: home, ChainID: o.ChainID, Moniker: "local", Issuers: o.Issuers, BlockTime: o.BlockTime, OrderTTLBlocks: o.OrderTTLBlocks,
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

// FreePorts asks the kernel for n free loopback ports.
func FreePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
