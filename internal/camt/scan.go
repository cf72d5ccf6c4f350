package camt

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/chipmint/chipmint/internal/isoxml"
)

// MaxInputBytes is the largest file Parse accepts. A day's notifications for one
// account are a few hundred kilobytes; the bound keeps a hostile or broken file from
// exhausting memory.
const MaxInputBytes = 32 << 20

// Versions accepted by Parse: .001.02 up to .001.13.
const (
	versionMin = 2
	versionMax = 13
)

// format is what Parse accepts: a camt.052, camt.053 or camt.054 document, whose
// paths index the elements that repeat under one parent, such as Ntry[2], and in which
// the parent/child pairs that this package reads and the schemas allow once occur once,
// envelopes included.
var format = isoxml.Format{
	MaxBytes:  MaxInputBytes,
	Namespace: checkNamespace,
	Indexed: isoxml.Set("Ntfctn", "Stmt", "Rpt", "Bal", "Ntry", "NtryDtls", "TxDtls", "Ustrd", "Strd",
		"AddtlRmtInf", "Chrgs", "Rcrd"),
	Once:            once,
	OnceInEnvelopes: true,
	Errors: isoxml.Errors{
		NotMessage: ErrNotCamt, Malformed: ErrMalformed, Doctype: ErrDoctype, TooLarge: ErrTooLarge,
		DuplicateElement: ErrDuplicateElement,
		At:               func(path string, err error) error { return parseError(path, err) },
	},
}

// once holds the parent/child pairs that this package reads and that the schemas
// allow once: a second occurrence would be silently merged or overwritten by
// encoding/xml, so the scan rejects it instead.
var once = isoxml.Set(
	"Document/BkToCstmrDbtCdtNtfctn", "Document/BkToCstmrStmt", "Document/BkToCstmrAcctRpt",
	"BkToCstmrDbtCdtNtfctn/GrpHdr", "BkToCstmrStmt/GrpHdr", "BkToCstmrAcctRpt/GrpHdr",
	"GrpHdr/MsgId", "GrpHdr/CreDtTm",
	"Ntfctn/Id", "Ntfctn/CreDtTm", "Ntfctn/Acct", "Stmt/Id", "Stmt/CreDtTm", "Stmt/Acct",
	"Rpt/Id", "Rpt/CreDtTm", "Rpt/Acct",
	"Acct/Id", "Acct/Ccy", "Id/IBAN", "Id/Othr", "Othr/Id", "Othr/SchmeNm", "Othr/Issr",
	"SchmeNm/Cd", "SchmeNm/Prtry",
	"Bal/Tp", "Bal/Amt", "Bal/CdtDbtInd", "Bal/Dt", "Tp/CdOrPrtry", "CdOrPrtry/Cd",
	"CdOrPrtry/Prtry", "Dt/Dt", "Dt/DtTm",
	"Ntry/Amt", "Ntry/CdtDbtInd", "Ntry/RvslInd", "Ntry/Sts", "Ntry/BookgDt", "Ntry/ValDt",
	"Ntry/AcctSvcrRef", "Sts/Cd", "Sts/Prtry", "BookgDt/Dt", "BookgDt/DtTm", "ValDt/Dt",
	"ValDt/DtTm", "Ntry/BkTxCd", "BkTxCd/Domn", "BkTxCd/Prtry", "Domn/Cd", "Domn/Fmly",
	"Fmly/Cd", "Fmly/SubFmlyCd", "Prtry/Cd", "NtryDtls/Btch", "Btch/NbOfTxs",
	"Chrgs/Amt", "Chrgs/TtlChrgsAndTaxAmt", "Rcrd/Amt",
	"TxDtls/Refs", "TxDtls/Amt", "TxDtls/CdtDbtInd", "TxDtls/RvslInd", "TxDtls/AmtDtls",
	"TxDtls/BkTxCd", "TxDtls/RltdPties", "TxDtls/RmtInf", "TxDtls/RtrInf",
	"Refs/AcctSvcrRef", "Refs/EndToEndId", "Refs/UETR",
	"AmtDtls/InstdAmt", "AmtDtls/TxAmt", "AmtDtls/CntrValAmt", "InstdAmt/Amt", "TxAmt/Amt",
	"CntrValAmt/Amt", "InstdAmt/CcyXchg", "TxAmt/CcyXchg", "CntrValAmt/CcyXchg",
	"CcyXchg/SrcCcy", "CcyXchg/TrgtCcy",
	"RltdPties/Dbtr", "RltdPties/DbtrAcct", "RltdPties/Cdtr", "RltdPties/CdtrAcct",
	"Dbtr/Nm", "Dbtr/Pty", "Cdtr/Nm", "Cdtr/Pty", "Pty/Nm", "DbtrAcct/Id", "CdtrAcct/Id",
	"Strd/CdtrRefInf", "CdtrRefInf/Ref", "RtrInf/Rsn", "Rsn/Cd", "Rsn/Prtry",
)

// splitNamespace parses a camt.052, camt.053 or camt.054 namespace into its message and
// version, such as "camt.054" and "001.08".
func splitNamespace(ns string) (message, version string, err error) {
	rest, ok := strings.CutPrefix(ns, isoxml.NamespacePrefix)
	if !ok {
		return "", "", fmt.Errorf("%w: namespace %q is not an ISO 20022 namespace", ErrNotCamt, ns)
	}
	message, version, _ = strings.Cut(rest, ".001.")
	if message != MessageReport && message != MessageStatement && message != MessageNotification {
		return "", "", fmt.Errorf("%w: message %q, want camt.052, camt.053 or camt.054", ErrNotCamt, rest)
	}
	n, err := strconv.Atoi(version)
	if err != nil || len(version) != 2 || !isoxml.IsDigits(version) || n < versionMin || n > versionMax {
		return "", "", fmt.Errorf("%w: version %q of %s, want 001.%02d to 001.%02d", ErrNotCamt, rest, message, versionMin, versionMax)
	}
	return message, "001." + version, nil
}

// checkNamespace accepts the namespaces that splitNamespace parses.
func checkNamespace(ns string) error {
	_, _, err := splitNamespace(ns)
	return err
}
