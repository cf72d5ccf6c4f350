package reserves

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/txn"
)

func sealed(t *testing.T) ([]byte, ed25519.PrivateKey) {
	t.Helper()
	_, key, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	r := Check(Input{ChainID: "test", Height: 100, Operators: []OperatorInput{{Operator: newWorld().op}}})
	s, err := Sign(r, key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	a, err := Seal(r, key, dir)
	if err != nil {
		t.Fatal(err)
	}
	file, err := os.ReadFile(a.File)
	if err != nil {
		t.Fatal(err)
	}
	if a.Digest != hex.EncodeToString(func() []byte { d := Digest(s.Report); return d[:] }()) {
		t.Fatalf("sealed digest %s", a.Digest)
	}
	return file, key
}

func address(k ed25519.PrivateKey) crypto.Address {
	return crypto.AddressOf(k.Public().(ed25519.PublicKey))
}

func TestSealedReportVerifies(t *testing.T) {
	file, key := sealed(t)
	r, digest, _, err := Verify(file, []crypto.Address{address(key)})
	if err != nil {
		t.Fatal(err)
	}
	var s Signed
	if err := json.Unmarshal(file, &s); err != nil {
		t.Fatal(err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, s.Report); err != nil {
		t.Fatal(err)
	}
	if digest != Digest(compact.Bytes()) || r.ChainID != "test" || r.Backed || len(r.Operators) != 1 {
		t.Errorf("report %+v, digest %x", r, digest)
	}
}

// The sealed file lays the report out for people; the signature holds whatever the
// layout, and a changed value breaks it.
func TestSealedReportsLayoutDoesNotMatter(t *testing.T) {
	file, key := sealed(t)
	var s Signed
	if err := json.Unmarshal(file, &s); err != nil {
		t.Fatal(err)
	}
	compact, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(compact, file) {
		t.Fatal("the sealed file is compact already")
	}
	if _, _, _, err := Verify(compact, []crypto.Address{address(key)}); err != nil {
		t.Errorf("the same report laid out otherwise: %v", err)
	}
}

func TestTamperedReportRefused(t *testing.T) {
	file, key := sealed(t)
	tampered := bytes.Replace(file, []byte(`"backed": false`), []byte(`"backed": true`), 1)
	if bytes.Equal(tampered, file) {
		t.Fatalf("nothing to tamper with in %s", file)
	}
	if _, _, _, err := Verify(tampered, []crypto.Address{address(key)}); !errors.Is(err, ErrBadSignature) {
		t.Errorf("tampered report: %v", err)
	}
}

func TestReportOfAnotherKeyRefused(t *testing.T) {
	file, key := sealed(t)
	_, other, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("signed by a key that is no auditor's", func(t *testing.T) {
		if _, _, _, err := Verify(file, []crypto.Address{address(other)}); !errors.Is(err, ErrNotAuditor) {
			t.Errorf("%v", err)
		}
	})
	t.Run("an auditor's key named over another's signature", func(t *testing.T) {
		var s Signed
		if err := json.Unmarshal(file, &s); err != nil {
			t.Fatal(err)
		}
		pub := other.Public().(ed25519.PublicKey)
		s.Auditor, s.PublicKey = crypto.AddressOf(pub), hex.EncodeToString(pub)
		forged, _ := json.Marshal(s)
		if _, _, _, err := Verify(forged, []crypto.Address{address(other), address(key)}); !errors.Is(err, ErrBadSignature) {
			t.Errorf("%v", err)
		}
	})
	t.Run("an address that is not the key's", func(t *testing.T) {
		var s Signed
		if err := json.Unmarshal(file, &s); err != nil {
			t.Fatal(err)
		}
		s.Auditor = address(other)
		forged, _ := json.Marshal(s)
		if _, _, _, err := Verify(forged, []crypto.Address{address(other)}); !errors.Is(err, ErrBadSignature) {
			t.Errorf("%v", err)
		}
	})
}

func TestMalformedReportRefused(t *testing.T) {
	file, key := sealed(t)
	for name, b := range map[string][]byte{
		"not JSON":      []byte("report"),
		"unknown field": bytes.Replace(file, []byte(`"auditor"`), []byte(`"extra":1,"auditor"`), 1),
		"two values":    append(append([]byte{}, file...), file...),
	} {
		if _, _, _, err := Verify(b, []crypto.Address{address(key)}); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestAttestationMatchesItsReport(t *testing.T) {
	r := Check(Input{ChainID: "test", Height: 100, StatementEnd: time.Date(2026, 12, 1, 23, 59, 59, 0, time.UTC),
		Operators: []OperatorInput{{Operator: newWorld().op}}})
	digest := [32]byte{1}
	m, err := Attestation(r, digest)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Validate(); err != nil {
		t.Fatalf("the attestation of a report does not validate: %v", err)
	}
	o := m.Operators[0]
	rec := txn.ReservesAttestation{Operator: o.Operator, Currency: o.Currency, BalanceMinor: o.BalanceMinor, LiabilitiesMinor: o.LiabilitiesMinor,
		OutstandingChips: o.OutstandingChips, Unexplained: o.Unexplained, Backed: o.Backed, ReportDigest: digest[:],
		ReportHeight: m.ReportHeight, StatementEnd: m.StatementEnd, Height: 101}
	if err := MatchesAttestation(r, digest, []txn.ReservesAttestation{rec}); err != nil {
		t.Errorf("the report's own attestation: %v", err)
	}
	if err := MatchesAttestation(r, digest, nil); err != nil {
		t.Errorf("no attestation: %v", err)
	}
	changed := rec
	changed.LiabilitiesMinor--
	if err := MatchesAttestation(r, digest, []txn.ReservesAttestation{changed}); !errors.Is(err, ErrAttestationDiffers) {
		t.Errorf("changed liabilities: %v", err)
	}
	other := rec
	other.Operator = "bravo"
	if err := MatchesAttestation(r, digest, []txn.ReservesAttestation{other}); !errors.Is(err, ErrAttestationDiffers) {
		t.Errorf("another operator: %v", err)
	}
	many := r
	for range txn.ReservesOperatorsMax {
		many.Operators = append(many.Operators, r.Operators[0])
	}
	if _, err := Attestation(many, digest); err == nil {
		t.Errorf("an attestation of %d operators", len(many.Operators))
	}
}
