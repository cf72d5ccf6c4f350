package txn

import (
	"bytes"
	"fmt"

	"github.com/fxamacker/cbor/v2"
)

// encMode is RFC 8949 core deterministic encoding; decMode refuses what that encoding
// never produces (duplicate keys, indefinite lengths, tags) before the re-encoding check.
var (
	encMode cbor.EncMode
	decMode cbor.DecMode
)

func init() {
	var err error
	encOpts := cbor.CoreDetEncOptions()
	encOpts.ByteArray = cbor.ByteArrayToByteSlice
	if encMode, err = encOpts.EncMode(); err != nil {
		panic(fmt.Sprintf("txn: cbor encoder options: %v", err))
	}
	decOpts := cbor.DecOptions{
		DupMapKey:         cbor.DupMapKeyEnforcedAPF,
		IndefLength:       cbor.IndefLengthForbidden,
		TagsMd:            cbor.TagsForbidden,
		ExtraReturnErrors: cbor.ExtraDecErrorUnknownField,
		MaxArrayElements:  1024,
		MaxMapPairs:       1024,
		MaxNestedLevels:   8,
	}
	if decMode, err = decOpts.DecMode(); err != nil {
		panic(fmt.Sprintf("txn: cbor decoder options: %v", err))
	}
}

// marshal encodes v canonically. Values of this package always encode, so a failure is
// a programming error.
func marshal(v any) []byte {
	b, err := encMode.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("txn: encode %T: %v", v, err))
	}
	return b
}

// unmarshalCanonical decodes b into v and accepts it only if v encodes back to exactly b.
func unmarshalCanonical(b []byte, v any) *Error {
	if err := decMode.Unmarshal(b, v); err != nil {
		return Errorf(Malformed, "decode %T: %v", v, err)
	}
	if !bytes.Equal(marshal(v), b) {
		return Errorf(NonCanonical, "%T is not in canonical encoding", v)
	}
	return nil
}

// EncodeRecord returns the canonical CBOR of a message or record, for storage and signing.
func EncodeRecord(v any) []byte { return marshal(v) }

// DecodeRecord decodes CBOR written by EncodeRecord, such as a stored record. Unlike transaction
// decoding it skips the re-encoding check: the ledger wrote those bytes itself.
func DecodeRecord(b []byte, v any) error {
	if err := decMode.Unmarshal(b, v); err != nil {
		return fmt.Errorf("txn: decode %T: %w", v, err)
	}
	return nil
}
