package ledger

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/store"
	"github.com/chipmint/chipmint/internal/txn"
)

// Genesis is the application's part of the chain's genesis: who may issue chips, and
// the chain's parameters.
type Genesis struct {
	Issuers []txn.Issuer `json:"issuers"`
	// Auditors attest the reserves (decision 0037); a chain may start without any.
	Auditors []txn.Auditor `json:"auditors,omitempty"`
	// CheckpointInterval is how many blocks apart the app hash also commits to a digest
	// of the whole state, from which snapshots are taken; zero means 1000.
	CheckpointInterval int64 `json:"checkpoint_interval,omitempty"`
	// OrderTTLBlocks is how many blocks an order waits for its payment before it
	// expires; zero means 86,400 (a day of one-second blocks).
	OrderTTLBlocks int64 `json:"order_ttl_blocks,omitempty"`
	// RedemptionTTLBlocks is how many blocks an operator has to initiate a
	// redemption's payout before its chips go back to the holder; zero means 604,800
	// (a week of one-second blocks).
	RedemptionTTLBlocks int64 `json:"redemption_ttl_blocks,omitempty"`
	// OrderRetentionBlocks is how many blocks an order that expired or was cancelled
	// with nothing received stays in the state before a tombstone replaces it; zero
	// means 2,592,000 (thirty days of one-second blocks).
	OrderRetentionBlocks int64 `json:"order_retention_blocks,omitempty"`
	// OpenOrdersPerOperatorMax and OpenOrdersPerBuyerMax bound the orders awaiting
	// payment that one operator, and one buyer's key, may have at once; zero means
	// 100,000 and 20. Buy requests cost nothing: these bound what free keys can make
	// every node store (decision 0028).
	OpenOrdersPerOperatorMax int64 `json:"open_orders_per_operator_max,omitempty"`
	OpenOrdersPerBuyerMax    int64 `json:"open_orders_per_buyer_max,omitempty"`
	// IssuerThreshold is how many issuers must approve a controlled action (decision
	// 0027), at most the number of issuers; zero means 1.
	IssuerThreshold int64 `json:"issuer_threshold,omitempty"`
	// IssueApprovalChips is the most chips an Issue may mint on one issuer's signature
	// when IssuerThreshold is above 1; zero means no limit.
	IssueApprovalChips uint64 `json:"issue_approval_chips,omitempty,string"`
	// ProposalTTLBlocks is how many blocks a proposal waits for its approvals before it
	// expires; zero means 86,400 (a day of one-second blocks).
	ProposalTTLBlocks int64 `json:"proposal_ttl_blocks,omitempty"`
}

// Params are the chain's parameters, set at genesis; only IssuerThreshold changes
// afterwards, by SetIssuerThreshold. It is a stored record: its cbor tags, not its json
// tags, name its keys in the state.
type Params struct {
	CheckpointInterval       int64  `cbor:"checkpoint_interval" json:"checkpoint_interval"`
	OrderTTLBlocks           int64  `cbor:"order_ttl_blocks" json:"order_ttl_blocks"`
	RedemptionTTLBlocks      int64  `cbor:"redemption_ttl_blocks" json:"redemption_ttl_blocks"`
	OrderRetentionBlocks     int64  `cbor:"order_retention_blocks" json:"order_retention_blocks"`
	IssuerThreshold          int64  `cbor:"issuer_threshold" json:"issuer_threshold"`
	IssueApprovalChips       uint64 `cbor:"issue_approval_chips" json:"issue_approval_chips,string"`
	ProposalTTLBlocks        int64  `cbor:"proposal_ttl_blocks" json:"proposal_ttl_blocks"`
	OpenOrdersPerOperatorMax int64  `cbor:"open_orders_per_operator_max" json:"open_orders_per_operator_max"`
	OpenOrdersPerBuyerMax    int64  `cbor:"open_orders_per_buyer_max" json:"open_orders_per_buyer_max"`
}

// Defaults of a genesis that names no parameters.
const (
	checkpointIntervalDefault   = 1000
	orderTTLBlocksDefault       = 86_400
	redemptionTTLBlocksDefault  = 604_800
	orderRetentionBlocksDefault = 2_592_000
	openOrdersPerOperatorMax    = 100_000
	openOrdersPerBuyerMax       = 20
	issuerThresholdDefault      = 1
	proposalTTLBlocksDefault    = 86_400
)

// GetParams returns the chain's parameters.
func GetParams(r store.Reader) Params {
	var p Params
	getRecord(r, []byte(keyParams), &p)
	return p
}

// ParseGenesis decodes and validates the application state of a genesis file.
func ParseGenesis(b []byte) (Genesis, error) {
	var g Genesis
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&g); err != nil {
		return Genesis{}, fmt.Errorf("%w: %v", ErrGenesis, err)
	}
	return g, g.Validate()
}

// Validate checks the genesis: at least one issuer, each with a key its address is
// derived from, no two alike, and a threshold those issuers can reach; auditors checked
// alike, none of them with an issuer's key. A chain without issuers could never mint, and one that
// trusted an unchecked key could mint for anybody: both fail closed here.
func (g Genesis) Validate() error {
	for _, p := range []struct {
		name  string
		value int64
	}{
		{"checkpoint_interval", g.CheckpointInterval}, {"order_ttl_blocks", g.OrderTTLBlocks},
		{"redemption_ttl_blocks", g.RedemptionTTLBlocks}, {"order_retention_blocks", g.OrderRetentionBlocks},
		{"open_orders_per_operator_max", g.OpenOrdersPerOperatorMax}, {"open_orders_per_buyer_max", g.OpenOrdersPerBuyerMax},
		{"proposal_ttl_blocks", g.ProposalTTLBlocks},
	} {
		if p.value < 0 {
			return fmt.Errorf("%w: %s %d must not be negative", ErrGenesis, p.name, p.value)
		}
	}
	if len(g.Issuers) == 0 {
		return fmt.Errorf("%w: no issuers: a chain needs at least one issuer", ErrGenesis)
	}
	seen := make(map[crypto.Address]bool, len(g.Issuers))
	ids := make(map[string]bool, len(g.Issuers))
	for i, is := range g.Issuers {
		field := fmt.Sprintf("issuers[%d]", i)
		if err := checkGenesisKey(field, is.ID, is.PublicKey, is.Address); err != nil {
			return err
		}
		if seen[is.Address] || ids[is.ID] {
			return fmt.Errorf("%w: %s (%s) is listed twice", ErrGenesis, field, is.ID)
		}
		seen[is.Address], ids[is.ID] = true, true
	}
	if m := orDefault(g.IssuerThreshold, issuerThresholdDefault); m < 1 || m > int64(len(g.Issuers)) {
		return fmt.Errorf("%w: issuer_threshold %d: want at least 1 and at most the %d issuers, or none for 1", ErrGenesis, m, len(g.Issuers))
	}
	auditorIDs := make(map[string]bool, len(g.Auditors))
	for i, au := range g.Auditors {
		field := fmt.Sprintf("auditors[%d]", i)
		if err := checkGenesisKey(field, au.ID, au.PublicKey, au.Address); err != nil {
			return err
		}
		if seen[au.Address] {
			return fmt.Errorf("%w: %s (%s): its key is an issuer's or another auditor's; an auditor needs its own key", ErrGenesis, field, au.ID)
		}
		if auditorIDs[au.ID] {
			return fmt.Errorf("%w: %s (%s) is listed twice", ErrGenesis, field, au.ID)
		}
		seen[au.Address], auditorIDs[au.ID] = true, true
	}
	return nil
}

// checkGenesisKey checks a role of the genesis, named field: an id, and a public key
// that is not weak and that its address is derived from.
func checkGenesisKey(field, id string, pub []byte, addr crypto.Address) error {
	if id == "" {
		return fmt.Errorf("%w: %s.id is empty", ErrGenesis, field)
	}
	if len(pub) != crypto.PublicKeyBytes {
		return fmt.Errorf("%w: %s.public_key: want %d bytes, got %d", ErrGenesis, field, crypto.PublicKeyBytes, len(pub))
	}
	if err := crypto.CheckPublicKey(pub); err != nil {
		return fmt.Errorf("%w: %s.public_key: %v", ErrGenesis, field, err)
	}
	if crypto.AddressOf(pub) != addr {
		return fmt.Errorf("%w: %s.address %s is not derived from its public key", ErrGenesis, field, addr)
	}
	return nil
}

// InitGenesis writes the genesis state.
func InitGenesis(kv store.KV, g Genesis) error {
	if err := g.Validate(); err != nil {
		return err
	}
	for _, is := range g.Issuers {
		putRecord(kv, issuerKey(is.Address), is)
	}
	for _, au := range g.Auditors {
		putRecord(kv, auditorKey(au.Address), au)
	}
	putRecord(kv, []byte(keySupply), txn.Supply{})
	putRecord(kv, []byte(keyParams), Params{
		CheckpointInterval:       orDefault(g.CheckpointInterval, checkpointIntervalDefault),
		OrderTTLBlocks:           orDefault(g.OrderTTLBlocks, orderTTLBlocksDefault),
		RedemptionTTLBlocks:      orDefault(g.RedemptionTTLBlocks, redemptionTTLBlocksDefault),
		OrderRetentionBlocks:     orDefault(g.OrderRetentionBlocks, orderRetentionBlocksDefault),
		IssuerThreshold:          orDefault(g.IssuerThreshold, issuerThresholdDefault),
		IssueApprovalChips:       g.IssueApprovalChips,
		ProposalTTLBlocks:        orDefault(g.ProposalTTLBlocks, proposalTTLBlocksDefault),
		OpenOrdersPerOperatorMax: orDefault(g.OpenOrdersPerOperatorMax, openOrdersPerOperatorMax),
		OpenOrdersPerBuyerMax:    orDefault(g.OpenOrdersPerBuyerMax, openOrdersPerBuyerMax),
	})
	return nil
}

// orDefault is v, or def when v is zero.
func orDefault(v, def int64) int64 {
	if v == 0 {
		return def
	}
	return v
}
