package camt

// The x* types mirror the parts of camt.053 and camt.054 (.001.02 to .001.13) that
// Parse reads. Tags carry no namespace, so they match every version; scan has
// already checked that every element is in the document's namespace. Alternatives
// that differ between versions (Sts as text or Sts/Cd, Dbtr/Nm or Dbtr/Pty/Nm) each
// get a field, and the conversion picks the one present.

type xDocument struct {
	Notification *xMessage `xml:"BkToCstmrDbtCdtNtfctn"`
	Statement    *xMessage `xml:"BkToCstmrStmt"`
}

type xMessage struct {
	GrpHdr        *xGroupHeader `xml:"GrpHdr"`
	Notifications []xReport     `xml:"Ntfctn"`
	Statements    []xReport     `xml:"Stmt"`
}

type xGroupHeader struct {
	MsgID   string `xml:"MsgId"`
	CreDtTm string `xml:"CreDtTm"`
}

// xReport is a notification (Ntfctn) or a statement (Stmt); only statements have
// balances.
type xReport struct {
	ID       string     `xml:"Id"`
	CreDtTm  string     `xml:"CreDtTm"`
	Acct     *xAccount  `xml:"Acct"`
	Balances []xBalance `xml:"Bal"`
	Entries  []xEntry   `xml:"Ntry"`
}

type xAccount struct {
	IBAN    string `xml:"Id>IBAN"`
	OtherID string `xml:"Id>Othr>Id"`
	Ccy     string `xml:"Ccy"`
}

type xBalance struct {
	Code      string   `xml:"Tp>CdOrPrtry>Cd"`
	Prtry     string   `xml:"Tp>CdOrPrtry>Prtry"`
	Amt       *xAmount `xml:"Amt"`
	CdtDbtInd string   `xml:"CdtDbtInd"`
	Dt        *xDate   `xml:"Dt"`
}

// xAmount is an amount with its currency, such as <Amt Ccy="EUR">100.50</Amt>.
type xAmount struct {
	Ccy   string `xml:"Ccy,attr"`
	Value string `xml:",chardata"`
}

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
	Details     []xEntryDetail `xml:"NtryDtls"`
}

type xEntryDetail struct {
	Transactions []xTransaction `xml:"TxDtls"`
}

type xTransaction struct {
	Refs      xRefs     `xml:"Refs"`
	Amt       *xAmount  `xml:"Amt"`
	TxAmt     *xAmount  `xml:"AmtDtls>TxAmt>Amt"`
	CdtDbtInd string    `xml:"CdtDbtInd"`
	Parties   xParties  `xml:"RltdPties"`
	Ustrd     []string  `xml:"RmtInf>Ustrd"`
	Strd      []xStrd   `xml:"RmtInf>Strd"`
	Return    xCodeText `xml:"RtrInf>Rsn"`
}

type xRefs struct {
	AcctSvcrRef string `xml:"AcctSvcrRef"`
	EndToEndID  string `xml:"EndToEndId"`
	UETR        string `xml:"UETR"`
}

type xParties struct {
	Dbtr     xParty `xml:"Dbtr"`
	DbtrIBAN string `xml:"DbtrAcct>Id>IBAN"`
	Cdtr     xParty `xml:"Cdtr"`
	CdtrIBAN string `xml:"CdtrAcct>Id>IBAN"`
}

// xParty is a debtor or creditor: Nm up to .001.07, Pty/Nm from .001.08.
type xParty struct {
	Name    string `xml:"Nm"`
	PtyName string `xml:"Pty>Nm"`
}

type xStrd struct {
	Ref string `xml:"CdtrRefInf>Ref"`
}

// xCodeText is a choice of a code (Cd) or a proprietary text (Prtry).
type xCodeText struct {
	Code  string `xml:"Cd"`
	Prtry string `xml:"Prtry"`
}
