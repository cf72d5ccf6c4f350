package txn

import "testing"

// benchTransfer is a signed transfer as a wallet sends it.
func benchTransfer() []byte {
	return mustSign(testChainID, &Transfer{To: addrOf(buyerKey), AmountChips: 1_000_000}, holderKey, 42, testValidUntil)
}

func BenchmarkParseTransfer(b *testing.B) {
	raw := benchTransfer()
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		if _, err := Parse(raw); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyTransfer(b *testing.B) {
	tx, err := Parse(benchTransfer())
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := tx.VerifySignature(testChainID); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSignTransfer(b *testing.B) {
	for b.Loop() {
		benchTransfer()
	}
}
