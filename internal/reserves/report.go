package reserves

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/txn"
)

// Format names the report's layout and the domain of its signature.
const Format = "chipmint/reserves/v1"

// Report is a reserves check: the chain at one height beside each operator's bank
// statements. Every amount is in the minor units of the operator's currency; every
// 64-bit quantity is a decimal string in JSON.
type Report struct {
	Format  string `json:"format"`
	ChainID string `json:"chain_id"`
	// Height is the last block whose time is not after the statements' end, and
	// BlockTime its time: the chain's figures are read after it.
	Height       int64  `json:"height"`
	BlockTime    string `json:"block_time"`
	StatementEnd string `json:"statement_end"`
	// Backed is true when every operator is.
	Backed    bool             `json:"backed"`
	Operators []OperatorReport `json:"operators"`
}

// OperatorReport is what the check found of one operator.
type OperatorReport struct {
	Operator string `json:"operator"`
	Currency string `json:"currency"`
	// Account is the operator's bank account as the chain and its statements name it;
	// Statements are the ids of the statements read, oldest first.
	Account    string   `json:"account"`
	Statements []string `json:"statements"`
	// Since is the last height before the statements' period: the chain's records
	// after it and up to the report's height each need their bank entry.
	Since int64 `json:"since"`
	// ClosingMinor is the closing booked balance of the last statement, negative when
	// the account is overdrawn.
	ClosingMinor int64 `json:"closing_minor,string"`
	// The chain's figures of the operator at the report's height: its rate, the chips in
	// circulation through it (escrow and shortfall included), those of them in escrow for
	// a redemption's payout, those issued against payments the bank reversed, and the
	// chips of orders paid and not yet issued.
	Rate             txn.Rate `json:"rate"`
	OutstandingChips uint64   `json:"outstanding_chips,string"`
	EscrowChips      uint64   `json:"escrow_chips,string"`
	ShortfallChips   uint64   `json:"shortfall_chips,string"`
	PaidChips        uint64   `json:"paid_chips,string"`
	// The same at the rate, rounded up: what the money must cover.
	OutstandingMinor uint64 `json:"outstanding_minor,string"`
	EscrowMinor      uint64 `json:"escrow_minor,string"`
	ShortfallMinor   uint64 `json:"shortfall_minor,string"`
	PaidMinor        uint64 `json:"paid_minor,string"`
	// OwedMinor is the money owed back at the height: surpluses over what orders asked
	// for and underpaid orders, not refunded. OpenCreditsMinor is the credits no record
	// of the chain explains (open exceptions), owed to their payers until refunded.
	OwedMinor        uint64 `json:"owed_minor,string"`
	OpenCreditsMinor uint64 `json:"open_credits_minor,string"`
	// InTransitMinor is the net money of the entries booked within the statements whose
	// records came to the chain after the height: credits confirmed or refunded after it
	// add, payouts and refunds recorded after it take away.
	InTransitMinor int64 `json:"in_transit_minor,string"`
	// LiabilitiesMinor is what the balance must cover: outstanding, paid, owed, open
	// credits and what is in transit. DifferenceMinor is the closing balance less the
	// liabilities: below zero, chips are not backed.
	LiabilitiesMinor uint64 `json:"liabilities_minor,string"`
	DifferenceMinor  int64  `json:"difference_minor,string"`
	// Entries is how many booked entries the statements hold; Findings every entry and
	// record the check could not explain, and every statement that does not add up.
	Entries  int       `json:"entries"`
	Findings []Finding `json:"findings"`
	// Backed: the difference is not negative and nothing is unexplained.
	Backed bool `json:"backed"`
}

// FindingKind is what a finding is.
type FindingKind string

// The kinds of findings.
const (
	// UnexplainedEntry is a booked entry that no confirmation, payout, refund, reversal
	// or return on the chain explains.
	UnexplainedEntry FindingKind = "unexplained_entry"
	// MissingEntry is a record of the chain (a confirmation, a payout, a refund, a
	// return) that claims a booking the statements do not hold.
	MissingEntry FindingKind = "missing_entry"
	// AmountMismatch is an entry whose amount is not what the chain's record says.
	AmountMismatch FindingKind = "amount_mismatch"
	// StatementError is a statement that does not add up, or statements that do not
	// follow each other.
	StatementError FindingKind = "statement_error"
	// NoStatement is an operator with chips or money to back and no statement.
	NoStatement FindingKind = "no_statement"
)

// Finding is one thing the check could not explain.
type Finding struct {
	Kind        FindingKind `json:"kind"`
	Reference   string      `json:"reference,omitempty"`
	AmountMinor uint64      `json:"amount_minor,omitempty,string"`
	CreditDebit string      `json:"credit_debit,omitempty"`
	BookingDate string      `json:"booking_date,omitempty"`
	Statement   string      `json:"statement,omitempty"`
	// Record is the chain's record concerned, such as "order 0A1B…", and Height the
	// height at which it was recorded.
	Record string `json:"record,omitempty"`
	Height int64  `json:"height,omitempty"`
	Reason string `json:"reason"`
}

// Signed is a report sealed by an auditor: the report's bytes as signed, the auditor's
// key and address, and the signature of the report's digest.
type Signed struct {
	Report    json.RawMessage `json:"report"`
	Auditor   crypto.Address  `json:"auditor"`
	PublicKey string          `json:"public_key"`
	Signature string          `json:"signature"`
}

// Digest is the SHA-256 of a report's bytes as signed, JSON in its compact form: what
// the chain's attestation records.
func Digest(report []byte) [32]byte { return sha256.Sum256(report) }

// signBytes is what an auditor signs: the format, a zero byte and the report's digest.
func signBytes(digest [32]byte) []byte {
	return append(append([]byte(Format), 0), digest[:]...)
}

// Sign seals r with the auditor's key: the report is encoded once, and those bytes are
// what the digest and the signature cover.
func Sign(r Report, auditor crypto.Signer) (Signed, error) {
	body, err := json.Marshal(r)
	if err != nil {
		return Signed{}, fmt.Errorf("reserves: encode the report: %w", err)
	}
	pub, err := crypto.PublicKeyOf(auditor)
	if err != nil {
		return Signed{}, err
	}
	sig, err := crypto.Sign(auditor, signBytes(Digest(body)))
	if err != nil {
		return Signed{}, fmt.Errorf("reserves: sign the report: %w", err)
	}
	return Signed{Report: body, Auditor: crypto.AddressOf(pub), PublicKey: hex.EncodeToString(pub), Signature: hex.EncodeToString(sig)}, nil
}

// Errors of Open.
var (
	// ErrBadSignature is a signature that does not verify: the report was changed
	// after it was signed, or signed by another key than it names.
	ErrBadSignature = errors.New("reserves: the signature does not verify")
	// ErrMalformed is a sealed report that cannot be read.
	ErrMalformed = errors.New("reserves: malformed signed report")
	// ErrNotAuditor is a report sealed by a key that is not an auditor's.
	ErrNotAuditor = errors.New("reserves: not signed by an auditor")
)

// Verify opens a sealed report and checks that its key is one of the auditors'.
func Verify(file []byte, auditors []crypto.Address) (Report, [32]byte, Signed, error) {
	r, digest, s, err := Open(file)
	if err != nil {
		return Report{}, [32]byte{}, s, err
	}
	if !slices.Contains(auditors, s.Auditor) {
		return Report{}, [32]byte{}, s, fmt.Errorf("%w: %s is none of the %d auditors", ErrNotAuditor, s.Auditor, len(auditors))
	}
	return r, digest, s, nil
}

// ErrAttestationDiffers is a chain's attestation of a report whose figures are not
// the report's.
var ErrAttestationDiffers = errors.New("reserves: the chain's attestation differs from the report")

// MatchesAttestation checks the chain's records of a report's attestation (none, when
// it was not attested) against the report: the same height, statements' end and
// figures of each operator.
func MatchesAttestation(r Report, digest [32]byte, records []txn.ReservesAttestation) error {
	if len(records) == 0 {
		return nil
	}
	want, err := Attestation(r, digest)
	if err != nil {
		return err
	}
	if len(records) != len(want.Operators) {
		return fmt.Errorf("%w: %d operators attested, the report has %d", ErrAttestationDiffers, len(records), len(want.Operators))
	}
	for _, rec := range records {
		i := slices.IndexFunc(want.Operators, func(o txn.OperatorReserves) bool { return o.Operator == rec.Operator })
		if i < 0 {
			return fmt.Errorf("%w: operator %s is attested, not in the report", ErrAttestationDiffers, rec.Operator)
		}
		got := txn.OperatorReserves{Operator: rec.Operator, Currency: rec.Currency, BalanceMinor: rec.BalanceMinor,
			LiabilitiesMinor: rec.LiabilitiesMinor, OutstandingChips: rec.OutstandingChips, Unexplained: rec.Unexplained, Backed: rec.Backed}
		if got != want.Operators[i] || rec.ReportHeight != want.ReportHeight || rec.StatementEnd != want.StatementEnd {
			return fmt.Errorf("%w: operator %s attested %+v at height %d, the report says %+v at %d", ErrAttestationDiffers,
				rec.Operator, got, rec.ReportHeight, want.Operators[i], want.ReportHeight)
		}
	}
	return nil
}

// Open checks a sealed report's signature against the key it names and returns the
// report and its digest. Whether that key is an auditor's is the caller's to check,
// against the chain or a key it trusts.
func Open(file []byte) (Report, [32]byte, Signed, error) {
	var s Signed
	if err := strictJSON(file, &s); err != nil {
		return Report{}, [32]byte{}, s, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	pub, err := hex.DecodeString(s.PublicKey)
	if err != nil || crypto.CheckPublicKey(pub) != nil {
		return Report{}, [32]byte{}, s, fmt.Errorf("%w: public_key %q is not an Ed25519 key in hex", ErrMalformed, s.PublicKey)
	}
	if crypto.AddressOf(pub) != s.Auditor {
		return Report{}, [32]byte{}, s, fmt.Errorf("%w: auditor %s is not the address of public_key %s", ErrBadSignature, s.Auditor, s.PublicKey)
	}
	sig, err := hex.DecodeString(s.Signature)
	if err != nil {
		return Report{}, [32]byte{}, s, fmt.Errorf("%w: signature is not hex", ErrMalformed)
	}
	// The report is signed in its compact form: the file may lay it out as it likes.
	var compact bytes.Buffer
	if err := json.Compact(&compact, s.Report); err != nil {
		return Report{}, [32]byte{}, s, fmt.Errorf("%w: report: %w", ErrMalformed, err)
	}
	s.Report = compact.Bytes()
	digest := Digest(s.Report)
	if !crypto.Verify(pub, signBytes(digest), sig) {
		return Report{}, [32]byte{}, s, fmt.Errorf("%w: by %s of report digest %x", ErrBadSignature, s.Auditor, digest)
	}
	var r Report
	if err := strictJSON(s.Report, &r); err != nil {
		return Report{}, [32]byte{}, s, fmt.Errorf("%w: report: %w", ErrMalformed, err)
	}
	if r.Format != Format {
		return Report{}, [32]byte{}, s, fmt.Errorf("%w: report format %q, want %q", ErrMalformed, r.Format, Format)
	}
	return r, digest, s, nil
}

// strictJSON decodes one JSON value into v, refusing fields v does not have.
func strictJSON(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("more than one JSON value")
	}
	return nil
}
