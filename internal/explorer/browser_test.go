package explorer_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/chromedp"

	"github.com/chipmint/chipmint/internal/bank"
	"github.com/chipmint/chipmint/internal/cli"
	"github.com/chipmint/chipmint/internal/fiat"
	"github.com/chipmint/chipmint/internal/node"
	"github.com/chipmint/chipmint/internal/txn"
)

// The explorer in a real browser, on a running `chipmint dev`: a buyer's order page
// turns to issued by itself when the order is paid at the sandbox bank, without a
// reload; its issue links to the issue's transaction, and that to its block; the search
// box finds the order by its RF reference as a bank form prints it, a transaction by its
// hash and a block by its height; an account's page follows its balance and history, and
// the home page the latest blocks, by themselves; "More" reads on below the last block; a
// buyer id written as HTML shows as text; a block beyond the chain shows "Not found"; the
// pages fit a phone's width. Screenshots are kept in $CHIPMINT_ARTEFACTS.
func TestExplorerFollowsAnOrderInABrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole system and a browser")
	}
	browser := chromium(t)
	t.Setenv("CHIPMINT_PASSPHRASE", "explorer-test")
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	d := startDev(t, ctx)

	chipmint := func(args ...string) []byte {
		t.Helper()
		var out, errOut bytes.Buffer
		cmd := cli.NewCmdRoot(&cli.Globals{Out: &out, Err: &errOut})
		cmd.SetArgs(append([]string{"--home", d.home, "--node", d.Node, "--output", "json"}, args...))
		if err := cmd.ExecuteContext(ctx); err != nil {
			t.Fatalf("chipmint %v: %v: %s%s", args, err, errOut.Bytes(), out.Bytes())
		}
		return out.Bytes()
	}
	chipmint("keys", "add", "alice")
	var bought struct {
		Order txn.Order `json:"order"`
	}
	if err := json.Unmarshal(chipmint("buy", "--from", "alice", "--operator", "acme", "--amount", "100.00"), &bought); err != nil {
		t.Fatal(err)
	}
	order := bought.Order
	if order.ID == "" || order.PaymentReference == "" {
		t.Fatalf("buy answered %+v", order)
	}

	b := startBrowser(t, ctx, browser)
	const desktopWidth, desktopHeight, phoneWidth, phoneHeight = 1280, 900, 390, 844
	b.do("open the order page", 30*time.Second,
		chromedp.EmulateViewport(desktopWidth, desktopHeight),
		chromedp.Navigate(d.Explorer+"#/order/"+order.ID),
		chromedp.WaitVisible(chromedp.CSS(`#order-status[data-status="awaiting_payment"]`)))
	dir := artefacts(t)
	b.shoot(dir, "order-awaiting-desktop.png")
	// The test's routes are all in this one document (a hash changes no document): count
	// the event streams it opens and closes, so that one a page left open shows.
	b.eval(`((ES) => { const all = []; window.EventSource = class extends ES { constructor(...args) { super(...args); all.push(this); } };
		Object.defineProperty(window, "chipmintStreams", { get: () => all.filter((es) => es.readyState !== ES.CLOSED).length });
		return "" })(window.EventSource)`)
	// and the paths it reads, and those whose answer it has read to the end or given up.
	b.eval(`((f) => { window.chipmintReads = []; window.chipmintSettled = [];
		const settled = (url) => window.chipmintSettled.push(String(url));
		window.fetch = (url, ...rest) => { window.chipmintReads.push(String(url));
			return f(url, ...rest).then((res) => { const json = res.json.bind(res); res.json = () => json().finally(() => settled(url)); return res; },
				(e) => { settled(url); throw e; }); };
		return "" })(window.fetch)`)
	const dotReads = `String(window.chipmintReads.filter((u) => /(^|\/)\.\.?(\/|\?|$)/.test(u)))`
	// A mark on the page's window: a reload would lose it.
	b.eval(`window.chipmintNoReload = "still here"`)
	if _, err := bank.NewClient(d.Bank).Pay(ctx, bank.TransferRequest{FromIBAN: d.CustomerIBAN, ToIBAN: d.OperatorIBAN,
		AmountMinor: order.AmountMinor, Currency: order.Currency, Reference: order.PaymentReference}); err != nil {
		t.Fatal(err)
	}
	b.do("the order page turns to issued by itself", time.Minute,
		chromedp.WaitVisible(chromedp.CSS(`#order-status[data-status="issued"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#timeline li[data-status="issued"]`)))
	if mark := b.eval(`String(window.chipmintNoReload)`); mark != "still here" {
		t.Fatalf("the order page was reloaded to show the issue (mark %q)", mark)
	}
	live := b.eval(`document.body.dataset.live || ""`)
	if servesOrderStream(t, ctx, d.API, order.ID) {
		if live != "stream" {
			t.Fatalf("the node serves the order's event stream, but the page follows it by %q", live)
		}
	} else {
		t.Logf("the node serves no order event stream: the page followed the order by reading it (%q)", live)
	}
	b.fits("the order page", desktopWidth)
	b.shoot(dir, "order-desktop.png")

	const issueTx = `#timeline li[data-status="issued"] a[href^="#/tx/"]`
	txHash := b.eval(`document.querySelector('` + issueTx + `').hash.slice("#/tx/".length)`)
	b.do("follow the issue's transaction from the order's life", 30*time.Second,
		chromedp.Click(chromedp.CSS(issueTx)), chromedp.WaitVisible(chromedp.CSS(`#tx-hash`)))
	if got := b.eval(`document.getElementById("tx-hash").textContent`); got != txHash {
		t.Fatalf("the issue's link %s opened the transaction %q", txHash, got)
	}
	height := b.eval(`document.querySelector("#tx-block a").textContent`)
	b.do("follow the transaction's block", 30*time.Second,
		chromedp.Click(chromedp.CSS(`#tx-block a`)),
		chromedp.WaitVisible(chromedp.CSS(`#block-txs a[href="#/tx/`+txHash+`"]`)))
	if got := b.eval(`document.getElementById("block-height").textContent`); got != height {
		t.Fatalf("the transaction's block %s opened the block %q", height, got)
	}
	b.fits("the block page", desktopWidth)
	b.do("a block beyond the chain", 30*time.Second,
		chromedp.Navigate(d.Explorer+"#/block/999999999"), chromedp.WaitVisible(chromedp.CSS(`#error[data-status="404"]`)))
	if h1 := b.eval(`document.querySelector("#main h1").textContent`); h1 != "Not found" {
		t.Fatalf("a block beyond the chain shows %q, want Not found", h1)
	}

	for _, route := range []string{"#/constructor/x", "#/__proto__/x", "#/toString/x", "#/order/..", "#/account/.", "#/nothing/x"} {
		b.do("the route "+route, 30*time.Second,
			chromedp.Navigate(d.Explorer+route), chromedp.WaitVisible(chromedp.CSS(`#not-found`)))
		if h1 := b.eval(`document.querySelector("#main h1").textContent`); h1 != "Not found" {
			t.Fatalf("the route %s shows %q, want Not found", route, h1)
		}
	}
	if reads := b.eval(dotReads); reads != "" {
		t.Fatalf("the routes of a dot segment read %s", reads)
	}

	b.leavesAnOrderWhileItReads(d, order.ID)
	b.doesWithoutWhatFails(d, order.ID)
	b.followsAnAccount(d, chipmint, order.Buyer.Address.String())
	b.followsTheBlocks(d)
	attack := b.showsABuyerIDAsText(d, chipmint)

	b.do("search by the printed RF reference", 30*time.Second,
		chromedp.Navigate(d.Explorer+"#/"),
		chromedp.WaitVisible(chromedp.CSS(`#main .cards`)),
		chromedp.SendKeys(chromedp.CSS(`#search input[name="q"]`), fiat.CreditorReference(order.PaymentReference).Print()),
		chromedp.Click(chromedp.CSS(`#search button`)),
		chromedp.WaitVisible(chromedp.CSS(`#order-status[data-status="issued"]`)))
	if id, hash := b.eval(`document.getElementById("order-id").textContent`), b.eval(`location.hash`); id != order.ID || hash != "#/order/"+order.ID {
		t.Fatalf("the search for %s found %q at %q", order.PaymentReference, id, hash)
	}
	b.do("search for what is not on the chain", 30*time.Second,
		chromedp.SetValue(chromedp.CSS(`#search input[name="q"]`), "no such thing"),
		chromedp.Click(chromedp.CSS(`#search button`)),
		chromedp.WaitVisible(chromedp.CSS(`#not-found`)))
	b.do("search a transaction by its hash", 30*time.Second,
		chromedp.SetValue(chromedp.CSS(`#search input[name="q"]`), strings.ToLower(txHash)),
		chromedp.Click(chromedp.CSS(`#search button`)),
		chromedp.WaitVisible(chromedp.CSS(`#tx-hash`)))
	if hash := b.eval(`location.hash`); hash != "#/tx/"+txHash {
		t.Fatalf("the search for %s found %q", txHash, hash)
	}
	b.do("search for a dot segment", 30*time.Second,
		chromedp.SetValue(chromedp.CSS(`#search input[name="q"]`), ".."),
		chromedp.Click(chromedp.CSS(`#search button`)),
		chromedp.WaitVisible(chromedp.CSS(`#not-found`)))
	if reads := b.eval(dotReads); reads != "" {
		t.Fatalf("the search for .. read %s", reads)
	}
	b.do("search a block by its height", 30*time.Second,
		chromedp.SetValue(chromedp.CSS(`#search input[name="q"]`), height),
		chromedp.Click(chromedp.CSS(`#search button`)),
		chromedp.WaitVisible(chromedp.CSS(`#block-height`)))
	if hash := b.eval(`location.hash`); hash != "#/block/"+height {
		t.Fatalf("the search for %s found %q", height, hash)
	}

	b.do("the phone's width", 10*time.Second, chromedp.EmulateViewport(phoneWidth, phoneHeight))
	for _, page := range []struct{ route, ready, file string }{
		{"#/order/" + order.ID, `#order-status[data-status="issued"]`, "order-phone.png"},
		{"#/", `#main .cards`, "home-phone.png"},
		{"#/operator/acme", `#main dl.facts`, "operator-phone.png"},
		{"#/account/" + order.Buyer.Address.String(), `#balance`, "account-phone.png"},
		{"#/tx/" + txHash, `#tx-events`, "tx-phone.png"},
		{"#/block/" + height, `#block-txs`, "block-phone.png"},
		{"#/order/" + attack, `#order-buyer-id`, "order-buyer-id-phone.png"},
	} {
		b.do("open "+page.route+" on a phone", 30*time.Second,
			chromedp.Navigate(d.Explorer+page.route), chromedp.WaitVisible(chromedp.CSS(page.ready)))
		b.fits(page.route, phoneWidth)
		b.shoot(dir, page.file)
	}
	b.do("the desktop's width", 30*time.Second, chromedp.EmulateViewport(desktopWidth, desktopHeight),
		chromedp.Navigate(d.Explorer+"#/"), chromedp.WaitVisible(chromedp.CSS(`#main .cards`)))
	b.fits("the home page", desktopWidth)
	b.shoot(dir, "home-desktop.png")
	// Every page before this one closed its stream when it was left: the home page's
	// stream of blocks is the one open (Chromium holds six connections to a host, and
	// streams left open would soon stall every read of the page).
	b.do("the streams of the pages left are closed", 30*time.Second,
		chromedp.Poll[chromedp.Void](`document.body.dataset.live === undefined && window.chipmintStreams === 1`, chromedp.WithPollingTimeout(0)))
	b.noExceptions()
}

// leavesAnOrderWhileItReads opens the order's page, holds its read of the order's
// history in the browser, opens a block's page meanwhile, and only then lets the read
// answer: the order's page, left, must stop there, and follow nothing (no stream opened,
// no data-live on the block's page).
func (b *browser) leavesAnOrderWhileItReads(d dev, id string) {
	b.t.Helper()
	b.do("open a block's page", 30*time.Second,
		chromedp.Navigate(d.Explorer+"#/block/1"), chromedp.WaitVisible(chromedp.CSS(`#block-height`)))
	history := "/orders/" + id + "/history"
	held, release := b.hold("*" + history + "*")
	b.eval(`window.chipmintSettled = []; ""`)
	b.do("open the order's page", 10*time.Second, chromedp.Navigate(d.Explorer+"#/order/"+id))
	held()
	b.do("leave the order's page while it reads", 30*time.Second,
		chromedp.Navigate(d.Explorer+"#/block/1"), chromedp.WaitVisible(chromedp.CSS(`#block-height`)))
	release() // the page gave the read up, or it still waits: either way, let it through
	// The check runs in a task of its own, after every step that the read's end set off.
	b.do("the order's page stops where it was left", 30*time.Second,
		chromedp.Poll[chromedp.Void](`window.chipmintSettled.some((u) => u.endsWith(`+jsString(history)+`))`, chromedp.WithPollingTimeout(0)))
	if got := b.eval(`String(document.body.dataset.live) + " " + window.chipmintStreams + " " + (document.getElementById("block-height") !== null)`); got != "undefined 0 true" {
		b.t.Fatalf("the order's page, left while it read, went on: data-live, open streams, block shown: %q", got)
	}
}

// intercept has the browser pause the reads whose URL matches pattern (a
// Fetch.RequestPattern: * any characters, ? one) and sends the id of each it paused on
// paused, at most buffer waiting, within ctx; end lets the browser read freely again.
func (b *browser) intercept(pattern string, buffer int) (ctx context.Context, paused <-chan fetch.RequestID, end func() error) {
	b.t.Helper()
	ctx, stop := context.WithCancel(b.ctx)
	ids := make(chan fetch.RequestID, buffer)
	if err := chromedp.Listen(ctx, func(ev any) {
		if ev, ok := ev.(*fetch.EventRequestPaused); ok {
			select {
			case ids <- ev.RequestID:
			default:
			}
		}
	}); err != nil {
		b.t.Fatal(err)
	}
	if _, err := chromedp.Call(b.ctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: pattern}}}); err != nil {
		b.t.Fatal(err)
	}
	return ctx, ids, func() error {
		_, err := chromedp.Call(b.ctx, fetch.Disable, cdp.Empty{})
		stop()
		return err
	}
}

// hold holds, in the browser, the first read whose URL matches pattern (a
// Fetch.RequestPattern); held waits (bounded) until the page has made it, and release
// lets it through.
func (b *browser) hold(pattern string) (held, release func()) {
	b.t.Helper()
	_, paused, end := b.intercept(pattern, 4)
	var id fetch.RequestID
	held = func() {
		b.t.Helper()
		select {
		case id = <-paused:
		case <-time.After(30 * time.Second):
			b.t.Fatalf("the page made no read of %s\n%s", pattern, b.page())
		}
	}
	release = func() {
		b.t.Helper()
		_, _ = chromedp.Call(b.ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: id})
		if err := end(); err != nil {
			b.t.Fatal(err)
		}
	}
	return held, release
}

// unavailable is the node's answer to a history where it keeps no transaction index.
const unavailable = `{"error":"this node keeps no transaction index","code":5,"code_name":"Unavailable"}`

// doesWithoutWhatFails has the browser answer some reads itself, as a node that cannot
// would, and checks that the pages show what they can: an order without its history, an
// operator without its attestations (both 503 Unavailable), and the home page with one
// operator's read failing.
func (b *browser) doesWithoutWhatFails(d dev, id string) {
	b.t.Helper()
	b.answering("*/orders/"+id+"/history*", http.StatusServiceUnavailable, unavailable, "an order without its history", 30*time.Second,
		chromedp.Navigate(d.Explorer+"#/order/"+id), chromedp.WaitVisible(chromedp.CSS(`#timeline li[data-status="issued"]`)))
	b.answering("*/operators/acme/reserves*", http.StatusServiceUnavailable, unavailable, "an operator without its attestations", 30*time.Second,
		chromedp.Navigate(d.Explorer+"#/operator/acme"), chromedp.WaitVisible(chromedp.CSS(`#main dl.facts`)))
	const bare = "00000000000000000000"
	b.answering("*/api/v1/orders/"+bare, http.StatusOK, `{"id":"`+bare+`","operator":"acme","buyer":{"id":"b"}}`,
		"an order the node gives without its status, amount or heights", 30*time.Second,
		chromedp.Navigate(d.Explorer+"#/order/"+bare), chromedp.WaitVisible(chromedp.CSS(`#order-status`)))
	if got := b.eval(`document.getElementById("order-status").textContent + " " + /undefined|NaN|null/.test(document.getElementById("main").innerText)`); got != "— false" {
		b.t.Fatalf("an order without its status shows it as %q, want — and no undefined", got)
	}
	b.answering("*/api/v1/operators/acme", http.StatusInternalServerError, `{"error":"broken"}`, "the home page with an operator's read failing", 30*time.Second,
		chromedp.Navigate(d.Explorer+"#/"),
		chromedp.WaitVisible(chromedp.CSS(`#operators .error`)), chromedp.WaitVisible(chromedp.CSS(`#main .cards`)))
}

// answering runs steps, bounded by timeout, while the browser answers the reads whose
// URL matches pattern (a Fetch.RequestPattern: * any characters, ? one) itself, with
// status and the JSON body.
func (b *browser) answering(pattern string, status int, body, what string, timeout time.Duration, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, paused, end := b.intercept(pattern, 64)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case id := <-paused:
				_, _ = chromedp.Call(ctx, fetch.FulfillRequest, fetch.FulfillRequestParams{RequestID: id, ResponseCode: int64(status),
					ResponseHeaders: []*fetch.HeaderEntry{{Name: "Content-Type", Value: "application/json"}}, Body: []byte(body)})
			case <-ctx.Done():
				return
			}
		}
	}()
	defer func() {
		_ = end()
		wg.Wait()
	}()
	b.do(what, timeout, steps...)
}

// followsAnAccount opens the page of the account at address, sends a chip from it, and
// waits (bounded) until the page shows the new balance and the transfer in its history,
// without a reload.
func (b *browser) followsAnAccount(d dev, chipmint func(...string) []byte, address string) {
	b.t.Helper()
	b.do("open the buyer's account", 30*time.Second,
		chromedp.Navigate(d.Explorer+"#/account/"+address), chromedp.WaitVisible(chromedp.CSS(`#history`)))
	before := b.eval(`document.getElementById("balance").textContent`)
	if n := b.eval(`String(document.querySelectorAll('#history tr[data-event="transfer"]').length)`); n != "0" {
		b.t.Fatalf("the buyer's history shows %s transfers before any", n)
	}
	b.eval(`window.chipmintNoReload = "still here"`)
	chipmint("keys", "add", "bob")
	chipmint("send", "--from", "alice", "--to", "bob", "--amount", "1")
	b.do("the account's page shows the transfer by itself", time.Minute,
		chromedp.Poll[chromedp.Void](`document.getElementById("balance").textContent !== `+jsString(before)+
			` && document.querySelector('#history tr[data-event="transfer"]') !== null`, chromedp.WithPollingTimeout(0)))
	if mark := b.eval(`String(window.chipmintNoReload)`); mark != "still here" {
		b.t.Fatalf("the account page was reloaded to show the transfer (mark %q)", mark)
	}
	if live := b.eval(`document.body.dataset.live || ""`); live != "stream" {
		b.t.Fatalf("the account page follows the account by %q, want its stream", live)
	}
}

// followsTheBlocks opens the home page and waits (bounded) until its latest blocks move
// on with the chain, BLOCKS_SHOWN of them without a gap, the height card with them; then
// presses "More" and waits for the blocks below the last row, still without a gap, still
// moving on.
func (b *browser) followsTheBlocks(d dev) {
	b.t.Helper()
	b.do("open the home page", 30*time.Second,
		chromedp.Navigate(d.Explorer+"#/"), chromedp.WaitVisible(chromedp.CSS(`#blocks tbody tr`)))
	const top = `Number(document.querySelector("#blocks tbody tr").dataset.height)`
	// rows is true when the list holds n blocks, one after the other, newest first.
	rows := func(n int) string {
		return fmt.Sprintf(`((hs) => hs.length === %d && hs.every((h, i) => i === 0 || hs[i-1] === h + 1))(
			[...document.querySelectorAll("#blocks tbody tr")].map((r) => Number(r.dataset.height)))`, n)
	}
	// rowsAtLeast is true when the list holds n blocks or more, one after the other.
	rowsAtLeast := func(n int) string {
		return fmt.Sprintf(`((hs) => hs.length >= %d && hs.every((h, i) => i === 0 || hs[i-1] === h + 1))(
			[...document.querySelectorAll("#blocks tbody tr")].map((r) => Number(r.dataset.height)))`, n)
	}
	first := b.eval(`String(` + top + `)`)
	b.do("the latest blocks follow the chain", 30*time.Second,
		chromedp.Poll[chromedp.Void](top+` > `+first+` && document.getElementById("height").textContent === String(`+top+`) && `+rows(10),
			chromedp.WithPollingTimeout(0)))
	b.answering("*/blocks?limit=10&after=*", http.StatusInternalServerError, `{"error":"broken"}`, "a More that fails", 30*time.Second,
		chromedp.Click(chromedp.CSS(`#blocks-more`)), chromedp.WaitVisible(chromedp.CSS(`#blocks-more-error .error`)))
	if got := b.eval(`String(document.getElementById("blocks-more") !== null && !document.getElementById("blocks-more").hidden)`); got != "true" {
		b.t.Fatal("a More that failed took its button away")
	}
	// Blocks come while "More" reads (the test holds its read until one has): the list
	// then keeps them, on top, and all it read below, the ten below the last row at the
	// press. An observer of the list checks it at each change, before the stream lets the
	// oldest go again.
	const bottom = `Number([...document.querySelectorAll("#blocks tbody tr")].pop().dataset.height)`
	b.eval(`document.getElementById("blocks-more").addEventListener("click", () => {
		window.chipmintBottom = ` + bottom + `; window.chipmintTop = ` + top + ` });
		window.chipmintKept = false; new MutationObserver(() => {
			if (` + rowsAtLeast(20) + ` && ` + bottom + ` === Math.max(1, window.chipmintBottom - 10)) window.chipmintKept = true;
		}).observe(document.querySelector("#blocks tbody"), { childList: true }); ""`)
	held, release := b.hold("*/blocks?limit=10&after=*")
	b.do("press More", 10*time.Second, chromedp.Click(chromedp.CSS(`#blocks-more`)))
	held()
	b.do("a block comes while More reads", 30*time.Second,
		chromedp.Poll[chromedp.Void](top+` > window.chipmintTop`, chromedp.WithPollingTimeout(0)))
	release()
	b.do("More keeps the blocks it read", 30*time.Second,
		chromedp.Poll[chromedp.Void](`window.chipmintKept`, chromedp.WithPollingTimeout(0)))
	next := b.eval(`String(` + top + `)`)
	b.do("the longer list still follows the chain", 30*time.Second,
		chromedp.Poll[chromedp.Void](top+` > `+next+` && `+rowsAtLeast(20), chromedp.WithPollingTimeout(0)))
}

// showsABuyerIDAsText has a buyer order with a buyer id written as HTML that would run
// a script, and checks that the order's page shows it as text; it answers the order's id.
func (b *browser) showsABuyerIDAsText(d dev, chipmint func(...string) []byte) string {
	b.t.Helper()
	const buyerID = `<img src=x onerror="window.__pwned=1">`
	var bought struct {
		Order txn.Order `json:"order"`
	}
	if err := json.Unmarshal(chipmint("buy", "--from", "alice", "--operator", "acme", "--amount", "1.00", "--buyer-id", buyerID), &bought); err != nil {
		b.t.Fatal(err)
	}
	b.do("open the order of a buyer id written as HTML", 30*time.Second,
		chromedp.Navigate(d.Explorer+"#/order/"+bought.Order.ID), chromedp.WaitVisible(chromedp.CSS(`#order-buyer-id`)))
	if got := b.eval(`document.getElementById("order-buyer-id").textContent`); got != buyerID {
		b.t.Errorf("the order page shows the buyer id %q, want %q as text", got, buyerID)
	}
	if got := b.eval(`String(document.querySelectorAll("#main img").length) + " " + typeof window.__pwned`); got != "0 undefined" {
		b.t.Errorf("the buyer id became HTML: images and window.__pwned are %q", got)
	}
	return bought.Order.ID
}

// jsString is s as a JavaScript string literal.
func jsString(s string) string {
	q, _ := json.Marshal(s)
	return string(q)
}

// dev is a running `chipmint dev`, as its banner says.
type dev struct {
	home         string
	Node         string `json:"node"`
	Bank         string `json:"bank"`
	API          string `json:"api"`
	Explorer     string `json:"explorer"`
	OperatorIBAN string `json:"operator_iban"`
	CustomerIBAN string `json:"customer_iban"`
}

// startDev runs `chipmint dev` in this process on free ports until the test ends.
func startDev(t *testing.T, ctx context.Context) dev {
	t.Helper()
	ports, err := node.FreePorts(6)
	if err != nil {
		t.Fatal(err)
	}
	addr := func(i int) string { return fmt.Sprintf("127.0.0.1:%d", ports[i]) }
	d := dev{home: t.TempDir()}
	out, errOut := &syncBuffer{}, &syncBuffer{}
	dctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		cmd := cli.NewCmdRoot(&cli.Globals{Out: out, Err: errOut})
		cmd.SetArgs([]string{"--home", d.home, "--output", "json", "dev", "--rpc", addr(0), "--p2p", addr(1),
			"--bank-listen", addr(2), "--gateway-listen", addr(3), "--admin-listen", addr(4), "--api", addr(5),
			"--issuer-metrics-listen", "", "--block-time", "100ms", "--reserves-every", "2s"})
		done <- cmd.ExecuteContext(dctx)
	}()
	t.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("dev: %v\n%s", err, errOut.Bytes())
		}
	})
	for json.Unmarshal(out.Bytes(), &d) != nil || d.Explorer == "" {
		select {
		case err := <-done:
			done <- err
			t.Fatalf("dev stopped: %v\n%s", err, errOut.Bytes())
		case <-ctx.Done():
			t.Fatalf("dev did not come up: %q %s", out.Bytes(), errOut.Bytes())
		case <-time.After(100 * time.Millisecond):
		}
	}
	return d
}

// chromium is the browser's path; without one the test skips, unless
// CHIPMINT_REQUIRE_BROWSER=1 says it must run.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	if os.Getenv("CHIPMINT_REQUIRE_BROWSER") == "1" {
		t.Fatal("no chromium on PATH, and CHIPMINT_REQUIRE_BROWSER=1 (apt-get install chromium)")
	}
	t.Skip("no chromium on PATH (apt-get install chromium; CHIPMINT_REQUIRE_BROWSER=1 makes this a failure)")
	return ""
}

// browser is a headless Chromium with one page open, for one test.
type browser struct {
	t   *testing.T
	ctx context.Context
	// console holds what the page wrote as errors and threw; thrown, what it threw.
	mu      sync.Mutex
	console []string
	thrown  []string
}

// startBrowser starts Chromium at path until the test ends.
func startBrowser(t *testing.T, ctx context.Context, path string) *browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.Flag("disable-dev-shm-usage", true))
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox) // Chromium refuses its sandbox to root
	}
	actx, stopAlloc := chromedp.NewExecAllocator(ctx, opts...)
	bctx, stopBrowser := chromedp.NewContext(actx)
	t.Cleanup(func() { stopBrowser(); stopAlloc() })
	// The first run starts the browser, for as long as bctx: no timeout of its own.
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start %s: %v", path, err)
	}
	b := &browser{t: t, ctx: bctx}
	messages := chromedp.Console(bctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type != chromedp.ConsoleException && m.Type != chromedp.ConsoleError {
				continue
			}
			line := fmt.Sprintf("%s %s: %s (%s:%d)", m.Type, m.Source, m.Text, m.URL, m.Line+1)
			b.mu.Lock()
			b.console = append(b.console, line)
			if m.Type == chromedp.ConsoleException {
				b.thrown = append(b.thrown, line)
			}
			b.mu.Unlock()
		}
	}()
	return b
}

// do runs the steps, each bounded by timeout.
func (b *browser) do(what string, timeout time.Duration, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, stop := context.WithTimeout(b.ctx, timeout)
	defer stop()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v\n%s", what, err, b.page())
	}
}

// eval evaluates a JavaScript expression that gives a string in the page.
func (b *browser) eval(expr string) string {
	b.t.Helper()
	ctx, stop := context.WithTimeout(b.ctx, 10*time.Second)
	defer stop()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
	if err != nil {
		b.t.Fatalf("%s: %v", expr, err)
	}
	return v
}

// page is what the page shows, for a failure's message.
func (b *browser) page() string {
	ctx, stop := context.WithTimeout(b.ctx, 5*time.Second)
	defer stop()
	text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + "\n" + document.body.innerText`))
	b.mu.Lock()
	defer b.mu.Unlock()
	return text + "\n" + strings.Join(b.console, "\n")
}

// fits fails the test when the page, or a table in it, scrolls sideways at its width in
// pixels.
func (b *browser) fits(what string, width int) {
	b.t.Helper()
	if fits := b.eval(`String(document.documentElement.scrollWidth <= window.innerWidth &&
		[...document.querySelectorAll(".table")].every((t) => t.scrollWidth <= t.clientWidth))`); fits != "true" {
		b.t.Errorf("%s scrolls sideways at %d pixels", what, width)
	}
}

// shoot keeps a screenshot of the whole page as file in dir.
func (b *browser) shoot(dir, file string) {
	b.t.Helper()
	ctx, stop := context.WithTimeout(b.ctx, 30*time.Second)
	defer stop()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", file, err)
	}
	if err := os.WriteFile(filepath.Join(dir, file), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// noExceptions fails the test for anything the page's script threw. The errors the
// browser logs are logged: a route the node does not serve is one, and the page does
// without it.
func (b *browser) noExceptions() {
	b.t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, m := range b.thrown {
		b.t.Errorf("the page threw: %s", m)
	}
	if len(b.console) > 0 {
		b.t.Logf("the page's console:\n%s", strings.Join(b.console, "\n"))
	}
}

// servesOrderStream reports whether the node answers the order's event stream.
func servesOrderStream(t *testing.T, ctx context.Context, apiURL, id string) bool {
	t.Helper()
	ctx, stop := context.WithTimeout(ctx, 5*time.Second)
	defer stop()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, apiURL+"/api/v1/orders/"+id+"/events", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	return resp.StatusCode == http.StatusOK && strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream")
}

// artefacts is the folder the screenshots are kept in: $CHIPMINT_ARTEFACTS, or a
// temporary one named in the log.
func artefacts(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("CHIPMINT_ARTEFACTS")
	if dir == "" {
		dir = t.TempDir()
	} else {
		dir = filepath.Join(dir, "explorer")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("screenshots in %s", dir)
	return dir
}

// syncBuffer is a buffer dev writes to while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return bytes.Clone(b.buf.Bytes())
}
