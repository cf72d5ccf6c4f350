package node

import (
	"cmp"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtquery "github.com/cometbft/cometbft/libs/pubsub/query"
	"github.com/cometbft/cometbft/state/indexer"
	"github.com/cometbft/cometbft/state/txindex"
	"github.com/cometbft/cometbft/state/txindex/null"
	cmtstore "github.com/cometbft/cometbft/store"
	"github.com/cometbft/cometbft/types"

	"github.com/chipmint/chipmint/internal/api"
	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/query"
	"github.com/chipmint/chipmint/internal/txn"
)

// chainReader serves the blocks, the transactions and the histories of orders and
// accounts (api.RouteBlocks and the routes beside it) from the node's block store and
// its indexes, in process. What is not in the state is not proved by the state tree:
// these answers are the node's word, as CometBFT's RPC's are.
type chainReader struct {
	blocks   *cmtstore.BlockStore
	txs      txindex.TxIndexer
	blockIdx indexer.BlockIndexer
	reader   *reader
	// searches holds a place for each request searching the index (searchesMax).
	searches chan struct{}
}

// routeChain adds the routes of blocks, transactions and histories to mux.
func routeChain(mux *http.ServeMux, c *chainReader) {
	mux.HandleFunc(api.RouteBlocks, c.blockList)
	mux.HandleFunc(api.RouteBlock, c.block)
	mux.HandleFunc(api.RouteTx, c.tx)
	mux.HandleFunc(api.RouteOrders, c.orders)
	mux.HandleFunc(api.RouteOrderHistory, c.orderHistory)
	mux.HandleFunc(api.RouteAccountHistory, c.accountHistory)
}

// blockList answers a page of blocks, newest first; after is a height, the page starts
// below it.
func (c *chainReader) blockList(w http.ResponseWriter, r *http.Request) {
	req, err := pageRequest(r.URL.Query())
	if err != nil {
		readRefuse(w, query.BadRequest, err.Error())
		return
	}
	top := c.blocks.Height()
	if req.After != "" {
		after, err := strconv.ParseInt(req.After, 10, 64)
		if err != nil || after < 1 {
			readRefuse(w, query.BadRequest, fmt.Sprintf("after %q: want a block height, the next of the page before", req.After))
			return
		}
		top = min(top, after-1)
	}
	page := query.Page[api.BlockSummary]{Items: []api.BlockSummary{}}
	base := c.blocks.Base()
	for h := top; h >= base && h > 0 && len(page.Items) < req.Limit; h-- {
		meta := c.blocks.LoadBlockMeta(h)
		if meta == nil {
			break
		}
		page.Items = append(page.Items, blockSummary(meta))
	}
	if n := len(page.Items); n > 0 && page.Items[n-1].Height > max(base, 1) {
		page.Next = strconv.FormatInt(page.Items[n-1].Height, 10)
	}
	writeJSON(w, page)
}

func blockSummary(meta *types.BlockMeta) api.BlockSummary {
	return api.BlockSummary{
		Height: meta.Header.Height, Time: formatTime(meta.Header.Time), Hash: meta.BlockID.Hash.String(),
		Proposer: meta.Header.ProposerAddress.String(), Txs: meta.NumTxs,
	}
}

// block answers a block with its transactions.
func (c *chainReader) block(w http.ResponseWriter, r *http.Request) {
	s := r.PathValue("height")
	h, err := strconv.ParseInt(s, 10, 64)
	if err != nil || h < 1 {
		readRefuse(w, query.BadRequest, fmt.Sprintf("height %q: want a whole number from 1", s))
		return
	}
	b, ok := c.loadBlock(w, h)
	if !ok {
		return
	}
	out := api.Block{
		Height: h, Time: formatTime(b.Time), Hash: b.Hash().String(), AppHash: b.AppHash.String(),
		Proposer: b.ProposerAddress.String(), Txs: make([]api.TxSummary, len(b.Txs)),
	}
	for i, tx := range b.Txs {
		out.Txs[i] = txSummary(tx)
		if res, err := c.txs.Get(tx.Hash()); err == nil && res != nil {
			out.Txs[i].Code, out.Txs[i].Log = &res.Result.Code, res.Result.Log
		}
	}
	writeJSON(w, out)
}

// loadBlock is the block at height h, or the refusal answered: a height not reached
// yet is not found, one below the node's base no longer kept.
func (c *chainReader) loadBlock(w http.ResponseWriter, h int64) (*types.Block, bool) {
	if h > c.blocks.Height() {
		readRefuse(w, query.NotFound, fmt.Sprintf("no block at height %d: the chain is at %d", h, c.blocks.Height()))
		return nil, false
	}
	b := c.blocks.LoadBlock(h)
	if b == nil {
		readRefuse(w, query.Unavailable, fmt.Sprintf("block %d is no longer kept by this node (it keeps from %d): an archive node has it", h, c.blocks.Base()))
		return nil, false
	}
	return b, true
}

// txSummary is what a transaction's bytes say of it: its hash, its type and its signer.
// Bytes that are no transaction (a proposer may include them; the chain refuses them)
// have the type "malformed" and no signer.
func txSummary(tx types.Tx) api.TxSummary {
	s, _ := parseTx(tx)
	return s
}

// parseTx is txSummary and the transaction it parsed, nil for bytes that are none.
func parseTx(tx types.Tx) (api.TxSummary, *txn.Signed) {
	s := api.TxSummary{Hash: fmt.Sprintf("%X", tx.Hash()), Type: "malformed"}
	p, err := txn.Parse(tx)
	if err != nil {
		return s, nil
	}
	s.Type, s.Signer = p.Type.String(), p.Sender.String()
	return s, p
}

// tx answers a committed transaction by its hash.
func (c *chainReader) tx(w http.ResponseWriter, r *http.Request) {
	s := r.PathValue("hash")
	hash, err := hex.DecodeString(s)
	if err != nil || len(hash) != 32 {
		readRefuse(w, query.BadRequest, fmt.Sprintf("hash %q: want the transaction's SHA-256, 64 hexadecimal characters", s))
		return
	}
	if !c.indexed(w) {
		return
	}
	res, err := c.txs.Get(hash)
	if err != nil {
		readRefuse(w, query.Unavailable, fmt.Sprintf("the transaction index: %v", err))
		return
	}
	if res == nil {
		readRefuse(w, query.NotFound, fmt.Sprintf("no committed transaction %s in this node's index", strings.ToUpper(s)))
		return
	}
	summary, parsed := parseTx(res.Tx)
	out := api.Tx{
		TxSummary: summary, Height: res.Height, Index: res.Index,
		Time: c.blockTime(res.Height), Events: events(res.Result.Events),
	}
	out.Code, out.Log = &res.Result.Code, res.Result.Log
	if parsed != nil {
		out.Nonce = parsed.Nonce
	}
	writeJSON(w, out)
}

// blockTime is the time of the block at height h, empty if the node no longer keeps it.
func (c *chainReader) blockTime(h int64) string {
	if meta := c.blocks.LoadBlockMeta(h); meta != nil {
		return formatTime(meta.Header.Time)
	}
	return ""
}

// indexed says whether the node keeps a transaction index, and answers the refusal if
// it does not.
func (c *chainReader) indexed(w http.ResponseWriter) bool {
	if !c.keepsIndex() {
		readRefuse(w, query.Unavailable, "this node keeps no transaction index (tx_index.indexer = \"null\")")
		return false
	}
	return true
}

// keepsIndex says whether the node keeps a transaction index (tx_index.indexer is not
// "null").
func (c *chainReader) keepsIndex() bool {
	_, none := c.txs.(*null.TxIndex)
	return !none
}

// indexedAt says whether the node's index holds the block at height h: its events
// and, written after them in one batch, its transactions. A node without an index holds
// every height it will ever hold.
func (c *chainReader) indexedAt(h int64) bool {
	if !c.keepsIndex() {
		return true
	}
	if ok, err := c.blockIdx.Has(h); err != nil || !ok {
		return false
	}
	meta := c.blocks.LoadBlockMeta(h)
	if meta == nil || meta.NumTxs == 0 {
		return true
	}
	b := c.blocks.LoadBlock(h)
	if b == nil {
		return true
	}
	res, err := c.txs.Get(b.Txs[len(b.Txs)-1].Hash())
	return err == nil && res != nil
}

// search is the committed transactions that match q, from the node's index.
func (c *chainReader) search(ctx context.Context, q string) ([]*abci.TxResult, error) {
	parsed, err := cmtquery.New(q)
	if err != nil {
		return nil, fmt.Errorf("the search %q: %w", q, err)
	}
	return c.txs.Search(ctx, parsed)
}

// searchWindow is the first span of heights a search of the newest transactions reads;
// the span grows fourfold each time, until the page fills or the search reaches the
// chain's first height. The index loads only the results within the span.
const searchWindow = 1000

// newest reads the transactions that match any of conds, before the cursor, newest
// first: want of them, and one more when more follow.
func (c *chainReader) newest(ctx context.Context, conds []string, from txCursor, want int) ([]*abci.TxResult, error) {
	var found []*abci.TxResult
	hi := min(from.height, c.blocks.Height())
	for span := int64(searchWindow); hi >= 1 && len(found) <= want; span *= 4 {
		lo := max(1, hi-span+1)
		for _, cond := range conds {
			res, err := c.search(ctx, fmt.Sprintf("%s AND tx.height >= %d AND tx.height <= %d", cond, lo, hi))
			if err != nil {
				return nil, err
			}
			found = append(found, res...)
		}
		found = newestFirst(found, from)
		hi = lo - 1
	}
	return found[:min(len(found), want+1)], nil
}

// searchesMax is how many requests search the index at once; searchWaitMax how long
// one waits for its turn before the node answers that it is busy.
const (
	searchesMax   = 4
	searchWaitMax = 10 * time.Second
)

// searchTurn waits for the request's turn to search the index, and answers the
// refusal when it does not come.
func (c *chainReader) searchTurn(w http.ResponseWriter, r *http.Request) bool {
	wait := time.NewTimer(searchWaitMax)
	defer wait.Stop()
	select {
	case c.searches <- struct{}{}:
		return true
	case <-wait.C:
		readRefuse(w, query.Unavailable, "the node is busy with other searches of its index: try again")
	case <-r.Context().Done():
	}
	return false
}

func (c *chainReader) searchDone() { <-c.searches }

// txCursor is where a history's page ends: the position of its last transaction.
type txCursor struct{ height, index int64 }

// cursorAt is the cursor of the page that ends with r.
func cursorAt(r *abci.TxResult) txCursor { return txCursor{r.Height, int64(r.Index)} }

func parseCursor(s string) (txCursor, error) {
	if s == "" {
		return txCursor{height: 1<<63 - 1}, nil
	}
	hs, is, ok := strings.Cut(s, ".")
	h, err1 := strconv.ParseInt(hs, 10, 64)
	i, err2 := strconv.ParseInt(is, 10, 64)
	if !ok || err1 != nil || err2 != nil || h < 1 || i < 0 {
		return txCursor{}, fmt.Errorf("after %q: want the next of the page before, a height and an index as HEIGHT.INDEX", s)
	}
	return txCursor{h, i}, nil
}

func (p txCursor) String() string { return fmt.Sprintf("%d.%d", p.height, p.index) }

func (p txCursor) after(r *abci.TxResult) bool {
	return r.Height < p.height || (r.Height == p.height && int64(r.Index) < p.index)
}

// newestFirst sorts results newest first and leaves out those at or before the cursor
// (in the order of the list) and those seen twice.
func newestFirst(results []*abci.TxResult, from txCursor) []*abci.TxResult {
	slices.SortFunc(results, func(a, b *abci.TxResult) int {
		return cmp.Or(cmp.Compare(b.Height, a.Height), cmp.Compare(b.Index, a.Index))
	})
	results = slices.CompactFunc(results, func(a, b *abci.TxResult) bool { return a.Height == b.Height && a.Index == b.Index })
	return slices.DeleteFunc(results, func(r *abci.TxResult) bool { return !from.after(r) })
}

// accountSearches are the searches that find an account's transactions: those it
// signed, the transfers to it, its orders and its redemptions moved by others.
var accountSearches = []string{"msg.signer", "transfer.to", "order.buyer", "redemption.holder"}

// accountHistory answers a page of an account's transactions, newest first.
func (c *chainReader) accountHistory(w http.ResponseWriter, r *http.Request) {
	addr, err := crypto.ParseAddress(r.PathValue("address"))
	if err != nil {
		readRefuse(w, query.BadRequest, err.Error())
		return
	}
	req, from, ok := historyPage(w, r)
	if !ok || !c.indexed(w) || !c.searchTurn(w, r) {
		return
	}
	defer c.searchDone()
	conds := make([]string, len(accountSearches))
	for i, attr := range accountSearches {
		conds[i] = fmt.Sprintf("%s='%s'", attr, addr)
	}
	all, err := c.newest(r.Context(), conds, from, req.Limit)
	if err != nil {
		readRefuse(w, query.Unavailable, err.Error())
		return
	}
	page := query.Page[api.HistoryEntry]{Items: []api.HistoryEntry{}}
	for _, res := range all[:min(len(all), req.Limit)] {
		s := txSummary(res.Tx)
		page.Items = append(page.Items, api.HistoryEntry{
			Height: res.Height, Time: c.blockTime(res.Height), Tx: s.Hash, Type: s.Type, Signer: s.Signer,
			Code: res.Result.Code, Events: events(res.Result.Events),
		})
	}
	if len(all) > req.Limit {
		last := all[req.Limit-1]
		page.Next = cursorAt(last).String()
	}
	writeJSON(w, page)
}

// historyPage reads a history's page request and its cursor, answering the refusal.
func historyPage(w http.ResponseWriter, r *http.Request) (query.PageRequest, txCursor, bool) {
	req, err := pageRequest(r.URL.Query())
	if err != nil {
		readRefuse(w, query.BadRequest, err.Error())
		return req, txCursor{}, false
	}
	from, err := parseCursor(req.After)
	if err != nil {
		readRefuse(w, query.BadRequest, err.Error())
		return req, txCursor{}, false
	}
	return req, from, true
}

// ordersScanMax bounds the orders one page of a list filtered by status reads: a page
// may then hold fewer orders than its limit, even none, with a next to go on from.
const ordersScanMax = 1000

// orders answers a page of orders, newest first, by the height of their request: all
// of them, or a buyer's, or those in a status now.
func (c *chainReader) orders(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	// A buyer's orders are its requests among the transactions naming it; all orders,
	// the requests.
	search := fmt.Sprintf("order.status='%s'", txn.StatusAwaitingPayment)
	if s := v.Get("buyer"); s != "" {
		buyer, err := crypto.ParseAddress(s)
		if err != nil {
			readRefuse(w, query.BadRequest, fmt.Sprintf("buyer: %v", err))
			return
		}
		search = fmt.Sprintf("order.buyer='%s'", buyer)
	}
	status := txn.OrderStatus(v.Get("status"))
	if status != "" && !slices.Contains(txn.OrderStatuses, status) {
		readRefuse(w, query.BadRequest, fmt.Sprintf("status %q: want one of %v", status, txn.OrderStatuses))
		return
	}
	req, from, ok := historyPage(w, r)
	if !ok || !c.indexed(w) || !c.searchTurn(w, r) {
		return
	}
	defer c.searchDone()
	// Every request of the unfiltered list is an order; the other lists read up to
	// ordersScanMax transactions to fill a page.
	scan := ordersScanMax
	if v.Get("buyer") == "" && status == "" {
		scan = req.Limit
	}
	found, err := c.newest(r.Context(), []string{search}, from, scan)
	if err != nil {
		readRefuse(w, query.Unavailable, err.Error())
		return
	}
	page := query.Page[json.RawMessage]{Items: []json.RawMessage{}}
	for i, res := range found {
		if len(page.Items) == req.Limit || i == scan {
			last := found[i-1]
			page.Next = cursorAt(last).String()
			break
		}
		id := requestedOrder(res.Result.Events)
		if id == "" {
			continue
		}
		o, err := c.reader.query(r.Context(), &abci.RequestQuery{Path: query.PathOrder, Data: []byte(id)})
		if err != nil {
			readRefuse(w, query.Unavailable, err.Error())
			return
		}
		if o.Code == query.NotFound {
			continue // removed after its retention
		}
		if o.Code != query.OK {
			readRefuse(w, o.Code, o.Log)
			return
		}
		if status != "" && !hasStatus(o.Value, status) {
			continue
		}
		page.Items = append(page.Items, o.Value)
	}
	writeJSON(w, page)
}

// requestedOrder is the id of the order a request created, from its transaction's
// events.
func requestedOrder(evs []abci.Event) string {
	for _, e := range evs {
		if e.Type != "order" {
			continue
		}
		if a := attrs(e); a["status"] == string(txn.StatusAwaitingPayment) {
			return a["id"]
		}
	}
	return ""
}

// orderHistory answers the steps of an order's life, oldest first: the transactions
// that changed it and the blocks that did by themselves (its expiry).
func (c *chainReader) orderHistory(w http.ResponseWriter, r *http.Request) {
	id, err := txn.ParseOrderID(r.PathValue("id"))
	if err != nil {
		readRefuse(w, query.BadRequest, err.Error())
		return
	}
	if !c.indexed(w) {
		return
	}
	q := fmt.Sprintf("order.id='%s'", id)
	found, err := c.search(r.Context(), q)
	if err != nil {
		readRefuse(w, query.Unavailable, err.Error())
		return
	}
	// A step's place in its block: the block's own events (an expiry, at its start)
	// come before its transactions', which follow their order in the block.
	type placed struct {
		step  api.OrderStep
		index int64
	}
	var steps []placed
	for _, res := range found {
		s := txSummary(res.Tx)
		for _, e := range res.Result.Events {
			if a := attrs(e); e.Type == "order" && a["id"] == id {
				steps = append(steps, placed{api.OrderStep{Height: res.Height, Status: a["status"], Tx: s.Hash, Type: s.Type, Signer: s.Signer}, int64(res.Index)})
			}
		}
	}
	for _, status := range query.BlockOrderStatuses {
		byBlock, err := cmtquery.New(fmt.Sprintf("%s AND order.status='%s'", q, status))
		if err != nil {
			readRefuse(w, query.Unavailable, err.Error())
			return
		}
		heights, err := c.blockIdx.Search(r.Context(), byBlock)
		if err != nil && !errors.Is(err, context.Canceled) {
			readRefuse(w, query.Unavailable, fmt.Sprintf("the block index: %v", err))
			return
		}
		for _, h := range heights {
			steps = append(steps, placed{api.OrderStep{Height: h, Status: string(status)}, -1})
		}
	}
	if len(steps) == 0 {
		readRefuse(w, query.NotFound, fmt.Sprintf("order %s: no step of it in this node's index", id))
		return
	}
	slices.SortStableFunc(steps, func(a, b placed) int {
		return cmp.Or(cmp.Compare(a.step.Height, b.step.Height), cmp.Compare(a.index, b.index))
	})
	out := api.OrderHistory{ID: id, Steps: make([]api.OrderStep, len(steps))}
	for i, p := range steps {
		out.Steps[i] = p.step
	}
	for i := range out.Steps {
		out.Steps[i].Time = c.blockTime(out.Steps[i].Height)
	}
	writeJSON(w, out)
}

// events are a transaction's events as the API gives them.
func events(evs []abci.Event) []api.Event {
	out := make([]api.Event, len(evs))
	for i, e := range evs {
		out[i] = api.Event{Type: e.Type, Attributes: attrs(e)}
	}
	return out
}

func attrs(e abci.Event) map[string]string {
	m := make(map[string]string, len(e.Attributes))
	for _, a := range e.Attributes {
		m[a.Key] = a.Value
	}
	return m
}

// formatTime is a block's time as the API gives it: RFC 3339 in UTC.
func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// hasStatus says whether the order record (JSON) is in status s.
func hasStatus(order []byte, s txn.OrderStatus) bool {
	var o struct {
		Status txn.OrderStatus `json:"status"`
	}
	return json.Unmarshal(order, &o) == nil && o.Status == s
}

// writeJSON answers v in JSON.
func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
