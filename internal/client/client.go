package client

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	rpcclient "github.com/cometbft/cometbft/rpc/client"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	"github.com/cometbft/cometbft/types"

	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/query"
	"github.com/chipmint/chipmint/internal/txn"
)

// ErrNotFound is a query for something the chain does not have.
var ErrNotFound = errors.New("client: not found")

// ErrPruned is a block older than the node keeps: a validator keeps its latest blocks
// (docs/operations.md §2.1); an archive node keeps them all.
var ErrPruned = errors.New("client: block no longer kept by the node")

// ErrNotCommitted is a transaction that did not reach a block before the deadline.
var ErrNotCommitted = errors.New("client: transaction not committed in time")

// ValidityBlocks is how many blocks ahead of the latest a submitted transaction stays
// valid: long enough to reach a block, short enough to be forgotten soon.
const ValidityBlocks = 100

// pollInterval is how often a submitter looks for its transaction in a block.
const pollInterval = 50 * time.Millisecond

// Client is a connection to one node.
type Client struct {
	rpc     *rpchttp.HTTP
	chainID string
	// nodeID is the node's CometBFT node id, as its status names it: which node
	// answers, whatever address it was dialled at.
	nodeID string
}

// Dial connects to the node at addr ("http://127.0.0.1:26657") and learns its chain id.
func Dial(ctx context.Context, addr string) (*Client, error) {
	rpc, err := rpchttp.New(addr, "/websocket")
	if err != nil {
		return nil, fmt.Errorf("client: %s: %w", addr, err)
	}
	st, err := rpc.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("client: node at %s: %w", addr, err)
	}
	return &Client{rpc: rpc, chainID: st.NodeInfo.Network, nodeID: string(st.NodeInfo.ID())}, nil
}

// ChainID is the chain the node runs.
func (c *Client) ChainID() string { return c.chainID }

// Height is the latest committed height.
func (c *Client) Height(ctx context.Context) (int64, error) {
	st, err := c.rpc.Status(ctx)
	if err != nil {
		return 0, fmt.Errorf("client: status: %w", err)
	}
	return st.SyncInfo.LatestBlockHeight, nil
}

// Committed is a transaction in a committed block. Its nonce is a decimal string in
// JSON: a random 64-bit nonce does not fit the numbers of JavaScript.
type Committed struct {
	Hash   string `json:"hash"`
	Height int64  `json:"height"`
	Nonce  uint64 `json:"nonce,string"`
}

// Submit signs msg with a fresh random nonce, broadcasts it and waits until it is in a
// committed block. A rejection, in the mempool or in the block, is a *txn.Error; a
// signer that fails returns its error and nothing is broadcast.
func (c *Client) Submit(ctx context.Context, msg txn.Msg, key crypto.Signer) (Committed, error) {
	nonce, err := NewNonce()
	if err != nil {
		return Committed{}, err
	}
	return c.SubmitWithNonce(ctx, msg, key, nonce)
}

// SubmitWithNonce is Submit with a nonce the caller chose, for example to know the id
// of the order a buy request creates before broadcasting it.
func (c *Client) SubmitWithNonce(ctx context.Context, msg txn.Msg, key crypto.Signer, nonce uint64) (Committed, error) {
	raw, err := c.Sign(ctx, msg, key, nonce)
	if err != nil {
		return Committed{}, err
	}
	return c.Broadcast(ctx, raw)
}

// Sign signs msg for this chain, valid for ValidityBlocks from the latest height.
func (c *Client) Sign(ctx context.Context, msg txn.Msg, key crypto.Signer, nonce uint64) ([]byte, error) {
	h, err := c.Height(ctx)
	if err != nil {
		return nil, err
	}
	return txn.Sign(c.chainID, msg, key, nonce, uint64(h)+ValidityBlocks)
}

// Broadcast sends a signed transaction and waits until it is in a committed block.
// Bytes that do not parse are refused here as the node would refuse them, as a
// *txn.Error, and are not sent.
func (c *Client) Broadcast(ctx context.Context, raw []byte) (Committed, error) {
	tx, err := txn.Parse(raw)
	if err != nil {
		return Committed{}, err
	}
	hash := tx.Hash
	if _, err := c.broadcastSync(ctx, raw); err != nil {
		return Committed{}, err
	}
	height, err := c.WaitCommitted(ctx, hash[:])
	if err != nil {
		return Committed{}, err
	}
	return Committed{Hash: fmt.Sprintf("%X", hash), Height: height, Nonce: tx.Nonce}, nil
}

// broadcastSync sends raw and returns once the node checked it: in its mempool, or
// seen before (the same bytes were broadcast already, and wait like the first sender's),
// or refused, by the ledger as a *txn.Error or by the node.
func (c *Client) broadcastSync(ctx context.Context, raw []byte) (seen bool, err error) {
	res, err := c.rpc.BroadcastTxSync(ctx, raw)
	switch {
	case err != nil && alreadySeen(err):
		return true, nil
	case err != nil:
		return false, fmt.Errorf("client: broadcast: %w", err)
	case res.Code != uint32(txn.OK) && res.Codespace != "" && res.Codespace != "chipmint":
		// The node's answer, not the ledger's: a full mempool asks to try again later.
		return false, fmt.Errorf("client: broadcast: %s (%s %d)", res.Log, res.Codespace, res.Code)
	case res.Code != uint32(txn.OK):
		return false, &txn.Error{Code: txn.Code(res.Code), Reason: res.Log}
	}
	return false, nil
}

// alreadySeen says whether a broadcast was refused because the node has the same bytes
// already: in its mempool, in a block, or being checked. CometBFT's app-side mempool,
// which chipmint's node runs, says "tx already seen"; its own mempool said "tx already
// exists in cache".
func alreadySeen(err error) bool {
	return strings.Contains(err.Error(), "tx already seen") || strings.Contains(err.Error(), "tx already exists in cache")
}

// WaitCommitted waits until the transaction with hash is in a committed block and
// returns its height, or its rejection there as a *txn.Error.
func (c *Client) WaitCommitted(ctx context.Context, hash []byte) (int64, error) {
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for {
		res, err := c.rpc.Tx(ctx, hash, false)
		if err == nil {
			if res.TxResult.Code != uint32(txn.OK) {
				return res.Height, &txn.Error{Code: txn.Code(res.TxResult.Code), Reason: res.TxResult.Log}
			}
			return res.Height, nil
		}
		select {
		case <-ctx.Done():
			return 0, fmt.Errorf("%w: %X: %w", ErrNotCommitted, hash, ctx.Err())
		case <-tick.C:
		}
	}
}

// NewNonce draws a random nonce. Nonces need no order: a signer may have any number of
// transactions in flight.
func NewNonce() (uint64, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return 0, fmt.Errorf("client: nonce: %w", err)
	}
	return binary.BigEndian.Uint64(b[:]), nil
}

// query reads path with data into v, from the last committed state.
func (c *Client) query(ctx context.Context, path, data string, v any) error {
	return c.queryAt(ctx, path, data, 0, v)
}

// queryAt reads path with data into v from the state after height (0: the last one),
// which the node keeps for a while (its state history); a height it does not keep is
// ErrHeightUnavailable.
func (c *Client) queryAt(ctx context.Context, path, data string, height int64, v any) error {
	at := ""
	if height > 0 {
		at = fmt.Sprintf(" at height %d", height)
	}
	res, err := c.rpc.ABCIQueryWithOptions(ctx, path, []byte(data), rpcclient.ABCIQueryOptions{Height: height})
	if err != nil {
		return fmt.Errorf("client: query %s%s: %w", path, at, err)
	}
	switch r := res.Response; r.Code {
	case query.OK:
	case query.NotFound:
		return fmt.Errorf("%w: %s", ErrNotFound, r.Log)
	case query.Unavailable:
		return fmt.Errorf("%w: height %d: %s", ErrHeightUnavailable, height, r.Log)
	default:
		return fmt.Errorf("client: query %s %q%s: %s", path, data, at, r.Log)
	}
	if err := json.Unmarshal(res.Response.Value, v); err != nil {
		return fmt.Errorf("client: query %s: %w", path, err)
	}
	return nil
}

// Order reads an order.
func (c *Client) Order(ctx context.Context, id string) (txn.Order, error) {
	var o txn.Order
	return o, c.query(ctx, query.PathOrder, id, &o)
}

// OrderByBankReference reads the order that an operator's bank reference confirmed.
func (c *Client) OrderByBankReference(ctx context.Context, operator, ref string) (txn.Order, error) {
	var o txn.Order
	return o, c.query(ctx, query.PathBankReference, operator+"/"+ref, &o)
}

// PaidOrders lists the orders paid and not yet issued, by id, reading every page.
func (c *Client) PaidOrders(ctx context.Context) ([]txn.Order, error) {
	return listAll[txn.Order](ctx, c, query.PathPaidOrders)
}

// PaidOrdersPage reads one page of the orders paid and not yet issued: at most limit
// (0: the most a page holds), after the cursor after ("" for the first page; a page's
// Next for the one after it).
func (c *Client) PaidOrdersPage(ctx context.Context, after string, limit int) (query.Page[txn.Order], error) {
	return listPage[txn.Order](ctx, c, query.PathPaidOrders, query.PageRequest{After: after, Limit: limit})
}

// Operator reads an operator.
func (c *Client) Operator(ctx context.Context, id string) (txn.Operator, error) {
	var op txn.Operator
	return op, c.query(ctx, query.PathOperator, id, &op)
}

// RegisterOperator registers an operator, signed by an issuer's key, and returns it as
// the chain has it.
func (c *Client) RegisterOperator(ctx context.Context, reg *txn.RegisterOperator, issuerKey crypto.Signer) (txn.Operator, error) {
	if _, err := c.Submit(ctx, reg, issuerKey); err != nil {
		return txn.Operator{}, fmt.Errorf("register operator %s: %w", reg.ID, err)
	}
	return c.Operator(ctx, reg.ID)
}

// Issuers lists the chain's issuers, by address, reading every page.
func (c *Client) Issuers(ctx context.Context) ([]txn.Issuer, error) {
	return listAll[txn.Issuer](ctx, c, query.PathIssuers)
}

// IssuersPage reads one page of the chain's issuers, as PaidOrdersPage does.
func (c *Client) IssuersPage(ctx context.Context, after string, limit int) (query.Page[txn.Issuer], error) {
	return listPage[txn.Issuer](ctx, c, query.PathIssuers, query.PageRequest{After: after, Limit: limit})
}

// Operators lists the operators, by id, reading every page.
func (c *Client) Operators(ctx context.Context) ([]txn.Operator, error) {
	return listAll[txn.Operator](ctx, c, query.PathOperators)
}

// OperatorsPage reads one page of the operators, as PaidOrdersPage does.
func (c *Client) OperatorsPage(ctx context.Context, after string, limit int) (query.Page[txn.Operator], error) {
	return listPage[txn.Operator](ctx, c, query.PathOperators, query.PageRequest{After: after, Limit: limit})
}

// listPage reads one page of the list at path.
func listPage[T any](ctx context.Context, c *Client, path string, req query.PageRequest) (query.Page[T], error) {
	data, err := json.Marshal(req)
	if err != nil {
		return query.Page[T]{}, fmt.Errorf("client: query %s: %w", path, err)
	}
	var p query.Page[T]
	return p, c.query(ctx, path, string(data), &p)
}

// listPageLimit is the page size listAll asks for; tests make it smaller.
var listPageLimit = query.PageMax

// listAll reads the list at path page by page, each after the last item of the one
// before. Each page is read at the height the node had then: an item added or removed
// meanwhile may be missed or still be listed, but none is listed twice.
func listAll[T any](ctx context.Context, c *Client, path string) ([]T, error) {
	var all []T
	after := ""
	for {
		p, err := listPage[T](ctx, c, path, query.PageRequest{After: after, Limit: listPageLimit})
		if err != nil {
			return nil, err
		}
		all = append(all, p.Items...)
		if p.Next == "" {
			return all, nil
		}
		if p.Next == after {
			return nil, fmt.Errorf("client: query %s: the node answers the page after %q again", path, after)
		}
		after = p.Next
	}
}

// Balance reads the chips an address holds.
func (c *Client) Balance(ctx context.Context, a crypto.Address) (uint64, error) {
	var ans query.Balance
	return ans.Chips, c.query(ctx, query.PathBalance, a.String(), &ans)
}

// Supply reads the chain's chip totals.
func (c *Client) Supply(ctx context.Context) (txn.Supply, error) {
	var s txn.Supply
	return s, c.query(ctx, query.PathSupply, "", &s)
}

// OrderEvent is one step of an order's history as the node indexed it. A transaction's
// step carries every attribute of its event; a step a block took by itself (an expiry)
// only the order's id and its status, since a node keeps no block's results.
type OrderEvent struct {
	Height int64             `json:"height"`
	Hash   string            `json:"hash"`
	Attrs  map[string]string `json:"attrs"`
}

// OrderHistory finds the steps of an order, oldest first: the transactions that changed
// it, from the node's transaction index, and the blocks that did by themselves (its
// expiry), from its block index. A step in a block the node no longer keeps has no
// height to show: OrderHistory then returns the steps it found with an error wrapping
// ErrPruned.
func (c *Client) OrderHistory(ctx context.Context, id string) ([]OrderEvent, error) {
	q := fmt.Sprintf("order.id='%s'", id)
	res, err := c.rpc.TxSearch(ctx, q, false, nil, nil, "asc")
	if err != nil {
		return nil, fmt.Errorf("client: search order %s: %w", id, err)
	}
	var out []OrderEvent
	for _, tx := range res.Txs {
		out = append(out, orderEvents(tx.TxResult.Events, id, tx.Height, tx.Hash.String())...)
	}
	pruned := 0
	for _, status := range query.BlockOrderStatuses {
		bq := fmt.Sprintf("%s AND order.status='%s'", q, status)
		blocks, err := c.rpc.BlockSearch(ctx, bq, nil, nil, "asc")
		if err != nil {
			return nil, fmt.Errorf("client: search blocks of order %s: %w", id, err)
		}
		for _, b := range blocks.Blocks {
			out = append(out, OrderEvent{Height: b.Block.Height, Attrs: map[string]string{"id": id, "status": string(status)}})
		}
		// The node finds a pruned block in its index but answers only the blocks it has.
		pruned += blocks.TotalCount - len(blocks.Blocks)
	}
	slices.SortStableFunc(out, func(a, b OrderEvent) int { return cmp.Compare(a.Height, b.Height) })
	if pruned > 0 {
		base, err := c.Base(ctx)
		if err != nil {
			return out, err
		}
		return out, fmt.Errorf("%w: order %s: %d of its steps are in blocks below height %d, which the node no longer keeps; an archive node has them",
			ErrPruned, id, pruned, base)
	}
	return out, nil
}

// orderEvents are the events of order id among events.
func orderEvents(events []abci.Event, id string, height int64, hash string) []OrderEvent {
	var out []OrderEvent
	for _, ev := range allOrderEvents(events, height) {
		if ev.Attrs["id"] == id {
			ev.Hash = hash
			out = append(out, ev)
		}
	}
	return out
}

// EstimateTime is when the chain reaches height: the block's time if it is committed,
// else an estimate from the latest block's time and the mean interval of the last
// blocks.
func (c *Client) EstimateTime(ctx context.Context, height int64) (time.Time, error) {
	st, err := c.rpc.Status(ctx)
	if err != nil {
		return time.Time{}, fmt.Errorf("client: status: %w", err)
	}
	latest, latestTime := st.SyncInfo.LatestBlockHeight, st.SyncInfo.LatestBlockTime
	if height <= latest {
		b, err := c.block(ctx, height)
		if err != nil {
			return time.Time{}, err
		}
		return b.Time, nil
	}
	from := max(latest-estimateBlocks, st.SyncInfo.EarliestBlockHeight, 1)
	b, err := c.block(ctx, from)
	if err != nil {
		return time.Time{}, err
	}
	interval := time.Second
	if latest > from {
		interval = latestTime.Sub(b.Time) / time.Duration(latest-from)
	}
	return latestTime.Add(time.Duration(height-latest) * interval), nil
}

// block reads the block at height: ErrPruned if the node no longer keeps it.
func (c *Client) block(ctx context.Context, height int64) (*types.Block, error) {
	res, err := c.rpc.Block(ctx, &height)
	if err != nil {
		return nil, blockError("block", height, err)
	}
	return res.Block, nil
}

// blockError is the error of reading a block's part at height: ErrPruned when the node
// no longer keeps the block.
func blockError(what string, height int64, err error) error {
	if strings.Contains(err.Error(), "is not available, lowest height is") {
		return fmt.Errorf("%w: block %d: %w", ErrPruned, height, err)
	}
	return fmt.Errorf("client: %s %d: %w", what, height, err)
}

// estimateBlocks is how many recent blocks give the mean block interval.
const estimateBlocks = 100

// SubscribeOrders streams the ids of orders that reach status, as the node emits their
// events. The stream ends when ctx is done or the connection drops; callers that must
// not miss an order also rescan (see PaidOrders).
func (c *Client) SubscribeOrders(ctx context.Context, status txn.OrderStatus) (<-chan string, error) {
	if !c.rpc.IsRunning() {
		if err := c.rpc.Start(); err != nil {
			return nil, fmt.Errorf("client: websocket: %w", err)
		}
	}
	query := fmt.Sprintf("tm.event='Tx' AND order.status='%s'", status)
	events, err := c.rpc.Subscribe(ctx, "chipmint-client", query, 256)
	if err != nil {
		return nil, fmt.Errorf("client: subscribe %q: %w", query, err)
	}
	out := make(chan string, 256)
	go func() {
		defer close(out)
		for {
			select {
			case <-ctx.Done():
				return
			case ev, ok := <-events:
				if !ok {
					return
				}
				for _, id := range ev.Events["order.id"] {
					select {
					case out <- id:
					case <-ctx.Done():
						return
					}
				}
			}
		}
	}()
	return out, nil
}

// Close stops the client's websocket, if it started one.
func (c *Client) Close() error {
	if c.rpc.IsRunning() {
		return c.rpc.Stop()
	}
	return nil
}

// DialRetry dials until the node answers, waiting with exponential backoff (up to 30s
// between tries) and logging each failure, until ctx is done.
func DialRetry(ctx context.Context, addr string, log *slog.Logger) (*Client, error) {
	wait := 250 * time.Millisecond
	for {
		c, err := Dial(ctx, addr)
		if err == nil {
			return c, nil
		}
		log.Warn("node unreachable, retrying", "node", addr, "in", wait, "err", err)
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, 30*time.Second)
	}
}

// Header is what a block commits to: its hash, and the app hash of the state before it.
type Header struct {
	Height    int64  `json:"height"`
	BlockHash []byte `json:"block_hash"`
	AppHash   []byte `json:"app_hash"`
	NumTxs    int    `json:"num_txs"`
}

// Headers returns the headers of heights minHeight to maxHeight, in ascending order.
func (c *Client) Headers(ctx context.Context, minHeight, maxHeight int64) ([]Header, error) {
	var out []Header
	for lo := minHeight; lo <= maxHeight; lo += 20 {
		hi := min(lo+19, maxHeight)
		res, err := c.rpc.BlockchainInfo(ctx, lo, hi)
		if err != nil {
			return nil, fmt.Errorf("client: headers %d-%d: %w", lo, hi, err)
		}
		for i := len(res.BlockMetas) - 1; i >= 0; i-- {
			m := res.BlockMetas[i]
			out = append(out, Header{Height: m.Header.Height, BlockHash: m.BlockID.Hash, AppHash: m.Header.AppHash, NumTxs: m.NumTxs})
		}
	}
	return out, nil
}

// TxResult is a transaction in a committed block, as the node indexed it: the block's
// height, the chain's answer (OK, or the code of its rejection) and the bytes.
type TxResult struct {
	Hash   string
	Height int64
	Code   txn.Code
	Log    string
	Tx     []byte
}

// Tx finds a committed transaction by its hash (the SHA-256 of its bytes). A
// transaction the node has not seen in a block, or not yet, is ErrNotFound.
func (c *Client) Tx(ctx context.Context, hash []byte) (TxResult, error) {
	res, err := c.rpc.Tx(ctx, hash, false)
	if err != nil {
		if strings.Contains(err.Error(), "not found") {
			return TxResult{}, fmt.Errorf("%w: transaction %X", ErrNotFound, hash)
		}
		return TxResult{}, fmt.Errorf("client: tx %X: %w", hash, err)
	}
	return TxResult{
		Hash: fmt.Sprintf("%X", hash), Height: res.Height,
		Code: txn.Code(res.TxResult.Code), Log: res.TxResult.Log, Tx: res.Tx,
	}, nil
}

// TxHeight finds a committed transaction by hash: its height, or false if the node does
// not have it.
func (c *Client) TxHeight(ctx context.Context, hash []byte) (int64, bool, error) {
	res, err := c.Tx(ctx, hash)
	if errors.Is(err, ErrNotFound) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	return res.Height, true, nil
}

// BlockTxHashes returns the hashes of the transactions in the block at height, in block
// order. Unlike the transaction index, a block is there on every node that has it; one
// below the node's base is ErrPruned.
func (c *Client) BlockTxHashes(ctx context.Context, height int64) ([][]byte, error) {
	b, err := c.block(ctx, height)
	if err != nil {
		return nil, err
	}
	hashes := make([][]byte, len(b.Txs))
	for i, tx := range b.Txs {
		sum := sha256.Sum256(tx)
		hashes[i] = sum[:]
	}
	return hashes, nil
}

// Base is the lowest height whose block the node has: 1, or above for a node that
// state-synced from a snapshot or prunes its blocks.
func (c *Client) Base(ctx context.Context) (int64, error) {
	st, err := c.rpc.Status(ctx)
	if err != nil {
		return 0, fmt.Errorf("client: status: %w", err)
	}
	return max(st.SyncInfo.EarliestBlockHeight, 1), nil
}
