package camt

// CreditDebit says whether an entry adds money to the account or takes it away.
type CreditDebit string

// Credit and debit indicators (ISO 20022 CdtDbtInd).
const (
	Credit CreditDebit = "CRDT"
	Debit  CreditDebit = "DBIT"
)

// Status is an entry's booking status (ISO 20022 Sts, a code or, from .001.08 on, Sts/Cd).
type Status string

// Entry statuses.
const (
	Booked  Status = "BOOK"
	Pending Status = "PDNG"
	Info    Status = "INFO"
)

// Entry is one transaction on an account, flattened from an ISO 20022 entry (Ntry) and,
// when the entry batches several, one of its transaction details (NtryDtls/TxDtls).
// Amounts are integers in the minor units of Currency.
//
// AmountMinor and Currency are the transaction's own (TxDtls/Amt or
// TxDtls/AmtDtls/TxAmt/Amt) when the bank gives them, else the entry's: an entry that
// batches three payments yields three Entry values, each with its own amount, not
// three copies of the batch total. A transaction of a batch that gives no amount of its
// own has AmountMinor zero: unknown, never money. CreditDebit is a credit only when
// both the entry and the transaction (if it says) are credits. Reversal, Status, the dates
// and EntryRef always come from the entry.
type Entry struct {
	AmountMinor uint64      `json:"amount_minor,string"`
	Currency    string      `json:"currency"`
	CreditDebit CreditDebit `json:"credit_debit"`
	Reversal    bool        `json:"reversal,omitempty"`
	Status      Status      `json:"status"`
	BookingDate string      `json:"booking_date,omitempty"` // YYYY-MM-DD
	ValueDate   string      `json:"value_date,omitempty"`   // YYYY-MM-DD
	// EntryRef is the account servicer's reference of the entry (Ntry/AcctSvcrRef).
	EntryRef string `json:"entry_ref,omitempty"`
	// Transaction references (TxDtls/Refs).
	AcctSvcrRef string `json:"acct_svcr_ref,omitempty"`
	EndToEndID  string `json:"end_to_end_id,omitempty"`
	UETR        string `json:"uetr,omitempty"`
	// The parties (TxDtls/RltdPties).
	DebtorName   string `json:"debtor_name,omitempty"`
	DebtorIBAN   string `json:"debtor_iban,omitempty"`
	CreditorName string `json:"creditor_name,omitempty"`
	CreditorIBAN string `json:"creditor_iban,omitempty"`
	// Remittance information: a structured creditor reference (RmtInf/Strd/CdtrRefInf/Ref,
	// such as an ISO 11649 "RF" reference; the first one when the transaction carries
	// several Strd) and the unstructured lines (RmtInf/Ustrd).
	CreditorReference string   `json:"creditor_reference,omitempty"`
	Unstructured      []string `json:"unstructured,omitempty"`
	// ReturnReason is the code (or proprietary text) of TxDtls/RtrInf/Rsn when the
	// transaction is a return, such as "AC01" (account identifier incorrect).
	ReturnReason string `json:"return_reason,omitempty"`
}

// BankReference is the reference that identifies the payment for good: the UETR when
// the bank gives one, else the transaction's account servicer reference, else the
// entry's.
func (e Entry) BankReference() string {
	switch {
	case e.UETR != "":
		return e.UETR
	case e.AcctSvcrRef != "":
		return e.AcctSvcrRef
	}
	return e.EntryRef
}

// Notification is a camt.054 notification (Ntfctn) for one account.
type Notification struct {
	ID          string `json:"id"`
	CreatedAt   string `json:"created_at,omitempty"` // ISO 8601 date-time as given
	AccountIBAN string `json:"account_iban"`
	// AccountOtherID is Acct/Id/Othr/Id, for the banks that identify the account
	// without an IBAN; set when AccountIBAN is empty.
	AccountOtherID string  `json:"account_other_id,omitempty"`
	Currency       string  `json:"currency,omitempty"`
	Entries        []Entry `json:"entries"`
}

// Balance is one balance of a statement (Bal): its type code and signed amount.
type Balance struct {
	Type        string      `json:"type"` // OPBD (opening booked), CLBD (closing booked), ...
	AmountMinor uint64      `json:"amount_minor,string"`
	Currency    string      `json:"currency"`
	CreditDebit CreditDebit `json:"credit_debit"`
	Date        string      `json:"date"` // YYYY-MM-DD
}

// Statement is a camt.053 statement (Stmt) for one account.
type Statement struct {
	ID          string `json:"id"`
	CreatedAt   string `json:"created_at,omitempty"`
	AccountIBAN string `json:"account_iban"`
	// AccountOtherID is Acct/Id/Othr/Id, as in Notification.
	AccountOtherID string    `json:"account_other_id,omitempty"`
	Currency       string    `json:"currency,omitempty"`
	Balances       []Balance `json:"balances"`
	Entries        []Entry   `json:"entries"`
}

// Document is a parsed camt.054 or camt.053 message: a group header and its
// notifications or statements.
type Document struct {
	// Message is "camt.054" or "camt.053"; Version is the namespace's version, such as
	// "001.08".
	Message       string         `json:"message"`
	Version       string         `json:"version"`
	MessageID     string         `json:"message_id"`
	CreatedAt     string         `json:"created_at,omitempty"`
	Notifications []Notification `json:"notifications,omitempty"`
	Statements    []Statement    `json:"statements,omitempty"`
}
