package fiat

// The currencies a transaction may name are data of the protocol, frozen here: which
// codes are accepted, and with how many minor digits, decides which transactions are
// valid, so it must not change with a dependency upgrade on some nodes and not others.
// The tables were built once from CLDR 32 as golang.org/x/text v0.44.0 carries it (the
// codes currency.Query lists as tender, with currency.Standard's rounding scale) and
// are maintained by hand since. TestFrozenCurrencies holds them to
// testdata/currencies.golden; TestCurrencyDrift lists how they differ from the x/text
// in go.mod, for a person to decide on. Editing them is a consensus change
// (docs/decisions/0013-frozen-currency-list.md).

// tenderDigits maps the ISO 4217 codes of the currencies that are current legal tender
// somewhere to the number of digits of their minor unit.
var tenderDigits = map[string]int{
	"AED": 2, "AFN": 0, "ALL": 0, "AMD": 0, "ANG": 2, "AOA": 2, "ARS": 2, "AUD": 2,
	"AWG": 2, "AZN": 2,
	"BAM": 2, "BBD": 2, "BDT": 2, "BGN": 2, "BHD": 3, "BIF": 0, "BMD": 2, "BND": 2,
	"BOB": 2, "BRL": 2, "BSD": 2, "BTN": 2, "BWP": 2, "BYN": 2, "BZD": 2,
	"CAD": 2, "CDF": 2, "CHF": 2, "CLP": 0, "CNY": 2, "COP": 0, "CRC": 2, "CUC": 2,
	"CUP": 2, "CVE": 2, "CZK": 2,
	"DJF": 0, "DKK": 2, "DOP": 2, "DZD": 2,
	"EGP": 2, "ERN": 2, "ETB": 2, "EUR": 2,
	"FJD": 2, "FKP": 2,
	"GBP": 2, "GEL": 2, "GHS": 2, "GIP": 2, "GMD": 2, "GNF": 0, "GTQ": 2, "GYD": 0,
	"HKD": 2, "HNL": 2, "HRK": 2, "HTG": 2, "HUF": 2,
	"IDR": 0, "ILS": 2, "INR": 2, "IQD": 0, "IRR": 0, "ISK": 0,
	"JMD": 2, "JOD": 3, "JPY": 0,
	"KES": 2, "KGS": 2, "KHR": 2, "KMF": 0, "KPW": 0, "KRW": 0, "KWD": 3, "KYD": 2,
	"KZT": 2,
	"LAK": 0, "LBP": 0, "LKR": 2, "LRD": 2, "LSL": 2, "LYD": 3,
	"MAD": 2, "MDL": 2, "MGA": 0, "MKD": 2, "MMK": 0, "MNT": 0, "MOP": 2, "MRO": 0,
	"MUR": 0, "MVR": 2, "MWK": 2, "MXN": 2, "MYR": 2, "MZN": 2,
	"NAD": 2, "NGN": 2, "NIO": 2, "NOK": 2, "NPR": 2, "NZD": 2,
	"OMR": 3,
	"PAB": 2, "PEN": 2, "PGK": 2, "PHP": 2, "PKR": 0, "PLN": 2, "PYG": 0,
	"QAR": 2,
	"RON": 2, "RSD": 0, "RUB": 2, "RWF": 0,
	"SAR": 2, "SBD": 2, "SCR": 2, "SDG": 2, "SEK": 2, "SGD": 2, "SHP": 2, "SLL": 0,
	"SOS": 0, "SRD": 2, "SSP": 2, "STN": 2, "SYP": 0, "SZL": 2,
	"THB": 2, "TJS": 2, "TMT": 2, "TND": 3, "TOP": 2, "TRY": 2, "TTD": 2, "TWD": 2,
	"TZS": 0,
	"UAH": 2, "UGX": 0, "USD": 2, "UYU": 2, "UZS": 0,
	"VEF": 2, "VND": 0, "VUV": 0,
	"WST": 2,
	"XAF": 0, "XCD": 2, "XOF": 0, "XPF": 0,
	"YER": 0,
	"ZAR": 2, "ZMW": 2,
}

// notTender holds the other ISO 4217 codes: withdrawn currencies, fund codes, precious
// metals, XXX and XTS. ParseCurrency refuses them as not legal tender rather than as
// unknown.
var notTender = map[string]bool{
	"ADP": true, "AFA": true, "ALK": true, "AOK": true, "AON": true, "AOR": true, "ARA": true, "ARL": true, "ARM": true, "ARP": true, "ATS": true, "AZM": true,
	"BAD": true, "BAN": true, "BEC": true, "BEF": true, "BEL": true, "BGL": true, "BGM": true, "BGO": true, "BOL": true, "BOP": true, "BOV": true, "BRB": true,
	"BRC": true, "BRE": true, "BRN": true, "BRR": true, "BRZ": true, "BUK": true, "BYB": true, "BYR": true,
	"CHE": true, "CHW": true, "CLE": true, "CLF": true, "CNH": true, "CNX": true, "COU": true, "CSD": true, "CSK": true, "CYP": true,
	"DDM": true, "DEM": true,
	"ECS": true, "ECV": true, "EEK": true, "ESA": true, "ESB": true, "ESP": true,
	"FIM": true, "FRF": true,
	"GEK": true, "GHC": true, "GNS": true, "GQE": true, "GRD": true, "GWE": true, "GWP": true,
	"HRD": true,
	"IEP": true, "ILP": true, "ILR": true, "ISJ": true, "ITL": true,
	"KRH": true, "KRO": true,
	"LTL": true, "LTT": true, "LUC": true, "LUF": true, "LUL": true, "LVL": true, "LVR": true,
	"MAF": true, "MCF": true, "MDC": true, "MGF": true, "MKN": true, "MLF": true, "MTL": true, "MTP": true, "MVP": true, "MXP": true, "MXV": true, "MZE": true,
	"MZM": true,
	"NIC": true, "NLG": true,
	"PEI": true, "PES": true, "PLZ": true, "PTE": true,
	"RHD": true, "ROL": true, "RUR": true,
	"SDD": true, "SDP": true, "SIT": true, "SKK": true, "SRG": true, "STD": true, "SUR": true, "SVC": true,
	"TJR": true, "TMM": true, "TPE": true, "TRL": true,
	"UAK": true, "UGS": true, "USN": true, "USS": true, "UYI": true, "UYP": true,
	"VEB": true, "VNN": true,
	"XAG": true, "XAU": true, "XBA": true, "XBB": true, "XBC": true, "XBD": true, "XDR": true, "XEU": true, "XFO": true, "XFU": true, "XPD": true, "XPT": true,
	"XRE": true, "XSU": true, "XTS": true, "XUA": true, "XXX": true,
	"YDD": true, "YUD": true, "YUM": true, "YUN": true, "YUR": true,
	"ZAL": true, "ZMK": true, "ZRN": true, "ZRZ": true, "ZWD": true, "ZWL": true, "ZWR": true,
}
