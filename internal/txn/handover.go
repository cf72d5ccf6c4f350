package txn

import (
	"crypto/ed25519"

	"github.com/chipmint/chipmint/internal/crypto"
)

// The roles a key can hand over.
const (
	RoleOperator = "operator"
	RoleIssuer   = "issuer"
	RoleAuditor  = "auditor"
)

// HandOver (an operator's, an issuer's or an auditor's current key) offers its role to another key:
// the first step of a key rotation. Nothing changes until that key takes it over.
type HandOver struct {
	_         struct{}       `cbor:",toarray"`
	Role      string         `json:"role"`
	To        crypto.Address `json:"to"`
	PublicKey []byte         `json:"public_key"`
}

// TakeOver (the new key) takes over the role From offered it: from this block on the
// old key is refused, in every transaction and every receipt it signed.
type TakeOver struct {
	_    struct{}       `cbor:",toarray"`
	From crypto.Address `json:"from"`
}

// Type implements Msg.
func (HandOver) Type() Type { return TypeHandOver }

// Type implements Msg.
func (TakeOver) Type() Type { return TypeTakeOver }

// Validate implements Msg.
func (m HandOver) Validate() error {
	switch m.Role {
	case RoleOperator, RoleIssuer, RoleAuditor:
	default:
		return Errorf(InvalidField, "role: want %q, %q or %q, got %q", RoleOperator, RoleIssuer, RoleAuditor, m.Role)
	}
	return checkKeyAddress("public_key", m.PublicKey, m.To)
}

// Validate implements Msg.
func (m TakeOver) Validate() error {
	if m.From.IsZero() {
		return Errorf(InvalidField, "from: missing address")
	}
	return nil
}

// NewHandOver is the offer of role to the key pub.
func NewHandOver(role string, pub ed25519.PublicKey) *HandOver {
	return &HandOver{Role: role, To: crypto.AddressOf(pub), PublicKey: append([]byte(nil), pub...)}
}

// PendingHandOver is a role offered to another key and not yet taken over, as the
// ledger stores it under the offering key's address.
type PendingHandOver struct {
	Role      string         `cbor:"role" json:"role"`
	To        crypto.Address `cbor:"to" json:"to"`
	PublicKey []byte         `cbor:"public_key" json:"public_key"`
	Height    int64          `cbor:"height" json:"height"`
}
