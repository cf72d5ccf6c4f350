// Package query is the query API of a chipmint node: the ABCI query paths, the answer
// codes and the answer types, as the application serves them and clients read them.
// It holds definitions only, so that both sides use one.
package query

import (
	"encoding/binary"
	"fmt"

	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/txn"
)

// Code is a query's answer code, apart from the transaction codes: a query changes
// nothing.
type Code = uint32

// Answer codes.
const (
	OK         Code = 0
	NotFound   Code = 1
	BadRequest Code = 2
	// Broken was the answer of a broken invariant to PathInvariants, which the public
	// RPC no longer answers; the number is not reused.
	Broken Code = 3
	// OperatorOnly is a query that reads the whole state, which a node answers only to
	// its operator, on its admin address (AdminPathInvariants), never on the public RPC.
	OperatorOnly Code = 4
	// Unavailable is a height whose state the node no longer keeps (or not yet).
	Unavailable Code = 5
)

// CodeName is the name of an answer code, as the node's JSON API gives it beside the
// number.
func CodeName(c Code) string {
	switch c {
	case OK:
		return "OK"
	case NotFound:
		return "NotFound"
	case BadRequest:
		return "BadRequest"
	case Broken:
		return "Broken"
	case OperatorOnly:
		return "OperatorOnly"
	case Unavailable:
		return "Unavailable"
	}
	return fmt.Sprintf("Code%d", c)
}

// Paths. A query's data carries the id or address where one is needed. Answers are
// JSON read from the last committed state, or from the state after the query's height
// for the single records that PastHeights lists. PathOperators, PathPaidOrders, PathIssuers
// and PathPendingProposals are lists, answered a Page at a time; their data is a
// PageRequest.
const (
	PathOrder      = "/order"
	PathOperator   = "/operator"
	PathOperators  = "/operators"
	PathPaidOrders = "/orders/paid"
	PathBalance    = "/balance"
	PathSupply     = "/supply"
	PathIssuers    = "/issuers"
	// PathInvariants is refused (OperatorOnly): the invariants are checked on the
	// node's admin address.
	PathInvariants = "/invariants"
	// PathBankReference finds the order an operator's bank reference confirmed; its
	// data is "OPERATOR/REFERENCE".
	PathBankReference = "/order/by-bank-reference"
	// PathRedemption is a redemption by its id.
	PathRedemption = "/redemption"
	// PathOpenRedemptions, followed by an operator's id, lists the operator's
	// redemptions whose payout is to be made or confirmed, by id.
	PathOpenRedemptions = "/redemptions/open/"
	// PathOwedOrders, followed by an operator's id, lists the operator's orders that owe
	// money back with no refund recorded, by id.
	PathOwedOrders = "/orders/owed/"
	// PathRefund is the refund recorded of an operator's credit that confirmed no
	// order; its data is "OPERATOR/REFERENCE".
	PathRefund = "/refund"
	// PathValidators lists the validator set, each Ed25519 key with its power.
	PathValidators = "/validators"
	// PathRemovedOrder is the height at which an order closed with nothing received
	// left the state (RemovedOrder), by the order's id.
	PathRemovedOrder = "/order/removed"
	// PathParams is the chain's parameters (Params).
	PathParams = "/params"
	// PathProposal is an issuers' proposal by its id, whatever its status.
	PathProposal = "/proposal"
	// PathPendingProposals lists the proposals waiting for approvals, a Page at a time,
	// ordered by the last height at which each may be approved, then by id; the cursor
	// is a proposal's id.
	PathPendingProposals = "/proposals/pending"
	// PathPaused lists the paused operations, by name: at most the five there are.
	PathPaused = "/paused"
	// PathFrozen is the frozen-account record of an address, not found when the
	// account is not frozen.
	PathFrozen = "/frozen"
	// PathState is a state entry by its key (the data, raw bytes), at the query's height
	// or the last one: the answer's value is the stored bytes, not JSON, and with prove
	// set its proof is the one op of the answer's proof ops, of type ProofOpState
	// (merkle.StateProof's binary form). A key absent is NotFound, with its proof of
	// absence; a key the state tree does not hold is BadRequest.
	PathState = "/state"
	// PathReferences, followed by a ReferenceKind, a slash and an operator's id, lists
	// the bank references the chain holds of that kind for the operator, a Page of
	// Reference at a time, by reference (the cursor). They are what a reserves check
	// matches the operator's bank statements against.
	PathReferences = "/references/"
	// PathAuditors lists the auditors, a Page at a time, by address; the cursor is an
	// auditor's address.
	PathAuditors = "/auditors"
	// PathReserves, followed by an operator's id, lists the operator's attestations of
	// its reserves (txn.ReservesAttestation), a Page at a time, newest first; the cursor
	// is an attestation's height, in decimal.
	PathReserves = "/reserves/"
	// PathReservesByDigest lists the attestations of one reserves report, one for each
	// of its operators, by operator id; its data is the report's SHA-256 digest in hex.
	// A report never attested is not found.
	PathReservesByDigest = "/reserves-report"
	// PathCover is the cover of an operator's shortfall recorded of its credit with a
	// bank reference (txn.Cover); its data is "OPERATOR/REFERENCE".
	PathCover = "/cover"
)

// ReferenceKind is a kind of bank reference the chain records of an operator.
type ReferenceKind string

// The kinds of bank references, and what a Reference's Target is for each.
const (
	// RefCredit is a credit that confirmed an order; Target is the order's id.
	RefCredit ReferenceKind = "credit"
	// RefRefundedCredit is a credit that confirmed no order and was refunded (a
	// Refund, at PathRefund); Target is the refund's own reference.
	RefRefundedCredit ReferenceKind = "refunded_credit"
	// RefPayout is the booked debit of a redemption's payout; Target is the
	// redemption's id.
	RefPayout ReferenceKind = "payout"
	// RefCover is a credit of the operator's own money that covered its shortfall (a
	// txn.Cover, at PathCover); Target is the amount the credit brought in, in minor
	// units of the operator's currency, in decimal: what its bank entry must show.
	RefCover ReferenceKind = "cover"
)

// ReferenceKinds are the kinds PathReferences answers.
var ReferenceKinds = []ReferenceKind{RefCredit, RefRefundedCredit, RefPayout, RefCover}

// Reference is an item of PathReferences: a bank reference in the canonical form the
// chain keys it by (upper case), and the record it points to.
type Reference struct {
	Reference string `json:"reference"`
	Target    string `json:"target"`
}

// Params is the answer to PathParams: the chain's parameters (docs/protocol.md §10).
type Params struct {
	CheckpointInterval   int64 `json:"checkpoint_interval"`
	OrderTTLBlocks       int64 `json:"order_ttl_blocks"`
	RedemptionTTLBlocks  int64 `json:"redemption_ttl_blocks"`
	OrderRetentionBlocks int64 `json:"order_retention_blocks"`
	// IssuerThreshold is how many issuers approve a controlled action.
	IssuerThreshold int64 `json:"issuer_threshold"`
	// IssueApprovalChips is the most chips one issuer issues alone while
	// IssuerThreshold is above 1; 0 means no limit.
	IssueApprovalChips       uint64 `json:"issue_approval_chips,string"`
	ProposalTTLBlocks        int64  `json:"proposal_ttl_blocks"`
	OpenOrdersPerOperatorMax int64  `json:"open_orders_per_operator_max"`
	OpenOrdersPerBuyerMax    int64  `json:"open_orders_per_buyer_max"`
}

// Direct reports whether one issuer may send the controlled action of type t with
// chips (an Issue's) as its own transaction; otherwise it is proposed and approved.
func (p Params) Direct(t txn.Type, chips uint64) bool {
	if p.IssuerThreshold <= 1 {
		return true
	}
	return t == txn.TypeIssue && (p.IssueApprovalChips == 0 || chips <= p.IssueApprovalChips)
}

// RemovedOrder is the answer to PathRemovedOrder.
type RemovedOrder struct {
	ID     string `json:"id"`
	Height int64  `json:"height"`
}

// PageMax is the most items a page of a list holds: a larger Limit is served as
// PageMax, and no Limit asks for PageMax.
const PageMax = 100

// PageRequest is the data of a list query, JSON: {"after": "…", "limit": 50}. Both are
// optional; no data at all asks for the first page of PageMax items.
type PageRequest struct {
	// After is the cursor of the page before (its Next): the page holds the items that
	// come after it in the list's order. Empty, the first page.
	After string `json:"after,omitempty"`
	// Limit is how many items the page may hold, at most PageMax; 0 means PageMax.
	Limit int `json:"limit,omitempty"`
}

// Page is one page of a list: at most the limit asked for of its items, in the list's
// order, and Next, the After of the page that follows, empty on the last page. Next is
// the key of the page's last item: an operator's or an order's id, an issuer's address.
type Page[T any] struct {
	Items []T    `json:"items"`
	Next  string `json:"next,omitempty"`
}

// Balance is the answer to PathBalance.
type Balance struct {
	Address crypto.Address `json:"address"`
	Chips   uint64         `json:"chips,string"`
}

// AdminPathInvariants is the node's admin address's check of the ledger's invariants
// (chipmint node --admin-listen): GET answers Invariants, with the HTTP status 200 when
// they hold and 500 when one is broken.
const AdminPathInvariants = "/v1/invariants"

// Invariants is the answer to AdminPathInvariants: the node's check of the ledger's
// invariants on its state.
type Invariants struct {
	Height int64  `json:"height"`
	OK     bool   `json:"ok"`
	Error  string `json:"error,omitempty"`
}

// ProofOpState is the type of the proof op of a PathState answer.
const ProofOpState = "chipmint/state/v1"

// PastHeights are the paths a node answers at a past height, from its state tree: single
// records. Lists are answered at the last height only.
var PastHeights = []string{
	PathOrder, PathOperator, PathBalance, PathSupply, PathParams, PathRedemption, PathProposal,
	PathFrozen, PathRefund, PathBankReference, PathRemovedOrder, PathCover,
}

// AccountPrefix starts the state keys of the balances.
const AccountPrefix = "acct/"

// AccountKey is the state key of an account's balance, which PathState proves:
// AccountPrefix and the address's bytes. Its value is DecodeBalance's.
func AccountKey(a crypto.Address) []byte {
	return append(append(make([]byte, 0, len(AccountPrefix)+len(a)), AccountPrefix...), a[:]...)
}

// DecodeBalance reads a balance as the state stores it at AccountKey: the chips, 8 bytes
// big-endian.
func DecodeBalance(b []byte) (uint64, error) {
	if len(b) != 8 {
		return 0, fmt.Errorf("a balance of %d bytes, want 8", len(b))
	}
	return binary.BigEndian.Uint64(b), nil
}

// OrderPrefix starts the state keys of the orders.
const OrderPrefix = "ord/"

// OrderKey is the state key of an order, which PathState proves: OrderPrefix and the
// order's id. Its value is the order's record (txn.Order) in canonical CBOR.
func OrderKey(id string) []byte { return []byte(OrderPrefix + id) }

// BlockOrderStatuses are the statuses a block gives an order by itself, with no
// transaction, which the node's block index holds (not its transaction index): the
// ledger's block start only expires orders (ledger.BeginBlock).
var BlockOrderStatuses = []txn.OrderStatus{txn.StatusExpired}

// Indexed are the event attributes, as "type.key", that clients search a node's index
// by: an order's transactions and the blocks that changed it by themselves
// (Client.OrderHistory searches order.id, and order.status among the blocks' events), a
// buyer's orders (order.buyer), and an account's transactions: those it signed
// (msg.signer), the transfers to it and its redemptions moved by others (the node's
// API, decision 0045). A node indexes these alone unless it is an archive, which indexes
// every attribute; subscriptions, which the node matches as it emits the events, need
// no index.
var Indexed = []string{"order.id", "order.status", "order.buyer", "msg.signer", "transfer.to", "redemption.holder"}
