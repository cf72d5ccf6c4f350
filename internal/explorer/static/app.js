// chipmint explorer: hash routes (#/, #/order/ID, #/account/ADDR, #/operator/ID,
// #/block/HEIGHT, #/tx/HASH, #/search/Q), each page read from the node's JSON API under
// /api/v1/. Every 64-bit quantity stays the decimal string the API gives; BigInt does what
// arithmetic the display needs. Each page runs under an AbortSignal of its own: leaving
// the page aborts it, which cancels the page's reads and closes its streams and timers.
"use strict";

const API = "/api/v1";
const CHIP_DECIMALS = 6;
const POLL_MS = 2000;
// BLOCKS_SHOWN is how many of the latest blocks the home page keeps; PAGE_ITEMS, how many
// items the other lists read at a time.
const BLOCKS_SHOWN = 10;
const PAGE_ITEMS = 20;

// current aborts the page shown when another replaces it.
let current = new AbortController();
// minorDigits is the ledger's currency table (code to digits of the minor unit), as the
// node serves it at /currencies.json: the browser's own table differs for a few.
let minorDigits = new Map();

// ---- DOM and formatting ------------------------------------------------------------

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") el.className = v;
    else if (k.startsWith("data-")) el.setAttribute(k, v);
    else el[k] = v;
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

function link(route, text) {
  return h("a", { href: "#/" + route.map(encodeURIComponent).join("/") }, text);
}

// heightLink is a block's height, linked to its page.
function heightLink(height) {
  if (missing(height)) return NONE;
  return link(["block", String(height)], String(height));
}

// txLink is a transaction's hash, linked to its page: its first 16 digits, the whole in
// its title.
function txLink(hash) {
  const a = link(["tx", hash], hash.slice(0, 16) + "…");
  a.className = "mono";
  a.title = hash;
  return a;
}

function groupThousands(whole) {
  return whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

// decimal writes the integer string s with digits decimals, thousands grouped; at least
// minFrac of them are kept, zeros beyond trimmed.
function decimal(s, digits, minFrac) {
  let v;
  try {
    v = BigInt(s);
  } catch {
    return String(s);
  }
  const neg = v < 0n;
  let str = (neg ? -v : v).toString();
  let whole = str, frac = "";
  if (digits > 0) {
    str = str.padStart(digits + 1, "0");
    whole = str.slice(0, -digits);
    frac = str.slice(-digits);
    while (frac.length > minFrac && frac.endsWith("0")) frac = frac.slice(0, -1);
  }
  return (neg ? "-" : "") + groupThousands(whole) + (frac ? "." + frac : "");
}

// NONE stands for a value the node did not give.
const NONE = "—";

function missing(v) {
  return v === undefined || v === null || v === "";
}

function chips(s) {
  return missing(s) ? NONE : decimal(s, CHIP_DECIMALS, 2) + " CHIP";
}

// money writes minor units of currency with the currency's digits in the ledger's table;
// a currency the table lacks is written in its minor units, as they are.
function money(minor, currency) {
  if (missing(minor) || missing(currency)) return NONE;
  const d = minorDigits.get(currency);
  if (d === undefined) return decimal(minor, 0, 0) + " minor units of " + currency;
  return decimal(minor, d, d) + " " + currency;
}

// printRef writes an RF reference or an IBAN in groups of four, as a bank form shows it.
function printRef(ref) {
  return String(ref).replace(/(.{4})(?=.)/g, "$1 ");
}

function when(t) {
  if (!t) return "";
  const d = new Date(t);
  return isNaN(d) ? t : d.toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
}

function status(s, id) {
  if (missing(s)) return h("span", { class: "status", id }, NONE);
  s = String(s);
  return h("span", { class: "status " + s, id, "data-status": s }, s.replace(/_/g, " "));
}

function words(s) {
  const w = String(s).replace(/_/g, " ");
  return w.charAt(0).toUpperCase() + w.slice(1);
}

function show(...children) {
  document.getElementById("main").replaceChildren(...children.filter((c) => c !== null && c !== undefined));
}

// table is a table of rows under head, or the words empty when there are none and more
// is false.
function table(head, rows, empty, id, more) {
  if (rows.length === 0 && !more) return h("p", { class: "muted" }, empty);
  return h("div", { class: "table" }, h("table", { id },
    h("thead", {}, h("tr", {}, head.map(([t, cls]) => h("th", { class: cls }, t)))),
    h("tbody", {}, rows)));
}

// moreButton is a "More" button, id, that calls read on each press, one read at a time;
// a read that fails leaves the button, to try again, and says why beside it.
function moreButton(id, signal, read) {
  const more = h("button", { type: "button", class: "more", id }, "More");
  const why = h("div", { id: id + "-error" });
  more.addEventListener("click", async () => {
    if (more.disabled) return;
    more.disabled = true;
    why.replaceChildren();
    try {
      await read();
    } catch (e) {
      if (!signal.aborted) why.replaceChildren(failed(e));
    } finally {
      more.disabled = false;
    }
  });
  return { more, el: h("div", { class: "more-row" }, more, why) };
}

// paged is a table of the page's items, rowsOf giving each item's rows, with a "More"
// button while the list goes on: each press reads the next page of path (?after=NEXT)
// and appends its rows.
function paged(signal, path, page, head, rowsOf, empty, id) {
  const t = table(head, page.items.flatMap(rowsOf), empty, id, Boolean(page.next));
  if (!page.next) return t;
  let after = page.next;
  const { more, el } = moreButton(id + "-more", signal, async () => {
    const next = await get(path + (path.includes("?") ? "&" : "?") + "after=" + encodeURIComponent(after), signal);
    if (signal.aborted) return;
    t.querySelector("tbody").append(...next.items.flatMap(rowsOf));
    after = next.next;
    more.hidden = !after;
  });
  return h("div", {}, t, el);
}

function facts(pairs) {
  return h("dl", { class: "facts" }, pairs.filter((p) => p[1] !== undefined && p[1] !== "")
    .map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
}

function card(label, value) {
  return h("div", { class: "card" }, h("div", { class: "label" }, label), h("div", { class: "value" }, value));
}

// ---- the API -----------------------------------------------------------------------

class APIError extends Error {
  constructor(status, body) {
    super((body && body.error) || "HTTP " + status);
    this.status = status;
    this.codeName = body && body.code_name;
  }
}

// dotted matches a path with a segment "." or "..", which a URL would resolve away.
const dotted = /(^|\/)\.\.?(\/|\?|$)/;

// get reads path of the API, for as long as signal lets it.
async function get(path, signal) {
  if (dotted.test(path)) throw new APIError(404, { error: "no such name: " + path });
  const res = await fetch(API + path, { signal, headers: { Accept: "application/json" } });
  let body = null;
  try {
    body = await res.json();
  } catch {
    // an answer that is not JSON: its status says enough
  }
  if (!res.ok) throw new APIError(res.status, body);
  return body;
}

// optional answers null where the node has no such thing (404) or does not serve the
// route (404, or 503 Unavailable, as a node without a transaction index answers its
// histories); with orInvalid, also where path cannot name anything (400), as a search
// may try.
async function optional(path, signal, orInvalid) {
  try {
    return await get(path, signal);
  } catch (e) {
    if (e instanceof APIError && (e.status === 404 || (e.status === 503 && e.codeName === "Unavailable") ||
      (orInvalid && e.status === 400))) return null;
    throw e;
  }
}

// pause waits ms, or until signal aborts.
function pause(ms, signal) {
  return new Promise((done) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      done();
    }, { once: true });
  });
}

// failed says what went wrong: with whole, as a page of its own (a heading, "Not found"
// for what the node does not have, and the node's words); else as a line in a page.
function failed(e, whole) {
  const gone = e instanceof APIError && e.status === 404;
  const why = h("p", { class: "error", id: whole ? "error" : undefined, "data-status": e.status ? String(e.status) : "0" },
    e.message || String(e));
  if (!whole) return why;
  return [h("h1", {}, gone ? "Not found" : "Could not read this page"), why];
}

// ---- pages -------------------------------------------------------------------------

async function home(signal) {
  const opsPath = "/operators?limit=" + PAGE_ITEMS;
  const [supply, blocks, ops, orders] = await Promise.all([
    get("/supply", signal), optional("/blocks?limit=" + BLOCKS_SHOWN, signal), get(opsPath, signal),
    optional("/orders?limit=" + PAGE_ITEMS, signal),
  ]);
  signal.throwIfAborted();
  const height = blocks && blocks.items.length ? String(blocks.items[0].height) : NONE;
  const recent = blocks ? recentBlocks(signal, blocks) : null;
  show(
    h("h1", {}, "chipmint"),
    h("div", { class: "cards" },
      card("Height", h("span", { id: "height" }, height)),
      card("Supply", chips(supply.total_chips)),
      card("Issued", chips(supply.issued_chips)),
      card("Burned", chips(supply.burned_chips)),
      supply.escrow_chips ? card("In escrow", chips(supply.escrow_chips)) : null),
    h("h2", {}, "Latest blocks"),
    recent ? recent.el : h("p", { class: "muted" }, "This node does not list its blocks."),
    h("h2", {}, "Operators"),
    paged(signal, opsPath, ops, [["Operator"], ["Outstanding", "num"], ["Reserves"]], (o) => [operatorRow(signal, o)],
      "No operator is registered.", "operators"),
    h("h2", {}, "Recent orders"),
    orders ? paged(signal, "/orders?limit=" + PAGE_ITEMS, orders, orderHead, orderRow, "No order yet.", "orders")
      : h("p", { class: "muted" }, "This node does not list orders; search one by its id or RF reference."));
  followBlocks(signal, recent);
}

// operatorRow is an operator's row of the home page; its backing fills in when the
// operator's own read answers, and says so where that read fails.
function operatorRow(signal, o) {
  const reserves = h("td", {}, h("span", { class: "muted" }, "…"));
  optional("/operators/" + encodeURIComponent(o.id), signal).then((ans) => {
    if (signal.aborted) return;
    const r = ans && ans.latest_reserves;
    reserves.replaceChildren(r ? backing(r) : h("span", { class: "muted" }, "not attested yet"));
  }, (e) => {
    if (!signal.aborted) reserves.replaceChildren(failed(e));
  });
  return h("tr", {},
    h("td", {}, link(["operator", o.id], o.id), " ", h("span", { class: "muted" }, o.account ? o.account.currency : "")),
    h("td", { class: "num" }, chips(outstanding(o))),
    reserves);
}

// followBlocks keeps the home page's height, and its list of the latest blocks, those of
// the chain, by the node's stream of blocks where it serves one.
function followBlocks(signal, recent) {
  const es = new EventSource(API + "/blocks/events");
  signal.addEventListener("abort", () => es.close(), { once: true });
  es.addEventListener("block", (e) => {
    if (signal.aborted) return;
    const b = JSON.parse(e.data);
    const el = document.getElementById("height");
    if (el) el.textContent = String(b.height);
    if (recent) recent.add(b).catch(() => {}); // a block skipped stays out until the next
  });
}

const blockHead = [["Height"], ["Time"], ["Txs", "num"], ["Hash", "hide-narrow"]];

function blockRow(b) {
  return h("tr", { "data-height": String(b.height) },
    h("td", {}, heightLink(b.height)),
    h("td", {}, when(b.time)),
    h("td", { class: "num" }, String(b.txs)),
    h("td", { class: "mono hide-narrow" }, b.hash.slice(0, 16) + "…"));
}

// recentBlocks is the home page's list of the latest blocks, newest first: BLOCKS_SHOWN
// of them, and as many more as "More" read. add puts a block of the stream on top (and
// reads those the stream skipped) and lets the oldest go, so that the list never has a
// gap and "More" reads on below its last row (a block list's cursor is a height).
function recentBlocks(signal, first) {
  let items = first.items.slice();
  let cap = Math.max(BLOCKS_SHOWN, items.length);
  let ended = !first.next;
  let reading = false; // while "More" reads, the list keeps its last row
  const body = h("tbody", {});
  const draw = () => {
    body.replaceChildren(...items.map(blockRow));
    more.hidden = ended || items.length === 0;
  };
  const merge = (list) => {
    const byHeight = new Map(items.map((b) => [b.height, b]));
    for (const b of list) byHeight.set(b.height, b);
    items = [...byHeight.values()].sort((a, b) => b.height - a.height);
    if (!reading && items.length > cap) {
      items = items.slice(0, cap);
      ended = false;
    }
    draw();
  };
  const add = async (b) => {
    const top = items.length ? items[0].height : 0;
    merge([b]);
    if (top > 0 && b.height > top + 1) {
      const skipped = await get("/blocks?limit=" + Math.min(100, b.height - top - 1) + "&after=" + b.height, signal);
      if (!signal.aborted) merge(skipped.items);
    }
  };
  const { more, el } = moreButton("blocks-more", signal, async () => {
    if (items.length === 0) return;
    reading = true;
    try {
      const next = await get("/blocks?limit=" + BLOCKS_SHOWN + "&after=" + items[items.length - 1].height, signal);
      if (signal.aborted) return;
      // The list keeps every row it has (blocks may have come on top while it read)
      // and those it read below.
      cap = items.length + next.items.length;
      ended = !next.next;
      reading = false;
      merge(next.items);
    } finally {
      reading = false;
    }
  });
  draw();
  const head = h("thead", {}, h("tr", {}, blockHead.map(([t, cls]) => h("th", { class: cls }, t))));
  return { el: h("div", {}, h("div", { class: "table" }, h("table", { id: "blocks" }, head, body)), el), add };
}

function outstanding(o) {
  try {
    return (BigInt(o.issued_chips) - BigInt(o.burned_chips)).toString();
  } catch {
    return undefined; // a count the node did not give
  }
}

function backing(r) {
  return h("span", {}, status(r.backed ? "backed" : "unbacked"), " ",
    h("span", { class: "muted" }, money(r.balance_minor, r.currency) + " held, at height ", heightLink(r.height)));
}

const orderHead = [["Order"], ["Status"], ["Amount", "num"], ["Operator", "hide-narrow"]];

function orderRow(o) {
  return h("tr", {},
    h("td", { class: "mono" }, link(["order", o.id], o.id)),
    h("td", {}, status(o.status)),
    h("td", { class: "num" }, money(o.amount_minor, o.currency)),
    h("td", { class: "hide-narrow" }, link(["operator", o.operator], o.operator)));
}

async function orderPage(signal, id) {
  const order = await get("/orders/" + encodeURIComponent(id), signal);
  signal.throwIfAborted();
  const op = await optional("/operators/" + encodeURIComponent(order.operator), signal);
  signal.throwIfAborted();
  const account = op && op.operator.account;
  let draws = 0;
  const draw = async (o) => {
    const n = ++draws;
    const newest = Math.max(...["created", "paid", "issued", "reversed", "closed", "refunded"]
      .map((step) => o[step + "_height"] || 0));
    await indexed(signal, "/orders/" + encodeURIComponent(o.id) + "/history",
      (history) => history.steps.some((s) => s.height >= newest), () => n === draws,
      (history) => drawOrder(o, account, history));
  };
  await draw(order);
  signal.throwIfAborted();
  follow(signal, "/orders/" + encodeURIComponent(order.id), "order", order, draw);
}

// INDEX_TRIES is how often a page reads a list from the node's transaction index while
// the list lags behind the state the page was told of: the node indexes a block's
// transactions a moment after it applies the block.
const INDEX_TRIES = 6;

// indexed calls draw with what path reads from the node's transaction index, then reads
// it again, POLL_MS / 4 apart and at most INDEX_TRIES times, while reaches says it lags
// behind the state. It stops when signal aborts, or when alive says a newer read took
// over.
async function indexed(signal, path, reaches, alive, draw) {
  for (let tries = 1; ; tries++) {
    const v = await optional(path, signal);
    if (signal.aborted || !alive()) return;
    draw(v);
    if (!v || reaches(v) || tries >= INDEX_TRIES) return;
    await pause(POLL_MS / 4, signal);
    if (signal.aborted || !alive()) return;
  }
}

// drawOrder shows the order o, paid to account, with its history.
function drawOrder(o, account, history) {
  show(
    h("h1", {}, "Order ", h("span", { class: "mono", id: "order-id" }, o.id), " ", status(o.status, "order-status")),
    o.status === "awaiting_payment" && account ? h("div", { class: "pay" },
      "Awaiting ", h("strong", {}, money(o.amount_minor, o.currency)), " to ", h("span", { class: "mono" }, printRef(account.iban)),
      " (", account.holder, "), reference ", h("strong", { class: "mono" }, printRef(o.payment_reference)),
      o.expires_height ? [", by height ", heightLink(o.expires_height)] : "", ".") : null,
    facts([
      ["Reference", h("span", { class: "mono", id: "order-reference" }, printRef(o.payment_reference))],
      ["Buyer", [h("span", { id: "order-buyer-id" }, o.buyer.id), h("div", {}, link(["account", o.buyer.address], o.buyer.address))]],
      ["Operator", link(["operator", o.operator], o.operator)],
      ["Amount", money(o.amount_minor, o.currency)],
      ["Received", o.received_minor ? money(o.received_minor, o.currency) : ""],
      ["Chips", o.chips ? chips(o.chips) : ""],
      ["Bank reference", o.bank_reference ? h("span", { class: "mono" }, o.bank_reference) : ""],
      ["Held", o.hold_reason || ""],
      ["Reversed", o.reversal_reason ? [o.reversal_reason + " (height ", heightLink(o.reversed_height), ")"] : ""],
      ["Owed back", o.owed_minor ? money(o.owed_minor, o.currency) : ""],
    ]),
    h("h2", {}, "Life"),
    timeline(o, history));
}

// follow calls changed(value, height) each time what path reads changes from first: by
// the node's event stream of it (path + "/events", events named event, each with the
// height it is at), or, where the node serves none, by reading path every POLL_MS
// (height 0). body's data-live says which. It stops when signal aborts.
function follow(signal, path, event, first, changed) {
  if (signal.aborted) return;
  let last = JSON.stringify(first);
  const seen = (v, height) => {
    const key = JSON.stringify(v);
    if (key === last || signal.aborted) return;
    last = key;
    changed(v, height).catch((e) => {
      if (!signal.aborted) show(...failed(e, true));
    });
  };
  const es = new EventSource(API + path + "/events");
  let timer = null;
  signal.addEventListener("abort", () => {
    es.close();
    if (timer !== null) clearInterval(timer);
    delete document.body.dataset.live;
  }, { once: true });
  document.body.dataset.live = "stream";
  es.addEventListener(event, (e) => seen(JSON.parse(e.data), Number(e.lastEventId) || 0));
  es.onerror = () => {
    if (es.readyState !== EventSource.CLOSED || timer !== null || signal.aborted) return;
    // The node refused the stream (an older node, or none on this route): read instead.
    document.body.dataset.live = "poll";
    timer = setInterval(() => get(path, signal).then((v) => seen(v, 0), () => {}), POLL_MS);
  };
}

// timeline shows the order's steps on the chain: the node's history where it serves
// one, else what the order record says of its heights.
function timeline(o, history) {
  const steps = history ? history.steps.map((s) => ({
    what: words(s.type || s.status), status: s.status, height: s.height, time: s.time, signer: s.signer, tx: s.tx,
  })) : [
    { what: "Request", status: "awaiting_payment", height: o.created_height, signer: o.buyer.address },
    o.paid_height ? { what: "Payment confirmed", status: "paid", height: o.paid_height, by: o.confirmed_by } : null,
    o.issued_height ? { what: "Issue", status: "issued", height: o.issued_height } : null,
    o.reversed_height ? { what: "Reversal", status: "reversed", height: o.reversed_height } : null,
    o.closed_height ? { what: "Closed", status: o.status, height: o.closed_height } : null,
    o.refunded_height ? { what: "Refund", status: o.status, height: o.refunded_height } : null,
  ].filter(Boolean).sort((a, b) => a.height - b.height);
  const next = {
    awaiting_payment: ["Payment at the operator's bank", "Confirmation by the operator", "Issue"],
    paid: ["Issue"],
  }[o.status] || [];
  return h("ol", { class: "timeline", id: "timeline" },
    steps.map((s) => h("li", { "data-status": s.status },
      h("div", { class: "what" }, s.what, s.status ? [" ", status(s.status)] : null),
      h("div", { class: "meta" },
        "height ", heightLink(s.height), s.time ? " · " + when(s.time) : "",
        s.signer ? [" · signed by ", link(["account", s.signer], s.signer)] : "",
        s.by ? " · by " + words(s.by) : "",
        s.tx ? [" · tx ", txLink(s.tx)] : ""))),
    next.map((what) => h("li", { class: "pending" }, h("div", { class: "what" }, what), h("div", { class: "meta" }, "not yet"))));
}

async function accountPage(signal, address) {
  const path = "/accounts/" + encodeURIComponent(address);
  const historyPath = path + "/history?limit=" + PAGE_ITEMS;
  const [acct, history] = await Promise.all([get(path, signal), optional(historyPath, signal)]);
  signal.throwIfAborted();
  const historyOf = (hist) => hist
    ? paged(signal, historyPath, hist, [["Height"], ["What"], ["Chips", "num"]], (tx) => accountRows(tx, acct.address), "Nothing yet.", "history")
    : h("p", { class: "muted" }, "This node does not serve an account's history.");
  const part = h("div", { id: "history-part" }, historyOf(history));
  show(
    h("h1", {}, "Account ", h("span", { class: "mono" }, acct.address)),
    h("div", { class: "cards" }, card("Balance", h("span", { id: "balance" }, chips(acct.chips)))),
    h("h2", {}, "Transfers and redemptions"),
    part);
  let reads = 0;
  follow(signal, path, "account", acct, async (a, height) => {
    document.getElementById("balance").textContent = chips(a.chips);
    const n = ++reads;
    await indexed(signal, historyPath, (hist) => hist.items.length > 0 && hist.items[0].height >= height,
      () => n === reads, (hist) => part.replaceChildren(historyOf(hist)));
  });
}

// accountRows are the rows of one transaction of an account's history: its transfers,
// redemptions and orders, or else the transaction's type.
function accountRows(tx, self) {
  const at = h("td", {}, heightLink(tx.height), h("div", {}, txLink(tx.tx)), h("div", { class: "muted hide-narrow" }, when(tx.time)));
  const rows = (tx.events || []).map((e) => {
    const a = e.attributes || {};
    switch (e.type) {
      case "transfer": {
        const out = a.from === self;
        const other = out ? a.to : a.from;
        return h("tr", { "data-event": "transfer" }, at.cloneNode(true),
          h("td", {}, "Transfer ", out ? "to " : "from ", link(["account", other], other)),
          h("td", { class: "num" }, (out ? "−" : "+") + chips(a.amount_chips)));
      }
      case "redemption":
        return h("tr", { "data-event": "redemption" }, at.cloneNode(true),
          h("td", {}, "Redemption ", h("span", { class: "mono" }, a.id), " ", status(a.status),
            h("div", { class: "muted" }, money(a.amount_minor, a.currency) + " at " + a.operator)),
          h("td", { class: "num" }, chips(a.chips)));
      case "order":
        return h("tr", { "data-event": "order" }, at.cloneNode(true),
          h("td", {}, "Order ", link(["order", a.id], a.id), " ", status(a.status)),
          h("td", { class: "num" }, a.status === "issued" ? "+" + chips(a.chips) : ""));
      default:
        return null;
    }
  }).filter(Boolean);
  return rows.length ? rows : [h("tr", {}, at, h("td", {}, words(tx.type)), h("td", {}))];
}

async function operatorPage(signal, id) {
  const reservesPath = "/operators/" + encodeURIComponent(id) + "/reserves?limit=" + PAGE_ITEMS;
  const [ans, reserves] = await Promise.all([get("/operators/" + encodeURIComponent(id), signal), optional(reservesPath, signal)]);
  signal.throwIfAborted();
  const o = ans.operator;
  const cur = o.account ? o.account.currency : (o.receiving_account || {}).currency || "";
  show(
    h("h1", {}, "Operator ", o.id),
    facts([
      ["Address", link(["account", o.address], o.address)],
      ["Bank account", o.account ? h("span", { class: "mono" }, printRef(o.account.iban) + " · " + o.account.holder) : ""],
      ["Rate", chips(o.rate.chips) + " per " + money(o.rate.minor, cur)],
      ["Cap", chips(o.cap_chips)],
      ["Outstanding", chips(outstanding(o))],
      ["Shortfall", o.shortfall_chips && o.shortfall_chips !== "0" ? chips(o.shortfall_chips) : ""],
      ["Registered", ["height ", heightLink(o.registered_height)]],
    ]),
    h("h2", {}, "Reserves attested"),
    !reserves ? h("p", { class: "muted" }, "This node does not list an operator's attestations.") : paged(signal, reservesPath, reserves, [["Height"], ["Statement end", "hide-narrow"], ["Held", "num"], ["Owed", "num"], ["Backed"]],
      (r) => [h("tr", {},
        h("td", {}, heightLink(r.height)),
        h("td", { class: "hide-narrow" }, r.statement_end),
        h("td", { class: "num" }, money(r.balance_minor, r.currency)),
        h("td", { class: "num" }, money(r.liabilities_minor, r.currency)),
        h("td", {}, status(r.backed ? "backed" : "unbacked")))], "No attestation yet.", "reserves"));
}

// result is the chain's answer to a transaction: accepted, or refused with its result
// code (docs/protocol.md) and log line.
function result(code, log) {
  if (code === undefined || code === null) return h("span", { class: "muted" }, "not in the node's index yet");
  if (code === 0) return status("accepted");
  return h("span", {}, status("refused"), " code " + code, log ? h("div", { class: "muted" }, log) : null);
}

async function blockPage(signal, height) {
  const b = await get("/blocks/" + encodeURIComponent(height), signal);
  signal.throwIfAborted();
  show(
    h("h1", {}, "Block ", h("span", { id: "block-height" }, String(b.height))),
    h("p", { class: "steps" },
      b.height > 1 ? link(["block", String(b.height - 1)], "← " + (b.height - 1)) : null,
      link(["block", String(b.height + 1)], b.height + 1 + " →")),
    facts([
      ["Time", when(b.time)],
      ["Hash", h("span", { class: "mono" }, b.hash)],
      ["Proposer", h("span", { class: "mono" }, b.proposer)],
      ["App hash", h("span", { class: "mono" }, b.app_hash)],
    ]),
    h("h2", {}, "Transactions"),
    table([["Transaction"], ["Type"], ["Result"]], b.txs.map((tx) => h("tr", {},
      h("td", {}, txLink(tx.hash)),
      h("td", {}, words(tx.type), tx.signer ? h("div", {}, link(["account", tx.signer], tx.signer)) : null),
      h("td", {}, result(tx.code, tx.log)))), "No transaction in this block.", "block-txs"));
}

async function txPage(signal, hash) {
  const tx = await get("/txs/" + encodeURIComponent(hash), signal);
  signal.throwIfAborted();
  show(
    h("h1", {}, words(tx.type), " ", h("span", { class: "muted" }, "transaction")),
    facts([
      ["Hash", h("span", { class: "mono", id: "tx-hash" }, tx.hash)],
      ["Block", h("span", { id: "tx-block" }, heightLink(tx.height), h("span", { class: "muted" }, ", transaction " + (tx.index + 1)))],
      ["Time", when(tx.time)],
      ["Signer", tx.signer ? link(["account", tx.signer], tx.signer) : ""],
      ["Nonce", tx.nonce],
      ["Result", result(tx.code, tx.log)],
    ]),
    h("h2", {}, "Events"),
    table([["Event"], ["Attributes"]], tx.events.map((e) => h("tr", {},
      h("td", {}, words(e.type)),
      h("td", {}, Object.entries(e.attributes || {}).map(([k, v]) =>
        h("div", {}, h("span", { class: "muted" }, words(k) + " "), attribute(e.type, k, v)))))),
    "No event.", "tx-events"));
}

// attribute is an event's attribute's value, linked where it names an account or an order.
function attribute(type, key, v) {
  if (/^chip1[02-9ac-hj-np-z]+$/.test(v)) return link(["account", v], v);
  if (type === "order" && key === "id") return link(["order", v], v);
  return h("span", { class: "mono" }, v);
}

// ---- search and routes -------------------------------------------------------------

// searchPage finds what q names: an address, a transaction by its hash, an order by its
// id or RF reference, a block by its height, or an operator; and shows its page in place
// of the search's.
async function searchPage(signal, q) {
  q = q.trim();
  const compact = q.replace(/\s+/g, "");
  const lookup = async (path) => {
    const v = await optional(path, signal, true);
    signal.throwIfAborted();
    return v;
  };
  let found = null;
  if (dotSegment(q)) {
    // names nothing: a URL would resolve it away
  } else if (/^chip1/i.test(compact)) {
    found = "#/account/" + encodeURIComponent(compact.toLowerCase());
  } else if (/^[0-9a-f]{64}$/i.test(compact)) {
    const tx = await lookup("/txs/" + compact.toUpperCase());
    if (tx) found = "#/tx/" + tx.hash;
  } else if (/^rf\d\d/i.test(compact) || /^[0-9a-f]{20}$/i.test(compact)) {
    const order = await lookup("/orders/" + encodeURIComponent(compact.toUpperCase()));
    if (order) found = "#/order/" + order.id;
  }
  if (!found && /^\d+$/.test(compact)) {
    const b = await lookup("/blocks/" + compact);
    if (b) found = "#/block/" + b.height;
  }
  if (!found && !dotSegment(q)) {
    const op = await lookup("/operators/" + encodeURIComponent(q));
    if (op) found = "#/operator/" + encodeURIComponent(op.operator.id);
  }
  if (found) {
    location.replace(found);
    return;
  }
  notFound("Nothing on the chain is named ", h("code", {}, q), ".");
}

// dotSegment says whether id is "." or "..", which no page names: in a URL's path they
// would resolve away, and read another route.
function dotSegment(id) {
  return id === "." || id === "..";
}

function notFound(...why) {
  show(h("h1", {}, "Not found"), h("p", { id: "not-found" }, ...why));
}

// decode undoes encodeURIComponent, and leaves a part it cannot decode as it is.
function decode(part) {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

const pages = new Map([
  ["order", orderPage], ["account", accountPage], ["operator", operatorPage], ["block", blockPage], ["tx", txPage],
  ["search", searchPage],
]);

// route shows the page the location's hash names, under a signal of its own that the
// next route aborts.
function route() {
  current.abort();
  current = new AbortController();
  const signal = current.signal;
  delete document.body.dataset.live;
  const [name, arg] = location.hash.replace(/^#\/?/, "").split("/").map(decode);
  let run;
  if (!name) {
    show(h("p", { class: "muted" }, "Loading…"));
    run = home(signal);
  } else if (pages.has(name) && arg && !dotSegment(arg)) {
    show(h("p", { class: "muted" }, name === "search" ? "Searching…" : "Loading…"));
    run = pages.get(name)(signal, arg);
  } else {
    notFound("No page is named ", h("code", {}, location.hash), ".");
    return;
  }
  run.catch((e) => {
    if (!signal.aborted) show(...failed(e, true));
  });
}

// start reads the ledger's currency table once, then shows the page the hash names.
async function start() {
  try {
    const res = await fetch("currencies.json", { headers: { Accept: "application/json" } });
    if (res.ok) minorDigits = new Map(Object.entries(await res.json()));
  } catch {
    // amounts are written in minor units, as they are
  }
  window.addEventListener("hashchange", route);
  route();
}

document.getElementById("search").addEventListener("submit", (e) => {
  e.preventDefault();
  const q = String(new FormData(e.target).get("q")).trim();
  if (!q) return;
  const hash = "#/search/" + encodeURIComponent(q);
  if (location.hash === hash) route();
  else location.hash = hash;
});
start();
