package pain

import (
	"strings"

	"github.com/chipmint/chipmint/internal/fiat"
)

// Initiation is a customer credit transfer initiation (CstmrCdtTrfInitn): one debtor's
// order to its bank to pay one or more creditors from one account on one day.
type Initiation struct {
	// MessageID is the file's identification (GrpHdr/MsgId), 1 to 35 characters; a bank
	// refuses a second file with the same one.
	MessageID string `json:"message_id"`
	// CreatedAt is the file's creation date-time (GrpHdr/CreDtTm), ISO 8601, as given.
	CreatedAt string `json:"created_at"`
	// InitiatingParty is the name of who sends the file (GrpHdr/InitgPty/Nm), often the
	// debtor itself; Read leaves it empty when the file names none.
	InitiatingParty string `json:"initiating_party,omitempty"`
	// ExecutionDate is the requested execution date (PmtInf/ReqdExctnDt), YYYY-MM-DD.
	ExecutionDate string `json:"execution_date"`
	// Debtor is the payer: its name, account and bank (PmtInf/Dbtr, DbtrAcct, DbtrAgt).
	Debtor Party `json:"debtor"`
	// Payments are the credit transfers (CdtTrfTxInf), in file order.
	Payments []Payment `json:"payments"`
}

// Party is a debtor: its name, its account and, optionally, its bank's BIC.
type Party struct {
	Name    string  `json:"name"`
	Account Account `json:"account"`
	BIC     string  `json:"bic,omitempty"`
}

// Account identifies an account as ISO 20022 does (Acct/Id): by IBAN, or by another
// identification (Othr) under a scheme, such as a national account number under BBAN.
type Account struct {
	// IBAN is the account's IBAN in electronic form; empty for an account without one.
	IBAN string `json:"iban,omitempty"`
	// Other is the account's other identification, when it has no IBAN.
	Other fiat.OtherAccount `json:"other,omitzero"`
}

// String returns the account's canonical string: its IBAN in electronic form, or its
// other identification as fiat.OtherAccount writes it, such as
// "6222021001000000001 (scheme BBAN)". It is how the ledger, package camt and the
// sandbox bank name an account.
func (a Account) String() string {
	if a.IBAN != "" {
		return strings.ToUpper(strings.ReplaceAll(a.IBAN, " ", ""))
	}
	return a.Other.String()
}

// Payment is one credit transfer (CdtTrfTxInf) of an initiation.
type Payment struct {
	// InstructionID is the debtor's optional reference for its bank (PmtId/InstrId).
	InstructionID string `json:"instruction_id,omitempty"`
	// EndToEndID is the debtor's reference that travels to the creditor
	// (PmtId/EndToEndId), 1 to 35 characters, unique within the file.
	EndToEndID string `json:"end_to_end_id"`
	// AmountMinor and Currency are the instructed amount (Amt/InstdAmt), in the minor
	// units of the ISO 4217 currency.
	AmountMinor uint64 `json:"amount_minor"`
	Currency    string `json:"currency"`
	// CreditorName, CreditorAccount and CreditorBIC are the payee (Cdtr/Nm, CdtrAcct,
	// CdtrAgt/FinInstnId/BICFI or BIC); the BIC is optional.
	CreditorName    string  `json:"creditor_name"`
	CreditorAccount Account `json:"creditor_account"`
	CreditorBIC     string  `json:"creditor_bic,omitempty"`
	// Unstructured is free remittance text (RmtInf/Ustrd), up to 140 characters; Read
	// joins several lines with a space.
	Unstructured string `json:"unstructured,omitempty"`
	// CreditorReference is a structured creditor reference (RmtInf/Strd/CdtrRefInf/Ref).
	// Write takes only an ISO 11649 RF reference, in electronic form; Read returns an RF
	// reference in electronic form and any other reference as the file gives it.
	CreditorReference string `json:"creditor_reference,omitempty"`
}

// Remittance is the payment's remittance information as one string: its creditor
// reference when it has one, else its unstructured text.
func (p Payment) Remittance() string {
	if p.CreditorReference != "" {
		return p.CreditorReference
	}
	return p.Unstructured
}
