package camt

import (
	"strings"

	"github.com/chipmint/chipmint/internal/isoxml"
)

// How banks say that an entry returns or reverses an earlier payment, as found in real
// files (see docs/decisions/0007-camt-strictness.md):
//
//   - Return information (TxDtls/RtrInf) with a reason such as AC01: PostFinance writes
//     it on the credit that brings back the account owner's own rejected transfer, with
//     the bank transaction code PMNT/ICDT/RRTN, and with RvslInd false or true; the
//     Finnish banks' sample writes it on failed direct debit collections.
//   - The reversal indicator (Ntry/RvslInd, which ISO 20022 defines; TxDtls/RvslInd is
//     read too where a bank writes one). ISO's usage rule: DBIT with RvslInd reverses a
//     credit, CRDT with RvslInd reverses a debit. Some banks write the original entry's
//     direction instead; on a credit transfer the family of the bank transaction code
//     tells which way round it is (RCDT: the original was received, a credit; ICDT: it
//     was issued, a debit).
//   - A bank transaction code of the ISO families for returns and reversals (the
//     sub-families below), or a proprietary code whose SWIFT transaction type is RTI,
//     "returned item" (German banks' NRTI+nnn).
var (
	returnSubFamilies   = isoxml.Set("RRTN", "UPDD", "ARET")
	reversalSubFamilies = isoxml.Set("RPCR", "PRDD", "AREV")
)

// signals are what an entry and its transaction say about returns and reversals.
type signals struct {
	flagged      bool   // RvslInd true
	returned     bool   // return information or a return code
	reversalCode bool   // a reversal sub-family
	family       string // the ISO family of the bank transaction code, such as RCDT
}

// add reads a bank transaction code; a family already known is kept.
func (s *signals) add(c xBankTxCode) {
	sub := isoxml.Text(c.SubFamily)
	s.returned = s.returned || returnSubFamilies[sub] || returnedItem(isoxml.Text(c.Prtry))
	s.reversalCode = s.reversalCode || reversalSubFamilies[sub]
	if s.family == "" {
		s.family = isoxml.Text(c.Family)
	}
}

// returnedItem reports whether a proprietary bank transaction code is of SWIFT
// transaction type RTI (returned item), written with its one-letter prefix (N, S or F)
// and, as German banks do, the bank's own code after a "+", such as "NRTI+159".
func returnedItem(code string) bool {
	t, _, _ := strings.Cut(code, "+")
	return len(t) == 4 && strings.ContainsRune("NSF", rune(t[0])) && t[1:] == "RTI"
}

// classify returns the kind of an entry in direction cd with signals s. A credit with
// any sign of a return is a return; any other reversal is of a credit or of a debit by
// ISO's usage rule, unless a credit transfer's family shows that the bank wrote the
// original direction.
func classify(cd CreditDebit, s signals) Kind {
	switch {
	case cd == Credit && s.returned:
		return KindReturn
	case cd == Credit && s.flagged && s.family == "RCDT":
		return KindReversalOfCredit
	case cd == Credit && (s.flagged || s.reversalCode):
		return KindReversalOfDebit
	case cd == Credit:
		return KindCredit
	case s.flagged && !s.returned && s.family == "ICDT":
		return KindReversalOfDebit
	case s.flagged || s.reversalCode || s.returned:
		return KindReversalOfCredit
	}
	return KindDebit
}
