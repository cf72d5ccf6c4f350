package ledger

import (
	"fmt"

	"github.com/chipmint/chipmint/internal/query"
	"github.com/chipmint/chipmint/internal/store"
	"github.com/chipmint/chipmint/internal/txn"
)

// referencePrefixes are the state's indexes of an operator's bank references, by kind.
var referencePrefixes = map[query.ReferenceKind]string{
	query.RefCredit:         prefixBankRef,
	query.RefRefundedCredit: prefixRefund,
	query.RefPayout:         prefixPayoutRef,
	query.RefCover:          prefixCover,
}

// References lists at most limit of an operator's bank references of a kind, by
// reference, those after the reference after, and whether more follow.
func References(r store.Reader, kind query.ReferenceKind, operator, after string, limit int) ([]query.Reference, bool, error) {
	p, ok := referencePrefixes[kind]
	if !ok {
		return nil, false, fmt.Errorf("no bank references of kind %q: want one of %v", kind, query.ReferenceKinds)
	}
	prefix := p + operator + "\x00"
	var out []query.Reference
	more := scanPage(r, prefix, []byte(after), limit, func(key, value []byte) {
		ref := query.Reference{Reference: string(key[len(prefix):]), Target: string(value)}
		switch kind {
		case query.RefRefundedCredit:
			var f txn.Refund
			if err := txn.DecodeRecord(value, &f); err != nil {
				panic(fmt.Sprintf("ledger: corrupt refund at %q: %v", key, err))
			}
			ref.Target = f.RefundReference
		case query.RefCover:
			var c txn.Cover
			if err := txn.DecodeRecord(value, &c); err != nil {
				panic(fmt.Sprintf("ledger: corrupt cover at %q: %v", key, err))
			}
			ref.Target = u64(c.AmountMinor)
		}
		out = append(out, ref)
	})
	return out, more, nil
}
