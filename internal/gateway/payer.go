package gateway

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/chipmint/chipmint/internal/camt"
	"github.com/chipmint/chipmint/internal/fiat"
	"github.com/chipmint/chipmint/internal/pain"
	"github.com/chipmint/chipmint/internal/txn"
)

// Payment is an outgoing credit transfer from the operator's account: a redemption's
// payout or a refund.
type Payment struct {
	// EndToEndID identifies the payment for good: the bank carries it to the payee and
	// back in the debit it books, and a payer asked again for the same one must not pay
	// twice. A payout's is its redemption's id, a refund's its refund id.
	EndToEndID  string
	AmountMinor uint64
	Currency    string
	PayeeName   string
	Payee       camt.Account
	PayeeBIC    string
	// Remittance is the text that travels with the payment, up to 140 characters.
	Remittance string
}

// Payer makes the operator's outgoing payments: the bank's payment API, or files for
// its upload channel. Pay is idempotent by the payment's end-to-end id and returns the
// bank's reference of the payment order. A payment the bank refuses for good (an
// unknown or closed account, no funds) is an error wrapping ErrPaymentRefused; any other
// error is tried again.
type Payer interface {
	Pay(ctx context.Context, p Payment) (string, error)
}

// ErrPaymentRefused is a payment the bank refused for good.
var ErrPaymentRefused = errors.New("gateway: the bank refused the payment")

// PainOutbox is a Payer that writes one ISO 20022 pain.001.001.09 credit transfer file
// per payment into Dir, for the bank's upload channel (EBICS, SFTP, a banking portal) to
// take: <message id>.xml, written whole or not at all. The message id is derived from
// the end-to-end id, so that a file written again after a crash is the same file, and a
// bank that refuses a second file with a message id it has seen pays once.
type PainOutbox struct {
	Dir string
	// Debtor is the operator: its name, account and bank.
	Debtor txn.Account
	now    func() time.Time
}

// Pay writes the payment's file, unless it was written before, and returns its message
// id.
func (o PainOutbox) Pay(_ context.Context, p Payment) (string, error) {
	msgID := "CM-" + p.EndToEndID
	path := filepath.Join(o.Dir, msgID+".xml")
	if _, err := os.Stat(path); err == nil {
		return msgID, nil
	}
	now := time.Now
	if o.now != nil {
		now = o.now
	}
	t := now().UTC()
	doc, err := pain.Write(pain.Initiation{
		MessageID: msgID, CreatedAt: t.Format("2006-01-02T15:04:05Z"), InitiatingParty: o.Debtor.Holder,
		ExecutionDate: t.Format("2006-01-02"),
		Debtor:        pain.Party{Name: o.Debtor.Holder, Account: painAccount(o.Debtor.IBAN, o.Debtor.OtherID, o.Debtor.Scheme, o.Debtor.Issuer), BIC: o.Debtor.BIC},
		Payments: []pain.Payment{{
			EndToEndID: p.EndToEndID, AmountMinor: p.AmountMinor, Currency: p.Currency,
			CreditorName: p.PayeeName, CreditorAccount: painAccount(p.Payee.IBAN, p.Payee.Other, p.Payee.Scheme, p.Payee.Issuer),
			CreditorBIC: p.PayeeBIC, Unstructured: p.Remittance,
		}},
	})
	if err != nil {
		// The file cannot be written as asked: no bank would take it.
		return "", fmt.Errorf("%w: %v", ErrPaymentRefused, err)
	}
	if err := os.MkdirAll(o.Dir, 0o700); err != nil {
		return "", fmt.Errorf("gateway: payment outbox: %w", err)
	}
	if err := writeDurably(path, doc); err != nil {
		return "", fmt.Errorf("gateway: payment outbox: %w", err)
	}
	return msgID, nil
}

func painAccount(iban, other, scheme, issuer string) pain.Account {
	if iban != "" {
		return pain.Account{IBAN: iban}
	}
	return pain.Account{Other: fiat.OtherAccount{ID: other, Scheme: scheme, Issuer: issuer}}
}

// payeeOf is a redemption's payee account in the bank file's form.
func payeeOf(a txn.Account) camt.Account {
	if a.IBAN != "" {
		return camt.Account{IBAN: a.IBAN}
	}
	return camt.Account{Other: a.OtherID, Scheme: a.Scheme, Issuer: a.Issuer}
}
