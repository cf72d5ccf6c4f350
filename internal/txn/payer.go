package txn

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
)

// Sizes of a commitment to a bank account and of its salt.
const (
	CommitmentBytes = sha256.Size
	SaltBytes       = 32
)

// commitmentDomain separates an account commitment's hash from every other of the
// chain.
const commitmentDomain = "chipmint/account/v1"

// AccountOpening is what a commitment to a party's bank account hides (decision 0042):
// a random salt and the account. The chain holds only the commitment, so a public
// ledger of payments names no payer's account and no holder's payout account; who was
// given the opening checks it against the chain. A receipt's payer: the receipt file
// the buyer keeps and the operator's journal hold the opening. A redemption's payee:
// the holder keeps it and gives it to the operator's gateway, which pays to it.
type AccountOpening struct {
	Salt    []byte  `json:"salt"`
	Account Account `json:"account"`
}

// NewAccountOpening draws a fresh salt for the account.
func NewAccountOpening(a Account) (AccountOpening, error) {
	salt := make([]byte, SaltBytes)
	if _, err := rand.Read(salt); err != nil {
		return AccountOpening{}, fmt.Errorf("txn: an account's salt: %w", err)
	}
	return AccountOpening{Salt: salt, Account: a}, nil
}

// Commitment is SHA-256 of the domain "chipmint/account/v1", a zero byte, the salt and
// the account's canonical CBOR: what the chain records in place of the account.
func (o AccountOpening) Commitment() []byte {
	h := sha256.New()
	h.Write([]byte(commitmentDomain))
	h.Write([]byte{0})
	h.Write(o.Salt)
	h.Write(marshal(o.Account))
	return h.Sum(nil)
}

// Check checks the opening against commitment c, naming what is wrong.
func (o AccountOpening) Check(c []byte) error {
	switch {
	case len(o.Salt) != SaltBytes:
		return fmt.Errorf("an account's opening has a salt of %d bytes, want %d", len(o.Salt), SaltBytes)
	case len(c) != CommitmentBytes:
		return fmt.Errorf("no account commitment of %d bytes to open (got %d)", CommitmentBytes, len(c))
	case !bytes.Equal(o.Commitment(), c):
		return fmt.Errorf("account %s with this salt is not the one the chain committed to", o.Account.Identification())
	}
	return nil
}

// checkCommitment checks a commitment's size.
func checkCommitment(field string, c []byte) error {
	if len(c) != CommitmentBytes {
		return Errorf(InvalidField, "%s: a commitment of %d bytes, want %d", field, len(c), CommitmentBytes)
	}
	return nil
}
