package pain

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/chipmint/chipmint/internal/isoxml"
)

// MaxInputBytes is the largest file Read accepts: some ten thousand payments. The bound
// keeps a hostile or broken file from exhausting memory.
const MaxInputBytes = 8 << 20

// namespacePrefix starts the namespace of every pain.001 version; the version follows
// it, as in "001.09".
const namespacePrefix = isoxml.NamespacePrefix + "pain.001."

// Versions accepted by Read: .001.03 up to .001.12.
const (
	versionMin = 3
	versionMax = 12
)

// format is what Read accepts: a pain.001 document, whose paths index the elements
// that repeat under one parent, such as CdtTrfTxInf[2], and in which the parent/child
// pairs that Read reads and the schemas allow once occur once outside supplementary
// data envelopes.
var format = isoxml.Format{
	MaxBytes:  MaxInputBytes,
	Namespace: checkNamespace,
	Indexed:   isoxml.Set("PmtInf", "CdtTrfTxInf", "Ustrd", "Strd"),
	Once:      once,
	Errors: isoxml.Errors{
		NotMessage: ErrNotPain, Malformed: ErrMalformed, Doctype: ErrDoctype, TooLarge: ErrTooLarge,
		DuplicateElement: ErrDuplicateElement,
		At:               func(path string, err error) error { return elementError(path, err) },
	},
}

// once holds the parent/child pairs that Read reads and that the schemas allow once: a
// second occurrence would be silently merged or overwritten by encoding/xml, so the
// scan refuses it instead.
var once = isoxml.Set(
	"Document/CstmrCdtTrfInitn", "CstmrCdtTrfInitn/GrpHdr",
	"GrpHdr/MsgId", "GrpHdr/CreDtTm", "GrpHdr/NbOfTxs", "GrpHdr/CtrlSum", "GrpHdr/InitgPty",
	"InitgPty/Nm", "PmtInf/PmtMtd", "PmtInf/NbOfTxs", "PmtInf/CtrlSum", "PmtInf/ReqdExctnDt",
	"ReqdExctnDt/Dt", "ReqdExctnDt/DtTm", "PmtInf/Dbtr", "Dbtr/Nm", "PmtInf/DbtrAcct",
	"PmtInf/DbtrAgt", "DbtrAcct/Id", "CdtrAcct/Id", "Id/IBAN", "Id/Othr", "Othr/Id",
	"Othr/SchmeNm", "Othr/Issr", "SchmeNm/Cd", "SchmeNm/Prtry", "DbtrAgt/FinInstnId",
	"CdtrAgt/FinInstnId", "FinInstnId/BIC", "FinInstnId/BICFI",
	"CdtTrfTxInf/PmtId", "PmtId/InstrId", "PmtId/EndToEndId", "CdtTrfTxInf/Amt",
	"Amt/InstdAmt", "Amt/EqvtAmt", "CdtTrfTxInf/CdtrAgt", "CdtTrfTxInf/Cdtr", "Cdtr/Nm",
	"CdtTrfTxInf/CdtrAcct", "CdtTrfTxInf/RmtInf", "Strd/CdtrRefInf", "CdtrRefInf/Ref",
)

// checkNamespace accepts the namespaces of pain.001.001.03 to pain.001.001.12.
func checkNamespace(ns string) error {
	v, ok := strings.CutPrefix(ns, namespacePrefix+"001.")
	n, err := strconv.Atoi(v)
	if !ok || err != nil || len(v) != 2 || v[0] < '0' || v[0] > '9' || n < versionMin || n > versionMax {
		return fmt.Errorf("%w: namespace %q, want %s001.%02d to %s001.%02d", ErrNotPain, ns,
			namespacePrefix, versionMin, namespacePrefix, versionMax)
	}
	return nil
}
