package txn

import (
	"crypto/ed25519"
	"crypto/sha256"
	"strconv"
	"time"

	"github.com/chipmint/chipmint/internal/crypto"
)

// ReservesOperatorsMax is the most operators one AttestReserves names: the most whose
// figures always fit in one transaction (TxBytesMax), whatever their ids and amounts.
const ReservesOperatorsMax = 50

// AddAuditor (issuers, controlled) makes a key an auditor's.
type AddAuditor struct {
	_         struct{}       `cbor:",toarray"`
	ID        string         `json:"id"`
	Address   crypto.Address `json:"address"`
	PublicKey []byte         `json:"public_key"`
}

// RemoveAuditor (issuers, controlled) takes an auditor's role away; its attestations
// stay on the chain.
type RemoveAuditor struct {
	_       struct{}       `cbor:",toarray"`
	Address crypto.Address `json:"address"`
}

// AttestReserves (auditor) records an auditor's signed reserves report on the chain: its
// digest, the height its chain figures were read at, and the figures of each operator.
type AttestReserves struct {
	_            struct{}           `cbor:",toarray"`
	ReportDigest []byte             `json:"report_digest"` // SHA-256 of the signed report, 32 bytes (JSON: base64, as every byte field)
	ReportHeight int64              `json:"report_height"` // the chain height the report compared with
	StatementEnd string             `json:"statement_end"` // RFC 3339 UTC time the bank statements end at
	Operators    []OperatorReserves `json:"operators"`
}

// OperatorReserves is what a reserves report found of one operator.
type OperatorReserves struct {
	_                struct{} `cbor:",toarray"`
	Operator         string   `json:"operator"`
	Currency         string   `json:"currency"`
	BalanceMinor     int64    `json:"balance_minor,string"`     // the closing booked balance; negative when overdrawn
	LiabilitiesMinor uint64   `json:"liabilities_minor,string"` // what chips outstanding, paid orders and money owed back call for
	OutstandingChips uint64   `json:"outstanding_chips,string"`
	Unexplained      uint64   `json:"unexplained,string"` // bank entries and confirmations the report could not explain
	Backed           bool     `json:"backed"`             // balance covers liabilities and nothing is unexplained
}

// Covered reports whether the figures show the operator backed: a balance that is not
// overdrawn covers the liabilities, and nothing is unexplained. A report may say less
// (Backed false), never more.
func (o OperatorReserves) Covered() bool {
	return o.BalanceMinor >= 0 && uint64(o.BalanceMinor) >= o.LiabilitiesMinor && o.Unexplained == 0
}

// Type implements Msg.
func (AddAuditor) Type() Type { return TypeAddAuditor }

// Type implements Msg.
func (RemoveAuditor) Type() Type { return TypeRemoveAuditor }

// Type implements Msg.
func (AttestReserves) Type() Type { return TypeAttestReserves }

// Validate implements Msg.
func (m AddAuditor) Validate() error {
	if err := checkText("id", m.ID, partyIDBytesMax); err != nil {
		return err
	}
	return checkKeyAddress("public_key", m.PublicKey, m.Address)
}

// Validate implements Msg.
func (m RemoveAuditor) Validate() error {
	if m.Address.IsZero() {
		return Errorf(InvalidField, "address: missing address")
	}
	return nil
}

// Validate implements Msg.
func (m AttestReserves) Validate() error {
	if len(m.ReportDigest) != sha256.Size {
		return Errorf(InvalidField, "report_digest: want a SHA-256 digest of %d bytes, got %d", sha256.Size, len(m.ReportDigest))
	}
	if m.ReportHeight < 1 {
		return Errorf(InvalidField, "report_height: want a height of at least 1, got %d", m.ReportHeight)
	}
	if err := checkTime("statement_end", m.StatementEnd); err != nil {
		return err
	}
	if n := len(m.Operators); n == 0 || n > ReservesOperatorsMax {
		return Errorf(InvalidField, "operators: want 1 to %d, got %d", ReservesOperatorsMax, n)
	}
	for i, o := range m.Operators {
		field := "operators[" + strconv.Itoa(i) + "]"
		if err := checkOperatorID(field+".operator", o.Operator); err != nil {
			return err
		}
		if i > 0 && o.Operator <= m.Operators[i-1].Operator {
			return Errorf(InvalidField, "%s.operator: %q after %q: operators are listed once each, by id", field, o.Operator, m.Operators[i-1].Operator)
		}
		if err := checkCurrency(field+".currency", o.Currency); err != nil {
			return err
		}
		if o.Backed && !o.Covered() {
			return Errorf(InvalidField, "%s.backed: true, but a balance of %d minor units against liabilities of %d with %d entries unexplained is not backed",
				field, o.BalanceMinor, o.LiabilitiesMinor, o.Unexplained)
		}
	}
	return nil
}

// checkTime requires an RFC 3339 time in its one canonical form: UTC, written with Z,
// fractions of a second only when there are any and without trailing zeros (Go's
// time.RFC3339Nano of the time in UTC).
func checkTime(field, s string) error {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return Errorf(InvalidField, "%s: %q is not an RFC 3339 time", field, s)
	}
	if canonical := t.UTC().Format(time.RFC3339Nano); canonical != s {
		return Errorf(InvalidField, "%s: %q is not in canonical form %q", field, s, canonical)
	}
	return nil
}

// NewAddAuditor makes the key pub auditor id's.
func NewAddAuditor(id string, pub ed25519.PublicKey) *AddAuditor {
	return &AddAuditor{ID: id, Address: crypto.AddressOf(pub), PublicKey: append([]byte(nil), pub...)}
}

// ReservesAttestation is what an auditor attested of one operator, as the ledger stores
// it for every operator of an AttestReserves: the report's figures, the report's digest
// and the heights it was read at and attested at.
type ReservesAttestation struct {
	Operator         string `cbor:"operator" json:"operator"`
	Currency         string `cbor:"currency" json:"currency"`
	BalanceMinor     int64  `cbor:"balance_minor" json:"balance_minor,string"`
	LiabilitiesMinor uint64 `cbor:"liabilities_minor" json:"liabilities_minor,string"`
	OutstandingChips uint64 `cbor:"outstanding_chips" json:"outstanding_chips,string"`
	Unexplained      uint64 `cbor:"unexplained" json:"unexplained,string"`
	Backed           bool   `cbor:"backed" json:"backed"`
	// ReportDigest is the SHA-256 of the signed report (JSON: base64).
	ReportDigest []byte `cbor:"report_digest" json:"report_digest"`
	// ReportHeight is the height whose chain figures the report compared with;
	// StatementEnd the end of the bank statements it read.
	ReportHeight int64  `cbor:"report_height" json:"report_height"`
	StatementEnd string `cbor:"statement_end" json:"statement_end"`
	// Auditor signed the attestation, in the block at Height.
	Auditor crypto.Address `cbor:"auditor" json:"auditor"`
	Height  int64          `cbor:"height" json:"height"`
}
