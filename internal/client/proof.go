package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	rpcclient "github.com/cometbft/cometbft/rpc/client"
	"github.com/cometbft/cometbft/types"

	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/merkle"
	"github.com/chipmint/chipmint/internal/query"
	"github.com/chipmint/chipmint/internal/txn"
)

// ErrHeightUnavailable is a height whose state the node does not keep.
var ErrHeightUnavailable = errors.New("client: height not kept by the node")

// ProveState reads a state entry by its key after height (0: the last one), with the
// proof of its value or of its absence. The proof is as the node gave it: check it with
// CheckStateProof against a header you trust before you believe it.
func (c *Client) ProveState(ctx context.Context, key []byte, height int64) (*merkle.StateProof, error) {
	res, err := c.rpc.ABCIQueryWithOptions(ctx, query.PathState, key, rpcclient.ABCIQueryOptions{Height: height, Prove: true})
	if err != nil {
		return nil, fmt.Errorf("client: prove %q: %w", key, err)
	}
	r := res.Response
	switch r.Code {
	case query.OK, query.NotFound:
	case query.Unavailable:
		return nil, fmt.Errorf("%w: %s", ErrHeightUnavailable, r.Log)
	default:
		return nil, fmt.Errorf("client: prove %q: %s", key, r.Log)
	}
	if r.ProofOps == nil || len(r.ProofOps.Ops) != 1 || r.ProofOps.Ops[0].Type != query.ProofOpState || !bytes.Equal(r.ProofOps.Ops[0].Key, key) {
		return nil, fmt.Errorf("client: prove %q: the node answered without a proof of it", key)
	}
	p := &merkle.StateProof{Height: r.Height, Key: bytes.Clone(key), Value: r.Value, Present: r.Code == query.OK}
	if err := p.UnmarshalBinary(r.ProofOps.Ops[0].Data); err != nil {
		return nil, fmt.Errorf("client: prove %q: %w", key, err)
	}
	return p, nil
}

// CheckStateProof checks p against the header of the block after p's height, signed by
// more than two thirds of vals, the validator set the caller trusts for that header (as
// CometBFT's light client establishes it): the header is the chain's, its commit is
// the validators', and its app hash proves p. It trusts nothing the node said.
func CheckStateProof(chainID string, sh *types.SignedHeader, vals *types.ValidatorSet, p *merkle.StateProof) error {
	if sh == nil || sh.Header == nil || sh.Commit == nil {
		return errors.New("client: no signed header")
	}
	if err := sh.ValidateBasic(chainID); err != nil {
		return fmt.Errorf("client: header: %w", err)
	}
	if sh.Height != p.Height+1 {
		return fmt.Errorf("client: a header of height %d does not carry the app hash of height %d (that is in %d's)", sh.Height, p.Height, p.Height+1)
	}
	if !bytes.Equal(vals.Hash(), sh.ValidatorsHash) {
		return errors.New("client: the header names another validator set than the one trusted")
	}
	if err := vals.VerifyCommitLight(chainID, sh.Commit.BlockID, sh.Height, sh.Commit); err != nil {
		return fmt.Errorf("client: the header's commit: %w", err)
	}
	return p.Verify(sh.AppHash)
}

// SignedHeader is the header of a block and its commit, as the node gives them.
func (c *Client) SignedHeader(ctx context.Context, height int64) (*types.SignedHeader, error) {
	res, err := c.rpc.Commit(ctx, &height)
	if err != nil {
		return nil, fmt.Errorf("client: commit %d: %w", height, err)
	}
	return &res.SignedHeader, nil
}

// ValidatorSet is the validator set of a height, as the node gives it.
func (c *Client) ValidatorSet(ctx context.Context, height int64) (*types.ValidatorSet, error) {
	perPage := 100
	var vals []*types.Validator
	for page := 1; ; page++ {
		res, err := c.rpc.Validators(ctx, &height, &page, &perPage)
		if err != nil {
			return nil, fmt.Errorf("client: validators %d: %w", height, err)
		}
		vals = append(vals, res.Validators...)
		if len(vals) >= res.Total || len(res.Validators) == 0 {
			break
		}
	}
	return types.ValidatorSetFromExistingValidators(vals)
}

// ProvedBalance is an account's balance read from a proof of its key: 0 for an account
// the proof shows absent. Check the proof first.
func ProvedBalance(p *merkle.StateProof, a crypto.Address) (uint64, error) {
	if !bytes.Equal(p.Key, query.AccountKey(a)) {
		return 0, fmt.Errorf("client: the proof is of %q, not of account %s", p.Key, a)
	}
	if !p.Present {
		return 0, nil
	}
	return query.DecodeBalance(p.Value)
}

// ProvedOrder is an order read from a proof of its key; false for an order the proof
// shows absent (never placed, or closed with nothing received and removed). Check the
// proof first.
func ProvedOrder(p *merkle.StateProof, id string) (txn.Order, bool, error) {
	if !bytes.Equal(p.Key, query.OrderKey(id)) {
		return txn.Order{}, false, fmt.Errorf("client: the proof is of %q, not of order %s", p.Key, id)
	}
	if !p.Present {
		return txn.Order{}, false, nil
	}
	var o txn.Order
	if err := txn.DecodeRecord(p.Value, &o); err != nil {
		return txn.Order{}, false, fmt.Errorf("client: the proved order %s: %w", id, err)
	}
	if o.ID != id {
		return txn.Order{}, false, fmt.Errorf("client: the record proved at order %s is order %s", id, o.ID)
	}
	return o, true, nil
}
