package api

// The routes of the chain's blocks, transactions and histories, read from the node's
// block store and its transaction index rather than from the state. A history's pages
// run newest first; their cursor (after) is the next of the page before.
const (
	RouteOrders         = "GET /api/v1/orders"
	RouteOrderHistory   = "GET /api/v1/orders/{id}/history"
	RouteAccountHistory = "GET /api/v1/accounts/{address}/history"
	RouteBlocks         = "GET /api/v1/blocks"
	RouteBlock          = "GET /api/v1/blocks/{height}"
	RouteTx             = "GET /api/v1/txs/{hash}"
	// RouteSubmit takes signed transactions as PathTxs does, under the read API's
	// prefix and in its OpenAPI document.
	RouteSubmit = "POST /api/v1/txs"
)

// The routes of the server-sent events (text/event-stream). Each event's id is the
// height of the block it comes from: a client that reconnects with that id in
// Last-Event-ID gets what happened after that height.
const (
	RouteBlockEvents   = "GET /api/v1/blocks/events"
	RouteOrderEvents   = "GET /api/v1/orders/{id}/events"
	RouteAccountEvents = "GET /api/v1/accounts/{address}/events"
)

// The names of the server-sent events.
const (
	// EventBlock is a new block, its data a BlockSummary.
	EventBlock = "block"
	// EventOrder is an order as it is after a block that changed it, its data the order
	// as RouteOrder answers it.
	EventOrder = "order"
	// EventAccount is an account's balance after a block that changed it, its data as
	// RouteAccount answers it.
	EventAccount = "account"
)

// BlockSummary is a block in the list of blocks and in the events of new blocks.
type BlockSummary struct {
	Height   int64  `json:"height"`
	Time     string `json:"time"`
	Hash     string `json:"hash"`
	Proposer string `json:"proposer"`
	Txs      int    `json:"txs"`
}

// Block is a block with its transactions, in block order.
type Block struct {
	Height   int64       `json:"height"`
	Time     string      `json:"time"`
	Hash     string      `json:"hash"`
	AppHash  string      `json:"app_hash"`
	Proposer string      `json:"proposer"`
	Txs      []TxSummary `json:"txs"`
}

// TxSummary is a transaction among a block's: its hash, what it is, who signed it and
// the chain's answer (code 0: accepted). The answer is absent when the node's index
// does not hold it yet; the type is "malformed" and the signer absent for bytes that
// are no transaction, which the chain refused.
type TxSummary struct {
	Hash   string  `json:"hash"`
	Type   string  `json:"type"`
	Signer string  `json:"signer,omitempty"`
	Code   *uint32 `json:"code,omitempty"`
	Log    string  `json:"log,omitempty"`
}

// Tx is a committed transaction with its answer and its events.
type Tx struct {
	TxSummary
	Height int64   `json:"height"`
	Index  uint32  `json:"index"`
	Time   string  `json:"time,omitempty"`
	Nonce  uint64  `json:"nonce,string"`
	Events []Event `json:"events"`
}

// Event is one of a transaction's events, as the ledger emits it.
type Event struct {
	Type       string            `json:"type"`
	Attributes map[string]string `json:"attributes"`
}

// HistoryEntry is one of an account's transactions: one it signed, or one that paid it,
// issued it chips or moved its redemption.
type HistoryEntry struct {
	Height int64   `json:"height"`
	Time   string  `json:"time,omitempty"`
	Tx     string  `json:"tx"`
	Type   string  `json:"type"`
	Signer string  `json:"signer,omitempty"`
	Code   uint32  `json:"code"`
	Events []Event `json:"events"`
}

// OrderStep is one step of an order's life: the status a block gave it, by a
// transaction (Tx, Type, Signer) or by the block itself (an expiry).
type OrderStep struct {
	Height int64  `json:"height"`
	Time   string `json:"time,omitempty"`
	Status string `json:"status"`
	Tx     string `json:"tx,omitempty"`
	Type   string `json:"type,omitempty"`
	Signer string `json:"signer,omitempty"`
}

// OrderHistory is the answer of RouteOrderHistory, oldest step first.
type OrderHistory struct {
	ID    string      `json:"id"`
	Steps []OrderStep `json:"steps"`
}
