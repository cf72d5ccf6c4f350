package client

import (
	"context"
	"errors"

	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/query"
	"github.com/chipmint/chipmint/internal/txn"
)

// Params reads the chain's parameters: among them how many issuers approve a
// controlled action, and the most chips one issuer issues alone.
func (c *Client) Params(ctx context.Context) (query.Params, error) {
	var p query.Params
	return p, c.query(ctx, query.PathParams, "", &p)
}

// Proposal reads an issuers' proposal, whatever its status.
func (c *Client) Proposal(ctx context.Context, id string) (txn.Proposal, error) {
	var p txn.Proposal
	return p, c.query(ctx, query.PathProposal, id, &p)
}

// PendingProposals lists the proposals waiting for approvals, those that expire first
// first, reading every page.
func (c *Client) PendingProposals(ctx context.Context) ([]txn.Proposal, error) {
	return listAll[txn.Proposal](ctx, c, query.PathPendingProposals)
}

// Paused lists the operations an issuer paused, by name.
func (c *Client) Paused(ctx context.Context) ([]txn.PausedOperation, error) {
	var ops []txn.PausedOperation
	return ops, c.query(ctx, query.PathPaused, "", &ops)
}

// Frozen reads whether an account is frozen: its record, and true, if it is.
func (c *Client) Frozen(ctx context.Context, a crypto.Address) (txn.FrozenAccount, bool, error) {
	var f txn.FrozenAccount
	err := c.query(ctx, query.PathFrozen, a.String(), &f)
	if errors.Is(err, ErrNotFound) {
		return txn.FrozenAccount{}, false, nil
	}
	return f, err == nil, err
}

// Validators lists the validator set, by key.
func (c *Client) Validators(ctx context.Context) ([]txn.Validator, error) {
	var vals []txn.Validator
	return vals, c.query(ctx, query.PathValidators, "", &vals)
}
