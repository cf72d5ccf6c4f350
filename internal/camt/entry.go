package camt

import (
	"strings"

	"github.com/chipmint/chipmint/internal/fiat"
)

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

// Kind is what an entry is to the account owner, read from its direction, its reversal
// indicator, its return information and its bank transaction codes (see classify.go).
type Kind string

// Entry kinds. Only a KindCredit can pay for anything; every other kind moves money for
// a reason that is not a buyer's payment.
const (
	// KindCredit is money received: a payment into the account.
	KindCredit Kind = "credit"
	// KindDebit is money sent: a payment out of the account.
	KindDebit Kind = "debit"
	// KindReversalOfCredit takes back an earlier credit: a recall, a reversal, or a
	// received payment sent back to its payer.
	KindReversalOfCredit Kind = "reversal_of_credit"
	// KindReversalOfDebit undoes an earlier debit.
	KindReversalOfDebit Kind = "reversal_of_debit"
	// KindReturn is the account owner's own earlier payment coming back to the account,
	// such as a refund whose payee's account was closed (TxDtls/RtrInf, or a return
	// bank transaction code such as PMNT/ICDT/RRTN). It carries the references of the
	// payment it returns, which may be an order's.
	KindReturn Kind = "return"
)

// Entry is one transaction on an account, flattened from an ISO 20022 entry (Ntry) and,
// when the entry batches several, one of its transaction details (NtryDtls/TxDtls).
// Amounts are integers in the minor units of their currency.
//
// AmountMinor and Currency are what was booked on the account for this transaction, in
// the account's currency: the entry's amount (Ntry/Amt) when the entry holds one
// transaction or none, or the transaction's own amount in the entry's currency
// (AmtDtls/TxAmt, TxDtls/Amt or AmtDtls/CntrValAmt) when it batches several, those
// amounts summing to the entry's. An amount in another currency is never taken for
// AmountMinor: it is the instructed amount. Anything that does not add up is said in
// Problem, and the entry must then go to a person.
//
// CreditDebit is a credit only when both the entry and the transaction (if it says) are
// credits. Reversal, Status, the dates and EntryRef always come from the entry.
type Entry struct {
	AmountMinor uint64      `json:"amount_minor"`
	Currency    string      `json:"currency"`
	CreditDebit CreditDebit `json:"credit_debit"`
	// Reversal is the entry's reversal indicator (Ntry/RvslInd, or TxDtls/RvslInd where
	// a bank writes one) as given; Kind says what the reversal reverses.
	Reversal bool   `json:"reversal,omitempty"`
	Kind     Kind   `json:"kind"`
	Status   Status `json:"status"`
	// Problem, when not empty, says why the entry cannot be trusted as the bank wrote
	// it, such as transactions that exceed their entry or amounts in currencies that
	// cannot be reconciled with the account's. Such an entry never pays an order.
	Problem string `json:"problem,omitempty"`
	// TransactionAmountMinor is the transaction's own amount in Currency as the bank
	// states it, when it differs from AmountMinor; zero otherwise. An entry of 594.05
	// holding one transaction of 564.05 has AmountMinor 59405 and TransactionAmountMinor
	// 56405.
	TransactionAmountMinor uint64 `json:"transaction_amount_minor,omitempty"`
	// InstructedAmountMinor and InstructedCurrency are the amount the payer instructed
	// (AmtDtls/InstdAmt), often in another currency with an exchange (CcyXchg), or,
	// failing that, a transaction amount the bank gives in a currency other than the
	// entry's. Shown, never booked.
	InstructedAmountMinor uint64 `json:"instructed_amount_minor,omitempty"`
	InstructedCurrency    string `json:"instructed_currency,omitempty"`
	// ChargesMinor and ChargesCurrency are the charges the bank reports for the
	// transaction (Chrgs: its total, or the sum of its records).
	ChargesMinor    uint64 `json:"charges_minor,omitempty"`
	ChargesCurrency string `json:"charges_currency,omitempty"`
	BookingDate     string `json:"booking_date,omitempty"` // YYYY-MM-DD
	ValueDate       string `json:"value_date,omitempty"`   // YYYY-MM-DD
	// EntryRef is the account servicer's reference of the entry (Ntry/AcctSvcrRef).
	EntryRef string `json:"entry_ref,omitempty"`
	// Transaction references (TxDtls/Refs). EndToEndID is chosen by the payer: it is
	// shown, and never identifies a payment (see BankReference).
	AcctSvcrRef string `json:"acct_svcr_ref,omitempty"`
	EndToEndID  string `json:"end_to_end_id,omitempty"`
	UETR        string `json:"uetr,omitempty"`
	// The parties (TxDtls/RltdPties): their names, and their accounts by IBAN
	// (DbtrAcct/Id/IBAN) or, for an account without one, by its other identification
	// (DbtrAcct/Id/Othr), whose IBAN field is then empty.
	DebtorName    string   `json:"debtor_name,omitempty"`
	DebtorIBAN    string   `json:"debtor_iban,omitempty"`
	DebtorOther   *Account `json:"debtor_other,omitempty"`
	CreditorName  string   `json:"creditor_name,omitempty"`
	CreditorIBAN  string   `json:"creditor_iban,omitempty"`
	CreditorOther *Account `json:"creditor_other,omitempty"`
	// Remittance information. References are the structured creditor references of
	// every RmtInf/Strd (CdtrRefInf/Ref, such as an ISO 11649 "RF" reference) in document
	// order, and CreditorReference is the first of them. Unstructured holds the
	// RmtInf/Ustrd lines and AdditionalRemittance the Strd/AddtlRmtInf lines, free text in
	// which a payer may also have written a reference.
	CreditorReference    string   `json:"creditor_reference,omitempty"`
	References           []string `json:"references,omitempty"`
	Unstructured         []string `json:"unstructured,omitempty"`
	AdditionalRemittance []string `json:"additional_remittance,omitempty"`
	// ReturnReason is the code (or proprietary text) of TxDtls/RtrInf/Rsn when the
	// transaction is a return, such as "AC01" (account identifier incorrect).
	ReturnReason string `json:"return_reason,omitempty"`
}

// BankReference is the reference that identifies the payment for good: the UETR when
// the bank gives one, else the transaction's account servicer reference, else the
// entry's. The EndToEndId is never used: the payer chooses it, so two payments may share
// it and a payer may reuse an order's. The same booking reported in a camt.052, a
// camt.053 and a camt.054 has the same BankReference as long as the bank gives the same
// references in each.
func (e Entry) BankReference() string {
	switch {
	case e.UETR != "":
		return e.UETR
	case e.AcctSvcrRef != "":
		return e.AcctSvcrRef
	}
	return e.EntryRef
}

// DebtorAccount is the debtor's account, by IBAN or otherwise; zero when not given.
func (e Entry) DebtorAccount() Account { return partyAccount(e.DebtorIBAN, e.DebtorOther) }

// CreditorAccount is the creditor's account, by IBAN or otherwise; zero when not given.
func (e Entry) CreditorAccount() Account { return partyAccount(e.CreditorIBAN, e.CreditorOther) }

func partyAccount(iban string, other *Account) Account {
	if other != nil {
		return *other
	}
	return Account{IBAN: iban}
}

// PaysOrder reports whether the entry is money a buyer paid and the bank booked: a
// booked credit that is not a return or reversal, with an amount and without a problem.
// Only such an entry may confirm an order.
func (e Entry) PaysOrder() bool {
	return e.Kind == KindCredit && e.CreditDebit == Credit && !e.Reversal && e.Status == Booked &&
		e.Problem == "" && e.AmountMinor > 0
}

// Account identifies an account: by its IBAN (Acct/Id/IBAN) or, for the banks that do
// not use one, by another identification (Acct/Id/Othr/Id) with the scheme it belongs
// to (SchmeNm/Cd or SchmeNm/Prtry, such as "BBAN") and its issuer (Issr), each as the
// file gives it. Two accounts are the same when their String forms are equal.
type Account struct {
	IBAN   string `json:"iban,omitempty"`
	Other  string `json:"other,omitempty"`
	Scheme string `json:"scheme,omitempty"`
	Issuer string `json:"issuer,omitempty"`
}

// String returns the account in its canonical form: its IBAN in electronic form (upper
// case, without spaces), or its other identification as fiat.OtherAccount writes it,
// the id without spaces (and upper-cased under a scheme code) followed by its scheme
// and issuer when given, such as "250094239 (scheme BBAN, issuer PostFinance)". It is
// the form in which the ledger and the sandbox bank name an account.
func (a Account) String() string {
	if a.IBAN != "" {
		return strings.ToUpper(strings.ReplaceAll(a.IBAN, " ", ""))
	}
	return fiat.OtherAccount{ID: a.Other, Scheme: a.Scheme, Issuer: a.Issuer}.String()
}

// Notification is a camt.054 notification (Ntfctn) for one account.
type Notification struct {
	ID        string  `json:"id"`
	CreatedAt string  `json:"created_at,omitempty"` // ISO 8601 date-time as given
	Account   Account `json:"account"`
	Currency  string  `json:"currency,omitempty"`
	Entries   []Entry `json:"entries"`
}

// Balance is one balance of a statement or report (Bal): its type code and signed
// amount.
type Balance struct {
	Type        string      `json:"type"` // OPBD (opening booked), CLBD (closing booked), ...
	AmountMinor uint64      `json:"amount_minor"`
	Currency    string      `json:"currency"`
	CreditDebit CreditDebit `json:"credit_debit"`
	Date        string      `json:"date"` // YYYY-MM-DD
}

// Statement is a camt.053 statement (Stmt) or a camt.052 account report (Rpt), which
// has the same shape, for one account. A report may have no balances.
type Statement struct {
	ID        string `json:"id"`
	CreatedAt string `json:"created_at,omitempty"`
	// From and To are the period the statement covers (FrToDt), ISO 8601 date-times as
	// given; empty when the bank does not say.
	From     string    `json:"from,omitempty"`
	To       string    `json:"to,omitempty"`
	Account  Account   `json:"account"`
	Currency string    `json:"currency,omitempty"`
	Balances []Balance `json:"balances"`
	Entries  []Entry   `json:"entries"`
}

// Document is a parsed camt.052, camt.053 or camt.054 message: a group header and its
// reports, notifications or statements.
type Document struct {
	// Message is "camt.052", "camt.053" or "camt.054"; Version is the namespace's
	// version, such as "001.08".
	Message       string         `json:"message"`
	Version       string         `json:"version"`
	MessageID     string         `json:"message_id"`
	CreatedAt     string         `json:"created_at,omitempty"`
	Notifications []Notification `json:"notifications,omitempty"`
	Statements    []Statement    `json:"statements,omitempty"`
	// Reports are a camt.052's intraday account reports (Rpt).
	Reports []Statement `json:"reports,omitempty"`
}
