package issuer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"
	"time"

	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/txn"
)

// An order of more chips than one issuer may issue alone (the chain's
// issue_approval_chips while its issuer_threshold is above 1) is not issued: the service
// proposes its issue once, and the other issuers approve the proposal (chipmint issuer
// approve); the approval that reaches the threshold issues the order. A proposal that
// expires unapproved is proposed anew.

// proposed is an issue the service proposed: the proposal's id, and the last height at
// whose block its Propose may be included.
type proposed struct {
	ProposalID string `json:"proposal_id"`
	ValidUntil uint64 `json:"valid_until"`
}

// proposals are the issues the service proposed, by order, kept in a file (when it
// has one) written before each Propose is sent: after a restart the service knows the
// proposals that may still reach a block, and does not propose their issues again.
type proposals struct {
	file    string
	mu      sync.Mutex
	loaded  bool
	byOrder map[string]proposed
}

// load reads the file once; a file that does not exist yet holds no proposals.
func (p *proposals) load() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.loaded {
		return nil
	}
	p.byOrder = map[string]proposed{}
	if p.file != "" {
		b, err := os.ReadFile(p.file)
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return fmt.Errorf("issuer: proposals: %w", err)
		default:
			if err := json.Unmarshal(b, &p.byOrder); err != nil {
				return fmt.Errorf("issuer: proposals: %s: %w", p.file, err)
			}
		}
	}
	p.loaded = true
	return nil
}

func (p *proposals) get(order string) (proposed, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	r, ok := p.byOrder[order]
	return r, ok
}

// put remembers the proposal of an order's issue, durably before it returns.
func (p *proposals) put(order string, r proposed) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.byOrder[order] = r
	return p.save()
}

// keep forgets the proposals of every order but those keep says to keep.
func (p *proposals) keep(keep func(order string) bool) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := len(p.byOrder)
	for order := range p.byOrder {
		if !keep(order) {
			delete(p.byOrder, order)
		}
	}
	if len(p.byOrder) == n {
		return nil
	}
	return p.save()
}

// forget forgets the proposal of an order's issue, if there is one.
func (p *proposals) forget(order string) error {
	return p.keep(func(o string) bool { return o != order })
}

// save writes the file whole.
func (p *proposals) save() error {
	if p.file == "" {
		return nil
	}
	if err := writeJSONFile(p.file, p.byOrder); err != nil {
		return fmt.Errorf("issuer: proposals: %w", err)
	}
	return nil
}

// pass is what one pass over the paid orders learns of the proposals.
type pass struct {
	s   *Service
	ctx context.Context
	// pending are the pending proposals of issues, by order: read at the first order
	// that needs one, once a pass.
	pending map[string]string
	// seen are the paid orders the pass read.
	seen map[string]bool
}

// waiting is the proposal the issue of paid order o waits for: pending on the chain,
// whoever proposed it, or proposed by the service and possibly still on its way to a
// block. "" means none: the issue is to be proposed.
func (p *pass) waiting(o txn.Order) (string, error) {
	c := p.s.cfg.Client
	if p.pending == nil {
		props, err := c.PendingProposals(p.ctx)
		if err != nil {
			return "", err
		}
		p.pending = map[string]string{}
		for _, pr := range props {
			if issue, ok := issueOf(pr); ok {
				p.pending[issue.OrderID] = pr.ID
			}
		}
	}
	if id, ok := p.pending[o.ID]; ok {
		return id, nil
	}
	r, ok := p.s.proposals.get(o.ID)
	if !ok {
		return "", nil
	}
	// The height first: a proposal the state does not hold at or after it, once the
	// chain has passed the Propose's last height, never will.
	height, err := c.Height(p.ctx)
	if err != nil {
		return "", err
	}
	pr, err := c.Proposal(p.ctx, r.ProposalID)
	switch {
	case err == nil && pr.Status != txn.ProposalExpired:
		return r.ProposalID, nil
	case err == nil:
		p.s.log.Warn("the proposed issue expired unapproved; proposing it again", "order", o.ID, "proposal", r.ProposalID)
		return "", nil
	case !errors.Is(err, client.ErrNotFound):
		return "", err
	case uint64(height) < r.ValidUntil:
		return r.ProposalID, nil
	}
	return "", nil
}

// issueOf is the Issue a proposal proposes, if it does.
func issueOf(pr txn.Proposal) (*txn.Issue, bool) {
	if pr.Action != txn.TypeIssue {
		return nil, false
	}
	msg, err := txn.Propose{Action: pr.Action, Body: pr.Body}.Message()
	if err != nil {
		return nil, false
	}
	issue, ok := msg.(*txn.Issue)
	return issue, ok
}

// propose proposes the order's issue, remembered before it is sent.
func (s *Service) propose(ctx context.Context, o txn.Order) outcome {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	nonce, err := client.NewNonce()
	if err != nil {
		s.problem(o.ID, "proposal failed", "err", err)
		return failed
	}
	raw, err := s.cfg.Client.Sign(ctx, txn.NewPropose(&txn.Issue{OrderID: o.ID, Chips: o.Chips}), s.cfg.Key, nonce)
	if err != nil {
		s.problem(o.ID, "proposal failed", "err", err)
		return failed
	}
	tx, err := txn.Parse(raw)
	if err != nil {
		s.problem(o.ID, "proposal failed", "err", err)
		return failed
	}
	id := txn.ProposalID(tx.Sender, tx.Nonce)
	if err := s.proposals.put(o.ID, proposed{ProposalID: id, ValidUntil: tx.ValidUntil}); err != nil {
		s.problem(o.ID, "proposal not sent", "err", err)
		return failed
	}
	res, err := s.commits.Broadcast(ctx, raw)
	var rej *txn.Error
	switch {
	case err == nil:
		s.log.Info("issue proposed: it waits for the other issuers' approvals", "order", o.ID, "proposal", id, "chips", o.Chips, "height", res.Height)
		return proposedIssue
	case errors.As(err, &rej):
		// Refused, it made no proposal: the next pass proposes the issue again.
		if err := s.proposals.keep(func(order string) bool { return order != o.ID }); err != nil {
			s.log.Warn("proposals", "err", err)
		}
	case errors.Is(context.Cause(ctx), context.Canceled):
		// The service is stopping; the proposal may still reach a block, and is
		// remembered.
		return failed
	}
	s.problem(o.ID, "proposal failed", "proposal", id, "err", err)
	return failed
}
