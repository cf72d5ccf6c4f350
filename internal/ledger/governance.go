package ledger

import (
	"errors"
	"fmt"
	"slices"

	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/store"
	"github.com/chipmint/chipmint/internal/txn"
)

// direct applies a controlled action that one issuer sent as its own transaction:
// allowed while the threshold is one issuer, and for an Issue of at most
// issue_approval_chips; any other needs a proposal and its approvals.
func direct(kv store.KV, b Block, signer crypto.Address, msg txn.Msg) ([]Event, error) {
	if err := requireIssuer(kv, signer); err != nil {
		return nil, err
	}
	if p := GetParams(kv); p.IssuerThreshold > 1 {
		if m, ok := msg.(*txn.Issue); !ok || p.IssueApprovalChips > 0 && m.Chips > p.IssueApprovalChips {
			return nil, txn.Errorf(txn.NeedsApproval, "%s needs the approval of %d issuers: propose it", msg.Type(), p.IssuerThreshold)
		}
	}
	return act(kv, b, signer, msg)
}

// act applies a controlled action by its own rules, as signed by signer: the issuer who
// sent it, or whose approval reached the threshold.
func act(kv store.KV, b Block, signer crypto.Address, msg txn.Msg) ([]Event, error) {
	switch m := msg.(type) {
	case *txn.RegisterOperator:
		return registerOperator(kv, b, signer, m)
	case *txn.RegisterOperatorAccount:
		return registerOperatorAccount(kv, b, signer, m)
	case *txn.Issue:
		return issue(kv, b, signer, m)
	case *txn.Unpause:
		return unpause(kv, signer, m)
	case *txn.Unfreeze:
		return unfreeze(kv, signer, m)
	case *txn.UpdateOperator:
		return updateOperator(kv, m)
	case *txn.RevokeOperator:
		return revokeOperator(kv, b, m)
	case *txn.AddIssuer:
		return addIssuer(kv, m)
	case *txn.RemoveIssuer:
		return removeIssuer(kv, m)
	case *txn.SetIssuerThreshold:
		return setIssuerThreshold(kv, m)
	case *txn.SetValidator:
		return setValidator(kv, m)
	case *txn.AddAuditor:
		return addAuditor(kv, m)
	case *txn.RemoveAuditor:
		return removeAuditor(kv, m)
	}
	return nil, txn.Errorf(txn.UnknownType, "message type %d", msg.Type())
}

// propose records an issuer's proposal of a controlled action, with the proposer's
// approval, which applies it at once if that reaches the threshold.
func propose(kv store.KV, b Block, tx *txn.Signed, m *txn.Propose) ([]Event, error) {
	if err := requireIssuer(kv, tx.Sender); err != nil {
		return nil, err
	}
	id := txn.ProposalID(tx.Sender, tx.Nonce)
	if _, exists := GetProposal(kv, id); exists {
		return nil, txn.Errorf(txn.ProposalExists, "proposal %s already exists: use another nonce", id)
	}
	p := txn.Proposal{
		ID: id, Proposer: tx.Sender, Action: m.Action, Body: m.Body, Approvals: []crypto.Address{tx.Sender},
		Status: txn.ProposalPending, CreatedHeight: b.Height, ExpiresHeight: b.Height + GetParams(kv).ProposalTTLBlocks,
	}
	kv.Set(proposalExpiryKey(p.ExpiresHeight, p.ID), nil)
	return decide(kv, b, tx.Sender, p)
}

// approve adds an issuer's approval to a pending proposal.
func approve(kv store.KV, b Block, signer crypto.Address, m *txn.Approve) ([]Event, error) {
	if err := requireIssuer(kv, signer); err != nil {
		return nil, err
	}
	p, ok := GetProposal(kv, m.ProposalID)
	if !ok {
		return nil, txn.Errorf(txn.UnknownProposal, "proposal %s does not exist", m.ProposalID)
	}
	if p.Status != txn.ProposalPending {
		return nil, txn.Errorf(txn.ProposalNotPending, "proposal %s was %s at height %d", p.ID, p.Status, p.ClosedHeight)
	}
	if p.ExpiresHeight < b.Height {
		// Expired at the start of this block; the mempool state, which runs no block
		// start, learns it here.
		return nil, txn.Errorf(txn.ProposalNotPending, "proposal %s expired at height %d", p.ID, p.ExpiresHeight)
	}
	if slices.Contains(p.Approvals, signer) {
		return nil, txn.Errorf(txn.AlreadyApproved, "issuer %s already approved proposal %s", signer, p.ID)
	}
	p.Approvals = append(p.Approvals, signer)
	return decide(kv, b, signer, p)
}

// decide applies a proposal's action when its approvals by current issuers reach the
// threshold, as signed by signer, whose approval it is; otherwise the proposal waits. An
// action its rules refuse refuses the approval with its code, and the proposal waits as
// it was.
func decide(kv store.KV, b Block, signer crypto.Address, p txn.Proposal) ([]Event, error) {
	threshold := GetParams(kv).IssuerThreshold
	if int64(currentApprovals(kv, p)) < threshold {
		putRecord(kv, proposalKey(p.ID), p)
		return []Event{proposalEvent(kv, p, threshold)}, nil
	}
	msg, err := txn.Propose{Action: p.Action, Body: p.Body}.Message()
	if err != nil {
		return nil, err
	}
	events, err := act(kv, b, signer, msg)
	if err != nil {
		return nil, err
	}
	kv.Delete(proposalExpiryKey(p.ExpiresHeight, p.ID))
	p.Status, p.ClosedHeight = txn.ProposalExecuted, b.Height
	putRecord(kv, proposalKey(p.ID), p)
	return append([]Event{proposalEvent(kv, p, threshold)}, events...), nil
}

// currentApprovals counts the approvals of a proposal by those who are issuers now: a
// removed issuer's approval lapses.
func currentApprovals(r store.Reader, p txn.Proposal) int {
	n := 0
	for _, a := range p.Approvals {
		if isIssuer(r, a) {
			n++
		}
	}
	return n
}

// expireProposals closes the pending proposals whose last height to be approved is
// below this block's.
func expireProposals(kv store.KV, b Block) []Event {
	var events []Event
	for _, key := range dueKeys(kv, prefixProposalExpiry, b.Height) {
		kv.Delete(key)
		p, ok := GetProposal(kv, string(key[len(prefixProposalExpiry)+8:]))
		if !ok || p.Status != txn.ProposalPending {
			continue
		}
		p.Status, p.ClosedHeight = txn.ProposalExpired, b.Height
		putRecord(kv, proposalKey(p.ID), p)
		events = append(events, proposalEvent(kv, p, GetParams(kv).IssuerThreshold))
	}
	return events
}

func proposalEvent(r store.Reader, p txn.Proposal, threshold int64) Event {
	return Event{Type: "proposal", Attrs: []Attr{
		{"id", p.ID}, {"status", string(p.Status)}, {"action", p.Action.String()}, {"proposer", p.Proposer.String()},
		{"approvals", fmt.Sprint(currentApprovals(r, p))}, {"threshold", fmt.Sprint(threshold)},
	}}
}

// GetProposal returns the proposal with id.
func GetProposal(r store.Reader, id string) (txn.Proposal, bool) {
	var p txn.Proposal
	ok := getRecord(r, proposalKey(id), &p)
	return p, ok
}

// pause is an issuer stopping an operation for everybody.
func pause(kv store.KV, b Block, signer crypto.Address, m *txn.Pause) ([]Event, error) {
	if err := requireIssuer(kv, signer); err != nil {
		return nil, err
	}
	if err := checkPaused(kv, m.Operation); err != nil {
		return nil, err
	}
	putRecord(kv, pausedKey(m.Operation), txn.PausedOperation{Operation: m.Operation, Reason: m.Reason, By: signer, Height: b.Height})
	return []Event{pauseEvent(m.Operation, "paused", signer)}, nil
}

// unpause is the issuers letting a paused operation run again.
func unpause(kv store.KV, signer crypto.Address, m *txn.Unpause) ([]Event, error) {
	if _, paused := kv.Get(pausedKey(m.Operation)); !paused {
		return nil, txn.Errorf(txn.NotPaused, "operation %s is not paused", m.Operation)
	}
	kv.Delete(pausedKey(m.Operation))
	return []Event{pauseEvent(m.Operation, "unpaused", signer)}, nil
}

func pauseEvent(operation, status string, by crypto.Address) Event {
	return Event{Type: "pause", Attrs: []Attr{{"operation", operation}, {"status", status}, {"by", by.String()}}}
}

// checkPaused refuses an operation an issuer paused.
func checkPaused(r store.Reader, operation string) error {
	var p txn.PausedOperation
	if getRecord(r, pausedKey(operation), &p) {
		return txn.Errorf(txn.Paused, "operation %s was paused at height %d: %s", operation, p.Height, p.Reason)
	}
	return nil
}

// freeze is an issuer stopping an account from moving chips.
func freeze(kv store.KV, b Block, signer crypto.Address, m *txn.Freeze) ([]Event, error) {
	if err := requireIssuer(kv, signer); err != nil {
		return nil, err
	}
	if err := checkFrozen(kv, "account", m.Address); err != nil {
		return nil, err
	}
	putRecord(kv, frozenKey(m.Address), txn.FrozenAccount{Address: m.Address, Reason: m.Reason, By: signer, Height: b.Height})
	return []Event{freezeEvent(m.Address, "frozen", signer)}, nil
}

// unfreeze is the issuers letting a frozen account move chips again.
func unfreeze(kv store.KV, signer crypto.Address, m *txn.Unfreeze) ([]Event, error) {
	if _, frozen := kv.Get(frozenKey(m.Address)); !frozen {
		return nil, txn.Errorf(txn.NotFrozen, "account %s is not frozen", m.Address)
	}
	kv.Delete(frozenKey(m.Address))
	return []Event{freezeEvent(m.Address, "unfrozen", signer)}, nil
}

func freezeEvent(a crypto.Address, status string, by crypto.Address) Event {
	return Event{Type: "freeze", Attrs: []Attr{{"address", a.String()}, {"status", status}, {"by", by.String()}}}
}

// checkFrozen refuses a frozen account, named by its part in the transaction.
func checkFrozen(r store.Reader, part string, a crypto.Address) error {
	var f txn.FrozenAccount
	if getRecord(r, frozenKey(a), &f) {
		return txn.Errorf(txn.Frozen, "%s %s was frozen at height %d: %s", part, a, f.Height, f.Reason)
	}
	return nil
}

// GetFrozen returns the freeze of an account, if an issuer froze it.
func GetFrozen(r store.Reader, a crypto.Address) (txn.FrozenAccount, bool) {
	var f txn.FrozenAccount
	ok := getRecord(r, frozenKey(a), &f)
	return f, ok
}

// PausedOperations lists the paused operations, by name.
func PausedOperations(r store.Reader) []txn.PausedOperation {
	out := []txn.PausedOperation{}
	for _, op := range []string{txn.OperationBuy, txn.OperationConfirm, txn.OperationIssue, txn.OperationRedeem, txn.OperationTransfer} {
		var p txn.PausedOperation
		if getRecord(r, pausedKey(op), &p) {
			out = append(out, p)
		}
	}
	return out
}

// ErrUnknownCursor is a page's cursor that names no item of the list.
var ErrUnknownCursor = errors.New("ledger: the cursor names no item of the list")

// PendingProposals lists at most limit of the pending proposals, by the last height at
// which each may be approved and then by id, those after the proposal after (from the
// first when after is empty), and whether more follow. They are read from the expiry
// index, which holds exactly the pending ones.
func PendingProposals(r store.Reader, after string, limit int) ([]txn.Proposal, bool, error) {
	var start []byte
	if after != "" {
		p, ok := GetProposal(r, after)
		if !ok {
			return nil, false, fmt.Errorf("%w: no proposal %q", ErrUnknownCursor, after)
		}
		// The first key past the cursor's own: a 0x00 byte more sorts just after it.
		start = append(proposalExpiryKey(p.ExpiresHeight, p.ID), 0)
	}
	var out []txn.Proposal
	more := false
	r.ScanFrom([]byte(prefixProposalExpiry), start, func(key, _ []byte) bool {
		if len(out) == limit {
			more = true
			return false
		}
		if p, ok := GetProposal(r, string(key[len(prefixProposalExpiry)+8:])); ok && p.Status == txn.ProposalPending {
			out = append(out, p)
		}
		return true
	})
	return out, more, nil
}
