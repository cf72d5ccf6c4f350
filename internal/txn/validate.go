package txn

import (
	"bytes"
	"errors"

	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/fiat"
)

// Field size limits. They bound what a transaction can make every node store.
const (
	operatorIDBytesMax    = 32
	partyIDBytesMax       = 64
	holderBytesMax        = 140 // ISO 20022 Max140Text
	bankReferenceBytesMax = 64
	reasonBytesMax        = 140
	orderIDChars          = 20
)

// Validate implements Msg.
func (m RegisterOperator) Validate() error {
	return validateRegistration(m.ID, m.PublicKey, m.Address, m.Account.validate, m.Rate, m.CapChips)
}

// Validate implements Msg.
func (m RegisterOperatorAccount) Validate() error {
	return validateRegistration(m.ID, m.PublicKey, m.Address, func() error { return m.Account.validate("account") }, m.Rate, m.CapChips)
}

// validateRegistration checks an operator's registration, whichever form of account it
// names, in the order of docs/protocol.md §5.1.
func validateRegistration(id string, pub []byte, addr crypto.Address, account func() error, rate Rate, capChips uint64) error {
	if err := checkOperatorID("id", id); err != nil {
		return err
	}
	if err := checkKeyAddress("public_key", pub, addr); err != nil {
		return err
	}
	if err := account(); err != nil {
		return err
	}
	if rate.Chips == 0 || rate.Minor == 0 {
		return Errorf(InvalidField, "rate: both chips and minor must be positive, got %d/%d", rate.Chips, rate.Minor)
	}
	if capChips == 0 {
		return Errorf(InvalidField, "cap_chips: must be positive")
	}
	return nil
}

func (a BankAccount) validate() error {
	if err := checkIBAN("account.iban", a.IBAN); err != nil {
		return err
	}
	if err := checkBIC("account.bic", a.BIC); err != nil {
		return err
	}
	if err := checkText("account.holder", a.Holder, holderBytesMax); err != nil {
		return err
	}
	return checkCurrency("account.currency", a.Currency)
}

// validate checks an Account, named field: an IBAN or another identification, never both nor
// neither, each in canonical form; then the optional BIC and clearing system member id,
// the holder and the currency.
// Validate checks that the account is in its one canonical form, as the chain checks
// an operator's: for the accounts the chain sees only committed to, such as a payee's.
func (a Account) Validate() error { return a.validate("account") }

func (a Account) validate(field string) error {
	other := a.OtherID != "" || a.Scheme != "" || a.Issuer != ""
	switch {
	case a.IBAN != "" && other:
		return Errorf(InvalidField, "%s: identified by an IBAN or by another identification (other_id, scheme, issuer), not both", field)
	case a.IBAN != "":
		if err := checkIBAN(field+".iban", a.IBAN); err != nil {
			return err
		}
	case !other:
		return Errorf(InvalidField, "%s: identified by neither an IBAN nor another identification (other_id and scheme)", field)
	default:
		given := fiat.OtherAccount{ID: a.OtherID, Scheme: a.Scheme, Issuer: a.Issuer}
		o, err := fiat.ParseOtherAccount(a.OtherID, a.Scheme, a.Issuer)
		if err != nil {
			return fiatError(field, err)
		}
		if o != given {
			return Errorf(InvalidField, "%s: other_id %q, scheme %q, issuer %q are not in canonical form %q, %q, %q",
				field, a.OtherID, a.Scheme, a.Issuer, o.ID, o.Scheme, o.Issuer)
		}
	}
	if a.BIC != "" {
		if err := checkBIC(field+".bic", a.BIC); err != nil {
			return err
		}
	}
	if a.ClearingSystem != "" || a.ClearingMember != "" {
		c, err := fiat.MakeClearingMember(a.ClearingSystem, a.ClearingMember)
		if err != nil {
			return fiatError(field, err)
		}
		if c.System != a.ClearingSystem || c.Member != a.ClearingMember {
			return Errorf(InvalidField, "%s: clearing system %q member %q are not in canonical form %q", field, a.ClearingSystem, a.ClearingMember, c)
		}
	}
	if err := checkText(field+".holder", a.Holder, holderBytesMax); err != nil {
		return err
	}
	return checkCurrency(field+".currency", a.Currency)
}

// fiatError is an invalid field that package fiat refused, named under parent by the
// field fiat names.
func fiatError(parent string, err error) error {
	var fe *fiat.FieldError
	if errors.As(err, &fe) {
		return Errorf(InvalidField, "%s.%s: %v (%q)", parent, fe.Field, fe.Err, fe.Value)
	}
	return Errorf(InvalidField, "%s: %v", parent, err)
}

// checkBIC requires a valid BIC in upper case.
func checkBIC(field, s string) error {
	bic, err := fiat.ParseBIC(s)
	if err != nil {
		return Errorf(InvalidField, "%s: %v", field, err)
	}
	if string(bic) != s {
		return Errorf(InvalidField, "%s: %q is not upper case", field, s)
	}
	return nil
}

// Validate implements Msg.
func (m BuyRequest) Validate() error {
	if err := checkOperatorID("operator", m.Operator); err != nil {
		return err
	}
	if err := checkText("buyer_id", m.BuyerID, partyIDBytesMax); err != nil {
		return err
	}
	if m.AmountMinor == 0 {
		return Errorf(InvalidField, "amount_minor: must be positive")
	}
	return checkCurrency("currency", m.Currency)
}

// Validate implements Msg.
func (m ConfirmPayment) Validate() error {
	if err := checkOrderID("order_id", m.OrderID); err != nil {
		return err
	}
	if err := m.Buyer.validate("buyer"); err != nil {
		return err
	}
	if m.AmountMinor == 0 {
		return Errorf(InvalidField, "amount_minor: must be positive")
	}
	if err := checkCurrency("currency", m.Currency); err != nil {
		return err
	}
	return checkText("bank_reference", m.BankReference, bankReferenceBytesMax)
}

// Validate implements Msg.
func (m SubmitReceipt) Validate() error {
	r := m.Receipt
	if err := checkOrderID("receipt.order_id", r.OrderID); err != nil {
		return err
	}
	if err := checkOperatorID("receipt.operator_id", r.OperatorID); err != nil {
		return err
	}
	if err := checkIBAN("receipt.operator_iban", r.OperatorIBAN); err != nil {
		return err
	}
	if err := checkCommitment("receipt.payer_commitment", r.PayerCommitment); err != nil {
		return err
	}
	if err := r.Buyer.validate("receipt.buyer"); err != nil {
		return err
	}
	if r.AmountMinor == 0 || r.Chips == 0 {
		return Errorf(InvalidField, "receipt: amount_minor and chips must be positive")
	}
	if err := checkCurrency("receipt.currency", r.Currency); err != nil {
		return err
	}
	if err := checkText("receipt.bank_reference", r.BankReference, bankReferenceBytesMax); err != nil {
		return err
	}
	if len(m.OperatorSignature) != crypto.SignatureBytes {
		return Errorf(InvalidField, "operator_signature: want %d bytes, got %d", crypto.SignatureBytes, len(m.OperatorSignature))
	}
	return nil
}

// Validate implements Msg.
func (m Issue) Validate() error {
	if err := checkOrderID("order_id", m.OrderID); err != nil {
		return err
	}
	if m.Chips == 0 {
		return Errorf(InvalidField, "chips: must be positive")
	}
	return nil
}

// Validate implements Msg.
func (m Transfer) Validate() error {
	if m.To.IsZero() {
		return Errorf(InvalidField, "to: missing address")
	}
	if m.AmountChips == 0 {
		return Errorf(InvalidField, "amount_chips: must be positive")
	}
	return nil
}

func (p Party) validate(field string) error {
	if err := checkText(field+".id", p.ID, partyIDBytesMax); err != nil {
		return err
	}
	return checkKeyAddress(field+".public_key", p.PublicKey, p.Address)
}

func checkKeyAddress(field string, pub []byte, addr crypto.Address) error {
	if len(pub) != crypto.PublicKeyBytes {
		return Errorf(InvalidField, "%s: want %d bytes, got %d", field, crypto.PublicKeyBytes, len(pub))
	}
	if err := crypto.CheckPublicKey(pub); err != nil {
		return Errorf(WeakKey, "%s: %v", field, err)
	}
	if want := crypto.AddressOf(pub); !bytes.Equal(want[:], addr[:]) {
		return Errorf(InvalidField, "%s: address %s is not derived from this key (want %s)", field, addr, want)
	}
	return nil
}

// checkOperatorID allows lower-case letters, digits and '-', starting with a letter.
func checkOperatorID(field, id string) error {
	if id == "" || len(id) > operatorIDBytesMax {
		return Errorf(InvalidField, "%s: want 1 to %d characters, got %d", field, operatorIDBytesMax, len(id))
	}
	for i, c := range []byte(id) {
		letter := c >= 'a' && c <= 'z'
		if !letter && (i == 0 || !(c >= '0' && c <= '9' || c == '-')) {
			return Errorf(InvalidField, "%s: %q must be lower-case letters, digits and '-', starting with a letter", field, id)
		}
	}
	return nil
}

// checkOrderID requires an order id in canonical form: ParseOrderID reads other
// spellings for people, but a transaction names an order in exactly one.
func checkOrderID(field, id string) error {
	canonical, err := ParseOrderID(id)
	if err != nil {
		return Errorf(InvalidField, "%s: %v", field, err)
	}
	if canonical != id {
		return Errorf(InvalidField, "%s: %q is not in canonical form %q", field, id, canonical)
	}
	return nil
}

// checkText allows printable ASCII without leading or trailing spaces: these strings
// travel into bank files and logs, where anything else causes trouble.
func checkText(field, s string, bytesMax int) error {
	if s == "" || len(s) > bytesMax {
		return Errorf(InvalidField, "%s: want 1 to %d characters, got %d", field, bytesMax, len(s))
	}
	if s[0] == ' ' || s[len(s)-1] == ' ' {
		return Errorf(InvalidField, "%s: %q has leading or trailing spaces", field, s)
	}
	for _, c := range []byte(s) {
		if c < 0x20 || c > 0x7e {
			return Errorf(InvalidField, "%s: %q has a character that is not printable ASCII", field, s)
		}
	}
	return nil
}

func checkCurrency(field, code string) error {
	if _, err := fiat.ParseCurrency(code); err != nil {
		return Errorf(InvalidField, "%s: %v", field, err)
	}
	return nil
}

// checkIBAN requires a valid IBAN in electronic form (upper case, no spaces), so that
// one account has one spelling on the chain.
func checkIBAN(field, s string) error {
	iban, err := fiat.ParseIBAN(s)
	if err != nil {
		return Errorf(InvalidField, "%s: %v", field, err)
	}
	if string(iban) != s {
		return Errorf(InvalidField, "%s: %q is not in electronic form %q", field, s, iban)
	}
	return nil
}

// Validate implements Msg.
func (m ReversePayment) Validate() error {
	if err := checkText("bank_reference", m.BankReference, bankReferenceBytesMax); err != nil {
		return err
	}
	return checkText("reason", m.Reason, reasonBytesMax)
}
