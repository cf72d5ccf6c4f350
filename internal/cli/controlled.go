package cli

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/txn"
)

// A controlled action (txn.Type.Controlled) needs the approval of the chain's
// issuer_threshold issuers (docs/decisions/0027-issuer-threshold-and-controls.md). Each
// command that signs one sends it as its own transaction when one issuer may (the
// threshold is 1, or an Issue within issue_approval_chips), and otherwise proposes it:
// the proposer's approval is the first, and the other issuers approve it with
// `chipmint issuer approve`.

// sendControlled checks msg, a controlled action, signs it with the key named from and
// sends it, kept in the outbox as command's: directly when one issuer may, otherwise as
// a Propose of it.
func (g *Globals) sendControlled(ctx context.Context, command, from string, msg txn.Msg) (*txn.Signed, client.Committed, *client.Client, error) {
	if err := msg.Validate(); err != nil {
		return nil, client.Committed{}, nil, usageError{err}
	}
	key, c, err := g.signer(ctx, from)
	if err != nil {
		return nil, client.Committed{}, nil, err
	}
	params, err := c.Params(ctx)
	if err != nil {
		return nil, client.Committed{}, nil, err
	}
	var chips uint64
	if m, ok := msg.(*txn.Issue); ok {
		chips = m.Chips
	}
	if !params.Direct(msg.Type(), chips) {
		msg = txn.NewPropose(msg)
	}
	tx, res, err := g.outbox().send(ctx, c, command, msg, key)
	return tx, res, c, err
}

// controlledOrResumed sends the controlled action build makes, signed with f.From, or
// with --resume the kept transaction of command (the action or its proposal) again.
func (g *Globals) controlledOrResumed(ctx context.Context, command string, f signedFlags, build func() (txn.Msg, error)) (*txn.Signed, client.Committed, *client.Client, error) {
	if f.Resume != "" {
		return g.resumeSigned(ctx, command, f.Resume)
	}
	msg, err := build()
	if err != nil {
		return nil, client.Committed{}, nil, err
	}
	return g.sendControlled(ctx, command, f.From, msg)
}

// signs reports whether tx is a transaction command signs: of its type, or the
// proposal of it for a command of a controlled action.
func signs(command string, tx *txn.Signed) bool {
	t := commandTypes[command]
	if tx.Type == t {
		return true
	}
	p, ok := tx.Msg.(*txn.Propose)
	return ok && t.Controlled() && p.Action == t
}

// proposed is the proposal a transaction made, if it is a Propose.
func proposed(tx *txn.Signed) (string, bool) {
	if _, ok := tx.Msg.(*txn.Propose); !ok {
		return "", false
	}
	return txn.ProposalID(tx.Sender, tx.Nonce), true
}

// emitProposed prints the proposal a controlled command made, and how far it has come.
func (g *Globals) emitProposed(ctx context.Context, c *client.Client, id string, res client.Committed) error {
	p, err := g.readProposal(ctx, c, id)
	if err != nil {
		return err
	}
	g.emit(map[string]any{"proposal": p, "committed": res}, func(w io.Writer) {
		fmt.Fprintf(w, "proposed %s as proposal %s (height %d)\n", strings.TrimPrefix(p.Summary, "the "), p.ID, res.Height)
		printProposalState(w, p)
	})
	return nil
}

// proposalView is a proposal as the commands show it: its action decoded and
// summarised, and its approvals counted against the threshold.
type proposalView struct {
	ID       string             `json:"id"`
	Status   txn.ProposalStatus `json:"status"`
	Action   string             `json:"action"`
	Message  txn.Msg            `json:"message"`
	Summary  string             `json:"summary"`
	Proposer crypto.Address     `json:"proposer"`
	// Approvals are the issuers who approved it, the proposer first; Counted those of
	// them still issuers, which are the ones that count.
	Approvals []crypto.Address `json:"approvals"`
	Counted   int              `json:"approvals_counted"`
	Threshold int64            `json:"threshold"`
	// Needed is how many more approvals a pending proposal needs.
	Needed        int64 `json:"approvals_needed"`
	CreatedHeight int64 `json:"created_height"`
	ExpiresHeight int64 `json:"expires_height"`
	ClosedHeight  int64 `json:"closed_height,omitempty"`
	// ApprovableUntil is, while it is pending, the last height at which it may be
	// approved, and about when that is.
	ApprovableUntil *deadline `json:"approvable_until,omitempty"`
}

// readProposal reads a proposal and what it takes to apply it.
func (g *Globals) readProposal(ctx context.Context, c *client.Client, id string) (proposalView, error) {
	p, err := c.Proposal(ctx, id)
	if err != nil {
		return proposalView{}, fmt.Errorf("proposal %s: %w", id, err)
	}
	params, err := c.Params(ctx)
	if err != nil {
		return proposalView{}, err
	}
	issuers, err := c.Issuers(ctx)
	if err != nil {
		return proposalView{}, err
	}
	return viewProposal(ctx, c, p, params.IssuerThreshold, issuers), nil
}

// viewProposal is p as the commands show it, with the chain's threshold and issuers.
func viewProposal(ctx context.Context, c *client.Client, p txn.Proposal, threshold int64, issuers []txn.Issuer) proposalView {
	v := proposalView{
		ID: p.ID, Status: p.Status, Action: p.Action.String(), Proposer: p.Proposer, Approvals: p.Approvals, Threshold: threshold,
		CreatedHeight: p.CreatedHeight, ExpiresHeight: p.ExpiresHeight, ClosedHeight: p.ClosedHeight,
	}
	if msg, err := (txn.Propose{Action: p.Action, Body: p.Body}).Message(); err == nil {
		v.Message, v.Summary = msg, summary(msg)
	} else {
		v.Summary = p.Action.String()
	}
	for _, a := range p.Approvals {
		if slices.ContainsFunc(issuers, func(is txn.Issuer) bool { return is.Address == a }) {
			v.Counted++
		}
	}
	if p.Status == txn.ProposalPending {
		v.Needed = max(threshold-int64(v.Counted), 0)
		d := deadlineAt(ctx, c, p.ExpiresHeight)
		v.ApprovableUntil = &d
	}
	return v
}

// printProposalState says how far a proposal has come, and for a pending one how to
// approve it.
func printProposalState(w io.Writer, p proposalView) {
	switch p.Status {
	case txn.ProposalPending:
		fmt.Fprintf(w, "%d of %d approvals: %d more needed, %s\n", p.Counted, p.Threshold, p.Needed, p.ApprovableUntil.upTo())
		fmt.Fprintf(w, "another issuer approves it with: chipmint issuer approve --from ISSUER %s\n", p.ID)
	case txn.ProposalExecuted:
		fmt.Fprintf(w, "executed at height %d with %d approvals: applied\n", p.ClosedHeight, len(p.Approvals))
	default:
		fmt.Fprintf(w, "%s at height %d with %d of %d approvals\n", p.Status, p.ClosedHeight, p.Counted, p.Threshold)
	}
}

// summary says what a controlled action does, for people.
func summary(msg txn.Msg) string {
	switch m := msg.(type) {
	case *txn.Issue:
		return fmt.Sprintf("the issue of %s for order %s", formatChips(m.Chips), m.OrderID)
	case *txn.RegisterOperator, *txn.RegisterOperatorAccount:
		id, _, _ := registration(m)
		return fmt.Sprintf("the registration of operator %s", id)
	case *txn.Unpause:
		return fmt.Sprintf("the unpause of %s", m.Operation)
	case *txn.Unfreeze:
		return fmt.Sprintf("the unfreeze of account %s", m.Address)
	case *txn.UpdateOperator:
		return fmt.Sprintf("the update of operator %s: account %s (%s), rate %s per %s, cap %s", m.ID, m.Account, m.Account.Currency,
			formatChips(m.Rate.Chips), formatMoney(m.Rate.Minor, m.Account.Currency), formatChips(m.CapChips))
	case *txn.RevokeOperator:
		return fmt.Sprintf("the revocation of operator %s (%s)", m.ID, m.Reason)
	case *txn.AddIssuer:
		return fmt.Sprintf("the addition of issuer %s, %s", m.ID, m.Address)
	case *txn.RemoveIssuer:
		return fmt.Sprintf("the removal of issuer %s", m.Address)
	case *txn.SetIssuerThreshold:
		return fmt.Sprintf("a threshold of %d issuers", m.Threshold)
	case *txn.AddAuditor:
		return fmt.Sprintf("the addition of auditor %s, %s", m.ID, m.Address)
	case *txn.RemoveAuditor:
		return fmt.Sprintf("the removal of auditor %s", m.Address)
	case *txn.SetValidator:
		if m.Power == 0 {
			return fmt.Sprintf("the removal of validator %s", base64.StdEncoding.EncodeToString(m.PublicKey))
		}
		return fmt.Sprintf("validator %s at power %d", base64.StdEncoding.EncodeToString(m.PublicKey), m.Power)
	case *txn.Pause:
		return fmt.Sprintf("the pause of %s", m.Operation)
	case *txn.Freeze:
		return fmt.Sprintf("the freeze of account %s", m.Address)
	case *txn.Approve:
		return fmt.Sprintf("the approval of proposal %s", m.ProposalID)
	case *txn.Propose:
		if action, err := m.Message(); err == nil {
			return "the proposal of " + strings.TrimPrefix(summary(action), "the ")
		}
	}
	return "the " + msg.Type().String()
}

// proposalIDArg reads the proposal named by an argument, in any letter case.
func proposalIDArg(name, s string) (string, error) {
	id, err := txn.ParseProposalID(s)
	if err != nil {
		return "", usageError{fmt.Errorf("%s: %s", name, txn.ReasonOf(err))}
	}
	return id, nil
}
