package client

import (
	"context"
	"errors"
	"fmt"

	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/txn"
)

// The checks a buyer's wallet makes before it countersigns a receipt.
var (
	// ErrReceiptChain is a receipt made for another chain than the node's.
	ErrReceiptChain = errors.New("client: the receipt is for another chain")
	// ErrReceiptBuyer is a receipt for another buyer than the key that would sign.
	ErrReceiptBuyer = errors.New("client: the receipt is for another buyer")
	// ErrReceiptSignature is a receipt that its operator did not sign.
	ErrReceiptSignature = errors.New("client: the receipt's signature is not its operator's")
	// ErrReceiptPayer is a receipt whose payer commitment the file's opening does not
	// open: the buyer cannot see which account it names.
	ErrReceiptPayer = errors.New("client: the receipt's payer is not the one its file opens")
)

// Countersign checks an operator's receipt as the buyer's wallet must before signing
// it (the chain, that the buyer is this key, that the operator as the chain knows it
// signed it) and signs the transaction that carries it, valid for ValidityBlocks.
func (c *Client) Countersign(ctx context.Context, rf txn.ReceiptFile, buyer crypto.Signer) ([]byte, error) {
	if rf.ChainID != c.ChainID() {
		return nil, fmt.Errorf("%w: %q, the node runs %q", ErrReceiptChain, rf.ChainID, c.ChainID())
	}
	addr, err := crypto.AddressOfSigner(buyer)
	if err != nil {
		return nil, err
	}
	if addr != rf.Receipt.Buyer.Address {
		return nil, fmt.Errorf("%w: %s, not %s", ErrReceiptBuyer, rf.Receipt.Buyer.Address, addr)
	}
	op, err := c.Operator(ctx, rf.Receipt.OperatorID)
	if err != nil {
		return nil, err
	}
	if !crypto.Verify(op.PublicKey, txn.ReceiptSignBytes(rf.ChainID, rf.Receipt), rf.OperatorSignature) {
		return nil, fmt.Errorf("%w %s: do not countersign it", ErrReceiptSignature, op.ID)
	}
	if err := rf.Payer.Check(rf.Receipt.PayerCommitment); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrReceiptPayer, err)
	}
	nonce, err := NewNonce()
	if err != nil {
		return nil, err
	}
	return c.Sign(ctx, &txn.SubmitReceipt{Receipt: rf.Receipt, OperatorSignature: rf.OperatorSignature}, buyer, nonce)
}
