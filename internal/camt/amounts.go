package camt

import (
	"fmt"
	"math/bits"
	"strconv"
	"strings"

	"github.com/chipmint/chipmint/internal/fiat"
	"github.com/chipmint/chipmint/internal/isoxml"
)

// transactionAmounts is what one TxDtls says of its amount, before its entry decides
// what was booked for it.
type transactionAmounts struct {
	own     uint64 // the first amount in the entry's currency
	hasOwn  bool
	foreign string // the currency of the first amount in another currency, if any
	linked  bool   // a currency exchange (CcyXchg) names the entry's currency
}

// readAmounts reads a transaction's amounts: those that may be in the account's
// currency (AmtDtls/TxAmt, TxDtls/Amt, AmtDtls/CntrValAmt, in that order), and the
// instructed amount (AmtDtls/InstdAmt, else the first in another currency) into t.
func (t *transaction) readAmounts(path string, x *xTransaction) (transactionAmounts, error) {
	var a transactionAmounts
	for _, c := range []struct {
		path string
		amt  *xAmount
		have bool
	}{
		{path + "/AmtDtls/TxAmt/Amt", x.TxAmt.amount(), x.TxAmt != nil},
		{path + "/Amt", x.Amt, x.Amt != nil},
		{path + "/AmtDtls/CntrValAmt/Amt", x.CntrValAmt.amount(), x.CntrValAmt != nil},
	} {
		if !c.have {
			continue
		}
		minor, ccy, err := amount(c.path, c.amt)
		if err != nil {
			return a, err
		}
		switch {
		case ccy == t.Currency && !a.hasOwn:
			a.own, a.hasOwn = minor, true
		case ccy != t.Currency && a.foreign == "":
			a.foreign = ccy
			t.InstructedAmountMinor, t.InstructedCurrency = minor, ccy
		}
	}
	if x.InstdAmt != nil {
		minor, ccy, err := amount(path+"/AmtDtls/InstdAmt/Amt", x.InstdAmt.Amt)
		if err != nil {
			return a, err
		}
		t.InstructedAmountMinor, t.InstructedCurrency = minor, ccy
	}
	for _, c := range []*xAmountExchange{x.InstdAmt, x.TxAmt, x.CntrValAmt} {
		if c != nil && c.Xchg != nil && (isoxml.Text(c.Xchg.Source) == t.Currency || isoxml.Text(c.Xchg.Target) == t.Currency) {
			a.linked = true
		}
	}
	return a, nil
}

// amount returns the amount of an AmtDtls element, or nil.
func (x *xAmountExchange) amount() *xAmount {
	if x == nil {
		return nil
	}
	return x.Amt
}

// readCharges adds the charges (Chrgs) under path to e: each element's total
// (TtlChrgsAndTaxAmt), else the sum of its records (Rcrd/Amt), else its amount (Amt, up
// to .001.03, where Chrgs repeats once per charge).
func (e *Entry) readCharges(path string, xs []xCharges) error {
	for i := range xs {
		p := fmt.Sprintf("%s/Chrgs[%d]", path, i+1)
		x := &xs[i]
		var err error
		switch {
		case x.Total != nil:
			err = e.addCharge(p+"/TtlChrgsAndTaxAmt", x.Total)
		case len(x.Records) > 0:
			for j := range x.Records {
				if err = e.addCharge(fmt.Sprintf("%s/Rcrd[%d]/Amt", p, j+1), &x.Records[j]); err != nil {
					break
				}
			}
		case x.Amt != nil:
			err = e.addCharge(p+"/Amt", x.Amt)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// addCharge adds one charge to e's; a charge in a second currency is a problem.
func (e *Entry) addCharge(path string, x *xAmount) error {
	minor, ccy, err := amount(path, x)
	if err != nil {
		return err
	}
	switch {
	case e.ChargesCurrency == "":
		e.ChargesMinor, e.ChargesCurrency = minor, ccy
	case ccy != e.ChargesCurrency:
		e.addProblem(fmt.Sprintf("%s: charges in %s besides %s", path, ccy, e.ChargesCurrency))
	default:
		sum, carry := bits.Add64(e.ChargesMinor, minor, 0)
		if carry != 0 {
			return parseError(path, fmt.Errorf("%w: the charges overflow", ErrBadAmount))
		}
		e.ChargesMinor = sum
	}
	return nil
}

// allocate gives each transaction of an entry that books amount its AmountMinor.
//
// An entry of one transaction (or none) books its amount for it; the transaction's own
// amount is kept in TransactionAmountMinor when it differs, and one larger than the
// entry, unless the difference is the transaction's charges, is a problem, as is a
// transaction whose amounts are all in other currencies with no exchange to the entry's.
//
// In an entry that batches several, each transaction books its own amount in the
// entry's currency, or that amount less its charges, and those must sum to the entry's
// amount. A transaction without such an amount books 0, unknown, never the entry's
// total; then, or when the amounts do not sum to the entry's, every transaction of the
// entry has a problem.
func allocate(path string, amount uint64, txs []transaction) {
	if len(txs) == 1 {
		t := &txs[0]
		a := t.amounts
		t.AmountMinor = amount
		switch {
		case a.hasOwn && a.own != amount:
			t.TransactionAmountMinor = a.own
			if a.own > amount && t.net(a.own) != amount {
				t.addProblem(fmt.Sprintf("%s: the transaction states %s %s, more than the %s its entry books",
					t.path, formatAmount(a.own, t.Currency), t.Currency, formatAmount(amount, t.Currency)))
			}
		case !a.hasOwn && a.foreign != "" && !a.linked:
			t.addProblem(fmt.Sprintf("%s: the transaction's amount in %s cannot be reconciled with its entry's %s",
				t.path, a.foreign, t.Currency))
		}
		return
	}
	var gross, net uint64
	grossOK, netOK := true, true
	for i := range txs {
		t := &txs[i]
		if !t.amounts.hasOwn {
			t.addProblem(fmt.Sprintf("%s: no amount in %s, the entry's currency: its share of the entry is unknown", t.path, t.Currency))
			grossOK, netOK = false, false
			continue
		}
		var carry uint64
		if gross, carry = bits.Add64(gross, t.amounts.own, 0); carry != 0 {
			grossOK = false
		}
		if net, carry = bits.Add64(net, t.net(t.amounts.own), 0); carry != 0 {
			netOK = false
		}
	}
	useNet := !(grossOK && gross == amount) && netOK && net == amount
	for i := range txs {
		t := &txs[i]
		if !t.amounts.hasOwn {
			t.AmountMinor = 0
			continue
		}
		t.AmountMinor = t.amounts.own
		if useNet {
			t.AmountMinor = t.net(t.amounts.own)
			t.TransactionAmountMinor = t.amounts.own
		}
	}
	if !(grossOK && gross == amount) && !useNet {
		c := txs[0].Currency
		msg := fmt.Sprintf("%s: the amounts of its %d transactions do not sum to the %s %s the entry books",
			path, len(txs), formatAmount(amount, c), c)
		if grossOK {
			msg = fmt.Sprintf("%s: its %d transactions sum to %s %s, the entry books %s",
				path, len(txs), formatAmount(gross, c), c, formatAmount(amount, c))
		}
		for i := range txs {
			txs[i].addProblem(msg)
		}
	}
}

// net returns own less the transaction's charges when they are in its currency and no
// larger, else own.
func (t *transaction) net(own uint64) uint64 {
	if t.ChargesCurrency == t.Currency && t.ChargesMinor <= own {
		return own - t.ChargesMinor
	}
	return own
}

// addProblem adds one problem to e's.
func (e *Entry) addProblem(p string) {
	if e.Problem != "" {
		p = e.Problem + "; " + p
	}
	e.Problem = p
}

// problems are those of an entry as a whole, which each of its Entry values carries.
type problems []string

func (ps *problems) addf(format string, args ...any) {
	*ps = append(*ps, fmt.Sprintf(format, args...))
}

// batchCount checks a batch's declared number of transactions (Btch/NbOfTxs) against
// the transaction details given: a bank that details only some of a batch's payments
// books their total in the entry, which no one of them paid.
func (ps *problems) batchCount(path string, declared *string, details int) {
	if declared == nil {
		return
	}
	s := isoxml.Text(*declared)
	switch n, err := strconv.ParseUint(s, 10, 64); {
	case err != nil:
		ps.addf("%s: %.40q is not a number of transactions", path, s)
	case n != uint64(details):
		ps.addf("%s: the batch has %d transactions, %d of them detailed", path, n, details)
	}
}

// with returns the entry's problems followed by a transaction's own, in one string.
func (ps problems) with(own string) string {
	all := ps
	if own != "" {
		all = append(all[:len(all):len(all)], own)
	}
	return strings.Join(all, "; ")
}

// formatAmount formats minor units of the currency code, already checked, for a problem.
func formatAmount(minor uint64, code string) string {
	c, err := fiat.ParseCurrency(code)
	if err != nil {
		return strconv.FormatUint(minor, 10)
	}
	return fiat.FormatAmount(minor, c)
}
