package txn

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/chipmint/chipmint/internal/golden"
)

// goldenDir holds one hex file per canonical encoding. The bytes of a transaction and
// of what is signed are consensus: every node must produce and accept exactly these.
const goldenDir = "testdata/golden"

// checkGolden compares b with the golden file name, or rewrites it under -update.
func checkGolden(t *testing.T, name string, b []byte) {
	t.Helper()
	golden.CheckHex(t, goldenDir, name, b, "old nodes reject or hash the new bytes differently")
}

func TestGoldenTx(t *testing.T) {
	for _, tt := range samples() {
		t.Run(tt.name, func(t *testing.T) {
			b := tt.sign()
			checkGolden(t, tt.name, b)
			s := mustParse(t, b)
			checkGolden(t, tt.name+".sign", s.signBytes(testChainID))
			if err := s.VerifySignature(testChainID); err != nil {
				t.Fatalf("golden tx does not verify: %v", err)
			}
		})
	}
}

func TestGoldenReceiptSignBytes(t *testing.T) {
	checkGolden(t, "receipt.sign", ReceiptSignBytes(testChainID, validReceipt()))
}

// TestGoldenFilesParse reads the committed files back, independently of Sign, so that a
// change to the decoder alone (accepting or rejecting differently) is caught too.
func TestGoldenFilesParse(t *testing.T) {
	for _, tt := range samples() {
		t.Run(tt.name, func(t *testing.T) {
			b := golden.ReadHex(t, filepath.Join(goldenDir, tt.name+".hex"))
			s := mustParse(t, b)
			if s.Type != tt.msg.Type() {
				t.Fatalf("Type = %v, want %v", s.Type, tt.msg.Type())
			}
			if err := s.VerifySignature(testChainID); err != nil {
				t.Fatalf("VerifySignature: %v", err)
			}
			if sign := golden.ReadHex(t, filepath.Join(goldenDir, tt.name+".sign.hex")); !bytes.Equal(s.signBytes(testChainID), sign) {
				t.Fatalf("sign bytes of the golden tx differ from %s.sign.hex", tt.name)
			}
		})
	}
}
