package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/chipmint/chipmint/internal/camt"
	"github.com/chipmint/chipmint/internal/fiat"
	"github.com/chipmint/chipmint/internal/txn"
)

// submitTimeout bounds the wait for a confirmation's block; an entry that times out
// stays received and is tried again.
const submitTimeout = time.Minute

// confirm submits the confirmation of a payment for an order awaiting it, or in receipt
// mode writes the signed receipt for the buyer.
func (g *Gateway) confirm(ctx context.Context, rec Record, order txn.Order) (string, error) {
	e := rec.Entry
	if g.cfg.Mode == ModeReceipt {
		return g.writeReceipt(rec, order)
	}
	if g.cfg.beforeSubmit != nil {
		if err := g.cfg.beforeSubmit(rec); err != nil {
			return "", err
		}
	}
	rec.Attempts++
	msg := &txn.ConfirmPayment{
		OrderID: order.ID, Buyer: order.Buyer, AmountMinor: e.AmountMinor,
		Currency: e.Currency, BankReference: e.BankReference(),
	}
	sctx, cancel := context.WithTimeout(ctx, submitTimeout)
	defer cancel()
	res, err := g.commits.Submit(sctx, msg, g.cfg.Key)
	var rej *txn.Error
	switch {
	case err == nil:
		rec.TxHash, rec.Height = res.Hash, res.Height
		return g.finish(rec, StatusConfirmed, order.ID, "")
	case errors.As(err, &rej) && rej.Code == txn.AlreadyConfirmed && ownReference(rec):
		return g.finish(rec, StatusConfirmed, order.ID, "confirmed before")
	case errors.As(err, &rej):
		return g.finish(rec, StatusException, order.ID, fmt.Sprintf("the chain refused the confirmation: %s: %s", rej.Code, rej.Reason))
	}
	return "", fmt.Errorf("gateway: confirm order %s: %w", order.ID, err)
}

func (g *Gateway) writeReceipt(rec Record, order txn.Order) (string, error) {
	e := rec.Entry
	iban, err := fiat.ParseIBAN(e.DebtorIBAN)
	if err != nil {
		return g.finish(rec, StatusException, order.ID, "the payer's IBAN is missing or invalid: no receipt can name it")
	}
	payer, err := txn.NewAccountOpening(txn.Account{IBAN: iban.String()})
	if err != nil {
		return "", err
	}
	r, err := txn.NewReceipt(order, g.cfg.Operator, e.AmountMinor, e.BankReference(), payer)
	if err != nil {
		return g.finish(rec, StatusException, order.ID, err.Error())
	}
	rec.PayerSalt = payer.Salt
	rf, err := txn.IssueReceipt(g.cfg.Client.ChainID(), r, payer, g.cfg.Key)
	if err != nil {
		return "", fmt.Errorf("gateway: sign the receipt for order %s: %w", order.ID, err)
	}
	b, err := json.MarshalIndent(rf, "", "  ")
	if err != nil {
		return "", err
	}
	path := filepath.Join(g.cfg.ReceiptDir, order.ID+".json")
	if err := writeFileAtomic(path, append(b, '\n')); err != nil {
		return "", err
	}
	return g.finish(rec, StatusReceiptIssued, order.ID, "receipt written to "+path)
}

// writeFileAtomic writes through a temporary file and a rename, so that a reader never
// sees half a file.
func writeFileAtomic(path string, b []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("gateway: write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("gateway: write %s: %w", path, err)
	}
	return nil
}

// referencePattern finds a payment reference of an order in free text, in electronic or
// print form ("RF18 5390 0754 ..."): RF, two check digits and the twenty hexadecimal
// characters of an order id, spaces allowed between them.
var referencePattern = regexp.MustCompile(`(?i)RF\s?[0-9]{2}(?:\s?[0-9A-F]){20}`)

// orderIDsOf reads the orders a credit names: the RF references of its structured
// remittance, and those written in its unstructured and additional remittance lines, in
// that order, each order once. Only an RF reference names an order here, never a bare
// id, which has no check digits to catch a typo that would credit another order.
func orderIDsOf(e camt.Entry) []string {
	candidates := append([]string(nil), e.References...)
	if len(candidates) == 0 && e.CreditorReference != "" {
		candidates = append(candidates, e.CreditorReference)
	}
	for _, lines := range [][]string{e.Unstructured, e.AdditionalRemittance} {
		candidates = append(candidates, referencePattern.FindAllString(strings.Join(lines, " "), -1)...)
	}
	var ids []string
	for _, c := range candidates {
		ref, err := fiat.ParseCreditorReference(c)
		if err != nil {
			continue
		}
		if id, err := txn.ParseOrderID(ref.String()); err == nil && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids
}

// orderIDOf is the one order a credit names, if it names exactly one.
func orderIDOf(e camt.Entry) (string, bool) {
	if ids := orderIDsOf(e); len(ids) == 1 {
		return ids[0], true
	}
	return "", false
}
