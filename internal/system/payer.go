package system

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/chipmint/chipmint/internal/bank"
	"github.com/chipmint/chipmint/internal/gateway"
	"github.com/chipmint/chipmint/internal/txn"
)

// bankPayer makes a gateway's payments through the sandbox bank's payment API, from the
// operator's account, with the end-to-end id as the idempotency key: asked twice, the
// bank books once.
type bankPayer struct {
	bank *bank.Client
	from txn.Account
}

// Pay implements gateway.Payer.
func (p bankPayer) Pay(ctx context.Context, pay gateway.Payment) (string, error) {
	req := bank.TransferRequest{
		AmountMinor: pay.AmountMinor, Currency: pay.Currency, Reference: pay.Remittance,
		EndToEndID: pay.EndToEndID, IdempotencyKey: "payment:" + pay.EndToEndID,
	}
	if p.from.IBAN != "" {
		req.FromIBAN = p.from.IBAN
	} else {
		req.From = p.from.Identification()
	}
	if pay.Payee.IBAN != "" {
		req.ToIBAN = pay.Payee.IBAN
	} else {
		req.To = pay.Payee.String()
	}
	t, err := p.bank.Pay(ctx, req)
	var apiErr *bank.APIError
	if errors.As(err, &apiErr) && refusedForGood(apiErr.Status) {
		return "", fmt.Errorf("%w: %v", gateway.ErrPaymentRefused, apiErr)
	}
	if err != nil {
		return "", err
	}
	return t.ID, nil
}

// refusedForGood reports whether the bank's answer refuses the payment whatever is
// tried again: a request it cannot take, an account it does not know, funds it lacks.
func refusedForGood(status int) bool {
	switch status {
	case http.StatusBadRequest, http.StatusNotFound, http.StatusUnprocessableEntity:
		return true
	}
	return false
}
