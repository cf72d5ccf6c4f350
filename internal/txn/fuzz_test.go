package txn

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"testing"

	"github.com/chipmint/chipmint/internal/crypto"
)

// fuzzSeeds are the golden transactions and a few broken variants of one. More seeds,
// and any crasher found, are committed under testdata/fuzz/FuzzParse.
func fuzzSeeds() [][]byte {
	var seeds [][]byte
	for _, s := range samples() {
		seeds = append(seeds, s.sign())
	}
	issue := seeds[TypeIssue-1]
	seeds = append(seeds,
		nil,
		append(bytes.Clone(issue), 0x00),         // trailing byte
		issue[:len(issue)/2],                     // truncated
		append([]byte{0x98, 0x06}, issue[1:]...), // non-minimal array head
		append([]byte{0x86, 0x18}, issue[1:]...), // non-minimal type
	)
	return seeds
}

func FuzzParse(f *testing.F) {
	for _, b := range fuzzSeeds() {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := Parse(b)
		if err != nil {
			checkRejection(t, s, err)
			return
		}
		if got := marshal(s.Tx); !bytes.Equal(got, b) {
			t.Fatalf("Parse accepted a non-canonical encoding:\ninput     %x\nre-encoded %x", b, got)
		}
		if got := marshal(s.Msg); !bytes.Equal(got, s.Body) {
			t.Fatalf("body re-encodes to %x, want %x", got, []byte(s.Body))
		}
		if len(b) > TxBytesMax {
			t.Fatalf("Parse accepted %d bytes, more than TxBytesMax", len(b))
		}
		if s.Hash != sha256.Sum256(b) {
			t.Fatalf("Hash = %x, want sha256 of the input", s.Hash)
		}
		if s.Sender != crypto.AddressOf(s.Signer) {
			t.Fatalf("Sender = %s, want the signer's address", s.Sender)
		}
		if s.Msg.Type() != s.Type {
			t.Fatalf("Msg type %v under envelope type %v", s.Msg.Type(), s.Type)
		}
		if err := s.Msg.Validate(); err != nil {
			t.Fatalf("Parse accepted a message that does not validate: %v", err)
		}
		if code := CodeOf(s.VerifySignature(testChainID)); code != OK && code != BadSignature {
			t.Fatalf("VerifySignature code = %v, want ok or bad_signature", code)
		}
	})
}

// checkRejection fails t unless a Parse error is a *Error with a decoding code and no
// result beside it.
func checkRejection(t *testing.T, s *Signed, err error) {
	t.Helper()
	if s != nil {
		t.Fatalf("Parse returned a result with error %v", err)
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("Parse error %v is not a *Error", err)
	}
	switch e.Code {
	case Malformed, NonCanonical, UnknownType, InvalidField:
	default:
		t.Fatalf("Parse error code %v (%v), want a decoding code", e.Code, err)
	}
}
