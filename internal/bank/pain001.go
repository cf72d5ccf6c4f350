package bank

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/chipmint/chipmint/internal/pain"
)

// Upload is the bank's answer to a pain.001 file: what became of each of its payments.
type Upload struct {
	// MessageID is the file's message id (GrpHdr/MsgId).
	MessageID string `json:"message_id"`
	// Account is the id of the debtor's account, which the file was uploaded to.
	Account string `json:"account"`
	// Payments are the file's payments, in file order.
	Payments []UploadedPayment `json:"payments"`
}

// UploadedPayment is the fate of one payment of a pain.001 file: the transfer booked
// for it, or why the bank refused it.
type UploadedPayment struct {
	EndToEndID string `json:"end_to_end_id"`
	// Transfer is the booked transfer; nil when the payment was rejected.
	Transfer *Transfer `json:"transfer,omitempty"`
	// Rejection says why the payment was not booked, such as an unknown creditor account
	// or insufficient funds; empty when it was booked.
	Rejection string `json:"rejection,omitempty"`
}

// UploadPain001 books the payments of a pain.001 customer credit transfer initiation
// (any version package pain reads) from the account it names by its IBAN or ID, as a
// bank's upload channel does. The file's debtor account must be that account. Each
// payment is booked as a transfer (Transfer) to its creditor's account here, with its
// end-to-end id and its remittance information (its creditor reference, else its
// unstructured text, else its end-to-end id), under an idempotency key derived from the
// account, the file's message id and the payment's end-to-end id: uploading the same file again
// books nothing twice and answers the transfers booked the first time. A payment the
// bank refuses (an unknown creditor account, another currency, insufficient funds) is
// answered with the reason and does not stop the others; it is tried again when the
// file is uploaded again. Each payment is one synced write, so after a crash a payment
// is booked whole or not at all, and uploading the file again books the rest.
func (b *Bank) UploadPain001(account string, doc []byte) (Upload, error) {
	id, err := accountID("account", account)
	if err != nil {
		return Upload{}, err
	}
	in, err := pain.Read(doc)
	if err != nil {
		var pe *pain.Error
		if errors.As(err, &pe) {
			return Upload{}, fieldError(pe.Element, "", fmt.Errorf("%w: %w", ErrInvalid, pe.Err))
		}
		return Upload{}, fieldError("", "", fmt.Errorf("%w: %w", ErrInvalid, err))
	}
	if _, err := b.Account(id); err != nil {
		return Upload{}, err
	}
	if debtor := in.Debtor.Account.String(); debtor != id {
		return Upload{}, invalidf("DbtrAcct", debtor, "the file's debtor account %s is not the account %s it was uploaded to", debtor, id)
	}
	up := Upload{MessageID: in.MessageID, Account: id, Payments: make([]UploadedPayment, 0, len(in.Payments))}
	for _, p := range in.Payments {
		req, err := uploadedTransfer(id, in.MessageID, p)
		if err != nil {
			return Upload{}, err
		}
		up.Payments = append(up.Payments, UploadedPayment{EndToEndID: p.EndToEndID})
		res := &up.Payments[len(up.Payments)-1]
		if req == nil {
			res.Rejection = fieldError("CdtrAcct", p.CreditorAccount.String(),
				fmt.Errorf("%w: an account without an IBAN is named here by its id and scheme", ErrUnknownAccount)).Error()
			continue
		}
		t, _, err := b.transfer(*req)
		switch {
		case err == nil:
			res.Transfer = &t
		case statusOf(err) == http.StatusInternalServerError:
			return Upload{}, err
		default:
			res.Rejection = err.Error()
		}
	}
	b.log.Info("pain.001 uploaded", "account", id, "message_id", in.MessageID, "payments", len(up.Payments))
	return up, nil
}

// uploadedTransfer is the transfer request of a payment of the file msgID uploaded to the
// account id, or nil when the payment's creditor account cannot be an account of this
// bank (another identification without a scheme).
func uploadedTransfer(id, msgID string, p pain.Payment) (*TransferRequest, error) {
	key, err := json.Marshal([]string{id, msgID, p.EndToEndID})
	if err != nil {
		return nil, fmt.Errorf("bank: idempotency key: %w", err)
	}
	sum := sha256.Sum256(key)
	req := &TransferRequest{
		AmountMinor: p.AmountMinor, Currency: p.Currency, Reference: p.Remittance(),
		EndToEndID: p.EndToEndID, IdempotencyKey: "pain.001/" + hex.EncodeToString(sum[:]),
	}
	if req.Reference == "" {
		req.Reference = p.EndToEndID
	}
	if idField("iban", id) == "iban" {
		req.FromIBAN = id
	} else {
		req.From = id
	}
	switch c := p.CreditorAccount; {
	case c.IBAN != "":
		req.ToIBAN = c.IBAN
	case c.Other.Scheme == "":
		return nil, nil
	default:
		req.To = c.String()
	}
	return req, nil
}
