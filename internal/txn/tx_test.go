package txn

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/fiat"
)

func TestSignParseRoundTrip(t *testing.T) {
	for _, tt := range samples() {
		t.Run(tt.name, func(t *testing.T) {
			b := tt.sign()
			s := mustParse(t, b)

			if s.Type != tt.msg.Type() {
				t.Errorf("Type = %v, want %v", s.Type, tt.msg.Type())
			}
			got := reflect.ValueOf(s.Msg)
			if got.Kind() != reflect.Pointer {
				t.Fatalf("Msg is %T, want a pointer to %T", s.Msg, tt.msg)
			}
			if !reflect.DeepEqual(got.Elem().Interface(), tt.msg) {
				t.Errorf("Msg = %+v, want %+v", got.Elem().Interface(), tt.msg)
			}
			if want := addrOf(tt.signer); s.Sender != want {
				t.Errorf("Sender = %s, want %s", s.Sender, want)
			}
			if !bytes.Equal(s.Signer, pubOf(tt.signer)) {
				t.Errorf("Signer = %x, want %x", s.Signer, pubOf(tt.signer))
			}
			if s.Nonce != tt.nonce || s.ValidUntil != testValidUntil {
				t.Errorf("Nonce, ValidUntil = %d, %d, want %d, %d", s.Nonce, s.ValidUntil, tt.nonce, testValidUntil)
			}
			if want := sha256.Sum256(b); s.Hash != want {
				t.Errorf("Hash = %x, want %x", s.Hash, want)
			}
			if err := s.VerifySignature(testChainID); err != nil {
				t.Errorf("VerifySignature(%q) = %v, want nil", testChainID, err)
			}
			if code := CodeOf(s.VerifySignature("other-chain")); code != BadSignature {
				t.Errorf("VerifySignature(other-chain) code = %v, want %v", code, BadSignature)
			}
		})
	}
}

// txPieces are the canonical encodings of an envelope's six fields, in order; joined
// under the array head 0x86 they are the envelope's canonical encoding.
func txPieces(tx Tx) [][]byte {
	return [][]byte{
		marshal(tx.Type), marshal(tx.Signer), marshal(tx.Nonce),
		marshal(tx.ValidUntil), append([]byte(nil), tx.Body...), marshal(tx.Signature),
	}
}

// cborArray joins items under a definite array head built by marshal, so a test can
// splice hand-made (for example non-canonical) items into an otherwise canonical array.
func cborArray(items ...[]byte) []byte {
	head := marshal(make([]struct{}, len(items)))[:1]
	if len(items) > 23 {
		panic("cborArray: only short arrays")
	}
	return append(head, bytes.Join(items, nil)...)
}

// uint64Head8 encodes v with the 8-byte argument (0x1b), which is canonical only for
// values above MaxUint32.
func uint64Head8(v uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte{0x1b}, v)
}

// withPiece returns the envelope of tx with field i replaced by the raw item b.
func withPiece(tx Tx, i int, b []byte) []byte {
	p := txPieces(tx)
	p[i] = b
	return cborArray(p...)
}

// Field positions in the envelope.
const (
	pieceType = iota
	pieceSigner
	pieceNonce
	pieceValidUntil
	pieceBody
	pieceSignature
)

// baseIssueTx is the decoded envelope of the sample Issue transaction.
func baseIssueTx(t *testing.T) Tx {
	t.Helper()
	return mustParse(t, mustSign(testChainID, validIssue(), issuerKey, 2, testValidUntil)).Tx
}

func TestTxPiecesAreCanonical(t *testing.T) {
	// The rejection tests below build envelopes from pieces; this pins that the pieces
	// of an untouched transaction give back exactly what Sign produced.
	b := mustSign(testChainID, validIssue(), issuerKey, 2, testValidUntil)
	tx := mustParse(t, b).Tx
	if got := cborArray(txPieces(tx)...); !bytes.Equal(got, b) {
		t.Fatalf("pieces joined = %x, want %x", got, b)
	}
}

func TestParseRejects(t *testing.T) {
	base := baseIssueTx(t)
	canonical := marshal(base)
	issueBody := func(items ...[]byte) []byte { return cborArray(items...) }
	orderID := marshal(validIssue().OrderID)
	chips := marshal(validIssue().Chips)
	to := addrOf(holderKey)
	toInts := make([]uint64, len(to))
	for i, c := range to {
		toInts[i] = uint64(c)
	}

	withTx := func(f func(tx *Tx)) []byte {
		tx := base
		tx.Signer = append([]byte(nil), base.Signer...)
		tx.Signature = append([]byte(nil), base.Signature...)
		f(&tx)
		return marshal(tx)
	}
	// sized returns the envelope with a signature padded so the whole is n bytes.
	sized := func(n int) []byte {
		tx := base
		tx.Signature = make([]byte, 64)
		over := len(marshal(tx)) - 64
		for size := n - over; ; size-- {
			tx.Signature = make([]byte, size)
			if b := marshal(tx); len(b) <= n {
				if len(b) != n {
					panic(fmt.Sprintf("cannot build a %d-byte transaction", n))
				}
				return b
			}
		}
	}

	tests := []struct {
		name string
		tx   []byte
		want Code
	}{
		{name: "canonical", tx: canonical, want: OK},
		{name: "empty", tx: nil, want: Malformed},
		{name: "garbage", tx: []byte("not a transaction"), want: Malformed},
		{name: "single byte", tx: []byte{0x86}, want: Malformed},
		{name: "truncated", tx: canonical[:len(canonical)-1], want: Malformed},
		{name: "oversize", tx: sized(TxBytesMax + 1), want: Malformed},
		// At the limit, the size check passes and the padded signature is what fails.
		{name: "exactly TxBytesMax", tx: sized(TxBytesMax), want: InvalidField},
		{name: "unknown type 99", tx: withTx(func(tx *Tx) { tx.Type = 99 }), want: UnknownType},
		{name: "unknown type 0", tx: withTx(func(tx *Tx) { tx.Type = 0 }), want: UnknownType},
		{name: "unknown type 38", tx: withTx(func(tx *Tx) { tx.Type = 38 }), want: UnknownType},
		{name: "type does not fit a byte", tx: withPiece(base, pieceType, marshal(uint64(256))), want: Malformed},
		{name: "type negative", tx: withPiece(base, pieceType, []byte{0x20}), want: Malformed},
		{name: "body of another type", tx: withTx(func(tx *Tx) { tx.Type = TypeTransfer }), want: Malformed},
		// The decoder fills a fixed-size address from a shorter or longer byte string;
		// only the re-encoding check catches it.
		{
			name: "address of 19 bytes",
			tx:   withTx(func(tx *Tx) { tx.Type, tx.Body = TypeTransfer, cborArray(marshal(to[:19]), marshal(uint64(5))) }),
			want: NonCanonical,
		},
		{
			name: "address of 21 bytes",
			tx: withTx(func(tx *Tx) {
				tx.Type, tx.Body = TypeTransfer, cborArray(marshal(append(to[:], 0)), marshal(uint64(5)))
			}),
			want: NonCanonical,
		},
		{
			name: "address as array of integers",
			tx:   withTx(func(tx *Tx) { tx.Type, tx.Body = TypeTransfer, cborArray(marshal(toInts), marshal(uint64(5))) }),
			want: NonCanonical,
		},
		{name: "body of register operator type", tx: withTx(func(tx *Tx) { tx.Type = TypeRegisterOperator }), want: Malformed},
		{name: "envelope with 5 fields", tx: cborArray(txPieces(base)[:5]...), want: Malformed},
		{name: "envelope with 7 fields", tx: cborArray(append(txPieces(base), marshal(uint64(0)))...), want: Malformed},
		{name: "envelope as map", tx: marshal(map[uint64]uint64{0: 5}), want: Malformed},
		{
			name: "envelope as indefinite-length array",
			tx:   append(append([]byte{0x9f}, bytes.Join(txPieces(base), nil)...), 0xff),
			want: Malformed,
		},
		{name: "envelope tagged", tx: append([]byte{0xd8, 0x18}, canonical...), want: Malformed},
		{name: "envelope array head non-minimal", tx: append([]byte{0x98, 0x06}, canonical[1:]...), want: NonCanonical},
		{name: "type non-minimal", tx: withPiece(base, pieceType, []byte{0x18, byte(TypeIssue)}), want: NonCanonical},
		{
			name: "nonce non-minimal 0x1b",
			tx:   withPiece(base, pieceNonce, uint64Head8(base.Nonce)),
			want: NonCanonical,
		},
		{
			name: "valid_until non-minimal 0x1a",
			tx:   withPiece(base, pieceValidUntil, []byte{0x1a, 0, 0, 0x01, 0xf4}),
			want: NonCanonical,
		},
		{
			name: "signer length non-minimal",
			tx:   withPiece(base, pieceSigner, append([]byte{0x59, 0x00, 0x20}, base.Signer...)),
			want: NonCanonical,
		},
		{
			name: "signer as indefinite-length byte string",
			tx:   withPiece(base, pieceSigner, append(append([]byte{0x5f}, marshal(base.Signer)...), 0xff)),
			want: Malformed,
		},
		{name: "signer as text string", tx: withPiece(base, pieceSigner, marshal(string(base.Signer[:16]))), want: Malformed},
		{name: "signer null", tx: withPiece(base, pieceSigner, []byte{0xf6}), want: InvalidField},
		{name: "trailing zero byte", tx: append(bytes.Clone(canonical), 0x00), want: Malformed},
		{name: "trailing second tx", tx: append(bytes.Clone(canonical), canonical...), want: Malformed},
		{name: "body as map", tx: withPiece(base, pieceBody, marshal(map[uint64]any{0: validIssue().OrderID, 1: validIssue().Chips})), want: Malformed},
		{
			name: "body as indefinite-length array",
			tx:   withPiece(base, pieceBody, append(append([]byte{0x9f}, append(orderID, chips...)...), 0xff)),
			want: Malformed,
		},
		{
			name: "body chips non-minimal",
			tx:   withPiece(base, pieceBody, issueBody(orderID, uint64Head8(validIssue().Chips))),
			want: NonCanonical,
		},
		{
			name: "body order id length non-minimal",
			tx:   withPiece(base, pieceBody, issueBody(append([]byte{0x78, 20}, validIssue().OrderID...), chips)),
			want: NonCanonical,
		},
		{name: "body with extra field", tx: withPiece(base, pieceBody, issueBody(orderID, chips, chips)), want: Malformed},
		{name: "body with missing field", tx: withPiece(base, pieceBody, issueBody(orderID)), want: Malformed},
		{name: "body null", tx: withPiece(base, pieceBody, []byte{0xf6}), want: NonCanonical},
		{name: "body wrapped in byte string", tx: withPiece(base, pieceBody, marshal(marshal(validIssue()))), want: Malformed},
		{name: "body tagged", tx: withPiece(base, pieceBody, append([]byte{0xd8, 0x18}, marshal(validIssue())...)), want: Malformed},
		{name: "signer of 31 bytes", tx: withTx(func(tx *Tx) { tx.Signer = tx.Signer[:31] }), want: InvalidField},
		{name: "signer of 33 bytes", tx: withTx(func(tx *Tx) { tx.Signer = append(tx.Signer, 0) }), want: InvalidField},
		{name: "signature of 63 bytes", tx: withTx(func(tx *Tx) { tx.Signature = tx.Signature[:63] }), want: InvalidField},
		{name: "signature empty", tx: withTx(func(tx *Tx) { tx.Signature = []byte{} }), want: InvalidField},
		{name: "valid_until 0", tx: withTx(func(tx *Tx) { tx.ValidUntil = 0 }), want: InvalidField},
		{name: "invalid body field", tx: withTx(func(tx *Tx) { tx.Body = marshal(Issue{OrderID: testOrderID()}) }), want: InvalidField},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse(tt.tx)
			if code := CodeOf(err); code != tt.want {
				t.Fatalf("Parse code = %v (%v), want %v", code, err, tt.want)
			}
			if tt.want != OK {
				if s != nil {
					t.Fatalf("Parse returned %+v with error %v, want nil", s, err)
				}
				var e *Error
				if !errors.As(err, &e) || e.Reason == "" {
					t.Fatalf("Parse error %v is not a *Error with a reason", err)
				}
			}
		})
	}
}

func TestVerifySignatureTampered(t *testing.T) {
	orig := mustSign(testChainID, validTransfer(), buyerKey, 9, testValidUntil)
	base := mustParse(t, orig).Tx
	tamper := func(f func(tx *Tx)) []byte {
		tx := base
		tx.Signer = bytes.Clone(base.Signer)
		tx.Signature = bytes.Clone(base.Signature)
		tx.Body = bytes.Clone(base.Body)
		f(&tx)
		return marshal(tx)
	}
	to := validTransfer().To

	tests := []struct {
		name string
		tx   []byte
		want Code
	}{
		{name: "untouched", tx: orig, want: OK},
		{name: "signature first byte", tx: tamper(func(tx *Tx) { tx.Signature[0] ^= 0x01 }), want: BadSignature},
		{name: "signature last byte", tx: tamper(func(tx *Tx) { tx.Signature[63] ^= 0x80 }), want: BadSignature},
		{
			name: "body amount",
			tx: tamper(func(tx *Tx) {
				tx.Body = marshal(Transfer{To: to, AmountChips: validTransfer().AmountChips + 1})
			}),
			want: BadSignature,
		},
		{
			name: "body address byte",
			tx: tamper(func(tx *Tx) {
				i := bytes.Index(tx.Body, to[:])
				if i < 0 {
					panic("address not found in body")
				}
				tx.Body[i+5] ^= 0x01
			}),
			want: BadSignature,
		},
		{name: "nonce", tx: tamper(func(tx *Tx) { tx.Nonce++ }), want: BadSignature},
		{name: "valid_until", tx: tamper(func(tx *Tx) { tx.ValidUntil++ }), want: BadSignature},
		{name: "signer of another key", tx: tamper(func(tx *Tx) { tx.Signer = bytes.Clone(pubOf(holderKey)) }), want: BadSignature},
		{
			name: "signed for another chain",
			tx:   mustSign("other-chain", validTransfer(), buyerKey, 9, testValidUntil),
			want: BadSignature,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustParse(t, tt.tx)
			if code := CodeOf(s.VerifySignature(testChainID)); code != tt.want {
				t.Fatalf("VerifySignature code = %v, want %v", code, tt.want)
			}
		})
	}
}

func TestReceiptSignature(t *testing.T) {
	r := validReceipt()
	other := validReceipt()
	other.Chips++
	sig := mustSignReceipt(testChainID, r, operatorKey)

	tests := []struct {
		name    string
		pub     []byte
		chainID string
		receipt Receipt
		want    bool
	}{
		{name: "valid", pub: pubOf(operatorKey), chainID: testChainID, receipt: r, want: true},
		{name: "other chain", pub: pubOf(operatorKey), chainID: "other-chain", receipt: r, want: false},
		{name: "other receipt", pub: pubOf(operatorKey), chainID: testChainID, receipt: other, want: false},
		{name: "other key", pub: pubOf(buyerKey), chainID: testChainID, receipt: r, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := crypto.Verify(tt.pub, ReceiptSignBytes(tt.chainID, tt.receipt), sig); got != tt.want {
				t.Fatalf("Verify = %v, want %v", got, tt.want)
			}
		})
	}
	// A receipt signature must never pass as a transaction signature over the same bytes.
	if bytes.Equal(ReceiptSignBytes(testChainID, r), mustParse(t, validSample(t, "submit_receipt").sign()).signBytes(testChainID)) {
		t.Fatal("receipt sign bytes equal transaction sign bytes")
	}
}

func validSample(t *testing.T, name string) sample {
	t.Helper()
	for _, s := range samples() {
		if s.name == name {
			return s
		}
	}
	t.Fatalf("no sample %q", name)
	return sample{}
}

// goldenOrderID is OrderID(address of seed 0x03, 7), computed once and pasted: a change
// renames every order and breaks every payment reference already given to a buyer.
const goldenOrderID = "031AE4EB3AE3C9739AD7"

var upperHex20 = regexp.MustCompile(`^[0-9A-F]{20}$`)

func TestOrderID(t *testing.T) {
	buyer := addrOf(buyerKey)
	holder := addrOf(holderKey)
	tests := []struct {
		name  string
		buyer crypto.Address
		nonce uint64
		want  string // empty: only the format is checked
	}{
		{name: "golden", buyer: buyer, nonce: testBuyNonce, want: goldenOrderID},
		{name: "nonce 0", buyer: buyer, nonce: 0},
		{name: "nonce max", buyer: buyer, nonce: ^uint64(0)},
		{name: "other buyer", buyer: holder, nonce: testBuyNonce},
		{name: "zero address", buyer: crypto.Address{}, nonce: 1},
	}
	seen := make(map[string]string)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := OrderID(tt.buyer, tt.nonce)
			if tt.want != "" && id != tt.want {
				t.Fatalf("OrderID = %q, want %q", id, tt.want)
			}
			if !upperHex20.MatchString(id) {
				t.Fatalf("OrderID = %q, want 20 upper-case hex characters", id)
			}
			if again := OrderID(tt.buyer, tt.nonce); again != id {
				t.Fatalf("OrderID not deterministic: %q then %q", id, again)
			}
			if prev, ok := seen[id]; ok {
				t.Fatalf("OrderID %q equals that of row %q", id, prev)
			}
			seen[id] = tt.name
			if err := checkOrderID("order_id", id); err != nil {
				t.Fatalf("checkOrderID(%q) = %v", id, err)
			}
		})
	}
}

func TestOrderIDDistinctNonces(t *testing.T) {
	buyer := addrOf(buyerKey)
	seen := make(map[string]uint64)
	for nonce := uint64(0); nonce < 1000; nonce++ {
		id := OrderID(buyer, nonce)
		if prev, ok := seen[id]; ok {
			t.Fatalf("OrderID(buyer, %d) = OrderID(buyer, %d) = %q", nonce, prev, id)
		}
		seen[id] = nonce
	}
}

func TestPaymentReference(t *testing.T) {
	tests := []struct {
		name    string
		orderID string
	}{
		{name: "golden order", orderID: goldenOrderID},
		{name: "nonce 0", orderID: OrderID(addrOf(buyerKey), 0)},
		{name: "other buyer", orderID: OrderID(addrOf(holderKey), 1)},
		{name: "all zero", orderID: strings.Repeat("0", orderIDChars)},
		{name: "all F", orderID: strings.Repeat("F", orderIDChars)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ref := PaymentReference(tt.orderID)
			parsed, err := fiat.ParseCreditorReference(ref)
			if err != nil {
				t.Fatalf("ParseCreditorReference(%q): %v", ref, err)
			}
			if parsed.String() != ref {
				t.Fatalf("ParseCreditorReference(%q) = %q, want it unchanged", ref, parsed)
			}
			if !strings.HasPrefix(ref, "RF") || ref[4:] != tt.orderID {
				t.Fatalf("PaymentReference(%q) = %q, want RF, two check digits and the id", tt.orderID, ref)
			}
		})
	}
}

func TestParseOrderID(t *testing.T) {
	ref := PaymentReference(goldenOrderID) // RF43031AE4EB3AE3C9739AD7
	notOrders, err := fiat.NewCreditorReference("031AE4EB3AE3C9739AGZ")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, in string
		want     string // empty: an error wrapping ErrNotOrderID
		reason   string // what the error must say, after "not an order id: "
	}{
		{name: "canonical", in: goldenOrderID, want: goldenOrderID},
		{name: "lower case", in: strings.ToLower(goldenOrderID), want: goldenOrderID},
		{name: "mixed case", in: "031ae4EB3ae3C9739Ad7", want: goldenOrderID},
		{name: "all zero", in: strings.Repeat("0", orderIDChars), want: strings.Repeat("0", orderIDChars)},
		{name: "payment reference", in: ref, want: goldenOrderID},
		{name: "payment reference in print form", in: "RF43 031A E4EB 3AE3 C973 9AD7", want: goldenOrderID},
		{name: "payment reference in lower case", in: strings.ToLower(ref), want: goldenOrderID},
		{name: "payment reference with spaces around", in: " " + ref + " ", want: goldenOrderID},

		{name: "empty", in: "", reason: "want 20 hexadecimal characters"},
		{name: "19 characters", in: goldenOrderID[:19], reason: "want 20 hexadecimal characters"},
		{name: "21 characters", in: goldenOrderID + "0", reason: "want 20 hexadecimal characters"},
		{name: "not hexadecimal", in: "G" + goldenOrderID[1:], reason: "want 20 hexadecimal characters"},
		{name: "id with a space", in: goldenOrderID[:10] + " " + goldenOrderID[10:], reason: "want 20 hexadecimal characters"},
		{name: "id with a space around", in: goldenOrderID + " ", reason: "want 20 hexadecimal characters"},
		{name: "full-width digit", in: "\uff10" + goldenOrderID[1:], reason: "want 20 hexadecimal characters"},
		{name: "0x prefix", in: "0x" + goldenOrderID[2:], reason: "want 20 hexadecimal characters"},
		{name: "reference with wrong check digits", in: "RF44031AE4EB3AE3C9739AD7", reason: "check digits do not verify"},
		{name: "reference with two characters swapped", in: "RF43031AE4EB3AE3C9739A7D", reason: "check digits do not verify"},
		{name: "reference of something else", in: "RF18539007547034", reason: "is an RF reference, but not an order's"},
		{name: "reference of 20 characters that are not hexadecimal", in: string(notOrders), reason: "is an RF reference, but not an order's"},
		{name: "reference without its check digits", in: "RF" + goldenOrderID, reason: "check digits do not verify"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseOrderID(tt.in)
			if tt.want != "" {
				if err != nil || got != tt.want {
					t.Fatalf("ParseOrderID(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
				}
				return
			}
			if !errors.Is(err, ErrNotOrderID) || got != "" {
				t.Fatalf("ParseOrderID(%q) = %q, %v; want an error wrapping %v", tt.in, got, err, ErrNotOrderID)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, "not an order id: ") || !strings.Contains(msg, tt.reason) {
				t.Fatalf("ParseOrderID(%q) error %q, want it to start \"not an order id: \" and say %q", tt.in, msg, tt.reason)
			}
		})
	}
}

// TestParseOrderIDReadsEveryPaymentReference: the reference of any order id maps back
// to the id, and the id to itself.
func TestParseOrderIDReadsEveryPaymentReference(t *testing.T) {
	for nonce := uint64(0); nonce < 1000; nonce++ {
		id := OrderID(addrOf(buyerKey), nonce)
		for _, in := range []string{id, PaymentReference(id)} {
			if got, err := ParseOrderID(in); err != nil || got != id {
				t.Fatalf("ParseOrderID(%q) = %q, %v; want %q", in, got, err, id)
			}
		}
	}
}

func TestPaymentReferenceGolden(t *testing.T) {
	const want = "RF43031AE4EB3AE3C9739AD7"
	if got := PaymentReference(goldenOrderID); got != want {
		t.Fatalf("PaymentReference(%q) = %q, want %q", goldenOrderID, got, want)
	}
}
