package txn

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"strings"

	"github.com/chipmint/chipmint/internal/crypto"
)

// Controlled reports whether a message of type t is an action that needs the approval
// of issuer_threshold issuers (decision 0027): sent directly only while one issuer's
// approval is the threshold (an Issue also up to issue_approval_chips), and otherwise
// proposed and approved.
func (t Type) Controlled() bool {
	switch t {
	case TypeRegisterOperator, TypeIssue, TypeRegisterOperatorAccount, TypeUnpause, TypeUnfreeze,
		TypeUpdateOperator, TypeRevokeOperator, TypeAddIssuer, TypeRemoveIssuer, TypeSetIssuerThreshold, TypeSetValidator,
		TypeAddAuditor, TypeRemoveAuditor:
		return true
	}
	return false
}

// Propose (issuer) proposes a controlled action: Action is its type and Body its
// canonical encoding, as a transaction's body. Proposing is the proposer's approval.
type Propose struct {
	_      struct{} `cbor:",toarray"`
	Action Type     `json:"action"`
	Body   []byte   `json:"body"`
}

// NewPropose is the proposal of action, a controlled message.
func NewPropose(action Msg) *Propose {
	return &Propose{Action: action.Type(), Body: marshal(action)}
}

// Message decodes the proposed action: a controlled message, in canonical encoding and
// valid, refused with InvalidField otherwise.
func (m Propose) Message() (Msg, error) {
	if !m.Action.Controlled() {
		return nil, Errorf(InvalidField, "action: %s (type %d) is not an action that needs approval", m.Action, m.Action)
	}
	msg, _ := newMsg(m.Action)
	if err := unmarshalCanonical(m.Body, msg); err != nil {
		return nil, Errorf(InvalidField, "body: %s", err)
	}
	if err := msg.Validate(); err != nil {
		return nil, Errorf(InvalidField, "body: %s", ReasonOf(err))
	}
	return msg, nil
}

// Approve (issuer) approves a pending proposal. The approval that reaches the
// threshold applies the action.
type Approve struct {
	_          struct{} `cbor:",toarray"`
	ProposalID string   `json:"proposal_id"`
}

// The operations an issuer may pause.
const (
	OperationBuy      = "buy"
	OperationConfirm  = "confirm"
	OperationIssue    = "issue"
	OperationTransfer = "transfer"
	OperationRedeem   = "redeem"
)

// Pause (issuer) stops an operation for everybody until it is unpaused: buy (BuyRequest),
// confirm (ConfirmPayment, SubmitReceipt), issue (Issue), transfer (Transfer) or redeem
// (Redeem).
type Pause struct {
	_         struct{} `cbor:",toarray"`
	Operation string   `json:"operation"`
	Reason    string   `json:"reason"`
}

// Unpause (issuers, controlled) lets a paused operation run again.
type Unpause struct {
	_         struct{} `cbor:",toarray"`
	Operation string   `json:"operation"`
}

// Freeze (issuer) stops an account from sending, receiving, being issued chips and
// redeeming until it is unfrozen.
type Freeze struct {
	_       struct{}       `cbor:",toarray"`
	Address crypto.Address `json:"address"`
	Reason  string         `json:"reason"`
}

// Unfreeze (issuers, controlled) lets a frozen account move chips again.
type Unfreeze struct {
	_       struct{}       `cbor:",toarray"`
	Address crypto.Address `json:"address"`
}

// UpdateOperator (issuers, controlled) replaces an operator's account, rate and cap.
// The account keeps its currency.
type UpdateOperator struct {
	_        struct{} `cbor:",toarray"`
	ID       string   `json:"id"`
	Account  Account  `json:"account"`
	Rate     Rate     `json:"rate"`
	CapChips uint64   `json:"cap_chips,string"`
}

// RevokeOperator (issuers, controlled) stops an operator from taking money in; its
// outstanding chips stay redeemable through it.
type RevokeOperator struct {
	_      struct{} `cbor:",toarray"`
	ID     string   `json:"id"`
	Reason string   `json:"reason"`
}

// AddIssuer (issuers, controlled) makes a key an issuer's.
type AddIssuer struct {
	_         struct{}       `cbor:",toarray"`
	ID        string         `json:"id"`
	Address   crypto.Address `json:"address"`
	PublicKey []byte         `json:"public_key"`
}

// RemoveIssuer (issuers, controlled) takes an issuer's role away; its approvals of
// pending proposals lapse.
type RemoveIssuer struct {
	_       struct{}       `cbor:",toarray"`
	Address crypto.Address `json:"address"`
}

// SetIssuerThreshold (issuers, controlled) sets how many issuers must approve a
// controlled action.
type SetIssuerThreshold struct {
	_         struct{} `cbor:",toarray"`
	Threshold uint64   `json:"threshold,string"`
}

// Type implements Msg.
func (Propose) Type() Type { return TypePropose }

// Type implements Msg.
func (Approve) Type() Type { return TypeApprove }

// Type implements Msg.
func (Pause) Type() Type { return TypePause }

// Type implements Msg.
func (Unpause) Type() Type { return TypeUnpause }

// Type implements Msg.
func (Freeze) Type() Type { return TypeFreeze }

// Type implements Msg.
func (Unfreeze) Type() Type { return TypeUnfreeze }

// Type implements Msg.
func (UpdateOperator) Type() Type { return TypeUpdateOperator }

// Type implements Msg.
func (RevokeOperator) Type() Type { return TypeRevokeOperator }

// Type implements Msg.
func (AddIssuer) Type() Type { return TypeAddIssuer }

// Type implements Msg.
func (RemoveIssuer) Type() Type { return TypeRemoveIssuer }

// Type implements Msg.
func (SetIssuerThreshold) Type() Type { return TypeSetIssuerThreshold }

// Validate implements Msg.
func (m Propose) Validate() error {
	_, err := m.Message()
	return err
}

// Validate implements Msg.
func (m Approve) Validate() error { return checkProposalID("proposal_id", m.ProposalID) }

// Validate implements Msg.
func (m Pause) Validate() error {
	if err := checkOperation("operation", m.Operation); err != nil {
		return err
	}
	return checkText("reason", m.Reason, reasonBytesMax)
}

// Validate implements Msg.
func (m Unpause) Validate() error { return checkOperation("operation", m.Operation) }

// Validate implements Msg.
func (m Freeze) Validate() error {
	if m.Address.IsZero() {
		return Errorf(InvalidField, "address: missing address")
	}
	return checkText("reason", m.Reason, reasonBytesMax)
}

// Validate implements Msg.
func (m Unfreeze) Validate() error {
	if m.Address.IsZero() {
		return Errorf(InvalidField, "address: missing address")
	}
	return nil
}

// Validate implements Msg.
func (m UpdateOperator) Validate() error {
	if err := checkOperatorID("id", m.ID); err != nil {
		return err
	}
	if err := m.Account.validate("account"); err != nil {
		return err
	}
	if m.Rate.Chips == 0 || m.Rate.Minor == 0 {
		return Errorf(InvalidField, "rate: both chips and minor must be positive, got %d/%d", m.Rate.Chips, m.Rate.Minor)
	}
	if m.CapChips == 0 {
		return Errorf(InvalidField, "cap_chips: must be positive")
	}
	return nil
}

// Validate implements Msg.
func (m RevokeOperator) Validate() error {
	if err := checkOperatorID("id", m.ID); err != nil {
		return err
	}
	return checkText("reason", m.Reason, reasonBytesMax)
}

// Validate implements Msg.
func (m AddIssuer) Validate() error {
	if err := checkText("id", m.ID, partyIDBytesMax); err != nil {
		return err
	}
	return checkKeyAddress("public_key", m.PublicKey, m.Address)
}

// Validate implements Msg.
func (m RemoveIssuer) Validate() error {
	if m.Address.IsZero() {
		return Errorf(InvalidField, "address: missing address")
	}
	return nil
}

// Validate implements Msg.
func (m SetIssuerThreshold) Validate() error {
	if m.Threshold == 0 {
		return Errorf(InvalidField, "threshold: must be at least 1")
	}
	return nil
}

func checkOperation(field, op string) error {
	switch op {
	case OperationBuy, OperationConfirm, OperationIssue, OperationTransfer, OperationRedeem:
		return nil
	}
	return Errorf(InvalidField, "%s: %q is not one of %s, %s, %s, %s, %s", field, op,
		OperationBuy, OperationConfirm, OperationIssue, OperationTransfer, OperationRedeem)
}

// ProposalID is the id of the proposal made by a Propose from proposer with nonce:
// twenty upper-case hexadecimal characters, like an order's, under a domain of its own.
func ProposalID(proposer crypto.Address, nonce uint64) string {
	h := sha256.New()
	h.Write([]byte(proposalDomain))
	h.Write(proposer[:])
	h.Write(binary.BigEndian.AppendUint64(nil, nonce))
	return strings.ToUpper(hex.EncodeToString(h.Sum(nil)[:orderIDChars/2]))
}

// ParseProposalID reads a proposal id in any letter case and returns it in canonical
// form.
func ParseProposalID(s string) (string, error) {
	if id, ok := canonicalOrderID(s); ok {
		return id, nil
	}
	return "", Errorf(InvalidField, "proposal id %q: want %d hexadecimal characters", s, orderIDChars)
}

func checkProposalID(field, id string) error {
	canonical, err := ParseProposalID(id)
	if err != nil {
		return Errorf(InvalidField, "%s: %v", field, ReasonOf(err))
	}
	if canonical != id {
		return Errorf(InvalidField, "%s: %q is not in canonical form %q", field, id, canonical)
	}
	return nil
}
