package reserves

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"testing"

	"github.com/chipmint/chipmint/internal/crypto"
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
	file, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return file, key
}

func address(k ed25519.PrivateKey) crypto.Address {
	return crypto.AddressOf(k.Public().(ed25519.PublicKey))
}

func TestSealedReportVerifies(t *testing.T) {
	file, key := sealed(t)
	r, digest, err := Verify(file, []crypto.Address{address(key)})
	if err != nil {
		t.Fatal(err)
	}
	var s Signed
	if err := json.Unmarshal(file, &s); err != nil {
		t.Fatal(err)
	}
	if digest != Digest(s.Report) || r.ChainID != "test" || r.Backed || len(r.Operators) != 1 {
		t.Errorf("report %+v, digest %x", r, digest)
	}
}

func TestTamperedReportRefused(t *testing.T) {
	file, key := sealed(t)
	tampered := bytes.Replace(file, []byte(`"backed":false`), []byte(`"backed":true`), 1)
	if bytes.Equal(tampered, file) {
		t.Fatalf("nothing to tamper with in %s", file)
	}
	if _, _, err := Verify(tampered, []crypto.Address{address(key)}); !errors.Is(err, ErrBadSignature) {
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
		if _, _, err := Verify(file, []crypto.Address{address(other)}); !errors.Is(err, ErrNotAuditor) {
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
		if _, _, err := Verify(forged, []crypto.Address{address(other), address(key)}); !errors.Is(err, ErrBadSignature) {
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
		if _, _, err := Verify(forged, []crypto.Address{address(other)}); !errors.Is(err, ErrBadSignature) {
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
		if _, _, err := Verify(b, []crypto.Address{address(key)}); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
