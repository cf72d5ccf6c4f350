package txn

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/fiat"
	"github.com/fxamacker/cbor/v2"
)

// Domain tags keep a signature for one purpose from being valid for another.
const (
	txDomain      = "chipmint/tx/v1"
	receiptDomain = "chipmint/receipt/v1"
	orderDomain   = "chipmint/order/v1"
	// redemptionDomain separates redemption ids from order ids made of the same
	// holder and nonce.
	redemptionDomain = "chipmint/redemption/v1"
	// proposalDomain does the same for the ids of issuers' proposals.
	proposalDomain = "chipmint/proposal/v1"
)

// ValidityBlocksMax bounds how far ahead valid_until may be: a spent nonce must be
// remembered only until its transaction could no longer be included.
const ValidityBlocksMax = 1000

// TxBytesMax bounds one transaction's encoding.
const TxBytesMax = 4096

// Tx is the envelope on the wire: a message body, who signed it and for how long.
type Tx struct {
	_          struct{} `cbor:",toarray"`
	Type       Type
	Signer     []byte
	Nonce      uint64
	ValidUntil uint64
	Body       cbor.RawMessage
	Signature  []byte
}

// Signed is a decoded transaction whose encoding and fields are valid. Its signature
// is checked separately by VerifySignature, because that needs the chain id.
type Signed struct {
	Tx
	Msg    Msg
	Sender crypto.Address
	Hash   [sha256.Size]byte
}

type signDoc struct {
	_          struct{} `cbor:",toarray"`
	Domain     string
	ChainID    string
	Type       Type
	Signer     []byte
	Nonce      uint64
	ValidUntil uint64
	Body       cbor.RawMessage
}

// Sign builds and signs a transaction for chainID. A signer that is not an Ed25519 key
// is refused, and a signer that fails (a hardware token removed) returns its error.
func Sign(chainID string, msg Msg, signer crypto.Signer, nonce, validUntil uint64) ([]byte, error) {
	pub, err := crypto.PublicKeyOf(signer)
	if err != nil {
		return nil, err
	}
	tx := Tx{
		Type:       msg.Type(),
		Signer:     []byte(pub),
		Nonce:      nonce,
		ValidUntil: validUntil,
		Body:       marshal(msg),
	}
	if tx.Signature, err = crypto.Sign(signer, tx.signBytes(chainID)); err != nil {
		return nil, err
	}
	return marshal(tx), nil
}

func (tx *Tx) signBytes(chainID string) []byte {
	return marshal(signDoc{
		Domain: txDomain, ChainID: chainID, Type: tx.Type, Signer: tx.Signer,
		Nonce: tx.Nonce, ValidUntil: tx.ValidUntil, Body: tx.Body,
	})
}

// Parse decodes a transaction, refusing any encoding but the canonical one, and
// validates its fields. It does not verify the signature.
func Parse(b []byte) (*Signed, error) {
	if len(b) > TxBytesMax {
		return nil, Errorf(Malformed, "transaction is %d bytes, at most %d allowed", len(b), TxBytesMax)
	}
	s := &Signed{Hash: sha256.Sum256(b)}
	if err := unmarshalCanonical(b, &s.Tx); err != nil {
		return nil, err
	}
	msg, ok := newMsg(s.Type)
	if !ok {
		return nil, Errorf(UnknownType, "message type %d", s.Type)
	}
	if err := unmarshalCanonical(s.Body, msg); err != nil {
		return nil, err
	}
	s.Msg = msg
	if len(s.Signer) != crypto.PublicKeyBytes {
		return nil, Errorf(InvalidField, "signer: want %d bytes, got %d", crypto.PublicKeyBytes, len(s.Signer))
	}
	if err := crypto.CheckPublicKey(s.Signer); err != nil {
		return nil, Errorf(WeakKey, "signer: %v", err)
	}
	if len(s.Signature) != crypto.SignatureBytes {
		return nil, Errorf(InvalidField, "signature: want %d bytes, got %d", crypto.SignatureBytes, len(s.Signature))
	}
	if s.ValidUntil == 0 {
		return nil, Errorf(InvalidField, "valid_until: must be a positive height")
	}
	if err := msg.Validate(); err != nil {
		return nil, err
	}
	s.Sender = crypto.AddressOf(s.Signer)
	return s, nil
}

// VerifySignature checks the signer's signature over the transaction for chainID and,
// for a receipt, nothing more: the operator's signature needs the operator's key, which
// only the ledger knows.
func (s *Signed) VerifySignature(chainID string) error {
	if !crypto.Verify(s.Signer, s.signBytes(chainID), s.Signature) {
		return Errorf(BadSignature, "signature by %s does not verify for chain %q", s.Sender, chainID)
	}
	return nil
}

type receiptDoc struct {
	_       struct{} `cbor:",toarray"`
	Domain  string
	ChainID string
	Receipt Receipt
}

// ReceiptSignBytes are the bytes an operator signs to issue a receipt.
func ReceiptSignBytes(chainID string, r Receipt) []byte {
	return marshal(receiptDoc{Domain: receiptDomain, ChainID: chainID, Receipt: r})
}

// SignReceipt is the operator's signature on a receipt, or the signer's error.
func SignReceipt(chainID string, r Receipt, signer crypto.Signer) ([]byte, error) {
	return crypto.Sign(signer, ReceiptSignBytes(chainID, r))
}

// OrderID is the id of the order created by a buy request from buyer with nonce. The
// buyer knows it before broadcasting; (signer, nonce) is unique, so the id is too.
func OrderID(buyer crypto.Address, nonce uint64) string {
	h := sha256.New()
	h.Write([]byte(orderDomain))
	h.Write(buyer[:])
	h.Write(binary.BigEndian.AppendUint64(nil, nonce))
	return strings.ToUpper(hex.EncodeToString(h.Sum(nil)[:orderIDChars/2]))
}

// ErrNotOrderID is what ParseOrderID's errors wrap: the input is neither an order id nor
// an order's payment reference.
var ErrNotOrderID = errors.New("not an order id")

// ParseOrderID reads an order id as a person may give it and returns it in canonical
// form, the twenty upper-case hexadecimal characters OrderID makes. It accepts the id in
// any letter case, and the order's payment reference in electronic or print form, in
// any case: a PaymentReference is "RF", two check digits and the id itself, so the id
// is recovered whole once the check digits verify. A transaction must still name the
// canonical id (Validate refuses any other spelling).
func ParseOrderID(s string) (string, error) {
	if id, ok := canonicalOrderID(s); ok {
		return id, nil
	}
	ref, err := fiat.ParseCreditorReference(s)
	switch {
	case err == nil:
		if id, ok := canonicalOrderID(ref.String()[4:]); ok {
			return id, nil
		}
		return "", fmt.Errorf("%w: %q is an RF reference, but not an order's: an order's carries 20 hexadecimal characters after its check digits", ErrNotOrderID, s)
	case errors.Is(err, fiat.ErrReferenceChecksum):
		return "", fmt.Errorf("%w: %q reads as an RF reference whose check digits do not verify: mistyped?", ErrNotOrderID, s)
	}
	return "", fmt.Errorf("%w: %q: want %d hexadecimal characters, or the order's RF payment reference", ErrNotOrderID, s, orderIDChars)
}

// canonicalOrderID is s in upper case if it is an order id in some letter case.
func canonicalOrderID(s string) (string, bool) {
	if len(s) != orderIDChars {
		return "", false
	}
	for _, c := range []byte(s) {
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'F' || c >= 'a' && c <= 'f') {
			return "", false
		}
	}
	return strings.ToUpper(s), true
}

// PaymentReference is the ISO 11649 creditor reference a buyer quotes when paying for
// an order: "RF", two check digits and the order id.
func PaymentReference(orderID string) string {
	ref, err := fiat.NewCreditorReference(orderID)
	if err != nil {
		panic("txn: order id " + orderID + " is not a creditor reference: " + err.Error())
	}
	return ref.String()
}
