package camt

import "github.com/chipmint/chipmint/internal/isoxml"

// The x* types mirror the parts of camt.052, camt.053 and camt.054 (.001.02 to .001.13)
// that Parse reads. Tags carry no namespace, so they match every version; scan has
// already checked that every element is in the document's namespace. Alternatives
// that differ between versions (Sts as text or Sts/Cd, Dbtr/Nm or Dbtr/Pty/Nm, Chrgs as
// a list of charges or as a total with records) each get a field, and the conversion
// picks the one present.

type xDocument struct {
	Notification *xMessage `xml:"BkToCstmrDbtCdtNtfctn"`
	Statement    *xMessage `xml:"BkToCstmrStmt"`
	Report       *xMessage `xml:"BkToCstmrAcctRpt"`
}

type xMessage struct {
	GrpHdr        *xGroupHeader `xml:"GrpHdr"`
	Notifications []xReport     `xml:"Ntfctn"`
	Statements    []xReport     `xml:"Stmt"`
	Reports       []xReport     `xml:"Rpt"`
}

type xGroupHeader struct {
	MsgID   string `xml:"MsgId"`
	CreDtTm string `xml:"CreDtTm"`
}

// xReport is a notification (Ntfctn), a statement (Stmt) or a report (Rpt); only
// statements and reports have balances.
type xReport struct {
	ID       string     `xml:"Id"`
	CreDtTm  string     `xml:"CreDtTm"`
	FrToDt   *xPeriod   `xml:"FrToDt"`
	Acct     *xAccount  `xml:"Acct"`
	Balances []xBalance `xml:"Bal"`
	Entries  []xEntry   `xml:"Ntry"`
}

// xPeriod is the period a statement or report covers (FrToDt).
type xPeriod struct {
	From string `xml:"FrDtTm"`
	To   string `xml:"ToDtTm"`
}

type xAccount struct {
	IBAN  string  `xml:"Id>IBAN"`
	Other *xOther `xml:"Id>Othr"`
	Ccy   string  `xml:"Ccy"`
}

// xOther is an account's other identification (Othr).
type xOther struct {
	ID          string `xml:"Id"`
	SchemeCode  string `xml:"SchmeNm>Cd"`
	SchemePrtry string `xml:"SchmeNm>Prtry"`
	Issuer      string `xml:"Issr"`
}

type xBalance struct {
	Code      string   `xml:"Tp>CdOrPrtry>Cd"`
	Prtry     string   `xml:"Tp>CdOrPrtry>Prtry"`
	Amt       *xAmount `xml:"Amt"`
	CdtDbtInd string   `xml:"CdtDbtInd"`
	Dt        *xDate   `xml:"Dt"`
}

// xAmount is an amount with its currency, such as <Amt Ccy="EUR">100.50</Amt>.
type xAmount = isoxml.Amount

// xDate is a date given as Dt (a date) or DtTm (a date-time).
type xDate struct {
	Dt   string `xml:"Dt"`
	DtTm string `xml:"DtTm"`
}

// xStatus is Sts: a code as text up to .001.06, Sts/Cd (or Sts/Prtry) from .001.07.
type xStatus struct {
	Text  string  `xml:",chardata"`
	Code  *string `xml:"Cd"`
	Prtry *string `xml:"Prtry"`
}

type xEntry struct {
	Amt         *xAmount       `xml:"Amt"`
	CdtDbtInd   string         `xml:"CdtDbtInd"`
	RvslInd     *string        `xml:"RvslInd"`
	Sts         *xStatus       `xml:"Sts"`
	BookgDt     *xDate         `xml:"BookgDt"`
	ValDt       *xDate         `xml:"ValDt"`
	AcctSvcrRef string         `xml:"AcctSvcrRef"`
	BkTxCd      xBankTxCode    `xml:"BkTxCd"`
	Chrgs       []xCharges     `xml:"Chrgs"`
	Details     []xEntryDetail `xml:"NtryDtls"`
}

// xBankTxCode is a bank transaction code (BkTxCd): the ISO domain, family and
// sub-family, and the bank's proprietary code.
type xBankTxCode struct {
	Domain    string `xml:"Domn>Cd"`
	Family    string `xml:"Domn>Fmly>Cd"`
	SubFamily string `xml:"Domn>Fmly>SubFmlyCd"`
	Prtry     string `xml:"Prtry>Cd"`
}

// xCharges is one Chrgs element: up to .001.03 one charge (Amt) of a list, from
// .001.04 a total (TtlChrgsAndTaxAmt) and its records (Rcrd).
type xCharges struct {
	Amt     *xAmount  `xml:"Amt"`
	Total   *xAmount  `xml:"TtlChrgsAndTaxAmt"`
	Records []xAmount `xml:"Rcrd>Amt"`
}

type xEntryDetail struct {
	NbOfTxs      *string        `xml:"Btch>NbOfTxs"`
	Transactions []xTransaction `xml:"TxDtls"`
}

type xTransaction struct {
	Refs       xRefs            `xml:"Refs"`
	Amt        *xAmount         `xml:"Amt"`
	CdtDbtInd  string           `xml:"CdtDbtInd"`
	RvslInd    *string          `xml:"RvslInd"`
	InstdAmt   *xAmountExchange `xml:"AmtDtls>InstdAmt"`
	TxAmt      *xAmountExchange `xml:"AmtDtls>TxAmt"`
	CntrValAmt *xAmountExchange `xml:"AmtDtls>CntrValAmt"`
	BkTxCd     xBankTxCode      `xml:"BkTxCd"`
	Chrgs      []xCharges       `xml:"Chrgs"`
	Parties    xParties         `xml:"RltdPties"`
	Ustrd      []string         `xml:"RmtInf>Ustrd"`
	Strd       []xStrd          `xml:"RmtInf>Strd"`
	Return     *xReturnInfo     `xml:"RtrInf"`
}

// xAmountExchange is an amount of AmtDtls with its optional currency exchange.
type xAmountExchange struct {
	Amt  *xAmount   `xml:"Amt"`
	Xchg *xExchange `xml:"CcyXchg"`
}

// xExchange is a currency exchange (CcyXchg): the source and target currencies.
type xExchange struct {
	Source string `xml:"SrcCcy"`
	Target string `xml:"TrgtCcy"`
}

type xRefs struct {
	AcctSvcrRef string `xml:"AcctSvcrRef"`
	EndToEndID  string `xml:"EndToEndId"`
	UETR        string `xml:"UETR"`
}

type xParties struct {
	Dbtr      xParty  `xml:"Dbtr"`
	DbtrIBAN  string  `xml:"DbtrAcct>Id>IBAN"`
	DbtrOther *xOther `xml:"DbtrAcct>Id>Othr"`
	Cdtr      xParty  `xml:"Cdtr"`
	CdtrIBAN  string  `xml:"CdtrAcct>Id>IBAN"`
	CdtrOther *xOther `xml:"CdtrAcct>Id>Othr"`
}

// xParty is a debtor or creditor: Nm up to .001.07, Pty/Nm from .001.08.
type xParty struct {
	Name    string `xml:"Nm"`
	PtyName string `xml:"Pty>Nm"`
}

type xStrd struct {
	Ref   string   `xml:"CdtrRefInf>Ref"`
	Addtl []string `xml:"AddtlRmtInf"`
}

// xReturnInfo is return information (RtrInf) with its reason: a code (Rsn/Cd) or a
// proprietary text (Rsn/Prtry).
type xReturnInfo struct {
	Code  string `xml:"Rsn>Cd"`
	Prtry string `xml:"Rsn>Prtry"`
}
