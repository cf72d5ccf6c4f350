package api

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
)

var testLimits = Limits{Txs: 3, RequestBytes: 64, TxBytes: 8}

func TestDecodeTxsRoundTrip(t *testing.T) {
	txs := [][]byte{{1}, bytes.Repeat([]byte{2}, 8), []byte("abc")}
	got, err := DecodeTxs(EncodeTxs(txs), testLimits)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.EqualFunc(got, txs, bytes.Equal) {
		t.Fatalf("decoded %q, want %q", got, txs)
	}
	long := bytes.Repeat([]byte{3}, 300) // a length of two bytes
	if got, err := DecodeTxs(EncodeTxs([][]byte{long}), Limits{Txs: 1, RequestBytes: 302, TxBytes: 300}); err != nil || !bytes.Equal(got[0], long) {
		t.Fatalf("a transaction of 300 bytes: %v", err)
	}
}

func TestDecodeTxsRefuses(t *testing.T) {
	tests := []struct {
		name string
		body []byte
		want error
		says string
	}{
		{"empty body", nil, ErrMalformed, "the body is empty"},
		{"body over its limit", make([]byte, 65), ErrTooLarge, "the body is 65 bytes, more than the 64"},
		{"too many transactions", EncodeTxs([][]byte{{1}, {2}, {3}, {4}}), ErrTooLarge, "more than 3 transactions"},
		{"length cut short", []byte{1, 9, 0x80}, ErrMalformed, "transaction 1: its length at byte 2 is cut short"},
		{"length over 64 bits", append([]byte{1, 9}, bytes.Repeat([]byte{0xff}, 11)...), ErrMalformed, "overflows 64 bits"},
		{"length not in its shortest form", []byte{0x81, 0x00, 7}, ErrMalformed, "transaction 0: its length at byte 0 is not in its shortest form"},
		{"empty transaction", []byte{1, 9, 0}, ErrMalformed, "transaction 1 at byte 2 is empty"},
		{"transaction over its limit", []byte{9}, ErrTooLarge, "transaction 0 at byte 0 is 9 bytes, more than the 8 a transaction may have"},
		{"bytes cut short", []byte{1, 9, 4, 1, 2}, ErrMalformed, "transaction 1 says 4 bytes at byte 2, but only 2 remain"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeTxs(tt.body, testLimits)
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.says) {
				t.Fatalf("%v, want %v saying %q", err, tt.want, tt.says)
			}
		})
	}
}

func TestWithin(t *testing.T) {
	if got, want := Within(0, 0, 0), (Limits{Txs: MaxTxsPerRequest, RequestBytes: MaxRequestBytes, TxBytes: MaxRequestBytes}); got != want {
		t.Errorf("no mempool limits: %+v, want %+v", got, want)
	}
	if got, want := Within(5, 1000, 100), (Limits{Txs: 5, RequestBytes: 1000, TxBytes: 100}); got != want {
		t.Errorf("a small mempool: %+v, want %+v", got, want)
	}
}

// A body either decodes into transactions that frame back into the same bytes, or is
// refused as malformed or too large.
func FuzzDecodeTxs(f *testing.F) {
	f.Add(EncodeTxs([][]byte{{1}, {2, 3}}))
	f.Add([]byte{0x81, 0x00, 7})
	f.Add([]byte{1, 9, 4, 1, 2})
	f.Fuzz(func(t *testing.T, body []byte) {
		txs, err := DecodeTxs(body, testLimits)
		if err != nil {
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("%v: neither malformed nor too large", err)
			}
			return
		}
		if !bytes.Equal(EncodeTxs(txs), body) {
			t.Fatalf("%x decodes to %q, which frames as %x", body, txs, EncodeTxs(txs))
		}
	})
}
