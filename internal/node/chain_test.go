package node_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/chipmint/chipmint/internal/api"
	"github.com/chipmint/chipmint/internal/node/nodetest"
	"github.com/chipmint/chipmint/internal/query"
	"github.com/chipmint/chipmint/internal/txn"
)

// sseEvent is one server-sent event as a client reads it.
type sseEvent struct {
	id, name string
	data     []byte
}

// stream opens the server-sent events at path (resuming after lastID, when not empty)
// and sends each event it reads on the channel it returns, until ctx ends. The stream
// must answer 200 with text/event-stream.
func stream(t *testing.T, ctx context.Context, url, lastID string) <-chan sseEvent {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
		resp.Body.Close()
		t.Fatalf("GET %s: %s %s, want 200 text/event-stream", url, resp.Status, resp.Header.Get("Content-Type"))
	}
	out := make(chan sseEvent, 100)
	go func() {
		defer resp.Body.Close()
		defer close(out)
		var ev sseEvent
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.name != "" {
					out <- ev
				}
				ev = sseEvent{}
			case strings.HasPrefix(line, "id: "):
				ev.id = line[4:]
			case strings.HasPrefix(line, "event: "):
				ev.name = line[7:]
			case strings.HasPrefix(line, "data: "):
				ev.data = []byte(line[6:])
			}
		}
	}()
	return out
}

// next waits for the stream's next event, which must be named name and match the
// OpenAPI document's schema, and reads its data into v.
func (o *openAPI) next(events <-chan sseEvent, name, schema string, v any) sseEvent {
	o.t.Helper()
	select {
	case ev, ok := <-events:
		if !ok {
			o.t.Fatalf("the stream ended, want an event %q", name)
		}
		if ev.name != name {
			o.t.Fatalf("event %q (%s), want %q", ev.name, ev.data, name)
		}
		o.checkSchema(schema, ev.data)
		if err := json.Unmarshal(ev.data, v); err != nil {
			o.t.Fatal(err)
		}
		return ev
	case <-time.After(time.Minute):
		o.t.Fatalf("no event %q in a minute", name)
	}
	return sseEvent{}
}

// checkSchema checks data against the OpenAPI document's schema of that name.
func (o *openAPI) checkSchema(name string, data []byte) {
	o.t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(api.OpenAPI)
	if err != nil {
		o.t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		o.t.Fatal(err)
	}
	if err := doc.Components.Schemas[name].Value.VisitJSON(v); err != nil {
		o.t.Fatalf("%s does not match the schema %s: %v", data, name, err)
	}
}

// An order's life through the API: its stream of events moves it from awaiting payment
// to issued and starts again from where a client left it; its history names each step's
// signer; the buyer's account streams its balance and lists its transactions; the
// lists of orders and blocks page without ever passing their limit; blocks and
// transactions read back; bad input is refused with the query's code. Every answer and
// event matches the OpenAPI document.
func TestChainAPI(t *testing.T) {
	ch := nodetest.StartWith(t, nodetest.Options{API: true})
	ctx := nodetest.Context(t)
	base := ch.Node.APIAddress()
	o := newOpenAPI(t, ctx, base)
	buyer := newKey(t)
	order := ch.Buy(t, buyer, "buyer-1", 2_500)

	orders := stream(t, ctx, base+"/api/v1/orders/"+order.PaymentReference+"/events", "")
	var got txn.Order
	first := o.next(orders, api.EventOrder, "Order", &got)
	if got.ID != order.ID || got.Status != txn.StatusAwaitingPayment {
		t.Fatalf("first order event: %+v, want %s awaiting payment", got, order.ID)
	}
	account := stream(t, ctx, base+"/api/v1/accounts/"+address(buyer).String()+"/events", "")
	var balance query.Balance
	o.next(account, api.EventAccount, "Balance", &balance)
	if balance.Chips != 0 {
		t.Fatalf("first balance event: %+v, want 0 chips", balance)
	}
	blocks := stream(t, ctx, base+"/api/v1/blocks/events", "")
	var b1, b2 api.BlockSummary
	o.next(blocks, api.EventBlock, "BlockSummary", &b1)
	ev := o.next(blocks, api.EventBlock, "BlockSummary", &b2)
	if b2.Height != b1.Height+1 || ev.id != strconv.FormatInt(b2.Height, 10) {
		t.Errorf("blocks %d then %d (id %s), want one after the other, the height as id", b1.Height, b2.Height, ev.id)
	}

	ch.Confirm(t, order, "BANK-1")
	paid := o.next(orders, api.EventOrder, "Order", &got)
	if got.Status != txn.StatusPaid {
		t.Fatalf("order event after the confirmation: %s, want paid", got.Status)
	}
	chips := got.Chips
	issued, err := ch.Client.Submit(ctx, &txn.Issue{OrderID: order.ID, Chips: chips}, ch.Issuer)
	if err != nil {
		t.Fatal(err)
	}
	last := o.next(orders, api.EventOrder, "Order", &got)
	if got.Status != txn.StatusIssued || last.id != strconv.FormatInt(issued.Height, 10) {
		t.Fatalf("order event after the issue: %s with id %s, want issued with id %d", got.Status, last.id, issued.Height)
	}
	o.next(account, api.EventAccount, "Balance", &balance)
	if balance.Chips != chips {
		t.Fatalf("balance event after the issue: %+v, want %d chips", balance, chips)
	}

	// A client that lost the stream after the first event gets the same events again.
	resumed := stream(t, ctx, base+"/api/v1/orders/"+order.ID+"/events", first.id)
	for _, want := range []sseEvent{paid, last} {
		ev := o.next(resumed, api.EventOrder, "Order", &got)
		if ev.id != want.id || string(ev.data) != string(want.data) {
			t.Errorf("resumed: event %s %s, want %s %s", ev.id, ev.data, want.id, want.data)
		}
	}

	// A stream tells of a height once the node's index holds it: the history has the
	// step the stream announced, without waiting for the index.
	var hist api.OrderHistory
	o.ok("/api/v1/orders/"+order.ID+"/history", &hist)
	steps := []string{}
	for _, s := range hist.Steps {
		steps = append(steps, fmt.Sprintf("%s %s %s", s.Status, s.Type, s.Signer))
		if s.Time == "" || s.Tx == "" {
			t.Errorf("step %+v: want its block's time and its transaction", s)
		}
	}
	want := []string{
		fmt.Sprintf("awaiting_payment buy_request %s", address(buyer)),
		fmt.Sprintf("paid confirm_payment %s", nodetest.Address(t, ch.Operator)),
		fmt.Sprintf("issued issue %s", nodetest.Address(t, ch.Issuer)),
	}
	if !slices.Equal(steps, want) {
		t.Errorf("history:\n%s\nwant\n%s", strings.Join(steps, "\n"), strings.Join(want, "\n"))
	}
	o.refused("/api/v1/orders/"+strings.Repeat("0", 20)+"/history", http.StatusNotFound, query.NotFound)

	// An order confirmed and issued in one block: its steps follow the block's order.
	quick := ch.Buy(t, newKey(t), "buyer-3", 300)
	confirm, err := ch.Client.Sign(ctx, &txn.ConfirmPayment{OrderID: quick.ID, Buyer: quick.Buyer, AmountMinor: 300, Currency: "EUR", BankReference: "BANK-2"}, ch.Operator, 501)
	if err != nil {
		t.Fatal(err)
	}
	issue, err := ch.Client.Sign(ctx, &txn.Issue{OrderID: quick.ID, Chips: 300 * ch.OperatorInfo.Rate.Chips / ch.OperatorInfo.Rate.Minor}, ch.Issuer, 502)
	if err != nil {
		t.Fatal(err)
	}
	both, err := ch.Bulk.Submit(ctx, [][]byte{confirm, issue})
	if err != nil || both[0].Status != api.StatusAdmitted || both[1].Status != api.StatusAdmitted {
		t.Fatalf("confirm and issue at once: %+v %v", both, err)
	}
	quickIssued := ch.WaitOrder(t, quick.ID, txn.StatusIssued)
	waitIndexed(t, ch, quickIssued.IssuedHeight)
	var quickHist api.OrderHistory
	o.ok("/api/v1/orders/"+quick.ID+"/history", &quickHist)
	if n := len(quickHist.Steps); n != 3 || quickHist.Steps[1].Status != "paid" || quickHist.Steps[2].Status != "issued" {
		t.Errorf("the steps of an order paid and issued at heights %d and %d: %+v", quickIssued.PaidHeight, quickIssued.IssuedHeight, quickHist.Steps)
	}
	o.refused("/api/v1/orders/RF00NOPE/history", http.StatusBadRequest, query.BadRequest)

	// The buyer pays another account; each side's history shows it.
	other := newKey(t)
	sent, err := ch.Client.Submit(ctx, &txn.Transfer{To: address(other), AmountChips: 1_000}, buyer)
	if err != nil {
		t.Fatal(err)
	}
	waitIndexed(t, ch, sent.Height)
	var buyerHist, otherHist query.Page[api.HistoryEntry]
	o.ok("/api/v1/accounts/"+address(buyer).String()+"/history", &buyerHist)
	if types := historyTypes(buyerHist); !slices.Equal(types, []string{"transfer", "issue", "confirm_payment", "buy_request"}) || buyerHist.Next != "" {
		t.Errorf("the buyer's history: %v (next %q), want its transfer, its order's issue, confirmation and request, newest first", types, buyerHist.Next)
	}
	o.ok("/api/v1/accounts/"+address(other).String()+"/history", &otherHist)
	if len(otherHist.Items) != 1 || otherHist.Items[0].Tx != sent.Hash || otherHist.Items[0].Events[0].Attributes["amount_chips"] != "1000" {
		t.Errorf("the payee's history: %+v, want the transfer %s of 1000 chips", otherHist, sent.Hash)
	}
	var onePage, nextPage query.Page[api.HistoryEntry]
	o.ok("/api/v1/accounts/"+address(buyer).String()+"/history?limit=3", &onePage)
	o.ok("/api/v1/accounts/"+address(buyer).String()+"/history?limit=3&after="+onePage.Next, &nextPage)
	if historyTypes(onePage)[0] != "transfer" || len(onePage.Items) != 3 || len(nextPage.Items) != 1 || historyTypes(nextPage)[0] != "buy_request" || nextPage.Next != "" {
		t.Errorf("the buyer's history in pages of 3: %v then %v", historyTypes(onePage), historyTypes(nextPage))
	}
	o.refused("/api/v1/accounts/"+address(buyer).String()+"/history?after=later", http.StatusBadRequest, query.BadRequest)

	// 101 more transfers, submitted at once under the API's prefix: the payee's history
	// pages at 100 at most.
	var txs [][]byte
	for i := range 101 {
		raw, err := ch.Client.Sign(ctx, &txn.Transfer{To: address(other), AmountChips: 1}, buyer, uint64(1_000+i))
		if err != nil {
			t.Fatal(err)
		}
		txs = append(txs, raw)
	}
	submitted, err := http.Post(base+"/api/v1/txs", api.ContentTypeTxs, bytes.NewReader(api.EncodeTxs(txs)))
	if err != nil {
		t.Fatal(err)
	}
	var answer api.TxsAnswer
	err = json.NewDecoder(submitted.Body).Decode(&answer)
	submitted.Body.Close()
	if err != nil || len(answer.Results) != 101 || answer.Results[100].Status != api.StatusAdmitted {
		t.Fatalf("POST /api/v1/txs: %v %+v, want 101 transfers admitted", err, answer)
	}
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(50 * time.Millisecond) {
		b, err := ch.Client.Balance(ctx, address(other))
		if err != nil {
			t.Fatal(err)
		}
		if b == 1_101 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the payee holds %d chips a minute after the transfers, want 1101", b)
		}
	}
	top, err := ch.Client.CommittedHeight(ctx)
	if err != nil {
		t.Fatal(err)
	}
	waitIndexed(t, ch, top)
	var full, rest query.Page[api.HistoryEntry]
	o.ok("/api/v1/accounts/"+address(other).String()+"/history", &full)
	o.ok("/api/v1/accounts/"+address(other).String()+"/history?after="+full.Next, &rest)
	if len(full.Items) != query.PageMax || full.Next == "" || len(rest.Items) != 2 || rest.Items[1].Tx != sent.Hash || rest.Next != "" {
		t.Errorf("the payee's 102 transactions: pages of %d (next %q) and %d (next %q), want 100 then 2, the first transfer last",
			len(full.Items), full.Next, len(rest.Items), rest.Next)
	}
	o.refused("/api/v1/accounts/chip1nothing/history", http.StatusBadRequest, query.BadRequest)

	// Orders, listed by buyer and by status, in pages.
	second := newKey(t)
	var placed []string
	for i := range 3 {
		placed = append(placed, ch.Buy(t, second, fmt.Sprintf("second-%d", i), 100).ID)
	}
	h, err := ch.Client.CommittedHeight(ctx)
	if err != nil {
		t.Fatal(err)
	}
	waitIndexed(t, ch, h)
	slices.Reverse(placed)
	var listed []string
	after := ""
	for range 3 {
		var page query.Page[txn.Order]
		o.ok("/api/v1/orders?limit=2&buyer="+address(second).String()+after, &page)
		if len(page.Items) > 2 {
			t.Fatalf("a page of %d orders, more than its limit 2", len(page.Items))
		}
		for _, it := range page.Items {
			listed = append(listed, it.ID)
		}
		if page.Next == "" {
			break
		}
		after = "&after=" + page.Next
	}
	if !slices.Equal(listed, placed) {
		t.Errorf("the second buyer's orders: %v, want %v, newest first", listed, placed)
	}
	var byStatus, all query.Page[txn.Order]
	o.ok("/api/v1/orders?status=issued", &byStatus)
	if len(byStatus.Items) != 2 || byStatus.Items[0].ID != quick.ID || byStatus.Items[1].ID != order.ID {
		t.Errorf("issued orders: %+v, want %s and %s", byStatus.Items, quick.ID, order.ID)
	}
	o.ok("/api/v1/orders?status=awaiting_payment&buyer="+address(buyer).String(), &byStatus)
	if len(byStatus.Items) != 0 {
		t.Errorf("the first buyer's orders awaiting payment: %+v, want none", byStatus.Items)
	}
	o.ok("/api/v1/orders", &all)
	if len(all.Items) != 5 || all.Items[4].ID != order.ID {
		t.Errorf("all orders: %d, want 5, the first last", len(all.Items))
	}
	o.refused("/api/v1/orders?status=lost", http.StatusBadRequest, query.BadRequest)
	o.refused("/api/v1/orders?buyer=chip1nothing", http.StatusBadRequest, query.BadRequest)
	o.refused("/api/v1/orders?limit=101", http.StatusBadRequest, query.BadRequest)

	// Blocks and transactions.
	var blockPage, below query.Page[api.BlockSummary]
	o.ok("/api/v1/blocks?limit=3", &blockPage)
	if len(blockPage.Items) != 3 || blockPage.Items[0].Height < h || blockPage.Items[2].Height != blockPage.Items[0].Height-2 {
		t.Fatalf("the last 3 blocks: %+v", blockPage)
	}
	o.ok("/api/v1/blocks?limit=100&after="+blockPage.Next, &below)
	if len(below.Items) == 0 || below.Items[0].Height != blockPage.Items[2].Height-1 || below.Items[len(below.Items)-1].Height < 1 {
		t.Errorf("the blocks below %s: %+v", blockPage.Next, below.Items)
	}
	o.refused("/api/v1/blocks?after=top", http.StatusBadRequest, query.BadRequest)
	o.refused("/api/v1/blocks?limit=1000", http.StatusBadRequest, query.BadRequest)
	var block api.Block
	o.ok(fmt.Sprintf("/api/v1/blocks/%d", issued.Height), &block)
	if block.Height != issued.Height || !slices.ContainsFunc(block.Txs, func(tx api.TxSummary) bool {
		return tx.Hash == issued.Hash && tx.Type == "issue" && tx.Code != nil && *tx.Code == 0
	}) {
		t.Errorf("block %d: %+v, want the issue %s accepted", issued.Height, block, issued.Hash)
	}
	o.refused("/api/v1/blocks/999999999", http.StatusNotFound, query.NotFound)
	o.refused("/api/v1/blocks/zero", http.StatusBadRequest, query.BadRequest)
	var tx api.Tx
	o.ok("/api/v1/txs/"+strings.ToLower(sent.Hash), &tx)
	if tx.Hash != sent.Hash || tx.Height != sent.Height || tx.Type != "transfer" || tx.Signer != address(buyer).String() || tx.Nonce != sent.Nonce || tx.Time == "" {
		t.Errorf("transaction %s: %+v", sent.Hash, tx)
	}
	o.refused("/api/v1/txs/"+strings.Repeat("AB", 32), http.StatusNotFound, query.NotFound)
	o.refused("/api/v1/txs/ABC", http.StatusBadRequest, query.BadRequest)

	// Streams refuse what they cannot follow.
	o.refused("/api/v1/orders/"+strings.Repeat("0", 20)+"/events", http.StatusNotFound, query.NotFound)
	o.refused("/api/v1/accounts/chip1nothing/events", http.StatusBadRequest, query.BadRequest)
	for _, id := range []string{"yesterday", "-1", "0", "9223372036854775807"} {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/v1/blocks/events", nil)
		req.Header.Set("Last-Event-ID", id)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("Last-Event-ID %s: %s, want 400", id, resp.Status)
		}
	}
}

// waitIndexed waits for the node's index to hold the transactions of the block at h.
func waitIndexed(t *testing.T, ch *nodetest.Chain, h int64) {
	t.Helper()
	if err := ch.Client.WaitTxIndexed(nodetest.Context(t), h); err != nil {
		t.Fatal(err)
	}
}

func historyTypes(p query.Page[api.HistoryEntry]) []string {
	var out []string
	for _, e := range p.Items {
		out = append(out, e.Type)
	}
	return out
}
